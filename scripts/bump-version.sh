#!/usr/bin/env bash
# Sets the release version everywhere it is written: Cargo.toml (the package), Cargo.lock (its
# entry), sf-plugin/package.json (the plugin's version and each platform package it depends on,
# one per sf-plugin/platforms.json entry). The packaging script and the tests refuse any
# disagreement between them.
#
#   scripts/bump-version.sh 0.2.0    write 0.2.0 everywhere; prints it
#   scripts/bump-version.sh --check  prints the version when all places agree, else fails
#                                    naming the ones that do not (the release workflow runs it)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
die() { echo "bump-version: $*" >&2; exit 1; }

command -v jq >/dev/null || die "needs jq"
cargo_toml="$repo/Cargo.toml" cargo_lock="$repo/Cargo.lock"
plugin="$repo/sf-plugin/package.json" platforms="$repo/sf-plugin/platforms.json"

if [[ "${1:-}" == --check ]]; then
    version="$(awk '/^\[/ { p = ($0 == "[package]") } p && /^version = "/ { gsub(/^version = "|"$/, ""); print; exit }' "$cargo_toml")"
    [[ -n "$version" ]] || die "no version under [package] in Cargo.toml"
    locked="$(awk 'prev == "name = \"logik-refresh\"" && /^version = "/ { gsub(/^version = "|"$/, ""); print } { prev = $0 }' "$cargo_lock")"
    bad=()
    [[ "$locked" == "$version" ]] || bad+=("Cargo.lock has ${locked:-none}")
    [[ "$(jq -r .version "$plugin")" == "$version" ]] || bad+=("sf-plugin/package.json's version is $(jq -r .version "$plugin")")
    while read -r wrong; do bad+=("sf-plugin/package.json's optionalDependencies: $wrong"); done < <(
        jq -r --arg v "$version" --slurpfile p "$platforms" '
            ($p[0] | map(.package)) as $want | (.optionalDependencies // {}) as $deps
            | ($want[] | select($deps[.] != $v) | "\(.) is \($deps[.] // "missing")"),
              ($deps | keys[] | select(. as $k | $want | index($k) | not) | "\(.) is not in platforms.json")' "$plugin")
    ((${#bad[@]} == 0)) || die "Cargo.toml says $version, but: $(IFS=';'; echo "${bad[*]}"). Fix with: scripts/bump-version.sh $version"
    echo "$version"
    exit 0
fi

new="${1:-}"
[[ "$new" =~ ^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] || die "usage: bump-version.sh X.Y.Z (semver, got '$new'), or --check"

# Cargo.toml: the first `version = ` after [package], nothing else (dependencies keep theirs).
awk -v v="$new" '
    /^\[/ { in_package = ($0 == "[package]") }
    in_package && !done && /^version = "/ { print "version = \"" v "\""; done = 1; next }
    { print }
    END { if (!done) exit 1 }
' "$cargo_toml" >"$cargo_toml.tmp" || die "no version under [package] in Cargo.toml"
# Cargo.lock: the version line right after `name = "logik-refresh"`.
awk -v v="$new" '
    prev == "name = \"logik-refresh\"" && /^version = "/ { print "version = \"" v "\""; done = 1; prev = ""; next }
    { prev = $0; print }
    END { if (!done) exit 1 }
' "$cargo_lock" >"$cargo_lock.tmp" || die "no logik-refresh entry in Cargo.lock"
jq --arg v "$new" --slurpfile p "$platforms" \
    '.version = $v | .optionalDependencies = ($p[0] | map({key: .package, value: $v}) | from_entries)' \
    "$plugin" >"$plugin.tmp" || die "could not rewrite sf-plugin/package.json"
# All three rewritten, then all three moved into place.
mv "$cargo_toml.tmp" "$cargo_toml"
mv "$cargo_lock.tmp" "$cargo_lock"
mv "$plugin.tmp" "$plugin"
echo "$new"
