#!/usr/bin/env bash
# Makes sure what the test suite talks to is installed and running: PostgreSQL, Redis and
# redis-server binaries, and Node dependencies. Safe to run again; it only adds what is missing.
# Prints the TEST_DATABASE_URL to use on its last line.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

missing=()
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || missing+=(redis-tools)
# Read endpoints are kernel redirects (iptables nat rules).
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
# The MemoryDB API is tested with Debian's aws CLI (2.x) by its path: another `aws` on PATH (a
# pip-installed 1.x, say) is not the one the tests run.
[ -x /usr/bin/aws ] || missing+=(awscli)
# The console is tested in a real browser (playwright-core drives Debian's Chromium), and the
# metrics exposition is checked by Prometheus's own parser (promtool check metrics).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
if ! command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  missing+=(postgresql)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >&2
fi

# PostgreSQL on 127.0.0.1:5432
if ! pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1; then
  version=$(ls /etc/postgresql | sort -V | tail -1)
  echo "starting PostgreSQL $version" >&2
  $SUDO pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2
  for _ in $(seq 1 50); do pg_isready -h 127.0.0.1 -p 5432 >/dev/null 2>&1 && break; sleep 0.2; done
fi
# A fresh Debian cluster wants a password over TCP; give the postgres role a known one.
url="postgresql://postgres@127.0.0.1:5432/postgres"
if ! psql "$url" -Atc 'select 1' >/dev/null 2>&1; then
  $SUDO su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'postgres'\"" >&2
  url="postgresql://postgres:postgres@127.0.0.1:5432/postgres"
  psql "$url" -Atc 'select 1' >/dev/null
fi

# Redis on 127.0.0.1:6379 for the job queues (nothing kept on disk)
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis on 127.0.0.1:6379" >&2
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/cacheplane-test-redis.log >&2
  for _ in $(seq 1 50); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.1; done
fi

if [ ! -d node_modules/fastify ] || [ ! -d packages/db/generated/client ]; then
  echo "installing Node dependencies" >&2
  npm ci --no-audit --no-fund >&2
fi
echo "$url"
