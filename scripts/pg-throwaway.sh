#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on 127.0.0.1, for the test suite (.ci/run) and `make bench`.
#
#   pg-throwaway.sh ensure       install Debian's `postgresql` when its server binaries are missing
#   pg-throwaway.sh start DIR    initdb a new cluster in DIR (created; must not hold a cluster yet),
#                                start it on a free high port, print its DATABASE_URL on stdout
#   pg-throwaway.sh stop DIR     stop the cluster in DIR and delete DIR
#
# Trust authentication, loopback only, no Unix socket outside DIR. Durability is switched off
# (fsync, synchronous_commit, full_page_writes): the data is thrown away anyway. initdb and the
# server refuse to run as root, so as root they run as the `postgres` user, which owns DIR.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

log() { echo "[pg-throwaway] $*" >&2; }

pg_bindir() {
  local candidate
  # Newest Debian-packaged server first, then whatever is on the PATH.
  for candidate in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5,5 -n -r); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return 0
    fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v pg_ctl)"
    return 0
  fi
  return 1
}

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

ensure() {
  if pg_bindir >/dev/null && { [ "$(id -u)" -ne 0 ] || id postgres >/dev/null 2>&1; }; then
    return 0
  fi
  bash "$here/apt-install.sh" postgresql
  pg_bindir >/dev/null || { log "PostgreSQL server binaries still missing after install."; exit 1; }
}

start() {
  local dir="$1" bin port attempt locale_args
  ensure
  bin="$(pg_bindir)"
  mkdir -p "$dir"
  if [ -e "$dir/data" ]; then
    log "$dir/data already exists: refusing to reuse a cluster."
    exit 1
  fi
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  # C.UTF-8: code-point collation (as SQLite's) but a real UTF-8 ctype, so that UPPER()/LOWER()
  # (Django's iexact, icontains) handle accented letters.
  if locale -a 2>/dev/null | grep -qiE '^c\.utf-?8$'; then
    locale_args=(--locale=C.UTF-8)
  else
    locale_args=(--no-locale)
  fi
  log "initdb in $dir/data ($("$bin/postgres" --version))"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust --encoding=UTF8 "${locale_args[@]}" >"$dir/initdb.log" 2>&1 || {
    cat "$dir/initdb.log" >&2
    exit 1
  }
  for attempt in 1 2 3 4 5; do
    port="$(bash "$here/free-port.sh")"
    if as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 start \
      -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      >/dev/null; then
      echo "$port" >"$dir/port"
      log "started on 127.0.0.1:$port"
      echo "postgres://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
    log "start on port $port failed (attempt $attempt):"
    tail -n 5 "$dir/postgres.log" >&2 || true
  done
  exit 1
}

stop() {
  local dir="$1" bin
  if [ -f "$dir/data/postmaster.pid" ] && bin="$(pg_bindir)"; then
    as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null && log "stopped" || log "stop failed"
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  ensure) ensure ;;
  start) [ -n "${2:-}" ] || { echo "usage: $0 start DIR" >&2; exit 2; }; start "$2" ;;
  stop) [ -n "${2:-}" ] || { echo "usage: $0 stop DIR" >&2; exit 2; }; stop "$2" ;;
  *) echo "usage: $0 ensure | start DIR | stop DIR" >&2; exit 2 ;;
esac
