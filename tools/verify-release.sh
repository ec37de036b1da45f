#!/usr/bin/env bash
# Checks a Craton HSM release directory before deployment. See docs/release.md.
set -uo pipefail

PROG=verify-release
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
KEY='craton-hsm module integrity v1!!'

usage() {
    cat <<'EOF'
Usage: tools/verify-release.sh DIR [options]

Checks a release made by tools/release.sh (e.g. dist/fips/) and exits 0 only when every check
passes:
  - every file is listed in SHA256SUMS with the right hash, and release.json agrees;
  - every .hmac matches its library (HMAC-SHA256 with the published key);
  - the library inside each .deb, .rpm and .msi is byte-identical to the standalone one, and
    the sidecar packaged next to it matches it; the packages' own checksums hold;
  - release.json says the release was built in the build environment locked by its commit's
    packaging/toolchain.lock (the lock's SHA-256 and the build root's digest);
  - with --rebuild: the release's commit, rebuilt from source in a fresh directory with
    tools/release.sh, gives the same bytes for every artifact.
On a mismatch it names the artifact and, where diffoscope is installed, shows the first
differences.

Options:
  --rebuild                   Rebuild from source and compare every hash (needs the commit in
                              the repository, mmdebstrap and bubblewrap, and a few minutes).
  --repo DIR                  Git repository holding the release's commit (for --rebuild).
                              Default: the checkout holding this script.
  --keep-rebuild DIR          Keep the rebuilt release in DIR (must not exist or be empty).
  --no-diffoscope             Do not run diffoscope on mismatches (it takes ~1 min per
                              library comparison).
  --allow-toolchain-mismatch  Report a release whose recorded environment differs from its
                              commit's lock as a warning instead of a failure.
  -h, --help                  This help.
EOF
}

DIR=
REBUILD=0
REPO=
KEEP_REBUILD=
ALLOW_TC=0
DIFFOSCOPE=1
while [ $# -gt 0 ]; do
    case "$1" in
        --rebuild) REBUILD=1; shift ;;
        --repo) [ $# -ge 2 ] || { usage >&2; exit 2; }; REPO=$2; shift 2 ;;
        --repo=*) REPO=${1#*=}; shift ;;
        --keep-rebuild) [ $# -ge 2 ] || { usage >&2; exit 2; }; KEEP_REBUILD=$2; shift 2 ;;
        --keep-rebuild=*) KEEP_REBUILD=${1#*=}; shift ;;
        --allow-toolchain-mismatch) ALLOW_TC=1; shift ;;
        --no-diffoscope) DIFFOSCOPE=0; shift ;;
        -h|--help) usage; exit 0 ;;
        -*) echo "$PROG: unknown option $1" >&2; usage >&2; exit 2 ;;
        *) [ -z "$DIR" ] || { echo "$PROG: only one DIR" >&2; exit 2; }; DIR=$1; shift ;;
    esac
done
[ -n "$DIR" ] || { usage >&2; exit 2; }
[ -d "$DIR" ] || { echo "$PROG: $DIR is not a directory" >&2; exit 2; }
DIR=$(cd "$DIR" && pwd -P)
command -v jq >/dev/null || { echo "$PROG: jq is required (apt-get install jq)" >&2; exit 2; }
command -v openssl >/dev/null || { echo "$PROG: openssl is required" >&2; exit 2; }

FAILS=0
CHECKS=0
ok() { CHECKS=$((CHECKS + 1)); echo "ok:   $*"; }
fail() { CHECKS=$((CHECKS + 1)); FAILS=$((FAILS + 1)); echo "FAIL: $*"; }
warn() { echo "WARN: $*"; }

TMP=$(mktemp -d "${TMPDIR:-/tmp}/craton-verify.XXXXXX")
trap 'rm -rf "$TMP"' EXIT

sha() { sha256sum "$1" | cut -d' ' -f1; }
hmac_of() { openssl dgst -sha256 -mac HMAC -macopt "key:$KEY" -r <"$1" | cut -d' ' -f1; }

# Shows the first differences between two files, when diffoscope is installed.
SHOWN=" "
show_diff() {
    local pair
    pair="$(sha "$1"):$(sha "$2")"
    case "$SHOWN" in *" $pair "*) echo "      (same difference as shown above)"; return ;; esac
    SHOWN="$SHOWN$pair "
    if [ "$DIFFOSCOPE" = 1 ] && command -v diffoscope >/dev/null; then
        echo "      first differences (diffoscope):"
        timeout 600 diffoscope --no-progress --text - --max-report-size 400000 "$1" "$2" 2>/dev/null |
            head -n 60 | sed 's/^/      | /'
    else
        [ "$DIFFOSCOPE" = 0 ] || echo "      (install diffoscope to see the differences)"
        cmp "$1" "$2" 2>&1 | head -n 1 | sed 's/^/      /'
    fi
}

# Checks that sidecar $1 holds the HMAC of library $2 in exactly the defined format.
check_sidecar() {
    local side=$1 lib=$2 what=$3 want
    want=$(hmac_of "$lib")
    if [ "$(cat "$side")" = "$want" ] && [ "$(wc -c <"$side")" -eq 65 ]; then
        ok "$what: $(basename "$side") matches $(basename "$lib")"
    else
        fail "$what: $(basename "$side") does not match $(basename "$lib") (expected $want, the sidecar holds $(head -c 64 "$side"))"
    fi
}

# Checks library $1 and sidecar $2 found inside package $3 against the standalone artifacts.
check_packaged() {
    local lib=$1 side=$2 pkg=$3 name standalone
    name=$(basename "$lib")
    standalone=$DIR/$name
    if [ ! -f "$standalone" ]; then
        fail "$pkg: contains $name but the release has no standalone $name to compare with"
        return
    fi
    if cmp -s "$lib" "$standalone"; then
        ok "$pkg: packaged $name is byte-identical to the standalone one"
    else
        fail "$pkg: packaged $name differs from the standalone $name (sha256 $(sha "$lib") vs $(sha "$standalone"))"
        show_diff "$standalone" "$lib"
    fi
    if [ -f "$side" ]; then
        check_sidecar "$side" "$lib" "$pkg"
        if [ -f "$DIR/$(basename "$side")" ] && ! cmp -s "$side" "$DIR/$(basename "$side")"; then
            fail "$pkg: packaged $(basename "$side") differs from the standalone one"
        fi
    else
        fail "$pkg: no $(basename "$side") next to $name in the package"
    fi
}

echo "== $DIR"
if [ -f "$DIR/release.json" ] && jq -e . "$DIR/release.json" >/dev/null 2>&1; then
    jq -r '"   \(.name) \(.version), variant \(.variant), commit \(.commit)"' "$DIR/release.json"
fi

# --- SHA256SUMS ------------------------------------------------------------------------------
if [ ! -f "$DIR/SHA256SUMS" ]; then
    fail "SHA256SUMS is missing"
else
    listed=$TMP/listed
    : >"$listed"
    while IFS= read -r line || [ -n "$line" ]; do
        [ -n "$line" ] || continue
        want=${line%% *}
        file=${line#*  }
        if ! [[ "$want" =~ ^[0-9a-f]{64}$ ]] || [ "$file" = "$line" ] || [[ "$file" == */* ]]; then
            fail "SHA256SUMS: malformed line: $line"
            continue
        fi
        echo "$file" >>"$listed"
        if [ ! -f "$DIR/$file" ]; then
            fail "$file: listed in SHA256SUMS but missing"
        elif [ "$(sha "$DIR/$file")" = "$want" ]; then
            ok "$file: SHA-256 matches SHA256SUMS"
        else
            fail "$file: SHA-256 does not match SHA256SUMS (listed $want, file has $(sha "$DIR/$file"))"
        fi
    done <"$DIR/SHA256SUMS"
    while IFS= read -r f; do
        grep -qxF -- "$f" "$listed" || fail "$f: present in the release but not listed in SHA256SUMS"
    done < <(cd "$DIR" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort)
fi

# --- release.json ----------------------------------------------------------------------------
MANIFEST=$DIR/release.json
VARIANT=
COMMIT=
if [ ! -f "$MANIFEST" ] || ! jq -e . "$MANIFEST" >/dev/null 2>&1; then
    fail "release.json is missing or not JSON"
else
    VARIANT=$(jq -r '.variant // empty' "$MANIFEST")
    COMMIT=$(jq -r '.commit // empty' "$MANIFEST")
    bad=0
    while IFS=$'\t' read -r f want; do
        if [ ! -f "$DIR/$f" ]; then
            fail "release.json lists $f, which is missing"; bad=1
        elif [ "$(sha "$DIR/$f")" != "$want" ]; then
            fail "$f: SHA-256 does not match release.json"; bad=1
        fi
    done < <(jq -r '.artifacts[] | "\(.file)\t\(.sha256)"' "$MANIFEST")
    while IFS= read -r f; do
        jq -e --arg f "$f" 'any(.artifacts[]; .file == $f)' "$MANIFEST" >/dev/null ||
            { fail "$f: present in the release but not listed in release.json"; bad=1; }
    done < <(cd "$DIR" && find . -maxdepth 1 -type f ! -name SHA256SUMS ! -name release.json -printf '%P\n' | LC_ALL=C sort)
    [ "$bad" = 1 ] || ok "release.json: every artifact's SHA-256 matches"
    if [ "$(jq -r '.reproducible' "$MANIFEST")" = true ]; then
        ok "release.json: built in the locked build environment (packaging/toolchain.lock)"
    else
        fail "release.json: built with a toolchain that differs from packaging/toolchain.lock: $(jq -c '.toolchain_mismatches // .toolchain' "$MANIFEST")"
    fi
fi

# --- sidecars --------------------------------------------------------------------------------
for lib in "$DIR"/*.so "$DIR"/*.dll; do
    [ -f "$lib" ] || continue
    stem=$(basename "$lib"); stem=${stem%.*}
    if [ -f "$DIR/$stem.hmac" ]; then
        check_sidecar "$DIR/$stem.hmac" "$lib" "$(basename "$lib")"
    else
        fail "$(basename "$lib"): no $stem.hmac sidecar in the release"
    fi
done
for side in "$DIR"/*.hmac; do
    [ -f "$side" ] || continue
    stem=$(basename "$side" .hmac)
    [ -f "$DIR/$stem.so" ] || [ -f "$DIR/$stem.dll" ] || fail "$(basename "$side"): no library $stem.so or $stem.dll next to it"
done

# --- SBOM ------------------------------------------------------------------------------------
for sbom in "$DIR"/*.cdx.json; do
    if [ ! -f "$sbom" ]; then fail "no CycloneDX SBOM (*.cdx.json) in the release"; break; fi
    name=$(basename "$sbom")
    if ! jq -e '.bomFormat == "CycloneDX" and (.components | length > 0)' "$sbom" >/dev/null 2>&1; then
        fail "$name: not a CycloneDX SBOM with components"
        continue
    fi
    if grep -qE '"[a-z+]*file://(/tmp/|/home/|/root/|/var/)' "$sbom"; then
        fail "$name: holds an absolute build path"
    else
        ok "$name: CycloneDX SBOM with $(jq '.components | length' "$sbom") components, no build paths"
    fi
    if [ "$VARIANT" = fips ]; then
        if jq -e '[.components[] | .. | objects | select(.name? == "aws-lc-fips-sys")] | length > 0' "$sbom" >/dev/null; then
            ok "$name: lists the AWS-LC FIPS module (aws-lc-fips-sys)"
        else
            fail "$name: the fips SBOM does not list aws-lc-fips-sys"
        fi
    fi
done

# Checks that the SBOM packaged under $1 (if the release has one) equals the standalone SBOM.
check_packaged_sbom() {
    local root=$1 pkg=$2 s found
    for s in "$DIR"/*.cdx.json; do
        [ -f "$s" ] || continue
        found=$(find "$root" -name "$(basename "$s")" -type f | head -n1)
        if [ -n "$found" ] && cmp -s "$found" "$s"; then
            ok "$pkg: packaged $(basename "$s") is identical to the standalone SBOM"
        else
            fail "$pkg: does not carry the release's $(basename "$s")"
        fi
    done
}

# --- packages --------------------------------------------------------------------------------
for deb in "$DIR"/*.deb; do
    [ -f "$deb" ] || continue
    name=$(basename "$deb")
    x=$TMP/deb-$name
    mkdir -p "$x/data" "$x/control"
    if command -v dpkg-deb >/dev/null; then
        dpkg-deb -x "$deb" "$x/data" 2>/dev/null && dpkg-deb -e "$deb" "$x/control" 2>/dev/null
    elif command -v ar >/dev/null; then
        (cd "$x" && ar x "$deb" && tar -xf data.tar.* -C data && tar -xf control.tar.* -C control) 2>/dev/null
    else
        false
    fi || { fail "$name: cannot open the package (need dpkg-deb, or ar and tar)"; continue; }
    if [ -f "$x/control/md5sums" ] && (cd "$x/data" && md5sum --quiet -c ../control/md5sums >/dev/null 2>&1); then
        ok "$name: payload matches the package's md5sums"
    else
        fail "$name: payload does not match the package's md5sums"
    fi
    libs=$(find "$x/data" -name 'libcraton_hsm.so' -type f)
    if [ "$(printf '%s\n' "$libs" | grep -c .)" -ne 1 ]; then
        fail "$name: expected exactly one libcraton_hsm.so in the package"
        continue
    fi
    check_packaged "$libs" "$(dirname "$libs")/libcraton_hsm.hmac" "$name"
    check_packaged_sbom "$x/data" "$name"
    mod=$x/data/usr/share/p11-kit/modules/craton-hsm.module
    if [ -f "$mod" ] && [ -f "$x/data$(sed -n 's/^module:[[:space:]]*//p' "$mod")" ]; then
        ok "$name: the p11-kit module file names the packaged library"
    else
        fail "$name: no p11-kit module file naming the packaged library"
    fi
done

for rpm in "$DIR"/*.rpm; do
    [ -f "$rpm" ] || continue
    name=$(basename "$rpm")
    x=$TMP/rpm-$name
    mkdir -p "$x"
    if ! command -v rpm2cpio >/dev/null || ! command -v cpio >/dev/null; then
        fail "$name: cannot open the package (need rpm2cpio and cpio: apt-get install rpm2cpio cpio)"
        continue
    fi
    if command -v rpm >/dev/null; then
        if rpm -K --nosignature "$rpm" >"$TMP/rpmk" 2>&1; then
            ok "$name: the package's own digests hold"
        else
            fail "$name: the package's own digests do not hold: $(cat "$TMP/rpmk")"
        fi
    fi
    if ! (cd "$x" && rpm2cpio "$rpm" | cpio -idm --quiet 2>/dev/null); then
        fail "$name: cannot unpack the payload"
        continue
    fi
    libs=$(find "$x" -name 'libcraton_hsm.so' -type f)
    if [ "$(printf '%s\n' "$libs" | grep -c .)" -ne 1 ]; then
        fail "$name: expected exactly one libcraton_hsm.so in the package"
        continue
    fi
    check_packaged "$libs" "$(dirname "$libs")/libcraton_hsm.hmac" "$name"
    check_packaged_sbom "$x" "$name"
    mod=$x/usr/share/p11-kit/modules/craton-hsm.module
    if [ -f "$mod" ] && [ -f "$x$(sed -n 's/^module:[[:space:]]*//p' "$mod")" ]; then
        ok "$name: the p11-kit module file names the packaged library"
    else
        fail "$name: no p11-kit module file naming the packaged library"
    fi
done

for msi in "$DIR"/*.msi; do
    [ -f "$msi" ] || continue
    name=$(basename "$msi")
    x=$TMP/msi-$name
    mkdir -p "$x"
    if ! command -v msiextract >/dev/null; then
        fail "$name: cannot open the package (need msiextract: apt-get install msitools)"
        continue
    fi
    if ! msiextract -C "$x" "$msi" >/dev/null 2>&1; then
        fail "$name: msiextract cannot unpack it"
        continue
    fi
    libs=$(find "$x" -iname 'craton_hsm.dll' -type f)
    if [ "$(printf '%s\n' "$libs" | grep -c .)" -ne 1 ]; then
        fail "$name: expected exactly one craton_hsm.dll in the package"
        continue
    fi
    check_packaged "$libs" "$(dirname "$libs")/craton_hsm.hmac" "$name"
done

# --- toolchain ---------------------------------------------------------------------------------
# The environment a release was built in is locked by its commit's packaging/toolchain.lock:
# release.json must name exactly that lock (its SHA-256) and the root made from it.
LOCAL_TC=
TC_FROM="this checkout"
[ -n "$REPO" ] || REPO=$SELF_DIR/..
if [ -f "$MANIFEST" ] && [ -x "$SELF_DIR/release.sh" ]; then
    if [ -n "$COMMIT" ] && git -C "$REPO" cat-file -e "$COMMIT^{commit}" 2>/dev/null; then
        LOCAL_TC=$("$SELF_DIR/release.sh" --repo "$REPO" --rev "$COMMIT" --print-toolchain 2>/dev/null) || LOCAL_TC=
        TC_FROM="the lock of commit ${COMMIT:0:12}"
    else
        LOCAL_TC=$("$SELF_DIR/release.sh" --print-toolchain 2>/dev/null) || LOCAL_TC=
    fi
fi
TC_MISMATCH=0
if [ -z "$LOCAL_TC" ]; then
    if [ "$ALLOW_TC" = 1 ]; then warn "cannot read the locked toolchain"; else fail "cannot read the locked toolchain ($SELF_DIR/release.sh --print-toolchain)"; fi
    TC_MISMATCH=1
elif [ -f "$MANIFEST" ]; then
    diffs=$(jq -rn --argjson rel "$(jq '.toolchain' "$MANIFEST")" --argjson loc "$(jq '.toolchain' <<<"$LOCAL_TC")" '
        ($loc | to_entries[] | select($rel[.key] != .value)
        | "\(.key): release built with \"\($rel[.key] // "nothing" | tostring)\", \($tcfrom) has \"\(.value | tostring)\"")' \
        --arg tcfrom "$TC_FROM")
    if [ -z "$diffs" ]; then
        ok "toolchain: built in the environment locked by $TC_FROM (lock $(jq -r '.toolchain.lock_sha256 // "?"' "$MANIFEST" | head -c 12), root $(jq -r '.toolchain.root_digest // "?"' "$MANIFEST" | cut -c1-19))"
    else
        TC_MISMATCH=1
        while IFS= read -r d; do
            if [ "$ALLOW_TC" = 1 ]; then warn "toolchain: $d"; else fail "toolchain: $d"; fi
        done <<<"$diffs"
        echo "      (a rebuild from the release's commit cannot give the release's bytes)"
    fi
fi

# --- rebuild ---------------------------------------------------------------------------------
if [ "$REBUILD" = 1 ]; then
    if [ -z "$COMMIT" ] || [ -z "$VARIANT" ]; then
        fail "--rebuild: release.json names no commit or variant"
    else
        if ! git -C "$REPO" cat-file -e "$COMMIT^{commit}" 2>/dev/null; then
            fail "--rebuild: commit $COMMIT is not in $REPO (git fetch it, or pass --repo)"
        else
            if [ -n "$KEEP_REBUILD" ]; then
                mkdir -p "$KEEP_REBUILD"
                FRESH=$(cd "$KEEP_REBUILD" && pwd -P)
                [ -z "$(ls -A "$FRESH")" ] || { fail "--keep-rebuild $FRESH is not empty"; FRESH=; }
            else
                FRESH=$TMP/rebuild
            fi
        fi
        if [ -n "${FRESH:-}" ]; then
            args=(--repo "$REPO" --rev "$COMMIT" --variant "$VARIANT" --out "$FRESH")
            ls "$DIR"/*.deb "$DIR"/*.rpm >/dev/null 2>&1 || args+=(--skip-packages)
            # The Windows DLL is built elsewhere: reuse it, so the MSI around it is rebuilt.
            [ ! -f "$DIR/craton_hsm.dll" ] || args+=(--windows-dll "$DIR/craton_hsm.dll")
            echo "== rebuilding $COMMIT ($VARIANT) from source in a fresh directory"
            start=$(date +%s)
            if ! "$SELF_DIR/release.sh" "${args[@]}" >"$TMP/rebuild.log" 2>&1; then
                tail -n 30 "$TMP/rebuild.log" | sed 's/^/      | /'
                fail "--rebuild: tools/release.sh failed"
            else
                echo "   rebuilt in $(($(date +%s) - start)) s"
                while IFS= read -r f; do
                    if [ ! -f "$FRESH/$f" ]; then
                        fail "rebuild: $f is in the release but the rebuild did not produce it"
                    elif cmp -s "$DIR/$f" "$FRESH/$f"; then
                        ok "rebuild: $f is byte-identical ($(sha "$DIR/$f"))"
                    else
                        fail "rebuild: $f differs (release $(sha "$DIR/$f"), rebuild $(sha "$FRESH/$f"))"
                        [ "$f" = SHA256SUMS ] || [ "$f" = release.json ] || show_diff "$DIR/$f" "$FRESH/$f"
                        [ "$f" != release.json ] || diff <(jq -S . "$DIR/$f") <(jq -S . "$FRESH/$f") | head -n 30 | sed 's/^/      | /'
                    fi
                done < <(cd "$DIR" && find . -maxdepth 1 -type f -printf '%P\n' | LC_ALL=C sort)
                while IFS= read -r f; do
                    [ -f "$DIR/$f" ] || fail "rebuild: produced $f, which the release does not have"
                done < <(cd "$FRESH" && find . -maxdepth 1 -type f -printf '%P\n' | LC_ALL=C sort)
                [ "$TC_MISMATCH" = 0 ] || echo "      (the release's recorded environment differs from its commit's lock: differences are expected)"
            fi
        fi
    fi
fi

echo
if [ "$FAILS" -eq 0 ]; then
    echo "$PROG: OK: all $CHECKS checks passed for $DIR"
    exit 0
fi
echo "$PROG: FAILED: $FAILS of $CHECKS checks failed for $DIR"
exit 1
