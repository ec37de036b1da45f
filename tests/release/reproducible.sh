#!/usr/bin/env bash
# Builds the release of HEAD twice and checks that the two SHA256SUMS are identical:
#   A: tools/release.sh from a clone at one path, with its own work and target dirs,
#      HOME, TMPDIR, TZ=UTC, LANG=C.UTF-8, umask 022, the usual CARGO_HOME;
#   B: tools/verify-release.sh A --rebuild, run from a second clone at a different, deeper
#      path, with another HOME, TMPDIR (so other work/target dirs), TZ=Pacific/Chatham,
#      LANG=fr_FR.UTF-8, umask 077 and a different CARGO_HOME (its registry hard-linked from
#      the usual one, so nothing is downloaded again).
# B is the verifier's own rebuild, so this also checks that --rebuild exits 0 on a good release.
# Leaves release A in OUT for the other tests.
# Usage: tests/release/reproducible.sh VARIANT SCRATCH OUT
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/release/lib.sh
. "$HERE/lib.sh"
VARIANT=${1:?usage: $0 VARIANT SCRATCH OUT}
SCRATCH=${2:?usage: $0 VARIANT SCRATCH OUT}
OUT=${3:?usage: $0 VARIANT SCRATCH OUT}
REPO=$(cd "$HERE/../.." && git rev-parse --show-toplevel)
COMMIT=$(git -C "$REPO" rev-parse HEAD)
[ -z "$(git -C "$REPO" status --porcelain --untracked-files=no)" ] ||
    echo "note: $REPO has uncommitted changes; the release is built from commit $COMMIT"

CARGO_HOME0=${CARGO_HOME:-$HOME/.cargo}
RUSTUP_HOME0=${RUSTUP_HOME:-$HOME/.rustup}
mkdir -p "$SCRATCH"
SCRATCH=$(cd "$SCRATCH" && pwd -P)

clone() {
    git clone -q --no-checkout "$REPO" "$1"
    git -C "$1" checkout -q --detach "$COMMIT"
}

section "build A ($VARIANT) from $SCRATCH/a/craton-hsm"
A=$SCRATCH/a
mkdir -p "$A/home" "$A/tmp"
clone "$A/craton-hsm"
start=$(date +%s)
(
    umask 022
    cd "$A/craton-hsm"
    env HOME="$A/home" TMPDIR="$A/tmp" TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        CARGO_HOME="$CARGO_HOME0" RUSTUP_HOME="$RUSTUP_HOME0" \
        tools/release.sh --variant "$VARIANT" --out "$OUT" --work-dir "$A/work" \
        --target-dir "$A/target" --strict-toolchain
) >"$SCRATCH/build-a.log" 2>&1 || { tail -n 40 "$SCRATCH/build-a.log" >&2; fail "build A failed"; }
echo "build A: $(($(date +%s) - start)) s"
cat "$OUT/SHA256SUMS"

section "build B: verify-release.sh --rebuild from $SCRATCH/b/some/deeper/path/checkout"
B=$SCRATCH/b
mkdir -p "$B/home" "$B/tmp" "$B/cargo-home/registry"
clone "$B/some/deeper/path/checkout"
# A second CARGO_HOME at another path, sharing the downloaded crates through hard links.
for d in cache src; do
    [ ! -d "$CARGO_HOME0/registry/$d" ] || cp -al "$CARGO_HOME0/registry/$d" "$B/cargo-home/registry/$d"
done
[ ! -d "$CARGO_HOME0/registry/index" ] || cp -a "$CARGO_HOME0/registry/index" "$B/cargo-home/registry/index"
start=$(date +%s)
rc=0
(
    umask 077
    cd "$B/some/deeper/path/checkout"
    env HOME="$B/home" TMPDIR="$B/tmp" TZ=Pacific/Chatham LANG=fr_FR.UTF-8 LC_ALL= \
        CARGO_HOME="$B/cargo-home" RUSTUP_HOME="$RUSTUP_HOME0" \
        tools/verify-release.sh "$OUT" --rebuild --keep-rebuild "$B/dist"
) >"$SCRATCH/build-b.log" 2>&1 || rc=$?
echo "build B + verification: $(($(date +%s) - start)) s"
grep -E '^(FAIL|WARN)|rebuilt in|verify-release:' "$SCRATCH/build-b.log" || true

[ -f "$B/dist/SHA256SUMS" ] || { tail -n 40 "$SCRATCH/build-b.log" >&2; fail "build B produced no SHA256SUMS"; }
if ! cmp -s "$OUT/SHA256SUMS" "$B/dist/SHA256SUMS"; then
    diff "$OUT/SHA256SUMS" "$B/dist/SHA256SUMS" >&2 || true
    cat "$SCRATCH/build-b.log" >&2
    fail "$VARIANT: the two builds differ"
fi
pass "$VARIANT: identical SHA256SUMS from two checkouts, work/target dirs, HOME, CARGO_HOME, TZ, locale, umask"
[ "$rc" -eq 0 ] || { cat "$SCRATCH/build-b.log" >&2; fail "verify-release.sh --rebuild exited $rc on a good release"; }
pass "$VARIANT: verify-release.sh --rebuild exits 0 on the good release"
rm -rf "$A" "$B"
