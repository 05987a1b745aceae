#!/bin/bash
# Here, before device calls: plans how the files a device job needs travel when together they do
# not fit one call (the device tool sends the checkout and the carried paths, 64 MiB in all, and
# the checkout alone is over 40 MiB). Cuts FILES into parts and packs them into call folders
# .carry/call-1, .carry/call-2, ..., each small enough to travel with the checkout and $EXTRA,
# and writes .carry/plan.md: one device call per folder, in order, each run on the same warm
# machine (it is given back 30 s after a call: issue the next one at once). Every call runs
# scripts/gpu/stage.sh first (setup.sh does), which keeps the parts under /tmp/oms and puts each
# file back together, sha256-checked, once all its parts have arrived.
#   bash scripts/gpu/split.sh .carry/data.tar.xz .carry/wgpu.tar.xz
# Knobs: EXTRA (paths every call carries, default ".gl"), JOB (the last call's command),
# PART_MIB (largest call folder; default what the checkout and EXTRA leave, less 1 MiB for
# commits made before the calls), CARRY
# (where the call folders and plan.md go, default .carry; tests/gpu_scripts.rs uses another).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ $# -gt 0 ] || { echo "usage: split.sh FILE..." >&2; exit 2; }
EXTRA=${EXTRA-.gl}
mib=$((1024 * 1024))
extra=0
for p in $EXTRA; do
  [ -e "$p" ] || { echo "EXTRA path $p does not exist (EXTRA= for none)" >&2; exit 1; }
  extra=$((extra + $(du -sb "$p" | cut -f1)))
done
CARRY=${CARRY:-.carry}
rm -rf "$CARRY"/call-* "$CARRY/plan.md"
# the folders themselves are untracked and ignored: they do not count in the tree
tree=$(bash scripts/gpu/check-size.sh --tree-bytes)
if [ -n "${PART_MIB:-}" ]; then
  room=$((PART_MIB * mib))
else
  room=$((64 * mib - tree - extra - mib))
  [ "$room" -ge $((2 * mib)) ] || { echo "no room left for parts: $((room / mib)) MiB" >&2; exit 1; }
fi
manifest=$(mktemp); trap 'rm -f "$manifest"' EXIT
# the files as one stream, in the order given: each call folder is filled to $room (less 64 KiB
# for the manifest) before the next one starts, a file's parts running on across folders
fill=$((room - 64 * 1024)); call=1; used=0
mkdir -p "$CARRY/call-1"
for f in "$@"; do
  [ -s "$f" ] || { echo "$f is not a file, or empty" >&2; exit 1; }
  name=$(basename "$f"); size=$(stat -c %s "$f"); off=0; i=0
  while [ "$off" -lt "$size" ]; do
    if [ "$used" -ge "$fill" ]; then call=$((call + 1)); used=0; mkdir -p "$CARRY/call-$call"; fi
    len=$((fill - used)); [ "$len" -le $((size - off)) ] || len=$((size - off))
    dd if="$f" of="$CARRY/call-$call/$name.part$(printf %02d "$i")" bs=1M iflag=skip_bytes,count_bytes skip="$off" count="$len" status=none
    off=$((off + len)); used=$((used + len)); i=$((i + 1))
  done
  echo "$(sha256sum "$f" | cut -d' ' -f1) $i $name" >> "$manifest"
done
{
  echo "# Device calls, in order, on one warm machine (written by scripts/gpu/split.sh)"
  echo
  echo "Files: $*"
  echo
  for ((k = 1; k <= call; k++)); do
    cp "$manifest" "$CARRY/call-$k/manifest" && chmod 644 "$CARRY/call-$k/manifest"
    cmd="bash scripts/gpu/stage.sh"
    [ "$k" = "$call" ] && cmd=${JOB:-$cmd}
    list=$(printf '"%s", ' "$CARRY/call-$k" $EXTRA); list="[${list%, }]"
    echo "$k. carry: $list  command: $cmd"
    echo "   ($(bash scripts/gpu/check-size.sh "$CARRY/call-$k" $EXTRA))"
  done
} > "$CARRY/plan.md"
cat "$CARRY/plan.md"
