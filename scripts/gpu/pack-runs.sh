#!/bin/bash
# Here, before a device call: packs each member's latest checkpoint set from $RUNS (default
# runs/train-zoo, where `cargo xtask train-zoo` keeps them) into .carry/runs-<member>.tar, so
# that scripts/gpu/train-zoo.sh continues those runs on the device. Only the files the step
# record names travel (older sets a crash may have left are not needed).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-runs/train-zoo}
mkdir -p .carry
for rec in "$RUNS"/*/state.json; do
  m=$(basename "$(dirname "$rec")")
  files=$(python3 -c "import json,sys;print(' '.join(p['file'] for p in json.load(open(sys.argv[1]))['parts'].values()))" "$rec")
  (cd "$RUNS" && tar cf "$OLDPWD/.carry/runs-$m.tar" "$m/state.json" $(for f in $files; do echo "$m/$f"; done))
  echo "$m: step $(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['step'])" "$rec") -> .carry/runs-$m.tar ($(du -h ".carry/runs-$m.tar" | cut -f1))"
done
