#!/bin/bash
# Fourth test (session 31), written after seed set 7000's results and before this run: the 1.2x of
# m -> xl (DPM-Solver-2, 10 NFE) again on seed set 8000 (used by nothing), n = 1000, both spaces,
# against the single member it tied on 7000 (l, DPM-Solver-3, 10 NFE: the saving), the closest
# cheaper one (m, DPM-Solver-2, 20 NFE: must be worse on some interval for the saving to be the
# speed-up) and xl at 8 NFE (DPM-Solver-2). Three pairs, family-wise over them.
set -e
cd /work/main
X=${XTASK:-target/debug/xtask}
R=runs/xlmix
$X compare --zoo configs/zoo/fashion-mnist-v3.ron --schedule $R/schedules/m_xl-o2-10.ron \
  --schedule $R/frontier-l/l-o3-10.ron --schedule $R/schedules/m-o2-20.ron \
  --schedule $R/frontier/xl-o2-8.ron \
  --pair m_xl-o2-10:l-o3-10 --pair m_xl-o2-10:m-o2-20 --pair m_xl-o2-10:xl-o2-8 \
  --seed-sets 8000 --n 1000 --batch 250 --out $R/replicate-out
