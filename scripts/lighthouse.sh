#!/usr/bin/env bash
# `make lighthouse` (issue 15): Lighthouse's accessibility and best-practices audits of every page of the
# portal (scripts/lighthouse_pages.py), in both languages, against gunicorn with production settings
# (DEBUG off, static files collected and served by WhiteNoise) on loopback, in Debian's Chromium.
# Fails unless every page scores 100 in both. Lighthouse comes from the npm registry, pinned with its
# lock file (scripts/lighthouse/package-lock.json), installed without install scripts: nothing downloads
# a browser. The report is written to lighthouse-report.json.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [lighthouse] %s\n' "$*"; }
py=.venv/bin/python

workdir=""
gunicorn_pid=""
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$gunicorn_pid" ] && kill -0 "$gunicorn_pid" 2>/dev/null; then
    kill -TERM "$gunicorn_pid" 2>/dev/null || true
    wait "$gunicorn_pid" 2>/dev/null || true
  fi
  [ -n "$workdir" ] && rm -rf "$workdir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

command -v /usr/bin/chromium >/dev/null 2>&1 || bash scripts/ensure-system-packages.sh
command -v npm >/dev/null 2>&1 || bash scripts/apt-install.sh nodejs npm

if [ ! -d scripts/lighthouse/node_modules/lighthouse ] || [ scripts/lighthouse/package-lock.json -nt scripts/lighthouse/node_modules/.package-lock.json ]; then
  step "Installing Lighthouse from its lock file (npm ci, no install scripts)"
  (cd scripts/lighthouse && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

workdir="$(mktemp -d -t mondossier-lighthouse.XXXXXX)"
source scripts/production-like-env.sh
export VAR_DIR="$workdir/var" LOG_LEVEL=WARNING
# Its own database and cache (SQLite, files), unless the caller's PostgreSQL and Redis are given.
if [ -z "${LIGHTHOUSE_USE_ENV_DATABASE:-}" ]; then
  export DATABASE_URL="sqlite:///$workdir/db.sqlite3"
  unset REDIS_URL
fi

step "Preparing the database and static files"
$py manage.py migrate --noinput -v 0
$py manage.py compile_translations -v 0
$py manage.py load_demo_data >/dev/null
$py manage.py collectstatic --noinput -v 0

port="$(bash scripts/free-port.sh)"
export GUNICORN_BIND="127.0.0.1:$port"
step "Starting gunicorn on $GUNICORN_BIND"
.venv/bin/gunicorn --config gunicorn.conf.py >"$workdir/gunicorn.log" 2>&1 &
gunicorn_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

step "Signing in and listing the pages (scripts/lighthouse_pages.py)"
$py scripts/lighthouse_pages.py --base-url "http://127.0.0.1:$port" >"$workdir/pages.json"

step "Auditing $(grep -c '"url"' "$workdir/pages.json") pages (scripts/lighthouse/run.mjs)"
status=0
CHROME_PATH=/usr/bin/chromium node scripts/lighthouse/run.mjs "$workdir/pages.json" lighthouse-report.json || status=$?
if [ "$status" -ne 0 ]; then
  echo "--- last lines of the gunicorn log ---" >&2
  tail -n 20 "$workdir/gunicorn.log" >&2 || true
fi
exit "$status"
