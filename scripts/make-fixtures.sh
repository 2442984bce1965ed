#!/usr/bin/env bash
# Generates the synthetic test calls from the committed call scripts in fixtures/calls/.
#
# Usage: scripts/make-fixtures.sh [OUT_DIR]        (default: fixtures/generated/, gitignored)
#
# For each fixtures/calls/NAME.call it writes:
#   NAME.stereo16k.wav  16 kHz 16-bit stereo, agent left, customer right
#   NAME.ulaw8k.wav     8 kHz stereo G.711 μ-law WAV (the telephony case)
#   NAME.mono16k.wav    16 kHz mono mix of both parties
#   NAME.mp3            stereo MP3
#   NAME.truth.json     [{"party":"agent","start":0.5,"end":3.21,"text":"..."}, ...]
#                       with the measured times of every utterance (seconds)
#
# Call script format (UTF-8, one directive per line, `#` starts a comment line):
#   agent: TEXT             the agent says TEXT (espeak-ng voice `fi` unless set)
#   customer: TEXT          the customer says TEXT (voice `fi+m3` unless set)
#   pause SECONDS           silence on both channels after the previous utterance
#                           (a hold, or an unannounced dead line)
#   gap SECONDS             the next utterance starts SECONDS after the previous one ends
#                           (default: a natural 0.35-0.75 s)
#   overlap SECONDS         the next utterance starts SECONDS before the previous one ends
#   voice PARTY ARGS...     espeak-ng voice and options for PARTY, e.g. `voice customer fi -p 70`
#
# Output is deterministic and written atomically. A call is rebuilt only when its script,
# this script or the helper is newer than its outputs, so reruns are instant. Concurrent
# runs (parallel tests) serialise on a lock file in OUT_DIR.
#
# Needs: espeak-ng, sox with MP3 support (Debian: espeak-ng sox libsox-fmt-mp3), python3, flock.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/fixtures/generated}"
helper="$root/scripts/fixtures/build_call.py"

for tool in espeak-ng sox python3 flock; do
    command -v "$tool" >/dev/null || {
        echo "make-fixtures: $tool is not installed (Debian: apt-get install espeak-ng sox libsox-fmt-mp3 python3 util-linux)" >&2
        exit 2
    }
done

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

fresh() { # fresh OUTPUT INPUT...: OUTPUT exists and is newer than every INPUT
    local output="$1" input
    shift
    [[ -e "$output" ]] || return 1
    for input in "$@"; do
        [[ "$output" -nt "$input" ]] || return 1
    done
}

shopt -s nullglob
calls=("$root"/fixtures/calls/*.call)
if ((${#calls[@]} == 0)); then
    echo "make-fixtures: no call scripts in $root/fixtures/calls" >&2
    exit 2
fi

built=0
for script in "${calls[@]}"; do
    name="$(basename "$script" .call)"
    inputs=("$script" "${BASH_SOURCE[0]}" "$helper")
    outputs=(stereo16k.wav ulaw8k.wav mono16k.wav mp3 truth.json)
    all_fresh=1
    for suffix in "${outputs[@]}"; do
        fresh "$out/$name.$suffix" "${inputs[@]}" || all_fresh=0
    done
    ((all_fresh)) && continue

    python3 "$helper" "$script" "$out"
    stereo="$out/$name.stereo16k.wav"
    # -D: no dither, so reruns are byte-identical.
    sox -D "$stereo" -r 8000 -e u-law "$out/$name.ulaw8k.tmp.wav"
    mv "$out/$name.ulaw8k.tmp.wav" "$out/$name.ulaw8k.wav"
    sox -D "$stereo" -C 64 "$out/$name.tmp.mp3"
    mv "$out/$name.tmp.mp3" "$out/$name.mp3"
    built=$((built + 1))
done
echo "make-fixtures: ${#calls[@]} calls in $out ($built rebuilt)" >&2
