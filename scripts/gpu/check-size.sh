#!/bin/bash
# Here, before a device call: what that call would send (tracked files, untracked files git
# does not ignore, and the carry paths given as arguments) against the device tool's 64 MiB
# limit on the travelling working tree. Exit 1 when over it.
#   bash scripts/gpu/check-size.sh .carry/call-1 .gl
#   bash scripts/gpu/check-size.sh --tree-bytes      # the checkout's share alone, in bytes
set -euo pipefail
cd "$(dirname "$0")/../.."
tree=$( { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 -r du -cb 2>/dev/null | awk '/\ttotal$/ {s += $1} END {print s + 0}')
if [ "${1:-}" = --tree-bytes ]; then echo "$tree"; exit 0; fi
carry=0
for p in "$@"; do
  [ -e "$p" ] || { echo "carry path $p does not exist"; exit 1; }
  carry=$(( carry + $(du -sb "$p" | cut -f1) ))
done
limit=$(( 64 * 1024 * 1024 ))
total=$(( tree + carry ))
printf 'tree %.1f MiB + carry %.1f MiB = %.1f MiB of %d MiB\n' \
  "$(echo "$tree / 1048576" | bc -l)" "$(echo "$carry / 1048576" | bc -l)" "$(echo "$total / 1048576" | bc -l)" 64
if [ "$total" -gt "$limit" ]; then
  echo "over the device tool's limit: split what travels over calls on a warm machine (scripts/gpu/split.sh)"
  exit 1
fi
