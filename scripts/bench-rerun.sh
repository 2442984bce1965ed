#!/usr/bin/env bash
# Measures batch overhead: a rerun of `kuulas run` over a store that already holds
# N processed calls (default 1000) must take well under a second. Uses the
# fixture transcriber (test hook, see docs/operations.md), so no model is needed.
#
#   scripts/bench-rerun.sh [N]
set -euo pipefail

n="${1:-1000}"
target="${CARGO_TARGET_DIR:-target}"
cargo build --quiet --bin kuulas
bin="$target/debug/kuulas"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"

# One valid 16 kHz mono PCM WAV (0.1 s of silence) and one transcript fixture, copied N times.
python3 - "$work/template" <<'PY'
import json, struct, sys
data = b"\0" * 3200
header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack("<IHHIIHH", 16, 1, 1, 16000, 32000, 2, 16)
open(sys.argv[1] + ".wav", "wb").write(header + b"data" + struct.pack("<I", len(data)) + data)
segments = [{"party": "agent", "start": 0.0, "end": 0.04, "text": "Hyvää päivää"},
            {"party": "customer", "start": 0.05, "end": 0.1, "text": "mä soitan laskusta"}]
json.dump({"schema_version": 1, "duration": 0.1, "language": "fi", "attribution": "channels",
           "segments": segments}, open(sys.argv[1] + ".transcript.json", "w"))
PY
for i in $(seq -w 1 "$n"); do
    day="$work/in/day$((10#$i % 10))"
    mkdir -p "$day"
    cp "$work/template.wav" "$day/call$i.wav"
    cp "$work/template.transcript.json" "$day/call$i.transcript.json"
done

export KUULAS_TEST_FIXTURE_TRANSCRIBER=1
run() { "$bin" run --input "$work/in" --out "$work/out" 2>"$work/log"; }

start=$(date +%s.%N); run; first=$(echo "$(date +%s.%N) - $start" | bc)
tail -1 "$work/log"
best=""
for _ in 1 2 3; do
    start=$(date +%s.%N); run; took=$(echo "$(date +%s.%N) - $start" | bc)
    if [ -z "$best" ] || (( $(echo "$took < $best" | bc) )); then best=$took; fi
done
grep -o 'recordings found.*skipped (unchanged)' "$work/log"
printf 'first run (%s calls): %.3f s\nrerun, nothing to do (best of 3): %.3f s\n' "$n" "$first" "$best"
(( $(echo "$best < 1.0" | bc) )) || { echo "rerun took $best s, over the 1 s budget" >&2; exit 1; }
