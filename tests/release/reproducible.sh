#!/usr/bin/env bash
# Builds the release of HEAD twice, as different users under different conditions, and checks
# that the two SHA256SUMS are identical:
#   A: root, tools/release.sh from a clone at SCRATCH/a/craton-hsm, umask 022,
#      CARGO_BUILD_JOBS=2, TZ=UTC, LANG=C.UTF-8;
#   B: the unprivileged user craton-rel (created if missing) from a clone at a deeper path, with
#      cargo-auditable installed in its own $HOME/.cargo/bin and first on its PATH, a planted
#      /tmp/.cargo/config.toml (extra rustflags), a planted $RUSTC (a wrapper that would log its
#      use), umask 077, CARGO_BUILD_JOBS=1, TZ=Pacific/Chatham, LANG=fr_FR.UTF-8, and either
#        MODE=rebuild: tools/verify-release.sh A --rebuild (the verifier's own rebuild, which
#                      therefore must exit 0 on a good release), or
#        MODE=bazel:   bazel build //:release[_fips] (the Bazel front door; the planted RUSTC
#                      and RUSTFLAGS are also handed to its actions), then bazel test of that
#                      variant's verify and SBOM tests.
# Both use the shared cache $CRATON_RELEASE_CACHE (B read-only). Leaves release A in OUT.
# WINDOWS_DLL, if set, is handed to build A (--windows-dll: the DLL, its sidecar and the MSI);
# the rebuild reuses the release's DLL and rebuilds the MSI around it.
# Usage: tests/release/reproducible.sh VARIANT MODE SCRATCH OUT
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/release/lib.sh
. "$HERE/lib.sh"
VARIANT=${1:?usage: $0 VARIANT MODE SCRATCH OUT}
MODE=${2:?usage: $0 VARIANT MODE SCRATCH OUT}
SCRATCH=${3:?usage: $0 VARIANT MODE SCRATCH OUT}
OUT=${4:?usage: $0 VARIANT MODE SCRATCH OUT}
CACHE=${CRATON_RELEASE_CACHE:?CRATON_RELEASE_CACHE must name the cache the tests share}
REPO=$(cd "$HERE/../.." && git rev-parse --show-toplevel)
COMMIT=$(git -C "$REPO" rev-parse HEAD)
USER_B=craton-rel
[ "$(id -u)" = 0 ] || fail "run as root: build B runs as the unprivileged user $USER_B"
id "$USER_B" >/dev/null 2>&1 || useradd --system --shell /bin/bash --home-dir /nonexistent "$USER_B"
rm -rf "$SCRATCH"; mkdir -p "$SCRATCH"
SCRATCH=$(cd "$SCRATCH" && pwd -P)
chmod 0755 "$SCRATCH"
suffix=; [ "$VARIANT" = default ] || suffix=_$VARIANT

section "build A ($VARIANT): root, tools/release.sh, umask 022, CARGO_BUILD_JOBS=2"
A=$SCRATCH/a
mkdir -p "$A/home" "$A/tmp"
git clone -q --no-checkout "$REPO" "$A/craton-hsm" && git -C "$A/craton-hsm" checkout -q --detach "$COMMIT"
start=$(date +%s)
(
    umask 022
    cd "$A/craton-hsm"
    env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$A/home" TMPDIR="$A/tmp" TZ=UTC LANG=C.UTF-8 LC_ALL=C.UTF-8 \
        CARGO_BUILD_JOBS=2 CRATON_RELEASE_CACHE="$CACHE" RUSTUP_HOME="${RUSTUP_HOME:-$HOME/.rustup}" \
        tools/release.sh --variant "$VARIANT" --out "$OUT" --work-dir "$A/work" ${WINDOWS_DLL:+--windows-dll "$WINDOWS_DLL"}
) >"$SCRATCH/build-a.log" 2>&1 || { tail -n 60 "$SCRATCH/build-a.log" >&2; fail "build A failed"; }
echo "build A: $(($(date +%s) - start)) s"
cat "$OUT/SHA256SUMS"

section "build B ($VARIANT, $MODE): $USER_B, another path, own cargo tools, planted config and RUSTC, umask 077, CARGO_BUILD_JOBS=1"
B=$SCRATCH/b
mkdir -p "$B/home/.cargo/bin" "$B/tmp" "$B/some/deeper/path"
git clone -q --no-checkout "$REPO" "$B/some/deeper/path/checkout"
git -C "$B/some/deeper/path/checkout" checkout -q --detach "$COMMIT"
# The user's own cargo-auditable (the same tool, at another path: the path used to leak).
cp "$(find "$CACHE/tools" -path '*/bin/cargo-auditable' | head -n1)" "$B/home/.cargo/bin/"
cat >"$B/fake-rustc" <<EOF_RUSTC
#!/bin/sh
echo "planted RUSTC used: \$*" >>"$B/fake-rustc.log"
exec rustc -C opt-level=1 "\$@"
EOF_RUSTC
chmod 0755 "$B/fake-rustc"
chown -R "$USER_B" "$B"
# A planted cargo config in a parent of every default TMPDIR; removed right after build B.
planted=
if [ ! -e /tmp/.cargo ]; then
    mkdir -p /tmp/.cargo
    printf '[build]\nrustflags = ["--cfg", "craton_planted_config"]\n' >/tmp/.cargo/config.toml
    chmod -R a+rX /tmp/.cargo
    planted=1
else
    echo "note: /tmp/.cargo exists already; using it as the planted config"
fi
unplant() { [ -z "$planted" ] || rm -rf /tmp/.cargo; }
trap unplant EXIT
chmod 0755 "$OUT" && chmod 0644 "$OUT"/*
benv=(env -i PATH="$B/home/.cargo/bin:/usr/sbin:/usr/bin:/sbin:/bin" HOME="$B/home" USER="$USER_B"
    TMPDIR="$B/tmp" TZ=Pacific/Chatham LANG=fr_FR.UTF-8 CARGO_BUILD_JOBS=1 RUSTC="$B/fake-rustc"
    RUSTFLAGS="--cfg craton_planted_env" CRATON_RELEASE_CACHE="$CACHE" CRATON_ADMIN="${CRATON_ADMIN:-}")
start=$(date +%s)
rc=0
case "$MODE" in
    rebuild)
        runuser -u "$USER_B" -- "${benv[@]}" bash -c "umask 077; cd '$B/some/deeper/path/checkout' &&
            tools/verify-release.sh '$OUT' --rebuild --keep-rebuild '$B/dist' --no-diffoscope" \
            >"$SCRATCH/build-b.log" 2>&1 || rc=$?
        ;;
    bazel)
        # --action_env hands the planted RUSTC and RUSTFLAGS to the step actions too: the runner
        # must drop them there as well.
        bz="bazel --output_user_root='$B/bazel'"
        flags="--action_env=RUSTC --action_env=RUSTFLAGS"
        runuser -u "$USER_B" -- "${benv[@]}" bash -c "umask 077; cd '$B/some/deeper/path/checkout' &&
            $bz build $flags //:release$suffix &&
            mkdir -p '$B/dist' && cp bazel-bin/release$suffix/* '$B/dist/' &&
            $bz test $flags //:verify_release${suffix}_test //:sbom${suffix}_test &&
            $bz shutdown" >"$SCRATCH/build-b.log" 2>&1 || rc=$?
        ;;
    *) fail "MODE must be rebuild or bazel" ;;
esac
echo "build B: $(($(date +%s) - start)) s"
unplant; trap - EXIT
grep -E '^(FAIL|WARN)|rebuilt in|verify-release:|PASSED|FAILED' "$SCRATCH/build-b.log" || true
[ -f "$B/dist/SHA256SUMS" ] || { tail -n 60 "$SCRATCH/build-b.log" >&2; fail "build B produced no SHA256SUMS"; }
if ! cmp -s "$OUT/SHA256SUMS" "$B/dist/SHA256SUMS"; then
    tail -n 60 "$SCRATCH/build-b.log" >&2
    explain_difference "$OUT" "$B/dist"
    fail "$VARIANT: the two builds differ"
fi
[ ! -e "$B/fake-rustc.log" ] || fail "the planted RUSTC was used: $(head -n1 "$B/fake-rustc.log")"
pass "$VARIANT: identical SHA256SUMS from root (release.sh) and $USER_B ($MODE): other user, checkout path, own cargo tools, planted /tmp/.cargo/config.toml, RUSTC and RUSTFLAGS, umask, CARGO_BUILD_JOBS, TZ, locale"
[ "$rc" -eq 0 ] || { tail -n 60 "$SCRATCH/build-b.log" >&2; fail "build B ($MODE) exited $rc"; }
case "$MODE" in
    rebuild) pass "$VARIANT: verify-release.sh --rebuild exits 0 on the good release" ;;
    bazel) pass "$VARIANT: bazel build //:release$suffix gives tools/release.sh's SHA256SUMS; bazel test of its verify and SBOM tests passed" ;;
esac
rm -rf "$A" "$B"
