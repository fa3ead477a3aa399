#!/usr/bin/env bash
# Debian packages the test suite needs, installed when missing: Chromium (browser tests drive
# /usr/bin/chromium; never a downloaded browser), gettext (the translation completeness test
# extracts messages with xgettext) and nginx (tests/test_slow_clients_drill.py puts it in front of
# gunicorn, as docker-compose.yml does).
set -eu
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
