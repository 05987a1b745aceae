#!/bin/bash
# Device run 3: resume both label sets with several shard processes at once on one GPU.
cd "$(dirname "$0")/.."
exec > >(tee "$OUT/all3.log") 2>&1
T0=$(date +%s)
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $icd ] && export VK_DRIVER_FILES=$icd
[ -x ./xtask-wgpu ] || tar xJf .carry/bundle.tar.xz
nvidia-smi -L; echo "setup $(( $(date +%s) - T0 )) s"
X="./xtask-wgpu --device wgpu dataset --n 1000 --batch 1000"
L=${LAB:-330}
for i in 0 1 2; do
  cp .carry/labels.jsonl $OUT/labels-$i.jsonl
  timeout $L $X --count 3000 --shard $i/3 --out $OUT/labels-$i.jsonl > $OUT/lab-$i.log 2>&1 &
  cp .carry/baselines.jsonl $OUT/base-$i.jsonl
  timeout $L $X --plan baselines --seed 1 --count 2000 --shard $i/3 --out $OUT/base-$i.jsonl > $OUT/base-$i.log 2>&1 &
done
sleep 60; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv
wait
echo "done $(( $(date +%s) - T0 )) s"
for f in $OUT/*.log; do echo "== $f"; tr '\r' '\n' < $f | tail -3; done
wc -l $OUT/*.jsonl
rm $OUT/*.log
