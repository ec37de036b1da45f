#!/usr/bin/env bash
# The project's test command (README "Test", and what CI runs after installing packages).
# Every step must pass; each one says what it checks. Steps run in order, sharing one target
# directory. RELEASE_TEST_VARIANTS (default "default fips") picks the release variants tested;
# SKIP_RELEASE_TESTS=1 skips them (they build each variant twice in the locked build root, and
# on a fresh machine first make that root).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s (%s)\n' "$*" "$(date +%T)"; }
AWSLC=(--no-default-features --features awslc-backend)

step "format and lints, both backends and the fault-injection build"
cargo fmt --all -- --check
cargo fmt --manifest-path fuzz/Cargo.toml -- --check
cargo clippy --locked --workspace --all-targets -- -D warnings
cargo clippy --locked --workspace --all-targets --features fault-injection -- -D warnings
cargo clippy --locked --workspace --all-targets "${AWSLC[@]}" -- -D warnings

step "unit and integration tests, RustCrypto backend (through the C ABI via cryptoki, and the craton-admin binary)"
cargo test --locked --workspace

step "every self-test can fail: fault injection, RustCrypto backend"
cargo test --locked --features fault-injection --test selftest_faults

step "the guide's checklist line: the whole suite on the AWS-LC backend"
cargo test --locked --workspace "${AWSLC[@]}" -- --test-threads=1

step "every self-test can fail: fault injection, AWS-LC backend"
cargo test --locked --no-default-features --features awslc-backend,fault-injection \
    --test selftest_faults

step "fuzzing: every target from the committed corpus, bounded (tools/fuzz.sh)"
tools/fuzz.sh "${FUZZ_SECONDS:-20}"

step "release build + real clients: pkcs11-tool, python-pkcs11, OpenSSL, GnuTLS, Java, C"
cargo build --locked --release
tests/interop/run-all.sh target/release/libcraton_hsm.so

step "FIPS guide steps 3-5 and checklist on an AWS-LC release build"
cargo build --locked --release "${AWSLC[@]}"
FIPS_LIB=$(mktemp -d)/libcraton_hsm.so
cp target/release/libcraton_hsm.so "$FIPS_LIB"
tests/interop/fips-guide.sh "$FIPS_LIB"
rm -rf "$(dirname "$FIPS_LIB")"

if [ "${SKIP_RELEASE_TESTS:-0}" != 1 ]; then
    step "hermetic release: locked root, no network, two builds per variant as different users (release.sh, verify --rebuild, Bazel), SBOM, packages installed, verifier, Nix checks (tests/release)"
    RELEASE_TEST_VARIANTS=${RELEASE_TEST_VARIANTS:-"default fips"} tests/release/run.sh
fi

echo
echo "all tests passed ($(date +%T))"
