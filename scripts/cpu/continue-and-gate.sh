#!/usr/bin/env bash
# Ends a CPU training round of one zoo member and gates the result against the member's weights
# at an earlier commit (docs/zoo.md "Zoo v3"; scripts/cpu/README.md). Run it beside the training
# started with `train-zoo --member $MEMBER --runs $RUNS --steps <far>`: after $STOP (HHMM, today)
# it waits for the member's next checkpoint, stops the training, exports that step (weights,
# `.train.json`, manifest sha256) and runs `zoo-gate --baseline-zoo` with the old weights, so the
# gate compares the new member with the old one on the same noise, image for image.
#
#   MEMBER=l BASE=c19b3d0 STOP=1220 OUT=runs/v3/s19 bash scripts/cpu/continue-and-gate.sh
#
# Knobs: MEMBER, BASE (commit whose manifest and weights are the baseline), STOP, OUT (work
# folder), XTASK (binary; a copy of target/debug/xtask, so a rebuild cannot replace it under the
# training), ZOO, RUNS, LATENCY, CACHE (the gate's score cache: the other members' scores come
# from it). STOP=now skips the wait.
set -euo pipefail
: "${MEMBER:?set MEMBER}" "${BASE:?set BASE (a commit)}" "${OUT:?set OUT (a work folder)}"
XTASK=${XTASK:-target/debug/xtask}
ZOO=${ZOO:-configs/zoo/fashion-mnist-v3.ron}
RUNS=${RUNS:-runs/v3/runs}
LATENCY=${LATENCY:-docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron}
CACHE=${CACHE:-runs/v3/gate-cache-s16}
STOP=${STOP:-now}
cd "$(git rev-parse --show-toplevel)"
state="$RUNS/$MEMBER/state.json"
step() { python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['step'])" "$state"; }

# The baseline: the manifest at $BASE with its $MEMBER checkpoint taken from the same commit
# (written into $OUT) and every other checkpoint path made relative to $OUT, where it now lives.
mkdir -p "$OUT"
git show "$BASE:$ZOO" | python3 -c '
import os, re, subprocess, sys
member, base, zoo, out = sys.argv[1:]
text = sys.stdin.read()
zoo_dir = os.path.dirname(zoo)
own = re.search(r"checkpoint: \"([^\"]+)\"", text[text.index("name: \"%s\"" % member):]).group(1)
weights = "%s-%s.safetensors" % (member, base)
blob = os.path.normpath(os.path.join(zoo_dir, own))
with open(os.path.join(out, weights), "wb") as f:
    f.write(subprocess.run(["git", "show", "%s:%s" % (base, blob)], check=True,
                           capture_output=True).stdout)
def moved(m):
    path = m.group(1)
    if path == own:
        return "checkpoint: \"%s\"" % weights
    return "checkpoint: \"%s\"" % os.path.relpath(os.path.join(zoo_dir, path), out)
with open(os.path.join(out, "base-%s.ron" % base), "w") as f:
    f.write(re.sub(r"checkpoint: \"([^\"]+)\"", moved, text))
' "$MEMBER" "$BASE" "$ZOO" "$OUT"
echo "baseline: $OUT/base-$BASE.ron ($MEMBER from $BASE)"

if [ "$STOP" != now ]; then
  while [ "$(date +%H%M)" -lt "$STOP" ]; do sleep 20; done
  s0=$(step); echo "$(date): waiting for the checkpoint after step $s0"
  while [ "$(step)" = "$s0" ]; do sleep 5; done
  sleep 3
fi
s=$(step)
pkill -f "train-zoo --zoo $ZOO --member $MEMBER " || true
sleep 5; echo "$(date): training stopped, exporting step $s"
"$XTASK" train-zoo --zoo "$ZOO" --member "$MEMBER" --runs "$RUNS" --steps "$s"
echo "$(date): gating"
"$XTASK" zoo-gate --zoo "$ZOO" --latency "$LATENCY" --score-cache "$CACHE" \
  --baseline-zoo "$OUT/base-$BASE.ron" --out "$OUT/gate-$MEMBER-$s"
echo "$(date): done: $OUT/gate-$MEMBER-$s/gate.md"
