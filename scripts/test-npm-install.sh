#!/usr/bin/env bash
# The install path a Salesforce admin takes, end to end on loopback: the release binary packed
# as this machine's platform package (linux-x64 here) and the sf plugin (scripts/package-npm.sh),
# both published to a local npm registry (Verdaccio, local only: it proxies nothing), then the
# real sf installs the plugin from it (`sf plugins install`, SF_NPM_REGISTRY) in a throwaway HOME
# and runs `sf logik run` against the org emulator, with no logik-refresh on PATH; sf knows each
# command (`sf commands`, `sf which`, `sf help logik ...`, from the packed manifest) and the
# tool's hints say `sf logik ...`. The packages carry the release's metadata (package-npm.sh
# makes it, for the release too). Then `npm install -g` of the plugin puts `logik-refresh` on
# PATH, whose hints say `logik-refresh ...`. scripts/test.sh runs it; it fails on any step.
#
#   scripts/test-npm-install.sh [--binary PATH]   default: $LOGIK_REFRESH_RELEASE_BIN, else it
#                                                 builds target/release/logik-refresh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$repo"
PLUGIN=logik-refresh-sf-plugin

fail() { echo "test-npm-install: FAILED: $*" >&2; exit 1; }
step() { echo "test-npm-install: $*" >&2; }

binary="${LOGIK_REFRESH_RELEASE_BIN:-}"
[[ "${1:-}" == --binary ]] && binary="$2"
sf_bin="$(bash scripts/install-sf.sh)"
tools="$(bash scripts/install-tools.sh)"
node="$tools/node/bin/node"
if [[ -z "$binary" ]]; then
    step "building the release binary"
    cargo build --quiet --release --locked --bin logik-refresh
    binary="$repo/target/release/logik-refresh"
fi
cargo build --quiet --locked -p logik-org-emulator --bin logik-org-emulator
emulator_bin="$repo/target/debug/logik-org-emulator"

work="$(mktemp -d)"
pids=()
cleanup() {
    local pid
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

step "packing"
target="$(rustc -vV | sed -n 's/^host: //p')"
platform_package="$(jq -r --arg t "$target" '.[] | select(.target == $t) | .package' sf-plugin/platforms.json)"
[[ -n "$platform_package" ]] || fail "no npm package for this machine ($target) in sf-plugin/platforms.json"
# With the Node.js scripts/install-sf.sh installed first on PATH (npm, and node for the manifest).
node_path="$(dirname "$(readlink -f "$node")"):$PATH"
PATH="$node_path" bash scripts/package-npm.sh --target "$target" --binary "$binary" --out "$work/npm" >/dev/null
PATH="$node_path" bash scripts/package-npm.sh --plugin --binary "$binary" --out "$work/npm" >/dev/null
version="$(jq -r .version sf-plugin/package.json)"

# A free loopback port (a race with another process taking it in between is harmless: Verdaccio
# then fails to start, and so does this test, loudly).
port="$("$node" -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
registry="http://127.0.0.1:$port/"
cat >"$work/verdaccio.yaml" <<YAML
storage: $work/storage
auth:
  htpasswd:
    file: $work/htpasswd
    max_users: 1
uplinks: {}
packages:
  '**':
    access: \$all
    publish: \$authenticated
listen: 127.0.0.1:$port
max_body_size: 200mb
server:
  keepAliveTimeout: 5
log: { type: file, path: $work/verdaccio.log, level: warn }
YAML
step "starting Verdaccio on $registry (no uplinks)"
"$node" "$tools/node/node_modules/verdaccio/bin/verdaccio" --config "$work/verdaccio.yaml" \
    >"$work/verdaccio.out" 2>&1 &
pids+=($!)
for _ in $(seq 120); do
    curl -sf --max-time 2 "$registry-/ping" >/dev/null && break
    sleep 0.5
done
curl -sf --max-time 2 "$registry-/ping" >/dev/null || { cat "$work/verdaccio.out" >&2; fail "Verdaccio did not start"; }

# A publisher account (the registry's own user API), then both packages.
token="$(curl -sf --max-time 10 -X PUT -H 'content-type: application/json' \
    -d '{"name":"ci","password":"loopback-only-password"}' \
    "$registry-/user/org.couchdb.user:ci" | jq -r .token)"
[[ -n "$token" && "$token" != null ]] || fail "could not create a Verdaccio user"
printf 'registry=%s\n//127.0.0.1:%s/:_authToken=%s\n' "$registry" "$port" "$token" >"$work/npmrc"
for tgz in "$work"/npm/*.tgz; do
    npm publish "$tgz" --userconfig "$work/npmrc" --registry "$registry" --loglevel=error >/dev/null ||
        fail "npm publish $(basename "$tgz")"
done
step "published: $(cd "$work/npm" && echo *.tgz)"

# sf in a throwaway HOME, its unsigned-plugin allow-list naming the plugin (else sf asks), and no
# logik-refresh anywhere on PATH: the binary must come from the platform package.
export HOME="$work/home"
mkdir -p "$HOME/.config/sf"
printf '["%s"]\n' "$PLUGIN" >"$HOME/.config/sf/unsignedPluginAllowList.json"
sf() {
    env -u LOGIK_REFRESH_BIN PATH=/usr/bin:/bin SF_NPM_REGISTRY="$registry" \
        SF_USE_GENERIC_UNIX_KEYCHAIN=true SF_DISABLE_TELEMETRY=true SF_AUTOUPDATE_DISABLE=true \
        SF_HIDE_RELEASE_NOTES=true SF_SKIP_NEW_VERSION_CHECK=true "$sf_bin" "$@" </dev/null
}
step "sf plugins install $PLUGIN"
sf plugins install "$PLUGIN" >"$work/install.out" 2>&1 || { cat "$work/install.out" >&2; fail "sf plugins install"; }
installed="$HOME/.local/share/sf/node_modules"
[[ -x "$installed/$platform_package/bin/logik-refresh" ]] ||
    fail "the platform package's binary is not in $installed/$platform_package"
cmp -s "$installed/$platform_package/bin/logik-refresh" "$binary" ||
    fail "the installed binary is not the one packed"
sf plugins --json | jq -e --arg p "$PLUGIN" --arg v "$version" \
    'any(.[]; .name == $p and .version == $v and .type == "user")' >/dev/null ||
    fail "sf plugins does not list $PLUGIN $version"

jq -e '[.repository.url, .homepage, .bugs.url, .license, .author] | all(type == "string" and length > 0)' \
    "$installed/$PLUGIN/package.json" >/dev/null || fail "the installed plugin lacks the release metadata"
for file in LICENSE-MIT LICENSE-APACHE; do
    [[ -f "$installed/$PLUGIN/$file" && -f "$installed/$platform_package/$file" ]] || fail "$file is not in the packages"
done

step "sf commands, sf which, sf help logik org inspect"
sf commands --json | jq -e 'any(.[]; .id == "logik:org:inspect" and .flags["target-org"].char == "o")
    and any(.[]; .id == "logik:step:tenant-urls")' >/dev/null || fail "sf commands does not list logik org inspect with its flags"
sf which logik org inspect --json | jq -e --arg p "$PLUGIN" '.plugin == $p' >/dev/null ||
    fail "sf which logik org inspect does not name $PLUGIN"
help="$(sf help logik org inspect)" || fail "sf help logik org inspect"
for shown in '$ sf logik org inspect' '-o, --target-org'; do
    grep -qF -- "$shown" <<<"$help" || fail "sf help logik org inspect does not show '$shown': $help"
done

out="$(sf logik --version)" || fail "sf logik --version"
[[ "$out" == "logik-refresh $version" ]] || fail "sf logik --version printed '$out'"

step "sf logik run against the org emulator"
coproc EMULATOR { exec "$emulator_bin" --port 0; }
pids+=("$EMULATOR_PID")
read -r -t 30 started <&"${EMULATOR[0]}" || fail "the emulator did not start"
url="$(jq -r .url <<<"$started")"
SF_ACCESS_TOKEN="$(jq -r .accessToken <<<"$started")" \
    sf org login access-token --instance-url "$url" --no-prompt --alias uat --json >/dev/null ||
    fail "sf org login access-token"
set +e
sf logik run -o uat --runtime-url https://acme-uat.test.logik.io --json >"$work/run.json" 2>"$work/run.err"
code=$?
set -e
# 68: every step the API can do is done, and the rest waits for a person (the guided steps).
[[ $code == 0 || $code == 68 ]] || { cat "$work/run.json" "$work/run.err" >&2; fail "sf logik run exited $code"; }
jq -e --argjson code "$code" '.status == $code and .result.org.alias == "uat"
    and any(.result.steps[]; .step == "tenant-urls" and .outcome == "changed")' "$work/run.json" >/dev/null ||
    { cat "$work/run.json" >&2; fail "sf logik run: no run result in its JSON"; }
inspect="$(sf logik org inspect -o uat --json)" || fail "sf logik org inspect"
jq -e '.status == 0 and .result.alias == "uat"' <<<"$inspect" >/dev/null || fail "sf logik org inspect: $inspect"

hint="$(sf logik step configurator-url -o uat --runtime-url https://acme-uat.test.logik.io)" ||
    [[ $? == 68 ]] || fail "sf logik step configurator-url"
grep -qF 'When done: sf logik step configurator-url -o uat' <<<"$hint" ||
    fail "the hint through sf does not say sf logik: $hint"

step "npm install -g $PLUGIN: logik-refresh on PATH"
env -u LOGIK_REFRESH_BIN npm install -g --prefix "$work/global" --registry "$registry" \
    --userconfig "$work/npmrc" --no-audit --no-fund --loglevel=error "$PLUGIN@$version" >/dev/null ||
    fail "npm install -g"
out="$(env -u LOGIK_REFRESH_BIN PATH="$work/global/bin:/usr/bin:/bin" logik-refresh --version)" ||
    fail "logik-refresh (npm -g) --version"
[[ "$out" == "logik-refresh $version" ]] || fail "npm -g logik-refresh --version printed '$out'"
set +e
err="$(cd "$work" && env -u LOGIK_REFRESH_BIN PATH="$work/global/bin:/usr/bin:/bin" logik-refresh case validate missing.json 2>&1)"
set -e
grep -qF 'Write one with: logik-refresh case build' <<<"$err" || fail "npm -g logik-refresh's hint: $err"

step "passed: sf plugins install from a loopback registry, sf commands/which/help, sf logik run and its hints, npm install -g"
