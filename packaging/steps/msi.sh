#!/usr/bin/env bash
# Step "msi": the MSI around a craton_hsm.dll built on Windows (the FIPS DLL needs MSVC). Its
# bytes are fixed: GUIDs are name-based UUIDs from the variant, version, commit and DLL hash,
# and wixl/msibuild run under faketime at SOURCE_DATE_EPOCH (never cargo under faketime).
. "$(dirname "$0")/lib.sh"
dll=/in/windows-dll/craton_hsm.dll wdir=/tmp/msi ns=6ba7b811-9dad-11d1-80b4-00c04fd430c8
VERSION=$(crate_field version)
SBOM_PATH=$(find /in/sbom -maxdepth 1 -name '*.cdx.json' | head -n1)
SBOM=$(basename "$SBOM_PATH")
# Never a stand-in: it must be a PE image for x86-64.
[ "$(head -c 2 "$dll" | od -An -c | tr -d ' \n')" = MZ ] || die "the Windows DLL is not a PE file"
pe=$(od -An -tu4 -j 60 -N 4 "$dll" | tr -d ' ')
[ "$(od -An -c -j "$pe" -N 4 "$dll" | tr -d ' \n')" = 'PE\0\0' ] || die "the Windows DLL is not a PE file"
machine=$(od -An -tx2 -j $((pe + 4)) -N 2 "$dll" | tr -d ' ')
[ "$machine" = 8664 ] || die "the Windows DLL is not an x86-64 DLL (machine 0x$machine)"

mkdir -p "$wdir/payload"
install -m 0644 "$dll" /out/craton_hsm.dll
tools/compute-integrity-hmac.sh /out/craton_hsm.dll >/dev/null
cp /out/craton_hsm.dll /out/craton_hsm.hmac "$wdir/payload/"
sed 's/$/\r/' "$CONFIG" >"$wdir/payload/craton_hsm.toml"   # CRLF for Notepad
cp "$SBOM_PATH" "$wdir/payload/$SBOM"
find "$wdir/payload" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

guid() { uuidgen --sha1 --namespace "$ns" --name "craton-hsm/msi/$1" | tr a-f A-F; }
dllsum=$(sha256sum /out/craton_hsm.dll | cut -d' ' -f1)
package=$(guid "package/$VARIANT/$VERSION/$COMMIT/$dllsum")
if [ "$VARIANT" = fips ]; then MSI=craton-hsm-fips-$VERSION-x64.msi PRODUCT="Craton HSM FIPS"
else MSI=craton-hsm-$VERSION-x64.msi PRODUCT="Craton HSM"; fi
stamp=$(date -u -d "@$SOURCE_DATE_EPOCH" '+%Y-%m-%d %H:%M:%S')
(cd "$wdir/payload" && faketime -f "$stamp" wixl -a x64 \
    -D "Version=$VERSION" -D "ProductName=$PRODUCT" -D "Variant=$VARIANT" -D "Sbom=$SBOM" \
    -D "ProductCode=$(guid "product/$VARIANT/$VERSION")" -D "UpgradeCode=$(guid "upgrade/$VARIANT")" \
    -D "PackageCode=$package" -D "ModuleGuid=$(guid "component/$VARIANT/module")" \
    -D "SidecarGuid=$(guid "component/$VARIANT/sidecar")" -D "SbomGuid=$(guid "component/$VARIANT/sbom")" \
    -D "ConfigGuid=$(guid "component/config")" \
    -o "$wdir/$MSI" /build/src/packaging/msi/craton-hsm.wxs) >/tmp/wixl.log 2>&1 ||
    { cat /tmp/wixl.log >&2; die "wixl failed"; }
faketime -f "$stamp" msibuild "$wdir/$MSI" -s "$PRODUCT" "Craton HSM contributors" "x64;1033" "{$package}" \
    >>/tmp/wixl.log 2>&1 || { cat /tmp/wixl.log >&2; die "msibuild failed"; }
cp "$wdir/$MSI" "/out/$MSI"
note "built $MSI"
