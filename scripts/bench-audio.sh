#!/usr/bin/env bash
# Measures peak memory of streaming a long telephony call through audio::open/next_block.
#
# Usage: scripts/bench-audio.sh [HOURS]      (default 2)
#
# Generates a HOURS-long stereo 8 kHz G.711 μ-law WAV with sox (cached in
# $TMPDIR/kuulas-bench/), builds the `audio_streaming` test binary, and runs its test on
# that file under `/usr/bin/time -v`. Prints the test's own report and the peak RSS.
# Needs sox, python3 and GNU time (Debian: sox python3 time).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
hours="${1:-2}"
dir="${TMPDIR:-/tmp}/kuulas-bench"
file="$dir/call-${hours}h.ulaw8k.wav"
mkdir -p "$dir"

if [[ ! -s "$file" ]]; then
    echo "bench-audio: generating $file" >&2
    seconds=$(python3 -c "print(int(float('$hours') * 3600))")
    sox -n -r 8000 -c 2 -e u-law "$file.tmp.wav" synth "$seconds" sine 300 sine 520
    mv "$file.tmp.wav" "$file"
fi

cd "$root"
binary=$(cargo test --test audio_streaming --no-run --message-format=json 2>/dev/null |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "audio_streaming" and m.get("executable"):
        print(m["executable"])')
if [[ -z "$binary" ]]; then
    echo "bench-audio: could not build the audio_streaming test (run it with cargo test to see why)" >&2
    exit 2
fi

report="$dir/time.txt"
KUULAS_AUDIO_BENCH_FILE="$file" /usr/bin/time -v -o "$report" \
    "$binary" --exact streaming_a_long_call_keeps_memory_bounded --nocapture 2>&1 | grep -E "streamed|test result"
grep -E "Maximum resident set size|Elapsed \(wall clock\)" "$report"
