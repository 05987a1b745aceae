#!/bin/bash
# Sourced by the device scripts: a log of everything under $OUT, `el NAME` to print elapsed
# seconds, the files of a split plan put together (stage.sh: every part carried so far, on this
# warm machine), Vulkan loader packages from .gl/ (Debian .debs fetched here with
# `apt-get download`), the NVIDIA ICD when the machine has one, and every bundle unpacked into
# the checkout: .carry/*.tar.xz carried whole and the staged ones (xtask-wgpu, xtask-cuda, data/).
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${OUT:?the device tool sets OUT}"
exec > >(tee "$OUT/${LOG:-run}.log") 2>&1
T0=$(date +%s)
el() { echo "== $1 at +$(( $(date +%s) - T0 )) s"; }
STAGE=${STAGE:-/tmp/oms}
bash scripts/gpu/stage.sh --need-all || exit 1
for f in .gl/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $icd ] && export VK_DRIVER_FILES=$icd
for b in .carry/*.tar.xz "$STAGE"/*.tar.xz; do
  [ -f "$b" ] || continue
  tar xJf "$b" && echo "unpacked $b" || { echo "cannot unpack $b"; exit 1; }
done
X="${XTASK:-./xtask-wgpu --device wgpu}"
ZOO="${ZOO:-configs/zoo/fashion-mnist-v3.ron}"
nvidia-smi -L || true
el setup
