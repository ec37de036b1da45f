#!/usr/bin/env bash
# tools/release-repos.sh on a real, signed release: the signed apt repository installs the
# package into a clean Debian root made by mmdebstrap (apt checks InRelease against signed-by),
# the signed dnf repository is read by dnf with repo_gpgcheck and gpgcheck (Debian's dnf; the package is
# fetched by dnf and installed with rpm --root, as no Fedora/RHEL base repository is reachable
# here for its libc dependencies); the installed module loads (POST: integrity=OK) and
# verify-install passes. The same repositories with a bad signature fail in apt and dnf, and so
# does an rpm signed by a key dnf was not given.
# Usage: tests/release/repos.sh DIST      (needs root, network to the Debian archive, CRATON_ADMIN)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/release/lib.sh
. "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && pwd)
DIST=$(cd "${1:?usage: $0 DIST}" && pwd)
: "${CRATON_ADMIN:?set CRATON_ADMIN}"
export CRATON_ADMIN
for t in gpg apt-ftparchive createrepo_c dnf mmdebstrap pkcs11-tool; do
    command -v "$t" >/dev/null || fail "$t is needed"
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/craton-repos-test.XXXXXX")
chmod 0755 "$WORK"
trap 'rm -rf "$WORK"' EXIT
export GNUPGHOME=$WORK/gnupg
mkdir -m 0700 "$GNUPGHOME"
gpg -q --batch --passphrase '' --quick-gen-key 'Craton repo test <repo@craton-hsm.invalid>' ed25519 sign never 2>/dev/null
gpg -q --export --armor repo@craton-hsm.invalid >"$WORK/publisher.asc"
REL=$WORK/release
cp -a "$DIST" "$REL"
"$REPO/tools/sign-release.sh" --local-user repo@craton-hsm.invalid "$REL" >/dev/null
PKG=$(dpkg-deb -f "$REL"/*.deb Package)
OUT=$WORK/repos
"$REPO/tools/release-repos.sh" --local-user repo@craton-hsm.invalid --keyring "$WORK/publisher.asc" --out "$OUT" "$REL"
pass "release-repos.sh: signed apt and dnf repositories from a verified release"
MIRROR=$(sed -n 's/^URIs: *//p' /etc/apt/sources.list.d/debian.sources 2>/dev/null | head -n1)
MIRROR=${MIRROR:-http://deb.debian.org/debian}

# --- apt: a clean root, the package from the signed repository ------------------------------
apt_root() { # REPOS ROOT: mmdebstrap minbase + the package; REPOS is at the same path inside
    # the root as outside (apt runs on both sides), bound read-only while the root is made.
    mmdebstrap --quiet --variant=minbase --include="$PKG,opensc" \
        --setup-hook="mkdir -p \"\$1$1\" && mount -o bind,ro '$1' \"\$1$1\"" \
        --customize-hook="umount \"\$1$1\"" \
        bookworm "$2" "deb $MIRROR bookworm main" \
        "deb [signed-by=$1/craton-hsm-archive-keyring.gpg] file://$1/apt ./"
}
R=$WORK/apt-root
apt_root "$OUT" "$R" >"$WORK/mmdebstrap.log" 2>&1 || { tail -n 40 "$WORK/mmdebstrap.log" >&2; fail "apt-get install $PKG from the signed repository failed"; }
LIB=$(find "$R/usr/lib" -name libcraton_hsm.so | head -n1)
cmp -s "$LIB" "$REL/libcraton_hsm.so" || fail "apt: the installed library is not the released one"
pass "apt: $PKG installed by apt into a clean mmdebstrap root from the signed repository (signed-by, no trusted=yes)"
mkdir -p "$R/tmp/t"
chroot "$R" env HOME=/tmp/t XDG_DATA_HOME=/tmp/t/data CRATON_HSM_LOG=info \
    pkcs11-tool --module "${LIB#"$R"}" --list-slots >"$WORK/apt-load.log" 2>&1 ||
    { cat "$WORK/apt-load.log" >&2; fail "apt: the installed module does not load in the root"; }
[ "$(integrity_verdict "$WORK/apt-load.log")" = OK ] || { cat "$WORK/apt-load.log" >&2; fail "apt: no POST: integrity=OK"; }
pass "apt: the installed module loads in the root (POST: integrity=OK)"
"$CRATON_ADMIN" verify-install --release "$REL" --keyring "$WORK/publisher.asc" --root "$R" >"$WORK/apt-vi.log" 2>&1 ||
    { cat "$WORK/apt-vi.log" >&2; fail "apt: verify-install fails on the root"; }
pass "apt: verify-install passes on the root"
flip_byte "$LIB" 1000
! "$CRATON_ADMIN" verify-install --release "$REL" --root "$R" >"$WORK/apt-vi2.log" 2>&1 ||
    { cat "$WORK/apt-vi2.log" >&2; fail "apt: verify-install passes after a changed byte"; }
pass "apt: verify-install fails after one byte of the installed library changed"
rm -rf "$R"

# A bad signature: InRelease and Release.gpg of other bytes (Packages changed after signing).
BAD=$WORK/bad
cp -a "$OUT" "$BAD"
sed -i 's/^Description: .*/Description: tampered/' "$BAD/apt/Packages"
(cd "$BAD/apt" && rm -f Packages.gz && gzip -9nk Packages &&
    apt-ftparchive release . >Release.new && sed -n '/^-----BEGIN PGP SIGNATURE/,$p' InRelease >sig &&
    { echo '-----BEGIN PGP SIGNED MESSAGE-----'; echo 'Hash: SHA512'; echo; cat Release.new; cat sig; } >InRelease &&
    mv Release.new Release && rm sig)
# apt itself (update, as on a host) on the good and on the bad repository.
apt_update() { # REPOS
    local a=$WORK/apt-state
    rm -rf "$a" && mkdir -p "$a/etc/apt/sources.list.d" "$a/etc/apt/preferences.d" "$a/var/lib/apt/lists/partial" \
        "$a/var/cache/apt/archives/partial" "$a/var/lib/dpkg"
    touch "$a/var/lib/dpkg/status"
    echo "deb [signed-by=$1/craton-hsm-archive-keyring.gpg] file://$1/apt ./" >"$a/etc/apt/sources.list"
    apt-get -o Dir="$a" -o Dir::State::status="$a/var/lib/dpkg/status" -o Debug::NoLocking=1 \
        -o Dir::Etc::trusted="$a/etc/apt/trusted.gpg" -o Dir::Etc::trustedparts="$a/etc/apt/trusted.gpg.d" update
}
apt_update "$OUT" >"$WORK/apt-good.log" 2>&1 || { cat "$WORK/apt-good.log" >&2; fail "apt-get update fails on the good repository"; }
if apt_update "$BAD" >"$WORK/apt-bad.log" 2>&1 && ! grep -qE '^(E|W): ' "$WORK/apt-bad.log"; then
    cat "$WORK/apt-bad.log" >&2; fail "apt: accepted a repository whose signature is bad"
fi
grep -qiE 'BADSIG|invalid|not signed' "$WORK/apt-bad.log" || { cat "$WORK/apt-bad.log" >&2; fail "apt: failure is not about the signature"; }
pass "apt: a repository with a bad InRelease signature is refused by apt-get update ($(grep -oiE 'BADSIG [0-9A-F]*|signatures were invalid|is not signed' "$WORK/apt-bad.log" | head -n1)); the good one is accepted"

# --- dnf: repo_gpgcheck against the signed repodata -------------------------------------------
# No RHEL/Fedora base repository is reachable here: the install root gets, in its rpm database
# only (--justdb), a stand-in that provides what the package requires of the base system, so
# dnf resolves and installs the package itself from the signed repository.
RPMREL=$(ls "$REL"/*.rpm)
base_provides() { # -> an rpm providing RPMREL's requirements (libc.so.6(...), ...)
    local top=$WORK/rpmbuild spec=$WORK/base.spec
    mkdir -p "$top"
    { echo "Name: base-system-stand-in"; echo "Version: 1"; echo "Release: 1"; echo "Summary: test stand-in"
      echo "License: none"; echo "BuildArch: noarch"
      rpm -qp --requires "$RPMREL" 2>/dev/null | grep -v '^rpmlib(' | sed 's/^/Provides: /'
      echo "%description"; echo "stand-in for the base system's libraries (test only)"; echo "%files"; } >"$spec"
    rpmbuild -bb --quiet --define "_topdir $top" "$spec" >/dev/null 2>&1
    ls "$top"/RPMS/noarch/*.rpm
}
BASE=$(base_provides) || fail "cannot build the base-system stand-in rpm"
dnf_install() { # REPOS ROOT
    local conf=$WORK/dnf.conf
    printf '[main]\nreposdir=%s\ncachedir=%s/dnf-cache\ngpgcheck=1\n' "$WORK/dnf-repos" "$WORK" >"$conf"
    rm -rf "$WORK/dnf-repos" "$WORK/dnf-cache" "$2" && mkdir -p "$WORK/dnf-repos" "$2"
    sed "s|^baseurl=.*|baseurl=file://$1/rpm|; s|^gpgkey=.*|gpgkey=file://$1/craton-hsm.asc|" "$1/craton-hsm.repo" >"$WORK/dnf-repos/craton-hsm.repo"
    rpm --root "$2" --initdb
    rpm --root "$2" -i --justdb --nodeps "$BASE"
    dnf -y --config "$conf" --installroot "$2" --releasever 9 --disablerepo='*' --enablerepo=craton-hsm \
        install "$PKG"
}
R=$WORK/dnf-root
dnf_install "$OUT" "$R" >"$WORK/dnf.log" 2>&1 || { cat "$WORK/dnf.log" >&2; fail "dnf install $PKG from the signed repository failed"; }
LIB=$R/usr/lib64/pkcs11/libcraton_hsm.so
cmp -s "$LIB" "$REL/libcraton_hsm.so" || fail "dnf: the installed library is not the released one"
CRATON_HSM_LOG=info HOME=$WORK/h XDG_DATA_HOME=$WORK/h/data pkcs11-tool --module "$LIB" --list-slots >"$WORK/dnf-load.log" 2>&1 ||
    { cat "$WORK/dnf-load.log" >&2; fail "dnf: the module does not load"; }
[ "$(integrity_verdict "$WORK/dnf-load.log")" = OK ] || fail "dnf: no POST: integrity=OK"
"$CRATON_ADMIN" verify-install --release "$REL" --root "$R" >"$WORK/dnf-vi.log" 2>&1 || { cat "$WORK/dnf-vi.log" >&2; fail "dnf: verify-install fails"; }
flip_byte "$LIB" 1000
! "$CRATON_ADMIN" verify-install --release "$REL" --root "$R" >"$WORK/dnf-vi2.log" 2>&1 ||
    { cat "$WORK/dnf-vi2.log" >&2; fail "dnf: verify-install passes after a changed byte"; }
sig=$(rpm --root "$R" -q --qf '%{DSAHEADER:pgpsig}%{RSAHEADER:pgpsig}' "$PKG" | sed 's/(none)//g')
[ -n "$sig" ] || fail "dnf: the installed package carries no header signature"
pass "dnf: $PKG installed by dnf --installroot from the signed repository (repo_gpgcheck, gpgcheck: $sig), loads (integrity=OK); verify-install passes, and fails after one changed byte"
# The rpm signed by a key dnf does not know (repodata re-made and signed by the good key).
gpg -q --batch --passphrase '' --quick-gen-key 'Stranger <stranger@craton-hsm.invalid>' ed25519 sign never 2>/dev/null
STRANGE=$WORK/strange
cp -a "$OUT" "$STRANGE"
rpmsign --define "_gpg_name stranger@craton-hsm.invalid" --define "__gpg $(command -v gpg)" --addsign "$STRANGE"/rpm/*.rpm >/dev/null 2>&1
rm -rf "$STRANGE/rpm/repodata" && createrepo_c --quiet "$STRANGE/rpm" >/dev/null
gpg --batch --yes --local-user repo@craton-hsm.invalid --armor --detach-sign -o "$STRANGE/rpm/repodata/repomd.xml.asc" "$STRANGE/rpm/repodata/repomd.xml"
if dnf_install "$STRANGE" "$WORK/dnf-strange" >"$WORK/dnf-strange.log" 2>&1; then
    fail "dnf: installed an rpm signed by a key it was not given"
fi
grep -qiE 'GPG check FAILED|public key .* not installed|signature' "$WORK/dnf-strange.log" || { cat "$WORK/dnf-strange.log" >&2; fail "dnf: failure is not about the rpm signature"; }
pass "dnf: an rpm signed by another key is refused by dnf's gpgcheck ($(grep -iE 'GPG check FAILED|not installed' "$WORK/dnf-strange.log" | head -n1 | cut -c1-120))"
COMMIT=$(jq -r .commit "$REL/release.json")
"$CRATON_ADMIN" verify-release "$REL" --keyring "$WORK/publisher.asc" --commit "$COMMIT" --signed-rpms "$OUT/rpm" >"$WORK/good-vr.log" 2>&1 ||
    { cat "$WORK/good-vr.log" >&2; fail "verify-release --signed-rpms fails on the repository's rpms"; }
! "$CRATON_ADMIN" verify-release "$REL" --keyring "$WORK/publisher.asc" --commit "$COMMIT" \
    --signed-rpms "$STRANGE/rpm" >"$WORK/strange-vr.log" 2>&1 || { cat "$WORK/strange-vr.log" >&2; fail "verify-release accepts an rpm signed by another key"; }
grep -q 'signed by an unknown key' "$WORK/strange-vr.log" || { cat "$WORK/strange-vr.log" >&2; fail "verify-release: failure is not about the rpm signature"; }
pass "verify-release --signed-rpms: the repository's rpm is the released one plus the publisher's signature; another key's is refused"
sed -i 's/<revision>[0-9]*</<revision>1</' "$BAD/rpm/repodata/repomd.xml"
if dnf_install "$BAD" "$WORK/dnf-bad" >"$WORK/dnf-bad.log" 2>&1; then
    fail "dnf: installed from a repository whose repomd.xml signature is bad"
fi
grep -iE 'signature|verif' "$WORK/dnf-bad.log" | grep -qv 'Importing GPG key' || { cat "$WORK/dnf-bad.log" >&2; fail "dnf: failure is not about the signature"; }
pass "dnf: a repository whose repomd.xml signature is bad is refused by dnf ($(grep -iE 'signature|verif' "$WORK/dnf-bad.log" | grep -v 'Importing GPG key' | head -n1 | cut -c1-120))"
echo "repos test: OK"
