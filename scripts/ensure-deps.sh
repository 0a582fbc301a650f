#!/usr/bin/env bash
# Installs what the demo and the tests need, only when missing: npm packages from the committed
# lockfile (`npm install`, since `npm ci` refuses a lockfile without other platforms' optional
# packages), the kit's package build (lib/observability/dist, which the demo imports as an app
# would) and Debian's chromium for the browser tests and benchmarks.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules/next ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm install --no-audit --no-fund
fi

node lib/observability/build.mjs --if-stale

if [ "${SKIP_BROWSER_INSTALL:-0}" != "1" ] && ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium
  fi
fi
