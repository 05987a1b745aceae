#!/bin/bash
# Here, before spending device time: runs the calls of .carry/plan.md (split.sh) on this machine
# the way the device tool would: each call in a fresh copy of what travels (tracked files,
# untracked files git does not ignore, the call's carry paths), one after the other, with one
# $STAGE folder kept between them as the warm machine keeps /tmp, and each call's $OUT in its own
# folder. The environment goes through, so the last call can be made to run here, e.g.
#   JOB='MEMBERS=xs TRAIN=20 XTASK=./xtask-wgpu bash scripts/gpu/train-zoo.sh' bash scripts/gpu/split.sh ...
#   bash scripts/gpu/rehearse.sh            # or: bash scripts/gpu/rehearse.sh 'COMMAND' for the last call's
# Leaves everything under $REHEARSAL (default a new temporary folder) and prints where; runs/
# checkpoints go to a folder there. As on the device, setup.sh unpacks the .debs in .gl into /
# (the Vulkan loader): run it where that is welcome, or with EXTRA= in split.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f .carry/plan.md ] || { echo "no .carry/plan.md: run split.sh first" >&2; exit 1; }
root=${REHEARSAL:-$(mktemp -d /tmp/rehearsal.XXXX)}
mkdir -p "$root/stage" "$root/tz"
export RUNS=$root/tz
last=$(grep -cE '^[0-9]+\. carry: ' .carry/plan.md)
grep -E '^[0-9]+\. carry: ' .carry/plan.md | while read -r line; do
  k=${line%%.*}
  carry=$(sed -E 's/^[0-9]+\. carry: \[(.*)\]  command: .*/\1/; s/[",]/ /g' <<< "$line")
  cmd=$(sed -E 's/.*  command: //' <<< "$line")
  [ "$k" = "$last" ] && [ -n "${1:-}" ] && cmd=$1
  dir=$root/call-$k/tree
  mkdir -p "$dir" "$root/call-$k/out"
  { git ls-files -z; git ls-files -z --others --exclude-standard; } | xargs -0 -r cp --parents -t "$dir" 2>/dev/null || true
  for p in $carry; do cp -r --parents "$p" "$dir"; done
  echo "== call $k: carry [$carry] command: $cmd"
  (cd "$dir" && OUT=$root/call-$k/out STAGE=$root/stage bash -c "$cmd") || echo "== call $k: exit $?"
  ls "$root/call-$k/out"
done
echo "rehearsal in $root"
