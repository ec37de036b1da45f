#!/usr/bin/env bash
# The project's test command (README "Test", and what CI runs after installing packages).
#
#   tools/test.sh            every step, in order
#   tools/test.sh STEP...    only these steps: lint unit backends fuzz interop release
#
# The tests build once with every provider (--all-features: RustCrypto, AWS-LC and the
# test-only fault injection) and run once per provider from that build (CRATON_TEST_BACKEND).
# The release variants are built separately: they are what ships. RELEASE_TEST_VARIANTS
# (default "default fips") picks the release variants tested; SKIP_RELEASE_TESTS=1 skips the
# release step (it builds each variant twice in the locked build root).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s (%s)\n' "$*" "$(date +%T)"; }
ALL=(--workspace --all-features)
AWSLC=(--no-default-features --features awslc-backend)

lint() {
    step "lint: format, clippy on the one test build (every provider, every target)"
    cargo fmt --all -- --check
    cargo fmt --manifest-path fuzz/Cargo.toml -- --check
    # The fuzz crate is its own workspace with its own lock; the fuzz step builds it --locked.
    cargo metadata --locked --format-version 1 --manifest-path fuzz/Cargo.toml >/dev/null
    cargo clippy --locked "${ALL[@]}" --all-targets -- -D warnings
}

unit() {
    step "unit: the whole suite on the RustCrypto provider (C ABI through cryptoki, the core's own API, craton-admin, both providers side by side, docs)"
    CRATON_TEST_BACKEND=rustcrypto cargo nextest run --locked "${ALL[@]}" --no-fail-fast
    step "unit: the layer benchmark's smoke run (every case for milliseconds, errors fail; benches/layer.rs)"
    cargo test --locked "${ALL[@]}" --bench layer
}

backends() {
    step "backends: the whole suite on the AWS-LC provider, from the same build, one test at a time (plain cargo test)"
    CRATON_TEST_BACKEND=awslc cargo test --locked "${ALL[@]}" -- --test-threads=1
}

fuzz() {
    step "fuzz: every target from the committed corpus, bounded (tools/fuzz.sh)"
    tools/fuzz.sh "${FUZZ_SECONDS:-20}"
}

interop() {
    step "interop: the default release build with real clients (pkcs11-tool, python-pkcs11, OpenSSL, GnuTLS, Java, C)"
    cargo build --locked --release
    tests/interop/run-all.sh target/release/libcraton_hsm.so

    step "interop: third-party suites (the cryptoki crate's tests, python-pkcs11's) on the same build, known failures in tests/suites/*.allow"
    tests/suites/run.sh target/release/libcraton_hsm.so

    step "interop: the FIPS guide's steps and checklist on an AWS-LC release build"
    cargo build --locked --release "${AWSLC[@]}"
    local fips_lib
    fips_lib=$(mktemp -d)/libcraton_hsm.so
    cp target/release/libcraton_hsm.so "$fips_lib"
    tests/interop/fips-guide.sh "$fips_lib"

    step "interop: every real client on the AWS-LC release build in default mode, then the TLS handshakes in approved-only mode"
    tests/interop/run-all.sh "$fips_lib"
    tests/interop/tls-handshake.sh "$fips_lib" "$(printf '[algorithms]\nfips_approved_only = true')"

    step "interop: third-party suites on the AWS-LC release build, its own known failures in tests/suites/*.awslc.allow"
    SUITES_VARIANT=awslc tests/suites/run.sh "$fips_lib"
    rm -rf "$(dirname "$fips_lib")"
}

release() {
    if [ "${SKIP_RELEASE_TESTS:-0}" = 1 ]; then
        return
    fi
    step "release: locked root, no network, two builds per variant as different users (release.sh, verify --rebuild, Bazel), SBOM, packages installed, verifier, Nix checks (tests/release)"
    RELEASE_TEST_VARIANTS=${RELEASE_TEST_VARIANTS:-"default fips"} tests/release/run.sh
}

steps=("$@")
[ ${#steps[@]} -gt 0 ] || steps=(lint unit backends fuzz interop release)
for s in "${steps[@]}"; do
    case "$s" in
        lint | unit | backends | fuzz | interop | release) "$s" ;;
        *)
            echo "tools/test.sh: unknown step '$s' (lint unit backends fuzz interop release)" >&2
            exit 2
            ;;
    esac
done

echo
echo "all tests passed ($(date +%T))"
