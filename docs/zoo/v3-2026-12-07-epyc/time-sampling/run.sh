#!/usr/bin/env bash
# Session 27 (2026-12-07, 2-core AMD EPYC VM, flex): the denoising error by noise level, and
# training levels partly uniform in lambda for the patched members, as run. X is a copy of
# target/debug/xtask at commit 204144d (`denoise-error`, `TimeSampling`); Y the code of commit
# a78844f (denoise-error's final default levels, ten plot colours); /tmp/xtask-s27c had the final
# levels but eight colours (the arms' nine-member plot repeats one, so only its table and
# summary are committed). The run folders lived in
# runs/v3/s27/ (gitignored); arms/ here keeps each arm's manifest and training record,
# gates/manifests/ the gate manifests (paths resolve from runs/v3/s27/gate/; mk.py wrote them
# from configs/zoo/fashion-mnist-v3.ron), arms.ron the denoise-error manifest (mkarms.py).
set -euo pipefail
X=/tmp/xtask-s27b; Y=/tmp/xtask-s27d
# v3 as committed before this session (xs at 20000 steps), integer levels (the first default):
#   $X denoise-error --zoo configs/zoo/fashion-mnist-v3.ron --n 1000 --out runs/v3/s27/denoise-v3
cd runs/v3/s27
# Each arm folder: a copy of session 26's run folder (xs-ctl at 20000 steps, s-cool at 22400:
# exact resume, Adam moments kept). Recipes edited: xs-lam adds time_sampling:
# MixLambda(share: 0.5); s-ctl and s-lam move s's cool-down to 22400 -> 24800 (the rate jumps
# back to its peak at 22400 and decays to zero), s-lam adds the same time_sampling.
# Four runs at once on two cores:
$X train-zoo --zoo xs-lam/zoo.ron --member xs --runs xs-lam/runs --steps 24000 &
$X train-zoo --zoo xs-ctl/zoo.ron --member xs --runs xs-ctl/runs --steps 24000 &
$X train-zoo --zoo s-lam/zoo.ron --member s --runs s-lam/runs --steps 24800 &
$X train-zoo --zoo s-ctl/zoo.ron --member s --runs s-ctl/runs --steps 24800 &
wait
cd ../../..
L=docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron
G=runs/v3/s27/gate
python3 runs/v3/s27/mk.py $G/base.ron
python3 runs/v3/s27/mk.py $G/xslam.ron xs=xs-lam; python3 runs/v3/s27/mk.py $G/xsctl.ron xs=xs-ctl
python3 runs/v3/s27/mk.py $G/slam.ron s=s-lam;   python3 runs/v3/s27/mk.py $G/sctl.ron s=s-ctl
C1=runs/v3/gate-cache-1000; C2=runs/v3/gate-cache-2000
$X zoo-gate --zoo $G/xsctl.ron --latency $L --seed-sets 1000 --score-cache $C1 --baseline-zoo $G/base.ron --out $G/xs-ctl-1000
$X zoo-gate --zoo $G/xslam.ron --latency $L --seed-sets 1000 --score-cache $C1 --baseline-zoo $G/xsctl.ron --out $G/xs-lam-vs-ctl-1000
$X zoo-gate --zoo $G/xslam.ron --latency $L --seed-sets 1000 --score-cache $C1 --baseline-zoo $G/base.ron --out $G/xs-lam-1000
$X zoo-gate --zoo $G/xsctl.ron --latency $L --seed-sets 2000 --score-cache $C2 --baseline-zoo $G/base.ron --out $G/xs-ctl-2000
# (xs-lam on seed set 2000 was started and stopped: 12 of 12 worse on 1000 settled it)
$X zoo-gate --zoo $G/sctl.ron --latency $L --seed-sets 1000 --score-cache $C1 --baseline-zoo $G/base.ron --out $G/s-ctl-1000
# The next gate stopped with an error: xs of assets/ had been replaced by the adopted xs (24000
# steps) while it waited, and its manifests named the old sha256. Re-run on manifests written
# after the replacement (xs from the cache, the same weights as xs-ctl's):
python3 runs/v3/s27/mk.py $G/slam2.ron s=s-lam; python3 runs/v3/s27/mk.py $G/sctl2.ron s=s-ctl
$Y zoo-gate --zoo $G/slam2.ron --latency $L --seed-sets 1000 --score-cache $C1 --baseline-zoo $G/sctl2.ron --out $G/s-lam-vs-ctl-1000
# Denoising error of every arm beside the committed members (arms.ron: python3 mkarms.py arms.ron
# xs=xs xs-24000=xs:xs-ctl xs-24000-lam=xs:xs-lam s=s s-24800=s:s-ctl s-24800-lam=s:s-lam m=m l=l xl=xl):
/tmp/xtask-s27c denoise-error --zoo runs/v3/s27/arms.ron --n 1000 --out runs/v3/s27/denoise-arms   # a78844f's levels, eight plot colours
# v3 as committed now (xs at 24000): ../denoise-error/v3/
$Y denoise-error --zoo configs/zoo/fashion-mnist-v3.ron --n 1000 --out runs/v3/s27/denoise-v3-final
