#!/bin/bash
# Zoo v3 gate on a second fresh seed set (2000) at 10 and 20 NFE (where every bar-2 failure of seed set 1000 is).
while pgrep -f "xtask-mix compare" > /dev/null; do sleep 10; done
cd /work/main
exec /tmp/xtask-mix zoo-gate --zoo configs/zoo/fashion-mnist-v3.ron \
  --latency docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron \
  --nfe 10,20 --seed-sets 2000 --score-cache runs/v3/gate-cache-2000 --out runs/v3/gate-2000
