#!/bin/bash
# As run in session 23 (2026-12-07, 2-core AMD EPYC VM): the schedules were generated into runs/mix/schedules
# by gen.py (their committed copies are in schedules/) and the results written to runs/mix/out
# (compare.md and summary.json are committed beside this file).
# The mixed-schedule experiment (session 23): 28 schedules on fresh seed set 3000, n = 1000.
set -e
cd /work/main
S=runs/mix/schedules
args=()
for f in $S/*.ron; do args+=(--schedule $f); done
pairs=()
for o in 2 3; do
  for x in xs s m xs_m s_m m_xs m_s; do pairs+=(--pair $x-o$o-20:$x-o$o-10); done
  for x in xs_m s_m m_xs m_s; do for n in 10 20; do pairs+=(--pair $x-o$o-$n:m-o$o-$n); done; done
done
exec ${XTASK:-target/debug/xtask} compare --zoo configs/zoo/fashion-mnist-v3.ron "${args[@]}" "${pairs[@]}" \
  --seed-sets 3000 --n 1000 --batch 250 --out runs/mix/out
