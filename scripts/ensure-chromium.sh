#!/usr/bin/env bash
# Runs before `npm test`: the browser tests drive Debian's chromium through playwright-core
# (no browser download). Installs it when missing and we may; otherwise says how.
set -euo pipefail
if command -v chromium >/dev/null 2>&1 || [ -n "${CHROMIUM_PATH:-}" ]; then
  exit 0
fi
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installerer chromium til browsertestene / installing chromium for the browser tests"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium >/dev/null
else
  echo "Chromium mangler: kør 'sudo apt-get install chromium' eller sæt CHROMIUM_PATH / chromium missing" >&2
  exit 1
fi
