#!/usr/bin/env bash
# Ends a CPU training round of one or more zoo members and gates the result against the members'
# weights at an earlier commit (docs/zoo.md "Zoo v3"; scripts/cpu/README.md). Run it beside the
# training started with `train-zoo --member M --runs $RUNS --steps <far>` (one per member): after
# $STOP (HHMM, today) it waits for each member's next checkpoint and stops that member's training,
# exports the step (weights, `.train.json`, manifest sha256) and runs `zoo-gate --baseline-zoo`
# with the old weights, so the gate compares each new member with its old self on the same noise,
# image for image.
#
#   MEMBER=l BASE=c19b3d0 STOP=1220 OUT=runs/v3/s19 bash scripts/cpu/continue-and-gate.sh
#   MEMBER="m xl" BASE=2dfb765 STOP=1555 OUT=runs/v3/s20 bash scripts/cpu/continue-and-gate.sh
#
# Knobs: MEMBER (one name or several, space-separated), BASE (commit whose manifest and weights
# are the baseline), STOP, OUT (work folder), XTASK (binary; a copy of target/debug/xtask, so a
# rebuild cannot replace it under the training), ZOO, RUNS, LATENCY, CACHE (the gate's score
# cache: the other members' scores come from it), GATE_ARGS (more `zoo-gate` flags, e.g.
# "--nfe 10,20 --seed-sets 2000" to gate only where a cache for that seed set exists). STOP=now
# skips the wait.
set -euo pipefail
: "${MEMBER:?set MEMBER}" "${BASE:?set BASE (a commit)}" "${OUT:?set OUT (a work folder)}"
XTASK=${XTASK:-target/debug/xtask}
ZOO=${ZOO:-configs/zoo/fashion-mnist-v3.ron}
RUNS=${RUNS:-runs/v3/runs}
LATENCY=${LATENCY:-docs/zoo/v3-2026-12-06-epyc/profile/latency-b64.ron}
CACHE=${CACHE:-runs/v3/gate-cache-s16}
STOP=${STOP:-now}
read -r -a gate_args <<< "${GATE_ARGS:-}"
cd "$(git rev-parse --show-toplevel)"
read -r -a members <<< "$MEMBER"
step() { python3 -c "import json,sys;print(json.load(open(sys.argv[1]))['step'])" "$RUNS/$1/state.json"; }

# The baseline: the manifest at $BASE with the checkpoints of $MEMBER taken from the same commit
# (written into $OUT) and every other checkpoint path made relative to $OUT, where it now lives.
mkdir -p "$OUT"
git show "$BASE:$ZOO" | python3 -c '
import os, re, subprocess, sys
members, base, zoo, out = sys.argv[1:]
text = sys.stdin.read()
zoo_dir = os.path.dirname(zoo)
own = {}
for member in members.split():
    path = re.search(r"checkpoint: \"([^\"]+)\"", text[text.index("name: \"%s\"" % member):]).group(1)
    own[path] = "%s-%s.safetensors" % (member, base)
    blob = os.path.normpath(os.path.join(zoo_dir, path))
    with open(os.path.join(out, own[path]), "wb") as f:
        f.write(subprocess.run(["git", "show", "%s:%s" % (base, blob)], check=True,
                               capture_output=True).stdout)
def moved(m):
    path = m.group(1)
    if path in own:
        return "checkpoint: \"%s\"" % own[path]
    return "checkpoint: \"%s\"" % os.path.relpath(os.path.join(zoo_dir, path), out)
with open(os.path.join(out, "base-%s.ron" % base), "w") as f:
    f.write(re.sub(r"checkpoint: \"([^\"]+)\"", moved, text))
' "$MEMBER" "$BASE" "$ZOO" "$OUT"
echo "baseline: $OUT/base-$BASE.ron ($MEMBER from $BASE)"

# Each member stops at its first checkpoint after $STOP (the others keep training meanwhile);
# `from` holds the step each member waits to pass ("" with STOP=now: stop at once).
declare -A from=() at=()
for m in "${members[@]}"; do from[$m]=""; done
if [ "$STOP" != now ]; then
  while [ "$(date +%H%M)" -lt "$STOP" ]; do sleep 20; done
  for m in "${members[@]}"; do
    from[$m]=$(step "$m"); echo "$(date): $m: waiting for the checkpoint after step ${from[$m]}"
  done
fi
while [ ${#at[@]} -lt ${#members[@]} ]; do
  for m in "${members[@]}"; do
    [ -n "${at[$m]-}" ] || [ "$(step "$m")" = "${from[$m]}" ] && continue
    sleep 3
    pkill -f "train-zoo --zoo $ZOO --member $m " || true
    at[$m]=$(step "$m"); echo "$(date): $m stopped at step ${at[$m]}"
  done
  [ ${#at[@]} -lt ${#members[@]} ] && sleep 5
done
sleep 5
tag=""
for m in "${members[@]}"; do
  tag="$tag-$m-${at[$m]}"
  echo "$(date): exporting $m at step ${at[$m]}"
  "$XTASK" train-zoo --zoo "$ZOO" --member "$m" --runs "$RUNS" --steps "${at[$m]}"
done
echo "$(date): gating"
"$XTASK" zoo-gate --zoo "$ZOO" --latency "$LATENCY" --score-cache "$CACHE" \
  --baseline-zoo "$OUT/base-$BASE.ron" "${gate_args[@]}" --out "$OUT/gate$tag"
echo "$(date): done: $OUT/gate$tag/gate.md"
