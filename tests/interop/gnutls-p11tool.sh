#!/usr/bin/env bash
# GnuTLS's p11tool and certtool (Debian: gnutls-bin) against the built module, with
# `--provider LIB`: initialise the token and user PIN, list tokens and objects, generate RSA and
# ECDSA keys, export public keys, `--test-sign`, import a key and a certificate, delete objects,
# and sign self-signed certificates and a CSR with token keys through `certtool --load-privkey
# pkcs11:...`; plain openssl verifies every certificate and request.
#
# Not here: Ed25519 generation through p11tool (GnuTLS 3.7.9 asks C_GenerateKeyPair for
# CKM_EDDSA instead of CKM_EC_EDWARDS_KEY_PAIR_GEN, which a module must refuse); an Ed25519 key
# made by pkcs11-tool is used for the certtool check instead.
#
# Usage: tests/interop/gnutls-p11tool.sh path/to/libcraton_hsm.so [extra config TOML]
source "$(dirname "$0")/common.sh"
interop_init gnutls-p11tool "$@"

export GNUTLS_PIN=$USER_PIN GNUTLS_SO_PIN=$SO_PIN
p11() { p11tool --batch --provider "$LIB" "$@" </dev/null; }
cert() { certtool --provider "$LIB" "$@" </dev/null; }
ossl() { OPENSSL_CONF=/dev/null openssl "$@"; }
TOK="pkcs11:token=gnutls"

init() {
    p11 --list-token-urls >urls.txt
    [ "$(grep -c 'manufacturer=Craton%20HSM' urls.txt)" -eq 1 ] || die "token URLs: $(cat urls.txt)"
    p11 --initialize --label gnutls "$(head -1 urls.txt)"
    p11 --initialize-pin "$TOK"
    P11 --list-slots >slots.txt
    grep_in slots.txt "token label        : gnutls"
    grep_in slots.txt "token initialized, PIN initialized"
}
check "p11tool --initialize and --initialize-pin on a new token" init || interop_finish

list_tokens() {
    p11 --list-tokens >tokens.txt
    grep_in tokens.txt "Label: gnutls"
    grep_in tokens.txt "Manufacturer: Craton HSM"
    grep_in tokens.txt "Requires login"
}
check "p11tool --list-tokens" list_tokens

gen() {
    local label=$1 expect=$2
    shift 2
    p11 --login "$@" --label "$label" --outfile "$label.gen.pem" "$TOK"
    ossl pkey -pubin -in "$label.gen.pem" -noout -text | grep_in - "$expect"
}
check "p11tool --generate-privkey=RSA --bits 2048" gen rsa2048 "Public-Key: (2048 bit)" --generate-privkey=RSA --bits 2048
check "p11tool --generate-privkey=RSA --bits 3072" gen rsa3072 "Public-Key: (3072 bit)" --generate-privkey=RSA --bits 3072
check "p11tool --generate-privkey=ECDSA --curve=secp256r1" gen p256 "NIST CURVE: P-256" --generate-privkey=ECDSA --curve=secp256r1
check "p11tool --generate-privkey=ECDSA --curve=secp384r1" gen p384 "NIST CURVE: P-384" --generate-privkey=ECDSA --curve=secp384r1

ed25519_key() {
    P11U --keypairgen --key-type EC:edwards25519 --label ed25519 --id ed --usage-sign
}
check "Ed25519 key (made with pkcs11-tool, for certtool)" ed25519_key

list_objects() {
    p11 --login --list-privkeys "$TOK" >priv.txt
    local want
    for want in "RSA-2048" "RSA-3072" "EC/ECDSA-SECP256R1" "EC/ECDSA-SECP384R1" "EdDSA (Ed25519)"; do
        grep_in priv.txt "Type: Private key ($want)"
    done
    grep_in priv.txt "CKA_SENSITIVE"
    grep_in priv.txt "CKA_NEVER_EXTRACTABLE"
    # without login only the public halves show
    p11 --list-all "$TOK" >all.txt
    [ "$(grep -c 'Type: Public key' all.txt)" -eq 5 ] || die "public keys without login: $(cat all.txt)"
    if grep -q "Private key" all.txt; then die "private keys listed without login"; fi
}
check "p11tool --list-privkeys (login) and --list-all (no login: public keys only)" list_objects

export_pub() {
    local k
    for k in rsa2048 rsa3072 p256 p384; do
        p11 --export-pubkey "$TOK;object=$k;type=public" --outfile $k.pem
        same_file $k.pem $k.gen.pem
    done
    p11 --export-pubkey "$TOK;object=ed25519;type=public" --outfile ed25519.pem
    ossl pkey -pubin -in ed25519.pem -noout -text | grep_in - "ED25519 Public-Key"
}
check "p11tool --export-pubkey equals the key printed at generation" export_pub

test_sign() {
    p11 --login --test-sign "$TOK;object=$1" >ts.txt 2>&1
    grep_in ts.txt "Verifying against public key in the token... ok"
}
check "p11tool --test-sign RSA-2048" test_sign rsa2048
check "p11tool --test-sign ECDSA P-256" test_sign p256
check "p11tool --test-sign ECDSA P-384" test_sign p384

cat >"$WORK/cert.tmpl" <<'EOF'
cn = "Craton HSM interop"
organization = "Craton"
serial = 7
expiration_days = 2
ca
cert_signing_key
signing_key
EOF

self_signed() {
    local key=$1
    shift
    cert --generate-self-signed --load-privkey "$TOK;object=$key;type=private" --template cert.tmpl \
        "$@" --outfile $key.crt
    # plain openssl checks the self-signature and that the certificate holds the token's key
    ossl verify -CAfile $key.crt $key.crt
    ossl x509 -in $key.crt -noout -pubkey | ossl pkey -pubin >cert.pub.pem
    ossl pkey -pubin -in $key.pem >tok.pub.pem
    same_file cert.pub.pem tok.pub.pem
}
check "certtool --generate-self-signed, RSA-2048 (SHA-256) -> openssl verify" self_signed rsa2048
check "certtool --generate-self-signed, RSA-3072 RSA-PSS -> openssl verify" self_signed rsa3072 --sign-params RSA-PSS
check "certtool --generate-self-signed, ECDSA P-256 -> openssl verify" self_signed p256
check "certtool --generate-self-signed, ECDSA P-384 (SHA-384) -> openssl verify" self_signed p384 --hash SHA384
check "certtool --generate-self-signed, Ed25519 -> openssl verify" self_signed ed25519

pss_is_pss() {
    ossl x509 -in rsa3072.crt -noout -text | grep_in - "rsassaPss"
}
check "the RSA-PSS certificate is really signed with rsassaPss" pss_is_pss

csr() {
    cert --generate-request --load-privkey "$TOK;object=p384;type=private" --template cert.tmpl --outfile p384.csr
    ossl req -in p384.csr -noout -verify
}
check "certtool --generate-request with the token P-384 key -> openssl req -verify" csr

write_objects() {
    # a certificate object, found again by label and exported unchanged
    p11 --login --write --load-certificate rsa2048.crt --label rsa2048-cert "$TOK"
    p11 --list-all-certs "$TOK" >certs.txt
    grep_in certs.txt "Label: rsa2048-cert"
    p11 --export "$TOK;object=rsa2048-cert;type=cert" --outfile exported.crt
    ossl x509 -in exported.crt -outform DER -out a.der
    ossl x509 -in rsa2048.crt -outform DER -out b.der
    same_file a.der b.der
    # an openssl EC key pair imported into the token signs a certificate for openssl (certtool
    # finds the public half through the public key object with the same label)
    ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out imported.key
    ossl pkey -in imported.key -pubout -out imported.pub
    p11 --login --write --load-privkey imported.key --label imported "$TOK"
    p11 --login --write --load-pubkey imported.pub --label imported "$TOK"
    p11 --login --list-privkeys "$TOK;object=imported" | grep_in - "EC/ECDSA-SECP256R1"
    cert --generate-self-signed --load-privkey "$TOK;object=imported;type=private" --template cert.tmpl \
        --outfile imported.crt
    ossl verify -CAfile imported.crt imported.crt
    ossl x509 -in imported.crt -noout -pubkey | ossl pkey -pubin >a.pem
    ossl pkey -in imported.key -pubout >b.pem
    same_file a.pem b.pem
}
check "p11tool --write: certificate and imported private key objects" write_objects

delete() {
    p11 --login --delete "$TOK;object=rsa2048-cert;type=cert"
    p11 --list-all-certs "$TOK" >certs.txt || true # exits non-zero when there is none
    if grep -q "rsa2048-cert" certs.txt; then die "certificate still listed after --delete"; fi
}
check "p11tool --delete a certificate" delete

interop_finish
