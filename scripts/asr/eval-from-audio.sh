#!/usr/bin/env bash
# Behaviours found from audio, as users meet them (issue 16, point 5): every call
# of each SET (an output folder of scripts/asr/make-telephony-set.sh, e.g.
# fixtures/generated/labelled-asr/corpus-d) is scored by `kuulas score` from its
# Whisper transcript with its recording (acoustic verification and spotting, as
# `kuulas run` does), and from its true words (text only). Then
# scripts/asr/from_audio_figures.py prints precision, recall and F1 per behaviour
# (only moments the audio verified count), the macro and micro averages, what
# answering "present" everywhere would score, and the warm-cold score gap.
#
# Usage: scripts/asr/eval-from-audio.sh [--version ulaw8k|mono16k] [--out DIR]
#                                       [--jobs N] SET... [-- SCORE-ARGS...]
#   --version   which rendering to score (default ulaw8k: stereo 8 kHz G.711 mu-law)
#   --out       where the score files go (default: a temporary folder)
#   --jobs      calls scored at once (default 2)
#   SCORE-ARGS  go to `kuulas score` (e.g. --rubric FILE, --no-verify, --model FILE)
# Environment: KUULAS_BIN (default: cargo build, target/debug/kuulas).
set -euo pipefail
cd "$(dirname "$0")/../.."
version=ulaw8k out="" jobs=2 sets=() score_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --version) version="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --) shift; score_args=("$@"); break ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) sets+=("${1%/}"); shift ;;
  esac
done
[ ${#sets[@]} -gt 0 ] || { echo "eval-from-audio: give at least one SET folder (see --help)" >&2; exit 2; }
bin=${KUULAS_BIN:-}
if [ -z "$bin" ]; then
  cargo build --quiet
  bin="${CARGO_TARGET_DIR:-target}/debug/kuulas"
fi
if [ -z "$out" ]; then
  out=$(mktemp -d)
  trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out/audio" "$out/text"

# One line per call: labels file, transcript, recording, true words.
list="$out/calls.tsv"
: > "$list"
for set in "${sets[@]}"; do
  [ -d "$set/$version" ] || { echo "eval-from-audio: $set/$version: no such folder; run make-telephony-set.sh first" >&2; exit 2; }
  for labels in "$set/$version"/*.toml; do
    id=$(basename "$labels" .toml)
    printf '%s\t%s\t%s\t%s\n' "$labels" "$set/$version/$id.$version.transcript.json" \
      "$set/audio/$id.$version.wav" "$set/audio/$id.truth.json" >> "$list"
  done
done

export bin out
score_one() {
  IFS=$'\t' read -r labels transcript recording truth <<< "$1"
  shift
  id=$(basename "$labels" .toml)
  if "$bin" score "$transcript" --audio "$recording" --json "$@" \
    > "$out/audio/$id.score.json.tmp" 2> "$out/audio/$id.log"; then
    mv "$out/audio/$id.score.json.tmp" "$out/audio/$id.score.json"
  else
    echo "eval-from-audio: $id: kuulas score failed: $(tail -c 300 "$out/audio/$id.log")" >&2
  fi
  # The true words as a transcript, scored from text alone.
  python3 - "$truth" "$out/text/$id.transcript.json" <<'PY'
import json, sys
segments = json.load(open(sys.argv[1]))
json.dump({"schema_version": 1, "duration": max(s["end"] for s in segments) + 0.5,
           "language": "fi", "attribution": "channels", "segments": segments},
          open(sys.argv[2], "w"), ensure_ascii=False)
PY
  local text_args=()
  for a in "$@"; do [ "$a" = --no-verify ] || text_args+=("$a"); done
  "$bin" score "$out/text/$id.transcript.json" --no-verify --json "${text_args[@]}" \
    > "$out/text/$id.score.json"
}
export -f score_one
tr '\n' '\0' < "$list" | xargs -0 -P "$jobs" -I{} bash -c 'score_one "$@"' _ {} "${score_args[@]}"
python3 scripts/asr/from_audio_figures.py "$list" "$out"
