#!/bin/bash
# Confirmation on seed set 7000 (used by nothing before), as run.sh's decision rule says: each
# mix named on the command line (e.g. m_xl-o3-10) against xl at its solver and NFE, n = 1000,
# both spaces, paired and family-wise intervals over these pairs alone.
# usage: bash run-confirm.sh MIX...
set -e
cd /work/main
X=${XTASK:-target/debug/xtask}
R=runs/xlmix
args=(); pairs=(); seen=" "
for mix in "$@"; do
  ref=xl-${mix#*-}
  for s in $mix $ref; do
    case "$seen" in *" $s "*) ;; *) args+=(--schedule $R/schedules/$s.ron); seen="$seen$s ";; esac
  done
  pairs+=(--pair $mix:$ref)
done
$X compare --zoo configs/zoo/fashion-mnist-v3.ron "${args[@]}" "${pairs[@]}" \
  --seed-sets 7000 --n 1000 --batch 250 --out $R/confirm
