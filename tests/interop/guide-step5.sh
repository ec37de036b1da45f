#!/usr/bin/env bash
# The FIPS guide's step 5 through pkcs11-tool (OpenSC), against a built module:
# init a token and user PIN, generate an RSA-2048 pair (label fips-test, id 01), sign with
# SHA256-RSA-PKCS, verify in a separate process, check a tampered input fails, and check the
# key is still there for a new process.
#
# Usage: tests/interop/guide-step5.sh path/to/libcraton_hsm.so [extra config TOML]
set -euo pipefail

LIB=$(realpath "${1:?usage: $0 LIB [extra-config]}")
EXTRA=${2:-}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CRATON_HSM_CONFIG="$WORK/craton_hsm.toml"
printf 'token.storage_path = "%s/store"\nsecurity.pbkdf2_iterations = 1000\n%s\n' "$WORK" "$EXTRA" >"$CRATON_HSM_CONFIG"

SO_PIN=87654321
USER_PIN=123456
P11() { pkcs11-tool --module "$LIB" "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }

P11 --init-token --label guide --so-pin "$SO_PIN" >/dev/null
P11 --login --so-pin "$SO_PIN" --init-pin --pin "$USER_PIN" >/dev/null

P11 --login --pin "$USER_PIN" --keypairgen --key-type RSA:2048 --label fips-test --id 01 >"$WORK/keygen.txt"
grep -q "RSA 2048 bits" "$WORK/keygen.txt" || fail "keypairgen output: $(cat "$WORK/keygen.txt")"

echo "Craton HSM guide step 5 input" >"$WORK/input"
P11 --login --pin "$USER_PIN" --sign --mechanism SHA256-RSA-PKCS --label fips-test \
    --input-file "$WORK/input" --output-file "$WORK/sig.bin" 2>/dev/null
[ "$(stat -c %s "$WORK/sig.bin")" -eq 256 ] || fail "signature is not 256 bytes"

# Verify in a fresh process (no login: the public key is a public object).
P11 --verify --mechanism SHA256-RSA-PKCS --label fips-test \
    --input-file "$WORK/input" --signature-file "$WORK/sig.bin" >"$WORK/verify.txt" 2>&1
grep -q "Signature is valid" "$WORK/verify.txt" || fail "verify: $(cat "$WORK/verify.txt")"

# pkcs11-tool exits 0 on a bad signature, so read what it says.
echo "tampered" >>"$WORK/input"
P11 --verify --mechanism SHA256-RSA-PKCS --label fips-test \
    --input-file "$WORK/input" --signature-file "$WORK/sig.bin" >"$WORK/tampered.txt" 2>&1 || true
grep -q "Invalid signature" "$WORK/tampered.txt" || fail "tampered input verified: $(cat "$WORK/tampered.txt")"

# A new process still finds both halves of the key.
P11 --login --pin "$USER_PIN" --list-objects >"$WORK/objects.txt" 2>/dev/null
[ "$(grep -c "label:      fips-test" "$WORK/objects.txt")" -eq 2 ] || fail "objects: $(cat "$WORK/objects.txt")"

echo "guide step 5: OK"
