#!/usr/bin/env bash
# The whole test suite on this machine: starts (or installs) what the tests need, then runs
# `npm test` against it.
set -euo pipefail
cd "$(dirname "$0")/.."
url=$(bash scripts/test-services.sh | tail -1)
# The docker driver's tests need an engine and an image; with no registry reachable, the image
# is built from the host's redis-server.
bash scripts/start-dockerd.sh >&2
bash scripts/build-local-image.sh >&2
export TEST_DATABASE_URL="${TEST_DATABASE_URL:-$url}"
export TEST_REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379}"
npm test
