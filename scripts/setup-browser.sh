#!/usr/bin/env bash
# Installs what the packet browser tests (tests/packet_browser.rs) need: Debian's
# headless-capable Chromium, poppler-utils (pdftotext, for the print test), and axe-core from npm (pinned in tests/axe/package.json
# and its lock file) for the accessibility check. Safe to run twice: it installs
# only what is missing. scripts/setup.sh calls this; CI sets KUULAS_REQUIRE_BROWSER
# so the tests cannot skip.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium fonts-dejavu-core)
command -v npm >/dev/null 2>&1 || missing+=(npm)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "setup-browser: installing Debian packages: ${missing[*]}"
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
echo "setup-browser: chromium ready ($(chromium --version 2>/dev/null || echo unknown version))"

if [ ! -f tests/axe/node_modules/axe-core/axe.min.js ]; then
  echo "setup-browser: installing axe-core from npm into tests/axe"
  npm ci --prefix tests/axe --no-audit --no-fund --silent
fi
echo "setup-browser: axe-core ready ($(node -p 'require("./tests/axe/node_modules/axe-core/package.json").version' 2>/dev/null || echo unknown version))"
