#!/bin/bash
cd "$(dirname "$0")/.."
exec > >(tee "$OUT/all2.log") 2>&1
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $icd ] && export VK_DRIVER_FILES=$icd
[ -x ./xtask-wgpu ] || tar xJf .carry/bundle.tar.xz
cp .carry/labels.jsonl $OUT/labels.jsonl; cp .carry/baselines.jsonl $OUT/baselines.jsonl
timeout ${LAB:-250} ./xtask-wgpu --device wgpu dataset --count 3000 --n 1000 --batch 1000 --out $OUT/labels.jsonl; echo "labels rc $?"
wc -l $OUT/*.jsonl
