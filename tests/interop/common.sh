# Shared by the interop scripts (sourced, not run): a throw-away work directory with its own
# module config and token store, token set-up through pkcs11-tool, and pass/fail bookkeeping.
#
#   source "$(dirname "$0")/common.sh"
#   interop_init NAME "$@"     # LIB [extra config TOML]; cd's into $WORK
#   check "what is checked" some_function args...
#   interop_finish             # prints "NAME: N passed, N failed", exits 1 on any failure
#
# A check runs its command in a subshell with `set -e`, its output going to a log; on failure
# the end of that log is printed. KEEP_WORK=1 keeps the work directory for a look afterwards.

set -uo pipefail

SO_PIN=87654321
USER_PIN=123456
PASSED=0
FAILED=0
SKIPPED=0
FAILURES=()
NCHECK=0

interop_init() {
    SUITE=$1
    local lib=${2:?usage: $0 path/to/libcraton_hsm.so [extra config TOML]}
    EXTRA_CONFIG=${3:-}
    [ -f "$lib" ] || { echo "$SUITE: no module at $lib" >&2; exit 2; }
    LIB=$(realpath "$lib")
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/craton-interop-$SUITE.XXXXXX")
    mkdir -p "$WORK/logs"
    trap interop_cleanup EXIT
    new_config "$WORK/craton_hsm.toml" "$WORK/store"
    export CRATON_HSM_CONFIG="$WORK/craton_hsm.toml"
    cd "$WORK" || exit 2
    echo "== $SUITE: module $LIB, work dir $WORK"
}

interop_cleanup() {
    if [ "${KEEP_WORK:-0}" = 1 ]; then echo "(work dir kept: $WORK)"; else rm -rf "$WORK"; fi
}

# new_config FILE STORE [more TOML]: a module config with its own token store.
new_config() {
    printf 'token.storage_path = "%s"\nsecurity.pbkdf2_iterations = 1000\n%s\n%s\n' \
        "$2" "$EXTRA_CONFIG" "${3:-}" >"$1"
}

# The libp11 pkcs11 engine (Debian: libengine-pkcs11-openssl) and an OpenSSL config that
# loads it with this module: engine_config FILE.
ENGINE_SO="$(openssl version -e | sed -n 's/^ENGINESDIR: "\(.*\)"/\1/p')/pkcs11.so"
engine_config() {
    cat >"$1" <<EOF
openssl_conf = openssl_init
[openssl_init]
engines = engine_section
[engine_section]
pkcs11 = pkcs11_section
[pkcs11_section]
engine_id = pkcs11
dynamic_path = $ENGINE_SO
MODULE_PATH = $LIB
init = 0
EOF
}

P11() { pkcs11-tool --module "$LIB" "$@"; }
P11U() { pkcs11-tool --module "$LIB" --login --pin "$USER_PIN" "$@"; }

# init_token LABEL: a fresh token with the SO and user PINs above (in $CRATON_HSM_CONFIG's store).
init_token() {
    P11 --init-token --label "$1" --so-pin "$SO_PIN" &&
        P11 --login --so-pin "$SO_PIN" --init-pin --pin "$USER_PIN"
}

pass() {
    PASSED=$((PASSED + 1))
    echo "ok   $1"
}

fail() {
    FAILED=$((FAILED + 1))
    FAILURES+=("$1")
    echo "FAIL $1"
    if [ -n "${2:-}" ] && [ -s "$2" ]; then tail -n "${LOG_LINES:-25}" "$2" | sed 's/^/     | /'; fi
}

skip() {
    SKIPPED=$((SKIPPED + 1))
    echo "skip $1"
}

# check NAME CMD...: passes when CMD (run with set -e, output to a log) exits 0.
check() {
    local name=$1 log rc
    shift
    NCHECK=$((NCHECK + 1))
    log="$WORK/logs/$NCHECK.log"
    (
        set -e
        "$@"
    ) >"$log" 2>&1
    rc=$?
    if [ $rc -eq 0 ]; then pass "$name"; else fail "$name (exit $rc)" "$log"; fi
    return $rc
}

# run_program NAME CMD...: a client program that prints its own "ok   ..." / "FAIL ..." lines;
# they are shown as they come and added to this script's counts. A non-zero exit without any
# FAIL line (a crash) counts as one failure.
run_program() {
    local name=$1 out rc n line
    shift
    out="$WORK/logs/$name.out"
    "$@" 2>&1 | tee "$out"
    rc=${PIPESTATUS[0]}
    n=$(grep -c '^ok   ' "$out")
    PASSED=$((PASSED + n))
    while IFS= read -r line; do
        FAILED=$((FAILED + 1))
        FAILURES+=("${line#FAIL }")
    done < <(grep '^FAIL ' "$out")
    if [ "$rc" -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
        fail "$name exited with status $rc"
    fi
}

# Helpers for use inside checks (they exit non-zero with a message).
die() {
    echo "$*" >&2
    return 1
}
# same_file A B: the two files have the same bytes.
same_file() {
    cmp "$1" "$2" || die "$1 and $2 differ: $(xxd -p "$1" | head -c 200) vs $(xxd -p "$2" | head -c 200)"
}
# size_is FILE N
size_is() {
    local n
    n=$(stat -c %s "$1")
    [ "$n" -eq "$2" ] || die "$1 is $n bytes, expected $2"
}
# grep_in FILE PATTERN: print the file when it lacks PATTERN.
grep_in() {
    grep -q -- "$2" "$1" || {
        cat "$1"
        die "'$2' not in $1"
    }
}
hex() { xxd -p -c 1000 "$1"; }
# flip_last FILE OUT: a copy of FILE with the low bit of its last byte flipped.
flip_last() {
    local n b
    n=$(stat -c %s "$1")
    b=$(tail -c 1 "$1" | od -An -tu1 | tr -d ' ')
    cp "$1" "$2"
    # shellcheck disable=SC2059
    printf "$(printf '\\%03o' $((b ^ 1)))" | dd of="$2" bs=1 seek=$((n - 1)) conv=notrunc status=none
}

interop_finish() {
    echo
    if [ "$FAILED" -gt 0 ]; then
        echo "$SUITE failed checks:"
        printf '  - %s\n' "${FAILURES[@]}"
    fi
    if [ "$SKIPPED" -gt 0 ]; then
        echo "$SUITE: $PASSED passed, $FAILED failed, $SKIPPED skipped"
    else
        echo "$SUITE: $PASSED passed, $FAILED failed"
    fi
    [ "$FAILED" -eq 0 ]
    exit $?
}
