#!/usr/bin/env bash
# The one-command front door of Craton HSM releases (docs/release.md). It exports a commit and
# runs that commit's declared step graph (packaging/steps.toml) inside the build environment
# locked by that commit's packaging/toolchain.lock, through tools/craton-build: the same steps
# that `bazel build //:release` and `nix build .#release` run. Run with --help for the flags.
set -euo pipefail

PROG=tools/release.sh
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

usage() {
    cat <<'EOF_USAGE'
Usage: tools/release.sh [options]

Builds a reproducible Craton HSM release from a git commit (default: HEAD of this checkout).
The commit is exported with `git archive` into a fresh work directory; that commit's
tools/craton-build runs its declared steps (packaging/steps.toml: library, hmac, sbom, deb, rpm,
msi, release) inside the clean-room build root made from its packaging/toolchain.lock (every
.deb and Rust component verified by SHA-256; bubblewrap; fixed paths, user and environment; no
network). Uncommitted changes are never included. Nothing of the caller's environment (cargo
configs, RUSTC, RUSTFLAGS, CC, umask, locale, HOME, TMPDIR) reaches the build.

Options:
  --variant default|fips   default: RustCrypto backend. fips: AWS-LC FIPS backend
                           (--no-default-features --features awslc-backend). Default: default.
  --out DIR                Where the release goes; must not exist or be empty.
                           Default: dist/<variant> under the current directory.
  --rev REV                Commit, tag or branch to build. Default: HEAD.
  --repo DIR               Git repository to take REV from. Default: the checkout holding
                           this script.
  --work-dir DIR           Where the source is exported and built (must not exist or be empty).
                           Default: a new directory under ${TMPDIR:-/tmp}, removed afterwards.
  --keep-work              Keep the work directory (step logs: <work>/<step>.log).
  --jobs N                 Parallel jobs for cargo (CARGO_BUILD_JOBS; never changes the bytes).
  --skip-packages          Only the library, .hmac, SBOM, SHA256SUMS and release.json.
  --windows-dll PATH       A craton_hsm.dll built on Windows from the same commit and variant:
                           it is added with its .hmac and the MSI is built around it. (The FIPS
                           DLL needs MSVC; it cannot be built here.)
  --print-toolchain        Print the locked build environment of REV (JSON, as release.json
                           records it) and exit.
  --strict-toolchain       Accepted for compatibility: every build is strict now (a build
                           environment that differs from the lock is refused).
  -h, --help               This help.

Environment: CRATON_RELEASE_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/craton-hsm-release)
holds the downloaded .debs, crates, the build root and the Rust toolchain copy; it is verified
on every use and may be shared read-only between users.

Output (dist/<variant>/): libcraton_hsm.so, libcraton_hsm.hmac, the workspace's binaries
(craton-admin, once it exists), craton-hsm-<version>-<variant>.cdx.json (CycloneDX SBOM), the deb
and the rpm, craton_hsm.dll + craton_hsm.hmac + the MSI with --windows-dll, release.json
(commit, variant, build environment, every artifact's SHA-256) and SHA256SUMS (every file).
Check a release with tools/verify-release.sh DIR [--rebuild].
EOF_USAGE
}

die() { echo "$PROG: error: $*" >&2; exit 1; }
note() { echo "$PROG: $*" >&2; }

VARIANT=default OUT= REV=HEAD REPO= WORK= KEEP_WORK=0 JOBS= SKIP_PACKAGES=0 WINDOWS_DLL= PRINT_TOOLCHAIN=0
need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --variant) need_arg "$@"; VARIANT=$2; shift 2 ;;
        --variant=*) VARIANT=${1#*=}; shift ;;
        --out) need_arg "$@"; OUT=$2; shift 2 ;;
        --out=*) OUT=${1#*=}; shift ;;
        --rev) need_arg "$@"; REV=$2; shift 2 ;;
        --rev=*) REV=${1#*=}; shift ;;
        --repo) need_arg "$@"; REPO=$2; shift 2 ;;
        --repo=*) REPO=${1#*=}; shift ;;
        --work-dir) need_arg "$@"; WORK=$2; shift 2 ;;
        --work-dir=*) WORK=${1#*=}; shift ;;
        --keep-work) KEEP_WORK=1; shift ;;
        --jobs|-j) need_arg "$@"; JOBS=$2; shift 2 ;;
        --jobs=*) JOBS=${1#*=}; shift ;;
        --skip-packages) SKIP_PACKAGES=1; shift ;;
        --windows-dll) need_arg "$@"; WINDOWS_DLL=$2; shift 2 ;;
        --windows-dll=*) WINDOWS_DLL=${1#*=}; shift ;;
        --strict-toolchain) shift ;;
        --print-toolchain) PRINT_TOOLCHAIN=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
case "$VARIANT" in default|fips) ;; *) die "--variant must be default or fips, not '$VARIANT'" ;; esac
if [ -n "$JOBS" ]; then
    case "$JOBS" in *[!0-9]*|0) die "--jobs needs a positive number" ;; esac
    export CARGO_BUILD_JOBS=$JOBS
fi
abspath() { case "$1" in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$(pwd -P)" "$1" ;; esac; }

command -v git >/dev/null || die "git is required"
[ -n "$REPO" ] || REPO=$SELF_DIR/..
REPO=$(git -C "$REPO" rev-parse --show-toplevel 2>/dev/null) || die "$REPO is not a git checkout"
COMMIT=$(git -C "$REPO" rev-parse --verify --quiet "$REV^{commit}") || die "no commit '$REV' in $REPO"
EPOCH=$(git -C "$REPO" log -1 --format=%ct "$COMMIT")

if [ "$PRINT_TOOLCHAIN" = 1 ]; then
    tmp=$(mktemp -d "${TMPDIR:-/tmp}/craton-toolchain.XXXXXX")
    trap 'rm -rf "$tmp"' EXIT
    git -C "$REPO" archive --format=tar "$COMMIT" tools packaging rust-toolchain.toml | tar -x -C "$tmp"
    [ -x "$tmp/tools/craton-build" ] || die "commit $COMMIT has no tools/craton-build (made before the locked build)"
    "$tmp/tools/craton-build" --src "$tmp" identity
    exit 0
fi

if [ "$(git -C "$REPO" rev-parse HEAD)" = "$COMMIT" ] &&
    [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
    note "note: $REPO has uncommitted changes; they are NOT part of this build (commit $COMMIT)"
fi
[ -n "$OUT" ] || OUT=dist/$VARIANT
OUT=$(abspath "$OUT")
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
    die "--out $OUT is not empty; remove it or choose another directory"
fi
if [ -n "$WINDOWS_DLL" ]; then
    WINDOWS_DLL=$(abspath "$WINDOWS_DLL")
    [ -f "$WINDOWS_DLL" ] || die "--windows-dll $WINDOWS_DLL: not a file"
fi
if [ -n "$WORK" ]; then
    WORK=$(abspath "$WORK")
    [ ! -e "$WORK" ] || [ -z "$(ls -A "$WORK" 2>/dev/null)" ] || die "--work-dir $WORK is not empty"
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/craton-release.XXXXXX")
fi
WORK=$(cd "$WORK" && pwd -P)
cleanup() { if [ "$KEEP_WORK" = 1 ]; then note "work directory kept: $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

note "building commit $COMMIT ($(git -C "$REPO" log -1 --format=%cd --date=iso-strict "$COMMIT")), variant $VARIANT"
mkdir -p "$WORK/src"
git -C "$REPO" archive --format=tar "$COMMIT" | tar -x -C "$WORK/src"
[ -x "$WORK/src/tools/craton-build" ] ||
    die "commit $COMMIT has no tools/craton-build: it predates the locked build; build it with its own tools/release.sh"

args=(--src "$WORK/src" release --variant "$VARIANT" --commit "$COMMIT" --epoch "$EPOCH"
    --work "$WORK" --out "$OUT")
[ "$SKIP_PACKAGES" = 0 ] || args+=(--skip-packages)
[ -z "$WINDOWS_DLL" ] || args+=(--windows-dll "$WINDOWS_DLL")
start=$(date +%s)
"$WORK/src/tools/craton-build" "${args[@]}" || die "the release build failed (logs: --keep-work)"
note "built in $(($(date +%s) - start)) s"
cat "$OUT/SHA256SUMS"
