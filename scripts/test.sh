#!/usr/bin/env bash
# The whole test suite on this machine: starts (or installs) what the tests need, then runs
# `npm test` against it.
set -euo pipefail
cd "$(dirname "$0")/.."
url=$(bash scripts/test-services.sh | tail -1)
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-$url}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
npm test
