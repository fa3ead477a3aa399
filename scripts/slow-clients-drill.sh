#!/usr/bin/env bash
# `make drill-slow-clients` (and tests/test_slow_clients_drill.py): the slow-connection attack of issue
# 16 replayed against the production shape, on loopback.
#
# Starts gunicorn (gunicorn.conf.py, production settings: DEBUG off) and, in front of it, nginx with
# deploy/nginx/portal.conf, the file docker-compose.yml mounts, in which only the `listen` line and the
# upstream's `server` line are rewritten to loopback ports (checked: any other difference stops the
# drill). Installs Debian's nginx when missing. Then:
#
#   1. checks the proxy's own refusals: a body announced over 1 MB is answered 413 by nginx, and the
#      Server header names no version;
#   2. attack through the proxy: DRILL_CONNECTIONS (50) connections send partial headers, one line
#      every DRILL_LINE_EVERY (8) seconds, reopened as soon as they are dropped, for DRILL_SECONDS (20);
#      meanwhile /healthz is asked every second through the proxy and must answer each time within
#      DRILL_MAX_LATENCY (2) seconds, or the drill fails. It answers in a few milliseconds; the frozen
#      portal did not answer in 5 s; 2 s leaves room for a shared, loaded 2-core machine;
#   3. for contrast, unless DRILL_DIRECT=false: the same attack on gunicorn alone, reported only
#      (gunicorn.conf.py explains why gunicorn alone cannot promise it).
#
# No database nor Redis: /healthz reads neither, so the embedded default (SQLite and the file cache in
# a temporary VAR_DIR) is enough. Everything it starts is stopped on exit, whatever happens.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> [drill-slow-clients] %s\n' "$*"; }

connections="${DRILL_CONNECTIONS:-50}"
line_every="${DRILL_LINE_EVERY:-8}"
seconds="${DRILL_SECONDS:-20}"
max_latency="${DRILL_MAX_LATENCY:-2}"
direct="${DRILL_DIRECT:-true}"

workdir=""
gunicorn_pid=""
nginx_pid=""
stop() { # pid: TERM, up to 10 s, then KILL
  local pid="$1"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$nginx_pid$gunicorn_pid" ]; then
    step "Stopping nginx and gunicorn"
    stop "$nginx_pid"
    stop "$gunicorn_pid"
  fi
  if [ "$status" -ne 0 ] && [ -n "$workdir" ]; then
    for log in "$workdir/gunicorn.log" "$workdir/nginx-error.log"; do
      [ -f "$log" ] && { echo "--- last lines of $(basename "$log") ---" >&2; tail -n 20 "$log" >&2; }
    done
  fi
  [ -n "$workdir" ] && rm -rf "$workdir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
if [ ! -x "$nginx_bin" ]; then
  step "Installing Debian's nginx (missing)"
  bash scripts/apt-install.sh nginx
fi

workdir="$(mktemp -d -t mondossier-slow-clients.XXXXXX)"
chmod 755 "$workdir" # nginx's workers run as nobody when the drill runs as root (CI)
mkdir -p "$workdir/nginx-temp"

# Production-like settings (scripts/production-like-env.sh), with the embedded database and cache.
unset DATABASE_URL REDIS_URL
source scripts/production-like-env.sh
export TRUSTED_PROXIES=127.0.0.1
export VAR_DIR="$workdir/var"
export LOG_LEVEL=WARNING
# The static files, collected as the image's build does, in the drill's own folder: a page Django
# renders (the CSRF refusal of the sign-in flood below) names them through the manifest.
export STATIC_ROOT="$workdir/static"
.venv/bin/python manage.py collectstatic --noinput -v 0

gunicorn_port="$(bash scripts/free-port.sh)"
proxy_port="$(bash scripts/free-port.sh)"

step "nginx configuration: deploy/nginx/portal.conf with the listen and upstream lines on loopback"
sed -e "s/^\(    listen \)8000;/\1127.0.0.1:$proxy_port;/" \
    -e "s/^\(    server \)web:8000;/\1127.0.0.1:$gunicorn_port;/" \
    deploy/nginx/portal.conf >"$workdir/portal.conf"
rewritten="$(diff deploy/nginx/portal.conf "$workdir/portal.conf" || true)"
if [ "$(grep -c '^>' <<<"$rewritten")" -ne 2 ] || [ "$(grep -c '^<' <<<"$rewritten")" -ne 2 ]; then
  echo "expected exactly 2 lines rewritten in deploy/nginx/portal.conf, got:" >&2
  echo "$rewritten" >&2
  exit 1
fi
sed -n 's/^> /  /p' <<<"$rewritten"
# The main context, as the official image's nginx.conf (worker processes per core, 1024 connections
# each), with its files in the drill's folder.
user_line=""
if [ "$(id -u)" -eq 0 ]; then
  user_line="user nobody nogroup;"
  chown nobody "$workdir/nginx-temp"
fi
cat >"$workdir/nginx.conf" <<EOF
$user_line
worker_processes auto;
pid $workdir/nginx.pid;
error_log $workdir/nginx-error.log warn;
events { worker_connections 1024; }
http {
    access_log $workdir/nginx-access.log;
    client_body_temp_path $workdir/nginx-temp/body;
    proxy_temp_path $workdir/nginx-temp/proxy;
    fastcgi_temp_path $workdir/nginx-temp/fastcgi;
    uwsgi_temp_path $workdir/nginx-temp/uwsgi;
    scgi_temp_path $workdir/nginx-temp/scgi;
    include $workdir/portal.conf;
}
EOF
"$nginx_bin" -t -q -p "$workdir" -e "$workdir/nginx-error.log" -c "$workdir/nginx.conf"

step "Starting gunicorn on 127.0.0.1:$gunicorn_port and nginx on 127.0.0.1:$proxy_port"
GUNICORN_BIND="127.0.0.1:$gunicorn_port" .venv/bin/gunicorn --config gunicorn.conf.py >"$workdir/gunicorn.log" 2>&1 &
gunicorn_pid=$!
"$nginx_bin" -p "$workdir" -e "$workdir/nginx-error.log" -c "$workdir/nginx.conf" -g "daemon off;" &
nginx_pid=$!
python3 scripts/slow_clients.py --wait-for "$gunicorn_port" --wait-for "$proxy_port"

step "The proxy's own refusals"
python3 scripts/slow_clients.py --port "$proxy_port" --proxy-checks

step "Attack through the proxy: must keep /healthz within ${max_latency} s"
python3 scripts/slow_clients.py --port "$proxy_port" --connections "$connections" --line-every "$line_every" \
  --seconds "$seconds" --max-latency "$max_latency" --label "through nginx"

if [ "$direct" = "true" ]; then
  step "For contrast, the same attack on gunicorn alone (reported, not judged)"
  python3 scripts/slow_clients.py --port "$gunicorn_port" --connections "$connections" --line-every "$line_every" \
    --seconds "$seconds" --max-latency "$max_latency" --label "gunicorn alone" --report-only
  echo "gunicorn dropped $(grep -c 'Dropped a connection silent' "$workdir/gunicorn.log" || true) slow connections (GUNICORN_SOCKET_TIMEOUT)"
fi
step "Passed: /healthz answered through the proxy during the whole attack"
