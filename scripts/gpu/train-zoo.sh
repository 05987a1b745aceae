#!/bin/bash
# Trains every member of $ZOO at once on the device for $TRAIN seconds each (default 250),
# then writes each member's weights from its last checkpoint (`train-zoo --steps N`: the record
# says how far it got). Checkpoints live in $RUNS (default /tmp/tz); runs continue across
# sessions and machines: a checkpoint archive runs.tar (what an earlier call brought back, put
# together here with `cat runs.tar.part* > .carry/runs.tar`, or `scripts/gpu/pack-runs.sh`),
# carried whole as .carry/runs.tar or in parts through split.sh, is unpacked into $RUNS first;
# a member without a set continues from its committed weights (`--warm-start`: Adam restarts,
# the learning rate warms up again), or starts from step 0 when it has none.
# Every member trains at $BATCH images per step (default 1024; wgpu is launch-bound at 128):
# `train-zoo --batch` rescales each recipe per image seen (Recipe::at_batch). A carried set
# continues only at the batch it was trained at (BATCH=128 for sets from before --batch).
# $ARGS goes to every train-zoo call (e.g. ARGS="--lr-rule linear").
# Brings back $OUT/zoo.tar (the manifest and weights), $OUT/runs.tar.partNN (every member's
# checkpoint set in one archive, cut at 15 MiB: the tool brings back 8 files of at most 16 MiB,
# 64 MiB in all; left behind, with a message, when it would not fit) and $OUT/logs.tar.
source "$(dirname "$0")/setup.sh"
RUNS=${RUNS:-/tmp/tz}
BATCH=${BATCH:-1024}
MEMBERS=${MEMBERS:-$(sed -n 's/^ \{8,\}name: "\([^"]*\)".*/\1/p' "$ZOO" | tr '\n' ' ')}
mkdir -p "$RUNS" /tmp/logs
for t in .carry/runs.tar "$STAGE/runs.tar" .carry/runs-*.tar; do
  [ -f "$t" ] && tar xf "$t" -C "$RUNS" && echo "resuming from $t"
done
for m in $MEMBERS; do
  timeout "${TRAIN:-250}" $X train-zoo --zoo "$ZOO" --member "$m" --runs "$RUNS" --batch "$BATCH" ${ARGS:-} --warm-start > "/tmp/logs/train-$m.log" 2>&1 &
  P="${P:-} $!"
done
sleep 40; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv || true
wait $P; el train
for m in $MEMBERS; do
  [ -f "$RUNS/$m/state.json" ] || { echo "$m: no checkpoint"; continue; }
  # the set's own step and batch (sets from before --batch record none: the manifest's)
  read -r step batch < <(python3 -c "import json,sys;r=json.load(open(sys.argv[1]));print(r['step'],r.get('batch') or '')" "$RUNS/$m/state.json")
  $X train-zoo --zoo "$ZOO" --member "$m" --runs "$RUNS" ${batch:+--batch "$batch"} ${ARGS:-} --steps "$step" 2>&1 | tail -1
done
el finalize
dir=$(dirname "$ZOO")/../../assets/zoo/$(basename "$ZOO" .ron)
tar cf "$OUT/zoo.tar" "$ZOO" -C "$dir" .
tar cf "$OUT/logs.tar" -C /tmp/logs .
if RUNS=$RUNS ARCHIVE=/tmp/runs.tar bash scripts/gpu/pack-runs.sh; then
  room=$(( 60 * 1024 * 1024 - $(du -cb "$OUT"/* | tail -1 | cut -f1) ))
  if [ "$(stat -c %s /tmp/runs.tar)" -le "$room" ]; then
    split -d -a 2 -b 15M /tmp/runs.tar "$OUT/runs.tar.part"
  else
    echo "runs.tar ($(du -h /tmp/runs.tar | cut -f1)) does not fit what the tool brings back: left behind (the weights are in zoo.tar)"
  fi
fi
ls -la "$OUT"; el done
