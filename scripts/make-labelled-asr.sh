#!/usr/bin/env bash
# Builds the ASR version of the labelled set: each labelled call becomes a stereo
# 16 kHz recording (espeak-ng, agent voice `fi` on the left channel, customer
# voice `fi+m3` on the right, turn gaps and pause_before kept), which
# `kuulas transcribe FILE --format json` turns into a transcript. For every call it
# writes fixtures/labelled/asr/SET/ID.toml (the same labels, `transcript = ...`) and
# ID.transcript.json, so `kuulas rubric eval fixtures/labelled/asr/SET` measures
# the rubric on Whisper's output instead of the clean text. For recordings as
# users' telephony sounds (8 kHz mu-law, many voices, line noise) and any labelled
# directory (e.g. fixtures/corpus/a), use scripts/asr/make-telephony-set.sh.
#
# Usage: scripts/make-labelled-asr.sh [--model FILE] [--tts-only] [--resume] [--audio-dir DIR] [SET...]
#   SET        dev and/or heldout (default: both)
#   --model    passed to `kuulas transcribe`
#   --tts-only make the recordings only (into --audio-dir), do not transcribe
#   --resume   skip calls that already have a transcript (after an interrupted run)
#   --audio-dir keep the recordings there (default: a temporary directory)
# Environment: KUULAS=path to the kuulas binary (default: build it with cargo).
set -euo pipefail
cd "$(dirname "$0")/.."

model=() tts_only=0 resume=0 audio_dir="" sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=(--model "$2"); shift 2 ;;
    --tts-only) tts_only=1; shift ;;
    --resume) resume=1; shift ;;
    --audio-dir) audio_dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) sets+=("$1"); shift ;;
  esac
done
[ ${#sets[@]} -gt 0 ] || sets=(dev heldout)
for tool in espeak-ng sox python3; do
  command -v "$tool" >/dev/null || { echo "make-labelled-asr: $tool is required" >&2; exit 2; }
done
if [ -z "$audio_dir" ]; then
  audio_dir=$(mktemp -d)
  trap 'rm -rf "$audio_dir"' EXIT
fi
if [ "$tts_only" = 0 ] && [ -z "${KUULAS:-}" ]; then
  cargo build --quiet
  KUULAS="${CARGO_TARGET_DIR:-target}/debug/kuulas"
fi

# Seconds of silence before each turn: the same gap `kuulas rubric eval` assumes.
turn_gap=0.6

# Prints a labelled call as lines "party<TAB>pause_before<TAB>text" (text last).
turns() {
  python3 - "$1" <<'PY'
import sys, tomllib
call = tomllib.load(open(sys.argv[1], "rb"))
for t in call.get("turn", []):
    print(f'{t["party"]}\t{t.get("pause_before", 0)}\t{" ".join(t["text"].split())}')
PY
}

# Writes the ASR labelled file: the same id and labels, pointing at the transcript.
asr_labels() {
  python3 - "$1" "$2" <<'PY'
import sys, tomllib, json
call = tomllib.load(open(sys.argv[1], "rb"))
out = [f'id = {json.dumps(call["id"])}', f'present = {json.dumps(call.get("present", []), ensure_ascii=False)}']
if "absent" in call:
    out.append(f'absent = {json.dumps(call["absent"], ensure_ascii=False)}')
out.append(f'transcript = {json.dumps(sys.argv[2])}')
print("\n".join(out))
PY
}

# Renders one call to $2 (stereo 16 kHz WAV, agent left).
render() {
  local file="$1" out="$2" work n=0 parts=()
  work=$(mktemp -d "$audio_dir/render.XXXXXX")
  while IFS=$'\t' read -r party pause text; do
    n=$((n + 1))
    local voice=fi channels="1 0"
    if [ "$party" = customer ]; then voice=fi+m3 channels="0 1"; fi
    espeak-ng -v "$voice" -w "$work/$n.raw.wav" -- "$text"
    local gap
    gap=$(python3 -c "print($turn_gap + float('$pause'))")
    # shellcheck disable=SC2086 # channels is two words on purpose
    sox "$work/$n.raw.wav" -r 16000 "$work/$n.wav" gain -n -3 pad "$gap" 0 remix $channels
    parts+=("$work/$n.wav")
  done < <(turns "$file")
  sox "${parts[@]}" "$out"
  rm -rf "$work"
}

for set in "${sets[@]}"; do
  src="fixtures/labelled/$set" dst="fixtures/labelled/asr/$set"
  [ -d "$src" ] || { echo "make-labelled-asr: no labelled set $src" >&2; exit 2; }
  mkdir -p "$dst" "$audio_dir/$set"
  for file in "$src"/*.toml; do
    id=$(basename "$file" .toml)
    if [ "$resume" = 1 ] && [ -f "$dst/$id.transcript.json" ] && [ -f "$dst/$id.toml" ]; then
      continue
    fi
    wav="$audio_dir/$set/$id.wav"
    render "$file" "$wav"
    echo "$set/$id: $(soxi -D "$wav") s of audio" >&2
    [ "$tts_only" = 1 ] && continue
    "$KUULAS" transcribe "$wav" --format json "${model[@]}" > "$dst/$id.transcript.json.tmp"
    mv "$dst/$id.transcript.json.tmp" "$dst/$id.transcript.json"
    asr_labels "$file" "$id.transcript.json" > "$dst/$id.toml"
  done
done
