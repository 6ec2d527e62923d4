#!/usr/bin/env bash
# System packages the test suite uses (headless Chromium for the browser tests).
# Installs them when running as root with apt; otherwise the browser tests skip.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium for the browser tests" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
else
    echo "note: chromium not installed and no root apt: browser tests will be skipped" >&2
fi
