#!/bin/bash
# As run in session 24 (2026-12-07, 2-core AMD EPYC VM, flex): xl warm-started from its committed
# 5500 steps (fresh Adam moments), trained to 6500 (04:45 the stop time; 128k images in 5477 s,
# 23.4 images/s), exported, and gated against xl at 5500 (the manifest and weights of commit
# 4890076) on fresh seed set 2000 at 10 and 20 NFE; the other members' scores came from session
# 23's cache of the same seed set (gate-seed-2000/). gate.md and summary.json are committed beside
# this file.
set -e
cd /work/main
cp target/debug/xtask /tmp/xtask-s24
nohup nice -n 5 /tmp/xtask-s24 train-zoo --zoo configs/zoo/fashion-mnist-v3.ron --member xl \
  --runs runs/v3/runs --steps 12000 --warm-start > runs/v3/s24/train-xl.log 2>&1 &
XTASK=/tmp/xtask-s24 MEMBER=xl BASE=4890076 STOP=0445 OUT=runs/v3/s24/round \
  CACHE=runs/v3/gate-cache-2000 GATE_ARGS="--nfe 10,20 --seed-sets 2000" \
  bash scripts/cpu/continue-and-gate.sh
