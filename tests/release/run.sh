#!/usr/bin/env bash
# The release tests (CI runs this from .ci/run via tools/test.sh), timed step by step:
#   environment  make or verify the locked build environment (packaging/toolchain.lock) in the
#                shared cache; on a fresh machine this downloads the .debs and crates, makes
#                the build root and builds cargo-auditable in it
#   lock.sh      changed lock entries are refused before anything is built
#   network.sh   a build step cannot reach the network
#   per variant in $RELEASE_TEST_VARIANTS (default "default fips"):
#     reproducible.sh  two builds as different users under different conditions, identical
#                      SHA256SUMS: default's second build is verify-release.sh --rebuild, fips's
#                      is `bazel build //:release_fips` (+ its Bazel tests); the default
#                      release carries a mingw-w64 test DLL (windows-test-dll.c), so its MSI is
#                      built by wixl, rebuilt and read by the verifier
#     sbom.sh          the SBOM against the library's .dep-v0 and cargo tree
#     install.sh       the deb and rpm installed into scratch roots, the module exercised
#     verifier.sh      verify-release.sh on good and tampered copies
#     repos.sh         (fips) signed apt/dnf repositories: apt install into a clean root, dnf
#   nix.sh       what can be checked of the flake here (see docs/release.md)
# Needs root (build B runs as an unprivileged user). CRATON_RELEASE_CACHE (default
# /var/cache/craton-hsm-release, readable by that user) is the cache the builds share.
# Set RELEASE_TEST_KEEP=DIR to keep the releases in DIR/<variant>.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
VARIANTS=${RELEASE_TEST_VARIANTS:-"default fips"}
export CRATON_RELEASE_CACHE=${CRATON_RELEASE_CACHE:-/var/cache/craton-hsm-release}
for t in git jq dpkg-deb rpmbuild rpm rpm2cpio cpio pkcs11-tool openssl readelf objcopy mmdebstrap bwrap bazel runuser nix-instantiate x86_64-w64-mingw32-gcc; do
    command -v "$t" >/dev/null || { echo "FAIL: $t is needed for the release tests" >&2; exit 1; }
done
python3 -c 'import sys; assert sys.version_info >= (3, 11)' || { echo "FAIL: python3 >= 3.11 is needed" >&2; exit 1; }

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/craton-release-tests.XXXXXX")
chmod 0755 "$SCRATCH"
trap 'rm -rf "$SCRATCH"' EXIT
TIMES=()
timed() {
    local name=$1 start rc=0
    shift
    start=$(date +%s)
    "$@" || rc=$?
    TIMES+=("$name: $(($(date +%s) - start)) s")
    [ "$rc" -eq 0 ] || { echo "FAIL: $name (exit $rc)" >&2; printf '  %s\n' "${TIMES[@]}" >&2; exit "$rc"; }
}
total=$(date +%s)
echo "=== the locked build environment (cache $CRATON_RELEASE_CACHE)"
mkdir -p "$CRATON_RELEASE_CACHE" && chmod 0755 "$CRATON_RELEASE_CACHE"
timed "environment (prepare)" "$REPO/tools/craton-build" --src "$REPO" prepare --vendor
# The verifier the tests use: craton-admin built from this checkout (the unit step already
# built it; readable by the unprivileged builder of reproducible.sh).
echo; echo "=== craton-admin (the verifier)"
timed "craton-admin build" cargo build --locked -q -p craton-admin --manifest-path "$REPO/Cargo.toml"
install -m 0755 "${CARGO_TARGET_DIR:-$REPO/target}/debug/craton-admin" "$SCRATCH/craton-admin"
export CRATON_ADMIN=$SCRATCH/craton-admin
echo; echo "=== lock enforcement"
timed "lock.sh" "$HERE/lock.sh" "$SCRATCH/lock"
echo; echo "=== no network in the build steps"
timed "network.sh" "$HERE/network.sh" "$SCRATCH/network"
# The Windows DLL needs MSVC; a test DLL stands in for it so the MSI path runs (never published).
mkdir -p "$SCRATCH/windows"
x86_64-w64-mingw32-gcc -shared -O2 -s -Wl,--no-insert-timestamp -o "$SCRATCH/windows/craton_hsm.dll" "$HERE/windows-test-dll.c"
chmod -R a+rX "$SCRATCH/windows"
for v in $VARIANTS; do
    echo
    echo "=== release tests, variant $v"
    out=${RELEASE_TEST_KEEP:+$RELEASE_TEST_KEEP/$v}
    out=${out:-$SCRATCH/dist-$v}
    mode=rebuild
    [ "$v" != fips ] || mode=bazel
    dll=; [ "$v" != default ] || dll=$SCRATCH/windows/craton_hsm.dll
    timed "reproducible.sh $v ($mode)" env WINDOWS_DLL="$dll" "$HERE/reproducible.sh" "$v" "$mode" "$SCRATCH/build-$v" "$out"
    timed "sbom.sh $v" "$HERE/sbom.sh" "$out"
    timed "install.sh $v" "$HERE/install.sh" "$out"
    timed "verifier.sh $v" "$HERE/verifier.sh" "$out"
    # The signed apt/dnf repositories: once, for the FIPS package (one mmdebstrap root).
    [ "$v" != fips ] || timed "repos.sh $v" "$HERE/repos.sh" "$out"
done
echo; echo "=== the Nix flake (offline checks)"
timed "nix.sh" "$HERE/nix.sh"
echo
printf '  %s\n' "${TIMES[@]}"
echo "release tests: OK ($VARIANTS) in $(($(date +%s) - total)) s"
