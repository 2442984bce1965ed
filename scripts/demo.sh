#!/usr/bin/env bash
# The main command: sets everything up on a fresh machine and runs the nightly
# job on the bundled fixture calls. Results land in out/ (see README). Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== build (release)"
cargo build --locked --release --quiet
export KUULAS_BIN="${CARGO_TARGET_DIR:-$PWD/target}/release/kuulas"
bash scripts/fetch-model.sh
bash scripts/make-fixtures.sh

out=out
mkdir -p "$out/transcripts"
echo "== transcribing the fixture calls into $out/transcripts"
status=0
"$KUULAS_BIN" transcribe fixtures/generated/*.ulaw8k.wav fixtures/generated/*.mono16k.wav \
  --format json --out-dir "$out/transcripts" || status=$?
for f in "$out"/transcripts/*.ulaw8k.transcript.json; do
  echo
  echo "== $(basename "$f")"
  python3 - "$f" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
for s in t["segments"]:
    print(f"[{s['start']:6.1f} - {s['end']:6.1f}] {s['party']:<8} {s['text']}")
PY
done
exit $status
