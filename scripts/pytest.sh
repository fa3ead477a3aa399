#!/usr/bin/env bash
# Run the whole suite, in parallel (pytest-xdist: PYTEST_WORKERS processes, default one per core;
# `worksteal` hands the tail of a slow worker's share to an idle one). Arguments go to pytest, so
# `bash scripts/pytest.sh -n 0 tests/dossier` runs a part of it serially.
# Exit code 5 (no test collected) is a failure here: a suite that runs nothing proves nothing.
set -u
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-auto}" --dist worksteal "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "pytest collected no test: failing on purpose." >&2
  exit 1
fi
exit "$status"
