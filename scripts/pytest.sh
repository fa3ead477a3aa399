#!/usr/bin/env bash
# Run the whole suite, in parallel (pytest-xdist: PYTEST_WORKERS processes, default one per core;
# `load` keeps each worker's tests in collection order, so that pytest-django's order holds: the
# tests that flush the database run after the others). Arguments go to pytest, so
# `bash scripts/pytest.sh -n 0 tests/dossier` runs a part of it serially.
# Exit code 5 (no test collected) is a failure here: a suite that runs nothing proves nothing.
set -u
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" --dist load "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no test: failing on purpose." >&2
  exit 1
fi
exit "$status"
