#!/usr/bin/env bash
# End-to-end test of labelling on a real Slurm (issue 20, docs/dataset.md "On a cluster"):
#
#   scripts/slurm-e2e.sh [--profile release|dev] [--out DIR]
#
# As root on a Debian machine: installs slurm-wlm and munge when missing, starts a one-node
# cluster on this machine (munged, slurmctld and slurmd on 127.0.0.1, state in a temporary
# folder), submits configs/deploy/slurm-dataset.sh as a job array of $SHARDS tasks labelling a
# $COUNT-schedule plan at n = $N, SIGKILLs one task's labeller once it has written a label,
# requeues that task through Slurm, waits for the array, merges the shards, labels the same plan
# in one process and checks that both are equal record for record (ids, schedules, costs, FD,
# KID; only the wall times differ), with no duplicate and none missing. Then validates
# configs/deploy/k8s-dataset-job.yaml (schema of Kubernetes 1.32, plus `kubectl apply
# --dry-run=client` when kubectl reaches a cluster). It stops every daemon it started and
# removes its folder on every exit; with --out it leaves summary.json and report.md there.
# --profile release (default) builds `cargo build --release -p xtask`; dev is the build that
# `cargo xtask` runs (dependencies optimised as in release, docs/benchmarks.md "Build profile").
set -euo pipefail
cd "$(dirname "$0")/.."
SHARDS=${SHARDS:-3}
COUNT=${COUNT:-9}
N=${N:-200}
PROFILE=release
OUT=
while [ $# -gt 0 ]; do
  case $1 in
  --profile) PROFILE=$2; shift 2 ;;
  --out) OUT=$2; shift 2 ;;
  *) echo "usage: scripts/slurm-e2e.sh [--profile release|dev] [--out DIR]" >&2; exit 2 ;;
  esac
done
say() { echo "slurm-e2e: $*"; }
die() { echo "slurm-e2e: FAILED: $*" >&2; exit 1; }
now() { date +%s.%N; }
[ "$(id -u)" = 0 ] || die "run as root (it installs packages and starts daemons)"

if ! command -v slurmctld > /dev/null || ! command -v munged > /dev/null; then
  say "installing slurm-wlm and munge"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge > /dev/null
fi
case $PROFILE in
release) cargo build --release -p xtask; XTASK=$PWD/target/release/xtask ;;
dev) cargo build -p xtask; XTASK=$PWD/target/debug/xtask ;;
*) die "--profile release or dev" ;;
esac
[ -z "${CARGO_TARGET_DIR:-}" ] || XTASK=$CARGO_TARGET_DIR/${XTASK#"$PWD"/target/}
"$XTASK" data > /dev/null
# The labeller caches the dataset's reference features under data/stats on first use (tens of
# seconds here); tasks started on a fresh checkout would each compute them. Warm the cache once,
# as docs/dataset.md tells cluster users to, so that the array and the single run compare.
warm=$(mktemp -d /tmp/oms-slurm-warm.XXXXXX)
tw=$(date +%s.%N)
"$XTASK" dataset --count 1 --n 2 --out "$warm/labels.jsonl" > /dev/null 2>&1 ||
  { rm -rf "$warm"; echo "slurm-e2e: FAILED: the warm-up label" >&2; exit 1; }
rm -rf "$warm"
WARM_S=$(python3 -c "print($(date +%s.%N) - $tw)")

STATE=$(mktemp -d /tmp/oms-slurm.XXXXXX)
chmod 755 "$STATE"
export SLURM_CONF=$STATE/slurm.conf
cleanup() {
  local rc=$?
  if [ $rc -ne 0 ] && [ -d "$STATE" ]; then
    for f in "$STATE"/*.log "$STATE"/logs/*; do
      [ -f "$f" ] && { echo "== $f"; tail -n 20 "$f"; }
    done
  fi
  [ -f "$STATE/slurmctld.pid" ] && scontrol shutdown > /dev/null 2>&1 || true
  for p in slurmd slurmctld munged; do
    if [ -f "$STATE/$p.pid" ]; then
      pid=$(cat "$STATE/$p.pid")
      for _ in $(seq 50); do kill -0 "$pid" 2> /dev/null || break; kill "$pid" 2> /dev/null; sleep 0.1; done
      kill -KILL "$pid" 2> /dev/null || true
    fi
  done
  rm -rf "$STATE"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free local port pair for the controller and the node daemon.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
node=$(hostname -s)
cpus=$(nproc)
mkdir -p "$STATE/ctld" "$STATE/spool" "$STATE/logs" "$STATE/labels"
dd if=/dev/urandom of="$STATE/munge.key" bs=1024 count=1 status=none
chmod 400 "$STATE/munge.key"
munged --force --socket="$STATE/munge.sock" --key-file="$STATE/munge.key" \
  --log-file="$STATE/munged.log" --pid-file="$STATE/munged.pid" --seed-file="$STATE/munged.seed"
sed -e "s#@STATE@#$STATE#g" -e "s#@NODE@#$node#g" -e "s#@CPUS@#$cpus#g" \
  -e "s#@PORT@#$port#g" -e "s#@PORT1@#$((port + 1))#g" scripts/slurm-e2e.conf.in > "$SLURM_CONF"
slurmctld -c -f "$SLURM_CONF"
slurmd -N "$node" -f "$SLURM_CONF"
for _ in $(seq 100); do
  sinfo -h -o %T 2> /dev/null | grep -q idle && break
  sleep 0.2
done
sinfo -h -o %T | grep -q idle || die "the node did not come up"
say "cluster up: $node, $cpus CPUs, controller on 127.0.0.1:$port"

t0=$(now)
job=$(COUNT=$COUNT N=$N XTASK=$XTASK OUT_DIR=$STATE/labels sbatch --parsable \
  --array=0-$((SHARDS - 1)) --cpus-per-task=1 --time=60 \
  --output="$STATE/logs/task-%a.log" configs/deploy/slurm-dataset.sh)
say "submitted job array $job: $SHARDS tasks, $COUNT schedules, n = $N"

# Kill task 1's labeller with SIGKILL once its first label is on disk, then requeue the task.
victim=1
shard1=$STATE/labels/shard-$victim.jsonl
for _ in $(seq 3000); do
  [ -s "$shard1" ] && break
  sleep 0.1
done
[ -s "$shard1" ] || die "task $victim wrote no label in 300 s"
pid=$(pgrep -f -- "--shard $victim/$SHARDS --out $shard1" | head -n 1) ||
  die "task $victim's labeller is not running (it finished before it could be killed)"
before=$(wc -l < "$shard1")
kill -KILL "$pid"
say "killed task $victim's labeller (pid $pid) with $before label(s) written"
for _ in $(seq 100); do
  scontrol show job "${job}_$victim" | grep -qE 'JobState=(FAILED|CANCELLED)' && break
  sleep 0.1
done
state=$(scontrol show job "${job}_$victim" | grep -oE 'JobState=[A-Z]+')
say "task $victim after the kill: $state"
# slurmd refuses a relaunch whose credential is from the same second as the revocation of the
# killed run's ("Job credential revoked"; seconds resolution): leave a gap before the requeue.
sleep 2
scontrol requeue "${job}_$victim"
# Slurm holds a requeued job for two minutes (its begin time); start it now, as an operator would.
scontrol update JobId="${job}_$victim" StartTime=now
say "requeued task $victim"

for _ in $(seq 6000); do
  [ -z "$(squeue -h -j "$job" 2> /dev/null)" ] && break
  sleep 0.2
done
[ -z "$(squeue -h -j "$job")" ] || die "the array did not finish in 20 minutes"
t1=$(now)
scontrol show job "$job" > "$STATE/jobs.txt"
bad=$(grep -oE 'JobState=[A-Z]+' "$STATE/jobs.txt" | grep -vc COMPLETED || true)
[ "$bad" = 0 ] || die "$bad task(s) did not complete: $(grep -E 'JobState' "$STATE/jobs.txt")"
restarts=$(scontrol show job "${job}_$victim" | grep -oE 'Restarts=[0-9]+' | cut -d= -f2)
[ "$restarts" = 1 ] || die "task $victim ran $restarts restarts, expected 1"
say "array done in $(python3 -c "print(f'{$t1 - $t0:.1f}')") s; task $victim restarted once"

"$XTASK" dataset merge "$STATE"/labels/shard-*.jsonl --out "$STATE/merged.jsonl"
t2=$(now)
RAYON_NUM_THREADS=$cpus "$XTASK" dataset --count "$COUNT" --n "$N" --out "$STATE/single.jsonl" \
  > "$STATE/single.log" 2>&1
t3=$(now)

python3 scripts/slurm-e2e-check.py --state "$STATE" --shards "$SHARDS" --count "$COUNT" \
  --victim "$victim" --killed-after "$before" --array-s "$(python3 -c "print($t1 - $t0)")" \
  --single-s "$(python3 -c "print($t3 - $t2)")" --cpus "$cpus" --n "$N" --warm-s "$WARM_S" \
  --profile "$PROFILE" \
  --out "${OUT:-}"

# The Kubernetes Indexed Job: its schema, and the shard count equal to completions and parallelism.
venv=$STATE/venv
python3 -m venv "$venv"
"$venv/bin/pip" install -q kubernetes-validate==1.37.0 pyyaml
"$venv/bin/kubernetes-validate" --strict -k 1.32.0 configs/deploy/k8s-dataset-job.yaml
"$venv/bin/python" - configs/deploy/k8s-dataset-job.yaml << 'EOF'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
spec = job["spec"]
env = {e["name"]: e["value"] for e in spec["template"]["spec"]["containers"][0]["env"]}
assert spec["completionMode"] == "Indexed", spec
assert spec["completions"] == spec["parallelism"] == int(env["SHARDS"]), (spec, env)
print(f"slurm-e2e: k8s Indexed Job: {spec['completions']} completions = parallelism = SHARDS")
EOF
if kubectl version --request-timeout=3s > /dev/null 2>&1; then
  kubectl apply --dry-run=client -f configs/deploy/k8s-dataset-job.yaml
else
  say "kubectl reaches no cluster: its client dry run needs one for discovery; schema checked offline"
fi
say "passed"
