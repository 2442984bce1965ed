#!/usr/bin/env bash
# Two kuulas builds (or two settings of one build) side by side, at the same time,
# on the bench calls: a fair A/B on a host whose speed drifts from minute to minute.
#
#   usage: scripts/bench/ab.sh BIN_A BIN_B
#     env A_ARGS / B_ARGS: extra `kuulas transcribe` arguments for A / B
#                          (word-split, e.g. B_ARGS="--window 20")
#     env AB_CALLS:        number of bench calls (default 10)
#
# Each side runs `kuulas transcribe --jobs 1 --threads 1` (one decoder, one core)
# over the same calls, both started together, so both see the same host; sequential
# runs of one build differ by up to a third here. Prints wall and CPU seconds, the
# wall-time ratio A/B, and WER, CER and rubric-phrase WER of each side
# (scripts/wer.py against the call scripts). The calls are the ones
# scripts/bench.sh generates (cached in target/bench-calls/full).
set -euo pipefail
cd "$(dirname "$0")/../.."
die() { echo "ab: error: $*" >&2; exit 2; }
[ $# -eq 2 ] || die "usage: scripts/bench/ab.sh BIN_A BIN_B (A_ARGS / B_ARGS for extra arguments)"
for bin in "$1" "$2"; do
  [ -x "$bin" ] || die "$bin is not an executable kuulas binary"
done
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (Debian: apt-get install time)"
count=${AB_CALLS:-10}
mapfile -t calls < <(python3 scripts/bench/make_calls.py --count "$count" target/bench-calls/full)
[ ${#calls[@]} -gt 0 ] || die "no bench calls (scripts/bench/make_calls.py needs espeak-ng and sox)"
work=$(mktemp -d "${TMPDIR:-/tmp}/kuulas-ab.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$1" rubric phrases > "$work/phrases.txt"

run() { # SIDE BIN ARGS
  local side=$1 bin=$2 args=$3
  # shellcheck disable=SC2086 # A_ARGS / B_ARGS are word-split on purpose
  /usr/bin/time -f '%e %U' -o "$work/$side.time" "$bin" transcribe --jobs 1 --threads 1 \
    --format json --out-dir "$work/$side" $args "${calls[@]}" > "$work/$side.log" 2>&1 ||
    die "$side ($bin) failed: $(tail -n 3 "$work/$side.log")"
}
declare -A bin=([a]=$1 [b]=$2) args=([a]=${A_ARGS:-} [b]=${B_ARGS:-})
run a "${bin[a]}" "${args[a]}" &
pid_a=$!
run b "${bin[b]}" "${args[b]}" &
pid_b=$!
# Both sides finish (the trap must not remove a running side's files) before a
# failure of either ends the script.
status=0
wait "$pid_a" || status=$?
wait "$pid_b" || status=$?
[ "$status" -eq 0 ] || exit "$status"

for side in a b; do
  pairs=()
  for call in "${calls[@]}"; do
    name=$(basename "$call" .ulaw8k.wav)
    pairs+=("target/bench-calls/full/$name.truth.json:$work/$side/$name.ulaw8k.transcript.json")
  done
  read -r wall cpu < "$work/$side.time"
  echo "$side: ${bin[$side]} ${args[$side]}"
  echo "   wall ${wall} s, CPU ${cpu} s; $(python3 scripts/wer.py --phrases "$work/phrases.txt" "${pairs[@]}" | tail -n 1)"
done
read -r wall_a _ < "$work/a.time"
read -r wall_b _ < "$work/b.time"
echo "wall A / B: $(python3 -c "print(f'{$wall_a / $wall_b:.3f}')")"
