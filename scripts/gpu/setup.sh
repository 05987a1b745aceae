#!/bin/bash
# Sourced by the device scripts: Vulkan loader packages from .gl/ (Debian .debs fetched here
# with `apt-get download`), the NVIDIA ICD when the machine has one, the bundle unpacked, a
# log of everything under $OUT, and `el NAME` to print elapsed seconds.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
: "${OUT:?the device tool sets OUT}"
exec > >(tee "$OUT/${LOG:-run}.log") 2>&1
T0=$(date +%s)
el() { echo "== $1 at +$(( $(date +%s) - T0 )) s"; }
for f in .gl/*.deb; do [ -f "$f" ] && dpkg -x "$f" /; done
ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $icd ] && export VK_DRIVER_FILES=$icd
[ -x ./xtask-wgpu ] || tar xJf .carry/bundle.tar.xz
X="${XTASK:-./xtask-wgpu --device wgpu}"
ZOO="${ZOO:-configs/zoo/fashion-mnist-v2.ron}"
nvidia-smi -L || true
el setup
