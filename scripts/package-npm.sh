#!/usr/bin/env bash
# Packs logik-refresh for npm: one package per platform holding that platform's binary
# (os/cpu/libc fields, so npm installs only the matching one) and the sf plugin, which lists them
# all as optionalDependencies and carries the oclif manifest made from a binary's own command
# tree (scripts/sf-plugin-manifest.js). All carry the version in Cargo.toml (a mismatch is an
# error), the same release metadata (repository, homepage, bugs, license, author; made here and
# nowhere else) and LICENSE-MIT and LICENSE-APACHE.
#
#   scripts/package-npm.sh [--out DIR]                    this machine's package from
#                                                         target/release/logik-refresh, and the plugin
#   scripts/package-npm.sh --target TRIPLE --binary PATH [--out DIR]    one platform package
#   scripts/package-npm.sh --plugin --binary PATH [--out DIR]    the plugin only; PATH is a
#                                                         binary this machine runs (for its tree)
#   --repository OWNER/NAME   the GitHub repository the packages name (default: $GITHUB_REPOSITORY,
#                             which Actions sets; else the placeholder below, for local packs)
#
# Prints the paths of the tarballs it wrote (default DIR: target/npm). Needs npm, node and jq.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
plugin_src="$repo/sf-plugin"
platforms="$plugin_src/platforms.json"

die() { echo "package-npm: $*" >&2; exit 1; }

# Nothing in the repository names its public home yet: local packs say this placeholder; the
# release workflow passes its own repository (npm's provenance check wants that one).
REPOSITORY_PLACEHOLDER="OWNER/logik-refresh"
out="$repo/target/npm" target="" binary="" want_plugin="" want_platform=""
repository="${GITHUB_REPOSITORY:-$REPOSITORY_PLACEHOLDER}"
while (($#)); do
    case "$1" in
        --out) out="$2"; shift 2 ;;
        --target) target="$2"; want_platform=1; shift 2 ;;
        --binary) binary="$2"; shift 2 ;;
        --plugin) want_plugin=1; shift ;;
        --repository) repository="$2"; shift 2 ;;
        -h | --help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown argument '$1'" ;;
    esac
done
if [[ -z "$want_plugin$want_platform" ]]; then
    want_plugin=1 want_platform=1
    target="$(rustc -vV | sed -n 's/^host: //p')"
    binary="$repo/target/release/logik-refresh"
fi
command -v jq >/dev/null || die "needs jq"
command -v npm >/dev/null || die "needs npm"
command -v node >/dev/null || die "needs node"
[[ "$repository" =~ ^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$ ]] || die "--repository must be OWNER/NAME, not '$repository'"
[[ -f "$binary" && -x "$binary" ]] || die "no executable binary at '${binary:-}' (build it: cargo build --release; with --plugin, name one with --binary)"

version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$repo/Cargo.toml" | head -n1)"
[[ -n "$version" ]] || die "no version in Cargo.toml"
mkdir -p "$out"
out="$(cd "$out" && pwd -P)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# The release metadata every package carries, merged into its package.json ($1).
with_metadata() {
    local tmp="$1.tmp"
    jq --arg r "$repository" '. + {
        license: "MIT OR Apache-2.0",
        author: "the logik-refresh authors",
        repository: {type: "git", url: "git+https://github.com/\($r).git"},
        homepage: "https://github.com/\($r)#readme",
        bugs: {url: "https://github.com/\($r)/issues"}
    }' "$1" >"$tmp" && mv "$tmp" "$1"
}

pack() { # $1: package folder; prints the tarball's path
    local name
    cp "$repo/LICENSE-MIT" "$repo/LICENSE-APACHE" "$1/"
    with_metadata "$1/package.json"
    name="$(cd "$1" && npm pack --silent --pack-destination "$out" | tail -n1)"
    echo "$out/$name"
}

if [[ -n "$want_platform" ]]; then
    entry="$(jq -ce --arg t "$target" '.[] | select(.target == $t)' "$platforms")" ||
        die "no package for target '$target' in sf-plugin/platforms.json"
    name="$(jq -r .package <<<"$entry")"
    exe="$(jq -r .exe <<<"$entry")"
    dir="$work/$name"
    mkdir -p "$dir/bin"
    cp "$binary" "$dir/bin/$exe"
    chmod 755 "$dir/bin/$exe"
    jq -n --argjson p "$entry" --arg v "$version" '{
        name: $p.package,
        version: $v,
        description: "The logik-refresh binary for \($p.os) \($p.cpu)\(if $p.libc then " (\($p.libc))" else "" end); installed by logik-refresh-sf-plugin.",
        os: [$p.os],
        cpu: [$p.cpu],
        files: ["bin", "LICENSE-MIT", "LICENSE-APACHE"],
        preferUnplugged: true
    } + (if $p.libc then {libc: [$p.libc]} else {} end)' >"$dir/package.json"
    printf '# %s\n\nThe `logik-refresh` binary for `%s`, installed by `logik-refresh-sf-plugin` as an\noptional dependency. Install the plugin, not this package.\n' \
        "$name" "$target" >"$dir/README.md"
    pack "$dir"
fi

if [[ -n "$want_plugin" ]]; then
    # Every platform package at exactly this version, and the plugin's own version the same.
    jq -e --arg v "$version" --slurpfile p "$platforms" '
        .version == $v and (.optionalDependencies == ($p[0] | map({key: .package, value: $v}) | from_entries))
    ' "$plugin_src/package.json" >/dev/null ||
        die "sf-plugin/package.json: version and optionalDependencies must all be $version (Cargo.toml), one per platform in platforms.json"
    cp -R "$plugin_src" "$work/plugin"
    # The manifest: every command of the binary, its examples as typed under sf.
    LOGIK_REFRESH_SF_PLUGIN=1 "$binary" command-tree >"$work/tree.json" ||
        die "$binary command-tree failed (a binary this machine runs, at version $version)"
    node "$repo/scripts/sf-plugin-manifest.js" "$work/tree.json" "$work/plugin" ||
        die "could not write the oclif manifest"
    pack "$work/plugin"
fi
