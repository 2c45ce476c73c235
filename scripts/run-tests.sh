#!/usr/bin/env bash
# Everything `make test` checks, on any machine: installs the Debian packages the tests drive
# when they are missing (Chromium for the HTML report's browser tests, PostgreSQL for the
# history store), starts a private PostgreSQL on 127.0.0.1, then lints, type-checks and tests.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "installing Debian packages for the tests: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ -z "${AWSAUDIT_TEST_POSTGRES_URL:-}" ]; then
  pg_log="$(mktemp)"
  AWSAUDIT_TEST_POSTGRES_URL="$(scripts/start-postgres.sh 2>"$pg_log")"
  export AWSAUDIT_TEST_POSTGRES_URL
  pg_dir="$(sed -n 's/^start-postgres: cluster in \([^ ]*\) .*/\1/p' "$pg_log")"
  repo="$(pwd)"
  trap 'cd / && "$repo/scripts/start-postgres.sh" --stop "$pg_dir" || true; rm -f "$pg_log"' EXIT
fi

"$PYTHON" -m ruff check src tests benchmarks
"$PYTHON" -m ruff format --check src tests benchmarks
"$PYTHON" -m mypy
lint-imports
"$PYTHON" -m pytest -n auto
