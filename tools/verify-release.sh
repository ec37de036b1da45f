#!/usr/bin/env bash
# Checks a Craton HSM release directory before deployment: a thin wrapper around
# `craton-admin verify-release` (the checks) plus --rebuild (a rebuild from source compared
# byte for byte). See docs/release.md.
set -uo pipefail

PROG=verify-release
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

usage() {
    cat <<'EOF_USAGE'
Usage: tools/verify-release.sh DIR [options]

Runs `craton-admin verify-release DIR` (every package opened and compared with release.json
and the release policy; SHA256SUMS; signatures with --keyring; the commit; sidecars; SBOM;
the locked toolchain) and, with --rebuild, rebuilds the release's commit and compares every
file. Exits 0 only when every check passes.

Options:
  --keyring FILE              OpenPGP keys SHA256SUMS.asc and release.json.asc must verify with.
  --commit SHA                The commit release.json must name (default: HEAD of --repo).
  --repo DIR                  Git repository holding the release's commit (sources, lock,
                              version, and --rebuild). Default: the checkout holding this script.
  --rebuild                   Rebuild from source and compare every file (needs mmdebstrap,
                              bubblewrap and a few minutes).
  --keep-rebuild DIR          Keep the rebuilt release in DIR (must not exist or be empty).
  --no-diffoscope             Do not run diffoscope on rebuild mismatches.
  --allow-toolchain-mismatch  A recorded environment that differs from the commit's lock is a
                              warning instead of a failure.
  --json                      craton-admin's JSON report (not with --rebuild).
  -h, --help                  This help.
The craton-admin used: $CRATON_ADMIN, else `craton-admin` on PATH, else one built from this
checkout (cargo build --locked --release -p craton-admin).
EOF_USAGE
}

DIR= REBUILD=0 REPO= KEEP_REBUILD= DIFFOSCOPE=1
ARGS=()
while [ $# -gt 0 ]; do
    case "$1" in
        --rebuild) REBUILD=1; shift ;;
        --repo) [ $# -ge 2 ] || { usage >&2; exit 2; }; REPO=$2; shift 2 ;;
        --repo=*) REPO=${1#*=}; shift ;;
        --keep-rebuild) [ $# -ge 2 ] || { usage >&2; exit 2; }; KEEP_REBUILD=$2; shift 2 ;;
        --keep-rebuild=*) KEEP_REBUILD=${1#*=}; shift ;;
        --no-diffoscope) DIFFOSCOPE=0; shift ;;
        --keyring|--commit) [ $# -ge 2 ] || { usage >&2; exit 2; }; ARGS+=("$1" "$2"); shift 2 ;;
        --keyring=*|--commit=*|--allow-toolchain-mismatch|--json) ARGS+=("$1"); shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "$PROG: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) [ -z "$DIR" ] || { echo "$PROG: only one DIR" >&2; exit 2; }; DIR=$1; shift ;;
    esac
done
[ -n "$DIR" ] || { usage >&2; exit 2; }
[ -d "$DIR" ] || { echo "$PROG: $DIR is not a directory" >&2; exit 2; }
DIR=$(cd "$DIR" && pwd -P)
[ -n "$REPO" ] || REPO=$SELF_DIR/..
REPO=$(cd "$REPO" && pwd -P)

ADMIN=${CRATON_ADMIN:-}
if [ -z "$ADMIN" ]; then
    if command -v craton-admin >/dev/null; then
        ADMIN=$(command -v craton-admin)
    else
        (cd "$SELF_DIR/.." && cargo build --locked --release -q -p craton-admin) >&2 ||
            { echo "$PROG: cannot build craton-admin (set CRATON_ADMIN)" >&2; exit 2; }
        ADMIN=$SELF_DIR/../target/release/craton-admin
    fi
fi

RC=0
"$ADMIN" verify-release "$DIR" --repo "$REPO" "${ARGS[@]}" || RC=1
[ "$REBUILD" = 1 ] || exit "$RC"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/craton-verify.XXXXXX")
trap 'rm -rf "$TMP"' EXIT
sha() { sha256sum "$1" | cut -d' ' -f1; }
FAILS=0
fail() { FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
ok() { echo "ok:   $*"; }

# Shows the first differences between two files, when diffoscope is installed.
show_diff() {
    if [ "$DIFFOSCOPE" = 1 ] && command -v diffoscope >/dev/null; then
        echo "      first differences (diffoscope):"
        timeout 600 diffoscope --no-progress --text - --max-report-size 400000 "$1" "$2" 2>/dev/null |
            head -n 60 | sed 's/^/      | /'
    else
        cmp "$1" "$2" 2>&1 | head -n 1 | sed 's/^/      /'
    fi
}

COMMIT=$(jq -r '.commit // empty' "$DIR/release.json" 2>/dev/null)
VARIANT=$(jq -r '.variant // empty' "$DIR/release.json" 2>/dev/null)
if [ -z "$COMMIT" ] || [ -z "$VARIANT" ]; then
    fail "--rebuild: release.json names no commit or variant"
elif ! git -C "$REPO" cat-file -e "$COMMIT^{commit}" 2>/dev/null; then
    fail "--rebuild: commit $COMMIT is not in $REPO (git fetch it, or pass --repo)"
else
    FRESH=$TMP/rebuild
    if [ -n "$KEEP_REBUILD" ]; then
        mkdir -p "$KEEP_REBUILD"
        FRESH=$(cd "$KEEP_REBUILD" && pwd -P)
        [ -z "$(ls -A "$FRESH")" ] || { fail "--keep-rebuild $FRESH is not empty"; FRESH=; }
    fi
    if [ -n "$FRESH" ]; then
        args=(--repo "$REPO" --rev "$COMMIT" --variant "$VARIANT" --out "$FRESH")
        ls "$DIR"/*.deb "$DIR"/*.rpm >/dev/null 2>&1 || args+=(--skip-packages)
        # The Windows DLL is built elsewhere: reuse it, so the MSI around it is rebuilt.
        [ ! -f "$DIR/craton_hsm.dll" ] || args+=(--windows-dll "$DIR/craton_hsm.dll")
        echo "== rebuilding $COMMIT ($VARIANT) from source in a fresh directory"
        start=$(date +%s)
        if ! "$SELF_DIR/release.sh" "${args[@]}" >"$TMP/rebuild.log" 2>&1; then
            tail -n 30 "$TMP/rebuild.log" | sed 's/^/      | /'
            fail "--rebuild: tools/release.sh failed"
        else
            echo "   rebuilt in $(($(date +%s) - start)) s"
            while IFS= read -r f; do
                case "$f" in *.asc) continue ;; esac   # signatures are added after the build
                if [ ! -f "$FRESH/$f" ]; then
                    fail "rebuild: $f is in the release but the rebuild did not produce it"
                elif cmp -s "$DIR/$f" "$FRESH/$f"; then
                    ok "rebuild: $f is byte-identical ($(sha "$DIR/$f"))"
                else
                    fail "rebuild: $f differs (release $(sha "$DIR/$f"), rebuild $(sha "$FRESH/$f"))"
                    [ "$f" = SHA256SUMS ] || [ "$f" = release.json ] || show_diff "$DIR/$f" "$FRESH/$f"
                    [ "$f" != release.json ] || diff <(jq -S . "$DIR/$f") <(jq -S . "$FRESH/$f") | head -n 30 | sed 's/^/      | /'
                fi
            done < <(cd "$DIR" && find . -maxdepth 1 -type f -printf '%P\n' | LC_ALL=C sort)
            while IFS= read -r f; do
                [ -f "$DIR/$f" ] || fail "rebuild: produced $f, which the release does not have"
            done < <(cd "$FRESH" && find . -maxdepth 1 -type f -printf '%P\n' | LC_ALL=C sort)
        fi
    fi
fi
echo
if [ "$FAILS" -eq 0 ] && [ "$RC" -eq 0 ]; then
    echo "$PROG: OK: the checks and the rebuild passed for $DIR"
    exit 0
fi
echo "$PROG: FAILED: $FAILS rebuild checks failed$([ "$RC" -eq 0 ] || echo ', and craton-admin verify-release failed') for $DIR"
exit 1
