#!/bin/bash
# As run in session 25 (2026-12-07, 2-core AMD EPYC VM, flex): xl resumed exactly from its run
# folder (step 6600, left by session 24; the session's first 100 steps to 6700, then stopped for
# the full gate of gate-seed-1000-xl-6500/, then resumed) to 7300, exported, and gated against xl
# at 6500 (the manifest and weights of commit 0413cb3) on seed set 1000 at 5, 10 and 20 NFE; every
# other score came from that full gate's cache (48 of 60). gate.md and summary.json are committed
# beside this file.
set -e
cd /work/main
nohup nice -n 5 /tmp/xtask-s24 train-zoo --zoo configs/zoo/fashion-mnist-v3.ron --member xl \
  --runs runs/v3/runs --steps 12000 > runs/v3/s25/train-xl-2.log 2>&1 &
XTASK=/tmp/xtask-s24 MEMBER=xl BASE=0413cb3 STOP=0845 OUT=runs/v3/s25/round \
  CACHE=runs/v3/gate-cache-1000 GATE_ARGS="--seed-sets 1000" \
  bash scripts/cpu/continue-and-gate.sh
