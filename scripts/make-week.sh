#!/usr/bin/env bash
# Generates a week of short calls for the cross-call figures (issue 21): 62 calls,
# 46 customers, Monday 16 to Sunday 22 November 2026 — repeat contacts, callback
# promises kept, tried, broken, open and without a time, unanswered attempts,
# calls without a customer key or start time, customer feedback. The plan and what
# each call is for are in scripts/week/make_week.py; tests/across_week.rs checks
# every figure the week was designed to show.
#
# Usage: scripts/make-week.sh [OUT_DIR]   (default: fixtures/generated/week/, gitignored)
#
# Writes NAME.wav (8 kHz, stereo with the agent left, a few mono), NAME.transcript.json (the script's
# words, for the fixture transcriber) and manifest.csv. Rebuilt only when the
# scripts changed (reruns are instant); concurrent runs serialise on a lock.
#
# Needs: espeak-ng, sox, python3, flock.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-$root/fixtures/generated/week}"
inputs=("${BASH_SOURCE[0]}" "$root/scripts/week/make_week.py" "$root/scripts/fixtures/build_call.py")

for tool in espeak-ng sox python3 flock sha256sum; do
    command -v "$tool" >/dev/null || {
        echo "make-week: $tool is not installed (Debian: apt-get install espeak-ng sox python3 util-linux coreutils)" >&2
        exit 2
    }
done

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9

stamp="$out/.built-from"
want="$(cat "${inputs[@]}" | sha256sum | cut -d' ' -f1)"
if [[ -e "$out/manifest.csv" && -e "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    exit 0
fi
rm -f "$out"/*.wav "$out"/*.transcript.json "$out/manifest.csv" "$stamp"
python3 "$root/scripts/week/make_week.py" "$out"
echo "$want" >"$stamp.tmp"
mv "$stamp.tmp" "$stamp"
