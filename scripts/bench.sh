#!/usr/bin/env bash
# Speed, measured against the real sf CLI in the same run on the same emulator org, printed as
# ratios (absolute times depend on the machine; ratios much less). Not a test: run it by hand.
#
#   scripts/bench.sh            # hyperfine and GNU time are installed from Debian's packages if absent
#
# What it compares:
#   intake: `logik-refresh org inspect --offline --json --org-json display.json` (= `< display.json`)
#           vs `sf org display --json -o uat`      (goal: >= 300x faster, <= 1.2 ms, peak RSS <= 15 MiB)
#   size:   the release binary, stripped (goal: <= 8 MB)
#   online: `logik-refresh org inspect -o uat --json` vs `sf org display --json -o uat`
#   run:    a full `logik-refresh run` with 100 ms added to every request: wall time and the
#           number of HTTP requests (from the emulator's log); goal: the first run in at most 3
#           round trips (4 requests: the Data and Tooling reads go together), a second in 1
#   fleet:  20 sandboxes at once (20 emulators, 20 concurrent runs) vs one; goal <= 1.5x
#   launcher: `logik-refresh --version` three ways: the binary, the npm launcher
#           (sf-plugin/bin/logik-refresh.js with this binary as its platform package beside it,
#           as npm lays them out) and `node -e 0` (Node.js starting and stopping: the floor of
#           any launcher without an install script)
#   all:    the same 20 sandboxes from ONE process, `run --all` over a project config naming them
#           (each refreshed under its own name and logged in through sf), vs `run -o s1` alone;
#           goal <= 1.2x, and the process's peak memory (the highest of the rounds). Medians of
#           BENCH_ROUNDS (default 3) alternate rounds. The 20 emulators share the machine's
#           cores with the run: their work counts in its time, as a remote org's would not.
#
# BENCH_PROFILE=debug uses the debug build already there (request counts and latency-bound
# times are the same; the intake ratios are not). BENCH_ONLY=<part> (intake, online, size, run,
# fleet, all, launcher; comma-separated) measures only those parts, e.g. BENCH_ONLY=all while working on
# `run --all`.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1; }
only() { [[ -z ${BENCH_ONLY:-} || ",$BENCH_ONLY," == *",$1,"* ]]; }
if ! need hyperfine || [[ ! -x /usr/bin/time ]]; then
  if [[ $(id -u) == 0 ]] && need apt-get; then
    apt-get update -qq >/dev/null && apt-get install -y -qq hyperfine time >/dev/null
  else
    echo "bench: needs hyperfine and GNU time (apt-get install hyperfine time)" >&2; exit 1
  fi
fi

sf_bin=$(bash scripts/install-sf.sh)
profile=${BENCH_PROFILE:-release}
if [[ $profile == release ]]; then
  cargo build --quiet --release --workspace --bins
else
  cargo build --quiet --workspace --bins
fi
bin="$PWD/target/$profile"
host=$(rustc -vV | sed -n 's/^host: //p') # before HOME moves (rustup finds its toolchain there)

work=$(mktemp -d)
cleanup() { [[ -n "${emulator_pid:-}" ]] && kill "$emulator_pid" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
export HOME="$work/home" SF_USE_GENERIC_UNIX_KEYCHAIN=true SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true
mkdir -p "$HOME"

coproc EMULATOR { exec "$bin/logik-org-emulator" --port 0; }
emulator_pid=$EMULATOR_PID
read -r started <&"${EMULATOR[0]}"
url=$(jq -r .url <<<"$started")
SF_ACCESS_TOKEN=$(jq -r .accessToken <<<"$started") \
  "$sf_bin" org login access-token --instance-url "$url" --no-prompt --alias uat --json >/dev/null
"$sf_bin" org display --json -o uat >"$work/display.json"

echo "sf: $("$sf_bin" --version)"
echo "logik-refresh: $("$bin/logik-refresh" --version)"
echo

# -N runs without a shell (hyperfine cannot correct for a shell below ~5 ms), so the file is
# given with --org-json: the same intake as `< display.json`.
# A run of ~1 ms varies with the machine's load: many runs, and the load-independent figures
# (minor page faults; instructions when perf can count them) printed beside it.
if only intake; then
intake=("$bin/logik-refresh" org inspect --offline --json --org-json "$work/display.json")
hyperfine -N --warmup 20 --min-runs 300 --style basic --export-json "$work/intake.json" \
  -n "logik-refresh org inspect --offline" "${intake[*]}" >&2
hyperfine -N --warmup 3 --min-runs 20 --style basic --export-json "$work/intake-sf.json" \
  -n "sf org display" "$sf_bin org display --json -o uat" >&2
intake_faults=$( { /usr/bin/time -f %R "${intake[@]}" >/dev/null; } 2>&1 | tail -n1)
intake_instructions=$(perf stat -x, -e instructions:u "${intake[@]}" 2>&1 >/dev/null | awk -F, '$3 ~ /instructions/ && $1 ~ /^[0-9]+$/ {print $1}' || true)
peak_kib=$( { /usr/bin/time -f %M "$bin/logik-refresh" org inspect --offline --json <"$work/display.json" >/dev/null; } 2>&1 | tail -n1)
sf_peak_kib=$( { /usr/bin/time -f %M "$sf_bin" org display --json -o uat >/dev/null; } 2>&1 | tail -n1)
fi

if only online; then
hyperfine -N --warmup 2 --min-runs 10 --style basic --export-json "$work/online.json" \
  -n "logik-refresh org inspect -o uat" "$bin/logik-refresh org inspect -o uat --json" \
  -n "sf org display" "$sf_bin org display --json -o uat" >&2
fi

if only launcher; then
node_dir="$(dirname "$(readlink -f "$(bash scripts/install-tools.sh)/node/bin/node")")"
platform_package=$(jq -r --arg t "$host" '.[] | select(.target == $t) | .package' sf-plugin/platforms.json)
modules="$work/launcher/node_modules"
mkdir -p "$modules/$platform_package/bin"
cp -R sf-plugin "$modules/logik-refresh-sf-plugin"
cp "$bin/logik-refresh" "$modules/$platform_package/bin/"
jq -n --arg n "$platform_package" --arg v "$(jq -r .version sf-plugin/package.json)" '{name: $n, version: $v}' \
  >"$modules/$platform_package/package.json"
hyperfine -N --warmup 5 --min-runs 50 --style basic --export-json "$work/launcher.json" \
  -n "logik-refresh --version" "$bin/logik-refresh --version" \
  -n "npm launcher --version" "$node_dir/node $modules/logik-refresh-sf-plugin/bin/logik-refresh.js --version" \
  -n "node -e 0" "$node_dir/node -e 0" >&2
fi

# A full run at 100 ms latency, on an emulator of its own (fresh state and journal each time).
start_emulator() { # $1: name; prints the emulator's JSON line
  local fifo="$work/$1.out"
  "$bin/logik-org-emulator" --port 0 --latency-ms 100 >"$fifo" &
  echo $! >>"$work/pids"
  for _ in $(seq 100); do [[ -s "$fifo" ]] && break; sleep 0.05; done
  head -n1 "$fifo"
}
trap '[[ -f "$work/pids" ]] && xargs -r kill <"$work/pids" 2>/dev/null; cleanup' EXIT
one_run() { # $1: instance URL, $2: access token, $3: state dir
  SF_ACCESS_TOKEN=$2 SF_ORG_INSTANCE_URL=$1 LOGIK_REFRESH_STATE_DIR=$3 \
    "$bin/logik-refresh" run --runtime-url https://acme-uat.test.logik.io --json </dev/null >/dev/null || [[ $? == 68 ]]
}
if only run; then
slow=$(start_emulator slow)
slow_url=$(jq -r .url <<<"$slow")
# Logged in through sf, as a user would be: the tool reads sf's auth store for the org.
SF_ACCESS_TOKEN=$(jq -r .accessToken <<<"$slow") \
  "$sf_bin" org login access-token --instance-url "$slow_url" --no-prompt --alias slow --json >/dev/null
run_ms=()
for i in 1 2 3 4 5; do
  curl -s -X POST "$slow_url/__emulator/reset" >/dev/null
  curl -s -X DELETE "$slow_url/__emulator/log" >/dev/null
  t0=$(date +%s%N)
  LOGIK_REFRESH_STATE_DIR="$work/state-slow-$i" "$bin/logik-refresh" run -o slow \
    --runtime-url https://acme-uat.test.logik.io --json </dev/null >/dev/null || [[ $? == 68 ]]
  t1=$(date +%s%N)
  run_ms+=($(( (t1 - t0) / 1000000 )))
done
run_requests=$(curl -s "$slow_url/__emulator/log" | jq 'length')
run_best=$(printf '%s\n' "${run_ms[@]}" | sort -n | head -n1)
# The same run again: everything is done or waiting for a person, so it only reads.
curl -s -X DELETE "$slow_url/__emulator/log" >/dev/null
LOGIK_REFRESH_STATE_DIR="$work/state-slow-5" "$bin/logik-refresh" run -o slow \
  --runtime-url https://acme-uat.test.logik.io --json </dev/null >/dev/null || [[ $? == 68 ]]
rerun_requests=$(curl -s "$slow_url/__emulator/log" | jq 'length')
fi

# 20 sandboxes at once, each its own emulator at 100 ms per request, the token handed over in
# the environment as a CI job would; against one run of the same kind, timed alone first.
urls=(); tokens=()
if only fleet || only all; then
for i in $(seq 20); do
  line=$(start_emulator "fleet$i")
  urls+=("$(jq -r .url <<<"$line")"); tokens+=("$(jq -r .accessToken <<<"$line")")
done
fi
if only fleet; then
t0=$(date +%s%N); one_run "${urls[0]}" "${tokens[0]}" "$work/state-fleet-alone"; t1=$(date +%s%N)
alone_ms=$(( (t1 - t0) / 1000000 ))
curl -s -X POST "${urls[0]}/__emulator/reset" >/dev/null
t0=$(date +%s%N)
runs=()
for i in $(seq 0 19); do one_run "${urls[$i]}" "${tokens[$i]}" "$work/state-fleet-$i" & runs+=($!); done
for pid in "${runs[@]}"; do wait "$pid" || true; done
t1=$(date +%s%N)
fleet_ms=$(( (t1 - t0) / 1000000 ))
fi

# The same 20 emulators, each refreshed as sandbox s<N> (its own org ID and usernames) and logged
# in through sf under that alias; the project config names them all.
if only all; then
project="$work/project"
mkdir -p "$project"
sandboxes='{}'
for i in $(seq 20); do
  u=${urls[$((i - 1))]}
  curl -s -X POST "$u/__emulator/reset" >/dev/null
  curl -s -X POST -d "{\"sandboxName\": \"s$i\"}" "$u/__emulator/refresh" >/dev/null
  SF_ACCESS_TOKEN=${tokens[$((i - 1))]} \
    "$sf_bin" org login access-token --instance-url "$u" --no-prompt --alias "s$i" --json >/dev/null
  sandboxes=$(jq -c --arg n "s$i" '. + {($n): {runtimeUrl: "https://acme-uat.test.logik.io", runtimeClients: []}}' <<<"$sandboxes")
done
jq -n --argjson s "$sandboxes" \
  '{packageDirectories: [{path: "force-app", default: true}], plugins: {"logik-refresh": {sandboxes: $s}}}' \
  >"$project/sfdx-project.json"
# Alternately, each round on freshly refreshed sandboxes: `run -o s1` alone, then `run --all`.
# A few hundred milliseconds on a shared machine vary by tens: the medians of the rounds (each
# round printed too).
median() { printf '%s\n' "$@" | sort -n | sed -n "$(( ($# + 1) / 2 ))p"; }
all_alone_runs=(); all_runs=(); all_peaks=()
for round in $(seq "${BENCH_ROUNDS:-3}"); do
  curl -s -X POST -d '{"sandboxName": "s1"}' "${urls[0]}/__emulator/refresh" >/dev/null
  curl -s -X DELETE "${urls[0]}/__emulator/log" >/dev/null
  t0=$(date +%s%N)
  (cd "$project" && LOGIK_REFRESH_STATE_DIR="$work/state-all-alone-$round" "$bin/logik-refresh" run -o s1 --json </dev/null >/dev/null) || [[ $? == 68 ]]
  t1=$(date +%s%N)
  all_alone_runs+=($(( (t1 - t0) / 1000000 )))
  all_alone_requests=$(curl -s "${urls[0]}/__emulator/log" | jq 'length')
  for i in $(seq 20); do
    curl -s -X POST -d "{\"sandboxName\": \"s$i\"}" "${urls[$((i - 1))]}/__emulator/refresh" >/dev/null
    curl -s -X DELETE "${urls[$((i - 1))]}/__emulator/log" >/dev/null
  done
  t0=$(date +%s%N)
  all_peaks+=($( { cd "$project" && LOGIK_REFRESH_STATE_DIR="$work/state-all-$round" /usr/bin/time -f %M \
    "$bin/logik-refresh" run --all --json </dev/null >"$work/all.json"; } 2>&1 | tail -n1)) || true
  t1=$(date +%s%N)
  all_runs+=($(( (t1 - t0) / 1000000 )))
done
all_ms=$(median "${all_runs[@]}")
all_alone_ms=$(median "${all_alone_runs[@]}")
all_peak_kib=$(printf '%s\n' "${all_peaks[@]}" | sort -n | tail -n1)
all_requests=0
for u in "${urls[@]}"; do all_requests=$((all_requests + $(curl -s "$u/__emulator/log" | jq 'length'))); done
all_outcomes=$(jq -r '[.result.orgs[].outcome] | group_by(.) | map("\(length) \(.[0])") | join(", ")' "$work/all.json")
fi

ratio() { jq -r '(.results[1].mean / .results[0].mean * 10 | floor) / 10' "$1"; }
ms() { jq -r ".results[$2].mean * 1000 * 100 | floor / 100" "$1"; }
echo
echo "== results (same machine, same run, same emulator org)"
if only intake; then
printf 'intake:  logik-refresh org inspect --offline %8s ms   sf org display %8s ms   ratio %sx faster\n' \
  "$(ms "$work/intake.json" 0)" "$(ms "$work/intake-sf.json" 0)" \
  "$(jq -rs '(.[1].results[0].mean / .[0].results[0].mean * 10 | floor) / 10' "$work/intake.json" "$work/intake-sf.json")"
printf 'intake:  %s minor page faults; user-space instructions: %s\n' "$intake_faults" "${intake_instructions:-perf cannot count them here}"
printf 'peak RSS: logik-refresh --offline %s KiB (%s MiB); sf org display %s KiB\n' \
  "$peak_kib" "$((peak_kib / 1024))" "$sf_peak_kib"
fi
only online && printf 'online:  logik-refresh org inspect -o uat   %8s ms   sf org display %8s ms   ratio %sx faster\n' \
  "$(ms "$work/online.json" 0)" "$(ms "$work/online.json" 1)" "$(ratio "$work/online.json")"
only size && printf 'size:    release binary %s bytes (%s MB)\n' "$(stat -c %s "$bin/logik-refresh")" \
  "$(( $(stat -c %s "$bin/logik-refresh") / 100000 ))" | sed 's/(\([0-9]*\)\([0-9]\) MB)/(\1.\2 MB)/'
only launcher && printf 'launcher: binary %s ms   npm launcher %s ms   node -e 0 (the floor) %s ms\n' \
  "$(ms "$work/launcher.json" 0)" "$(ms "$work/launcher.json" 1)" "$(ms "$work/launcher.json" 2)"
only run && printf 'run at 100 ms/request: best of 5 %s ms, %s HTTP requests (a second run: %s)\n' "$run_best" "$run_requests" "$rerun_requests"
only fleet && printf 'fleet: 20 sandboxes at once %s ms vs one alone %s ms: %s.%sx\n' "$fleet_ms" "$alone_ms" \
  "$((fleet_ms / alone_ms))" "$(( (fleet_ms * 10 / alone_ms) % 10 ))"
only all && printf 'run --all: 20 sandboxes in one process %s ms vs run -o s1 alone %s ms (%s requests): %sx; %s requests in all; peak RSS %s KiB; outcomes: %s (medians of %s rounds: --all %s ms, alone %s ms)\n' \
  "$all_ms" "$all_alone_ms" "$all_alone_requests" "$(awk -v a="$all_ms" -v b="$all_alone_ms" 'BEGIN {printf "%.2f", a / b}')" \
  "$all_requests" "$all_peak_kib" "$all_outcomes" "${#all_runs[@]}" "${all_runs[*]}" "${all_alone_runs[*]}"
true
