#!/usr/bin/env bash
# Start a private, throwaway PostgreSQL cluster for the store tests and print its URL.
#
#   export AWSAUDIT_TEST_POSTGRES_URL="$(scripts/start-postgres.sh)"
#   scripts/start-postgres.sh --stop DIR     # DIR is printed on stderr at start
#
# Needs Debian's `postgresql` package (initdb and pg_ctl). The cluster lives in a new temporary
# directory, listens on 127.0.0.1 only (plus a Unix socket inside that directory) on a free port,
# and trusts local connections: it holds test data only. As root, it runs as the `postgres` user,
# because PostgreSQL refuses to run as root.
set -euo pipefail

bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
if [ -z "$bindir" ]; then
  echo "start-postgres: PostgreSQL not installed (apt-get install -y postgresql)" >&2
  exit 1
fi
run_as=()
if [ "$(id -u)" -eq 0 ]; then
  run_as=(runuser -u postgres --)
fi

if [ "${1:-}" = "--stop" ]; then
  "${run_as[@]}" "$bindir/pg_ctl" -D "$2/data" -m fast -w stop >/dev/null
  rm -rf "$2"
  exit 0
fi

dir="$(mktemp -d /tmp/awsaudit-postgres.XXXXXX)"
if [ "$(id -u)" -eq 0 ]; then
  chown postgres: "$dir"
fi
port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"${run_as[@]}" "$bindir/initdb" -D "$dir/data" -U awsaudit --auth=trust --encoding=UTF8 >"$dir/initdb.log"
"${run_as[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir" start >/dev/null
"${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U awsaudit awsaudit_test
echo "start-postgres: cluster in $dir (stop: $0 --stop $dir)" >&2
echo "postgresql+psycopg://awsaudit@127.0.0.1:$port/awsaudit_test"
