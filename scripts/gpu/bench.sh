#!/bin/bash
# Speed of one backend on the device (issues 16 and 21): which CUDA pieces the machine has, a
# smoke sample, the latency table at batch 1000 and training images/s per member at $BATCHES.
# BACKEND=cuda (cuda.tar.xz from bundle-cuda.sh) or BACKEND=wgpu (wgpu.tar.xz from bundle.sh,
# and .gl), data.tar.xz with either, carried as split.sh plans. Brings back the log and
# $OUT/bench-<backend>.tar, every output folder in one archive (the tool brings back 8 files:
# the three commands write more than that).
BACKEND=${BACKEND:-cuda}
[ "$BACKEND" = cuda ] && XTASK="./xtask-cuda --device cuda"
LOG=bench-$BACKEND source "$(dirname "$0")/setup.sh"
echo "== driver and toolkit"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
ls -d /usr/local/cuda* /opt/cuda 2>/dev/null; command -v nvcc; ldconfig -p | grep -E 'libnvrtc|libcuda\.'
if [ "$BACKEND" = cuda ]; then
  # cudarc loads libnvrtc by name (libnvrtc.so, libnvrtc.so.13, ...): point the loader at the
  # toolkit's copy when ldconfig does not know it, or at the carried one without a toolkit
  ldconfig -p | grep -q libnvrtc || for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do
    ls "$d"/libnvrtc.so* > /dev/null 2>&1 && export LD_LIBRARY_PATH=$d:${LD_LIBRARY_PATH:-} && echo "libnvrtc from $d" && break
  done
  if [ -z "${CUDA_PATH:-}" ] && [ ! -d /usr/local/cuda ] && [ -d cuda/lib ]; then
    export CUDA_PATH=$PWD/cuda LD_LIBRARY_PATH=$PWD/cuda/lib:${LD_LIBRARY_PATH:-}
    echo "no toolkit on the machine: the carried NVRTC and headers ($CUDA_PATH)"
  fi
fi
R=/tmp/bench-$BACKEND; rm -rf "$R"; mkdir -p "$R"
pack() { tar cf "$OUT/bench-$BACKEND.tar" -C "$R" . && ls -la "$OUT"; el "$1"; }
$X sample --model xs --nfe 4 --n 64 --out "$R/sample" || { pack "sample failed: stopping"; exit 1; }; el sample
$X profile --batch 1000 --max-seconds 3 --out "$R/profile"; el profile
$X train-bench --batch "${BATCHES:-128,1024,4096}" --out "$R/train-bench"; el train-bench
pack done
