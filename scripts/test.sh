#!/usr/bin/env bash
# The test command: sets everything up on a fresh machine and runs the whole suite
# (unit tests, integration tests with the real Whisper model on real audio, the
# built-in rubric's self-test, formatting and lint). Safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
# The packet tests open pages in a real headless Chromium, the scale-out tests use a
# real PostgreSQL on loopback: install/start both, and let no such test skip.
bash scripts/setup-browser.sh
eval "$(bash scripts/setup-postgres.sh)"
export KUULAS_REQUIRE_BROWSER=1 KUULAS_REQUIRE_POSTGRES=1

# A clean clone builds once: incremental caches would only cost disk (about 1.6 GB).
if [ "${CI:-}" = true ]; then export CARGO_INCREMENTAL=0; fi

echo "== build"
cargo build --locked --quiet
target=${CARGO_TARGET_DIR:-target}
case $target in /*) ;; *) target="$PWD/$target" ;; esac
export KUULAS_BIN="$target/debug/kuulas"

# The importer's tests compare it with the reference converter in ../shared/tools
# (beside the project root, as in CI), which needs numpy: give it a venv, and let
# those tests fail instead of skipping.
if [ -f ../shared/tools/ct2_to_ggml_reference.py ]; then
  venv="$target/venv-reference"
  if ! "$venv/bin/python" -c "import numpy" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet numpy
  fi
  export KUULAS_REFERENCE_PYTHON="$venv/bin/python" KUULAS_REQUIRE_REFERENCE=1
fi

echo "== model"
bash scripts/fetch-model.sh

echo "== fixtures"
bash scripts/make-fixtures.sh

echo "== lint"
cargo fmt --check
cargo clippy --locked --quiet --all-targets -- -D warnings

echo "== tests"
cargo test --locked --no-fail-fast 2>&1 | tee "${TMPDIR:-/tmp}/kuulas-test.log"

echo "== built-in rubric self-test"
"$KUULAS_BIN" rubric test
