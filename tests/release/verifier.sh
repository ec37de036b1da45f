#!/usr/bin/env bash
# tools/verify-release.sh against a good release (exit 0) and against tampered copies of it
# (exit non-zero, naming the artifact): a changed library, a changed sidecar, a changed package,
# each both with SHA256SUMS left alone and with SHA256SUMS/release.json rewritten to match (as
# someone who controls the download directory would do), and an unlisted extra file.
# Usage: tests/release/verifier.sh DIST     (a directory made by tools/release.sh)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/release/lib.sh
. "$HERE/lib.sh"
VERIFY=$HERE/../../tools/verify-release.sh
DIST=$(cd "${1:?usage: $0 DIST}" && pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/craton-verifier-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

DEB=$(cd "$DIST" && ls -- *.deb | head -n1)
RPM=$(cd "$DIST" && ls -- *.rpm | head -n1)

# Runs the verifier on a fresh copy of the release after applying $2 (a function) to it, and
# checks the exit status ($3: 0 or nonzero) and that every further argument appears in the output.
case_() {
    local name=$1 mutate=$2 want=$3 d rc=0 pattern
    shift 3
    d=$WORK/$name
    cp -a "$DIST" "$d"
    "$mutate" "$d"
    "$VERIFY" "$d" --no-diffoscope >"$WORK/$name.log" 2>&1 || rc=$?
    if [ "$want" = 0 ] && [ "$rc" -ne 0 ]; then
        cat "$WORK/$name.log" >&2; fail "$name: the verifier failed (exit $rc) on a good release"
    fi
    if [ "$want" != 0 ] && [ "$rc" -eq 0 ]; then
        cat "$WORK/$name.log" >&2; fail "$name: the verifier passed a tampered release"
    fi
    for pattern in "$@"; do
        grep -qF -- "$pattern" "$WORK/$name.log" || { cat "$WORK/$name.log" >&2; fail "$name: output lacks: $pattern"; }
    done
    pass "$name: exit $rc$([ $# -eq 0 ] || printf ', reports: %s' "$(printf '"%s" ' "$@")")"
    rm -rf "$d"
}

nothing() { :; }
lib_changed() { flip_comment_byte "$1/libcraton_hsm.so"; }
lib_changed_resummed() { flip_comment_byte "$1/libcraton_hsm.so"; regen_sums "$1"; }
lib_and_hmac_replaced() {
    # A consistent library + sidecar pair that is not the released one: only the packages and
    # a rebuild can tell.
    flip_comment_byte "$1/libcraton_hsm.so"
    "$HERE/../../tools/compute-integrity-hmac.sh" "$1/libcraton_hsm.so" >/dev/null
    regen_sums "$1"
}
hmac_changed() {
    printf '%064d\n' 0 >"$1/libcraton_hsm.hmac"
}
hmac_changed_resummed() {
    # A well-formed sidecar for other bytes.
    printf 'x' | openssl dgst -sha256 -mac HMAC -macopt 'key:craton-hsm module integrity v1!!' -r |
        cut -d' ' -f1 >"$1/libcraton_hsm.hmac"
    regen_sums "$1"
}
deb_changed() {
    # Flip a byte near the end of the .deb (inside the compressed data member).
    flip_byte "$1/$DEB" $(($(stat -c %s "$1/$DEB") - 100))
}
deb_repacked() {
    # A well-formed deb with a modified library and consistent md5sums, SHA256SUMS rewritten.
    local x=$1/.x
    dpkg-deb -R "$1/$DEB" "$x"
    flip_comment_byte "$(find "$x" -name libcraton_hsm.so)"
    (cd "$x" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
        xargs md5sum) >"$x/DEBIAN/md5sums"
    dpkg-deb --root-owner-group -b "$x" "$1/$DEB" >/dev/null
    rm -rf "$x"
    regen_sums "$1"
}
rpm_changed() {
    flip_byte "$1/$RPM" $(($(stat -c %s "$1/$RPM") - 100))
    regen_sums "$1"
}
non_reproducible() {
    jq '.reproducible = false' \
        "$1/release.json" >"$1/release.json.new"
    mv "$1/release.json.new" "$1/release.json"
    regen_sums "$1"
}
other_toolchain() {
    jq '.toolchain.lock_sha256 = "0000000000000000000000000000000000000000000000000000000000000000"' "$1/release.json" >"$1/release.json.new"
    mv "$1/release.json.new" "$1/release.json"
    regen_sums "$1"
}
extra_file() { echo "surprise" >"$1/README.txt"; }
missing_file() { rm "$1/$RPM"; }

case_ good nothing 0 "verify-release: OK"
case_ lib-changed lib_changed 1 \
    "FAIL: libcraton_hsm.so: SHA-256 does not match SHA256SUMS" \
    "FAIL: libcraton_hsm.so: libcraton_hsm.hmac does not match libcraton_hsm.so" \
    "FAIL: $DEB: packaged libcraton_hsm.so differs from the standalone libcraton_hsm.so"
case_ lib-changed-resummed lib_changed_resummed 1 \
    "FAIL: libcraton_hsm.so: libcraton_hsm.hmac does not match libcraton_hsm.so" \
    "FAIL: $RPM: packaged libcraton_hsm.so differs from the standalone libcraton_hsm.so"
case_ lib-and-hmac-replaced lib_and_hmac_replaced 1 \
    "FAIL: $DEB: packaged libcraton_hsm.so differs from the standalone libcraton_hsm.so" \
    "FAIL: $DEB: packaged libcraton_hsm.hmac differs from the standalone one"
case_ hmac-changed hmac_changed 1 \
    "FAIL: libcraton_hsm.hmac: SHA-256 does not match SHA256SUMS" \
    "FAIL: libcraton_hsm.so: libcraton_hsm.hmac does not match libcraton_hsm.so"
case_ hmac-changed-resummed hmac_changed_resummed 1 \
    "FAIL: libcraton_hsm.so: libcraton_hsm.hmac does not match libcraton_hsm.so" \
    "FAIL: $DEB: packaged libcraton_hsm.hmac differs from the standalone one"
case_ deb-changed deb_changed 1 \
    "FAIL: $DEB: SHA-256 does not match SHA256SUMS"
case_ deb-repacked deb_repacked 1 \
    "FAIL: $DEB: packaged libcraton_hsm.so differs from the standalone libcraton_hsm.so" \
    "FAIL: $DEB: libcraton_hsm.hmac does not match libcraton_hsm.so"
case_ rpm-changed rpm_changed 1 \
    "FAIL: $RPM: the package's own digests do not hold"
case_ non-reproducible non_reproducible 1 \
    "FAIL: release.json: built with a toolchain that differs from packaging/toolchain.lock"
case_ other-toolchain other_toolchain 1 \
    "FAIL: toolchain: lock_sha256: release built with \"0000000000000000000000000000000000000000000000000000000000000000\""
case_ extra-file extra_file 1 \
    "FAIL: README.txt: present in the release but not listed in SHA256SUMS"
case_ missing-file missing_file 1 \
    "FAIL: $RPM: listed in SHA256SUMS but missing"
echo "verifier test: OK"
