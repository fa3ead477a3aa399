#!/usr/bin/env bash
# Run the whole suite. Exit code 5 (no test collected) is a failure here: a suite that runs nothing
# proves nothing.
set -u
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no test: failing on purpose." >&2
  exit 1
fi
exit "$status"
