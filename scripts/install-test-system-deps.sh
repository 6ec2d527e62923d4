#!/usr/bin/env bash
# System packages the test suite uses (headless Chromium for the browser tests).
# Installs them when running as root with apt; otherwise the browser tests skip.
# Another apt-get or unattended-upgrades may hold apt's locks: wait for them (up to 10 minutes)
# instead of failing.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
    exit 0
fi

LOCK_WAIT=${APT_LOCK_WAIT:-600}

apt_wait() {
    # apt-get "$@", waiting while another process holds the dpkg/lists lock
    local deadline=$((SECONDS + LOCK_WAIT)) err
    err=$(mktemp)
    until apt-get -o DPkg::Lock::Timeout="$LOCK_WAIT" "$@" 2>"$err"; do
        if ! grep -qi "lock" "$err" || [ "$SECONDS" -ge "$deadline" ]; then
            cat "$err" >&2
            rm -f "$err"
            return 1
        fi
        echo "apt is busy (another process holds its lock); waiting" >&2
        sleep "${APT_LOCK_POLL:-5}"
    done
    rm -f "$err"
}

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing chromium for the browser tests" >&2
    apt_wait update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt_wait install -y -qq chromium chromium-driver >/dev/null
else
    echo "note: chromium not installed and no root apt: browser tests will be skipped" >&2
fi
