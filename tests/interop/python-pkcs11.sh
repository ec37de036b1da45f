#!/usr/bin/env bash
# python-pkcs11 (PyPI) against the built module, cross-checked with the `cryptography` package:
# keygen, sign/verify, encrypt/decrypt and wrap/unwrap for RSA, EC, Ed25519 and AES, plus
# AES-CTR/GCM/CMAC, ECDH with KDFs, HMAC and digests (see python-pkcs11.py for the list).
# Needs: pip install python-pkcs11 cryptography (into $INTEROP_PYTHON, default python3);
# pkcs11-tool (opensc) to initialise the token.
#
# Usage: tests/interop/python-pkcs11.sh path/to/libcraton_hsm.so [extra config TOML]
source "$(dirname "$0")/common.sh"
PY=$(realpath "$(dirname "$0")/python-pkcs11.py")
interop_init python-pkcs11 "$@"

PYTHON=${INTEROP_PYTHON:-python3}
if ! "$PYTHON" -c 'import pkcs11, cryptography' 2>"$WORK/import.txt"; then
    fail "python-pkcs11 and cryptography are importable (pip install python-pkcs11 cryptography)" "$WORK/import.txt"
    interop_finish
fi
check "init token and user PIN" init_token py-interop || interop_finish

run_program python-pkcs11.py "$PYTHON" "$PY" "$LIB" py-interop "$USER_PIN"
interop_finish
