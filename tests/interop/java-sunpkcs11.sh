#!/usr/bin/env bash
# Java's SunPKCS11 provider (JDK 17) against the built module: keytool generates RSA-2048 and
# EC P-256 key entries with self-signed certificates on the token (-storetype PKCS11), then
# SunPkcs11Interop.java uses them through KeyStore "PKCS11" with the user PIN: SHA256withRSA,
# SHA256withECDSA (and SHA512withRSA, SHA384withECDSA, RSASSA-PSS) sign/verify cross-checked
# with the JDK's default providers both ways, token KeyPairGenerator keys, RSA decryption,
# ECDH, AES-GCM/CBC/CTR, HMAC, digests and SecureRandom.
#
# Usage: tests/interop/java-sunpkcs11.sh path/to/libcraton_hsm.so [extra config TOML]
source "$(dirname "$0")/common.sh"
SRC=$(realpath "$(dirname "$0")/SunPkcs11Interop.java")
interop_init java-sunpkcs11 "$@"

# SunPKCS11 leaves key attributes to the token's defaults. For its ECDH KeyAgreement the EC key
# needs CKA_DERIVE (default false in PKCS#11, SoftHSM alike), and the derived generic secret,
# whose CKA_VALUE SunPKCS11 reads back, must not be sensitive (Craton defaults keys to
# CKA_SENSITIVE=true).
cat >"$WORK/sunpkcs11.cfg" <<EOF
name = Craton
library = $LIB
slot = 0
attributes(generate, CKO_PRIVATE_KEY, CKK_EC) = {
  CKA_DERIVE = true
}
attributes(generate, CKO_SECRET_KEY, CKK_GENERIC_SECRET) = {
  CKA_SENSITIVE = false
  CKA_EXTRACTABLE = true
}
EOF
KEYTOOL=(keytool -keystore NONE -storetype PKCS11 -addprovider SunPKCS11 -providerArg "$WORK/sunpkcs11.cfg"
    -storepass "$USER_PIN")

check "init token and user PIN" init_token java || interop_finish

compile() {
    mkdir -p classes
    javac -d classes "$SRC"
}
check "javac SunPkcs11Interop.java" compile || interop_finish

keytool_gen() {
    "${KEYTOOL[@]}" -genkeypair -alias jrsa -keyalg RSA -keysize 2048 -sigalg SHA256withRSA \
        -dname CN=jrsa -validity 2
    "${KEYTOOL[@]}" -genkeypair -alias jec -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA \
        -dname CN=jec -validity 2
    "${KEYTOOL[@]}" -list >list.txt
    grep_in list.txt "Your keystore contains 2 entries"
    grep_in list.txt "jrsa, PrivateKeyEntry"
    grep_in list.txt "jec, PrivateKeyEntry"
}
check "keytool -genkeypair RSA-2048 and EC P-256 on the token (-storetype PKCS11)" keytool_gen || interop_finish

keytool_export() {
    "${KEYTOOL[@]}" -exportcert -alias jec -rfc -file jec.pem
    OPENSSL_CONF=/dev/null openssl verify -CAfile jec.pem jec.pem
    "${KEYTOOL[@]}" -exportcert -alias jrsa -rfc -file jrsa.pem
    OPENSSL_CONF=/dev/null openssl verify -CAfile jrsa.pem jrsa.pem
}
check "keytool -exportcert: openssl verifies the token-signed certificates" keytool_export

run_program SunPkcs11Interop java -cp "$WORK/classes" SunPkcs11Interop "$WORK/sunpkcs11.cfg" "$USER_PIN"
interop_finish
