#!/usr/bin/env bash
# Session 26 (2026-12-07, 2-core AMD EPYC VM, flex): a linear learning-rate cool-down for the
# patched members, as run. X is a copy of target/debug/xtask at commit b75b1b8 (Recipe::cooldown).
# The run folders lived in runs/v3/s26/ (gitignored); xs-cool/, xs-ctl/, s-cool/ here keep their
# manifests and training records, gates/manifests/ the gate manifests (their paths resolve from
# runs/v3/s26/gate/; mk.py wrote them from configs/zoo/fashion-mnist-v3.ron).
set -euo pipefail
X=/tmp/xtask-s26
cd runs/v3/s26   # each arm folder: zoo.ron (xs or s alone, checkpoint beside it), the committed
                 # weights and training record copied in (xs at 16000 steps, s at 18400)
# Three runs at once, the two xs arms at nice 0, s at nice 5:
$X train-zoo --zoo xs-cool/zoo.ron --member xs --runs xs-cool/runs --steps 20000 --warm-start &  # cooldown 16000 -> 20000
$X train-zoo --zoo xs-ctl/zoo.ron --member xs --runs xs-ctl/runs --steps 20000 --warm-start &    # control: no cooldown
nice -n 5 $X train-zoo --zoo s-cool/zoo.ron --member s --runs s-cool/runs --steps 22400 --warm-start &  # cooldown 18400 -> 22400
wait
python3 mk.py gate/base.ron; python3 mk.py gate/cool.ron xs=xs-cool; python3 mk.py gate/ctl.ron xs=xs-ctl
python3 mk.py gate/scool.ron s=s-cool
cd ../../..
L=docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron
G=runs/v3/s26/gate
C1=runs/v3/gate-cache-1000; C2=runs/v3/gate-cache-2000   # every v3 member at commit 97baf74 cached
$X zoo-gate --zoo $G/cool.ron --latency $L --seed-sets 1000 --score-cache $C1 --baseline-zoo $G/base.ron --out $G/xs-cool
$X zoo-gate --zoo $G/ctl.ron --latency $L --seed-sets 1000 --score-cache $C1 --baseline-zoo $G/base.ron --out $G/xs-ctl
$X zoo-gate --zoo $G/cool.ron --latency $L --seed-sets 1000 --score-cache $C1 --baseline-zoo $G/ctl.ron --out $G/xs-cool-vs-ctl
$X zoo-gate --zoo $G/base.ron --latency $L --seed-sets 2000 --score-cache $C2 --out $G/base-2000   # xl at 7300 first gated on 2000
$X zoo-gate --zoo $G/cool.ron --latency $L --seed-sets 2000 --score-cache $C2 --baseline-zoo $G/base.ron --out $G/xs-cool-2000
$X zoo-gate --zoo $G/ctl.ron --latency $L --seed-sets 2000 --score-cache $C2 --baseline-zoo $G/base.ron --out $G/xs-ctl-2000
for S in 1000 2000; do
  $X zoo-gate --zoo $G/scool.ron --latency $L --seed-sets $S --score-cache runs/v3/gate-cache-$S --baseline-zoo $G/base.ron --out $G/s-cool-$S
done
# xs-ctl (better than xs-cool at 5 and 10 NFE, gates/xs-cool-vs-ctl) and s-cool adopted as
# v3's xs and s (weights, records, sha256; s's cooldown in the manifest); the zoo gated against
# the manifest before the session (60 of 60 scores from the caches):
git show b75b1b8:configs/zoo/fashion-mnist-v3.ron > configs/zoo/v3-before-s26.ron
E=docs/zoo/v3-2026-12-07-epyc/cooldown
for S in 1000 2000; do
  $X zoo-gate --zoo configs/zoo/fashion-mnist-v3.ron --latency $L --seed-sets $S --score-cache runs/v3/gate-cache-$S --baseline-zoo configs/zoo/v3-before-s26.ron --out $E/gate-v3-seed-$S
done
rm configs/zoo/v3-before-s26.ron
