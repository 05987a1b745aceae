#!/bin/bash
# Packs what a device run needs that the working tree does not carry: the wgpu build of xtask
# (stripped) and the Fashion-MNIST training split, into .carry/bundle.tar.xz. Run it here, after
# `CARGO_TARGET_DIR=$WGPU_TARGET cargo build --workspace --bins --features wgpu`.
set -euo pipefail
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
cp "${WGPU_TARGET:-/work/wgpu-target}/debug/xtask" "$tmp/xtask-wgpu"
strip "$tmp/xtask-wgpu"
mkdir -p "$tmp/data/fashion-mnist" .carry
cp data/fashion-mnist/train-* "$tmp/data/fashion-mnist/"
tar cJf .carry/bundle.tar.xz -C "$tmp" xtask-wgpu data
rm -rf "$tmp"
ls -la .carry/bundle.tar.xz
bash scripts/gpu/check-size.sh .carry/bundle.tar.xz .gl || true
