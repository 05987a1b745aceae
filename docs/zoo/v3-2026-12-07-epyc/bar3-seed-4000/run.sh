#!/bin/bash
# As run in session 24 (2026-12-07, 2-core AMD EPYC VM, flex), after xl was trained to 6500 steps
# (gate-xl-6500-seed-2000/run.sh): xl, m and l alone at 20 NFE, DPM-Solver-2 and -3 (the gate's
# lambda-uniform grids to t = 1e-3; schedules/ holds the files, m's made by the session-23 gen.py of
# mixed-schedules/, xl's and l's the same with the model name replaced) on fresh seed set 4000,
# which no earlier command had used; 26 min. compare.md, summary.json and the grids are committed
# beside this file.
set -e
cd /work/main
S=runs/v3/s24/schedules
/tmp/xtask-s24 compare --zoo configs/zoo/fashion-mnist-v3.ron \
  --schedule $S/xl-o2-20.ron --schedule $S/m-o2-20.ron --schedule $S/l-o2-20.ron \
  --schedule $S/xl-o3-20.ron --schedule $S/m-o3-20.ron --schedule $S/l-o3-20.ron \
  --pair xl-o2-20:m-o2-20 --pair xl-o2-20:l-o2-20 --pair xl-o3-20:m-o3-20 --pair xl-o3-20:l-o3-20 \
  --seed-sets 4000 --n 1000 --batch 250 --out runs/v3/s24/compare-4000
