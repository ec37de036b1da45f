#!/usr/bin/env bash
# Step "hmac": the integrity sidecar (tools/compute-integrity-hmac.sh) of the library as the
# library step left it; nothing touches the library afterwards.
. "$(dirname "$0")/lib.sh"
cp /in/library/libcraton_hsm.so /tmp/libcraton_hsm.so
tools/compute-integrity-hmac.sh /tmp/libcraton_hsm.so >/dev/null
cmp -s /tmp/libcraton_hsm.so /in/library/libcraton_hsm.so || die "the library changed while hashing"
install -m 0644 /tmp/libcraton_hsm.hmac /out/libcraton_hsm.hmac
