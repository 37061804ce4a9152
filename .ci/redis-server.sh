#!/usr/bin/env bash
# Installs Debian's redis-server (7.0, bookworm's) when it is not on PATH:
# the Redis tests (crates/switchyard-redis, the gateway's --redis tests)
# start their own server on a free port and need the binary only. The
# package's own service is not started (policy-rc.d) nor used.
set -euo pipefail

if command -v redis-server >/dev/null; then
    redis-server --version
    exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
    echo "redis-server is missing: run this script as root, or apt-get install redis-server" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# No service starts at install time: the tests run their own servers
# (a policy-rc.d already there, as in containers, is left as it is).
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get install -y -qq --no-install-recommends 'redis-server=5:7.0.*' >/dev/null
redis-server --version
