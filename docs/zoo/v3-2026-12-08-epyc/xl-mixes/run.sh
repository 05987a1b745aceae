#!/bin/bash
# The xl-mix experiment (session 31, 2026-12-08, 2-core AMD EPYC VM, flex), as run. Written before
# any schedule was sampled; the family and the pairs below are the whole test (nothing was added
# after seeing a score). Seed set 6000 had been used by nothing; 7000 is kept for confirming a
# tie with xl, if one is found here.
# Decision rule, fixed before the run: a mix "matches xl" on 6000 when none of its four
# comparisons with xl at the same solver and NFE (FD and KID, CNN and EfficientNet) is worse by
# the family-wise interval. Only such mixes go on to seed set 7000 (run-confirm.sh, the mix
# against xl alone), and a claim of a cost saving rests on 7000's intervals alone.
# 1. v3's latency on this VM in one sitting (the costs of the table in docs/zoo.md);
# 2. the 16 schedules (gen.py: xl, m, m -> xl, s -> xl; DPM-Solver-2 and -3; 10 and 20 NFE);
# 3. compare on seed set 6000, n = 1000, both spaces: each mix against xl and against m at the
#    same solver and NFE (16 pairs), family-wise over all of them.
set -e
cd /work/main
X=${XTASK:-target/debug/xtask}
R=runs/xlmix
D=docs/zoo/v3-2026-12-08-epyc/xl-mixes
$X profile --zoo configs/zoo/fashion-mnist-v3.ron --batch 64 --out $R/profile
python3 $D/gen.py $R/schedules $R/profile/latency-b64.ron > $R/costs.md
args=(); for f in $R/schedules/*.ron; do args+=(--schedule $f); done
pairs=()
for o in 2 3; do for n in 10 20; do for x in m_xl s_xl; do
  pairs+=(--pair $x-o$o-$n:xl-o$o-$n --pair $x-o$o-$n:m-o$o-$n)
done; done; done
$X compare --zoo configs/zoo/fashion-mnist-v3.ron "${args[@]}" "${pairs[@]}" \
  --seed-sets 6000 --n 1000 --batch 250 --out $R/out
