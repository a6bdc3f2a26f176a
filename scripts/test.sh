#!/usr/bin/env bash
# The whole test suite, on a fresh machine: installs the pinned sf CLI (Node.js 22 and
# @salesforce/cli, from the npm registry, into .cache/), then runs every test, the real-sf
# integration tests included.
set -euo pipefail
cd "$(dirname "$0")/.."

# What the tests that need a program run with, so none is skipped (in CI, CI=true, a skip is
# a failure): jq drives the pipeline tests (post-refresh.sh); groff checks the man pages;
# util-linux `script` gives a command a pseudo-terminal (prompts, color); gnome-keyring under dbus-run-session is a Secret Service,
# keyutils' `keyctl session` a kernel keyring of its own. Only what is missing is installed, with
# apt-get: as root, or through sudo (a hosted CI runner's user); nothing is installed, and apt is
# not needed, where all of them are there.
need=()
command -v jq >/dev/null 2>&1 || need+=(jq)
command -v groff >/dev/null 2>&1 || need+=(groff-base)
[[ -x /usr/bin/script ]] || need+=(bsdutils)
command -v dbus-run-session >/dev/null 2>&1 || need+=(dbus)
command -v gnome-keyring-daemon >/dev/null 2>&1 || need+=(gnome-keyring)
command -v keyctl >/dev/null 2>&1 || need+=(keyutils)
if (( ${#need[@]} )); then
  as_root=()
  if [[ $(id -u) != 0 ]] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    as_root=(sudo -n)
  fi
  if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) == 0 || ${#as_root[@]} -gt 0 ]]; then
    echo "installing: ${need[*]}" >&2
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "missing, and no apt-get as root or through sudo to install them (the tests that need them skip, or fail in CI): ${need[*]}" >&2
  fi
fi

sf_bin=$(bash scripts/install-sf.sh)
export LOGIK_REFRESH_TEST_SF="$sf_bin"
echo "sf: $("$sf_bin" --version)" >&2
# Verdaccio and the PowerShell grammar, for the packaging tests (tests/it/packaging.rs).
LOGIK_REFRESH_TEST_TOOLS=$(bash scripts/install-tools.sh)
export LOGIK_REFRESH_TEST_TOOLS

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --all-targets --no-fail-fast "$@"
else
  cargo test --workspace --all-targets --no-fail-fast "$@"
fi

# The install path end to end: the release build packed for npm, published to a loopback
# registry, installed with `sf plugins install` and run against the org emulator (not when the
# tests were filtered).
if (($# == 0)); then
  bash scripts/test-npm-install.sh
fi
