#!/usr/bin/env bash
# Starts a local Docker engine for cacheplane's docker driver and its tests, if none answers.
# Idempotent: does nothing when `docker info` already works. Needs root to install/start dockerd.
#
# The engine is started with no bridge and no iptables rules (--bridge=none --iptables=false):
# cacheplane's containers use host networking on Linux and keep traffic on loopback, so the
# engine never touches the host's firewall or network interfaces.
#
# Env: DOCKERD_WAIT_SECONDS (default 60), DOCKERD_LOG (default /var/log/dockerd.log).
set -euo pipefail

wait_seconds="${DOCKERD_WAIT_SECONDS:-60}"
log="${DOCKERD_LOG:-/var/log/dockerd.log}"

if docker info >/dev/null 2>&1; then
  echo "docker engine already running"
  exit 0
fi

if ! command -v dockerd >/dev/null 2>&1; then
  if [ "$(id -u)" != 0 ]; then
    echo "start-dockerd: dockerd is not installed and this is not root; install docker.io (or Docker Engine) first" >&2
    exit 1
  fi
  echo "dockerd not found; installing docker.io with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  # Serialise with anyone else running apt on this machine.
  flock /tmp/apt.lock sh -c 'apt-get update -qq && apt-get install -y -qq docker.io >/dev/null'
  command -v dockerd >/dev/null 2>&1 || { echo "start-dockerd: apt-get installed docker.io but dockerd is still missing" >&2; exit 1; }
fi

# Two callers at once (parallel test files) must not start two engines: the second one waits.
exec 9>/tmp/cacheplane-dockerd.lock
flock 9
if ! docker info >/dev/null 2>&1; then
  if pgrep -x dockerd >/dev/null 2>&1; then
    echo "dockerd is already starting; waiting for it"
  else
    if [ "$(id -u)" != 0 ]; then
      echo "start-dockerd: the docker engine is not running and starting dockerd needs root" >&2
      exit 1
    fi
    echo "starting dockerd (log: $log)"
    # setsid + nohup: the engine must outlive this script and the test run that called it.
    # 9>&-: the engine must not inherit (and so hold forever) the lock taken above.
    setsid nohup dockerd --bridge=none --iptables=false >"$log" 2>&1 </dev/null 9>&- &
  fi
  deadline=$((SECONDS + wait_seconds))
  until docker info >/dev/null 2>&1; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      echo "start-dockerd: docker engine did not answer within ${wait_seconds}s; last lines of $log:" >&2
      tail -n 20 "$log" >&2 || true
      exit 1
    fi
    if ! pgrep -x dockerd >/dev/null 2>&1; then
      echo "start-dockerd: dockerd exited during start; last lines of $log:" >&2
      tail -n 20 "$log" >&2 || true
      exit 1
    fi
    sleep 0.2
  done
fi
echo "docker engine running: $(docker version --format '{{.Server.Version}}' 2>/dev/null)"
