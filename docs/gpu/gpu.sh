#!/bin/bash
# Device check: wgpu latency profile (+ end-to-end check), labelling throughput, the shipped
# label sets. Runs in the repository root of the device machine; results go to $OUT.
cd "$(dirname "$0")/.."
exec > >(tee "$OUT/all.log") 2>&1
T0=$(date +%s); el() { echo "== $1 at +$(( $(date +%s) - T0 )) s"; }
for f in .gl/*.deb; do dpkg -x "$f" /; done; ldconfig
icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
[ -f $icd ] && export VK_DRIVER_FILES=$icd
tar xJf .carry/bundle.tar.xz
nvidia-smi -L; nproc; el setup
X=./xtask-wgpu; D="--device wgpu"
timeout ${PROF:-100} $X $D profile --batch 1000,250 --check --max-seconds 3 --out $OUT/profile; el "profile rc $?"
timeout ${LAB:-230} $X $D dataset --count 3000 --n 1000 --batch 1000 --out $OUT/labels.jsonl; el "labels rc $?"
timeout ${BASE:-130} $X $D dataset --plan baselines --seed 1 --count 2000 --n 1000 --batch 1000 --out $OUT/baselines.jsonl; el "baselines rc $?"
timeout ${BIG:-45} $X $D dataset --count 8 --n 5000 --batch 1000 --plan-seed 1 --out $OUT/n5000.jsonl; el "n5000 rc $?"
cd "$OUT" && tar czf profile.tgz profile && rm -rf profile; ls -la "$OUT"
