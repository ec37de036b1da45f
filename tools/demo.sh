#!/usr/bin/env bash
# Builds the module and shows it working through pkcs11-tool: library info, slots, mechanisms,
# then a token initialized, an RSA key generated, a signature made and verified. Uses a
# throw-away token store, so it never touches your own.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v pkcs11-tool >/dev/null || { echo "install pkcs11-tool first: apt-get install opensc" >&2; exit 1; }

cargo build --release --locked
LIB=$PWD/target/release/libcraton_hsm.so
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export CRATON_HSM_CONFIG=$WORK/craton_hsm.toml
printf 'token.storage_path = "%s/store"\n' "$WORK" >"$CRATON_HSM_CONFIG"

set -x
pkcs11-tool --module "$LIB" --show-info
pkcs11-tool --module "$LIB" --list-slots
pkcs11-tool --module "$LIB" --list-mechanisms
pkcs11-tool --module "$LIB" --init-token --label demo --so-pin 87654321
pkcs11-tool --module "$LIB" --login --so-pin 87654321 --init-pin --pin 123456
pkcs11-tool --module "$LIB" --login --pin 123456 --keypairgen --key-type RSA:2048 --label demo-key --id 01
echo "hello from Craton HSM" >"$WORK/msg"
pkcs11-tool --module "$LIB" --login --pin 123456 --sign --mechanism SHA256-RSA-PKCS --label demo-key \
    --input-file "$WORK/msg" --output-file "$WORK/sig"
pkcs11-tool --module "$LIB" --verify --mechanism SHA256-RSA-PKCS --label demo-key \
    --input-file "$WORK/msg" --signature-file "$WORK/sig"
