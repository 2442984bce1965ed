#!/usr/bin/env bash
# Speed, memory and accuracy of kuulas against faster-whisper, side by side on the
# same machine and the same audio (issue 7). Prints a Markdown table ready for
# BENCHMARKS.md and writes it to target/bench-results.md.
#
#   usage: scripts/bench.sh [--calls N] [--rounds N] [--quick]
#     --calls N   benchmark N generated calls (default 10, 1-3 minutes each)
#     --rounds N  head-to-head rounds of (b) and kuulas's defaults (default 2, 0: none)
#     --quick     2 short calls only: checks that the script works, numbers mean nothing
#
# 1. Generates seeded two-party calls (stereo 8 kHz μ-law, agent left, holds of 10-40 s
#    in every other call) from the turn pool in scripts/bench/calls/turns.txt, cached
#    in target/bench-calls/ (scripts/bench/make_calls.py).
# 2. Runs on all calls, each system in one process, timed with /usr/bin/time:
#    (a) faster-whisper 1.2.1 int8, each channel separately, beam 1, language fi, no VAD;
#    (b) the same with vad_filter=True (scripts/bench/fw_run.py);
#    kuulas transcribe with its defaults (q8_0 weights, no prompt as faster-whisper
#    runs, turns packed into 28 s windows, a recording per core), with each turn
#    decoded alone (--window 0), with f16 weights, and the batch path
#    `kuulas run --jobs J --threads T/J` (transcription, scoring, and verification
#    and spotting against the audio); then peak RSS of `kuulas run` on four calls
#    with --jobs 1, 2 and 4.
#    Every system gets the same T cores: cpu_threads=T, num_workers=1 /
#    --jobs T --threads 1 (kuulas's default on a T-core machine).
#    Then (b) and kuulas's defaults again, alternately, back to back, --rounds times:
#    shared hosts drift in speed from minute to minute, and only runs side by side
#    in time give a fair ratio. faster-whisper's fallback sampling is seeded: 0 for
#    the table, the round's number in round N (a rerun repeats every draw).
# 3. Reports ×realtime (recording seconds per wall second), peak RSS, WER and CER
#    against the call scripts (scripts/wer.py, per party) and kuulas / (b).
#
# Environment: KUULAS_BIN (default: cargo build --release, honouring CARGO_TARGET_DIR),
# KUULAS_BENCH_VENV (default .venv-bench), KUULAS_BENCH_THREADS (default nproc),
# KUULAS_BENCH_JOBS (jobs of `kuulas run`, default T; threads per job = T / J).
# Needs: python3 with venv, espeak-ng, sox, lscpu; installs Debian `time` if missing.
set -euo pipefail
cd "$(dirname "$0")/.."
die() { echo "bench: error: $*" >&2; exit 2; }
say() { echo "bench: $*" >&2; }

count=10 quick=0 rounds=2
args=("$@")
while [ $# -gt 0 ]; do
  case "$1" in
    --calls) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || die "--calls needs a positive number"; count=$2; shift 2 ;;
    --rounds) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--rounds needs a number"; rounds=$2; shift 2 ;;
    --quick) quick=1; shift ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument '$1' (usage: scripts/bench.sh [--calls N] [--rounds N] [--quick])" ;;
  esac
done
threads=${KUULAS_BENCH_THREADS:-$(nproc)}
jobs=${KUULAS_BENCH_JOBS:-$threads}
[[ "$threads" =~ ^[1-9][0-9]*$ && "$jobs" =~ ^[1-9][0-9]*$ ]] || die "KUULAS_BENCH_THREADS and KUULAS_BENCH_JOBS must be positive numbers"
run_threads=$((threads / jobs > 0 ? threads / jobs : 1))

for tool in python3 espeak-ng sox soxi lscpu; do
  command -v "$tool" >/dev/null || die "$tool is not installed (Debian: apt-get install python3-venv espeak-ng sox util-linux)"
done
if [ ! -x /usr/bin/time ]; then
  say "installing Debian 'time' for peak RSS"
  sudo=(); [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  { "${sudo[@]}" apt-get install -y -qq time || { "${sudo[@]}" apt-get update -qq &&
    "${sudo[@]}" apt-get install -y -qq time; }; } >/dev/null || die "cannot install 'time' (apt-get install time)"
fi

bin=${KUULAS_BIN:-}
if [ -z "$bin" ]; then
  say "building kuulas (cargo build --release)"
  cargo build --release --quiet || die "cargo build --release failed"
  target=${CARGO_TARGET_DIR:-target}
  [[ "$target" = /* ]] || target="$PWD/$target"
  bin="$target/release/kuulas"
fi
[ -x "$bin" ] || die "no kuulas binary at $bin"

[ -f models/ggml-base.bin ] && [ -f models/ggml-base-q8_0.bin ] && [ -f models/ct2-base/config.json ] ||
  KUULAS_BIN="$bin" bash scripts/fetch-model.sh

venv=${KUULAS_BENCH_VENV:-.venv-bench}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import faster_whisper as f; assert f.__version__ == '1.2.1'" 2>/dev/null ||
  "$venv/bin/pip" install -q "faster-whisper==1.2.1"
fw_version=$("$venv/bin/python" -c "import faster_whisper; print(faster_whisper.__version__)")
[ -f target/bench-ct2/model.bin ] || bash scripts/bench/ct2-dir.sh target/bench-ct2

work=target/bench-work
rm -rf "$work"
mkdir -p "$work"
if ((quick)); then
  python3 scripts/bench/make_calls.py --quick target/bench-calls/quick > "$work/calls.txt"
else
  python3 scripts/bench/make_calls.py --count "$count" target/bench-calls/full > "$work/calls.txt"
fi
mapfile -t calls < "$work/calls.txt"
[ ${#calls[@]} -gt 0 ] || die "no calls were generated"
results="$work/results.tsv"
: > "$results"

# measure KEY DESCRIPTION HYP_DIR COMMAND...: times COMMAND and records one results line.
measure() {
  local key=$1 description=$2 hyp=$3
  shift 3
  say "running: $description"
  if /usr/bin/time -f '%e %M' -o "$work/$key.time" "$@" > "$work/$key.log" 2>&1; then
    read -r wall rss < <(tail -n 1 "$work/$key.time")
    printf '%s\t%s\t%s\t%s\t%s\n' "$key" "$description" "$wall" "$rss" "$hyp" >> "$results"
  else
    local why
    why="$(grep -m 1 -o 'non-zero status [0-9]*' "$work/$key.time" || echo killed): "
    why+="$({ grep -m 1 -i 'error' "$work/$key.log" || grep -v '^\s*$' "$work/$key.log" | tail -n 1; } | tr "\t" " " || true)"
    say "$description failed (log: $work/$key.log): $why"
    printf '%s\t%s\tskipped\t%s\n' "$key" "$description" "failed: ${why:0:300}" >> "$results"
  fi
}

fw=("$venv/bin/python" scripts/bench/fw_run.py --threads "$threads" target/bench-ct2)
measure fw "faster-whisper $fw_version int8, per channel, no VAD (a)" "$work/fw" \
  "${fw[@]}" "$work/fw" "${calls[@]}"
measure fw-vad "faster-whisper $fw_version int8, per channel, vad_filter (b)" "$work/fw-vad" \
  "${fw[@]}" --vad "$work/fw-vad" "${calls[@]}"
kuulas_defaults=("$bin" transcribe --format json --jobs "$threads" --threads 1
  --model models/ggml-base-q8_0.bin)
measure kuulas "kuulas transcribe, defaults (ggml-base-q8_0.bin, no prompt)" "$work/kuulas" \
  "${kuulas_defaults[@]}" --out-dir "$work/kuulas" "${calls[@]}"
measure kuulas-turns "kuulas transcribe, q8_0, each turn decoded alone (--window 0)" "$work/kuulas-turns" \
  "$bin" transcribe --format json --jobs "$threads" --threads 1 --model models/ggml-base-q8_0.bin \
  --window 0 --out-dir "$work/kuulas-turns" "${calls[@]}"
measure kuulas-f16 "kuulas transcribe, f16 weights (ggml-base.bin)" "$work/kuulas-f16" \
  "$bin" transcribe --format json --jobs "$threads" --threads 1 --model models/ggml-base.bin \
  --out-dir "$work/kuulas-f16" "${calls[@]}"
# The batch path reads a directory: give it exactly these calls.
mkdir -p "$work/run-input"
cp "${calls[@]}" "$work/run-input/"
measure kuulas-run "kuulas run --jobs $jobs --threads $run_threads (transcribe, score, verify and spot)" "$work/run-out" \
  "$bin" run --input "$work/run-input" --out "$work/run-out" --jobs "$jobs" --threads "$run_threads" \
  --model models/ggml-base-q8_0.bin

# Head to head, alternating: "round, (b) wall s, kuulas wall s" lines.
: > "$work/rounds.tsv"
for ((round = 1; round <= rounds; round++)); do
  say "head to head, round $round of $rounds"
  /usr/bin/time -f '%e' -o "$work/round.fw" "${fw[@]}" --vad --seed "$round" "$work/round-fw" "${calls[@]}" \
    > "$work/round.log" 2>&1 || die "faster-whisper failed in round $round (log: $work/round.log)"
  /usr/bin/time -f '%e' -o "$work/round.kuulas" "${kuulas_defaults[@]}" --out-dir "$work/round-kuulas" \
    "${calls[@]}" > "$work/round.log" 2>&1 || die "kuulas failed in round $round (log: $work/round.log)"
  printf '%s\t%s\t%s\n' "$round" "$(tail -n 1 "$work/round.fw")" "$(tail -n 1 "$work/round.kuulas")" \
    >> "$work/rounds.tsv"
done

# Memory as --jobs grows (one thread each), on the first four calls.
mkdir -p "$work/jobs-input"
cp "${calls[@]:0:4}" "$work/jobs-input/"
: > "$work/jobs.tsv"
for j in 1 2 4; do
  say "running: kuulas run --jobs $j --threads 1 (memory)"
  if /usr/bin/time -f '%e %M' -o "$work/jobs-$j.time" "$bin" run --input "$work/jobs-input" \
    --out "$work/jobs-out-$j" --jobs "$j" --threads 1 --model models/ggml-base-q8_0.bin \
    > "$work/jobs-$j.log" 2>&1; then
    read -r wall rss < <(tail -n 1 "$work/jobs-$j.time")
    printf '%s\t%s\t%s\n' "$j" "$wall" "$rss" >> "$work/jobs.tsv"
  else
    say "kuulas run --jobs $j failed (log: $work/jobs-$j.log)"
  fi
done

command_line="scripts/bench.sh${args[*]:+ ${args[*]}}"
python3 scripts/bench/report.py --results "$results" --jobs-results "$work/jobs.tsv" \
  --rounds-results "$work/rounds.tsv" \
  --command "$command_line" --threads "$threads" \
  --versions "kuulas $(git rev-parse --short HEAD 2>/dev/null || echo unknown), faster-whisper $fw_version" \
  --out target/bench-results.md "${calls[@]}"
say "written to target/bench-results.md; transcripts and logs in $work/"
