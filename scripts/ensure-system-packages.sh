#!/usr/bin/env bash
# Debian packages the test suite needs, installed when missing: Chromium (browser tests drive
# /usr/bin/chromium; never a downloaded browser) and gettext (the translation completeness test
# extracts messages with xgettext).
set -eu
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v xgettext >/dev/null 2>&1 || missing+=(gettext)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "Missing Debian packages: ${missing[*]}. Run: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
