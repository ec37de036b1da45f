# shellcheck shell=bash
# Shared by the shell steps of packaging/steps.toml. They run inside the build root (see
# tools/hermetic/sandbox.py): source at /build/src, inputs at /in/<step>, outputs to /out.
set -euo pipefail
die() { echo "step ${CRATON_STEP:-?}: error: $*" >&2; exit 1; }
note() { echo "step ${CRATON_STEP:-?}: $*" >&2; }
cd /build/src
VARIANT=$CRATON_VARIANT
COMMIT=$CRATON_COMMIT

# The variant's cargo arguments (packaging/steps.toml [variant.*]), as an array.
mapfile -t CARGO_ARGS < <(python3 -c 'import json, os, sys
sys.stdout.write("".join(a + "\n" for a in json.loads(os.environ["CRATON_CARGO_ARGS"])))')

# Name and version of the library crate craton-hsm, wherever it sits in the workspace.
crate_field() {
    cargo metadata --locked --offline --no-deps --format-version 1 |
        python3 -c 'import json, sys
p = [p for p in json.load(sys.stdin)["packages"] if p["name"] == "craton-hsm"]
print(p[0][sys.argv[1]] if p else "")' "$1"
}

TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
case "$TRIPLE" in
    x86_64-unknown-linux-gnu) DEBARCH=amd64 MULTIARCH=x86_64-linux-gnu RPMARCH=x86_64 RPMLIBDIR=/usr/lib64 ;;
    aarch64-unknown-linux-gnu) DEBARCH=arm64 MULTIARCH=aarch64-linux-gnu RPMARCH=aarch64 RPMLIBDIR=/usr/lib64 ;;
    *) die "unsupported build host $TRIPLE" ;;
esac

if [ "$VARIANT" = fips ]; then
    PACKAGE=craton-hsm-fips OTHER=craton-hsm
    # Approved-only by default: a missing .hmac stops the module (packaging/craton_hsm-fips.toml).
    CONFIG=packaging/craton_hsm-fips.toml
    SUMMARY="PKCS#11 software HSM module (FIPS build on AWS-LC)"
    VARIANT_TEXT="FIPS variant: the crypto backend is the AWS-LC FIPS module."
else
    PACKAGE=craton-hsm OTHER=craton-hsm-fips
    CONFIG=packaging/craton_hsm.toml
    SUMMARY="PKCS#11 software HSM module"
    VARIANT_TEXT="Default variant: pure-Rust RustCrypto backend (not FIPS-validated)."
fi
