#!/usr/bin/env bash
# Signs a release directory for publication: detached, armored OpenPGP signatures of
# SHA256SUMS and release.json (SHA256SUMS.asc, release.json.asc) with the publisher's gpg key.
# The artifacts are never touched (their bytes are the reproducible ones). Users check them
# with `craton-admin verify-release DIR --keyring publisher.asc`. See docs/release.md.
set -euo pipefail
usage() { echo "Usage: tools/sign-release.sh [--local-user KEYID] DIR" >&2; exit 2; }
KEY=()
while [ $# -gt 0 ]; do
    case "$1" in
        --local-user|-u) [ $# -ge 2 ] || usage; KEY=(--local-user "$2"); shift 2 ;;
        -h|--help) usage ;;
        -*) usage ;;
        *) DIR=$1; shift ;;
    esac
done
[ -n "${DIR:-}" ] && [ -f "$DIR/SHA256SUMS" ] && [ -f "$DIR/release.json" ] ||
    { echo "sign-release: $DIR holds no SHA256SUMS and release.json" >&2; exit 1; }
for f in SHA256SUMS release.json; do
    rm -f "$DIR/$f.asc"
    gpg --batch --yes "${KEY[@]}" --armor --detach-sign --output "$DIR/$f.asc" "$DIR/$f"
    gpg --batch --verify "$DIR/$f.asc" "$DIR/$f" 2>/dev/null || { echo "sign-release: $f.asc does not verify" >&2; exit 1; }
    echo "signed $DIR/$f -> $f.asc"
done
