#!/bin/bash
# As run in session 25 (2026-12-07, 2-core AMD EPYC VM, flex, beside xl's training): xs and s alone
# (zoo.ron here: v3 of commit 0413cb3 cut to those two; the gate needs two NFEs, so 4 and 5, judged
# at 5) re-gated with DPM-Solver-3 on seed set 1000 into an empty cache. Their 5-NFE FD and KID in
# both spaces equal those of ../gate-seed-1000-xl-6500/summary.json bit for bit (checked with the
# Python below). gate.md and summary.json are committed beside this file.
set -e
cd /work/main
D=docs/zoo/v3-2026-12-07-epyc/repro-xs-s-seed-1000
/tmp/xtask-s24 zoo-gate --zoo $D/zoo.ron \
  --latency docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron \
  --nfe 4,5 --top-nfe 5 --orders 3 --seed-sets 1000 --score-cache runs/v3/s25/det/cache \
  --out runs/v3/s25/det/gate
python3 - "$D/summary.json" docs/zoo/v3-2026-12-07-epyc/gate-seed-1000-xl-6500/summary.json <<'PY'
import json, sys
key = lambda s: (s["member"], s["solver"], s["space"], s["nfe"])
a, b = ({key(s): (s["fd"], s["kid"]) for s in json.load(open(p))["scores"]} for p in sys.argv[1:])
shared = [k for k in a if k in b]
print(len(shared), "shared scores, all equal:", all(a[k] == b[k] for k in shared))
PY
