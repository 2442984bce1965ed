#!/usr/bin/env bash
# Rubric accuracy on the independent corpus (fixtures/corpus/, written from
# docs/labelling.md by authors who never saw the rubric), on clean text:
#   dev               authors a, b, c without the housing domain (the only part
#                     anyone may read while tuning patterns)
#   heldout-author    every call of author d
#   heldout-domain    the housing calls of authors a, b, c
#   heldout           both held-out parts together
# Extra arguments go to `kuulas rubric eval` (e.g. --rubric my.toml; --misses only
# on dev: reading held-out misses is tuning on them).
# Environment: KUULAS=path to the kuulas binary (default: build it with cargo).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${KUULAS:-}" ]; then
  cargo build --quiet
  KUULAS="${CARGO_TARGET_DIR:-target}/debug/kuulas"
fi
corpus=fixtures/corpus
split=$(mktemp -d)
trap 'rm -rf "$split"' EXIT
mkdir -p "$split"/{dev,heldout-author,heldout-domain,heldout}
for f in "$corpus"/{a,b,c}/*.toml; do
  name="$(basename "$(dirname "$f")")_$(basename "$f")"
  case $name in
    ?_housing_*) cp "$f" "$split/heldout-domain/$name"; cp "$f" "$split/heldout/$name" ;;
    *) cp "$f" "$split/dev/$name" ;;
  esac
done
for f in "$corpus"/d/*.toml; do
  cp "$f" "$split/heldout-author/"
  cp "$f" "$split/heldout/d_$(basename "$f")"
done
for set in dev heldout-author heldout-domain heldout; do
  echo "== $set"
  "$KUULAS" rubric eval "$split/$set" "$@"
  echo
done
