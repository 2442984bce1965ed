#!/usr/bin/env bash
# Installs Debian's headless-capable Chromium for the packet browser tests
# (tests/packet_browser.rs). Safe to run twice: it installs only what is missing.
# scripts/setup.sh calls this; CI sets KUULAS_REQUIRE_BROWSER so the test cannot skip.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  echo "setup-browser: chromium ready ($(chromium --version 2>/dev/null || echo unknown version))"
  exit 0
fi

echo "setup-browser: installing Debian package: chromium"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
echo "setup-browser: chromium ready ($(chromium --version 2>/dev/null || echo unknown version))"
