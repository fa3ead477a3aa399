#!/usr/bin/env bash
# The reliability drill (tests/test_drill.py): a real Celery worker and a real Redis against a real
# PostgreSQL, with Redis and the worker killed (`kill -9`) mid-run and mid-delivery.
# Starts a throwaway PostgreSQL (its DATABASE_URL) and a throwaway Redis as `.ci/run` does, installing
# them from Debian's packages when missing, runs the drill, and always stops both. The drill itself
# starts, kills and restarts a redis-server of its own; extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [drill] %s\n' "$*"; }

workdir=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$workdir" ]; then
    step "Stopping PostgreSQL and Redis"
    bash scripts/redis-throwaway.sh stop "$workdir/redis" || true
    bash scripts/pg-throwaway.sh stop "$workdir/pg" || true
    rm -rf "$workdir"
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

bash scripts/pg-throwaway.sh ensure
bash scripts/redis-throwaway.sh ensure

workdir="$(mktemp -d -t mondossier-drill.XXXXXX)"
chmod 755 "$workdir" # the postgres user must reach its cluster folder inside

step "Starting a throwaway PostgreSQL and Redis on 127.0.0.1"
DATABASE_URL="$(bash scripts/pg-throwaway.sh start "$workdir/pg")"
REDIS_URL="$(bash scripts/redis-throwaway.sh start "$workdir/redis")"
export DATABASE_URL REDIS_URL
export DEBUG="${DEBUG:-true}"

step "Running the drill: tests/test_drill.py"
bash scripts/pytest.sh tests/test_drill.py -rA "$@" </dev/null
