#!/usr/bin/env bash
# The lock is enforced before anything is built. On copies of the source (HEAD) with:
#   - one .deb's SHA-256 changed in packaging/toolchain.lock -> refused, naming the package,
#     and no build root is made from that lock;
#   - a package version the Debian archive does not serve -> a clear error naming the package,
#     how to re-lock (tools/lock-toolchain) and where old versions are (snapshot.debian.org);
#   - a packaging/toolchain.toml changed without re-locking -> refused;
#   - a Rust component's content hash changed -> refused.
# Uses the shared cache ($CRATON_RELEASE_CACHE); downloads at most one small .deb.
# Usage: tests/release/lock.sh SCRATCH
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=tests/release/lib.sh
. "$HERE/lib.sh"
REPO=$(cd "$HERE/../.." && git rev-parse --show-toplevel)
S=${1:?usage: $0 SCRATCH}
mkdir -p "$S"
CACHE=${CRATON_RELEASE_CACHE:?CRATON_RELEASE_CACHE must name the cache the tests share}

copy() {
    rm -rf "$S/$1"; mkdir -p "$S/$1"
    git -C "$REPO" archive HEAD | tar -x -C "$S/$1"
    echo "$S/$1"
}
# Runs `prepare` on source $1, expecting failure; output in $2.
refused() {
    if "$1/tools/craton-build" --src "$1" prepare >"$2" 2>&1; then
        cat "$2" >&2; fail "$(basename "$1"): prepare succeeded on a changed lock"
    fi
}
expect() { grep -qF -- "$2" "$1" || { cat "$1" >&2; fail "$(basename "$1" .log): output lacks: $2"; }; }

# The smallest package of the lock, to keep the download small.
read -r PKG VER < <(python3 -c 'import tomllib, sys
p = min(tomllib.load(open(sys.argv[1], "rb"))["debian"]["package"], key=lambda p: p["size"])
print(p["name"], p["version"])' "$REPO/packaging/toolchain.lock")

section "a changed .deb hash in the lock ($PKG $VER)"
d=$(copy changed-hash)
python3 - "$d/packaging/toolchain.lock" "$PKG" <<'PY'
import re, sys
path, pkg = sys.argv[1], sys.argv[2]
text = open(path).read()
block = re.search(r'\[\[debian\.package\]\]\nname = "%s"\n(?:.+\n)*?sha256 = "([0-9a-f]{64})"' % re.escape(pkg), text)
old = block.group(1)
new = ("0" if old[0] != "0" else "1") + old[1:]
open(path, "w").write(text.replace(old, new))
PY
roots_before=$(ls "$CACHE/roots" 2>/dev/null | sort)
refused "$d" "$S/changed-hash.log"
expect "$S/changed-hash.log" "Debian package $PKG $VER: refused"
expect "$S/changed-hash.log" "nothing was built"
grep -q 'making the build root' "$S/changed-hash.log" && fail "changed hash: a root was being made before the refusal"
[ "$(ls "$CACHE/roots" 2>/dev/null | sort)" = "$roots_before" ] || fail "changed hash: a build root was made from the changed lock"
pass "a changed .deb hash is refused before any root is made: $(grep -F -m1 "refused" "$S/changed-hash.log" | cut -c1-150)..."

section "a version the archive no longer serves"
d=$(copy gone)
python3 - "$d/packaging/toolchain.lock" "$PKG" "$VER" <<'PY'
import re, sys
path, pkg, ver = sys.argv[1:]
text = open(path).read()
pat = re.compile(r'(\[\[debian\.package\]\]\nname = "%s"\n)(.*?)(?=\n\n|\Z)' % re.escape(pkg), re.S)
def gone(m):
    body = m.group(2).replace(f'version = "{ver}"', 'version = "0.0-craton-test"')
    body = body.replace(f"_{ver.split(':')[-1]}_", "_0.0-craton-test_")
    body = re.sub(r'sha256 = "[0-9a-f]{64}"', 'sha256 = "' + "ab" * 32 + '"', body)
    return m.group(1) + body
new, n = pat.subn(gone, text, count=1)
assert n == 1
open(path, "w").write(new)
PY
refused "$d" "$S/gone.log"
expect "$S/gone.log" "Debian package $PKG 0.0-craton-test"
expect "$S/gone.log" "is no longer served"
expect "$S/gone.log" "tools/lock-toolchain"
expect "$S/gone.log" "snapshot.debian.org"
pass "a version the archive does not serve: $(grep -o 'is no longer served[^.]*' "$S/gone.log" | head -n1), re-lock and snapshot archive named"

section "a request changed without re-locking"
d=$(copy stale)
sed -i 's/^packages = \[/packages = [\n    "hello",/' "$d/packaging/toolchain.toml"
refused "$d" "$S/stale.log"
expect "$S/stale.log" "was made from another packaging/toolchain.toml"
expect "$S/stale.log" "tools/lock-toolchain"
pass "a stale lock is refused"

section "a changed Rust component hash"
d=$(copy rust)
python3 - "$d/packaging/toolchain.lock" <<'PY'
import re, sys
path = sys.argv[1]
text = open(path).read()
m = re.search(r'content-sha256 = "([0-9a-f]{64})"', text)
open(path, "w").write(text.replace(m.group(1), "0" * 64, 1))
PY
refused "$d" "$S/rust.log"
expect "$S/rust.log" "Rust component rustc"
pass "a changed Rust component hash is refused"
rm -rf "$S"/changed-hash "$S"/gone "$S"/stale "$S"/rust
echo "lock test: OK"
