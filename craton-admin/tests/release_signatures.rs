//! Detached OpenPGP signatures of SHA256SUMS and release.json: made here with throw-away keys
//! (rpgp), checked by `craton-admin verify-release --keyring`. A good signature passes; a
//! signature over other bytes and a signature by a key outside the keyring fail.

mod release;

use pgp::composed::{
    ArmorOptions, DetachedSignature, KeyType, SecretKeyParamsBuilder, SignedSecretKey,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::Password;
use release::Fixture;
use std::path::Path;

fn key(uid: &str) -> SignedSecretKey {
    SecretKeyParamsBuilder::default()
        .key_type(KeyType::Ed25519Legacy)
        .can_certify(true)
        .can_sign(true)
        .primary_user_id(uid.into())
        .build()
        .unwrap()
        .generate(rand::thread_rng())
        .unwrap()
}

fn sign(k: &SignedSecretKey, data: &[u8]) -> String {
    DetachedSignature::sign_binary_data(
        rand::thread_rng(),
        &k.primary_key,
        &Password::empty(),
        HashAlgorithm::Sha256,
        data,
    )
    .unwrap()
    .to_armored_string(ArmorOptions::default())
    .unwrap()
}

fn sign_release(k: &SignedSecretKey, dir: &Path) {
    for f in ["SHA256SUMS", "release.json"] {
        let data = std::fs::read(dir.join(f)).unwrap();
        std::fs::write(dir.join(format!("{f}.asc")), sign(k, &data)).unwrap();
    }
}

fn keyring(k: &SignedSecretKey, dir: &Path) -> String {
    let p = dir.join("publisher.asc");
    std::fs::write(
        &p,
        k.to_public_key()
            .to_armored_string(ArmorOptions::default())
            .unwrap(),
    )
    .unwrap();
    p.to_string_lossy().into_owned()
}

#[test]
fn signatures() {
    let f = Fixture::new("default");
    let keys = tempfile::tempdir().unwrap();
    let publisher = key("Craton HSM releases (test) <release@craton-hsm.invalid>");
    let ring = keyring(&publisher, keys.path());

    // Good: both files signed by the keyring's key.
    let t = tempfile::tempdir().unwrap();
    f.write(t.path(), &f.deb_payload(), &f.rpm_payload());
    sign_release(&publisher, t.path());
    let (ok, out) = f.verify(t.path(), &["--keyring", &ring]);
    assert!(ok, "{out}");
    assert!(
        out.contains(
            "ok:   SHA256SUMS.asc: good signature of SHA256SUMS by Craton HSM releases (test)"
        ),
        "{out}"
    );
    assert!(
        out.contains("ok:   release.json.asc: good signature of release.json"),
        "{out}"
    );

    // Unsigned: missing signatures fail once a keyring is given.
    std::fs::remove_file(t.path().join("release.json.asc")).unwrap();
    let (ok, out) = f.verify(t.path(), &["--keyring", &ring]);
    assert!(!ok);
    assert!(
        out.contains("FAIL: release.json.asc: missing: release.json is not signed"),
        "{out}"
    );

    // Bad: a consistent attacker changes release.json and SHA256SUMS after signing.
    let t = tempfile::tempdir().unwrap();
    f.write(t.path(), &f.deb_payload(), &f.rpm_payload());
    sign_release(&publisher, t.path());
    let mut deb = f.deb_payload();
    deb.scripts.push(("postinst".into(), "#!/bin/sh\n".into()));
    std::fs::write(t.path().join(f.deb_name()), release::build_deb(&deb)).unwrap();
    f.reseal(t.path());
    let (ok, out) = f.verify(t.path(), &["--keyring", &ring]);
    assert!(!ok);
    assert!(
        out.contains("FAIL: SHA256SUMS.asc: SHA256SUMS: BAD signature: made by key"),
        "{out}"
    );
    assert!(
        out.contains("FAIL: release.json.asc: release.json: BAD signature"),
        "{out}"
    );

    // Unknown key: the attacker signs with their own key.
    let attacker = key("Mallory <m@evil.invalid>");
    sign_release(&attacker, t.path());
    let (ok, out) = f.verify(t.path(), &["--keyring", &ring]);
    assert!(!ok);
    assert!(
        out.contains("FAIL: SHA256SUMS.asc: SHA256SUMS: signed by an unknown key"),
        "{out}"
    );
    assert!(
        out.contains("none of the keyring's keys made this signature"),
        "{out}"
    );

    // A keyring that is not one.
    let junk = keys.path().join("junk");
    std::fs::write(&junk, "not a key").unwrap();
    let (ok, out) = f.verify(t.path(), &["--keyring", junk.to_str().unwrap()]);
    assert!(!ok);
    assert!(out.contains("FAIL: keyring:"), "{out}");
}
