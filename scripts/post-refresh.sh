#!/usr/bin/env bash
# After a sandbox refresh, in a pipeline: wait for the sandbox, build and save the support case,
# run every post-refresh step, then list the guided steps left for a person.
#
# Exit codes (logik-refresh's, which are sf's): 0 all done, 68 guided steps remain, 69 the
# refresh did not finish in time, 2 bad input, 1 anything else.
#
# Needs logik-refresh and jq on PATH, and sf logged in to both orgs: the production org (to watch
# the refresh) and, once the refresh is done, the sandbox, e.g.
#   sf org login jwt --username admin@acme.com.uat --instance-url https://test.salesforce.com \
#       --client-id "$CLIENT_ID" --jwt-key-file server.key --alias uat
#
# Every option can come from the environment instead (in brackets).
usage() {
  cat <<'EOF'
Usage: post-refresh.sh --production-org ALIAS --sandbox-name NAME [--runtime-url URL] [options]

  Where the sf project's sfdx-project.json (or --config FILE) has the sandbox in
  plugins.logik-refresh, the tenant, the CPQ Admins and the users come from there, and a
  snapshot taken before the refresh (logik-refresh snapshot -o NAME) is restored.

  --production-org ALIAS   the production org that holds the sandbox [PRODUCTION_ORG]
  --sandbox-name NAME      the sandbox, as Setup > Sandboxes names it [SANDBOX_NAME]
  --sandbox-org ALIAS      sf's alias of the refreshed sandbox (default: the sandbox name) [SANDBOX_ORG]
  --runtime-url URL        the CPQ tenant, https://<tenant>.<sector>.logik.io (default: the
                           config's runtimeUrl for the sandbox) [RUNTIME_URL]
  --config FILE            the project file with plugins.logik-refresh (default: sfdx-project.json
                           here or in a parent folder) [LOGIK_REFRESH_CONFIG]
  --cpq-admin USERNAME     a user who needs CPQ Admin access; repeat, or comma-separate [CPQ_ADMINS]
  --case-number NUMBER     the Now Support case waiting for the new org ID [CASE_NUMBER]
  --timeout DURATION       stop waiting for the refresh after this long, e.g. 6h [WAIT_TIMEOUT]
  --poll-interval DURATION time between two looks at the refresh (default: 30s) [POLL_INTERVAL]
  --out-dir DIR            where to save the JSON, the case and its text (default: post-refresh) [OUT_DIR]

Examples:
  scripts/post-refresh.sh --production-org prod --sandbox-name uat \
      --runtime-url https://acme-uat.test.logik.io --cpq-admin jane@acme.com.uat
  scripts/post-refresh.sh --production-org prod --sandbox-name uat    # values from the config
EOF
}

set -euo pipefail

production_org=${PRODUCTION_ORG:-}
sandbox_name=${SANDBOX_NAME:-}
sandbox_org=${SANDBOX_ORG:-}
runtime_url=${RUNTIME_URL:-}
cpq_admins=${CPQ_ADMINS:-}
case_number=${CASE_NUMBER:-}
timeout=${WAIT_TIMEOUT:-}
poll_interval=${POLL_INTERVAL:-30s}
out_dir=${OUT_DIR:-post-refresh}
config=${LOGIK_REFRESH_CONFIG:-}

while [[ $# -gt 0 ]]; do
  case $1 in
    --production-org) production_org=$2; shift 2 ;;
    --sandbox-name) sandbox_name=$2; shift 2 ;;
    --sandbox-org) sandbox_org=$2; shift 2 ;;
    --runtime-url) runtime_url=$2; shift 2 ;;
    --cpq-admin) cpq_admins=${cpq_admins:+$cpq_admins,}$2; shift 2 ;;
    --case-number) case_number=$2; shift 2 ;;
    --timeout) timeout=$2; shift 2 ;;
    --poll-interval) poll_interval=$2; shift 2 ;;
    --out-dir) out_dir=$2; shift 2 ;;
    --config) config=$2; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "post-refresh.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

missing() {
  echo "post-refresh.sh: $1 (or $2) is required" >&2
  usage >&2
  exit 2
}
[[ -n $production_org ]] || missing --production-org PRODUCTION_ORG
[[ -n $sandbox_name ]] || missing --sandbox-name SANDBOX_NAME
sandbox_org=${sandbox_org:-$sandbox_name}
mkdir -p "$out_dir"

# The project config, when there is one: its errors stop the pipeline (every one listed).
config_flags=()
[[ -n $config ]] && config_flags=(--config "$config")
config_runtime_url='' config_cpq_url=''
status=0
logik-refresh config validate "${config_flags[@]}" --json >"$out_dir/config.json" || status=$?
if [[ $status -eq 0 ]]; then
  config_file=$(jq -r .result.file "$out_dir/config.json")
  entry=$(jq -c --arg s "$sandbox_name" '.plugins["logik-refresh"] | {cpqUrl,
    sandbox: ((.sandboxes // {}) | to_entries | map(select(.key | ascii_downcase == ($s | ascii_downcase))) | .[0].value // {})}' \
    "$config_file")
  config_runtime_url=$(jq -r '.sandbox.runtimeUrl // empty' <<<"$entry")
  config_cpq_url=$(jq -r '.cpqUrl // empty' <<<"$entry")
  echo "Using $config_file for sandbox $sandbox_name." >&2
elif [[ $(jq -r .name "$out_dir/config.json") != NoConfigError ]]; then
  jq -r '"Error (\(.name)): \(.message)", (.actions[]? | "  Try this: \(.)")' "$out_dir/config.json" >&2
  exit "$status"
fi
[[ -n $runtime_url || -n $config_runtime_url ]] || missing --runtime-url RUNTIME_URL

# Runs logik-refresh with --json, keeping its envelope in a file. On failure, shows what it said
# and what to do next, then stops with its exit code. 68 (guided steps left) is not a failure.
logik() {
  local file=$1 status=0
  shift
  logik-refresh "$@" --json >"$out_dir/$file" || status=$?
  if [[ $status -ne 0 && $status -ne 68 ]]; then
    jq -r 'if .message then "Error (\(.name)): \(.message)", (.actions[]? | "  Try this: \(.)")
           else (.result.steps[]? | select(.outcome == "failed") | "Failed: \(.step): \(.reason)") end' \
      "$out_dir/$file" >&2 || cat "$out_dir/$file" >&2
    exit "$status"
  fi
  return "$status"
}

echo "1/4 Waiting for sandbox $sandbox_name to finish its refresh (production org: $production_org)..." >&2
logik sandbox.json org wait --sandbox-name "$sandbox_name" -o "$production_org" \
  --poll-interval "$poll_interval" ${timeout:+--timeout "$timeout"}
new_org_id=$(jq -r .result.org.orgId "$out_dir/sandbox.json")
refresh_date=$(jq -r '(.result.sandboxProcess.endDate // "")[0:10]' "$out_dir/sandbox.json")

echo "2/4 Checking that $sandbox_org is the refreshed sandbox ($new_org_id)..." >&2
logik org.json org inspect -o "$sandbox_org"
org_id=$(jq -r .result.orgId "$out_dir/org.json")
if [[ $org_id != "$new_org_id" ]]; then
  echo "Error: $sandbox_org is org $org_id, not the refreshed sandbox $new_org_id." >&2
  echo "  Try this: sf org login web --instance-url https://test.salesforce.com --alias $sandbox_org" >&2
  exit 1
fi

echo "3/4 Building the support case..." >&2
case_flags=(-o "$sandbox_org" --refresh-date "${refresh_date:-today}" --retain-data
  --new-org-id "$new_org_id" --output "$out_dir/case.json" --no-prompt "${config_flags[@]}")
# The CPQ URL: the one given, else the config's cpqUrl (case build reads it), else the tenant.
if [[ -n $runtime_url ]]; then
  case_flags+=(--cpq-url "$runtime_url")
elif [[ -z $config_cpq_url ]]; then
  case_flags+=(--cpq-url "$config_runtime_url")
fi
[[ -n $cpq_admins ]] && case_flags+=(--cpq-admin "$cpq_admins")
[[ -n $case_number ]] && case_flags+=(--case-number "$case_number")
logik case-build.json case build "${case_flags[@]}"
logik-refresh case render "$out_dir/case.json" --format markdown >"$out_dir/case.md"
echo "    Saved $out_dir/case.json (attach it to the case) and $out_dir/case.md (paste it)." >&2

echo "4/4 Running the post-refresh steps on $sandbox_org..." >&2
# Without --runtime-url, run takes the tenant and users from the config, then the snapshot.
run_flags=(-o "$sandbox_org" "${config_flags[@]}")
[[ -n $runtime_url ]] && run_flags+=(--runtime-url "$runtime_url")
[[ -n $case_number ]] && run_flags+=(--case-number "$case_number")
status=0
logik run.json run "${run_flags[@]}" || status=$?

if [[ $status -eq 0 ]]; then
  echo "All steps are done."
  exit 0
fi
echo "$(jq '.result.pending | length' "$out_dir/run.json") guided steps left. Do each by hand, then run its confirm command:"
jq -r '.result.steps[] | select(.outcome == "manual") |
  "", "[to do] \(.step): \(.manual.where)",
  (.manual.url // empty | "  Link: \(.)"),
  (.manual.values[] | "  \(.label): \(.value)"),
  "  Confirm: \(.manual.confirmCommand)"' "$out_dir/run.json"
exit 68
