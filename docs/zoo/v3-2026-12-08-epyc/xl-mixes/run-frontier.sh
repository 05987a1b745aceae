#!/bin/bash
# Second test (session 31), written after seed set 6000's results (run.sh) and before this run:
# no mix matched xl at its own solver and NFE there, but m -> xl with DPM-Solver-2 at 10 NFE
# (6625 ms per 64 images on this VM) scored between m and xl in both spaces. Is it a point that
# no single member reaches at its cost? On seed set 7000 (used by nothing), n = 1000, both
# spaces, it is compared with every single-member configuration near its cost: xl at 6, 8 and
# 10 NFE (DPM-Solver-2 and -3 at 6 and 8; 6698, 8931, 11164 ms) and m at 20 NFE with
# DPM-Solver-2 (7194 ms; m's best at 20 NFE on 6000 in both spaces). Six pairs, family-wise
# intervals over them. The mix saves cost against a configuration C when it is no worse than C
# on every family-wise interval (FD and KID, both spaces) and C costs more; it is the speed-up
# only if every tested configuration cheaper than C is worse than the mix on some interval.
set -e
cd /work/main
X=${XTASK:-target/debug/xtask}
R=runs/xlmix
D=docs/zoo/v3-2026-12-08-epyc/xl-mixes
python3 $D/gen.py $R/frontier $R/profile/latency-b64.ron frontier > $R/frontier-costs.md
mix=$R/schedules/m_xl-o2-10.ron
args=(--schedule $mix --schedule $R/schedules/xl-o2-10.ron --schedule $R/schedules/m-o2-20.ron)
pairs=(--pair m_xl-o2-10:xl-o2-10 --pair m_xl-o2-10:m-o2-20)
for f in $R/frontier/*.ron; do
  s=$(basename $f .ron); args+=(--schedule $f); pairs+=(--pair m_xl-o2-10:$s)
done
$X compare --zoo configs/zoo/fashion-mnist-v3.ron "${args[@]}" "${pairs[@]}" \
  --seed-sets 7000 --n 1000 --batch 250 --out $R/frontier-out
