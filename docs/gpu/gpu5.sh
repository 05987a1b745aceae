#!/bin/bash
# Device run 5: more labels of the random plan for configs/zoo/fashion-mnist-v2.ron (resumes
# the shards of run 4). Results go to $OUT.
cd "$(dirname "$0")/.."
exec > >(tee "$OUT/gpu5.log") 2>&1
T0=$(date +%s); el() { echo "== $1 at +$(( $(date +%s) - T0 )) s"; }
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $icd ] && export VK_DRIVER_FILES=$icd
tar xJf .carry/bundle5.tar.xz; el setup
X="./xtask-wgpu --device wgpu"
mkdir -p /tmp/lab && cp .carry/rand-*.jsonl /tmp/lab/
for i in 0 1; do
  timeout ${LAB:-200} $X dataset --zoo configs/zoo/fashion-mnist-v2.ron --n 1000 --batch 1000 --count 3000 --shard $i/2 --out /tmp/lab/rand-$i.jsonl > /tmp/lab/rand-$i.log 2>&1 &
  Q="$Q $!"
done
wait $Q; el labels
for f in /tmp/lab/*.log; do echo "== $f"; tr '\r' '\n' < $f | grep -v '^$' | tail -2; done
wc -l /tmp/lab/*.jsonl; cp /tmp/lab/rand-*.jsonl $OUT/; el done
