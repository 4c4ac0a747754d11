#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: no test depends on a server the machine happens to have.
#
#   scripts/pg_cluster.sh start        initdb into a new temp dir, start the server on a free loopback port,
#                                      create the database jim_test; prints shell lines to eval:
#                                        export JIM_PG_CLUSTER_DIR=...  export JIM_TEST_DATABASE_URL=...
#   scripts/pg_cluster.sh stop DIR     stop the server of DIR (fast shutdown) and delete DIR
#   scripts/pg_cluster.sh pause DIR    stop the server of DIR but keep its data (tests of an unreachable database)
#   scripts/pg_cluster.sh resume DIR   start the server of DIR again on the same port
#   scripts/pg_cluster.sh restart DIR  stop the server of DIR as a crash would (immediate: no checkpoint, crash
#                                      recovery at the start), then start it again on the same port
#
# The server runs as an unprivileged user: postgres refuses to run as root, so as root it runs as the
# `postgres` user that Debian's package creates (runuser), and the temp dir is handed to that user.
# fsync stays on: the tests prove what a 2xx means, not what a tuned-down server would do.
set -euo pipefail

bin=/usr/lib/postgresql/15/bin
[[ -x $bin/initdb ]] || bin="$(dirname "$(command -v initdb 2>/dev/null || echo /usr/bin/initdb)")"

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

server_start() {  # DIR
  local dir=$1 port
  port=$(cat "$dir/port")
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c fsync=on -c max_connections=200" start >/dev/null
}

case "${1:-}" in
  start)
    dir=$(mktemp -d /tmp/jim-pg.XXXXXX)
    mkdir -p "$dir/sock"
    [[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$dir"
    chmod 700 "$dir"
    as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
    free_port >"$dir/port"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$dir/port"
    if ! server_start "$dir"; then
      cat "$dir/server.log" >&2
      exit 1
    fi
    port=$(cat "$dir/port")
    as_owner "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres jim_test
    echo "export JIM_PG_CLUSTER_DIR=$dir"
    echo "export JIM_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:$port/jim_test"
    ;;
  stop)
    dir=${2:?usage: pg_cluster.sh stop DIR}
    [[ -d $dir/data ]] || exit 0
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  pause)
    dir=${2:?usage: pg_cluster.sh pause DIR}
    as_owner "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
    ;;
  resume)
    server_start "${2:?usage: pg_cluster.sh resume DIR}"
    ;;
  restart)
    dir=${2:?usage: pg_cluster.sh restart DIR}
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    server_start "$dir"
    ;;
  *)
    echo "usage: pg_cluster.sh start | stop DIR | pause DIR | resume DIR | restart DIR" >&2
    exit 2
    ;;
esac
