#!/usr/bin/env bash
# Drives the MemoryDB API with Terraform's AWS provider, the way a pipeline does: apply every
# aws_memorydb_* resource (scripts/terraform/main.tf), plan again and expect no change, change the
# shard count, a parameter and the tags in place, plan clean again, destroy, and check through the
# native API that no cluster is left. A second plan that is not empty means an answer differs from
# what was asked (a default, a case, a window, a tag not read back).
#
#   CACHEPLANE_URL=http://127.0.0.1:7700 AWS_ACCESS_KEY_ID=… AWS_SECRET_ACCESS_KEY=… \
#   TF_CLI_CONFIG_FILE=~/.terraformrc scripts/check-terraform.sh
#
# Env: CACHEPLANE_URL (default http://127.0.0.1:7700); AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY
# (POST /v1/apiKeys/{key}:issueAwsCredentials); TF_CLI_CONFIG_FILE where the provider comes from
# (a filesystem_mirror when there is no registry); CACHEPLANE_KEY and CACHEPLANE_PROJECT (default
# "default") for the final native check, skipped without a key; TF_PREFIX names the resources
# (default tf<epoch>). Each step's TF_LOG=DEBUG log, with every request and answer, is kept in the
# work directory printed at the start.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
url="${CACHEPLANE_URL:-http://127.0.0.1:7700}"
: "${AWS_ACCESS_KEY_ID:?set AWS_ACCESS_KEY_ID (issueAwsCredentials)}"
: "${AWS_SECRET_ACCESS_KEY:?set AWS_SECRET_ACCESS_KEY}"
command -v terraform >/dev/null || { echo "terraform is not on PATH" >&2; exit 2; }

work="$(mktemp -d)"
cp "$here"/terraform/*.tf "$work/"
echo "work directory (state and logs): $work"
cd "$work"

export TF_IN_AUTOMATION=1 TF_INPUT=0
export TF_VAR_endpoint="$url" TF_VAR_access_key="$AWS_ACCESS_KEY_ID" TF_VAR_secret_key="$AWS_SECRET_ACCESS_KEY"
export TF_VAR_prefix="${TF_PREFIX:-tf$(date +%s)}"
updated=(-var num_shards=2 -var maxmemory_policy=volatile-lru -var environment_tag=updated)

tf() { # tf <step> <terraform args…>: one step, its debug log in <step>.log
  local step="$1"; shift
  TF_LOG=DEBUG TF_LOG_PATH="$work/$step.log" terraform "$@" -no-color
}
step() { echo "== $*"; }
fail() { echo "FAILED: $*" >&2; exit 1; }

applied=0
cleanup() {
  local code=$?
  if [ "$code" -ne 0 ] && [ "$applied" = 1 ]; then
    echo "destroying what was made after the failure (log: $work/cleanup.log)" >&2
    tf cleanup destroy -auto-approve "${updated[@]}" >/dev/null 2>&1 || echo "destroy after failure failed too; state is in $work" >&2
  fi
  exit "$code"
}
trap cleanup EXIT

plan_clean() { # plan_clean <step> [vars…]: exit 0 from -detailed-exitcode, else show the diff
  local step="$1"; shift
  set +e
  tf "$step" plan -detailed-exitcode "$@" >"$work/$step.out" 2>&1
  local code=$?
  set -e
  [ "$code" = 0 ] || { cat "$work/$step.out" >&2; fail "$step: plan is not empty (exit $code)"; }
  echo "   no changes"
}

step "init"
tf init init >/dev/null

step "apply (create)"
applied=1
tf apply-create apply -auto-approve >/dev/null || fail "apply (create); see $work/apply-create.log"
plan_clean plan-after-create

step "apply (in place: num_shards 2, maxmemory-policy volatile-lru, tags)"
tf apply-update apply -auto-approve "${updated[@]}" >/dev/null || fail "apply (update); see $work/apply-update.log"
plan_clean plan-after-update "${updated[@]}"

step "destroy"
tf destroy destroy -auto-approve "${updated[@]}" >/dev/null || fail "destroy; see $work/destroy.log"
applied=0
[ -z "$(terraform state list 2>/dev/null)" ] || fail "destroy left resources in the state"

if [ -n "${CACHEPLANE_KEY:-}" ]; then
  step "native API: no cluster of this run is left"
  left="$(curl -sf "$url/v1/projects/${CACHEPLANE_PROJECT:-default}/locations/${TF_VAR_region:-local1}/clusters" -H "Authorization: Bearer $CACHEPLANE_KEY")" || fail "could not list the native clusters"
  case "$left" in *"/clusters/$TF_VAR_prefix-"*) fail "cluster $TF_VAR_prefix-cluster is still listed: $left" ;; esac
  echo "   none"
fi
echo "terraform check passed ($TF_VAR_prefix)"
