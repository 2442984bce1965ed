#!/usr/bin/env bash
# The main command: sets everything up on a fresh machine and runs the nightly job
# on the bundled fixture calls: every call transcribed, scored with evidence and
# recorded in out/kuulas.sqlite, per-call files in out/calls/, a CSV export in
# out/calls.csv, the review packet in out/packet/index.html and a listening-session
# packet in out/session/index.html. Safe to run twice (the second run skips what is done).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== build (release)"
cargo build --locked --release --quiet
export KUULAS_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/kuulas"
bash scripts/fetch-model.sh
bash scripts/make-fixtures.sh

input=out/recordings
mkdir -p "$input"
# The nightly input: the telephony (8 kHz μ-law stereo) and the mono version of each call.
for f in fixtures/generated/*.ulaw8k.wav fixtures/generated/*.mono16k.wav; do
  ln -sf "$PWD/$f" "$input/$(basename "$f")"
done

echo "== kuulas run"
status=0
"$KUULAS_BIN" run --input "$input" --out out || status=$?
"$KUULAS_BIN" export --run-dir out --format csv --output out/calls.csv
"$KUULAS_BIN" packet --run-dir out --run all --out out/packet
"$KUULAS_BIN" packet --run-dir out --run all --out out/session --session
echo
echo "== scores (out/calls.csv)"
python3 - out/calls.csv <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8")))
cols = ["call_id", "status"] + [c for c in rows[0] if c.startswith("score_")] if rows else []
print("  ".join(f"{c.replace('score_', ''):>14}" for c in cols))
for r in rows:
    print("  ".join(f"{(r[c] or '-')[:14]:>14}" for c in cols))
PY
echo
first=$(ls out/calls/*.ulaw8k.score.json | head -1)
echo "== one call in detail: $first"
# Scored with its recording, as the run did (verified moments, phrases spotted in the audio).
"$KUULAS_BIN" score "${first%.score.json}.transcript.json" \
  --audio "$input/$(basename "$first" .score.json).wav" | head -40
echo
echo "== open out/packet/index.html (the night's packet) and out/session/index.html (listening session) in a browser"
exit $status
