#!/usr/bin/env bash
# Third-party PKCS#11 test suites against one built module: the `cryptoki` crate's own
# integration tests (its crates.io package) and python-pkcs11's sdist test suite, each at a
# pinned version with a pinned checksum, each on a fresh token store.
#
# Usage: [SUITES_VARIANT=awslc] tests/suites/run.sh path/to/libcraton_hsm.so [cryptoki] [python-pkcs11]
#
# A failure is allowed only when the suite's allow-list (tests/suites/SUITE.allow) names the
# test with its reason; any other failure fails the script. SUITES_VARIANT names a build whose
# own known failures are in tests/suites/SUITE.VARIANT.allow, read on top of SUITE.allow. A
# listed test that passes, is skipped or no longer exists is reported so that the list can
# shrink. Closes with
# "suites: N passed, N failed" (failed = not allow-listed) and one line per suite.
#
# Needs: cargo (crates.io reachable, or the crate and its dependencies in cargo's cache),
# pkcs11-tool (opensc) for the python-pkcs11 token, and from PyPI (INTEROP_PYTHON, default
# python3): python-pkcs11 at the pinned version below, cryptography, pytest, parameterized.
# KEEP_WORK=1 keeps the work directory (logs, configs, token stores).
set -uo pipefail

CRYPTOKI_VERSION=0.12.1
CRYPTOKI_SHA256=625cf4599c43d69a16996ce2573fc80745a0b0300c962f0bfa11d55b6cab2b2d
PYPKCS11_VERSION=0.10.1
PYPKCS11_SHA256=e0d7ccede3b3145a678d7c8c59b3c64dcebeb77c9146ad3394a4b1309c4ab2a2

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
LIB=$(realpath "${1:?usage: $0 path/to/libcraton_hsm.so [cryptoki] [python-pkcs11]}")
shift
[ -f "$LIB" ] || { echo "suites: no module at $LIB" >&2; exit 2; }
SUITES=("$@")
[ ${#SUITES[@]} -gt 0 ] || SUITES=(cryptoki python-pkcs11)
PYTHON=${INTEROP_PYTHON:-python3}
# The suite's build stays between runs (it does not depend on the module).
SUITE_TARGET=${SUITES_TARGET_DIR:-$ROOT/target/suites}
# The suite crate is built outside the workspace, with the workspace's pinned toolchain.
TOOLCHAIN=$(sed -nE 's/^channel *= *"(.*)"/\1/p' "$ROOT/rust-toolchain.toml")

WORK=$(mktemp -d "${TMPDIR:-/tmp}/craton-suites.XXXXXX")
# shellcheck disable=SC2016 # expanded when the trap runs
trap 'if [ "${KEEP_WORK:-0}" = 1 ]; then echo "(work dir kept: $WORK)"; else rm -rf "$WORK"; fi' EXIT

# module_config DIR [TOML...]: a config with its own token store in DIR; PBKDF2 at its minimum,
# since both suites log in and initialise tokens hundreds of times.
module_config() {
    local dir=$1
    shift
    mkdir -p "$dir/store"
    {
        printf 'token.storage_path = "%s"\nsecurity.pbkdf2_iterations = 1000\n' "$dir/store"
        printf '%s\n' "$@"
    } >"$dir/craton_hsm.toml"
    echo "$dir/craton_hsm.toml"
}

sha256_is() {
    local got
    got=$(sha256sum "$1" | cut -d' ' -f1)
    [ "$got" = "$2" ] || { echo "suites: $1 has sha256 $got, pinned $2" >&2; return 1; }
}

# --- cryptoki: the crate's tests/ with the package's own Cargo.lock ---------------------------
# tests/common/mod.rs loads $TEST_PKCS11_MODULE, takes the first slot with a token and
# re-initialises it (C_InitToken, SO PIN "abcdef654321", user PIN "fedcba123456") in every test.
run_cryptoki() {
    local dir=$WORK/cryptoki crate src
    mkdir -p "$dir/fetch/src"
    # Fetched by cargo (which checks the registry's checksum), then checked against our pin.
    cat >"$dir/fetch/Cargo.toml" <<EOF
[package]
name = "suite-fetch"
version = "0.0.0"
edition = "2021"
[dependencies]
cryptoki = "=$CRYPTOKI_VERSION"
EOF
    : >"$dir/fetch/src/lib.rs"
    RUSTUP_TOOLCHAIN=$TOOLCHAIN cargo fetch --quiet --manifest-path "$dir/fetch/Cargo.toml" || return 1
    crate=$(find "${CARGO_HOME:-$HOME/.cargo}/registry/cache" -name "cryptoki-$CRYPTOKI_VERSION.crate" | head -1)
    [ -n "$crate" ] || { echo "suites: cryptoki-$CRYPTOKI_VERSION.crate not in cargo's cache" >&2; return 1; }
    sha256_is "$crate" "$CRYPTOKI_SHA256" || return 1
    tar -xzf "$crate" -C "$dir"
    src=$dir/cryptoki-$CRYPTOKI_VERSION

    # The default max_failed_logins: login_feast logs in from 100 threads at once, which must
    # not lock the right PIN (one PIN check at a time per token in a process).
    CRATON_HSM_CONFIG=$(module_config "$dir") || return 1
    export CRATON_HSM_CONFIG
    (
        cd "$src" &&
            RUSTUP_TOOLCHAIN=$TOOLCHAIN CARGO_TARGET_DIR=$SUITE_TARGET \
                cargo test --quiet --locked --no-run --test '*' 2>&1 | tail -n 20
    ) || return 1
    # The module is every test's: the crate's own unit tests and doctests are left out. One
    # thread: the order (by name) is then fixed, and so is which test a panic's leftover state
    # (the module left initialised) falls on.
    (
        cd "$src" &&
            TEST_PKCS11_MODULE=$LIB RUSTUP_TOOLCHAIN=$TOOLCHAIN CARGO_TARGET_DIR=$SUITE_TARGET \
                timeout "${SUITES_TIMEOUT:-900}" cargo test --locked --no-fail-fast --test '*' \
                -- --test-threads=1 2>&1
    ) >"$dir/log"
    # "Running tests/basic.rs (...)" starts a binary; "test NAME ... ok|FAILED|ignored" per test.
    awk '
        /^ *Running tests\// { bin = $2; sub(/^tests\//, "", bin); sub(/\.rs$/, "", bin) }
        /^test .* \.\.\. (ok|FAILED|ignored)/ {
            st = ($NF == "ok") ? "pass" : ($NF == "FAILED") ? "fail" : "skip"
            print bin "::" $2, st
        }' "$dir/log" >"$dir/results"
    # Every test libtest counted must have been read.
    local counted read
    counted=$(awk '/^test result:/ { for (i = 2; i <= NF; i++) if ($i ~ /^(passed|failed|ignored);$/) n += $(i - 1) }
        END { print n + 0 }' "$dir/log")
    read=$(wc -l <"$dir/results")
    if [ "$counted" -eq 0 ] || [ "$counted" -ne "$read" ]; then
        tail -n 40 "$dir/log"
        echo "suites: cryptoki's runner counted $counted tests, $read were read from its output" >&2
        return 1
    fi
}

# --- python-pkcs11: the sdist's tests/ against the installed python-pkcs11 of the same version ---
# tests/__init__.py reads PKCS11_MODULE, PKCS11_TOKEN_LABEL, PKCS11_TOKEN_PIN and
# PKCS11_TOKEN_SO_PIN; the token must exist, so it is initialised here with pkcs11-tool.
# The suite needs two settings off by default (measured on 0.10.1, default build):
# - allow_weak_rsa: it generates and imports 1024-bit RSA keys (test_rsa, test_x509); without
#   it 78 passed, 42 failed (a failed test leaves its user logged in, so the next ones fail too).
# - allow_mixed_key_roles: python-pkcs11's default template for a generated AES key sets
#   ENCRYPT, DECRYPT, WRAP and UNWRAP together (pkcs11/defaults.py, DEFAULT_KEY_CAPABILITIES);
#   without it 21 passed, 131 failed.
run_python_pkcs11() {
    local dir=$WORK/python-pkcs11 have sdist
    mkdir -p "$dir"
    have=$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("python-pkcs11"))' 2>&1) || {
        echo "suites: python-pkcs11 is not installed for $PYTHON: $have" >&2
        return 1
    }
    [ "$have" = "$PYPKCS11_VERSION" ] || {
        echo "suites: installed python-pkcs11 is $have, the suite is pinned to $PYPKCS11_VERSION" >&2
        return 1
    }
    "$PYTHON" -c 'import pytest, parameterized, cryptography' || return 1
    (cd "$dir" && "$PYTHON" -m pip download --quiet --disable-pip-version-check --no-deps \
        --no-binary :all: "python-pkcs11==$PYPKCS11_VERSION" -d "$dir") || return 1
    sdist=$dir/python_pkcs11-$PYPKCS11_VERSION.tar.gz
    sha256_is "$sdist" "$PYPKCS11_SHA256" || return 1
    # Only tests/ is taken: its `import pkcs11` must find the installed, compiled package.
    tar -xzf "$sdist" -C "$dir" "python_pkcs11-$PYPKCS11_VERSION/tests"
    mv "$dir/python_pkcs11-$PYPKCS11_VERSION/tests" "$dir/tests"

    CRATON_HSM_CONFIG=$(module_config "$dir" 'algorithms.allow_weak_rsa = true' \
        'security.allow_mixed_key_roles = true') || return 1
    export CRATON_HSM_CONFIG PKCS11_MODULE=$LIB PKCS11_TOKEN_LABEL=TEST
    export PKCS11_TOKEN_PIN=1234 PKCS11_TOKEN_SO_PIN=5678
    {
        pkcs11-tool --module "$LIB" --init-token --label "$PKCS11_TOKEN_LABEL" --so-pin "$PKCS11_TOKEN_SO_PIN" &&
            pkcs11-tool --module "$LIB" --login --so-pin "$PKCS11_TOKEN_SO_PIN" --init-pin --pin "$PKCS11_TOKEN_PIN"
    } >"$dir/init.log" 2>&1 || { cat "$dir/init.log"; return 1; }
    # One pytest process per test module. When a setUp fails after C_Login, the suite never logs
    # out, and login state belongs to the application (PKCS#11 5.6): in one process, every later
    # module's C_Login would then fail with CKR_USER_ALREADY_LOGGED_IN.
    local m name
    mkdir -p "$dir/junit"
    : >"$dir/log"
    for m in "$dir"/tests/test_*.py; do
        name=$(basename "$m" .py)
        (
            cd "$dir" &&
                timeout "${SUITES_TIMEOUT:-900}" "$PYTHON" -m pytest -p no:cacheprovider -q \
                    --junitxml="$dir/junit/$name.xml" "tests/$name.py" 2>&1
        ) >>"$dir/log"
        [ -s "$dir/junit/$name.xml" ] || { tail -n 40 "$dir/log"; return 1; }
    done
    # An expected failure the suite itself declares (xfail) is a skip here, an unexpected pass
    # of one (strict or not) a pass.
    "$PYTHON" - "$dir"/junit/*.xml >"$dir/results" <<'EOF' || return 1
import sys
import xml.etree.ElementTree as ET
for case in (c for f in sys.argv[1:] for c in ET.parse(f).iter("testcase")):
    name = case.get("classname", "").removeprefix("tests.") + "::" + case.get("name")
    if case.find("failure") is not None or case.find("error") is not None:
        status = "fail"
    elif case.find("skipped") is not None:
        status = "skip"
    else:
        status = "pass"
    print(name, status)
EOF
}

# --- allow-list comparison -------------------------------------------------------------------
TOTAL_PASS=0
TOTAL_FAIL=0
SUMMARY=()
ANY_FAILED=0

# judge SUITE: compare $WORK/SUITE/results with tests/suites/SUITE.allow.
judge() {
    local suite=$1 allow=$HERE/$1.allow results=$WORK/$1/results list
    local pass=0 fail=0 allowed=0 skip=0 name status
    declare -A listed=() seen=()
    local bad_entries=0
    for list in "$allow" ${SUITES_VARIANT:+"$HERE/$1.$SUITES_VARIANT.allow"}; do
        [ -f "$list" ] || continue
        while read -r name reason; do
            case "$name" in '' | '#'*) continue ;; esac
            if [ -z "$reason" ]; then
                echo "$suite: allow-list entry without a reason: $name"
                bad_entries=$((bad_entries + 1))
            fi
            listed[$name]=1
        done <"$list"
    done
    local unexpected=() fixed=()
    while read -r name status; do
        seen[$name]=$status
        case "$status" in
            pass)
                pass=$((pass + 1))
                [ -n "${listed[$name]:-}" ] && fixed+=("$name (passes)")
                ;;
            skip)
                skip=$((skip + 1))
                [ -n "${listed[$name]:-}" ] && fixed+=("$name (skipped)")
                ;;
            fail)
                if [ -n "${listed[$name]:-}" ]; then
                    allowed=$((allowed + 1))
                else
                    fail=$((fail + 1))
                    unexpected+=("$name")
                fi
                ;;
        esac
    done <"$results"
    for name in "${!listed[@]}"; do
        [ -n "${seen[$name]:-}" ] || fixed+=("$name (no such test)")
    done
    if [ ${#unexpected[@]} -gt 0 ]; then
        echo "$suite: failures not in $(basename "$allow")${SUITES_VARIANT:+ or $1.$SUITES_VARIANT.allow}:"
        printf '  - %s\n' "${unexpected[@]}"
    fi
    if [ ${#fixed[@]} -gt 0 ]; then
        echo "$suite: allow-listed but not failing (take them off $(basename "$allow")${SUITES_VARIANT:+ or $1.$SUITES_VARIANT.allow}):"
        printf '  - %s\n' "${fixed[@]}" | sort
    fi
    fail=$((fail + bad_entries))
    TOTAL_PASS=$((TOTAL_PASS + pass))
    TOTAL_FAIL=$((TOTAL_FAIL + fail))
    SUMMARY+=("$(printf '%-14s %d passed, %d failed, %d allow-listed failures, %d skipped' \
        "$suite" "$pass" "$fail" "$allowed" "$skip")")
    [ "$fail" -eq 0 ] || ANY_FAILED=1
}

# run_suite SUITE: its results in $WORK/SUITE/results (in a subshell: each sets its own env).
run_suite() {
    case "$1" in
        cryptoki) (run_cryptoki) ;;
        python-pkcs11) (run_python_pkcs11) ;;
    esac
}

for s in "${SUITES[@]}"; do
    case "$s" in
        cryptoki | python-pkcs11) ;;
        *)
            echo "suites: unknown suite '$s' (cryptoki python-pkcs11)" >&2
            exit 2
            ;;
    esac
done
for s in "${SUITES[@]}"; do
    printf '\n######## %s (%s)\n' "$s" "$(date +%T)"
    start=$SECONDS
    if run_suite "$s"; then
        judge "$s"
        SUMMARY[-1]+="  ($((SECONDS - start))s)"
    else
        echo "$s: the suite did not run (see above)"
        TOTAL_FAIL=$((TOTAL_FAIL + 1))
        SUMMARY+=("$(printf '%-14s did not run' "$s")")
        ANY_FAILED=1
    fi
done

printf '\n######## suites summary (%s)\n' "$LIB"
printf '  %s\n' "${SUMMARY[@]}"
echo "suites: $TOTAL_PASS passed, $TOTAL_FAIL failed"
exit $ANY_FAILED
