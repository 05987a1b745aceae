#!/usr/bin/env bash
# Session 17: after $STOP, wait for xl's next checkpoint, stop its training, export that step
# and gate the zoo against the committed xl of 1200 steps (scores of the others from the cache).
set -euo pipefail
cd /work/main
X=/tmp/xtask-s17c
S=runs/v3/runs/xl/state.json
step() { python3 -c "import json;print(json.load(open('$S'))['step'])"; }
while [ "$(date +%H%M)" -lt "${STOP:-0612}" ]; do sleep 20; done
s0=$(step); echo "waiting for the checkpoint after $s0"; date
while [ "$(step)" = "$s0" ]; do sleep 5; done
sleep 3; s=$(step)
pkill -f "xtask-s17 train-zoo" || true
sleep 5; date; echo "stopped at $s"
$X train-zoo --zoo configs/zoo/fashion-mnist-v3.ron --member xl --runs runs/v3/runs --steps "$s"
date
$X zoo-gate --zoo configs/zoo/fashion-mnist-v3.ron --latency docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron --score-cache runs/v3/gate-cache-s16 --baseline-zoo runs/v3/s17/v3-xl1200.ron --out runs/v3/s17/gate-xl-$s
date
echo finish-done
