#!/bin/bash
# Labels a plan of $ZOO on the device in $SHARDS parallel processes for at most $LAB seconds
# (resumable: shard files found under .carry/ are continued). Extra `dataset` arguments come
# from $ARGS (default: the random plan, n = 1000, batch 1000). Brings back the shard files;
# merge them here with `cargo xtask dataset merge`.
source "$(dirname "$0")/setup.sh"
SHARDS=${SHARDS:-2}
NAME=${NAME:-labels}
ARGS=${ARGS:---count 3000}
mkdir -p /tmp/lab
for ((i = 0; i < SHARDS; i++)); do
  f=/tmp/lab/$NAME-$i.jsonl
  [ -f ".carry/$NAME-$i.jsonl" ] && cp ".carry/$NAME-$i.jsonl" "$f"
  # shellcheck disable=SC2086
  timeout "${LAB:-240}" $X dataset --zoo "$ZOO" --n 1000 --batch 1000 $ARGS --shard "$i/$SHARDS" --out "$f" > "/tmp/lab/$NAME-$i.log" 2>&1 &
  Q="${Q:-} $!"
done
wait $Q; el labels
for f in /tmp/lab/*.log; do echo "== $f"; tr '\r' '\n' < "$f" | grep -v '^$' | tail -2; done
wc -l /tmp/lab/*.jsonl; cp /tmp/lab/*.jsonl "$OUT/"; el done
