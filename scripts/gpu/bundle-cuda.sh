#!/bin/bash
# Packs a CUDA device run (issue 21) into .carry/cuda.tar.xz: the `--features cuda` build of
# xtask (stripped), the Fashion-MNIST training split (sha256-checked when loaded, so whole), and,
# for a machine without a CUDA toolkit, libnvrtc and the CUDA headers from NVIDIA's PyPI wheels
# (the 12.4 NVRTC wheel: 12.9's ships the library twice and does not fit). The device tool
# carries 64 MiB in all. Run it here:
#   cargo build -p xtask --features cuda && cp target/debug/xtask /tmp/xtask-cuda
#   pip download --no-deps nvidia-cuda-nvrtc-cu12==12.4.127 nvidia-cuda-runtime-cu12 -d /tmp/wheels
#   XTASK_CUDA=/tmp/xtask-cuda WHEELS=/tmp/wheels bash scripts/gpu/bundle-cuda.sh
# (the next build without the feature overwrites target/debug/xtask: copy it first).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${XTASK_CUDA:-/tmp/xtask-cuda}
if grep -q "this build has no CUDA backend" "$bin"; then
  echo "$bin is not a --features cuda build" >&2; exit 1
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$bin" "$tmp/xtask-cuda" && strip "$tmp/xtask-cuda"
mkdir -p "$tmp/data/fashion-mnist"
cp data/fashion-mnist/train-* "$tmp/data/fashion-mnist/"
if [ -n "${WHEELS:-}" ]; then
  one() { set -- "$WHEELS"/"$1"-*.whl; [ $# = 1 ] && [ -f "$1" ] || { echo "want one $WHEELS/$1-*.whl" >&2; exit 1; }; echo "$1"; }
  nvrtc=$(one nvidia_cuda_nvrtc_cu12) && runtime=$(one nvidia_cuda_runtime_cu12)
  mkdir -p "$tmp/cuda/lib" "$tmp/cuda/include" "$tmp/w"
  unzip -q -j -o "$nvrtc" 'nvidia/cuda_nvrtc/lib/libnvrtc.so.12' 'nvidia/cuda_nvrtc/lib/libnvrtc-builtins.so.*' -d "$tmp/cuda/lib"
  unzip -q -o "$runtime" 'nvidia/cuda_runtime/include/*' -d "$tmp/w"
  mv "$tmp/w/nvidia/cuda_runtime/include/"* "$tmp/cuda/include/" && rm -rf "$tmp/w"
  rm -f "$tmp/cuda/lib/__init__.py"
  ln -sf libnvrtc.so.12 "$tmp/cuda/lib/libnvrtc.so"
fi
mkdir -p .carry
tar cJf .carry/cuda.tar.xz -C "$tmp" .
ls -la .carry/cuda.tar.xz
bash scripts/gpu/check-size.sh .carry/cuda.tar.xz || true
