#!/bin/bash
# Here, first thing in a session lent a GPU: everything its device calls need, in one go, while
# no device time runs. Builds xtask for each backend in $BACKENDS in its own target folder (wgpu:
# about 50 minutes on two cores the first time; cuda: about as long), fetches the Vulkan loader
# into .gl, packs the bundles (and .carry/runs.tar when RUNS names CPU runs to continue), plans
# the calls with split.sh, rehearses the plan here with the job run on the CPU, and plans the
# calls again with $JOB. Then run the calls of .carry/plan.md with the device tool, back to back.
#   bash scripts/gpu/prepare.sh                                   # issue 16: zoo v3 training
#   BACKENDS="wgpu cuda" bash scripts/gpu/prepare.sh   # issues 16 and 21: about 90 minutes of
#     builds; the three bundles still take three calls, then the cuda bench runs on the warm
#     machine with carry [".gl"]: BACKEND=cuda bash scripts/gpu/bench.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
BACKENDS=${BACKENDS:-wgpu}
JOB=${JOB:-ZOO=configs/zoo/fashion-mnist-v3.ron TRAIN=300 bash scripts/gpu/train-zoo.sh}
t0=$(date +%s)
el() { echo "== prepare: $1 at +$(( $(date +%s) - t0 )) s"; }
for b in $BACKENDS; do
  CARGO_TARGET_DIR=/work/$b-target cargo build --workspace --bins --features "$b"
  el "$b build"
done
first=$(set -- $BACKENDS; echo "$1")
[ -f data/fashion-mnist/train-images-idx3-ubyte ] || "/work/$first-target/debug/xtask" data
mkdir -p .gl
ls .gl/libvulkan1_*.deb > /dev/null 2>&1 || (cd .gl && apt-get download libvulkan1)
files=(.carry/data.tar.xz)
for b in $BACKENDS; do
  case $b in
    wgpu) WGPU_TARGET=/work/wgpu-target bash scripts/gpu/bundle.sh ;;
    cuda) XTASK_CUDA=/work/cuda-target/debug/xtask bash scripts/gpu/bundle-cuda.sh ;;
    *) echo "unknown backend $b (wgpu, cuda)" >&2; exit 2 ;;
  esac
  files+=(".carry/$b.tar.xz")
done
if [ -n "${RUNS:-}" ]; then
  RUNS=$RUNS bash scripts/gpu/pack-runs.sh && files+=(.carry/runs.tar)
fi
el bundles
# the rehearsal: every call as the device tool would make it, the job on flex (no GPU here)
JOB="MEMBERS=xs BATCH=128 TRAIN=20 XTASK=./xtask-$first bash scripts/gpu/train-zoo.sh" \
  bash scripts/gpu/split.sh "${files[@]}" > /dev/null
log=$(mktemp)
bash scripts/gpu/rehearse.sh > "$log" 2>&1 || true
if ! grep -q '^zoo.tar$' "$log"; then
  cat "$log"; echo "the rehearsal did not bring back zoo.tar: fix that before spending device time" >&2
  exit 1
fi
el "rehearsal ($(grep -c '^== call' "$log") calls, log $log)"
JOB=$JOB bash scripts/gpu/split.sh "${files[@]}"
el done
