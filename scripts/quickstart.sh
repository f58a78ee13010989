#!/usr/bin/env bash
# The README's first command: installs what is missing (redis-server, Node dependencies), builds
# cacheplane, puts the `cacheplane` command on PATH, and runs it with embedded defaults (embedded
# Postgres, a private Redis for the queue).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v redis-server >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" != 0 ] && SUDO="sudo"
  echo "installing redis-server" >&2
  $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server redis-tools
fi
[ -d node_modules/fastify ] || npm ci --no-audit --no-fund
npm run --silent build
bash scripts/link-cli.sh
exec node apps/cli/bin/cacheplane.js up
