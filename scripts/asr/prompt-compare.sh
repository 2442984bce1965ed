#!/usr/bin/env bash
# Out-of-domain check of a decoding choice (issue 16, point 1): the sentences of
# scripts/asr/out-of-domain.txt (everyday and news Finnish, nothing about customer
# service) are rendered with espeak-ng, each in its own voice among plain, male and
# female variants, with speed and pitch varied (seeded, so reruns are identical),
# as 16 kHz mono and as 8 kHz G.711 μ-law telephony (band-limited 300-3400 Hz),
# then transcribed once per setting. Prints WER and CER per setting and format
# (scripts/wer.py), so a prompt that writes its words over other speech shows up.
#
# Usage: scripts/asr/prompt-compare.sh [--keep DIR] [SETTING...]
#   SETTING  a quoted list of `kuulas transcribe` arguments, e.g. '--prompt ""';
#            default: the defaults, no prompt, and a one-word topic prompt
#   --keep   keep audio and transcripts in DIR (default: a temporary directory)
# Environment: KUULAS_BIN (default: cargo build, target/debug/kuulas).
set -euo pipefail
cd "$(dirname "$0")/../.."
keep="" settings=()
while [ $# -gt 0 ]; do
  case "$1" in
    --keep) keep="$2"; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) settings+=("$1"); shift ;;
  esac
done
[ ${#settings[@]} -gt 0 ] || settings=("" '--prompt ""' '--prompt "Asiakaspalvelupuhelu."')
for tool in espeak-ng sox python3; do
  command -v "$tool" >/dev/null || { echo "prompt-compare: $tool is required" >&2; exit 2; }
done
bin=${KUULAS_BIN:-}
if [ -z "$bin" ]; then
  cargo build --quiet
  bin="${CARGO_TARGET_DIR:-target}/debug/kuulas"
fi
work=${keep:-$(mktemp -d)}
[ -n "$keep" ] || trap 'rm -rf "$work"' EXIT
mkdir -p "$work/audio"

voices=(fi fi+m1 fi+m3 fi+f1 fi+f2 fi+f3 fi+f4 fi+m2)
n=0
while IFS= read -r sentence; do
  case "$sentence" in '#'* | '') continue ;; esac
  n=$((n + 1))
  id=$(printf 's%02d' "$n")
  printf '%s\n' "$sentence" > "$work/audio/$id.txt"
  [ -f "$work/audio/$id.ulaw8k.wav" ] && continue
  voice=${voices[$((n % ${#voices[@]}))]}
  # Seeded per sentence: speed 140-185 words a minute, pitch 25-75.
  speed=$((140 + (n * 37) % 46)) pitch=$((25 + (n * 53) % 51))
  espeak-ng -v "$voice" -s "$speed" -p "$pitch" -w "$work/audio/$id.raw.wav" -- "$sentence"
  sox -D "$work/audio/$id.raw.wav" -r 16000 -c 1 "$work/audio/$id.mono16k.wav" gain -n -3 pad 0.5 0.5
  sox -D "$work/audio/$id.mono16k.wav" -r 8000 -e u-law "$work/audio/$id.ulaw8k.wav" sinc 300-3400
  rm "$work/audio/$id.raw.wav"
done < scripts/asr/out-of-domain.txt
echo "prompt-compare: $n sentences in $work/audio" >&2

for setting in "${settings[@]}"; do
  eval "args=($setting)"
  for format in mono16k ulaw8k; do
    out="$work/out/$(printf '%s' "${setting:-defaults}" | tr -c 'A-Za-z0-9' _)/$format"
    mkdir -p "$out"
    start=$(date +%s.%N)
    "$bin" transcribe "$work"/audio/*."$format".wav --format json --out-dir "$out" "${args[@]}"
    took=$(python3 -c "import time; print(f'{time.time() - $start:.1f}')")
    pairs=()
    for truth in "$work"/audio/*.txt; do
      id=$(basename "$truth" .txt)
      pairs+=("$truth:$out/$id.$format.transcript.json")
    done
    printf '%-28s %-8s %s (%s s)\n' "${setting:-(defaults)}" "$format" \
      "$(python3 scripts/wer.py --ignore-parties "${pairs[@]}" | tail -1)" "$took"
  done
done
