#!/usr/bin/env bash
# Real TLS handshakes with the server's private key on the token, checked by `openssl s_client`
# against a CA that issued certificates for the token's public keys:
#   - `openssl s_server` with the key through libp11's pkcs11 engine: TLS 1.3 with RSA-PSS and
#     with ECDSA, TLS 1.2 with RSA PKCS#1 v1.5. The engine signs the hash OpenSSL made, with
#     CKM_RSA_PKCS_PSS, CKM_ECDSA and CKM_RSA_PKCS.
#   - a JSSE server (TokenTlsServer.java, SunPKCS11 KeyStore "PKCS11"), same three handshakes.
#     SunPKCS11 hashes on the token where it can (CKM_ECDSA_SHA256, CKM_SHA256_RSA_PKCS) but
#     signs TLS 1.3's RSA-PSS with raw CKM_RSA_PKCS_PSS over its own hash.
# In approved-only mode (the extra config sets `fips_approved_only = true`) a signature over a
# caller's hash is not an approved service (FIPS 140-3 wants the hash computed inside the
# module), so CKM_ECDSA, CKM_RSA_PKCS and CKM_RSA_PKCS_PSS are not offered and C_SignInit gives
# CKR_MECHANISM_INVALID. There the engine's handshakes must fail with that refusal, JSSE's
# RSA-PSS one finds no PSS signer, and JSSE's ECDSA (TLS 1.3) and RSA PKCS#1 v1.5 (TLS 1.2)
# handshakes, hashed on the token, must succeed.
#
# Usage: tests/interop/tls-handshake.sh path/to/libcraton_hsm.so [extra config TOML]
HERE=$(cd "$(dirname "$0")" && pwd)
source "$HERE/common.sh"
interop_init tls-handshake "$@"

APPROVED_ONLY=0
grep -Eq '^[[:space:]]*(algorithms\.)?fips_approved_only[[:space:]]*=[[:space:]]*true' <<<"$EXTRA_CONFIG" && APPROVED_ONLY=1
echo "approved-only mode: $APPROVED_ONLY"
if [ $APPROVED_ONLY = 1 ]; then
    # approved-only mode needs the integrity sidecar: a copy of the library gets one
    mkdir -p "$WORK/deploy"
    cp "$LIB" "$WORK/deploy/"
    LIB="$WORK/deploy/$(basename "$LIB")"
    "$HERE/../../tools/compute-integrity-hmac.sh" "$LIB" >/dev/null || exit 2
fi

engine_config "$WORK/openssl.cnf"
ossl() { OPENSSL_CONF=/dev/null openssl "$@"; }

# The token's keys and their self-signed entries, made by keytool through SunPKCS11 (hashed
# on the token, so this works in approved-only mode too).
cat >"$WORK/sunpkcs11.cfg" <<EOF
name = Craton
library = $LIB
slot = 0
EOF
KEYTOOL=(keytool -keystore NONE -storetype PKCS11 -addprovider SunPKCS11 -providerArg "$WORK/sunpkcs11.cfg"
    -storepass "$USER_PIN")
TOKEN=tls
setup() {
    init_token "$TOKEN"
    "${KEYTOOL[@]}" -genkeypair -alias trsa -keyalg RSA -keysize 2048 -sigalg SHA256withRSA -dname CN=trsa -validity 2
    "${KEYTOOL[@]}" -genkeypair -alias tec -keyalg EC -groupname secp256r1 -sigalg SHA256withECDSA -dname CN=tec -validity 2
    mkdir -p classes
    javac -d classes "$HERE/TokenTlsServer.java"
}
# (Not in an `||` list: bash ignores `set -e` there, even in check's subshell.)
check "token with RSA-2048 and P-256 key entries (keytool), TokenTlsServer compiled" setup
[ "$FAILED" -eq 0 ] || interop_finish

# Software CAs issue localhost certificates for the token's public keys (-force_pubkey: the
# request is signed by a throw-away software key, so no token signature is needed here). Each
# chain is signed with the algorithm its handshake offers, as TLS wants of a server's chain
# (JSSE enforces it): an RSA CA (rsa_pkcs1_sha256) for trsa, a P-256 CA for tec.
issue() {
    local k ca
    ossl req -x509 -newkey rsa:2048 -nodes -keyout ca-trsa.key -subj /CN=interop-rsa-ca -days 2 -out ca-trsa.crt
    ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca-tec.key -subj /CN=interop-ec-ca \
        -days 2 -out ca-tec.crt
    cat ca-trsa.crt ca-tec.crt >ca.crt
    ossl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout junk.key -subj /CN=localhost -out junk.csr
    printf 'subjectAltName = DNS:localhost\n' >san.ext
    for k in trsa tec; do
        "${KEYTOOL[@]}" -exportcert -alias $k -rfc -file $k.self.pem
        ossl x509 -in $k.self.pem -noout -pubkey >$k.pub.pem
        ossl x509 -req -in junk.csr -CA ca-$k.crt -CAkey ca-$k.key -force_pubkey $k.pub.pem -extfile san.ext \
            -sha256 -days 2 -out $k.crt
        ossl verify -CAfile ca-$k.crt $k.crt
        # the issued chain replaces the self-signed entry, for the JSSE server
        cat $k.crt ca-$k.crt >$k.chain.pem
        "${KEYTOOL[@]}" -importcert -noprompt -alias $k -file $k.chain.pem
    done
}
check "CAs issue localhost certificates for the token's RSA and EC public keys" issue
[ "$FAILED" -eq 0 ] || interop_finish

# keytool sets a private key's CKA_ID to its alias's bytes (and leaves its label empty).
key_uri() { echo "pkcs11:token=$TOKEN;id=$(printf %s "$1" | xxd -p | sed 's/../%&/g');type=private?pin-value=$USER_PIN"; }

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# wait_for LOG TEXT: until the server's log shows TEXT (at most 30 s).
wait_for() {
    local i
    for i in $(seq 300); do
        grep -q "$2" "$1" 2>/dev/null && return 0
        sleep 0.1
    done
    cat "$1"
    die "server never printed '$2'"
}

# client PORT OUT ARGS...: one s_client handshake that must verify the server's chain; it sends
# an HTTP request and prints what comes back until the server closes.
client() {
    local port=$1 out=$2
    shift 2
    printf 'GET / HTTP/1.0\r\n\r\n' | timeout 30 env OPENSSL_CONF=/dev/null openssl s_client -ign_eof \
        -connect "127.0.0.1:$port" -servername localhost -verify_hostname localhost \
        -CAfile ca.crt -verify_return_error -brief "$@" >"$out" 2>&1
}

# The three handshakes: name, key, s_client arguments, what s_client must report.
HANDSHAKES=(
    "tls13-pss|trsa|-tls1_3 -sigalgs rsa_pss_rsae_sha256:rsa_pkcs1_sha256|TLSv1.3|RSA-PSS"
    "tls13-ecdsa|tec|-tls1_3 -sigalgs ecdsa_secp256r1_sha256|TLSv1.3|ECDSA"
    "tls12-rsa|trsa|-tls1_2 -sigalgs RSA+SHA256 -cipher ECDHE-RSA-AES128-GCM-SHA256|TLSv1.2|RSA"
)

# established OUT PROTO SIGTYPE: s_client's -brief report of a verified handshake.
established() {
    grep_in "$1" "CONNECTION ESTABLISHED"
    grep_in "$1" "Protocol version: $2"
    grep_in "$1" "Signature type: $3\$"
    grep_in "$1" "Verification: OK"
}

engine_handshake() {
    local name=$1 key=$2 args=$3 proto=$4 sigtype=$5 port log
    port=$(free_port)
    log=engine-$name.log
    # Every server runs under a time limit, so a client that never connects cannot hang the run.
    OPENSSL_CONF="$WORK/openssl.cnf" timeout 60 openssl s_server -engine pkcs11 -keyform engine \
        -key "$(key_uri $key)" -cert $key.crt \
        -accept "127.0.0.1:$port" -naccept 1 -www >"$log" 2>&1 </dev/null &
    local pid=$!
    wait_for "$log" ACCEPT
    # shellcheck disable=SC2086
    client "$port" client-$name.out $args || true
    wait $pid || true
    if [ $APPROVED_ONLY = 1 ]; then
        if grep -q "CONNECTION ESTABLISHED" client-$name.out; then
            cat client-$name.out
            die "handshake succeeded with a signature over the engine's hash"
        fi
        grep_in "$log" "Mechanism invalid"
    else
        established client-$name.out "$proto" "$sigtype"
        grep_in client-$name.out "HTTP/1.0 200 ok"
    fi
}

for h in "${HANDSHAKES[@]}"; do
    IFS='|' read -r name key args proto sigtype <<<"$h"
    if [ $APPROVED_ONLY = 1 ]; then
        what="refused: openssl s_server via the pkcs11 engine ($name, the engine signs its own hash)"
    else
        what="openssl s_server via the pkcs11 engine, s_client verifies: $name"
    fi
    check "$what" engine_handshake "$name" "$key" "$args" "$proto" "$sigtype"
done

# One JSSE server serves the three handshakes in order.
JPORT=$(free_port)
timeout 120 java -cp "$WORK/classes" TokenTlsServer "$WORK/sunpkcs11.cfg" "$USER_PIN" "$JPORT" ${#HANDSHAKES[@]} \
    >jsse.log 2>&1 </dev/null &
JPID=$!
jsse_ready() { wait_for jsse.log ready; }
check "TokenTlsServer (JSSE, SunPKCS11 keys) listens" jsse_ready

jsse_handshake() {
    local name=$1 args=$2 proto=$3 sigtype=$4 refused=$5
    # shellcheck disable=SC2086
    client "$JPORT" jsse-$name.out $args || true
    if [ "$refused" = 1 ]; then
        if grep -q "CONNECTION ESTABLISHED" jsse-$name.out; then
            cat jsse-$name.out
            die "handshake succeeded with a signature over JSSE's hash"
        fi
    else
        established jsse-$name.out "$proto" "$sigtype"
        grep_in jsse-$name.out "served with a token key"
    fi
}

for h in "${HANDSHAKES[@]}"; do
    IFS='|' read -r name key args proto sigtype <<<"$h"
    refused=0
    what="JSSE server with the token key, s_client verifies: $name"
    if [ $APPROVED_ONLY = 1 ] && [ "$name" = tls13-pss ]; then
        refused=1
        what="refused: JSSE $name (SunPKCS11's RSASSA-PSS needs CKM_RSA_PKCS_PSS over its own hash)"
    fi
    check "$what" jsse_handshake "$name" "$args" "$proto" "$sigtype" "$refused"
done
wait $JPID || true
jsse_done() {
    cat jsse.log
    grep_in jsse.log "handshake 2: TLSv1.3"
    grep_in jsse.log "handshake 3: TLSv1.2"
    if [ $APPROVED_ONLY = 1 ]; then
        # the mechanism list lacks CKM_RSA_PKCS_PSS, so SunPKCS11 offers JSSE no PSS signer
        grep_in jsse.log "handshake 1 failed: .*No supported CertificateVerify signature algorithm for RSA"
    else
        grep_in jsse.log "handshake 1: TLSv1.3"
    fi
}
check "JSSE server's own log agrees with the client for each connection" jsse_done

# Approved-only mode: every signature the module made (keytool's certificates, the handshakes)
# is in the audit log as an approved service, with the hashing mechanisms JSSE used.
approved_signatures() {
    python3 - "$WORK/store/audit.jsonl" <<'PY'
import json, sys
records = [json.loads(l) for l in open(sys.argv[1])]
signs = [r["operation"]["Sign"] for r in records if "Sign" in r.get("operation", {}) and r["result"] == "Success"]
mechs = {s["mechanism"] for s in signs}
# CKM_SHA256_RSA_PKCS (0x40) and CKM_ECDSA_SHA256 (0x1044)
assert {0x40, 0x1044} <= mechs, mechs
assert all(s["fips_approved"] for s in signs), signs
PY
}
if [ $APPROVED_ONLY = 1 ]; then
    check "audit log: every signature was an approved service (CKM_SHA256_RSA_PKCS, CKM_ECDSA_SHA256)" approved_signatures
fi

interop_finish
