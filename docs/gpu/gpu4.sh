#!/bin/bash
# Device run 4: train the zoo's five architectures again on the GPU (configs/zoo/fashion-mnist-v2.ron),
# each for TRAIN seconds in parallel, then label that zoo's baseline plan and the first schedules
# of the random plan (same plans and ids as the committed v1 labels). Results go to $OUT.
cd "$(dirname "$0")/.."
exec > >(tee "$OUT/gpu4.log") 2>&1
T0=$(date +%s); el() { echo "== $1 at +$(( $(date +%s) - T0 )) s"; }
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $icd ] && export VK_DRIVER_FILES=$icd
[ -x ./xtask-wgpu ] || tar xJf .carry/bundle.tar.xz
X="${XTASK:-./xtask-wgpu --device wgpu}"
Z=configs/zoo/fashion-mnist-v2.ron
nvidia-smi -L; el setup
for m in xs s m-cos-v l xl; do
  timeout ${TRAIN:-250} $X train-zoo --zoo $Z --member $m --runs /tmp/tz > /tmp/train-$m.log 2>&1 &
  P="$P $!"
done
sleep 40; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv; wait $P; el train
for m in xs s m-cos-v l xl; do
  tr '\r' '\n' < /tmp/train-$m.log | grep -v '^$' | tail -2
  [ -f /tmp/tz/$m/state.json ] || { echo "$m: no checkpoint"; continue; }
  step=$(python3 -c "import json;print(json.load(open('/tmp/tz/$m/state.json'))['step'])")
  $X train-zoo --zoo $Z --member $m --runs /tmp/tz --steps $step 2>&1 | tail -1
done
el finalize
mkdir -p /tmp/zoo && cp assets/zoo/fashion-mnist-v2/* $Z /tmp/zoo/ && mv /tmp/zoo/xl.safetensors $OUT/
tar cf $OUT/zoo-v2.tar -C /tmp zoo; ls -la /tmp/zoo
L="--zoo $Z --n 1000 --batch 1000"
mkdir -p /tmp/lab
for i in 0 1 2; do
  timeout ${LAB:-240} $X dataset $L --plan baselines --seed 1 --count 2000 --max-cost 2397.2 --shard $i/3 --out /tmp/lab/base-$i.jsonl > /tmp/lab/base-$i.log 2>&1 &
  Q="$Q $!"
done
for i in 0 1; do
  timeout ${LAB:-240} $X dataset $L --count 3000 --shard $i/2 --out /tmp/lab/rand-$i.jsonl > /tmp/lab/rand-$i.log 2>&1 &
  Q="$Q $!"
done
wait $Q; el labels
for f in /tmp/lab/*.log; do echo "== $f"; tr '\r' '\n' < $f | grep -v '^$' | tail -2; done
wc -l /tmp/lab/*.jsonl
tar czf $OUT/labels-v2.tgz -C /tmp lab
ls -la $OUT; el done
