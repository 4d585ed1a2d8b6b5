#!/usr/bin/env bash
# The scripts/slurm jobs on a real one-node Slurm cluster (issue 19). It starts munged, slurmctld and
# slurmd on localhost with a configuration written into a temporary folder, submits the extraction
# array (4 tasks), the merge (after the array) and a 2-task SAE array exactly as a user would, stops
# and requeues one extraction task and one SAE task mid-way (scontrol requeue), and checks that the
# merged store equals a single `loupe extract` file for file and that each SAE equals a single
# `loupe train-sae` bit for bit. Every daemon it started is stopped by process id at the end.
# Exit 77 (CTest: skipped) when Slurm or munge is missing or the daemons cannot run here.
#   bash tests/slurm/slurm_cluster_test.sh build/loupe
set -euo pipefail
LOUPE=$(realpath "$1")
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
skip() { echo "SKIPPED: $*"; exit 77; }
fail() { echo "FAILED: $*"; exit 1; }
for command in munged slurmctld slurmd sbatch squeue scontrol sinfo; do
  command -v "$command" >/dev/null || skip "$command is not installed (scripts/setup.sh installs slurm-wlm and munge)"
done

tmp=$(mktemp -d /tmp/loupe-slurm-XXXXXX)
mkdir -p "$tmp"/{munge,state,spool,run,logs}
export SLURM_CONF=$tmp/slurm.conf
stop_cluster() {
  [[ -f $tmp/run/slurmctld.pid ]] && { scancel --quiet --user="$(id -un)" 2>/dev/null || true; }
  for daemon in slurmd slurmctld munged; do
    [[ -f $tmp/run/$daemon.pid ]] || continue
    pid=$(cat "$tmp/run/$daemon.pid")
    kill "$pid" 2>/dev/null || continue
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap stop_cluster EXIT
daemon_logs() { tail -n 5 "$tmp"/run/*.log 2>/dev/null || true; }

free_port() {
  for _ in $(seq 100); do
    local port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  return 1
}

# munge: a key of our own, a socket in the temporary folder.
dd if=/dev/urandom of="$tmp/munge/munge.key" bs=1024 count=1 status=none
chmod 700 "$tmp/munge"
chmod 400 "$tmp/munge/munge.key"
force=(); [[ $(id -u) == 0 ]] && force=(--force)  # munged refuses root without it
munged "${force[@]}" --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.sock" --pid-file="$tmp/run/munged.pid" \
  --log-file="$tmp/run/munged.log" --seed-file="$tmp/munge/seed" || skip "munged does not start here: $(daemon_logs)"

cat >"$SLURM_CONF" <<CONF
ClusterName=loupetest
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=$(id -un)
SlurmctldPort=$(free_port)
SlurmdPort=$(free_port)
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/run/slurmctld.log
SlurmdLogFile=$tmp/run/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SchedulerParameters=kill_invalid_depend
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=localhost Default=YES MaxTime=INFINITE State=UP
CONF
slurmctld -i || skip "slurmctld does not start here: $(daemon_logs)"
slurmd -N localhost || skip "slurmd does not start here: $(daemon_logs)"
for _ in $(seq 100); do sinfo -h -o %T 2>/dev/null | grep -q idle && break; sleep 0.2; done
sinfo -h -o %T | grep -q idle || skip "the node never became idle: $(sinfo 2>&1) $(daemon_logs)"
echo "cluster up: $(sinfo -h -o '%P %D %T %C')"

# The study: the demo model over 32 synthetic rows; one thread everywhere, so that a task and a
# single process compute with the same threads and agree bit for bit.
export LOUPE LOUPE_THREADS=1 WORKSPACE=$tmp/ws SHARDS=4 STORE=acts
export HOOKS='blocks.{1,2}.hook_resid_post'
export EXTRACT_OPTIONS="--batch 1 --source generate --shard-vectors 8"
export SAE_HOOKS="blocks.1.hook_resid_post blocks.2.hook_resid_post" SAE_PREFIX=sae
export SAE_OPTIONS="--expansion 2 --k 8 --tokens 20000 --batch 64 --checkpoint-every 20 --held-out 0.1"
"$LOUPE" synth --out "$tmp/data" --n 32 --seed 3 >/dev/null
"$LOUPE" init --workspace "$WORKSPACE" --model "$ROOT/assets/models/demo" --dataset "$tmp/data" >/dev/null
# shellcheck disable=SC2086
"$LOUPE" extract --workspace "$WORKSPACE" --hooks "$HOOKS" --out whole $EXTRACT_OPTIONS 2>/dev/null
slots=(--cpus-per-task=1 --mem=0)  # the scripts ask for more than this node has

# Stops array task $1_$2 once file $3 exists (its first shard or checkpoint), checks with command $4
# that the task has not finished yet, and requeues it; Slurm's SIGTERM makes loupe stop cleanly.
# The requeued task is released at once instead of after Slurm's two-minute delay. $5 is a pattern
# of the task's loupe command line.
requeue_midway() {
  local job=$1 task=$2 started=$3 finished=$4 pattern=$5 pid=""
  for _ in $(seq 1200); do
    [[ -f $started ]] && pid=$(pgrep -f -- "$pattern" | head -n 1 || true)
    [[ -n $pid ]] && break
    sleep 0.05
  done
  [[ -n $pid ]] || fail "task ${job}_$task never started ($started): $(cat "$tmp"/logs/*.log)"
  kill -STOP "$pid"
  if eval "$finished"; then kill -CONT "$pid"; fail "task ${job}_$task finished before it could be requeued"; fi
  scontrol requeue "${job}_$task"
  kill -CONT "$pid"
  for _ in $(seq 600); do [[ $(squeue -h -j "${job}_$task" -o %T 2>/dev/null) == PENDING ]] && break; sleep 0.1; done
  scontrol update JobId="${job}_$task" StartTime=now
  echo "requeued ${job}_$task mid-way"
}

extract=$(sbatch --parsable --array=0-3 "${slots[@]}" --output="$tmp/logs/extract-%a.log" "$ROOT/scripts/slurm/extract-array.sbatch")
part1=$WORKSPACE/stores/acts-part1
requeue_midway "$extract" 1 "$part1/manifest.json" "grep -q '\"complete\": true' '$part1/manifest.json'" "--out acts-part1 "
sbatch --wait --parsable "${slots[@]}" --dependency="afterok:$extract" --output="$tmp/logs/merge.log" \
  "$ROOT/scripts/slurm/merge.sbatch" >/dev/null || fail "the merge job failed: $(cat "$tmp"/logs/*.log)"
grep -q "restart 1" "$tmp/logs/extract-1.log" && grep -q "resuming after" "$tmp/logs/extract-1.log" ||
  fail "task 1 did not resume after its requeue: $(cat "$tmp/logs/extract-1.log")"
diff <(cd "$WORKSPACE/stores/whole" && ls) <(cd "$WORKSPACE/stores/acts" && ls) || fail "the merged store has other files"
for file in "$WORKSPACE"/stores/whole/*; do
  cmp "$file" "$WORKSPACE/stores/acts/$(basename "$file")" || fail "merged $(basename "$file") differs from one extraction's"
done
echo "merged store = single extraction: $(ls "$WORKSPACE/stores/acts" | wc -l) files identical"

sae=$(sbatch --parsable --array=0-1 "${slots[@]}" --output="$tmp/logs/sae-%a.log" "$ROOT/scripts/slurm/sae-array.sbatch")
first_sae=$WORKSPACE/saes/sae-blocks.1.hook_resid_post
requeue_midway "$sae" 0 "$first_sae/checkpoint.safetensors" "[[ -e '$first_sae/summary.json' ]]" "--out sae-blocks.1.hook_resid_post "
sbatch --wait --parsable "${slots[@]}" --dependency="afterok:$sae" --output=/dev/null --wrap true >/dev/null ||
  fail "an SAE task failed: $(cat "$tmp"/logs/sae-*.log)"
grep -q "restart 1" "$tmp/logs/sae-0.log" && grep -q -- "--resume" "$tmp/logs/sae-0.log" ||
  fail "SAE task 0 did not resume after its requeue: $(cat "$tmp/logs/sae-0.log")"
for hook in $SAE_HOOKS; do
  # shellcheck disable=SC2086
  "$LOUPE" train-sae --workspace "$WORKSPACE" --store acts --hook "$hook" --out "single-$hook" $SAE_OPTIONS 2>/dev/null >/dev/null
  cmp "$WORKSPACE/saes/single-$hook/sae_weights.safetensors" "$WORKSPACE/saes/sae-$hook/sae_weights.safetensors" ||
    fail "the SAE of $hook trained under Slurm differs from one train-sae"
done
echo "SAEs = single train-sae runs, bit for bit; runs.jsonl: $(wc -l <"$WORKSPACE/runs.jsonl") runs"
echo "PASSED"
