#!/usr/bin/env bash
# Step "rpm": the RPM package (packaging/rpm/craton-hsm.spec packs the staged tree; nothing is
# compiled, stripped or rewritten).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/stage.sh"

top=/tmp/rpmbuild root=/tmp/rpm-root libdir=$RPMLIBDIR/pkcs11 docdir=/usr/share/doc/$PACKAGE
list=/tmp/rpm-files.list
mkdir -p "$top"/{BUILD,RPMS,SRPMS,SPECS,SOURCES,BUILDROOT}
stage_tree "$root" "$libdir" "$docdir"
{
    echo "%defattr(-,root,root,-)"
    echo "%dir /etc/craton-hsm"
    echo "%config(noreplace) /etc/craton-hsm/craton_hsm.toml"
    echo "$libdir/libcraton_hsm.so"
    echo "$libdir/libcraton_hsm.hmac"
    echo "%dir /usr/share/craton-hsm"
    echo "%dir /usr/share/craton-hsm/p11-kit"
    echo "/usr/share/craton-hsm/p11-kit/craton-hsm.module"
    echo "%dir $docdir"
    (cd "$root" && find ".$docdir" -type f | LC_ALL=C sort | sed 's/^\./%doc /')
    for b in ${BINS[@]+"${BINS[@]}"}; do echo "/usr/bin/$b"; done
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
    packaging/rpm/craton-hsm.spec >/tmp/rpmbuild.log 2>&1 ||
    { cat /tmp/rpmbuild.log >&2; die "rpmbuild failed"; }
RPM=$PACKAGE-$VERSION-1.$RPMARCH.rpm
[ -f "$top/RPMS/$RPMARCH/$RPM" ] || die "rpmbuild did not produce $RPM"
cp "$top/RPMS/$RPMARCH/$RPM" "/out/$RPM"
note "built $RPM"
