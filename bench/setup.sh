#!/usr/bin/env bash
# Installs what the benchmark needs beyond the repository's dev dependencies:
# hyperfine and GNU time (Debian packages) and the peer tools Turborepo and
# wireit (bench/package.json). Safe to run again; it skips what is present.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v hyperfine >/dev/null || missing+=(hyperfine)
[ -x /usr/bin/time ] || missing+=(time)
command -v git >/dev/null || missing+=(git)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bench/setup.sh: missing ${missing[*]}; install them with apt-get as root." >&2
    exit 1
  fi
  apt-get update
  apt-get install -y "${missing[@]}"
fi

if [ ! -x ../node_modules/.bin/deno ] || [ ! -x ../node_modules/.bin/node ]; then
  (cd .. && npm ci --no-audit --no-fund)
fi
if [ ! -e node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
