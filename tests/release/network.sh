#!/usr/bin/env bash
# The build steps have no network. A source copy (HEAD) gets one extra declared step that
# opens a TCP connection to the Debian archive (by address, resolved on the host); run as a
# step by tools/craton-build it must fail with "Network is unreachable". As a control, the same
# probe in the build root with the network allowed (the fetch-phase sandbox) connects.
# Usage: tests/release/network.sh SCRATCH
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/release/lib.sh
. "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && git rev-parse --show-toplevel)
S=${1:?usage: $0 SCRATCH}
rm -rf "$S/src" "$S/out"; mkdir -p "$S/src"
git -C "$REPO" archive HEAD | tar -x -C "$S/src"
IP=$(getent ahostsv4 deb.debian.org | awk '{ print $1; exit }')
[ -n "$IP" ] || fail "cannot resolve deb.debian.org on the host"
PROBE="import socket; socket.create_connection(('$IP', 80), timeout=20).close(); open('/out/connected', 'w').write('yes')"
cat >>"$S/src/packaging/steps.toml" <<EOF_STEP

[[step]]
name = "network-probe"
doc = "tests/release/network.sh: tries to reach the network"
run = ["python3", "-c", "$PROBE"]
inputs = ["source"]
outputs = ["connected"]
EOF_STEP
section "a step that opens a connection to $IP:80"
rc=0
"$S/src/tools/craton-build" --src "$S/src" step network-probe --variant default --commit test \
    --epoch 0 --out "$S/out" --log "$S/probe.log" >"$S/step.log" 2>&1 || rc=$?
[ "$rc" -ne 0 ] || fail "the network probe step succeeded: the build steps can reach the network"
grep -q 'Network is unreachable' "$S/probe.log" || { cat "$S/probe.log" "$S/step.log" >&2; fail "the probe failed for another reason"; }
[ ! -e "$S/out/connected" ] || fail "the probe connected"
pass "inside a build step: $(grep -o 'OSError.*' "$S/probe.log" | head -n1)"
section "control: the same probe with the network allowed"
"$S/src/tools/craton-build" --src "$S/src" shell --network -- python3 -c "${PROBE//\/out\/connected//tmp/connected}" ||
    fail "the control probe could not connect: the test above proves nothing on this machine"
pass "with the network allowed the probe connects, so the failure above is the sandbox's doing"
rm -rf "$S/src" "$S/out"
echo "network test: OK"
