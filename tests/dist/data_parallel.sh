#!/usr/bin/env bash
# Data-parallel training under mpirun is reproducible bit for bit (docs/distributed.md):
#   1. training.shards 4 with dropout: one process (no mpirun), mpirun -np 2 and -np 4
#      (through a hostfile) give identical parameters, optimiser state, metrics.jsonl and translations, for a
#      Bahdanau and a local-p model;
#   2. rank 1 killed by SIGKILL mid-run (-np 2): the job ends within 30 s, mpirun names
#      the rank, rank 0's train.log names the last completed step, `latest` is a whole
#      checkpoint; resumed as one process, the run ends identical to the uninterrupted one;
#      the notice is never lost (12 kills under -np 4 with rank 0 niced), and a SIGTERM to
#      rank 1 alone ends the job;
#   3. a recipe or a binary that differs between ranks, and a process count that does not
#      divide training.shards, are refused before anything is written.
#   data_parallel.sh NMTX RECIPE MPI_BUILT(ON|OFF)
set -uo pipefail
nmtx=$1 recipe=$2 built=$3
fail() { echo "FAIL: $*"; exit 1; }
if [ "$built" != ON ] || ! command -v mpirun > /dev/null; then
  [ "${CI:-}" = true ] && fail "MPI missing (mpirun: $(command -v mpirun || echo none), NMTX_MPI=$built): scripts/setup.sh installs openmpi"
  echo "SKIP: no MPI (scripts/setup.sh installs libopenmpi-dev and openmpi-bin)"; exit 77
fi
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT; echo "work dir $tmp"
# Loopback as root in a container: the flags tests/dist/README.md explains.
export OMPI_MCA_btl_vader_single_copy_mechanism=none
# More processes than cores: waiting processes must yield their core rather than spin (mpirun
# does so by itself when it sees the oversubscription, not when a hostfile declares the slots).
export OMPI_MCA_mpi_yield_when_idle=1
mpi=(mpirun --allow-run-as-root --oversubscribe --bind-to none)
echo "localhost slots=4" > "$tmp/hosts"  # as on several machines (docs/distributed.md), here one
settings=(--set data.toy.train_size=2000 --set data.toy.dev_size=60 --set data.toy.test_size=60
          --set data.toy.symbols=10 --set data.toy.max_length=8 --set model.embed=16 --set model.hidden=16
          --set model.dropout=0.2 --set training.learning_rate=0.01 --set training.steps=240 --set training.epochs=0
          --set validation.every=80 --set checkpoint.every=40 --set training.log_every=10
          --set training.shards=4 --set training.threads=1)

# same A B: every checkpoint array, metrics.jsonl, the attention snapshots, dev/test
# translations and summary scores.
same() {
  local a=$1 b=$2 n=0 f
  for f in metrics.jsonl dev.hyp test.hyp checkpoints/latest checkpoints/best; do
    cmp -s "$a/$f" "$b/$f" || fail "$f differs between $a and $b"
  done
  while IFS= read -r f; do
    cmp -s "$a/$f" "$b/$f" || fail "$f differs between $a and $b"
    n=$((n + 1))
  done < <(cd "$a" && find checkpoints -name '*.npy' | sort)
  [ "$n" -ge 60 ] || fail "only $n checkpoint arrays compared in $a"
  [ "$(ls "$a/snapshots" | grep -c '^step-')" -eq 3 ] || fail "$a/snapshots holds no snapshot of each of the 3 validations"
  diff -r "$a/snapshots" "$b/snapshots" > /dev/null || fail "snapshots differ between $a and $b"
  [ "$(cd "$a" && find checkpoints -name '*.npy' | wc -l)" -eq "$(cd "$b" && find checkpoints -name '*.npy' | wc -l)" ] ||
    fail "$a and $b hold different checkpoints"
  for key in dev_bleu test_bleu dev_ppl test_ppl steps best_step target_tokens; do
    grep -q "^  \"$key\"" "$a/summary.json" || fail "$a/summary.json has no top-level $key"
    [ "$(grep "^  \"$key\"" "$a/summary.json")" = "$(grep "^  \"$key\"" "$b/summary.json")" ] || fail "summary $key differs"
  done
  echo "  $b = $a: $n arrays, $(wc -l < "$a/metrics.jsonl") metrics lines, $(wc -l < "$a/test.hyp") test translations"
}

# ---- 1. one process = -np 2 = -np 4 ------------------------------------------------------
for variant in bahdanau local-p; do
  s=("${settings[@]}" --set model.attention.type=$variant)
  "$nmtx" train "$recipe" --out "$tmp/$variant-1" "${s[@]}" > "$tmp/$variant-1.out" 2>&1 ||
    fail "one process: $(tail -3 "$tmp/$variant-1.out")"
  for np in 2 4; do
    hosts=(); [ $np = 4 ] && hosts=(--hostfile "$tmp/hosts")
    "${mpi[@]}" "${hosts[@]}" -np $np "$nmtx" train "$recipe" --out "$tmp/$variant-$np" "${s[@]}" > "$tmp/$variant-$np.out" 2>&1 ||
      fail "-np $np: $(tail -5 "$tmp/$variant-$np.out")"
    grep -q "data-parallel: $np processes" "$tmp/$variant-$np/train.log" || fail "-np $np: train.log does not describe the job"
    grep -q "peak memory: rank 0: .*rank $((np - 1)): " "$tmp/$variant-$np/train.log" || fail "-np $np: no memory per rank"
    [ "$(find "$tmp/$variant-$np" -name '*.partial*' | wc -l)" -eq 0 ] || fail "-np $np left partial files"
    same "$tmp/$variant-1" "$tmp/$variant-$np"
  done
  # The run learned something: the comparison is not between untrained models.
  bleu=$(sed -n 's/^  "test_bleu": \([0-9.]*\).*/\1/p' "$tmp/$variant-1/summary.json")
  awk -v b="$bleu" 'BEGIN { exit !(b > 10) }' || fail "$variant: test BLEU $bleu: the toy run did not learn"
done
# Data-parallel numbers differ from training.shards 1 (other dropout masks, other sums):
cmp -s "$tmp/bahdanau-1/metrics.jsonl" <("$nmtx" train "$recipe" --out "$tmp/shards1" "${settings[@]}" \
  --set model.attention.type=bahdanau --set training.shards=1 > /dev/null 2>&1; cat "$tmp/shards1/metrics.jsonl") &&
  fail "training.shards 1 and 4 gave the same metrics: the shards are not what is computed"

# ---- 2. a rank killed mid-run; resumed as one process -----------------------------------
s=("${settings[@]}" --set model.attention.type=bahdanau)
start=$(date +%s)
"${mpi[@]}" -np 2 "$nmtx" train "$recipe" --out "$tmp/killed" "${s[@]}" --debug-kill-rank 1 --debug-kill-at-step 130 \
  > "$tmp/killed.out" 2>&1 && fail "the job with a killed rank exited 0"
took=$(( $(date +%s) - start ))
[ "$took" -le 30 ] || fail "the job took ${took}s to end after rank 1 died"
grep -q "rank 1 .*signal 9" "$tmp/killed.out" || fail "mpirun's report does not name rank 1: $(tail -5 "$tmp/killed.out")"
grep -Eq "after step 1(29|30), the last completed step; --resume continues from .*step-00000120" "$tmp/killed/train.log" ||
  fail "rank 0's train.log does not name step 129 or 130 (rank 0 may be stopped before it counts the step rank 1 finished) and checkpoint 120: $(tail -3 "$tmp/killed/train.log")"
[ "$(cat "$tmp/killed/checkpoints/latest")" = step-00000120 ] || fail "latest is $(cat "$tmp/killed/checkpoints/latest")"
[ -f "$tmp/killed/checkpoints/step-00000120/state.json" ] || fail "the latest checkpoint is not whole"
[ ! -f "$tmp/killed/summary.json" ] || fail "a killed run wrote its summary"
"$nmtx" train --resume "$tmp/killed" > "$tmp/resumed.out" 2>&1 || fail "resume: $(tail -3 "$tmp/resumed.out")"
grep -q "resuming from .*step-00000120" "$tmp/resumed.out" || fail "did not resume from step 120"
same "$tmp/bahdanau-1" "$tmp/killed"
echo "  killed at step 130 under -np 2: the job ended in ${took}s; resumed as one process"

# ---- 2a. the stop notice does not race mpirun's SIGKILL ------------------------------------
# -np 4 on 2 cores with rank 0 niced, rank 1 killed at step 150, 12 times: before the other
# ranks left SIGTERM to rank 0, its notice was lost in half of such kills (SIGKILL came
# within milliseconds of SIGTERM, before its handler ran).
for i in $(seq 1 12); do
  rm -rf "$tmp/race"
  "${mpi[@]}" -np 1 nice -n 19 "$nmtx" train "$recipe" --out "$tmp/race" "${s[@]}" --debug-kill-rank 1 --debug-kill-at-step 150 \
    : -np 3 "$nmtx" train "$recipe" --out "$tmp/race" "${s[@]}" --debug-kill-rank 1 --debug-kill-at-step 150 \
    > "$tmp/race.out" 2>&1 && fail "kill $i: the job with a killed rank exited 0"
  grep -q "ended by a signal .* --resume continues from" "$tmp/race/train.log" || fail "kill $i of 12: no stop notice in train.log"
  grep -q "ended by a signal .* --resume continues from" "$tmp/race.out" || fail "kill $i of 12: no stop notice on standard error"
done
# A SIGTERM to rank 1 alone (not through mpirun) still ends the job, rank 0's notice written.
"${mpi[@]}" -np 2 "$nmtx" train "$recipe" --out "$tmp/termed" "${s[@]}" --set training.steps=100000 > "$tmp/termed.out" 2>&1 &
job=$!
rank1=
for _ in $(seq 1 600); do
  grep -q "step 20/" "$tmp/termed/train.log" 2> /dev/null && for p in $(pgrep -P "$job" -x nmtx); do
    tr '\0' '\n' < "/proc/$p/environ" | grep -qx "OMPI_COMM_WORLD_RANK=1" && rank1=$p
  done
  [ -n "$rank1" ] && break
  sleep 0.1
done
[ -n "$rank1" ] || fail "rank 1 of the SIGTERM job not found"
kill -TERM "$rank1"
wait "$job" && fail "the job whose rank 1 got SIGTERM exited 0"
grep -q "ended by a signal" "$tmp/termed/train.log" || fail "SIGTERM to rank 1: no stop notice in train.log"
echo "  the stop notice under -np 4 with rank 0 niced: 12 of 12 kills; SIGTERM to rank 1 alone ends the job"

# ---- 2b. Ctrl-C under mpirun: rank 0 decides, every rank stops after the same step ----------
"${mpi[@]}" -np 2 "$nmtx" train "$recipe" --out "$tmp/stopped" "${s[@]}" --debug-signal-at-step 70 \
  > "$tmp/stopped.out" 2>&1 && fail "the job stopped by SIGINT exited 0"
grep -q "stopped after step 70; \`nmtx train --resume $tmp/stopped\` continues exactly" "$tmp/stopped/train.log" ||
  fail "rank 0's train.log does not say where it stopped: $(tail -3 "$tmp/stopped/train.log")"
[ "$(cat "$tmp/stopped/checkpoints/latest")" = step-00000070 ] || fail "latest is $(cat "$tmp/stopped/checkpoints/latest")"
# Resumed under mpirun and stopped again by a real SIGINT to every rank (as `pkill -INT
# nmtx` does), once rank 0 has logged a step beyond the checkpoint; then as one process.
"${mpi[@]}" -np 2 "$nmtx" train --resume "$tmp/stopped" > "$tmp/stopped2.out" 2>&1 &
job=$!
for _ in $(seq 1 3000); do
  [ "$(grep -c '  step ' "$tmp/stopped/train.log")" -gt "$(grep -c '  step ' "$tmp/stopped.out")" ] && break
  kill -0 "$job" 2> /dev/null || break
  sleep 0.01
done
pkill -INT -P "$job" -x nmtx
wait "$job" && fail "the resumed job stopped by SIGINT exited 0"
step=$(sed -n 's/^stopped after step \([0-9]*\); .*/\1/p' "$tmp/stopped/train.log" | tail -1)
[ -n "$step" ] && [ "$step" -gt 70 ] || fail "no second stop in train.log: $(tail -3 "$tmp/stopped/train.log")"
[ "$(cat "$tmp/stopped/checkpoints/latest")" = "$(printf 'step-%08d' "$step")" ] || fail "latest is not step $step"
"$nmtx" train --resume "$tmp/stopped" > "$tmp/stopped3.out" 2>&1 || fail "resume: $(tail -3 "$tmp/stopped3.out")"
same "$tmp/bahdanau-1" "$tmp/stopped"
echo "  stopped by SIGINT under -np 2 after steps 70 and $step; resumed as one process"

# ---- 3. refused at start-up ---------------------------------------------------------------
"${mpi[@]}" -np 1 "$nmtx" train "$recipe" --out "$tmp/mismatch" "${s[@]}" : \
  -np 1 "$nmtx" train "$recipe" --out "$tmp/mismatch" "${s[@]}" --set training.seed=7 > "$tmp/mismatch.out" 2>&1 &&
  fail "a recipe mismatch was accepted"
grep -q "rank 1's recipe (resolved) differs from rank 0's, line .* (in training:): \`  seed: 7\` against \`  seed: 1\`" \
  "$tmp/mismatch.out" || fail "unclear mismatch message: $(grep error "$tmp/mismatch.out")"
[ ! -e "$tmp/mismatch" ] || fail "the refused job created its run directory"
cp "$nmtx" "$tmp/nmtx-other" && printf 'x' >> "$tmp/nmtx-other"  # another build, as far as its bytes go
"${mpi[@]}" -np 1 "$nmtx" train "$recipe" --out "$tmp/binaries" "${s[@]}" : \
  -np 1 "$tmp/nmtx-other" train "$recipe" --out "$tmp/binaries" "${s[@]}" > "$tmp/binaries.out" 2>&1 &&
  fail "different binaries were accepted"
grep -q "rank 1's binary (nmtx executable) differs from rank 0's ([0-9a-f]\{16\} against [0-9a-f]\{16\})" "$tmp/binaries.out" ||
  fail "unclear message for different binaries: $(grep error "$tmp/binaries.out")"
[ ! -e "$tmp/binaries" ] || fail "the refused job created its run directory"
"${mpi[@]}" -np 3 "$nmtx" train "$recipe" --out "$tmp/three" "${s[@]}" > "$tmp/three.out" 2>&1 && fail "-np 3 with 4 shards was accepted"
grep -q "training.shards is 4 but 3 processes were started: the process count must divide training.shards (here: 1, 2, 4)" \
  "$tmp/three.out" || fail "unclear message for -np 3: $(grep error "$tmp/three.out")"
[ "$(grep -c "error" "$tmp/three.out")" -eq 1 ] || fail "the error is repeated by every rank: $(cat "$tmp/three.out")"
[ ! -e "$tmp/three" ] || fail "the refused job created its run directory"
"${mpi[@]}" -np 2 "$nmtx" translate --help > "$tmp/translate.out" 2>&1 && fail "translate ran under mpirun"
grep -q "only nmtx train runs under mpirun" "$tmp/translate.out" || fail "translate under mpirun: $(cat "$tmp/translate.out")"
echo "PASS"
