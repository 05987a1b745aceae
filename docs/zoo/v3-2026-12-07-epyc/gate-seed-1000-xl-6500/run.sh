#!/bin/bash
# As run in session 25 (2026-12-07, 2-core AMD EPYC VM, flex, nothing else running): the committed
# zoo v3 of commit 0413cb3 (xl at 6500 steps, s with its refinement head at 18400, m 14000, l 5400,
# xs 16000) gated at 5, 10 and 20 NFE on seed set 1000 with an empty score cache (every member
# sampled; 60 minutes). gate.md and summary.json are committed beside this file. It ran as
# /tmp/xtask-s24, session 24's copy of target/debug/xtask (built at 4890076; the crates have not
# changed since), so that xl's training, stopped before it, used the same binary.
set -e
cd /work/main
/tmp/xtask-s24 zoo-gate --zoo configs/zoo/fashion-mnist-v3.ron \
  --latency docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron \
  --seed-sets 1000 --score-cache runs/v3/gate-cache-1000 --out runs/v3/s25/gate-1000
