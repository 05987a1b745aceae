#!/bin/bash
# Here: packs what a device run needs that the working tree does not carry, as two files:
# .carry/wgpu.tar.xz (the wgpu build of xtask, stripped) and .carry/data.tar.xz (the
# Fashion-MNIST training split, which the cuda bundle shares). Run it after
# `CARGO_TARGET_DIR=$WGPU_TARGET cargo build --workspace --bins --features wgpu`, then plan the
# calls with split.sh (the two do not fit one call beside the checkout).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${WGPU_TARGET:-/work/wgpu-target}/debug/xtask
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
mkdir -p .carry
cp "$bin" "$tmp/xtask-wgpu" && strip "$tmp/xtask-wgpu"
tar cf - -C "$tmp" xtask-wgpu | xz -T2 --x86 --lzma2=preset=9 > .carry/wgpu.tar.xz
bash scripts/gpu/bundle-data.sh
ls -la .carry/wgpu.tar.xz
