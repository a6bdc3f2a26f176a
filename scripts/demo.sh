#!/usr/bin/env bash
# The main job end to end on the embedded org emulator: start a fake refreshed sandbox on
# loopback, log the real sf CLI in to it, then read it with logik-refresh, piped and by alias.
# Everything happens in a throwaway HOME; nothing of yours is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

sf_bin=$(bash scripts/install-sf.sh)
cargo build --quiet --bins
bin="$PWD/target/debug"

demo_home=$(mktemp -d)
cleanup() {
  [[ -n "${emulator_pid:-}" ]] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$demo_home"
}
trap cleanup EXIT
export HOME="$demo_home" SF_USE_GENERIC_UNIX_KEYCHAIN=true SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true

# The emulator prints one JSON line with its URL (and its fake test token), then serves.
coproc EMULATOR { "$bin/logik-org-emulator" --port 0; }
emulator_pid=$EMULATOR_PID
read -r started <&"${EMULATOR[0]}"
url=$(jq -r .url <<<"$started")
echo "== A refreshed sandbox is up at $url"

echo "== sf org login access-token --instance-url $url --alias uat"
SF_ACCESS_TOKEN=$(jq -r .accessToken <<<"$started") \
  "$sf_bin" org login access-token --instance-url "$url" --no-prompt --alias uat --json >/dev/null

echo
echo "== sf org display --json -o uat | logik-refresh org inspect"
"$sf_bin" org display --json -o uat | "$bin/logik-refresh" org inspect

echo
echo "== logik-refresh org inspect -o uat --json | jq .result.tenantSetting.rows"
"$bin/logik-refresh" org inspect -o uat --json | jq .result.tenantSetting.rows
