#!/bin/bash
# Here, before device calls: packs each member's latest checkpoint set from $RUNS (default
# runs/train-zoo, where `cargo xtask train-zoo` keeps them) into one archive .carry/runs.tar, so
# that scripts/gpu/train-zoo.sh continues those runs on the device (carry it whole, or name it to
# split.sh). Only the files each step record names travel (older sets a crash may have left are
# not needed). Parts a device call brought back need no repacking: cat runs.tar.part* > .carry/runs.tar
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-runs/train-zoo}
mkdir -p .carry
list=()
for rec in "$RUNS"/*/state.json; do
  m=$(basename "$(dirname "$rec")")
  list+=("$m/state.json")
  while read -r f; do list+=("$m/$f"); done < <(python3 -c "import json,sys;[print(p['file']) for p in json.load(open(sys.argv[1]))['parts'].values()]" "$rec")
  echo "$m: step $(python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['step'])" "$rec")"
done
[ ${#list[@]} -gt 0 ] || { echo "no checkpoint sets under $RUNS" >&2; exit 1; }
tar cf .carry/runs.tar -C "$RUNS" "${list[@]}"
ls -la .carry/runs.tar
