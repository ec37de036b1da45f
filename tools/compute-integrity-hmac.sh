#!/bin/sh
# Writes the integrity sidecar for a built Craton HSM library (the FIPS guide's step 4).
#
#   tools/compute-integrity-hmac.sh path/to/libcraton_hsm.so     -> path/to/libcraton_hsm.hmac
#
# The sidecar sits next to the library and is named after it without its extension
# (libcraton_hsm.so -> libcraton_hsm.hmac, craton_hsm.dll -> craton_hsm.hmac). It holds the
# lowercase hex of HMAC-SHA256(key, library bytes) and one newline; the key is the published,
# non-secret 32-byte string below. The module checks it at C_Initialize, so run this after the
# last step that touches the library (never strip or rewrite the library afterwards).
# Needs only POSIX sh, coreutils and openssl. Prints the sidecar's path.
set -eu

KEY='craton-hsm module integrity v1!!'

usage() {
    echo "usage: $0 LIBRARY" >&2
    echo "writes <dir>/<library name without extension>.hmac next to LIBRARY" >&2
    exit 2
}
[ $# -eq 1 ] || usage
case "$1" in -h|--help) usage ;; esac
LIB=$1
[ -f "$LIB" ] || { echo "$0: $LIB: not a file" >&2; exit 1; }
command -v openssl >/dev/null 2>&1 || { echo "$0: openssl is required" >&2; exit 1; }

dir=$(dirname -- "$LIB")
base=$(basename -- "$LIB")
stem=${base%.*}
OUT=$dir/$stem.hmac

# `openssl dgst -r` prints "<hex> *<file>"; read the library from stdin so no name is involved.
mac=$(openssl dgst -sha256 -mac HMAC -macopt "key:$KEY" -r <"$LIB" | cut -d' ' -f1)
case "$mac" in
    *[!0-9a-f]*|'') echo "$0: openssl produced no usable HMAC" >&2; exit 1 ;;
esac
[ ${#mac} -eq 64 ] || { echo "$0: unexpected HMAC length ${#mac}" >&2; exit 1; }

tmp=$OUT.tmp.$$
printf '%s\n' "$mac" >"$tmp"
mv -f "$tmp" "$OUT"
echo "$OUT"
