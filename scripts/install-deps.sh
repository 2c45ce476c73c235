#!/usr/bin/env bash
# Install the system packages the test suite drives (Debian/Ubuntu): Chromium for the HTML
# report's browser tests, PostgreSQL for the history store's server tests. `make deps` runs it;
# CI (.ci/run) calls it before `make test`. It is never run implicitly by `make test`.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: chromium and postgresql are already installed" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
