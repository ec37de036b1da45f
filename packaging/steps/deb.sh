#!/usr/bin/env bash
# Step "deb": the Debian package around the released library, sidecar, SBOM and binaries.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stage.sh"

# Dependencies from the ELF files: the highest glibc symbol version, and libgcc_s.
# The dynamic sections are read whole before matching: `readelf | grep -q` under pipefail
# fails whenever grep exits before readelf has written everything (SIGPIPE), which made
# libgcc-s1 come and go between two builds of the same files.
deb_depends() {
    local glibc deps f dynamic
    glibc=$(for f in "$@"; do objdump -T "$f"; done | grep -o 'GLIBC_[0-9][0-9.]*' | sed 's/GLIBC_//' | sort -uV | tail -n1)
    deps="libc6 (>= ${glibc:-2.34})"
    dynamic=$(for f in "$@"; do readelf -d "$f"; done)
    if grep -q 'NEEDED.*\[libgcc_s\.so\.1\]' <<<"$dynamic"; then
        deps="$deps, libgcc-s1 (>= 3.0)"
    fi
    echo "$deps"
}

root=/tmp/deb-root libdir=/usr/lib/$MULTIARCH/pkcs11 docdir=/usr/share/doc/$PACKAGE
debversion=$VERSION-1
DEB=${PACKAGE}_${debversion}_$DEBARCH.deb
stage_tree "$root" "$libdir" "$docdir"
install -d -m 0755 "$root/DEBIAN"
elves=("$root$libdir/libcraton_hsm.so")
for b in ${BINS[@]+"${BINS[@]}"}; do elves+=("$root/usr/bin/$b"); done
# Installed-Size as dpkg-gencontrol counts it: KiB per file, rounded up, plus one per directory.
size=$(find "$root" -path "$root/DEBIAN" -prune -o \( -type f -printf '%s\n' -o -type d -printf '1024\n' \) |
    awk '{ s += int(($1 + 1023) / 1024) } END { print s }')
sed -e "s|@PACKAGE@|$PACKAGE|g" -e "s|@OTHER_PACKAGE@|$OTHER|g" -e "s|@DEBVERSION@|$debversion|g" \
    -e "s|@DEBARCH@|$DEBARCH|g" -e "s|@INSTALLED_SIZE@|$size|g" \
    -e "s|@DEPENDS@|$(deb_depends "${elves[@]}")|g" -e "s|@SUMMARY@|$SUMMARY|g" \
    -e "s|@LIBPATH@|$libdir/libcraton_hsm.so|g" -e "s|@VARIANT_TEXT@|$VARIANT_TEXT|g" \
    packaging/deb/control.in >"$root/DEBIAN/control"
echo "/etc/craton-hsm/craton_hsm.toml" >"$root/DEBIAN/conffiles"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\n' |
    LC_ALL=C sort | xargs md5sum) >"$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/conffiles" "$root/DEBIAN/md5sums"
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +
dpkg-deb --root-owner-group -Zxz -z6 --threads-max=1 --build "$root" "/out/$DEB" >/dev/null ||
    die "dpkg-deb failed"
note "built $DEB"
