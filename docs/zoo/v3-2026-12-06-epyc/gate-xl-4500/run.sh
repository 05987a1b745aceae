#!/usr/bin/env bash
# Session 18: after $STOP, wait for xl's next checkpoint, stop its training, export that step
# and gate the zoo against the committed xl of 2700 steps (scores of the others from the cache).
# Ran as `STOP=0925 bash docs/zoo/v3-2026-12-06-epyc/gate-xl-4500/run.sh` beside
# `/tmp/xtask-s18 train-zoo --zoo configs/zoo/fashion-mnist-v3.ron --member xl --runs runs/v3/runs --steps 8000`
# (/tmp/xtask-s18 a copy of target/debug/xtask at 7fcca87). The baseline was prepared with:
#   git show 7fcca87:configs/zoo/fashion-mnist-v3.ron > runs/v3/s18/v3-xl2700.ron
#   git show 7fcca87:assets/zoo/fashion-mnist-v3/xl.safetensors > runs/v3/s18/xl-2700.safetensors
#   sed -i 's#"../../assets/zoo/fashion-mnist-v3/xl.safetensors"#"xl-2700.safetensors"#; s#"../../assets/#"../../../assets/#' runs/v3/s18/v3-xl2700.ron
set -euo pipefail
cd /work/main
X=/tmp/xtask-s18
S=runs/v3/runs/xl/state.json
step() { python3 -c "import json;print(json.load(open('$S'))['step'])"; }
while [ "$(date +%H%M)" -lt "${STOP:-0935}" ]; do sleep 20; done
s0=$(step); echo "waiting for the checkpoint after $s0"; date
while [ "$(step)" = "$s0" ]; do sleep 5; done
sleep 3; s=$(step)
pkill -f "xtask-s18 train-zoo" || true
sleep 5; date; echo "stopped at $s"
$X train-zoo --zoo configs/zoo/fashion-mnist-v3.ron --member xl --runs runs/v3/runs --steps "$s"
date
$X zoo-gate --zoo configs/zoo/fashion-mnist-v3.ron --latency docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron --score-cache runs/v3/gate-cache-s16 --baseline-zoo runs/v3/s18/v3-xl2700.ron --out runs/v3/s18/gate-xl-$s
date
echo finish-done
