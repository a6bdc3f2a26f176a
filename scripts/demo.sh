#!/usr/bin/env bash
# The main job end to end on the embedded org emulator: start a fake refreshed sandbox on
# loopback, log the real sf CLI in to it, read it with logik-refresh, build the support case,
# then run the whole post-refresh procedure: the API steps are done, the guided ones are listed
# (exit 68); confirming them and running again finishes it (exit 0).
# Everything happens in a throwaway HOME; nothing of yours is touched.
set -euo pipefail
cd "$(dirname "$0")/.."

sf_bin=$(bash scripts/install-sf.sh)
cargo build --quiet --workspace --bins
bin="$PWD/target/debug"

demo_home=$(mktemp -d)
cleanup() {
  [[ -n "${emulator_pid:-}" ]] && kill "$emulator_pid" 2>/dev/null || true
  rm -rf "$demo_home"
}
trap cleanup EXIT
export HOME="$demo_home" LOGIK_REFRESH_STATE_DIR="$demo_home/state" SF_USE_GENERIC_UNIX_KEYCHAIN=true SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true

# The emulator prints one JSON line with its URL (and its fake test token), then serves.
coproc EMULATOR { exec "$bin/logik-org-emulator" --port 0; }
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

echo
echo "== sf org display --json -o uat | logik-refresh case build ... (the support case, before the refresh)"
"$sf_bin" org display --json -o uat | "$bin/logik-refresh" case build --cpq-url https://acme.test.logik.io \
  --refresh-date tomorrow --retain-data --cpq-admin jane@acme.com.uat --no-prompt --output "$demo_home/case.json"
"$bin/logik-refresh" case render "$demo_home/case.json" | head -n 12

tenant=https://acme-uat.test.logik.io
echo
echo "== logik-refresh run -o uat --runtime-url $tenant"
set +e
"$bin/logik-refresh" run -o uat --runtime-url "$tenant" >"$demo_home/run.txt"
status=$?
set -e
grep -E '^\[' "$demo_home/run.txt"
tail -n 5 "$demo_home/run.txt"
echo "(exit $status)"
# The same run again, as JSON, only to pick up the confirm commands: it writes nothing.
"$bin/logik-refresh" run -o uat --runtime-url "$tenant" --json >"$demo_home/run.json" || true

echo
echo "== the admin does them by hand, then confirms each with the command the run printed"
jq -r '.result.pending[].confirmCommand' "$demo_home/run.json" | while read -r command; do
  echo "\$ $command"
  # shellcheck disable=SC2086
  "$bin/logik-refresh" ${command#logik-refresh } >/dev/null
done

echo
echo "== logik-refresh run again"
"$bin/logik-refresh" run -o uat --runtime-url "$tenant" | tail -n 1
