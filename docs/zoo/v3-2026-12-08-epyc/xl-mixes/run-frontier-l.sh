#!/bin/bash
# Third test (session 31), written after run-frontier.sh's results on seed set 7000 and before
# this run: run-frontier.sh left out l, whose forward costs 71% of xl's. l alone at 8 and 10 NFE
# (DPM-Solver-2 and -3; 6309 and 7886 ms per 64 images, against the mix's 6625) on the same seed
# set 7000, each against m -> xl (DPM-Solver-2, 10 NFE), n = 1000, both spaces; four pairs,
# family-wise intervals over them. The same rule as run-frontier.sh: a configuration cheaper
# than the mix that is no worse than it on every family-wise interval takes its saving away.
set -e
cd /work/main
X=${XTASK:-target/debug/xtask}
R=runs/xlmix
D=docs/zoo/v3-2026-12-08-epyc/xl-mixes
python3 $D/gen.py $R/frontier-l $R/profile/latency-b64.ron frontier-l > $R/frontier-l-costs.md
args=(--schedule $R/schedules/m_xl-o2-10.ron); pairs=()
for f in $R/frontier-l/*.ron; do
  s=$(basename $f .ron); args+=(--schedule $f); pairs+=(--pair m_xl-o2-10:$s)
done
$X compare --zoo configs/zoo/fashion-mnist-v3.ron "${args[@]}" "${pairs[@]}" \
  --seed-sets 7000 --n 1000 --batch 250 --out $R/frontier-l-out
