#!/usr/bin/env bash
# Every interop client against one built module, each in its own token directory; prints each
# script's checks, then one summary line per client, and exits non-zero if any client failed.
#
# Usage: tests/interop/run-all.sh path/to/libcraton_hsm.so [extra config TOML]
#   INTEROP_ONLY="pkcs11-tool java-sunpkcs11" runs just those.
#
# Needs (Debian 12): opensc gnutls-bin libengine-pkcs11-openssl openssl openjdk-17-jdk-headless
# libp11-kit-dev and a C compiler,
# and from PyPI: python-pkcs11 cryptography.
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
LIB=$(realpath "${1:?usage: $0 path/to/libcraton_hsm.so [extra config TOML]}")
EXTRA=${2:-}

CLIENTS=(guide-step5 pkcs11-tool python-pkcs11 openssl-engine gnutls-p11tool java-sunpkcs11 tls-handshake vendor-interface)
[ -n "${INTEROP_ONLY:-}" ] && read -r -a CLIENTS <<<"$INTEROP_ONLY"

LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/craton-interop-all.XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT

declare -A RESULT SECONDS_TAKEN
total_pass=0
total_fail=0
any_failed=0
for c in "${CLIENTS[@]}"; do
    script="$HERE/$c.sh"
    printf '\n######## %s\n' "$c"
    start=$SECONDS
    if [ ! -f "$script" ]; then
        echo "no such client script: $script"
        rc=127
    else
        bash "$script" "$LIB" "$EXTRA" 2>&1 | tee "$LOGDIR/$c.log"
        rc=${PIPESTATUS[0]}
    fi
    SECONDS_TAKEN[$c]=$((SECONDS - start))
    # the script's closing line: "NAME: N passed, N failed[, N skipped]"
    counts=$(grep -E "^$c: [0-9]+ passed, [0-9]+ failed" "$LOGDIR/$c.log" 2>/dev/null | tail -1)
    p=$(sed -nE 's/.* ([0-9]+) passed.*/\1/p' <<<"$counts")
    f=$(sed -nE 's/.* ([0-9]+) failed.*/\1/p' <<<"$counts")
    if [ "$c" = guide-step5 ]; then
        # a single pass/fail script without counts
        if [ "$rc" -eq 0 ]; then p=1 f=0; else p=0 f=1; fi
    fi
    p=${p:-0}
    f=${f:-0}
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi # died before counting
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    if [ "$rc" -eq 0 ]; then
        RESULT[$c]="PASS  ($p checks)"
    else
        RESULT[$c]="FAIL  ($p passed, $f failed, exit $rc)"
        any_failed=1
    fi
done

printf '\n######## interop summary (%s)\n' "$LIB"
for c in "${CLIENTS[@]}"; do
    printf '  %-16s %s  %ss\n' "$c" "${RESULT[$c]}" "${SECONDS_TAKEN[$c]}"
done
echo "interop: $total_pass passed, $total_fail failed"
exit $any_failed
