#!/bin/bash
# session 14: after l reaches 3200 steps, s to 2600, m to 1800, then the gate (xs's scores cached)
set -euo pipefail
cd /work/main
while pgrep -f "xtask-s14 train-zoo --zoo configs/zoo/fashion-mnist-v3.ron --member l" >/dev/null; do sleep 20; done
while pgrep -f "xtask-s14c zoo-gate" >/dev/null; do sleep 20; done
X=/tmp/xtask-s14c
date; $X train-zoo --zoo configs/zoo/fashion-mnist-v3.ron --member s --runs runs/v3/runs --steps 2600
date; $X train-zoo --zoo configs/zoo/fashion-mnist-v3.ron --member m --runs runs/v3/runs --steps 1800
date; $X zoo-gate --zoo configs/zoo/fashion-mnist-v3.ron --latency docs/zoo/v3-2026-12-05/profile/latency-b64.ron --score-cache runs/v3/gate-cache-s14 --out runs/v3/s14/gate
date
