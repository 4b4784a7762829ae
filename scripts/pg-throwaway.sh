#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests and benchmarks, from Debian's `postgresql`
# package (`make setup` installs it): initdb on a temporary directory, pg_ctl start on
# a free loopback port (as the `postgres` user when run as root), trust auth on
# loopback only. Fails loudly when PostgreSQL cannot start: nothing skips silently.
#
#   scripts/pg-throwaway.sh start DIR [--fast]   prints the server's URL
#   scripts/pg-throwaway.sh stop DIR
#   scripts/pg-throwaway.sh run [--fast] -- CMD…  CMD with LEADGUARD_TEST_POSTGRES set, then stop
#
# --fast turns fsync off (tests, where durability across a power cut is not the point);
# benchmarks run without it, as deployed.
set -euo pipefail

bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -V -r); do
    [[ -x $d/initdb && -x $d/pg_ctl ]] && { echo "$d"; return 0; }
  done
  if command -v initdb >/dev/null && command -v pg_ctl >/dev/null; then
    dirname "$(readlink -f "$(command -v initdb)")"
    return 0
  fi
  echo "pg-throwaway: PostgreSQL is not installed (run \`make setup\`: Debian package postgresql)" >&2
  return 1
}

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
  local dir=$1 fast=${2:-}
  local bin
  bin=$(bindir)
  mkdir -p "$dir"
  [[ $(id -u) -eq 0 ]] && chown postgres: "$dir"
  as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; echo "pg-throwaway: initdb failed" >&2; return 1; }
  local opts="-c listen_addresses=127.0.0.1 -k $dir -c max_connections=200 -c shared_buffers=128MB"
  [[ $fast == --fast ]] && opts+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  local port tries
  for tries in 1 2 3 4 5 6 7 8; do
    port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
    if as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "-p $port $opts" start >/dev/null 2>&1; then
      echo "$port" >"$dir/port"
      echo "postgres://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
  done
  cat "$dir/server.log" >&2 || true
  echo "pg-throwaway: PostgreSQL did not start" >&2
  return 1
}

stop() {
  local dir=$1 bin
  bin=$(bindir)
  [[ -d $dir/data ]] && as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}

case ${1:-} in
  start) start "$2" "${3:-}" ;;
  stop) stop "$2" ;;
  run)
    shift
    fast=
    [[ ${1:-} == --fast ]] && { fast=--fast; shift; }
    [[ ${1:-} == -- ]] && shift
    dir=$(mktemp -d /tmp/leadguard-pg.XXXXXX)
    trap 'stop "$dir"' EXIT
    url=$(start "$dir" "$fast")
    echo "pg-throwaway: PostgreSQL on ${url#*@}" >&2
    LEADGUARD_TEST_POSTGRES=$url "$@"
    ;;
  *) echo "usage: $0 start DIR [--fast] | stop DIR | run [--fast] -- CMD…" >&2; exit 2 ;;
esac
