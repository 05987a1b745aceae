#!/bin/bash
# Packs a CUDA device run (issue 21) into .carry/cuda.tar.xz: the `--features cuda` build of
# xtask (stripped) and, only when WHEELS names a folder (for a machine without a CUDA toolkit;
# the device image has CUDA 13 with nvcc and NVRTC, .library/device/KINDS.md), libnvrtc and the
# CUDA headers from NVIDIA's PyPI wheels. The training split goes as .carry/data.tar.xz
# (bundle-data.sh). Then plan the calls with split.sh. Run it here:
#   CARGO_TARGET_DIR=/work/cuda-target cargo build --workspace --bins --features cuda
#   XTASK_CUDA=/work/cuda-target/debug/xtask bash scripts/gpu/bundle-cuda.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${XTASK_CUDA:-/work/cuda-target/debug/xtask}
if grep -q "this build has no CUDA backend" "$bin"; then
  echo "$bin is not a --features cuda build" >&2; exit 1
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp "$bin" "$tmp/xtask-cuda" && strip "$tmp/xtask-cuda"
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
tar cf - -C "$tmp" $(cd "$tmp" && ls) | xz -T2 --x86 --lzma2=preset=9 > .carry/cuda.tar.xz
bash scripts/gpu/bundle-data.sh
ls -la .carry/cuda.tar.xz
