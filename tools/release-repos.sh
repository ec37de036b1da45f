#!/usr/bin/env bash
# Turns verified, signed releases into signed package repositories, so hosts install with
# their own package manager and its signature checks (no [trusted=yes], no gpgcheck=0):
#   OUT/apt/   a flat apt repository: the debs, Packages(.gz), Release, InRelease, Release.gpg
#   OUT/rpm/   a yum/dnf repository: the rpms signed by rpmsign (gpgcheck), repodata/
#              (createrepo_c), repodata/repomd.xml.asc (repo_gpgcheck)
#   OUT/craton-hsm-archive-keyring.gpg   the signing key (binary) for apt's signed-by
#   OUT/craton-hsm.asc                   the signing key (armored) for dnf's gpgkey
#   OUT/craton-hsm.sources, OUT/craton-hsm.repo   client configuration for URL (--url)
# Every release is checked first with craton-admin verify-release --keyring, and its signed rpms
# after signing (--signed-rpms: the released bytes but for the signature header).
set -euo pipefail
PROG=release-repos
usage() {
    cat >&2 <<'EOF_USAGE'
Usage: tools/release-repos.sh --local-user KEYID --keyring FILE --out DIR [--url URL] RELEASE_DIR...
  --local-user KEYID  the gpg key that signs the repository metadata and the rpms
  --keyring FILE      OpenPGP keys the releases' SHA256SUMS.asc / release.json.asc must verify with
  --out DIR           where the repositories go (must not exist or be empty)
  --url URL           where OUT will be served (default: file://OUT), for the client files
CRATON_ADMIN names the craton-admin to verify with (default: craton-admin on PATH).
EOF_USAGE
    exit 2
}
KEY= KEYRING= OUT= URL= RELEASES=()
while [ $# -gt 0 ]; do
    case "$1" in
        --local-user) [ $# -ge 2 ] || usage; KEY=$2; shift 2 ;;
        --keyring) [ $# -ge 2 ] || usage; KEYRING=$2; shift 2 ;;
        --out) [ $# -ge 2 ] || usage; OUT=$2; shift 2 ;;
        --url) [ $# -ge 2 ] || usage; URL=$2; shift 2 ;;
        -h|--help) usage ;;
        -*) usage ;;
        *) RELEASES+=("$1"); shift ;;
    esac
done
[ -n "$KEY" ] && [ -n "$KEYRING" ] && [ -n "$OUT" ] && [ ${#RELEASES[@]} -gt 0 ] || usage
for t in gpg apt-ftparchive createrepo_c rpmsign; do
    command -v "$t" >/dev/null || { echo "$PROG: $t is needed (apt-get install gnupg apt-utils createrepo-c rpm)" >&2; exit 1; }
done
ADMIN=${CRATON_ADMIN:-craton-admin}
mkdir -p "$OUT"
[ -z "$(ls -A "$OUT")" ] || { echo "$PROG: $OUT is not empty" >&2; exit 1; }
OUT=$(cd "$OUT" && pwd -P)
URL=${URL:-file://$OUT}
mkdir -p "$OUT/apt" "$OUT/rpm"

gpg --batch --export "$KEY" >"$OUT/craton-hsm-archive-keyring.gpg"
gpg --batch --armor --export "$KEY" >"$OUT/craton-hsm.asc"

# The rpms are signed for dnf's gpgcheck (rpm 4.18 signs the header, which holds the payload's
# digest); the release keeps the unsigned, reproducible ones, and verify-release --signed-rpms
# proves each signed copy is that package plus a signature.
for rel in "${RELEASES[@]}"; do
    commit=$(jq -r .commit "$rel/release.json")
    signed=$OUT/signing
    rm -rf "$signed" && mkdir "$signed"
    cp "$rel"/*.rpm "$signed/" 2>/dev/null || true
    for r in "$signed"/*.rpm; do
        [ -e "$r" ] || continue
        rpmsign --define "_gpg_name $KEY" --define "__gpg $(command -v gpg)" --addsign "$r" >"$OUT/rpmsign.log" 2>&1 ||
            { cat "$OUT/rpmsign.log" >&2; echo "$PROG: rpmsign failed for $r" >&2; exit 1; }
    done
    "$ADMIN" verify-release "$rel" --keyring "$KEYRING" --commit "$commit" \
        --signed-rpms "$signed" --rpm-keyring "$OUT/craton-hsm.asc" >"$OUT/verify.log" 2>&1 ||
        { cat "$OUT/verify.log" >&2; echo "$PROG: $rel does not verify: nothing published" >&2; exit 1; }
    cp "$rel"/*.deb "$OUT/apt/" 2>/dev/null || true
    mv "$signed"/*.rpm "$OUT/rpm/" 2>/dev/null || true
    rm -rf "$signed"
done
rm -f "$OUT/verify.log" "$OUT/rpmsign.log"

# apt: a flat repository ("deb URL/apt ./"), Release signed inline and detached.
(
    cd "$OUT/apt"
    apt-ftparchive packages . >Packages
    gzip -9nk Packages
    apt-ftparchive -o APT::FTPArchive::Release::Origin=craton-hsm \
        -o APT::FTPArchive::Release::Label=craton-hsm -o APT::FTPArchive::Release::Suite=stable \
        -o APT::FTPArchive::Release::Codename=stable release . >Release
    gpg --batch --yes --local-user "$KEY" --clearsign -o InRelease Release
    gpg --batch --yes --local-user "$KEY" --armor --detach-sign -o Release.gpg Release
)
# dnf: repodata with its repomd.xml signed (repo_gpgcheck); the signed rpms' checksums are in it.
createrepo_c --quiet "$OUT/rpm" >/dev/null
gpg --batch --yes --local-user "$KEY" --armor --detach-sign -o "$OUT/rpm/repodata/repomd.xml.asc" "$OUT/rpm/repodata/repomd.xml"
cat >"$OUT/craton-hsm.sources" <<EOF_SRC
Types: deb
URIs: $URL/apt
Suites: ./
Signed-By: /usr/share/keyrings/craton-hsm-archive-keyring.gpg
EOF_SRC
cat >"$OUT/craton-hsm.repo" <<EOF_REPO
[craton-hsm]
name=Craton HSM
baseurl=$URL/rpm
enabled=1
repo_gpgcheck=1
gpgcheck=1
gpgkey=$URL/craton-hsm.asc
EOF_REPO
echo "$PROG: apt repository $OUT/apt, dnf repository $OUT/rpm (signed by $KEY)"
