#!/usr/bin/env bash
# Session 28 (2026-12-07, 2-core AMD EPYC VM, flex): xs trained on from 24000 to 28000 and 32000
# steps at its constant rate (exact resume of session 27's run folder), gated on seed sets 1000
# and 2000; v3 gated on seed set 5000, which nothing had used. X is a copy of target/debug/xtask
# at commit a8b2abf. The run folders lived in runs/v3/s28/ (gitignored); gates/manifests/ keeps
# the gate manifests (paths resolve from runs/v3/s28/gate/; mk.py wrote them from
# configs/zoo/fashion-mnist-v3.ron as committed at a8b2abf), records/ the training records.
set -euo pipefail
X=/tmp/xtask-s28
cd runs/v3/s28
# xs: a copy of session 27's run folder runs/v3/s27/xs-ctl (24000 steps, Adam moments kept)
cp -r ../s27/xs-ctl xs
$X train-zoo --zoo xs/zoo.ron --member xs --runs xs/runs --steps 28000
cp -r xs xs32
$X train-zoo --zoo xs32/zoo.ron --member xs --runs xs32/runs --steps 32000
# (run beside these, and not gated this session: m warm-started from its committed 14000 steps
#  towards 17000 at nice 19, and xs32 copied to xs36 and trained to 36000 at nice 19)
cd ../../..
L=docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron
G=runs/v3/s28/gate
python3 runs/v3/s28/mk.py $G/base.ron
python3 runs/v3/s28/mk.py $G/xs28.ron xs=xs
python3 runs/v3/s28/mk.py $G/xs32.ron xs=xs32
for S in 1000 2000; do
  $X zoo-gate --zoo $G/xs28.ron --latency $L --seed-sets $S --score-cache runs/v3/gate-cache-$S --baseline-zoo $G/base.ron --out $G/xs28-$S
  $X zoo-gate --zoo $G/xs32.ron --latency $L --seed-sets $S --score-cache runs/v3/gate-cache-$S --baseline-zoo $G/xs28.ron --out $G/xs32-vs-28-$S
done
# v3 as committed at a8b2abf on seed set 5000 (no gate, compare, label or selection step had used
# it): every score computed, then v3 with the adopted xs paired against it (xs's 12 runs computed)
$X zoo-gate --zoo $G/base.ron --latency $L --seed-sets 5000 --score-cache runs/v3/gate-cache-5000 --out $G/base-5000
$X zoo-gate --zoo $G/xs32.ron --latency $L --seed-sets 5000 --score-cache runs/v3/gate-cache-5000 --baseline-zoo $G/base.ron --out $G/xs32-5000
# xs's denoising error at 24000, 28000 and 32000 steps, xl for scale (xsarms.ron:
# python3 mkarms.py xsarms.ron xs=xs xs-28000=xs:xs xs-32000=xs:xs32 xl=xl)
$X denoise-error --zoo runs/v3/s28/xsarms.ron --n 1000 --reference xs --out runs/v3/s28/denoise-xs
# FD and KID verdicts of each gate's paired changes: python3 kid.py runs/v3/s28/gate/<gate> ...
