#!/usr/bin/env bash
# The labelled calls as users' recordings sound (issue 16, point 5): every labelled
# call (TOML with [[turn]]s, docs/labelling.md) of each DIR is rendered by
# scripts/asr/render_call.py as two-party stereo 8 kHz G.711 mu-law (band-limited
# 300-3400 Hz, light line noise) and as 16 kHz mono, with espeak-ng voices drawn
# per call from 11 plain, male and female variants (agent and customer always
# different, speed and pitch varied; seeded by the call id, so reruns are
# identical), then transcribed by kuulas. For each version it writes
#   OUT/NAME/VERSION/ID.toml             the call's labels, `transcript = ...`
#   OUT/NAME/VERSION/ID.VERSION.transcript.json
# so `kuulas rubric eval OUT/NAME/ulaw8k` gives per-behaviour precision, recall and
# F1 from audio; audio and truth times (for scripts/wer.py) are in OUT/NAME/audio/.
#
# Usage: scripts/asr/make-telephony-set.sh [--out OUT] [--tts-only] [DIR...] [-- KUULAS-ARGS...]
#   DIR        labelled call directories (default: fixtures/labelled/dev and heldout);
#              NAME is the directory's path below fixtures/ with / as -, e.g. corpus-a
#   --out      default fixtures/generated/labelled-asr (gitignored)
#   --tts-only render only
#   KUULAS-ARGS after `--` go to `kuulas transcribe` (e.g. --model FILE, --prompt "")
# Environment: KUULAS_BIN (default: cargo build, target/debug/kuulas).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=fixtures/generated/labelled-asr tts_only=0 dirs=() kuulas_args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --tts-only) tts_only=1; shift ;;
    --) shift; kuulas_args=("$@"); break ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) dirs+=("${1%/}"); shift ;;
  esac
done
[ ${#dirs[@]} -gt 0 ] || dirs=(fixtures/labelled/dev fixtures/labelled/heldout)
for tool in espeak-ng sox python3; do
  command -v "$tool" >/dev/null || { echo "make-telephony-set: $tool is required" >&2; exit 2; }
done
bin=${KUULAS_BIN:-}
if [ "$tts_only" = 0 ] && [ -z "$bin" ]; then
  cargo build --quiet
  bin="${CARGO_TARGET_DIR:-target}/debug/kuulas"
fi

# Writes the labels of $1 without its turns, pointing at transcript $2.
labels() {
  python3 - "$1" "$2" <<'PY'
import json, sys, tomllib
call = tomllib.load(open(sys.argv[1], "rb"))
out = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in call.items()
       if k not in ("turn", "transcript") and not isinstance(v, dict)]
out.append(f"transcript = {json.dumps(sys.argv[2])}")
print("\n".join(out))
PY
}

for dir in "${dirs[@]}"; do
  [ -d "$dir" ] || { echo "make-telephony-set: no labelled call directory $dir" >&2; exit 2; }
  name=$(echo "${dir##*fixtures/}" | tr '/' '-')
  audio="$out/$name/audio"
  mkdir -p "$audio"
  calls=("$dir"/*.toml)
  for file in "${calls[@]}"; do
    id=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["id"])' "$file")
    # Rebuilt only when the labels or the renderer are newer than the audio.
    if [ "$audio/$id.ulaw8k.wav" -nt "$file" ] && [ "$audio/$id.ulaw8k.wav" -nt scripts/asr/render_call.py ]; then
      continue
    fi
    python3 scripts/asr/render_call.py "$file" "$audio"
  done
  [ "$tts_only" = 1 ] && continue
  for version in ulaw8k mono16k; do
    dst="$out/$name/$version"
    mkdir -p "$dst"
    "$bin" transcribe "$audio"/*."$version".wav --format json --out-dir "$dst" "${kuulas_args[@]}"
    for file in "${calls[@]}"; do
      id=$(python3 -c 'import sys, tomllib; print(tomllib.load(open(sys.argv[1], "rb"))["id"])' "$file")
      labels "$file" "$id.$version.transcript.json" > "$dst/$id.toml"
    done
    echo "make-telephony-set: $dst (${#calls[@]} calls); kuulas rubric eval $dst" >&2
  done
done
