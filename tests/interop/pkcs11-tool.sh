#!/usr/bin/env bash
# OpenSC's pkcs11-tool against the built module, cross-checked both ways with plain openssl:
# `--test --login` must say "No errors"; key generation (RSA 2048/3072/4096, EC P-256/P-384,
# Ed25519, AES-128/192/256, generic secret); sign/verify with RSA-PKCS, SHA*-RSA-PKCS,
# (SHA*-)RSA-PKCS-PSS, ECDSA, ECDSA-SHA*, EDDSA and SHA-2/SHA-3 HMAC; AES-ECB/CBC/CBC-PAD and
# RSA-PKCS/RSA-PKCS-OAEP encrypt/decrypt; ECDH derive; AES-KW/KWP, AES-CBC-PAD and RSA-PKCS
# wrap/unwrap; digests; and SHA-1 signing on a token configured with allow_sha1_signing.
# Token output is checked with openssl, and openssl output (or an openssl key imported with
# --write-object) is checked on the token.
#
# Not covered here because pkcs11-tool 0.23 (Debian 12) has no way to ask for them (the
# python-pkcs11 script covers them): AES-CTR, AES-GCM (--aad/--tag-bits-len arrived in 0.24),
# RSA encryption on the token (0.23 encrypts with secret keys only), OAEP labels and OAEP wrap
# (0.23 passes no CK_RSA_PKCS_OAEP_PARAMS to C_WrapKey), EdDSA key import.
#
# Usage: tests/interop/pkcs11-tool.sh path/to/libcraton_hsm.so [extra config TOML]
source "$(dirname "$0")/common.sh"
interop_init pkcs11-tool "$@"

# ---------------------------------------------------------------------------------------------
# Token, mechanism list, key generation

check "init token and user PIN" init_token interop || interop_finish

list_mechanisms() {
    P11 --list-mechanisms >mechs.txt
    local missing=() m
    for m in RSA-PKCS-KEY-PAIR-GEN RSA-PKCS RSA-X-509 SHA224-RSA-PKCS SHA256-RSA-PKCS \
        SHA384-RSA-PKCS SHA512-RSA-PKCS RSA-PKCS-PSS SHA224-RSA-PKCS-PSS SHA256-RSA-PKCS-PSS \
        SHA384-RSA-PKCS-PSS SHA512-RSA-PKCS-PSS RSA-PKCS-OAEP ECDSA-KEY-PAIR-GEN ECDSA \
        ECDSA-SHA224 ECDSA-SHA256 ECDSA-SHA384 ECDSA-SHA512 ECDH1-DERIVE ECDH1-COFACTOR-DERIVE \
        EC-EDWARDS-KEY-PAIR-GEN EDDSA AES-KEY-GEN AES-ECB AES-CBC AES-CBC-PAD AES-CTR AES-GCM \
        AES-KEY-WRAP mechtype-0x210B AES-CMAC SHA-1 SHA224 SHA256 SHA384 SHA512 SHA3-224 \
        SHA3-256 SHA3-384 SHA3-512 GENERIC-SECRET-KEY-GEN SHA-1-HMAC SHA224-HMAC SHA256-HMAC \
        SHA384-HMAC SHA512-HMAC SHA3-224-HMAC SHA3-256-HMAC SHA3-384-HMAC SHA3-512-HMAC \
        mechtype-0x402A; do
        grep -qE "^  $m," mechs.txt || missing+=("$m")
    done
    [ ${#missing[@]} -eq 0 ] || die "missing from C_GetMechanismList: ${missing[*]}"
    # SHA-1 signing is off by default.
    if grep -qE '^  (SHA1-RSA-PKCS|ECDSA-SHA1),' mechs.txt; then die "SHA-1 signing listed by default"; fi
}
check "--list-mechanisms lists the classical set (no SHA-1 signing by default)" list_mechanisms

# keypair ID KEYTYPE EXPECT [flags]: generate a pair and check pkcs11-tool's description of it.
keypair() {
    local id=$1 type=$2 expect=$3
    shift 3
    P11U --keypairgen --key-type "$type" --id "$id" --label "k$id" "$@" >"gen$id.txt"
    grep_in "gen$id.txt" "$expect"
    grep_in "gen$id.txt" "never extractable, local"
}
check "keypairgen RSA 2048" keypair 01 rsa:2048 "RSA 2048 bits" --usage-sign --usage-decrypt --usage-wrap
check "keypairgen RSA 3072" keypair 02 rsa:3072 "RSA 3072 bits" --usage-sign
check "keypairgen RSA 4096" keypair 03 rsa:4096 "RSA 4096 bits" --usage-sign --usage-decrypt
check "keypairgen EC P-256" keypair 10 EC:prime256v1 "EC_PARAMS:  06082a8648ce3d030107" --usage-sign --usage-derive
check "keypairgen EC P-384" keypair 11 EC:secp384r1 "EC_PARAMS:  06052b81040022" --usage-sign --usage-derive
check "keypairgen Ed25519" keypair 12 EC:edwards25519 "EC_EDWARDS" --usage-sign

# secret ID KEYTYPE EXPECT [flags]
secret() {
    local id=$1 type=$2 expect=$3
    shift 3
    P11U --keygen --key-type "$type" --id "$id" --label "k$id" "$@" >"gen$id.txt"
    grep_in "gen$id.txt" "$expect"
}
check "keygen AES-128" secret 20 AES:16 "AES length 16" --usage-decrypt --extractable
check "keygen AES-192" secret 21 AES:24 "AES length 24" --usage-decrypt --extractable
check "keygen AES-256" secret 22 AES:32 "AES length 32" --usage-decrypt --extractable
mixed_roles_refused() {
    # A secret key either transports keys or encrypts data (docs/security.md).
    if P11U --keygen --key-type AES:32 --id 29 --label mixed --usage-decrypt --usage-wrap \
        >mixed.txt 2>&1; then die "a key that both wraps and decrypts was made"; fi
    grep_in mixed.txt "CKR_TEMPLATE_INCONSISTENT"
}
check "keygen refuses a key that both wraps and decrypts" mixed_roles_refused
check "keygen GENERIC 32 bytes" secret 23 GENERIC:32 "Generic secret length 32" --usage-sign --extractable
check "keygen AES-256, not extractable by default" secret 24 AES:32 "never extractable" --usage-decrypt

pkcs11_test() {
    P11 --test --login --pin "$USER_PIN" >test.txt 2>&1
    grep_in test.txt "No errors"
    # with keys on the token the verify and decrypt tests run on them
    grep_in test.txt "testing key 0"
    if grep -E "ERR|failed" test.txt | grep -v '^warning:'; then die "errors in --test output"; fi
}
check "pkcs11-tool --test --login says No errors" pkcs11_test

# ec_spki ID: the public key as PEM, built from the CKA_EC_POINT pkcs11-tool printed at keygen.
# pkcs11-tool 0.23's own EC export (--read-object --type pubkey) reads freed memory inside
# OpenSSL (valgrind: invalid reads under EVP_PKEY_fromdata, with any module), so it fails or
# works depending on heap layout: "cannot create EVP_PKEY". We never rely on it.
ec_spki() {
    local id=$1 prefix point
    point=$(sed -n 's/^  EC_POINT: *\([0-9a-f]*\).*/\1/p' "gen$id.txt")
    case $point in
    0441*) prefix=3059301306072a8648ce3d020106082a8648ce3d030107034200 ;; # P-256
    0461*) prefix=3076301006072a8648ce3d020106052b81040022036200 ;;       # P-384
    *) die "unexpected CKA_EC_POINT for $id: $point" ;;
    esac
    # CKA_EC_POINT is a DER OCTET STRING: drop its 2-byte header
    echo "$prefix${point:4}" | xxd -r -p | openssl pkey -pubin -inform DER -out "pub$id.pem"
}

export_public() {
    local id
    for id in 01 02 03 12; do
        P11 --read-object --type pubkey --id $id -o pub$id.raw
        # RSA comes as DER SPKI, EdDSA (0.23) as PEM: let openssl sort it out.
        openssl pkey -pubin -in pub$id.raw -out pub$id.pem
    done
    openssl pkey -pubin -in pub01.pem -text -noout | grep_in - "Public-Key: (2048 bit)"
    openssl pkey -pubin -in pub03.pem -text -noout | grep_in - "Public-Key: (4096 bit)"
    openssl pkey -pubin -in pub12.pem -text -noout | grep_in - "ED25519 Public-Key"
    ec_spki 10
    openssl pkey -pubin -in pub10.pem -text -noout | grep_in - "NIST CURVE: P-256"
    ec_spki 11
    openssl pkey -pubin -in pub11.pem -text -noout | grep_in - "NIST CURVE: P-384"
}
check "export public keys (RSA 2048/4096, Ed25519; P-256/P-384 from CKA_EC_POINT)" export_public

export_secret() {
    local id
    for id in 20 21 22 23; do P11U --read-object --type secrkey --id $id -o key$id.bin; done
    size_is key20.bin 16
    size_is key21.bin 24
    size_is key22.bin 32
    size_is key23.bin 32
    # the default-sensitive, non-extractable key does not give its value
    if P11U --read-object --type secrkey --id 24 -o key24.bin; then die "read a sensitive key's value"; fi
}
check "read CKA_VALUE of extractable secret keys (and not of a sensitive one)" export_secret

# Keys made by openssl and imported with --write-object, for the openssl -> token direction.
import_keys() {
    openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out ossl-rsa.pem 2>/dev/null
    openssl pkey -in ossl-rsa.pem -outform DER -out ossl-rsa.der
    openssl pkey -in ossl-rsa.pem -pubout -outform DER -out ossl-rsa.pub.der
    P11U --write-object ossl-rsa.der --type privkey --id 30 --label ossl-rsa --usage-sign --usage-decrypt
    P11U --write-object ossl-rsa.pub.der --type pubkey --id 30 --label ossl-rsa --usage-sign --usage-decrypt
    local curve id
    for curve in P-256:31 P-384:32; do
        id=${curve#*:}
        openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"${curve%:*}" -out ossl-ec$id.pem
        openssl pkey -in ossl-ec$id.pem -outform DER -out ossl-ec$id.der
        openssl pkey -in ossl-ec$id.pem -pubout -outform DER -out ossl-ec$id.pub.der
        P11U --write-object ossl-ec$id.der --type privkey --id $id --label ossl-ec$id --usage-sign --usage-derive
        P11U --write-object ossl-ec$id.pub.der --type pubkey --id $id --label ossl-ec$id --usage-sign
    done
    openssl rand 32 >kek.bin
    P11U --write-object kek.bin --type secrkey --key-type AES:32 --id 40 --label kek --usage-wrap
    P11U --list-objects >objects.txt
    [ "$(grep -c 'label:      ossl-' objects.txt)" -eq 6 ] || die "imported keys not all listed"
}
check "import openssl RSA/EC key pairs and an AES KEK with --write-object" import_keys

# ---------------------------------------------------------------------------------------------
# Signatures

head -c 3000 /dev/urandom >data
echo "short message" >msg

# tok_verify ID MECH DATA SIG [extra]: the token says the signature is valid.
tok_verify() {
    local id=$1 mech=$2 in=$3 sig=$4
    shift 4
    P11 --verify --id "$id" -m "$mech" -i "$in" --signature-file "$sig" "$@" >verify.txt 2>&1 || true
    grep_in verify.txt "Signature is valid"
}
# tok_rejects ID MECH DATA SIG [extra]: the token says the signature is invalid.
tok_rejects() {
    local id=$1 mech=$2 in=$3 sig=$4
    shift 4
    P11 --verify --id "$id" -m "$mech" -i "$in" --signature-file "$sig" "$@" >verify.txt 2>&1 || true
    grep_in verify.txt "Invalid signature"
}

rsa_pkcs_raw() {
    # RSA-PKCS over a DigestInfo is a SHA256-RSA-PKCS signature of the data.
    { printf '3031300d060960864801650304020105000420' && openssl dgst -sha256 -hex -r data | cut -c1-64; } |
        xxd -r -p >digestinfo
    P11U --sign --id 01 -m RSA-PKCS -i digestinfo -o sig
    size_is sig 256
    openssl pkeyutl -verifyrecover -pubin -inkey pub01.pem -in sig -out recovered
    same_file recovered digestinfo
    openssl dgst -sha256 -verify pub01.pem -signature sig data
    tok_verify 01 RSA-PKCS digestinfo sig
}
check "RSA-PKCS sign (DigestInfo) -> openssl verify; token verify" rsa_pkcs_raw

rsa_x509_raw() {
    # RSA-X-509 is the bare RSA primitive: openssl's no-padding public op recovers the input.
    { printf '\000' && head -c 255 /dev/urandom; } >block
    size_is block 256
    P11U --sign --id 01 -m RSA-X-509 -i block -o sig
    openssl pkeyutl -verifyrecover -pubin -inkey pub01.pem -pkeyopt rsa_padding_mode:none -in sig -out recovered
    same_file recovered block
}
check "RSA-X-509 sign -> openssl raw public op recovers the block" rsa_x509_raw

sha_rsa() {
    local h=$1 id=$2 bits=$3
    P11U --sign --id "$id" -m "SHA$h-RSA-PKCS" -i data -o sig
    size_is sig $((bits / 8))
    openssl dgst -sha"$h" -verify pub$id.pem -signature sig data
    tok_verify "$id" "SHA$h-RSA-PKCS" data sig
    flip_last sig bad
    tok_rejects "$id" "SHA$h-RSA-PKCS" data bad
}
for h in 224 256 384 512; do check "SHA$h-RSA-PKCS sign -> openssl verify; token verify; bad sig rejected" sha_rsa $h 01 2048; done
check "SHA256-RSA-PKCS with RSA-3072" sha_rsa 256 02 3072
check "SHA512-RSA-PKCS with RSA-4096" sha_rsa 512 03 4096

sha_rsa_pss() {
    local h=$1 salt=$2
    P11U --sign --id 01 -m "SHA$h-RSA-PKCS-PSS" --mgf "MGF1-SHA$h" --salt-len "$salt" -i data -o sig
    # openssl checks the exact salt length, so a module that ignores sLen fails here.
    openssl dgst -sha"$h" -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:"$salt" \
        -sigopt rsa_mgf1_md:sha"$h" -verify pub01.pem -signature sig data
    tok_verify 01 "SHA$h-RSA-PKCS-PSS" data sig --mgf "MGF1-SHA$h" --salt-len "$salt"
    flip_last sig bad
    tok_rejects 01 "SHA$h-RSA-PKCS-PSS" data bad --mgf "MGF1-SHA$h" --salt-len "$salt"
}
for h in 224 256 384 512; do
    check "SHA$h-RSA-PKCS-PSS (salt $((h / 8))) sign -> openssl verify; token verify" sha_rsa_pss $h $((h / 8))
done
check "SHA256-RSA-PKCS-PSS salt 0 -> openssl verify with saltlen 0" sha_rsa_pss 256 0
check "SHA384-RSA-PKCS-PSS salt 20 -> openssl verify with saltlen 20" sha_rsa_pss 384 20

rsa_pss_raw() {
    openssl dgst -sha384 -binary data >h384
    P11U --sign --id 01 -m RSA-PKCS-PSS --hash-algorithm SHA384 --mgf MGF1-SHA384 --salt-len 48 -i h384 -o sig
    openssl pkeyutl -verify -pubin -inkey pub01.pem -in h384 -sigfile sig -pkeyopt digest:sha384 \
        -pkeyopt rsa_padding_mode:pss -pkeyopt rsa_pss_saltlen:48 -pkeyopt rsa_mgf1_md:sha384
    tok_verify 01 RSA-PKCS-PSS h384 sig --hash-algorithm SHA384 --mgf MGF1-SHA384 --salt-len 48
}
check "RSA-PKCS-PSS (hash given) sign -> openssl verify; token verify" rsa_pss_raw

ossl_rsa_to_token() {
    openssl dgst -sha256 -sign ossl-rsa.pem -out sig data
    tok_verify 30 SHA256-RSA-PKCS data sig
    openssl dgst -sha512 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:64 -sign ossl-rsa.pem -out sig data
    tok_verify 30 SHA512-RSA-PKCS-PSS data sig --mgf MGF1-SHA512 --salt-len 64
    flip_last sig bad
    tok_rejects 30 SHA512-RSA-PKCS-PSS data bad --mgf MGF1-SHA512 --salt-len 64
    # and the imported private key signs for openssl
    P11U --sign --id 30 -m SHA384-RSA-PKCS -i data -o sig
    openssl dgst -sha384 -verify <(openssl pkey -in ossl-rsa.pem -pubout) -signature sig data
}
check "openssl RSA signatures (PKCS#1, PSS) verify on token; imported key signs for openssl" ossl_rsa_to_token

ecdsa_raw() {
    local id=$1 h=$2 len=$3
    openssl dgst -"$h" -binary data >digest.bin
    P11U --sign --id "$id" -m ECDSA -i digest.bin -o sig.rs
    size_is sig.rs "$len" # r||s, not DER
    P11U --sign --id "$id" -m ECDSA -i digest.bin -o sig.der --signature-format openssl
    openssl pkeyutl -verify -pubin -inkey pub$id.pem -in digest.bin -sigfile sig.der
    tok_verify "$id" ECDSA digest.bin sig.rs
    tok_verify "$id" ECDSA digest.bin sig.der --signature-format openssl
    flip_last sig.rs bad
    tok_rejects "$id" ECDSA digest.bin bad
}
check "ECDSA P-256 (r||s, 64 bytes) -> openssl verify; token verify" ecdsa_raw 10 sha256 64
check "ECDSA P-384 (r||s, 96 bytes) -> openssl verify; token verify" ecdsa_raw 11 sha384 96

ecdsa_sha() {
    local id=$1 h=$2
    P11U --sign --id "$id" -m "ECDSA-SHA$h" -i data -o sig.der --signature-format openssl
    openssl dgst -sha"$h" -verify pub$id.pem -signature sig.der data
    tok_verify "$id" "ECDSA-SHA$h" data sig.der --signature-format openssl
}
for h in 224 256 384 512; do check "ECDSA-SHA$h P-256 sign -> openssl verify; token verify" ecdsa_sha 10 $h; done
check "ECDSA-SHA384 P-384 sign -> openssl verify; token verify" ecdsa_sha 11 384

ossl_ec_to_token() {
    local id=$1 h=$2
    openssl dgst -sha"$h" -sign ossl-ec$id.pem -out sig.der data
    tok_verify "$id" "ECDSA-SHA$h" data sig.der --signature-format openssl
    openssl dgst -sha"$h" -binary data >digest.bin
    tok_verify "$id" ECDSA digest.bin sig.der --signature-format openssl
    { echo tampered && cat data; } >data.bad
    tok_rejects "$id" "ECDSA-SHA$h" data.bad sig.der --signature-format openssl
    P11U --sign --id "$id" -m "ECDSA-SHA$h" -i data -o sig2.der --signature-format openssl
    openssl dgst -sha"$h" -verify <(openssl pkey -in ossl-ec$id.pem -pubout) -signature sig2.der data
}
check "openssl ECDSA P-256 signature verifies on token; imported key signs for openssl" ossl_ec_to_token 31 256
check "openssl ECDSA P-384 signature verifies on token; imported key signs for openssl" ossl_ec_to_token 32 384

eddsa() {
    P11U --sign --id 12 -m EDDSA -i data -o sig
    size_is sig 64
    openssl pkeyutl -verify -pubin -inkey pub12.pem -rawin -in data -sigfile sig
    tok_verify 12 EDDSA data sig
    flip_last sig bad
    tok_rejects 12 EDDSA data bad
    # Ed25519 is deterministic: the same message gives the same signature.
    P11U --sign --id 12 -m EDDSA -i data -o sig2
    same_file sig sig2
}
check "EDDSA (Ed25519) sign -> openssl verify; token verify; deterministic" eddsa

hmac() {
    local mech=$1 md=$2
    P11U --sign --id 23 -m "$mech" -i data -o mac
    openssl dgst -"$md" -mac HMAC -macopt hexkey:"$(hex key23.bin)" -binary -out mac.ossl data
    same_file mac mac.ossl
    P11U --verify --id 23 -m "$mech" -i data --signature-file mac.ossl >verify.txt 2>&1
    grep_in verify.txt "Signature is valid"
}
for hm in SHA-1-HMAC:sha1 SHA224-HMAC:sha224 SHA256-HMAC:sha256 SHA384-HMAC:sha384 SHA512-HMAC:sha512 \
    SHA3-224-HMAC:sha3-224 SHA3-256-HMAC:sha3-256 SHA3-384-HMAC:sha3-384 SHA3-512-HMAC:sha3-512; do
    check "${hm%:*} equals openssl HMAC; token verifies openssl's MAC" hmac "${hm%:*}" "${hm#*:}"
done

# ---------------------------------------------------------------------------------------------
# Encryption

IV=000102030405060708090a0b0c0d0e0f
head -c 64 /dev/urandom >pt64 # whole blocks, for ECB/CBC
head -c 61 /dev/urandom >pt61 # for CBC-PAD

aes() {
    local id=$1 mech=$2 cipher=$3 pt=$4 ivarg=() ossl_iv=()
    local key
    key=$(hex key$id.bin)
    if [ "$mech" != AES-ECB ]; then
        ivarg=(--iv "$IV")
        ossl_iv=(-iv "$IV")
    fi
    local nopad=(-nopad)
    [ "$mech" = AES-CBC-PAD ] && nopad=()
    # token -> openssl
    P11U --encrypt --id "$id" -m "$mech" "${ivarg[@]}" -i "$pt" -o ct.tok
    openssl enc -d -"$cipher" "${nopad[@]}" -K "$key" "${ossl_iv[@]}" -in ct.tok -out pt.ossl
    same_file pt.ossl "$pt"
    # openssl -> token
    openssl enc -e -"$cipher" "${nopad[@]}" -K "$key" "${ossl_iv[@]}" -in "$pt" -out ct.ossl
    same_file ct.ossl ct.tok
    P11U --decrypt --id "$id" -m "$mech" "${ivarg[@]}" -i ct.ossl -o pt.tok
    same_file pt.tok "$pt"
}
for ks in 20:128 21:192 22:256; do
    id=${ks%:*} bits=${ks#*:}
    check "AES-$bits-ECB token <-> openssl" aes "$id" AES-ECB "aes-$bits-ecb" pt64
    check "AES-$bits-CBC token <-> openssl" aes "$id" AES-CBC "aes-$bits-cbc" pt64
    check "AES-$bits-CBC-PAD token <-> openssl" aes "$id" AES-CBC-PAD "aes-$bits-cbc" pt61
done
skip "AES-CTR, AES-GCM through pkcs11-tool: this pkcs11-tool (OpenSC 0.23) has no AES-CTR/GCM parameters (see python-pkcs11.sh)"

rsa_decrypt() {
    openssl pkeyutl -encrypt -pubin -inkey pub01.pem "$@" -in msg -out ct
    # pkcs11-tool's OAEP options, when the openssl options name an OAEP hash
    local args=(-m RSA-PKCS) a
    for a in "$@"; do
        case $a in
        rsa_oaep_md:*) args=(-m RSA-PKCS-OAEP --hash-algorithm "$(echo "${a#*:}" | tr a-z A-Z | sed 's/^SHA1$/SHA-1/')") ;;
        rsa_mgf1_md:*) args+=(--mgf "MGF1-$(echo "${a#*:}" | tr a-z A-Z)") ;;
        esac
    done
    P11U --decrypt --id 01 "${args[@]}" -i ct -o pt
    same_file pt msg
}
check "RSA-PKCS: openssl encrypts, token decrypts" rsa_decrypt
for md in sha1 sha224 sha256 sha384 sha512; do
    check "RSA-PKCS-OAEP $md/MGF1-$md: openssl encrypts, token decrypts" rsa_decrypt \
        -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:$md -pkeyopt rsa_mgf1_md:$md
done
check "RSA-PKCS-OAEP sha256/MGF1-sha1 (Java's OAEPWithSHA-256AndMGF1Padding): token decrypts" rsa_decrypt \
    -pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha1
skip "RSA encryption on the token: pkcs11-tool 0.23 encrypts with secret keys only (see python-pkcs11.sh)"

# ---------------------------------------------------------------------------------------------
# Key derivation, wrapping, digests

ecdh() {
    local id=$1 curve=$2 mech=$3
    openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:"$curve" -out peer.pem
    openssl pkey -in peer.pem -pubout -outform DER -out peer.pub.der
    P11U --derive --id "$id" -m "$mech" -i peer.pub.der -o z.tok
    openssl pkeyutl -derive -inkey peer.pem -peerkey pub$id.pem -out z.ossl
    same_file z.tok z.ossl
}
check "ECDH1-DERIVE P-256 (CKD_NULL) equals openssl ECDH" ecdh 10 P-256 ECDH1-DERIVE
check "ECDH1-DERIVE P-384 (CKD_NULL) equals openssl ECDH" ecdh 11 P-384 ECDH1-DERIVE
check "ECDH1-COFACTOR-DERIVE P-256 equals openssl ECDH" ecdh 10 P-256 ECDH1-COFACTOR-DERIVE

KEK_HEX() { hex kek.bin; }

wrap_aes_kw() {
    # token wraps AES-128 (id 20) under the imported KEK; openssl unwraps
    P11U --wrap -m AES-KEY-WRAP --id 40 --application-id 20 -o wrapped
    size_is wrapped 24
    openssl enc -d -id-aes256-wrap -iv A6A6A6A6A6A6A6A6 -K "$(KEK_HEX)" -in wrapped -out unwrapped
    same_file unwrapped key20.bin
    # openssl wraps a fresh key; token unwraps it (extractable, so its value can be compared)
    openssl rand 32 >k.bin
    openssl enc -e -id-aes256-wrap -iv A6A6A6A6A6A6A6A6 -K "$(KEK_HEX)" -in k.bin -out wrapped2
    P11U --unwrap -m AES-KEY-WRAP --id 40 -i wrapped2 --key-type AES:32 --application-id 50 \
        --application-label unwrapped-kw --extractable
    P11U --read-object --type secrkey --id 50 -o k.tok
    same_file k.tok k.bin
}
check "AES-KEY-WRAP (RFC 3394) wrap/unwrap <-> openssl id-aes256-wrap" wrap_aes_kw

wrap_aes_kwp() {
    P11U --wrap -m 0x210B --id 40 --application-id 21 -o wrapped
    openssl enc -d -id-aes256-wrap-pad -iv A65959A6 -K "$(KEK_HEX)" -in wrapped -out unwrapped
    same_file unwrapped key21.bin
    # a 20-byte generic secret: KWP's padding path
    openssl rand 20 >k.bin
    openssl enc -e -id-aes256-wrap-pad -iv A65959A6 -K "$(KEK_HEX)" -in k.bin -out wrapped2
    P11U --unwrap -m 0x210B --id 40 -i wrapped2 --key-type GENERIC:20 --application-id 51 \
        --application-label unwrapped-kwp --extractable
    P11U --read-object --type secrkey --id 51 -o k.tok
    same_file k.tok k.bin
}
check "AES-KEY-WRAP-KWP (RFC 5649) wrap/unwrap <-> openssl id-aes256-wrap-pad" wrap_aes_kwp

wrap_aes_cbc_pad() {
    P11U --wrap -m AES-CBC-PAD --iv "$IV" --id 40 --application-id 22 -o wrapped
    openssl enc -d -aes-256-cbc -K "$(KEK_HEX)" -iv "$IV" -in wrapped -out unwrapped
    same_file unwrapped key22.bin
}
check "AES-CBC-PAD wrap -> openssl decrypts the key" wrap_aes_cbc_pad

wrap_rsa() {
    # token wraps with the imported openssl public key; openssl decrypts with its private key
    P11U --wrap -m RSA-PKCS --id 30 --application-id 20 -o wrapped
    openssl pkeyutl -decrypt -inkey ossl-rsa.pem -in wrapped -out unwrapped
    same_file unwrapped key20.bin
    # openssl encrypts a key to the token's public key; the token unwraps it
    openssl rand 16 >k.bin
    openssl pkeyutl -encrypt -pubin -inkey pub01.pem -in k.bin -out wrapped2
    P11U --unwrap -m RSA-PKCS --id 01 -i wrapped2 --key-type AES:16 --application-id 52 \
        --application-label unwrapped-rsa --extractable
    P11U --read-object --type secrkey --id 52 -o k.tok
    same_file k.tok k.bin
}
check "RSA-PKCS wrap/unwrap <-> openssl" wrap_rsa

wrap_unextractable() {
    if P11U --wrap -m AES-KEY-WRAP --id 40 --application-id 24 -o wrapped >out.txt 2>&1; then
        die "a non-extractable key was wrapped"
    fi
    grep_in out.txt CKR_KEY_UNEXTRACTABLE
}
check "wrapping a non-extractable key fails with CKR_KEY_UNEXTRACTABLE" wrap_unextractable

digest() {
    local mech=$1 md=$2
    P11 --hash -m "$mech" -i data -o h.tok
    openssl dgst -"$md" -binary -out h.ossl data
    same_file h.tok h.ossl
}
for hm in SHA-1:sha1 SHA224:sha224 SHA256:sha256 SHA384:sha384 SHA512:sha512 \
    SHA3-224:sha3-224 SHA3-256:sha3-256 SHA3-384:sha3-384 SHA3-512:sha3-512; do
    check "--hash ${hm%:*} equals openssl dgst" digest "${hm%:*}" "${hm#*:}"
done

random() {
    P11 --generate-random 64 -o r1
    P11 --generate-random 64 -o r2
    size_is r1 64
    if cmp -s r1 r2; then die "two C_GenerateRandom calls gave the same bytes"; fi
}
check "--generate-random" random

delete_objects() {
    P11U --delete-object --type privkey --id 31
    P11U --delete-object --type pubkey --id 31
    P11U --list-objects >objects.txt
    if grep -q "label:      ossl-ec31" objects.txt; then die "deleted key still listed"; fi
    grep_in objects.txt "label:      ossl-ec32"
}
check "--delete-object removes both halves of a key pair (and only those)" delete_objects

# OpenSC's pkcs11-spy (opensc-pkcs11) sits between a client and the module and reaches the
# module through C_GetInterface, writing into the CK_INTERFACE it gets back. The spy of OpenSC
# 0.23 knows interfaces up to 3.0: handed our default "PKCS 11" 3.2 interface, it passes it
# through unwrapped, so it logs C_GetInterface and then stays out of the way.
SPY=$(ls /usr/lib/*/pkcs11-spy.so /usr/lib/pkcs11-spy.so 2>/dev/null | head -1)
through_spy() {
    PKCS11SPY="$LIB" PKCS11SPY_OUTPUT="$WORK/spy.log" pkcs11-tool --module "$SPY" --list-slots >spy-out.txt 2>&1 ||
        die "pkcs11-tool through pkcs11-spy failed (exit $?): $(cat spy-out.txt)"
    grep_in spy-out.txt "token label        : interop"
    grep_in spy.log "C_GetInterface"
}
if [ -n "$SPY" ]; then
    check "pkcs11-tool through OpenSC's pkcs11-spy (C_GetInterface)" through_spy
else
    skip "pkcs11-spy.so not found (opensc-pkcs11)"
fi

# ---------------------------------------------------------------------------------------------
# SHA-1 signing: refused by default, allowed on a token configured with allow_sha1_signing.

sha1_refused() {
    if P11U --sign --id 01 -m SHA1-RSA-PKCS -i data -o sig >out.txt 2>&1; then
        die "SHA1-RSA-PKCS signed without allow_sha1_signing"
    fi
    grep_in out.txt CKR_MECHANISM_INVALID
}
check "SHA1-RSA-PKCS signing refused by default (CKR_MECHANISM_INVALID)" sha1_refused

mkdir -p sha1
new_config sha1/craton_hsm.toml "$WORK/sha1/store" $'[algorithms]\nallow_sha1_signing = true'
export CRATON_HSM_CONFIG="$WORK/sha1/craton_hsm.toml"

sha1_token() {
    init_token sha1
    P11 --list-mechanisms >mechs1.txt
    grep_in mechs1.txt "SHA1-RSA-PKCS,"
    grep_in mechs1.txt "ECDSA-SHA1,"
    P11U --keypairgen --key-type rsa:2048 --id 01 --label r --usage-sign
    P11U --keypairgen --key-type EC:prime256v1 --id 02 --label e --usage-sign >gens1ec.txt
    P11 --read-object --type pubkey --id 01 -o s1rsa.der
    ec_spki s1ec
    P11U --sign --id 01 -m SHA1-RSA-PKCS -i data -o sig
    openssl dgst -sha1 -verify <(openssl pkey -pubin -in s1rsa.der) -signature sig data
    P11U --sign --id 01 -m SHA1-RSA-PKCS-PSS --mgf MGF1-SHA1 --salt-len 20 -i data -o sig
    openssl dgst -sha1 -sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:20 \
        -verify <(openssl pkey -pubin -in s1rsa.der) -signature sig data
    P11U --sign --id 02 -m ECDSA-SHA1 -i data -o sig --signature-format openssl
    openssl dgst -sha1 -verify pubs1ec.pem -signature sig data
}
check "allow_sha1_signing: SHA1-RSA-PKCS, SHA1-RSA-PKCS-PSS, ECDSA-SHA1 -> openssl verify" sha1_token

test_ec() {
    # pkcs11-tool's own EC test signs with ECDSA-SHA1, hence this token.
    P11U --session-rw --test-ec --id 0a --key-type EC:prime256v1 >test-ec.txt 2>&1
    grep_in test-ec.txt "==> OK"
}
check "pkcs11-tool --test-ec (P-256, on the SHA-1 token)" test_ec

change_pin() {
    P11 --login --pin "$USER_PIN" --change-pin --new-pin 654321
    P11 --login --pin 654321 --list-objects --type privkey >objects.txt
    grep_in objects.txt "Private Key Object"
    if P11 --login --pin "$USER_PIN" --list-objects >out.txt 2>&1; then die "old PIN still logs in"; fi
    grep_in out.txt CKR_PIN_INCORRECT
}
check "--change-pin: the new PIN logs in, the old one is CKR_PIN_INCORRECT" change_pin

interop_finish
