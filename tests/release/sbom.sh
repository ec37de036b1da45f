#!/usr/bin/env bash
# The SBOM tells the truth about the library it ships with. For a release directory:
#   - its Rust components are exactly the crates the library links: the runtime entries of the
#     dependency list cargo-auditable embedded in the library (.dep-v0), and `cargo tree -e
#     normal,no-proc-macro` for the variant's features, run in the build root;
#   - it names the library's SHA-256, the C components compiled in (SQLite bundled by
#     libsqlite3-sys; the AWS-LC FIPS module for fips) with the versions their vendored sources
#     declare, and the toolchain lock's SHA-256 and build root digest of release.json.
# cargo-auditable's .dep-v0 list over-approximates (it comes from `cargo metadata`, which unifies
# features over all targets and counts proc-macros as runtime code): every crate it names beyond
# the SBOM must be a crate that left nothing in the library (no symbol, no source path), which is
# checked too.
# Usage: tests/release/sbom.sh DIST    (also a Bazel test: //:sbom_test, //:sbom_fips_test)
set -euo pipefail
if [ -n "${TEST_SRCDIR:-}" ]; then
    SRC=$TEST_SRCDIR/${TEST_WORKSPACE:-craton_hsm}   # a Bazel test: the source is in the runfiles
else
    SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fi
# shellcheck source=tests/release/lib.sh
. "$SRC/tests/release/lib.sh"
DIST=$(cd "${1:?usage: $0 DIST}" && pwd)
if [ -z "${CRATON_RELEASE_CACHE:-}" ] && [ -n "${CRATON_ENV_JSON:-}" ]; then
    CRATON_RELEASE_CACHE=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["cache"])' "$CRATON_ENV_JSON")
    export CRATON_RELEASE_CACHE
fi
WORK=$(mktemp -d "${TMPDIR:-/tmp}/craton-sbom-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
if [ -n "${TEST_SRCDIR:-}" ]; then
    # Runfiles are symlinks to host paths, which the build root cannot follow: copy them.
    cp -rL "$SRC" "$WORK/src"
    SRC=$WORK/src
fi
SBOM=$(find "$DIST" -maxdepth 1 -name '*.cdx.json' | head -n1)
[ -n "$SBOM" ] || fail "no SBOM in $DIST"
VARIANT=$(jq -r .variant "$DIST/release.json")
objcopy --dump-section .dep-v0="$WORK/dep-v0.z" "$DIST/libcraton_hsm.so" "$WORK/lib.copy" ||
    fail "the library has no .dep-v0 section (not built with cargo auditable)"

# name@version lines: SBOM crates, .dep-v0 runtime crates, cargo tree.
jq -r '.components[] | select(.purl // "" | startswith("pkg:cargo/")) | "\(.name)@\(.version)"' "$SBOM" | sort >"$WORK/sbom"
python3 - "$WORK/dep-v0.z" >"$WORK/dep-v0" <<'PY'
import json, sys, zlib
data = json.loads(zlib.decompress(open(sys.argv[1], "rb").read()))
for p in data["packages"]:
    if not p.get("root") and p.get("kind", "runtime") == "runtime":
        print(f"{p['name']}@{p['version']}")
PY
sort -o "$WORK/dep-v0" "$WORK/dep-v0"
mapfile -t ARGS < <(python3 -c 'import tomllib, sys
args = tomllib.load(open(sys.argv[1], "rb"))["variant"][sys.argv[2]]["cargo-args"]
sys.stdout.write("".join(a + "\n" for a in args))' "$SRC/packaging/steps.toml" "$VARIANT")
"$SRC/tools/craton-build" --src "$SRC" shell --vendor -- cargo tree --locked --offline -p craton-hsm \
    -e normal,no-proc-macro --target "$(jq -r .target "$DIST/release.json")" --prefix none --format '{p}' \
    ${ARGS[@]+"${ARGS[@]}"} >"$WORK/tree.raw" 2>"$WORK/tree.err" || { cat "$WORK/tree.err" >&2; fail "cargo tree failed in the build root"; }
sed -n 's/^\([^ ]*\) v\([^ ]*\).*/\1@\2/p' "$WORK/tree.raw" | grep -v '^craton-hsm@' | sort -u >"$WORK/tree"

[ -s "$WORK/sbom" ] || fail "the SBOM lists no crates"
if ! diff -u "$WORK/tree" "$WORK/sbom" >"$WORK/d2"; then cat "$WORK/d2" >&2; fail "SBOM crates differ from cargo tree -e normal,no-proc-macro"; fi
missing=$(comm -13 "$WORK/dep-v0" "$WORK/sbom")
[ -z "$missing" ] || fail "the SBOM lists crates the library's .dep-v0 does not: $missing"
nm "$DIST/libcraton_hsm.so" >"$WORK/nm" 2>/dev/null || true
strings -n 8 "$DIST/libcraton_hsm.so" >"$WORK/strings"
[ -s "$WORK/nm" ] || fail "the library has no symbol table to check .dep-v0's extra crates against"
extras=0
while IFS=@ read -r name version; do
    ident=${name//-/_}
    if grep -qE "[0-9]${ident}[0-9.]|[^a-z_]${ident}::" "$WORK/nm" || grep -qF "/vendor/$name-$version/" "$WORK/strings"; then
        fail "$name $version is in the library's .dep-v0 and leaves traces in the library, but the SBOM omits it"
    fi
    extras=$((extras + 1))
done < <(comm -23 "$WORK/dep-v0" "$WORK/sbom")
pass "$VARIANT: the SBOM's $(wc -l <"$WORK/sbom") crates are exactly cargo tree's linked crates; .dep-v0 names them all, plus $extras that left no symbol or source path in the library (proc-macros and features cargo metadata unifies)"

prop() { jq -r --arg n "$1" '.metadata.properties[] | select(.name == $n) | .value' "$SBOM"; }
[ "$(jq -r '.metadata.component.hashes[0].content' "$SBOM")" = "$(sha256sum "$DIST/libcraton_hsm.so" | cut -d' ' -f1)" ] &&
    [ "$(prop craton:library-sha256)" = "$(sha256sum "$DIST/libcraton_hsm.so" | cut -d' ' -f1)" ] ||
    fail "the SBOM does not name the library's SHA-256"
[ "$(prop craton:toolchain-lock-sha256)" = "$(jq -r .toolchain.lock_sha256 "$DIST/release.json")" ] &&
    [ "$(prop craton:build-root-digest)" = "$(jq -r .toolchain.root_digest "$DIST/release.json")" ] ||
    fail "the SBOM's toolchain is not release.json's"
pass "$VARIANT: the SBOM names the library's SHA-256, the toolchain lock and the build root digest"

vendor=$("$SRC/tools/craton-build" --src "$SRC" prepare --vendor | jq -r .vendor)
sqlite=$(sed -n 's/^#define SQLITE_VERSION *"\(.*\)"/\1/p' "$vendor"/libsqlite3-sys-*/sqlite3/sqlite3.h | head -n1)
[ "$(jq -r '.components[] | select(.name == "SQLite") | .version' "$SBOM")" = "$sqlite" ] ||
    fail "the SBOM does not list the bundled SQLite $sqlite"
msg="SQLite $sqlite"
if [ "$VARIANT" = fips ]; then
    awslc=$(sed -n 's/^#define AWSLC_VERSION_NUMBER_STRING "\(.*\)"/\1/p' "$vendor"/aws-lc-fips-sys-*/aws-lc/include/openssl/base.h)
    [ "$(jq -r '.components[] | select(.name == "AWS-LC FIPS module") | .version' "$SBOM")" = "$awslc" ] ||
        fail "the fips SBOM does not list the AWS-LC FIPS module $awslc"
    grep -q 'aws_lc_fips' <(strings "$DIST/libcraton_hsm.so") || fail "the fips library does not contain the AWS-LC FIPS module"
    msg="$msg, AWS-LC FIPS module $awslc"
else
    ! jq -e '.components[] | select(.name | test("aws-lc"; "i"))' "$SBOM" >/dev/null ||
        fail "the default SBOM lists AWS-LC, which the default library does not link"
fi
pass "$VARIANT: C components listed with their vendored versions: $msg"
echo "sbom test: OK"
