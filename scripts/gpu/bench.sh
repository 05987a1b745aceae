#!/bin/bash
# Speed of one backend on the device (issues 16 and 21): which CUDA pieces the machine has, a
# smoke sample, the latency table at batch 1000 and training images/s per member at $BATCHES.
# BACKEND=cuda (carry .carry/cuda.tar.xz from bundle-cuda.sh) or BACKEND=wgpu (carry
# .carry/bundle.tar.xz and .gl, as for train-zoo.sh). Brings back $OUT/<backend>-*/ and the log.
BACKEND=${BACKEND:-cuda}
[ "$BACKEND" = cuda ] && XTASK="./xtask-cuda --device cuda"
LOG=bench-$BACKEND source "$(dirname "$0")/setup.sh"
[ "$BACKEND" = cuda ] && { tar xJf .carry/cuda.tar.xz || exit 1; }
echo "== driver and toolkit"
nvidia-smi --query-gpu=name,driver_version --format=csv,noheader
ls -d /usr/local/cuda* /opt/cuda 2>/dev/null; command -v nvcc; ldconfig -p | grep -E 'libnvrtc|libcuda\.'
if [ "$BACKEND" = cuda ] && [ -z "${CUDA_PATH:-}" ] && [ ! -d /usr/local/cuda ] && [ -d cuda/lib ]; then
  export CUDA_PATH=$PWD/cuda LD_LIBRARY_PATH=$PWD/cuda/lib:${LD_LIBRARY_PATH:-}
  echo "no toolkit on the machine: the carried NVRTC and headers ($CUDA_PATH)"
fi
$X sample --model xs --nfe 4 --n 64 --out "$OUT/$BACKEND-sample" || { el "sample failed: stopping"; exit 1; }; el sample
$X profile --batch 1000 --max-seconds 3 --out "$OUT/$BACKEND-profile"; el profile
$X train-bench --batch "${BATCHES:-128,1024,4096}" --out "$OUT/$BACKEND-train-bench"; el train-bench
ls -la "$OUT"; el done
