#!/usr/bin/env bash
# Transcription accuracy on the fixture calls: WER and CER against the script text,
# per input format, and the WER of the rubric's own phrases (the words every rubric
# judgement depends on) separately. Extra arguments go to `kuulas transcribe`, so
# decoding settings can be compared:
#   scripts/measure-wer.sh                       # the defaults
#   scripts/measure-wer.sh --prompt ""           # without the domain prompt
#   scripts/measure-wer.sh --beam-size 5
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${KUULAS_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/kuulas"
fi
[ -f models/ggml-base-q8_0.bin ] || KUULAS_BIN="$bin" bash scripts/fetch-model.sh
bash scripts/make-fixtures.sh >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" rubric phrases > "$work/phrases.txt"

# KUULAS_WER_FORMATS="ulaw8k.wav" limits the run to some formats.
read -r -a formats <<< "${KUULAS_WER_FORMATS:-stereo16k.wav ulaw8k.wav mp3 mono16k.wav}"
echo "settings: ${*:-(defaults)}"
for format in "${formats[@]}"; do
  pairs=()
  for truth in fixtures/generated/*.truth.json; do
    name=$(basename "$truth" .truth.json)
    audio="fixtures/generated/$name.$format"
    hyp="$work/$name.$format.json"
    "$bin" transcribe "$audio" --format json "$@" > "$hyp"
    pairs+=("$truth:$hyp")
  done
  mode=(); [ "$format" = mono16k.wav ] && mode=(--ignore-parties)
  printf '%-14s %s\n' "$format" "$(python3 scripts/wer.py --phrases "$work/phrases.txt" "${mode[@]}" "${pairs[@]}" | tail -1)"
done
