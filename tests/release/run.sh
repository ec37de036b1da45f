#!/usr/bin/env bash
# The release tests (CI runs this from .ci/run via tools/test.sh): for each variant in
# $RELEASE_TEST_VARIANTS (default: "default"), build the release of HEAD twice under different
# conditions and compare (reproducible.sh, which also runs verify-release.sh --rebuild), install
# the packages into scratch roots and exercise the installed module (install.sh), and run the
# verifier against good and tampered copies (verifier.sh).
# Cost on 2 cores: about 2 x 2.5 min of builds per variant for "default"; "fips" adds AWS-LC.
# Set RELEASE_TEST_KEEP=DIR to keep the releases in DIR/<variant>.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
VARIANTS=${RELEASE_TEST_VARIANTS:-default}
for t in git jq dpkg-deb rpmbuild rpm rpm2cpio cpio pkcs11-tool clang openssl readelf objdump cargo-auditable; do
    command -v "$t" >/dev/null || { echo "FAIL: $t is needed for the release tests" >&2; exit 1; }
done
cargo cyclonedx --version >/dev/null 2>&1 || { echo "FAIL: cargo-cyclonedx is needed for the release tests" >&2; exit 1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/craton-release-tests.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT
total=$(date +%s)
for v in $VARIANTS; do
    echo
    echo "=== release tests, variant $v"
    out=${RELEASE_TEST_KEEP:+$RELEASE_TEST_KEEP/$v}
    out=${out:-$SCRATCH/dist-$v}
    "$HERE/reproducible.sh" "$v" "$SCRATCH/build-$v" "$out"
    "$HERE/install.sh" "$out"
    "$HERE/verifier.sh" "$out"
done
echo
echo "release tests: OK ($VARIANTS) in $(($(date +%s) - total)) s"
