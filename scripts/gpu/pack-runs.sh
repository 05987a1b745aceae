#!/bin/bash
# Here, before device calls: packs each member's latest checkpoint set from $RUNS (default
# runs/train-zoo, where `cargo xtask train-zoo` keeps them) into one archive .carry/runs.tar, so
# that scripts/gpu/train-zoo.sh continues those runs on the device (carry it whole, or name it to
# split.sh). Only the files each step record names travel (older sets a crash may have left are
# not needed). Parts a device call brought back need no repacking: cat runs.tar.part* > .carry/runs.tar
# train-zoo.sh packs what it brings back with it too (ARCHIVE: where the archive goes).
set -euo pipefail
cd "$(dirname "$0")/../.."
RUNS=${RUNS:-runs/train-zoo}
ARCHIVE=${ARCHIVE:-.carry/runs.tar}
mkdir -p "$(dirname "$ARCHIVE")"
list=()
for rec in "$RUNS"/*/state.json; do
  [ -f "$rec" ] || continue
  m=$(basename "$(dirname "$rec")")
  # the record's step first, then the files it names
  mapfile -t r < <(python3 -c "import json,sys;r=json.load(open(sys.argv[1]));print(r['step']);[print(p['file']) for p in r['parts'].values()]" "$rec")
  list+=("$m/state.json")
  for f in "${r[@]:1}"; do list+=("$m/$f"); done
  echo "$m: step ${r[0]}"
done
[ ${#list[@]} -gt 0 ] || { echo "no checkpoint sets under $RUNS" >&2; exit 1; }
tar cf "$ARCHIVE" -C "$RUNS" "${list[@]}"
ls -la "$ARCHIVE"
