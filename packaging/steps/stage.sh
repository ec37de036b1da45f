# shellcheck shell=bash
# The package payload, shared by the deb and rpm steps (sourced after lib.sh).
VERSION=$(crate_field version)
[ -n "$VERSION" ] || die "no crate craton-hsm in the workspace"
SBOM_PATH=$(find /in/sbom -maxdepth 1 -name '*.cdx.json' | head -n1)
SBOM=$(basename "$SBOM_PATH")
BINS=()
if [ -d /in/library/bin ]; then
    while IFS= read -r b; do BINS+=("$b"); done < <(cd /in/library/bin && find . -type f -printf '%P\n' | LC_ALL=C sort)
fi

# Puts the package payload under $1 with library directory $2 and doc directory $3.
stage_tree() {
    local root=$1 libdir=$2 docdir=$3 b
    install -d -m 0755 "$root$libdir" "$root/usr/share/craton-hsm/p11-kit" "$root/etc/craton-hsm" "$root$docdir"
    install -m 0644 /in/library/libcraton_hsm.so "$root$libdir/libcraton_hsm.so"
    install -m 0644 /in/hmac/libcraton_hsm.hmac "$root$libdir/libcraton_hsm.hmac"
    # Opt-in p11-kit registration: the module file is shipped outside p11-kit's module
    # directory, so p11-kit does not load the module into every program (docs/release.md).
    sed -e "s|@LIBPATH@|$libdir/libcraton_hsm.so|g" -e "s|@PACKAGE@|$PACKAGE|g" \
        packaging/p11-kit/craton-hsm.module.in >"$root/usr/share/craton-hsm/p11-kit/craton-hsm.module"
    chmod 0644 "$root/usr/share/craton-hsm/p11-kit/craton-hsm.module"
    install -m 0644 "$CONFIG" "$root/etc/craton-hsm/craton_hsm.toml"
    install -m 0644 packaging/copyright "$root$docdir/copyright"
    install -m 0644 "$SBOM_PATH" "$root$docdir/$SBOM"
    [ ! -f README.md ] || install -m 0644 README.md "$root$docdir/README.md"
    [ ! -f docs/release.md ] || install -m 0644 docs/release.md "$root$docdir/release.md"
    for b in ${BINS[@]+"${BINS[@]}"}; do
        install -D -m 0755 "/in/library/bin/$b" "$root/usr/bin/$b"
    done
    # The packaged library must be exactly the released bytes.
    cmp -s "$root$libdir/libcraton_hsm.so" /in/library/libcraton_hsm.so || die "staged library differs"
    find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
}
