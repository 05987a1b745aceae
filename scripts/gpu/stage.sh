#!/bin/bash
# On the device, in every call of a plan from scripts/gpu/split.sh (setup.sh runs it first):
# copies the parts this call carried ($CARRY/call-*/, default .carry) to $STAGE/parts (default
# /tmp/oms, which stays while the machine is warm) and puts each file of the manifest back
# together as $STAGE/<name> once all of its parts have arrived, checked against the sha256 taken
# here. Prints what is complete and what is still missing. With --need-all it exits 1 while any
# file is missing or corrupt (a machine given back between calls starts bare: carry every call
# again).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
STAGE=${STAGE:-/tmp/oms}
mkdir -p "$STAGE/parts"
for d in "${CARRY:-.carry}"/call-*/; do
  [ -d "$d" ] && cp "$d"* "$STAGE/parts/" && echo "stage: took $(ls "$d" | grep -vc '^manifest$') part(s) from $d"
done
if [ ! -f "$STAGE/parts/manifest" ]; then
  echo "stage: nothing split to put together"; exit 0
fi
missing=0
while read -r sha n name; do
  out=$STAGE/$name
  if [ -f "$out" ] && [ "$(sha256sum < "$out" | cut -d' ' -f1)" = "$sha" ]; then
    echo "stage: $name complete"; continue
  fi
  want=(); have=0
  for ((i = 0; i < n; i++)); do
    p=$STAGE/parts/$name.part$(printf %02d "$i"); want+=("$p"); [ -f "$p" ] && have=$((have + 1))
  done
  if [ "$have" -lt "$n" ]; then
    echo "stage: $name: $have of $n parts so far"; missing=1; continue
  fi
  cat "${want[@]}" > "$out.tmp"
  if [ "$(sha256sum < "$out.tmp" | cut -d' ' -f1)" = "$sha" ]; then
    mv "$out.tmp" "$out"; echo "stage: $name complete, sha256 checked"
  else
    rm -f "$out.tmp"; echo "stage: $name: its $n parts do not give the sha256 of the plan (parts of two plans, or damaged on the way: carry the calls again)"; missing=1
  fi
done < "$STAGE/parts/manifest"
if [ "$missing" = 1 ] && [ "${1:-}" = --need-all ]; then
  echo "stage: files are missing: carry the earlier calls of .carry/plan.md again"; exit 1
fi
exit 0
