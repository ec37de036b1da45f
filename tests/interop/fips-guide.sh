#!/usr/bin/env bash
# The FIPS operator guide (fips-mode-guide.txt), steps 3 to 5 and its deployment checklist,
# against an AWS-LC release build:
#   cargo build --release --features awslc-backend --no-default-features
#   tests/interop/fips-guide.sh target/release/libcraton_hsm.so
# Step 4's script writes the sidecar next to a copy of the library; the guide's step-3 config
# is used as written; then the POST log lines, the mechanism list (exactly the guide's
# "Allowed" column), the RSA-2048 sign/verify round trip and its audit record, each row of
# "What changes operationally", and a tampered or missing sidecar.
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$HERE/common.sh"
interop_init fips-guide "$@"

# Step 4 works on the deployed binary: a copy in its own directory.
mkdir -p "$WORK/deploy"
cp "$LIB" "$WORK/deploy/libcraton_hsm.so"
LIB="$WORK/deploy/libcraton_hsm.so"

# Step 3: the guide's config block, verbatim, plus this test's store (no [audit] section: in
# approved-only mode the audit log defaults to audit.jsonl in the store directory).
cat >"$CRATON_HSM_CONFIG" <<EOF
[algorithms]
# Use the FIPS-certified backend.
crypto_backend = "awslc"
# Reject every non-FIPS mechanism at C_*Init time.
fips_approved_only = true
# PQC is not yet FIPS-approved (as of CMVP's current module list).
# Disable it in FIPS deployments.
enable_pqc = false
# Already default; listed for operator awareness.
# allow_weak_rsa = false # RSA < 2048 rejected.
# allow_sha1_signing = false # SHA-1 is digest-only, never signing.

[token]
storage_path = "$WORK/store"

[security]
pbkdf2_iterations = 1000
EOF

step4_sidecar() {
    "$ROOT/tools/compute-integrity-hmac.sh" "$LIB"
    [ -f "$WORK/deploy/libcraton_hsm.hmac" ] || die "no libcraton_hsm.hmac next to the library"
    # The sidecar is HMAC-SHA256 of the file under the published key, as hex.
    local want
    want=$(openssl dgst -sha256 -hmac 'craton-hsm module integrity v1!!' -r "$LIB" | cut -d' ' -f1)
    [ "$(tr -d '\n' <"$WORK/deploy/libcraton_hsm.hmac")" = "$want" ] || die "sidecar content"
}
check "step 4: compute-integrity-hmac.sh writes libcraton_hsm.hmac" step4_sidecar

post_lines() {
    CRATON_HSM_LOG=info P11 --list-slots >slots.txt 2>post.log
    grep_in post.log "POST: integrity=OK"
    grep_in post.log "POST: KATs 16/16 passed (SHA-2, SHA-3, HMAC, AES-GCM, AES-CBC, AES-CTR, RSA, ECDSA, ML-DSA, ML-KEM, RNG, DRBG)"
    grep_in post.log "backend=awslc, fips_approved_only=true"
}
check "step 5: C_Initialize passes POST (integrity=OK, KATs 16/16) on the awslc backend" post_lines

# The guide's ECDSA row names curves, not hashes: ECDSA with SHA-512 on P-256/P-384 is in it
# (docs/fips-mode.md: what AWS-LC counts approved); its RSA row's OAEP is not, being outside
# AWS-LC's FIPS module (same page).
ALLOWED="AES-CBC AES-CBC-PAD AES-CTR AES-GCM AES-KEY-GEN AES-KEY-WRAP ECDH1-COFACTOR-DERIVE
ECDH1-DERIVE ECDSA-KEY-PAIR-GEN ECDSA-SHA256 ECDSA-SHA384 ECDSA-SHA512 GENERIC-SECRET-KEY-GEN RSA-PKCS-KEY-PAIR-GEN
SHA-1 SHA256 SHA256-HMAC SHA256-RSA-PKCS SHA256-RSA-PKCS-PSS SHA3-256 SHA3-384
SHA3-512 SHA384 SHA384-HMAC SHA384-RSA-PKCS SHA384-RSA-PKCS-PSS SHA512 SHA512-HMAC
SHA512-RSA-PKCS SHA512-RSA-PKCS-PSS mechtype-0x210B"

# is_allowed_set MECHS: pkcs11-tool's --list-mechanisms output in MECHS is the Allowed set.
is_allowed_set() {
    sed -n 's/^  \([^,]*\),.*/\1/p' "$1" | sort >listed.txt
    tr ' ' '\n' <<<"$ALLOWED" | tr -s '\n' | sort >allowed.txt
    diff -u allowed.txt listed.txt || die "--list-mechanisms differs from the guide's Allowed set"
    if grep -qE '^  (EDDSA|EC-EDWARDS-KEY-PAIR-GEN|SHA1-RSA-PKCS|ECDSA-SHA1|RSA-PKCS|RSA-X-509|AES-ECB|AES-CMAC|ML-[A-Z-]*|SLH-[A-Z-]*),' "$1"; then
        die "a blocked mechanism is listed"
    fi
}

mechanism_list() {
    P11 --list-mechanisms >mechs.txt
    is_allowed_set mechs.txt
}
check "step 5: --list-mechanisms shows exactly the approved set" mechanism_list

# The guide's config as the system file (/etc/craton-hsm/craton_hsm.toml, in a private mount
# namespace over a copy of /etc), and a per-user file or $CRATON_HSM_CONFIG that turns
# approved-only mode off: the module stays approved-only and says it ignored the request.
system_policy() {
    [ "$(id -u)" = 0 ] || die "needs root (a private mount namespace over /etc)"
    cp -a /etc "$WORK/etc"
    mkdir -p "$WORK/etc/craton-hsm" "$WORK/home/.config/craton-hsm"
    cp "$CRATON_HSM_CONFIG" "$WORK/etc/craton-hsm/craton_hsm.toml"
    local user=$WORK/home/.config/craton-hsm/craton_hsm.toml
    sed 's/^fips_approved_only = true/fips_approved_only = false/' "$CRATON_HSM_CONFIG" >"$user"
    grep -q '^fips_approved_only = false' "$user" || die "user file"
    # Control: on its own the user file is default mode (AES-ECB, EdDSA, ... are listed).
    CRATON_HSM_CONFIG=$user P11 --list-mechanisms >own.txt
    grep -q '^  AES-ECB,' own.txt || die "the user file alone should list AES-ECB"
    local how
    for how in user-file env-var; do
        local env=(env -u CRATON_HSM_CONFIG -u XDG_CONFIG_HOME HOME="$WORK/home")
        if [ "$how" = env-var ]; then env+=(CRATON_HSM_CONFIG="$user"); fi
        # shellcheck disable=SC2016 # expanded by the inner shell
        unshare -m --propagation private sh -c 'mount --bind "$1" /etc && shift && exec "$@"' \
            sh "$WORK/etc" "${env[@]}" CRATON_HSM_LOG=info \
            pkcs11-tool --module "$LIB" --list-mechanisms >"policy-$how.txt" 2>"policy-$how.log" ||
            die "$how: pkcs11-tool failed: $(tail -3 "policy-$how.log")"
        is_allowed_set "policy-$how.txt" || die "$how: approved-only mode did not hold"
        grep_in "policy-$how.log" "sets algorithms.fips_approved_only = false, but the system policy /etc/craton-hsm/craton_hsm.toml sets it to true: ignored"
    done
}
check "a per-user file or CRATON_HSM_CONFIG cannot turn off the system file's approved-only mode" system_policy

round_trip() {
    init_token fips
    P11U --keypairgen --key-type RSA:2048 --label fips-test --id 01 >gen.txt
    echo "Craton HSM FIPS guide" >input
    P11U --sign --mechanism SHA256-RSA-PKCS --label fips-test --input-file input \
        --output-file sig.bin
    P11 --verify --mechanism SHA256-RSA-PKCS --label fips-test --input-file input \
        --signature-file sig.bin >verify.txt 2>&1
    grep_in verify.txt "Signature is valid"
    # The audit record of that Sign call: {"operation":{"Sign":{"mechanism":64,
    # "fips_approved":true}},"result":"Success"} (64 = CKM_SHA256_RSA_PKCS).
    python3 - "$WORK/store/audit.jsonl" <<'PY'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
signs = [r for r in records if "Sign" in r.get("operation", {})]
assert signs, "no Sign record"
s = signs[-1]
assert s["operation"]["Sign"] == {"mechanism": 64, "fips_approved": True}, s
assert s["result"] == "Success", s
gens = [r for r in records if "GenerateKeyPair" in r.get("operation", {})]
assert gens and gens[-1]["operation"]["GenerateKeyPair"]["fips_approved"] is True, gens
PY
}
check "step 5: RSA-2048 sign/verify round trip; the audit record says fips_approved = true" round_trip

# expect_rv CODE CMD...: the command fails and pkcs11-tool reports CODE.
expect_rv() {
    local code=$1
    shift
    if "$@" >out.txt 2>&1; then
        cat out.txt
        die "succeeded, expected $code"
    fi
    grep_in out.txt "$code"
}

operational_changes() {
    # SHA-1 signing is rejected; SHA-1 remains a digest.
    expect_rv CKR_MECHANISM_INVALID P11U --sign --mechanism SHA1-RSA-PKCS --id 01 \
        --input-file input --output-file x.sig
    P11U --keypairgen --key-type EC:prime256v1 --label ec --id 02 >/dev/null
    expect_rv CKR_MECHANISM_INVALID P11U --sign --mechanism ECDSA-SHA1 --id 02 \
        --input-file input --output-file x.sig
    P11 --hash --mechanism SHA-1 --input-file input --output-file sha1.bin
    [ "$(xxd -p sha1.bin)" = "$(sha1sum input | cut -d' ' -f1)" ] || die "SHA-1 digest"
    # RSA below 2048 bits.
    expect_rv CKR_KEY_SIZE_RANGE P11U --keypairgen --key-type RSA:1024 --label weak --id 03
    # AES below 128 bits.
    expect_rv CKR_KEY_SIZE_RANGE P11U --keygen --key-type AES:8 --label short --id 04
    # Ed25519 is blocked. pkcs11-tool checks the mechanism list before calling the module, so
    # it stops with its own message (tests/fips.rs sees the module's CKR_MECHANISM_INVALID).
    expect_rv "mechanism 1055 not supported" P11U --keypairgen --key-type EC:edwards25519 \
        --label ed --id 05
}
check "What changes operationally: SHA-1 signing, RSA < 2048, AES < 128, Ed25519 give the guide's codes" operational_changes

tampered() {
    mkdir -p tampered
    cp "$LIB" "$WORK/deploy/libcraton_hsm.hmac" tampered/
    # One byte of the library's description string.
    local at
    at=$(grep -boa 'Craton HSM PKCS#11 module' tampered/libcraton_hsm.so | head -1 | cut -d: -f1)
    [ -n "$at" ] || die "description string not found"
    printf 'c' | dd of=tampered/libcraton_hsm.so bs=1 seek="$at" conv=notrunc status=none
    if CRATON_HSM_LOG=info pkcs11-tool --module tampered/libcraton_hsm.so --list-slots \
        >t.out 2>t.log; then
        die "a tampered library started"
    fi
    grep_in t.log "POST: integrity=FAILED"
    grep_in t.log "module entered the error state"
    # Approved-only mode also refuses to start without a sidecar.
    rm tampered/libcraton_hsm.hmac
    cp "$LIB" tampered/libcraton_hsm.so
    if CRATON_HSM_LOG=info pkcs11-tool --module tampered/libcraton_hsm.so --list-slots \
        >m.out 2>m.log; then
        die "started without a sidecar in approved-only mode"
    fi
    grep_in m.log "POST: integrity=FAILED"
}
check "a stale or missing sidecar stops C_Initialize (CKR_GENERAL_ERROR, error state)" tampered

interop_finish
