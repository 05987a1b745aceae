#!/usr/bin/env bash
# Label schedules for the predictor as a Slurm job array: one shard per array task.
#
#   cargo build --release -p xtask                      # once, on a filesystem every node mounts
#   mkdir -p runs/labels
#   sbatch --array=0-7 configs/deploy/slurm-dataset.sh  # 8 shards of the default plan
#   cargo xtask dataset merge runs/labels/shard-*.jsonl --out assets/labels/fashion-mnist-v2.jsonl
#
# GPU nodes: build with `cargo build --release -p xtask --features wgpu`, then
#   DEVICE=wgpu sbatch --array=0-7 --gres=gpu:1 configs/deploy/slurm-dataset.sh
# (BATCH is 1000 there: wgpu is launch-bound at small batches, DEVELOPERS.md).
#
# Every task runs the same plan and labels the ids `id % SHARDS == SLURM_ARRAY_TASK_ID`. The shard
# count is the array's size (`--array=0-7` is 8 shards); to rerun some tasks of an array alone
# (`--array=3,5`), set SHARDS to the original size. A task that is killed, preempted or requeued
# resumes where it stopped when it runs again: the label file is append-only and fsynced, a
# partial last line is dropped, and no label is made twice (scripts/slurm-e2e.sh tests this on a
# real Slurm). Settings, passed through the environment (sbatch exports it to the tasks):
#   ZOO, LATENCY  zoo manifest and latency table (default: the commands' defaults, the default zoo)
#   COUNT, N      schedules in the plan and images per label (3000, 1000: the shipped label set)
#   SEED          noise seed set of the labels (0; sets from 1000 up are kept for verification)
#   PLAN_SEED     seed of the plan (0)
#   DEVICE        cpu (default) or wgpu;  BATCH: images per sampling batch (250 cpu, 1000 wgpu)
#   OUT_DIR       where shard-<task>.jsonl is written (runs/labels)
#   XTASK         the binary (target/release/xtask)
#SBATCH --job-name=oms-dataset
#SBATCH --cpus-per-task=8
#SBATCH --time=12:00:00
#SBATCH --requeue
#SBATCH --output=runs/labels/slurm-%A_%a.log
set -euo pipefail
TASK=${SLURM_ARRAY_TASK_ID:?run as a job array (sbatch --array=0-N)}
if [ -z "${SHARDS:-}" ]; then
  if [ "${SLURM_ARRAY_TASK_MIN:-}" != 0 ] ||
    [ "${SLURM_ARRAY_TASK_COUNT:-}" != "$((SLURM_ARRAY_TASK_MAX + 1))" ]; then
    echo "slurm-dataset: the array is not 0-N (min ${SLURM_ARRAY_TASK_MIN:-?}, max" \
      "${SLURM_ARRAY_TASK_MAX:-?}, ${SLURM_ARRAY_TASK_COUNT:-?} tasks): set SHARDS to the plan's" \
      "shard count" >&2
    exit 2
  fi
  SHARDS=$SLURM_ARRAY_TASK_COUNT
fi
DEVICE=${DEVICE:-cpu}
if [ "$DEVICE" = cpu ]; then BATCH=${BATCH:-250}; else BATCH=${BATCH:-1000}; fi
OUT_DIR=${OUT_DIR:-runs/labels}
XTASK=${XTASK:-./target/release/xtask}
if [ ! -x "$XTASK" ]; then
  echo "slurm-dataset: $XTASK is missing: run \`cargo build --release -p xtask\` first" >&2
  exit 2
fi
args=(--count "${COUNT:-3000}" --n "${N:-1000}" --seed "${SEED:-0}" --plan-seed "${PLAN_SEED:-0}")
if [ -n "${ZOO:-}" ]; then args+=(--zoo "$ZOO"); fi
if [ -n "${LATENCY:-}" ]; then args+=(--latency "$LATENCY"); fi
# burn's CPU kernels use one thread per core of the machine unless told the task's share.
export RAYON_NUM_THREADS=${SLURM_CPUS_PER_TASK:-${RAYON_NUM_THREADS:-}}
[ -n "$RAYON_NUM_THREADS" ] || unset RAYON_NUM_THREADS
mkdir -p "$OUT_DIR"
echo "slurm-dataset: task $TASK of $SHARDS, restart ${SLURM_RESTART_COUNT:-0}, on $(hostname)"
exec "$XTASK" --device "$DEVICE" dataset "${args[@]}" --batch "$BATCH" \
  --shard "$TASK/$SHARDS" --out "$OUT_DIR/shard-$TASK.jsonl"
