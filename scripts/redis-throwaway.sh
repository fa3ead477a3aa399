#!/usr/bin/env bash
# A throwaway Redis on 127.0.0.1, for the test suite (.ci/run) and `make bench`.
#
#   redis-throwaway.sh ensure       install Debian's `redis-server` when missing
#   redis-throwaway.sh start DIR    start redis-server on a free high port, no persistence, its
#                                   pid and log in DIR (created); print its REDIS_URL on stdout
#   redis-throwaway.sh stop DIR     stop it and delete DIR
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

log() { echo "[redis-throwaway] $*" >&2; }

ensure() {
  command -v redis-server >/dev/null 2>&1 || bash "$here/apt-install.sh" redis-server
}

# PING over bash's /dev/tcp: no dependency on redis-cli.
ping_redis() {
  local port="$1" reply
  exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
  printf 'PING\r\n' >&3
  IFS= read -r -t 2 reply <&3 || reply=""
  exec 3<&- 3>&-
  [ "${reply%$'\r'}" = "+PONG" ]
}

start() {
  local dir="$1" port attempt i
  ensure
  mkdir -p "$dir"
  for attempt in 1 2 3 4 5; do
    port="$(bash "$here/free-port.sh")"
    rm -f "$dir/redis.pid"
    redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no \
      --daemonize yes --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --dir "$dir" >/dev/null
    for i in $(seq 1 50); do
      if ping_redis "$port" 2>/dev/null; then
        echo "$port" >"$dir/port"
        log "started on 127.0.0.1:$port"
        echo "redis://127.0.0.1:$port/0"
        return 0
      fi
      sleep 0.1
    done
    log "start on port $port failed (attempt $attempt):"
    tail -n 5 "$dir/redis.log" >&2 || true
    stop_pid "$dir"
  done
  exit 1
}

stop_pid() {
  local dir="$1" pid i
  [ -f "$dir/redis.pid" ] || return 0
  pid="$(cat "$dir/redis.pid")"
  kill "$pid" 2>/dev/null || return 0
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || { log "stopped"; return 0; }
    sleep 0.1
  done
  kill -9 "$pid" 2>/dev/null || true
}

stop() {
  stop_pid "$1"
  rm -rf "$1"
}

case "${1:-}" in
  ensure) ensure ;;
  start) [ -n "${2:-}" ] || { echo "usage: $0 start DIR" >&2; exit 2; }; start "$2" ;;
  stop) [ -n "${2:-}" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: $0 ensure | start DIR | stop DIR" >&2; exit 2 ;;
esac
