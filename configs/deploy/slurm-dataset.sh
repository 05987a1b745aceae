#!/usr/bin/env bash
# Label schedules for the predictor as a Slurm job array: one shard per array task.
#
#   sbatch --array=0-7 configs/deploy/slurm-dataset.sh          # 8 shards
#   cargo xtask dataset merge runs/labels/shard-*.jsonl --out assets/labels/fashion-mnist.jsonl
#
# Every task runs the same plan (same --count, --plan-seed, --n, --seed) and labels the ids
# `id % SHARDS == SLURM_ARRAY_TASK_ID`. A task that is preempted or killed resumes where it stopped
# when it runs again (the label file is append-only and fsynced; a partial last line is dropped).
# Run from the repository root on a shared filesystem after `cargo build -p xtask --release`
# (add `--features wgpu` and DEVICE=wgpu on GPU nodes).
#SBATCH --job-name=oms-dataset
#SBATCH --cpus-per-task=8
#SBATCH --time=12:00:00
#SBATCH --requeue
#SBATCH --output=runs/labels/slurm-%A_%a.log
set -euo pipefail
SHARDS=${SHARDS:-${SLURM_ARRAY_TASK_COUNT:?run as a job array (sbatch --array=0-N)}}
TASK=${SLURM_ARRAY_TASK_ID:?run as a job array (sbatch --array=0-N)}
COUNT=${COUNT:-2000}
N=${N:-1000}
DEVICE=${DEVICE:-cpu}
mkdir -p runs/labels
exec ./target/release/xtask --device "$DEVICE" dataset \
  --zoo configs/zoo/fashion-mnist.ron \
  --count "$COUNT" --n "$N" \
  --shard "$TASK/$SHARDS" \
  --out "runs/labels/shard-$TASK.jsonl"
