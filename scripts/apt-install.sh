#!/usr/bin/env bash
# Install the given Debian packages (the caller has checked they are missing). Runs `apt-get update`
# first, as a fresh machine's package lists may be empty or stale. The project never uses the
# services these packages come with (redis-server on 6379, PostgreSQL's "main" cluster on 5432),
# only throwaway servers of its own on free ports; on machines with no init system, as here,
# invoke-rc.d does not start them anyway (unknown runlevel).
set -euo pipefail
[ "$#" -gt 0 ] || exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: $*. Run: sudo apt-get update && sudo apt-get install -y $*" >&2
  exit 1
fi
echo "Installing Debian packages: $*" >&2
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
