#!/usr/bin/env bash
# What can honestly be checked of the Nix front door on a machine without nixpkgs (run as root:
# it writes .drv files to /nix/store). Nothing here builds a release with Nix.
#   - flake.nix and nix/*.nix parse; `nix flake metadata` reads flake.lock, which pins nixpkgs
#     by a full rev and a narHash;
#   - every output (packages, checks, devShells) evaluates and instantiates against the offline
#     stand-in of the nixpkgs functions it uses (nix/offline-nixpkgs.nix, clearly labelled);
#   - the flake's steps and variants are packaging/steps.toml's, and its fixed-output fetches
#     are exactly the lock's .debs and Rust components and Cargo.lock's crates (+ the tools');
#   - it reads those files rather than holding copies: on a source copy with one more step and
#     one .deb hash changed, its outputs change accordingly.
# Usage: tests/release/nix.sh
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/release/lib.sh
. "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && git rev-parse --show-toplevel)
export NIX_CONFIG='experimental-features = nix-command flakes'
WORK=$(mktemp -d "${TMPDIR:-/tmp}/craton-nix-test.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
quiet() { grep -v "group 'nixbld'" || true; }

section "parse and flake.lock"
for f in flake.nix nix/release.nix nix/offline-nixpkgs.nix nix/offline-check.nix; do
    nix-instantiate --parse "$REPO/$f" >/dev/null 2> >(quiet >&2) || fail "$f does not parse"
done
pass "flake.nix and nix/*.nix parse"
mkdir -p "$WORK/src"
git -C "$REPO" archive HEAD | tar -x -C "$WORK/src"
nix flake metadata --json "path:$WORK/src" 2> >(quiet >&2) >"$WORK/meta.json" || fail "nix flake metadata failed"
jq -e '.locks.nodes.nixpkgs.locked | (.type == "github") and (.rev | test("^[0-9a-f]{40}$")) and (.narHash | startswith("sha256-"))' \
    "$WORK/meta.json" >/dev/null || fail "flake.lock does not pin nixpkgs by rev and narHash"
pass "nix flake metadata: nixpkgs pinned at $(jq -r '.locks.nodes.nixpkgs.locked | "\(.rev) (\(.narHash))"' "$WORK/meta.json")"

# Evaluates the flake of source tree $1 against the stand-in; JSON to stdout.
evaluate() {
    local sp
    sp=$(nix-store --add "$1" 2> >(quiet >&2))
    nix-instantiate --read-write-mode --eval --strict --json "$REPO/nix/offline-check.nix" \
        --argstr src "$sp" --argstr rev "$(git -C "$REPO" rev-parse HEAD)" \
        --arg lastModified "$(git -C "$REPO" log -1 --format=%ct HEAD)" 2> >(quiet >&2)
}

section "every output against the offline stand-in of nixpkgs"
evaluate "$WORK/src" >"$WORK/eval.json" || fail "the flake does not evaluate against nix/offline-nixpkgs.nix"
for o in craton-hsm craton-hsm-fips release default; do
    jq -e --arg o "$o" '.packages[$o] | test("^/nix/store/.*\\.drv$")' "$WORK/eval.json" >/dev/null || fail "packages.$o does not instantiate"
done
for o in build-twice verify steps; do
    jq -e --arg o "$o" '.checks[$o] | test("\\.drv$")' "$WORK/eval.json" >/dev/null || fail "checks.$o does not instantiate"
done
jq -e '.devShell | test("\\.drv$")' "$WORK/eval.json" >/dev/null || fail "devShells.default does not instantiate"
pass "packages.{craton-hsm,craton-hsm-fips,release,default}, checks.{build-twice,verify,steps} and devShells.default instantiate"

section "the same steps and the same locks as the other front doors"
"$REPO/tools/craton-build" --src "$WORK/src" steps >"$WORK/steps.json"
[ "$(jq -c '[.step[].name]' "$WORK/steps.json")" = "$(jq -c .stepNames "$WORK/eval.json")" ] || fail "the flake's steps are not packaging/steps.toml's"
[ "$(jq -c '.variant | keys' "$WORK/steps.json")" = "$(jq -c .variants "$WORK/eval.json")" ] || fail "the flake's variants are not packaging/steps.toml's"
python3 - "$WORK/src" "$WORK/eval.json" <<'PY' || fail "the flake's fixed-output fetches are not the locks' entries"
import json, sys, tomllib
src, ev = sys.argv[1], json.load(open(sys.argv[2]))
lock = tomllib.load(open(f"{src}/packaging/toolchain.lock", "rb"))
cargo = tomllib.load(open(f"{src}/Cargo.lock", "rb"))
want_debs = sorted((p["name"], p["sha256"], f"{lock['debian']['archive']}/{p['filename']}") for p in lock["debian"]["package"])
got_debs = sorted((d["name"], d["sha256"], d["url"]) for d in ev["fetched"]["debs"])
assert want_debs == got_debs, "debs differ"
assert sorted((c["name"], c["sha256"], c["url"]) for c in lock["rust"]["component"]) == \
       sorted((c["name"], c["sha256"], c["url"]) for c in ev["fetched"]["rust"]), "rust components differ"
want = {p["checksum"] for p in cargo["package"] if "checksum" in p}
want |= {t["crate-sha256"] for t in lock.get("cargo-tool", [])} | {c["sha256"] for c in lock.get("cargo-tool-crate", [])}
assert want == {c["sha256"] for c in ev["fetched"]["crates"]}, "crates differ"
print(f"ok: {len(got_debs)} .debs, {len(ev['fetched']['rust'])} Rust components, {len(want)} crates, each a fixed-output fetch by the locked SHA-256")
PY
pass "the flake's steps and variants are packaging/steps.toml's"

section "read, not copied: a changed step list and lock change the flake"
cp -r "$WORK/src" "$WORK/changed"
printf '\n[[step]]\nname = "extra-for-test"\ndoc = "x"\nrun = ["true"]\ninputs = ["source"]\noutputs = ["x"]\n' >>"$WORK/changed/packaging/steps.toml"
old=$(jq -r '.fetched.debs[0].sha256' "$WORK/eval.json")
sed -i "s/$old/$(printf '%064d' 0)/" "$WORK/changed/packaging/toolchain.lock"
evaluate "$WORK/changed" >"$WORK/eval2.json" || fail "the changed copy does not evaluate"
jq -e '.stepNames | index("extra-for-test")' "$WORK/eval2.json" >/dev/null || fail "the flake did not see the added step"
jq -e --arg z "$(printf '%064d' 0)" '[.fetched.debs[].sha256] | index($z)' "$WORK/eval2.json" >/dev/null || fail "the flake did not see the changed .deb hash"
[ "$(jq -r .packages.release "$WORK/eval.json")" != "$(jq -r .packages.release "$WORK/eval2.json")" ] || fail "the release derivation did not change"
pass "an added step and a changed .deb hash show up in the flake's outputs"
echo "nix test: OK (evaluation only; nothing was built with Nix here)"
