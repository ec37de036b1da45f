#!/usr/bin/env bash
# The project's test command (README "Test", and what CI runs after installing packages).
# Every step must pass; each one says what it checks.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "format and lints"
cargo fmt --all -- --check
cargo clippy --locked --all-targets -- -D warnings

step "unit and integration tests (RustCrypto backend, through the C ABI via cryptoki)"
cargo test --locked

step "release build + pkcs11-tool: the FIPS guide's step 5"
cargo build --locked --release
tests/interop/guide-step5.sh target/release/libcraton_hsm.so

echo
echo "all tests passed"
