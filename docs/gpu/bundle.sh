#!/bin/bash
# Packs the wgpu xtask binary and the Fashion-MNIST training split for the device machine (.carry/bundle.tar.xz).
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
cp "${WGPU_TARGET:-/work/wgpu-target}/debug/xtask" "$tmp/xtask-wgpu"
strip "$tmp/xtask-wgpu"
mkdir -p "$tmp/data/fashion-mnist"
cp data/fashion-mnist/train-* "$tmp/data/fashion-mnist/"
tar cJf .carry/bundle.tar.xz -C "$tmp" xtask-wgpu data
rm -rf "$tmp"
ls -la .carry/bundle.tar.xz
