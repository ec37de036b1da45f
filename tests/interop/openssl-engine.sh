#!/usr/bin/env bash
# OpenSSL through libp11's pkcs11 engine (Debian: libengine-pkcs11-openssl) against the built
# module: token RSA and EC keys, addressed by PKCS#11 URI, sign (PKCS#1 v1.5, PSS, ECDSA),
# decrypt (PKCS#1 v1.5, OAEP) and derive (ECDH) inside `openssl dgst/pkeyutl`, and sign
# self-signed certificates with `openssl req -x509`; plain openssl (no engine) checks every
# result with the public keys the engine exported.
#
# Usage: tests/interop/openssl-engine.sh path/to/libcraton_hsm.so [extra config TOML]
source "$(dirname "$0")/common.sh"
interop_init openssl-engine "$@"

if [ ! -f "$ENGINE_SO" ]; then
    echo "no pkcs11 engine at $ENGINE_SO" >"$WORK/engine.txt"
    fail "libp11 pkcs11 engine installed (apt-get install libengine-pkcs11-openssl)" "$WORK/engine.txt"
    interop_finish
fi

engine_config "$WORK/openssl.cnf"
# Engine runs use this config; the plain-openssl checks run with none (ossl below).
ENGINE_CNF="$WORK/openssl.cnf"
eng() {
    local cmd=$1
    shift
    OPENSSL_CONF="$ENGINE_CNF" openssl "$cmd" -engine pkcs11 "$@"
}
ossl() { OPENSSL_CONF=/dev/null openssl "$@"; }

TOKEN=ossl-engine
priv_uri() { echo "pkcs11:token=$TOKEN;object=$1;type=private?pin-value=$USER_PIN"; }
pub_uri() { echo "pkcs11:token=$TOKEN;object=$1;type=public"; }

setup() {
    init_token "$TOKEN"
    P11U --keypairgen --key-type rsa:2048 --label rsa2048 --id 01 --usage-sign --usage-decrypt
    P11U --keypairgen --key-type rsa:3072 --label rsa3072 --id 02 --usage-sign
    P11U --keypairgen --key-type EC:prime256v1 --label p256 --id 03 --usage-sign --usage-derive
    P11U --keypairgen --key-type EC:secp384r1 --label p384 --id 04 --usage-sign --usage-derive
}
check "token with RSA-2048/3072 and EC P-256/P-384 keys (pkcs11-tool)" setup || interop_finish

engine_loads() {
    OPENSSL_CONF="$ENGINE_CNF" openssl engine -t pkcs11 >engine.txt 2>&1
    grep_in engine.txt "available"
}
check "openssl engine -t pkcs11 loads the engine" engine_loads

export_pub() {
    local k
    for k in rsa2048 rsa3072 p256 p384; do
        eng pkey -inform engine -pubin -in "$(pub_uri $k)" -pubout -out $k.pem
    done
    ossl pkey -pubin -in rsa3072.pem -text -noout | grep_in - "Public-Key: (3072 bit)"
    ossl pkey -pubin -in p384.pem -text -noout | grep_in - "NIST CURVE: P-384"
}
check "engine exports the public keys by URI" export_pub

head -c 5000 /dev/urandom >data

dgst_sign() {
    local key=$1 md=$2
    shift 2
    eng dgst -"$md" -keyform engine -sign "$(priv_uri "$key")" "$@" -out sig data
    ossl dgst -"$md" -verify $key.pem "$@" -signature sig data
    { echo tampered && cat data; } >data.bad
    if ossl dgst -"$md" -verify $key.pem "$@" -signature sig data.bad; then die "tampered data verified"; fi
}
check "openssl dgst -sha256 -sign (RSA-2048, PKCS#1 v1.5) -> plain openssl verifies" dgst_sign rsa2048 sha256
check "openssl dgst -sha512 -sign (RSA-3072, PKCS#1 v1.5) -> plain openssl verifies" dgst_sign rsa3072 sha512
check "openssl dgst -sha384 -sign (RSA-2048, PSS salt 48) -> plain openssl verifies" dgst_sign rsa2048 sha384 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:48
check "openssl dgst -sha256 -sign (RSA-2048, PSS salt 0) -> plain openssl verifies" dgst_sign rsa2048 sha256 \
    -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:0
check "openssl dgst -sha256 -sign (EC P-256) -> plain openssl verifies" dgst_sign p256 sha256
check "openssl dgst -sha384 -sign (EC P-384) -> plain openssl verifies" dgst_sign p384 sha384

pkeyutl_sign() {
    local key=$1 md=$2
    ossl dgst -"$md" -binary -out hash data
    eng pkeyutl -sign -keyform engine -inkey "$(priv_uri "$key")" -pkeyopt digest:"$md" -in hash -out sig
    ossl pkeyutl -verify -pubin -inkey $key.pem -pkeyopt digest:"$md" -in hash -sigfile sig
}
check "openssl pkeyutl -sign (RSA-2048, SHA-256 hash) -> plain openssl verifies" pkeyutl_sign rsa2048 sha256
check "openssl pkeyutl -sign (EC P-384, SHA-384 hash) -> plain openssl verifies" pkeyutl_sign p384 sha384

decrypt() {
    head -c 100 data >msg
    ossl pkeyutl -encrypt -pubin -inkey rsa2048.pem "$@" -in msg -out ct
    eng pkeyutl -decrypt -keyform engine -inkey "$(priv_uri rsa2048)" "$@" -in ct -out pt
    same_file pt msg
}
check "plain openssl encrypts (PKCS#1 v1.5), engine decrypts on the token" decrypt
check "plain openssl encrypts (OAEP SHA-256), engine decrypts on the token" decrypt \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256

derive() {
    local key=$1 curve=$2
    ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$curve" -out peer.pem
    ossl pkey -in peer.pem -pubout -out peer.pub.pem
    eng pkeyutl -derive -keyform engine -inkey "$(priv_uri "$key")" -peerkey peer.pub.pem -out z.tok
    ossl pkeyutl -derive -inkey peer.pem -peerkey $key.pem -out z.ossl
    same_file z.tok z.ossl
}
check "openssl pkeyutl -derive (ECDH P-256) on the token equals plain openssl" derive p256 P-256
check "openssl pkeyutl -derive (ECDH P-384) on the token equals plain openssl" derive p384 P-384

self_signed() {
    local key=$1 md=$2
    eng req -new -x509 -keyform engine -key "$(priv_uri "$key")" -"$md" -days 2 \
        -subj "/CN=Craton HSM $key/O=interop" -out $key.crt
    # plain openssl checks the self-signature, and the certificate carries the token's key
    ossl verify -CAfile $key.crt $key.crt
    ossl x509 -in $key.crt -noout -pubkey >cert.pub.pem
    same_file cert.pub.pem $key.pem
    ossl x509 -in $key.crt -noout -text | grep_in - "Signature Algorithm"
}
check "openssl req -x509 with a token RSA-2048 key -> plain openssl verify" self_signed rsa2048 sha256
check "openssl req -x509 with a token EC P-256 key -> plain openssl verify" self_signed p256 sha256
check "openssl req -x509 with a token EC P-384 key -> plain openssl verify" self_signed p384 sha384

csr() {
    eng req -new -keyform engine -key "$(priv_uri rsa3072)" -subj "/CN=craton csr" -sha256 -out req.csr
    ossl req -in req.csr -noout -verify
}
check "openssl req -new (CSR) signed with the token RSA-3072 key verifies" csr

by_id() {
    eng dgst -sha256 -keyform engine -sign "pkcs11:token=$TOKEN;id=%03;type=private?pin-value=$USER_PIN" -out sig data
    ossl dgst -sha256 -verify p256.pem -signature sig data
}
check "key addressed by CKA_ID in the URI (id=%03)" by_id

wrong_pin() {
    if eng dgst -sha256 -keyform engine -sign "pkcs11:token=$TOKEN;object=p256;type=private?pin-value=000000" \
        -out sig data >out.txt 2>&1; then
        die "signed with a wrong PIN"
    fi
}
check "a wrong PIN in the URI does not sign" wrong_pin

interop_finish
