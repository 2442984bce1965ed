#!/usr/bin/env bash
# Rubric accuracy on the labelled set: precision/recall/F1 per behaviour on
# fixtures/labelled/dev (tuned on) and fixtures/labelled/heldout (never tuned on),
# and on their ASR versions under fixtures/labelled/asr/ when
# scripts/make-labelled-asr.sh has produced them. Extra arguments go to
# `kuulas rubric eval` (e.g. --rubric my.toml, --misses).
# Environment: KUULAS=path to the kuulas binary (default: build it with cargo).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KUULAS:-}" ]; then
  cargo build --quiet
  KUULAS="${CARGO_TARGET_DIR:-target}/debug/kuulas"
fi
for set in dev heldout asr/dev asr/heldout; do
  dir="fixtures/labelled/$set"
  [ -d "$dir" ] || continue
  echo "== $set"
  "$KUULAS" rubric eval "$dir" "$@"
  echo
done
