#!/usr/bin/env bash
# `make bench`: the pages of the file under load, against production-like settings.
#
# Starts a throwaway PostgreSQL and a throwaway Redis (sessions and cache, as in production) on
# 127.0.0.1, prepares the database (migrate, demo data, then the back-office load: 1,000,000 files, each
# with its personal account, 200,000 requests and the large file, from `manage.py
# generate_backoffice_load --large-file`) and the static files, starts gunicorn (gunicorn.conf.py: 2
# gthread workers) with DEBUG off, then scripts/bench.py measures each page (the professional's pages as
# the demo dentist and as the large file, the signed-in bare view, the request queue in the admin as
# the demo agent) with wrk, counts its SQL queries and compares its throughput with /healthz and the
# target of issue 14. Then gunicorn is stopped; scripts/bench_explain.py EXPLAINs the Comptes pages'
# queries at that size; scripts/bench_cpu.py measures the CPU time per request in-process (the wizard's
# steps too); and scripts/bench_payment_run.py, in a database of its own, times the payment run over
# 100,000 accounts against a raw insert of the same rows. Prints tables and writes bench-results.json
# at the repo root (the pages, and "explain", "cpu_per_request" and "payment_run" sections).
# Everything it started is stopped on exit. Tunables: BENCH_SECONDS (4, per run), BENCH_ROUNDS (3 runs
# per page, the best kept), BENCH_WARMUP_SECONDS (2),
# BENCH_CONNECTIONS (4), BENCH_WRK_THREADS (1), WEB_CONCURRENCY (2), GUNICORN_THREADS (4),
# BENCH_CPU_REQUESTS (60), BENCH_PAYMENT_RUN_ACCOUNTS (100000), BENCH_PAYMENT_RUN_TRACE_BATCHES (10:
# batches of the tracemalloc pass; `all` or `off`), BENCH_LOAD_FILES (1000000), BENCH_LOAD_REQUESTS
# (200000).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [bench] %s\n' "$*"; }
py=.venv/bin/python

workdir=""
gunicorn_pid=""
stop_gunicorn() {
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    step "Stopping gunicorn"
    kill -TERM "$gunicorn_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$gunicorn_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$gunicorn_pid" 2>/dev/null || true
    wait "$gunicorn_pid" 2>/dev/null || true
  fi
  gunicorn_pid=""
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  stop_gunicorn
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

step "Checking system packages: PostgreSQL, redis-server, wrk (installed only when missing)"
bash scripts/pg-throwaway.sh ensure
bash scripts/redis-throwaway.sh ensure
command -v wrk >/dev/null 2>&1 || bash scripts/apt-install.sh wrk

workdir="$(mktemp -d -t mondossier-bench.XXXXXX)"
chmod 755 "$workdir" # the postgres user must reach its cluster folder inside

step "Starting a throwaway PostgreSQL and Redis on 127.0.0.1"
DATABASE_URL="$(bash scripts/pg-throwaway.sh start "$workdir/pg")"
REDIS_URL="$(bash scripts/redis-throwaway.sh start "$workdir/redis")"

# Production-like settings (scripts/production-like-env.sh), on the throwaway servers.
export DATABASE_URL REDIS_URL
# Marks the database as this script's throwaway one: scripts/bench_payment_run.py writes 100,000 files
# and refuses to run without it (never against a real database by mistake).
export BENCH_THROWAWAY=1
source scripts/production-like-env.sh
export VAR_DIR="$workdir/var"
export LOG_LEVEL="${LOG_LEVEL:-WARNING}"

step "Preparing the database and static files: migrate, load_demo_data, collectstatic"
$py manage.py migrate --noinput -v 0
$py manage.py compile_translations
$py manage.py load_demo_data
$py manage.py collectstatic --noinput -v 0

step "Generating the back-office load: ${BENCH_LOAD_FILES:-1000000} files, ${BENCH_LOAD_REQUESTS:-200000} requests (generate_backoffice_load)"
$py manage.py generate_backoffice_load --files "${BENCH_LOAD_FILES:-1000000}" --requests "${BENCH_LOAD_REQUESTS:-200000}" --large-file

port="$(bash scripts/free-port.sh)"
export GUNICORN_BIND="127.0.0.1:$port"
# A socket per worker (gunicorn.conf.py, "Reuse port"): wrk's connections spread over both workers.
export GUNICORN_REUSE_PORT=1
step "Starting gunicorn on $GUNICORN_BIND (log: $workdir/gunicorn.log)"
.venv/bin/gunicorn --config gunicorn.conf.py >"$workdir/gunicorn.log" 2>&1 &
gunicorn_pid=$!

step "Measuring (scripts/bench.py)"
status=0
$py scripts/bench.py run --base-url "http://127.0.0.1:$port" --server-pid "$gunicorn_pid" --output bench-results.json || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- last lines of the gunicorn log ---" >&2
  tail -n 40 "$workdir/gunicorn.log" >&2 || true
fi
# The payment run has the machine to itself, as the worker that runs it would (no server load).
stop_gunicorn

step "EXPLAIN of the Comptes pages' queries (scripts/bench_explain.py)"
$py scripts/bench_explain.py --output bench-results.json || status=$?

step "CPU per request in-process, against /healthz (scripts/bench_cpu.py)"
$py scripts/bench_cpu.py --output bench-results.json || status=$?

# The payment run gets a database of its own, in the same cluster: in the pages' database, every one of
# the 1,000,000 generated files has a personal account, which the run would pay as well.
step "Payment run over ${BENCH_PAYMENT_RUN_ACCOUNTS:-100000} accounts, in its own database (scripts/bench_payment_run.py)"
$py -c "import os, psycopg; psycopg.connect(os.environ['DATABASE_URL'], autocommit=True).execute('CREATE DATABASE payment_run')"
DATABASE_URL="${DATABASE_URL%/*}/payment_run"
export DATABASE_URL
$py manage.py migrate --noinput -v 0
$py scripts/bench_payment_run.py --output bench-results.json || status=$?
exit "$status"
