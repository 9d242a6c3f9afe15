#!/usr/bin/env bash
# The server engines the tests run on: a throwaway PostgreSQL cluster and a Redis server on free loopback ports.
#   source tests/engines.sh; engines_start   # installs the Debian packages when missing (as root), starts both,
#                                            # exports MULTILINE_TEST_POSTGRES and MULTILINE_TEST_REDIS
#   engines_stop                             # stops both and deletes their files
# Nothing is written outside one temporary folder; nothing listens beyond 127.0.0.1.

engines_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null \
    || echo $((20000 + RANDOM % 20000))
}

engines_install() {
  local missing=()
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null; then
    echo "The tests need ${missing[*]}. Install with: sudo apt-get install -y ${missing[*]}"
    return 1
  fi
  echo "Installing ${missing[*]} for the tests (apt-get install)..."
  # The packages' own services are not wanted: the tests start private servers on free ports.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1 \
    || { apt-get update -qq >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null 2>&1; })
  local status=$?
  rm -f /usr/sbin/policy-rc.d
  return $status
}

# Runs a PostgreSQL tool as the folder's owner: the server refuses to run as root.
engines_pg() {
  if [ "$(id -u)" = "0" ]; then
    su postgres -s /bin/sh -c "$*"
  else
    sh -c "$*"
  fi
}

engines_start() {
  engines_install || return 1
  ENGINES_DIR=$(mktemp -d /tmp/multiline-engines.XXXXXX)
  export ENGINES_DIR
  chmod 755 "$ENGINES_DIR"
  [ "$(id -u)" = "0" ] && chown postgres "$ENGINES_DIR"
  local bin pg_port redis_port
  bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")
  pg_port=$(engines_free_port)
  redis_port=$(engines_free_port)

  echo "Starting PostgreSQL on 127.0.0.1:$pg_port and Redis on 127.0.0.1:$redis_port for the tests..."
  engines_pg "$bin/initdb -D $ENGINES_DIR/pg -A trust -U postgres -E UTF8 --locale=C.UTF-8 >$ENGINES_DIR/initdb.log 2>&1" \
    || { echo "initdb failed:"; tail -5 "$ENGINES_DIR/initdb.log"; return 1; }
  engines_pg "$bin/pg_ctl -D $ENGINES_DIR/pg -l $ENGINES_DIR/pg.log -w -o \"-p $pg_port -k $ENGINES_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=500\" start >/dev/null" \
    || { echo "PostgreSQL did not start:"; tail -5 "$ENGINES_DIR/pg.log"; return 1; }
  ENGINES_PG_CTL="$bin/pg_ctl"
  export ENGINES_PG_CTL

  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$ENGINES_DIR/redis.pid" --logfile "$ENGINES_DIR/redis.log" --dir "$ENGINES_DIR" >/dev/null \
    || { echo "Redis did not start."; return 1; }
  for _ in $(seq 50); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done

  export MULTILINE_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres"
  export MULTILINE_TEST_REDIS="127.0.0.1:$redis_port"
}

engines_stop() {
  [ -n "${ENGINES_DIR:-}" ] && [ -d "$ENGINES_DIR" ] || return 0
  echo "Stopping the test PostgreSQL and Redis servers."
  [ -f "$ENGINES_DIR/redis.pid" ] && kill "$(cat "$ENGINES_DIR/redis.pid")" 2>/dev/null
  engines_pg "$ENGINES_PG_CTL -D $ENGINES_DIR/pg -m immediate stop >/dev/null 2>&1"
  rm -rf "$ENGINES_DIR"
  unset ENGINES_DIR MULTILINE_TEST_POSTGRES MULTILINE_TEST_REDIS
}
