#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs the pinned sf CLI (Node.js 22 and
# @salesforce/cli, from the npm registry, into .cache/), then runs every test, the real-sf
# integration tests included.
set -euo pipefail
cd "$(dirname "$0")/.."

# jq drives the pipeline tests (post-refresh.sh); the machine image has it, a bare one may not.
if ! command -v jq >/dev/null 2>&1 && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq >/dev/null && apt-get install -y -qq jq >/dev/null
fi

sf_bin=$(bash scripts/install-sf.sh)
export LOGIK_REFRESH_TEST_SF="$sf_bin"
echo "sf: $("$sf_bin" --version)" >&2

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --all-targets --no-fail-fast "$@"
else
  cargo test --workspace --all-targets --no-fail-fast "$@"
fi
