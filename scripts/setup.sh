#!/usr/bin/env bash
# Installs what kuulas needs on a fresh Debian/Ubuntu machine. Safe to run twice:
# it installs only what is missing.
#   build: cmake, clang + libclang (whisper.cpp and its Rust bindings), pkg-config
#   fixtures and tests: espeak-ng, sox (+ mp3 support), python3
#   rubric word forms: libvoikko1 + voikko-fi (Finnish morphology, loaded at run time)
set -euo pipefail

packages=(build-essential cmake clang libclang-dev pkg-config espeak-ng sox libsox-fmt-mp3 python3 python3-venv libvoikko1 voikko-fi)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "setup: cargo not found. Install Rust (https://rustup.rs) and run this again." >&2
  exit 2
fi
echo "setup: system packages ready"
