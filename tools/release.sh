#!/usr/bin/env bash
# The one release recipe for Craton HSM, used by CI and by people (and later by the Nix flake
# and the Bazel graph). See docs/release.md. Run with --help for the flags.
set -euo pipefail

PROG=tools/release.sh
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)

usage() {
    cat <<'EOF'
Usage: tools/release.sh [options]

Builds a reproducible Craton HSM release from a git commit (default: HEAD of this checkout).
The commit is exported with `git archive` into a fresh work directory and built there with the
recipe (this script and packaging/) of that same commit; uncommitted changes are never included.

Options:
  --variant default|fips   default: RustCrypto backend. fips: AWS-LC FIPS backend
                           (--no-default-features --features awslc-backend). Default: default.
  --out DIR                Where the release goes; must not exist or be empty.
                           Default: dist/<variant> under the current directory.
  --rev REV                Commit, tag or branch to build. Default: HEAD.
  --repo DIR               Git repository to take REV from. Default: the checkout holding
                           this script.
  --work-dir DIR           Where the source is exported and built (must not exist or be empty).
                           Default: a new directory under ${TMPDIR:-/tmp}, removed afterwards.
  --target-dir DIR         Cargo target directory. Default: <work-dir>/target.
  --keep-work              Keep the work directory.
  --jobs N                 Passed to cargo as -j N (does not change the output).
  --skip-packages          Build only the library, .hmac, SBOM, SHA256SUMS and release.json
                           (no deb, no rpm).
  --windows-dll PATH       A craton_hsm.dll built on Windows from the same commit and variant:
                           it is copied into the release with its .hmac and the MSI is built
                           around it. (The FIPS DLL needs MSVC; it cannot be built here.)
  --strict-toolchain       Fail instead of warning when the local toolchain differs from
                           packaging/toolchain.toml (use in CI and for published releases).
  --print-toolchain        Print this machine's toolchain (JSON, as recorded in release.json)
                           for --variant and exit.
  -h, --help               This help.

Output (dist/<variant>/): libcraton_hsm.so, libcraton_hsm.hmac, any binaries of the crate
(craton-admin, once it exists), craton-hsm-<version>-<variant>.cdx.json (CycloneDX SBOM), the deb
and the rpm, craton_hsm.dll + craton_hsm.hmac + the MSI with --windows-dll, release.json
(commit, version, variant, toolchain, every artifact's SHA-256) and SHA256SUMS (every file).

Reproducibility: the same commit built with the toolchain in packaging/toolchain.toml gives the
same bytes whatever the checkout path, work and target directories, CARGO_HOME, HOME, user, time
zone, locale or job count. Check a release with tools/verify-release.sh DIR [--rebuild].
EOF
}

die() { echo "$PROG: error: $*" >&2; exit 1; }
note() { echo "$PROG: $*" >&2; }
warn() { echo "$PROG: WARNING: $*" >&2; }

# ---------------------------------------------------------------------------------------------
# Options
VARIANT=default
OUT=
REV=HEAD
REPO=
WORK=
TARGET_DIR=
KEEP_WORK=0
JOBS=
SKIP_PACKAGES=0
WINDOWS_DLL=
STRICT_TOOLCHAIN=0
PRINT_TOOLCHAIN=0

need_arg() { [ $# -ge 2 ] && [ -n "$2" ] || die "$1 needs a value"; }
while [ $# -gt 0 ]; do
    case "$1" in
        --variant) need_arg "$@"; VARIANT=$2; shift 2 ;;
        --variant=*) VARIANT=${1#*=}; shift ;;
        --out) need_arg "$@"; OUT=$2; shift 2 ;;
        --out=*) OUT=${1#*=}; shift ;;
        --rev) need_arg "$@"; REV=$2; shift 2 ;;
        --rev=*) REV=${1#*=}; shift ;;
        --repo) need_arg "$@"; REPO=$2; shift 2 ;;
        --repo=*) REPO=${1#*=}; shift ;;
        --work-dir) need_arg "$@"; WORK=$2; shift 2 ;;
        --work-dir=*) WORK=${1#*=}; shift ;;
        --target-dir) need_arg "$@"; TARGET_DIR=$2; shift 2 ;;
        --target-dir=*) TARGET_DIR=${1#*=}; shift ;;
        --keep-work) KEEP_WORK=1; shift ;;
        --jobs|-j) need_arg "$@"; JOBS=$2; shift 2 ;;
        --jobs=*) JOBS=${1#*=}; shift ;;
        --skip-packages) SKIP_PACKAGES=1; shift ;;
        --windows-dll) need_arg "$@"; WINDOWS_DLL=$2; shift 2 ;;
        --windows-dll=*) WINDOWS_DLL=${1#*=}; shift ;;
        --strict-toolchain) STRICT_TOOLCHAIN=1; shift ;;
        --print-toolchain) PRINT_TOOLCHAIN=1; shift ;;
        -h|--help) usage; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
case "$VARIANT" in default|fips) ;; *) die "--variant must be default or fips, not '$VARIANT'" ;; esac
if [ -n "$JOBS" ]; then
    case "$JOBS" in *[!0-9]*|0) die "--jobs needs a positive number" ;; esac
fi

# Absolute path of a file or directory that may not exist yet (its parent may not either).
abspath() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s/%s\n' "$(pwd -P)" "$1" ;;
    esac
}

# ---------------------------------------------------------------------------------------------
# Toolchain: probe the local tools and compare them with packaging/toolchain.toml.

# The manifest's entries as "section.key<TAB>value" lines.
read_manifest() {
    awk '
        /^[[:space:]]*(#|$)/ { next }
        /^[[:space:]]*\[[A-Za-z0-9_-]+\][[:space:]]*$/ { gsub(/[][[:space:]]/, ""); sec = $0; next }
        /^[[:space:]]*[A-Za-z0-9_-]+[[:space:]]*=[[:space:]]*"[^"]*"[[:space:]]*(#.*)?$/ {
            key = $0; sub(/[[:space:]]*=.*/, "", key); gsub(/[[:space:]]/, "", key)
            val = $0; sub(/^[^"]*"/, "", val); sub(/".*$/, "", val)
            print sec "." key "\t" val; next
        }
        { printf "%s:%d: cannot parse: %s\n", FILENAME, NR, $0 > "/dev/stderr"; exit 1 }
    ' "$1"
}

# Sections of the manifest that apply to this build.
manifest_sections() {
    local s="platform rust c"
    [ "$VARIANT" = fips ] && s="$s fips"
    [ "$SKIP_PACKAGES" = 1 ] || s="$s packages"
    [ -n "$WINDOWS_DLL" ] && s="$s msi"
    echo "$s"
}

# Prints the local version of one manifest entry, or "missing".
probe() {
    local v=
    case "$1" in
        platform.os) v=$( (. /etc/os-release && echo "${PRETTY_NAME:-}") 2>/dev/null || true) ;;
        platform.target) v=$(rustc -vV 2>/dev/null | sed -n 's/^host: //p') ;;
        rust.rustc) v=$(rustc -V 2>/dev/null) ;;
        rust.cargo) v=$(cargo -V 2>/dev/null) ;;
        rust.cargo-auditable)
            # cargo-auditable has no --version; read cargo install's record next to the binary.
            local bin
            bin=$(command -v cargo-auditable 2>/dev/null) || true
                    if [ -n "$bin" ] && [ -f "$(dirname "$(dirname "$bin")")/.crates.toml" ]; then
                v=$(sed -n 's/^"cargo-auditable \([^ ]*\) .*/\1/p' \
                    "$(dirname "$(dirname "$bin")")/.crates.toml" | head -n1)
            elif [ -n "$bin" ]; then
                v=unknown
            fi ;;
        rust.cargo-cyclonedx) v=$(cargo cyclonedx --version 2>/dev/null | awk '{print $NF}') ;;
        c.clang) v=$(clang --version 2>/dev/null | head -n1) ;;
        c.cc) v=$(cc --version 2>/dev/null | head -n1) ;;
        c.libc6-dev) v=$(dpkg-query -W -f='${Version}' libc6-dev 2>/dev/null || true) ;;
        fips.cmake) v=$(cmake --version 2>/dev/null | head -n1) ;;
        fips.go) v=$(go version 2>/dev/null | awk '{print $3}') ;;
        packages.dpkg-deb) v=$(dpkg-deb --version 2>/dev/null | head -n1 | sed -n 's/.* version \([^ ]*\) .*/\1/p') ;;
        packages.rpmbuild) v=$(rpmbuild --version 2>/dev/null | head -n1) ;;
        packages.xz) v=$(xz --version 2>/dev/null | head -n1) ;;
        msi.wixl) v=$(wixl --version 2>/dev/null | head -n1) ;;
        msi.faketime) v=$(faketime --version 2>/dev/null | sed -n 's/.*Version \([^ ]*\).*/\1/p' | head -n1) ;;
        *) echo "no-probe"; return ;;
    esac
    printf '%s\n' "${v:-missing}"
}

# Compares the manifest with this machine. Sets TOOLCHAIN_JSON, MISMATCH_JSON, REPRODUCIBLE.
check_toolchain() {
    local manifest=$1 sections key pinned found sec
    sections=" ${2:-$(manifest_sections)} "
    TOOLCHAIN_JSON='{}'
    MISMATCH_JSON='[]'
    REPRODUCIBLE=true
    local entries
    entries=$(read_manifest "$manifest") || die "cannot read $manifest"
    while IFS=$'\t' read -r key pinned; do
        [ -n "$key" ] || continue
        sec=${key%%.*}
        case "$sections" in *" $sec "*) ;; *) continue ;; esac
        found=$(probe "$key")
        [ "$found" = no-probe ] && die "$manifest names $key, which $PROG cannot probe"
        TOOLCHAIN_JSON=$(jq -cn --argjson t "$TOOLCHAIN_JSON" --arg k "$key" --arg v "$found" '$t + {($k): $v}')
        if [ "$found" != "$pinned" ]; then
            REPRODUCIBLE=false
            MISMATCH_JSON=$(jq -cn --argjson m "$MISMATCH_JSON" --arg k "$key" --arg p "$pinned" \
                --arg f "$found" '$m + [{tool: $k, pinned: $p, found: $f}]')
        fi
    done <<<"$entries"
}

report_toolchain() {
    if [ "$REPRODUCIBLE" = true ]; then
        note "toolchain matches packaging/toolchain.toml ($(jq -r 'keys | length' <<<"$TOOLCHAIN_JSON") entries)"
        return
    fi
    warn "the local toolchain differs from packaging/toolchain.toml:"
    jq -r '.[] | "    \(.tool): pinned \"\(.pinned)\", found \"\(.found)\""' <<<"$MISMATCH_JSON" >&2
    if [ "$STRICT_TOOLCHAIN" = 1 ]; then
        die "--strict-toolchain: refusing to build with a toolchain that cannot reproduce the published hashes"
    fi
    warn "this build CANNOT reproduce the published hashes; it is marked \"reproducible\": false in release.json"
}

command -v jq >/dev/null || die "jq is required (apt-get install jq)"

if [ "$PRINT_TOOLCHAIN" = 1 ]; then
    manifest=$SELF_DIR/../packaging/toolchain.toml
    [ -f "$manifest" ] || die "$manifest is missing"
    # rustc/cargo are resolved through rust-toolchain.toml of this checkout.
    cd "$SELF_DIR/.."
    check_toolchain "$manifest" "platform rust c fips packages msi"
    jq -n --argjson t "$TOOLCHAIN_JSON" --argjson m "$MISMATCH_JSON" --argjson r "$REPRODUCIBLE" \
        '{toolchain: $t, matches_manifest: $r, mismatches: $m}'
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# Outer stage: export the commit and run that commit's own recipe on it.
if [ -z "${_CRATON_RELEASE_INNER:-}" ]; then
    command -v git >/dev/null || die "git is required"
    [ -n "$REPO" ] || REPO=$SELF_DIR/..
    REPO=$(git -C "$REPO" rev-parse --show-toplevel 2>/dev/null) || die "$REPO is not a git checkout"
    COMMIT=$(git -C "$REPO" rev-parse --verify --quiet "$REV^{commit}") || die "no commit '$REV' in $REPO"
    EPOCH=$(git -C "$REPO" log -1 --format=%ct "$COMMIT")
    if [ "$(git -C "$REPO" rev-parse HEAD)" = "$COMMIT" ] &&
        [ -n "$(git -C "$REPO" status --porcelain --untracked-files=no 2>/dev/null)" ]; then
        note "note: $REPO has uncommitted changes; they are NOT part of this build (commit $COMMIT)"
    fi

    [ -n "$OUT" ] || OUT=dist/$VARIANT
    OUT=$(abspath "$OUT")
    if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
        die "--out $OUT is not empty; remove it or choose another directory"
    fi
    if [ -n "$WINDOWS_DLL" ]; then
        WINDOWS_DLL=$(abspath "$WINDOWS_DLL")
        [ -f "$WINDOWS_DLL" ] || die "--windows-dll $WINDOWS_DLL: not a file"
    fi
    [ -z "$TARGET_DIR" ] || TARGET_DIR=$(abspath "$TARGET_DIR")

    if [ -n "$WORK" ]; then
        WORK=$(abspath "$WORK")
        if [ -e "$WORK" ] && [ -n "$(ls -A "$WORK" 2>/dev/null)" ]; then
            die "--work-dir $WORK is not empty"
        fi
        mkdir -p "$WORK"
    else
        WORK=$(mktemp -d "${TMPDIR:-/tmp}/craton-release.XXXXXX")
    fi
    WORK=$(cd "$WORK" && pwd -P)
    cleanup() {
        if [ "$KEEP_WORK" = 1 ]; then note "work directory kept: $WORK"; else rm -rf "$WORK"; fi
    }
    trap cleanup EXIT

    case "$WORK$OUT$TARGET_DIR" in *[[:space:]]*) die "paths with white space are not supported" ;; esac

    note "building commit $COMMIT ($(git -C "$REPO" log -1 --format=%cd --date=iso-strict "$COMMIT")), variant $VARIANT"
    mkdir -p "$WORK/src"
    git -C "$REPO" archive --format=tar "$COMMIT" | tar -x -C "$WORK/src"
    [ -f "$WORK/src/tools/release.sh" ] ||
        die "commit $COMMIT has no tools/release.sh: commit the release recipe before building from it"

    args=(--variant "$VARIANT" --out "$OUT")
    [ -z "$TARGET_DIR" ] || args+=(--target-dir "$TARGET_DIR")
    [ -z "$JOBS" ] || args+=(--jobs "$JOBS")
    [ "$SKIP_PACKAGES" = 0 ] || args+=(--skip-packages)
    [ -z "$WINDOWS_DLL" ] || args+=(--windows-dll "$WINDOWS_DLL")
    [ "$STRICT_TOOLCHAIN" = 0 ] || args+=(--strict-toolchain)
    _CRATON_RELEASE_INNER=1 _CRATON_RELEASE_COMMIT=$COMMIT _CRATON_RELEASE_EPOCH=$EPOCH \
        _CRATON_RELEASE_WORK=$WORK bash "$WORK/src/tools/release.sh" "${args[@]}"
    exit 0
fi

# ---------------------------------------------------------------------------------------------
# Inner stage: running from the exported commit in $WORK/src.
COMMIT=$_CRATON_RELEASE_COMMIT
WORK=$_CRATON_RELEASE_WORK
SRC=$WORK/src
[ "$(cd "$SELF_DIR/.." && pwd -P)" = "$SRC" ] || die "internal: inner stage must run from $SRC"
[ -n "$TARGET_DIR" ] || TARGET_DIR=$WORK/target
mkdir -p "$TARGET_DIR"
TARGET_DIR=$(cd "$TARGET_DIR" && pwd -P)
STAGE_OUT=$WORK/dist
mkdir -p "$STAGE_OUT"

# A fixed environment: nothing from the caller's locale, time zone, umask or flags gets in.
export SOURCE_DATE_EPOCH=$_CRATON_RELEASE_EPOCH
export TZ=UTC LC_ALL=C.UTF-8 LANG=C.UTF-8
umask 022
unset RUSTFLAGS CARGO_BUILD_RUSTFLAGS RUSTDOCFLAGS CARGO_BUILD_RUSTDOCFLAGS RUSTC_WRAPPER \
    CARGO_BUILD_RUSTC_WRAPPER RUSTC_WORKSPACE_WRAPPER CARGO_BUILD_TARGET CARGO_BUILD_TARGET_DIR \
    CPPFLAGS LDFLAGS CFLAGS_x86_64_unknown_linux_gnu CXXFLAGS_x86_64_unknown_linux_gnu \
    TARGET_CC TARGET_CXX TARGET_CFLAGS TARGET_CXXFLAGS HOST_CFLAGS HOST_CXXFLAGS \
    CMAKE_GENERATOR CMAKE_TOOLCHAIN_FILE RUSTUP_TOOLCHAIN 2>/dev/null || true
# Profile overrides, per-target linkers/flags, the cc crate's per-target compilers and flags
# (which win over CC/CFLAGS), and aws-lc-sys build knobs (AWS_LC_*).
while IFS= read -r v; do unset "$v"; done < <(env | sed -n \
    -e 's/^\(CARGO_PROFILE_[A-Za-z0-9_]*\)=.*/\1/p' -e 's/^\(CARGO_TARGET_[A-Za-z0-9_]*\)=.*/\1/p' \
    -e 's/^\(AWS_LC_[A-Za-z0-9_]*\)=.*/\1/p' \
    -e 's/^\(\(CC\|CXX\|AR\|RANLIB\|CFLAGS\|CXXFLAGS\|ARFLAGS\)_[A-Za-z0-9_]*\)=.*/\1/p' \
    -e 's/^\(\(HOST\|TARGET\)_[A-Z]*\)=.*/\1/p' -e 's/^\(CRATE_CC_NO_DEFAULTS\)=.*/\1/p')
export CARGO_INCREMENTAL=0 CARGO_TERM_COLOR=never

cd "$SRC"
MANIFEST=$SRC/packaging/toolchain.toml
[ -f "$MANIFEST" ] || die "packaging/toolchain.toml is missing in commit $COMMIT"
check_toolchain "$MANIFEST"
report_toolchain

TRIPLE=$(rustc -vV | sed -n 's/^host: //p')
case "$TRIPLE" in
    x86_64-unknown-linux-gnu) DEBARCH=amd64 MULTIARCH=x86_64-linux-gnu RPMARCH=x86_64 RPMLIBDIR=/usr/lib64 ;;
    aarch64-unknown-linux-gnu) DEBARCH=arm64 MULTIARCH=aarch64-linux-gnu RPMARCH=aarch64 RPMLIBDIR=/usr/lib64 ;;
    *) die "unsupported build host $TRIPLE (releases are built on Linux x86_64 or aarch64)" ;;
esac

META=$(cargo metadata --locked --no-deps --format-version 1) || die "cargo metadata failed (is Cargo.lock committed and current?)"
PKG_NAME=$(jq -r '.packages[0].name' <<<"$META")
VERSION=$(jq -r '.packages[0].version' <<<"$META")
BINS=$(jq -r '.packages[0].targets[] | select(.kind | index("bin")) | .name' <<<"$META")
[ "$PKG_NAME" = craton-hsm ] || die "expected crate craton-hsm, found $PKG_NAME"

FEATURE_ARGS=()
FEATURE_TEXT=default
if [ "$VARIANT" = fips ]; then
    FEATURE_ARGS=(--no-default-features --features awslc-backend)
    FEATURE_TEXT="--no-default-features --features awslc-backend"
    # Fail in seconds, not after a build, when the feature does not bring in the FIPS module.
    if ! cargo tree --locked -e normal --prefix none "${FEATURE_ARGS[@]}" 2>/dev/null |
        grep -q '^aws-lc-fips-sys '; then
        die "with --features awslc-backend, commit $COMMIT does not depend on aws-lc-fips-sys: the fips variant cannot be built from it"
    fi
fi

# --- build -----------------------------------------------------------------------------------
CARGO_HOME=${CARGO_HOME:-$HOME/.cargo}
export CARGO_HOME
export CARGO_TARGET_DIR=$TARGET_DIR
# Every absolute build path the output could mention, mapped to a fixed name. Both the spelling
# we were given and the physical one (symlinks) are mapped. Later maps win in rustc, so the most
# specific (the target dir, which may sit inside the others) comes last.
maps=()
add_map() {
    local from=$1 to=$2 phys
    maps+=("$from=$to")
    if phys=$(cd "$from" 2>/dev/null && pwd -P) && [ "$phys" != "$from" ]; then maps+=("$phys=$to"); fi
}
mkdir -p "$CARGO_HOME/registry/src" "$CARGO_HOME/git/checkouts"
add_map "$CARGO_HOME/registry/src" /cargo/registry/src
add_map "$CARGO_HOME/git/checkouts" /cargo/git/checkouts
add_map "$SRC" /build/craton-hsm
add_map "$TARGET_DIR" /build/target
for m in "${maps[@]}"; do
    case "$m" in *[[:space:]]*) die "paths with white space are not supported: $m" ;; esac
done
RUSTFLAGS_LIST=()
CFLAGS_LIST=()
for m in "${maps[@]}"; do
    RUSTFLAGS_LIST+=("--remap-path-prefix=$m")
    CFLAGS_LIST+=("-ffile-prefix-map=$m")
done
CARGO_ENCODED_RUSTFLAGS=$(IFS=$'\x1f'; echo "${RUSTFLAGS_LIST[*]}")
export CARGO_ENCODED_RUSTFLAGS
export CFLAGS="${CFLAGS_LIST[*]}" CXXFLAGS="${CFLAGS_LIST[*]}"
# One C compiler for both variants (SQLite, and AWS-LC for fips): it is part of the pin.
export CC=clang CXX=clang++

JOBS_ARGS=()
[ -z "$JOBS" ] || JOBS_ARGS=(-j "$JOBS")
note "cargo auditable build --locked --release ${FEATURE_ARGS[*]} (SOURCE_DATE_EPOCH=$SOURCE_DATE_EPOCH)"
start=$(date +%s)
cargo auditable build --locked --release "${JOBS_ARGS[@]}" "${FEATURE_ARGS[@]}" ||
    die "cargo auditable build failed"
note "built in $(($(date +%s) - start)) s"

LIB_BUILT=$TARGET_DIR/release/libcraton_hsm.so
[ -f "$LIB_BUILT" ] || die "the build produced no $LIB_BUILT"

# The library leaves the target dir here; from now on nothing rewrites it.
install -m 0755 "$LIB_BUILT" "$STAGE_OUT/libcraton_hsm.so"
"$SRC/tools/compute-integrity-hmac.sh" "$STAGE_OUT/libcraton_hsm.so" >/dev/null
for b in $BINS; do
    install -m 0755 "$TARGET_DIR/release/$b" "$STAGE_OUT/$b"
done

# No build path may survive in what we ship.
for f in "$STAGE_OUT"/*; do
    for p in "$SRC" "$WORK" "$TARGET_DIR" "$CARGO_HOME" "${HOME:-}"; do
        [ "${#p}" -gt 1 ] || continue
        if grep -qaF -- "$p/" "$f"; then
            die "$(basename "$f") still contains the build path $p (path remapping failed)"
        fi
    done
done

# --- SBOM ------------------------------------------------------------------------------------
SBOM=$PKG_NAME-$VERSION-$VARIANT.cdx.json
cargo cyclonedx --format json --spec-version 1.5 --target "$TRIPLE" \
    --override-filename craton-release-sbom "${FEATURE_ARGS[@]}" -q ||
    die "cargo cyclonedx failed"
# cargo-cyclonedx is stable under SOURCE_DATE_EPOCH except for bom-refs holding the absolute
# checkout path: normalise them to the same /build/craton-hsm the library uses.
jq --arg from "path+file://$SRC" --arg to "path+file:///build/craton-hsm" \
    --arg variant "$VARIANT" --arg features "$FEATURE_TEXT" --arg commit "$COMMIT" '
    walk(if type == "string" and startswith($from) then $to + .[($from | length):] else . end)
    | .metadata.properties = ((.metadata.properties // []) + [
        {name: "craton:variant", value: $variant},
        {name: "craton:cargo-features", value: $features},
        {name: "craton:source-commit", value: $commit}])
    ' "$SRC/craton-release-sbom.json" >"$STAGE_OUT/$SBOM"
rm -f "$SRC/craton-release-sbom.json"
if grep -qF -- "$WORK" "$STAGE_OUT/$SBOM" || grep -qF -- "$HOME/" "$STAGE_OUT/$SBOM"; then
    die "the SBOM still holds a build path"
fi
if [ "$VARIANT" = fips ]; then
    jq -e '[.components[]? | .. | objects | select(.name? == "aws-lc-fips-sys")] | length > 0' \
        "$STAGE_OUT/$SBOM" >/dev/null || die "the fips SBOM does not list aws-lc-fips-sys"
fi

# --- packages --------------------------------------------------------------------------------
if [ "$VARIANT" = fips ]; then
    PACKAGE=craton-hsm-fips OTHER=craton-hsm
    SUMMARY="PKCS#11 software HSM module (FIPS build on AWS-LC)"
    VARIANT_TEXT="FIPS variant: the crypto backend is the AWS-LC FIPS module."
else
    PACKAGE=craton-hsm OTHER=craton-hsm-fips
    SUMMARY="PKCS#11 software HSM module"
    VARIANT_TEXT="Default variant: pure-Rust RustCrypto backend (not FIPS-validated)."
fi

# Puts the package payload under $1 with library directory $2 and doc directory $3.
stage_tree() {
    local root=$1 libdir=$2 docdir=$3 b
    install -d -m 0755 "$root$libdir" "$root/usr/share/p11-kit/modules" "$root/etc/craton-hsm" "$root$docdir"
    cp "$STAGE_OUT/libcraton_hsm.so" "$root$libdir/libcraton_hsm.so"
    cp "$STAGE_OUT/libcraton_hsm.hmac" "$root$libdir/libcraton_hsm.hmac"
    chmod 0644 "$root$libdir/libcraton_hsm.so" "$root$libdir/libcraton_hsm.hmac"
    sed -e "s|@LIBPATH@|$libdir/libcraton_hsm.so|g" -e "s|@PACKAGE@|$PACKAGE|g" \
        "$SRC/packaging/p11-kit/craton-hsm.module.in" >"$root/usr/share/p11-kit/modules/craton-hsm.module"
    install -m 0644 "$SRC/packaging/craton_hsm.toml" "$root/etc/craton-hsm/craton_hsm.toml"
    install -m 0644 "$SRC/packaging/copyright" "$root$docdir/copyright"
    install -m 0644 "$STAGE_OUT/$SBOM" "$root$docdir/$SBOM"
    [ ! -f "$SRC/README.md" ] || install -m 0644 "$SRC/README.md" "$root$docdir/README.md"
    [ ! -f "$SRC/docs/release.md" ] || install -m 0644 "$SRC/docs/release.md" "$root$docdir/release.md"
    for b in $BINS; do
        install -D -m 0755 "$STAGE_OUT/$b" "$root/usr/bin/$b"
    done
    # Library bytes must be exactly the released ones (cp never rewrites, but check anyway).
    cmp -s "$root$libdir/libcraton_hsm.so" "$STAGE_OUT/libcraton_hsm.so" || die "staged library differs"
    find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}

# Debian dependencies from the ELF files: the highest glibc symbol version, and libgcc_s.
deb_depends() {
    local glibc deps f
    glibc=$(for f in "$@"; do objdump -T "$f"; done | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
    deps="libc6 (>= ${glibc:-2.34})"
    if for f in "$@"; do readelf -d "$f"; done | grep -q 'NEEDED.*\[libgcc_s\.so\.1\]'; then
        deps="$deps, libgcc-s1 (>= 3.0)"
    fi
    echo "$deps"
}

build_deb() {
    local root=$WORK/deb-root libdir=/usr/lib/$MULTIARCH/pkcs11 docdir=/usr/share/doc/$PACKAGE
    local debversion=$VERSION-1 size f elves=()
    DEB=${PACKAGE}_${debversion}_$DEBARCH.deb
    rm -rf "$root"
    stage_tree "$root" "$libdir" "$docdir"
    install -d -m 0755 "$root/DEBIAN"
    elves=("$root$libdir/libcraton_hsm.so")
    for b in $BINS; do elves+=("$root/usr/bin/$b"); done
    # Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, plus one per dir.
    size=$(find "$root" -path "$root/DEBIAN" -prune -o \( -type f -printf '%s\n' -o -type d -printf '1024\n' \) |
        awk '{ s += int(($1 + 1023) / 1024) } END { print s }')
    sed -e "s|@PACKAGE@|$PACKAGE|g" -e "s|@OTHER_PACKAGE@|$OTHER|g" -e "s|@DEBVERSION@|$debversion|g" \
        -e "s|@DEBARCH@|$DEBARCH|g" -e "s|@INSTALLED_SIZE@|$size|g" \
        -e "s|@DEPENDS@|$(deb_depends "${elves[@]}")|g" -e "s|@SUMMARY@|$SUMMARY|g" \
        -e "s|@LIBPATH@|$libdir/libcraton_hsm.so|g" -e "s|@VARIANT_TEXT@|$VARIANT_TEXT|g" \
        "$SRC/packaging/deb/control.in" >"$root/DEBIAN/control"
    echo "/etc/craton-hsm/craton_hsm.toml" >"$root/DEBIAN/conffiles"
    (cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\n' |
        LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
    chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
    find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
    dpkg-deb --root-owner-group -Zxz -z6 --threads-max=1 --build "$root" "$STAGE_OUT/$DEB" >/dev/null ||
        die "dpkg-deb failed"
    note "built $DEB"
}

build_rpm() {
    local top=$WORK/rpmbuild root=$WORK/rpm-root libdir=$RPMLIBDIR/pkcs11 docdir=/usr/share/doc/$PACKAGE
    local list=$WORK/rpm-files.list b
    rm -rf "$top" "$root"
    mkdir -p "$top"/{BUILD,RPMS,SRPMS,SPECS,SOURCES,BUILDROOT}
    stage_tree "$root" "$libdir" "$docdir"
    {
        echo "%defattr(-,root,root,-)"
        echo "%dir /etc/craton-hsm"
        echo "%config(noreplace) /etc/craton-hsm/craton_hsm.toml"
        echo "$libdir/libcraton_hsm.so"
        echo "$libdir/libcraton_hsm.hmac"
        echo "/usr/share/p11-kit/modules/craton-hsm.module"
        echo "%dir $docdir"
        (cd "$root" && find ".$docdir" -type f | LC_ALL=C sort | sed 's/^\./%doc /')
        for b in $BINS; do echo "/usr/bin/$b"; done
    } >"$list"
    rpmbuild -bb --quiet \
        --define "_topdir $top" \
        --define "_buildhost reproducible" \
        --define "use_source_date_epoch_as_buildtime 1" \
        --define "clamp_mtime_to_source_date_epoch 1" \
        --define "_build_id_links none" \
        --define "pkgname $PACKAGE" \
        --define "pkgversion $VERSION" \
        --define "other_package $OTHER" \
        --define "pkgsummary $SUMMARY" \
        --define "variant_text $VARIANT_TEXT" \
        --define "stagedir $root" \
        --define "filelist $list" \
        --target "$RPMARCH" \
        "$SRC/packaging/rpm/craton-hsm.spec" >"$WORK/rpmbuild.log" 2>&1 ||
        { cat "$WORK/rpmbuild.log" >&2; die "rpmbuild failed"; }
    RPM=$PACKAGE-$VERSION-1.$RPMARCH.rpm
    [ -f "$top/RPMS/$RPMARCH/$RPM" ] || die "rpmbuild did not produce $RPM"
    cp "$top/RPMS/$RPMARCH/$RPM" "$STAGE_OUT/$RPM"
    note "built $RPM"
}

# The MSI around a Windows DLL that was built elsewhere. Deterministic: fixed GUIDs derived
# from the version, variant and DLL hash; fixed timestamps.
build_msi() {
    local dll=$WINDOWS_DLL mz pe machine wdir=$WORK/msi ns=6ba7b811-9dad-11d1-80b4-00c04fd430c8
    # Never a stand-in: it must be a PE image for x86-64.
    mz=$(head -c 2 "$dll" | od -An -c | tr -d ' \n')
    [ "$mz" = MZ ] || die "--windows-dll $dll is not a Windows PE file"
    pe=$(od -An -tu4 -j 60 -N 4 "$dll" | tr -d ' ')
    [ "$(od -An -c -j "$pe" -N 4 "$dll" | tr -d ' \n')" = 'PE\0\0' ] || die "--windows-dll $dll is not a Windows PE file"
    machine=$(od -An -tx2 -j $((pe + 4)) -N 2 "$dll" | tr -d ' ')
    [ "$machine" = 8664 ] || die "--windows-dll $dll is not an x86-64 DLL (machine 0x$machine)"
    command -v wixl >/dev/null || die "wixl is required for the MSI (apt-get install wixl msitools)"
    command -v msibuild >/dev/null || die "msibuild is required for the MSI (apt-get install msitools)"
    command -v faketime >/dev/null || die "faketime is required for the MSI (apt-get install faketime)"

    rm -rf "$wdir"
    mkdir -p "$wdir/payload"
    cp "$dll" "$STAGE_OUT/craton_hsm.dll"
    "$SRC/tools/compute-integrity-hmac.sh" "$STAGE_OUT/craton_hsm.dll" >/dev/null
    cp "$STAGE_OUT/craton_hsm.dll" "$STAGE_OUT/craton_hsm.hmac" "$wdir/payload/"
    # The same config, with CRLF line ends for Notepad.
    sed 's/$/\r/' "$SRC/packaging/craton_hsm.toml" >"$wdir/payload/craton_hsm.toml"
    cp "$STAGE_OUT/$SBOM" "$wdir/payload/$SBOM"
    find "$wdir/payload" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

    local dllsum package
    guid() { uuidgen --sha1 --namespace "$ns" --name "craton-hsm/msi/$1" | tr a-f A-F; }
    dllsum=$(sha256sum "$STAGE_OUT/craton_hsm.dll" | cut -d' ' -f1)
    package=$(guid "package/$VARIANT/$VERSION/$COMMIT/$dllsum")
    MSI=$PACKAGE-$VERSION-x64.msi
    MSI_PRODUCT="Craton HSM"
    [ "$VARIANT" = default ] || MSI_PRODUCT="Craton HSM FIPS"
    # wixl and msibuild stamp the current time into the summary information: freeze the clock
    # at the commit time for them (never run cargo under faketime: it hangs).
    local stamp
    stamp=$(date -u -d "@$SOURCE_DATE_EPOCH" '+%Y-%m-%d %H:%M:%S')
    (cd "$wdir/payload" && TZ=UTC faketime -f "$stamp" wixl -a x64 \
        -D "Version=$VERSION" -D "ProductName=$MSI_PRODUCT" -D "Variant=$VARIANT" -D "Sbom=$SBOM" \
        -D "ProductCode=$(guid "product/$VARIANT/$VERSION")" -D "UpgradeCode=$(guid "upgrade/$VARIANT")" \
        -D "PackageCode=$package" -D "ModuleGuid=$(guid "component/$VARIANT/module")" \
        -D "SidecarGuid=$(guid "component/$VARIANT/sidecar")" -D "SbomGuid=$(guid "component/$VARIANT/sbom")" \
        -D "ConfigGuid=$(guid "component/config")" \
        -o "$wdir/$MSI" "$SRC/packaging/msi/craton-hsm.wxs") >"$WORK/wixl.log" 2>&1 ||
        { cat "$WORK/wixl.log" >&2; die "wixl failed"; }
    # The summary's revision number (package code) and times, fixed.
    TZ=UTC faketime -f "$stamp" msibuild "$wdir/$MSI" -s "$MSI_PRODUCT" "Craton HSM contributors" \
        "x64;1033" "{$package}" >>"$WORK/wixl.log" 2>&1 || { cat "$WORK/wixl.log" >&2; die "msibuild failed"; }
    cp "$wdir/$MSI" "$STAGE_OUT/$MSI"
    note "built $MSI"
}

if [ "$SKIP_PACKAGES" = 0 ]; then
    for t in dpkg-deb rpmbuild objdump readelf md5sum; do
        command -v "$t" >/dev/null || die "$t is required for the packages (or use --skip-packages)"
    done
    build_deb
    build_rpm
fi
[ -z "$WINDOWS_DLL" ] || build_msi

# --- manifest and checksums ------------------------------------------------------------------
artifacts='[]'
while IFS= read -r f; do
    artifacts=$(jq -cn --argjson a "$artifacts" --arg f "$f" \
        --arg s "$(sha256sum "$STAGE_OUT/$f" | cut -d' ' -f1)" --argjson n "$(stat -c %s "$STAGE_OUT/$f")" \
        '$a + [{file: $f, sha256: $s, size: $n}]')
done < <(cd "$STAGE_OUT" && find . -maxdepth 1 -type f -printf '%P\n' | LC_ALL=C sort)

windows='null'
if [ -n "$WINDOWS_DLL" ]; then
    windows=$(jq -cn '{dll: "craton_hsm.dll", built_here: false,
        note: "built on Windows from the same commit; only the MSI around it is reproducible here"}')
fi
jq -n --arg name "$PKG_NAME" --arg version "$VERSION" --arg variant "$VARIANT" --arg commit "$COMMIT" \
    --argjson epoch "$SOURCE_DATE_EPOCH" --arg target "$TRIPLE" --arg features "$FEATURE_TEXT" \
    --argjson toolchain "$TOOLCHAIN_JSON" --argjson mismatches "$MISMATCH_JSON" \
    --argjson reproducible "$REPRODUCIBLE" --argjson artifacts "$artifacts" --argjson windows "$windows" \
    '{
        format: "craton-hsm-release/1",
        name: $name, version: $version, variant: $variant, cargo_features: $features,
        commit: $commit, source_date_epoch: $epoch, target: $target,
        reproducible: $reproducible, toolchain: $toolchain, toolchain_mismatches: $mismatches,
        windows: $windows, artifacts: $artifacts
    }' >"$STAGE_OUT/release.json"
(cd "$STAGE_OUT" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%P\n' | LC_ALL=C sort |
    xargs sha256sum) >"$WORK/SHA256SUMS"
mv "$WORK/SHA256SUMS" "$STAGE_OUT/SHA256SUMS"

mkdir -p "$OUT"
cp -p "$STAGE_OUT"/* "$OUT/"
note "release written to $OUT"
cat "$OUT/SHA256SUMS"
if [ "$REPRODUCIBLE" != true ]; then
    warn "marked non-reproducible: the toolchain differs from packaging/toolchain.toml (see above)"
fi
