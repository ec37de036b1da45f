#!/usr/bin/env bash
# A C program built against include/craton_hsm.h uses the "Craton HSM" vendor interface:
# module status before and after C_Initialize and the per-session FIPS indicator.
# Needs a C compiler and p11-kit's pkcs11.h (Debian: libp11-kit-dev).
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
source "$HERE/common.sh"
interop_init vendor-interface "$@"

build() {
    cc -std=c99 -Wall -Wextra -Werror -I"$ROOT/include" -I/usr/include/p11-kit-1 \
        -o vendor-interface "$HERE/vendor-interface.c" -ldl
}
check "cc builds a client against include/craton_hsm.h" build && run_program vendor-c ./vendor-interface "$LIB"

interop_finish
