//! Independent rebuilders: each signs its in-toto provenance statement of the release
//! (`craton-admin release-provenance`); `verify-release --attestation-policy` passes with K
//! builders of the policy attesting exactly the release's digests and fails with K-1, and does
//! not count statements of other digests, by keys outside the policy, or naming another builder.

mod release;

use pgp::composed::{
    ArmorOptions, DetachedSignature, KeyType, SecretKeyParamsBuilder, SignedSecretKey,
};
use pgp::crypto::hash::HashAlgorithm;
use pgp::types::Password;
use release::{ADMIN, Fixture};
use std::path::Path;
use std::process::Command;

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

fn provenance(dir: &Path, builder: &str) -> Vec<u8> {
    let o = Command::new(ADMIN)
        .args(["release-provenance", "--builder-id", builder])
        .arg(dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o.stdout
}

/// Builder `k` (id `id`) publishes its signed statement `name` in `atts`.
fn attest(atts: &Path, name: &str, k: &SignedSecretKey, statement: &[u8]) {
    std::fs::write(atts.join(format!("{name}.intoto.json")), statement).unwrap();
    let sig = DetachedSignature::sign_binary_data(
        rand::thread_rng(),
        &k.primary_key,
        &Password::empty(),
        HashAlgorithm::Sha256,
        statement,
    )
    .unwrap();
    std::fs::write(
        atts.join(format!("{name}.intoto.json.asc")),
        sig.to_armored_string(ArmorOptions::default()).unwrap(),
    )
    .unwrap();
}

#[test]
fn k_of_n_rebuilders() {
    let f = Fixture::new("default");
    let rel = tempfile::tempdir().unwrap();
    f.write(rel.path(), &f.deb_payload(), &f.rpm_payload());
    let pol = tempfile::tempdir().unwrap();
    let names = ["alice", "bob", "carol"];
    let keys: Vec<SignedSecretKey> = names
        .iter()
        .map(|n| key(&format!("{n} <{n}@rebuild.invalid>")))
        .collect();
    let mut policy = String::from("threshold = 2\n");
    for (n, k) in names.iter().zip(&keys) {
        std::fs::write(
            pol.path().join(format!("{n}.asc")),
            k.to_public_key()
                .to_armored_string(ArmorOptions::default())
                .unwrap(),
        )
        .unwrap();
        policy.push_str(&format!(
            "[[builder]]\nid = \"https://rebuild.invalid/{n}\"\nkey = \"{n}.asc\"\n"
        ));
    }
    let policy_file = pol.path().join("builders.toml");
    std::fs::write(&policy_file, policy).unwrap();
    let id = |n: &str| format!("https://rebuild.invalid/{n}");
    let check = |atts: &Path| {
        f.verify(
            rel.path(),
            &[
                "--attestations",
                atts.to_str().unwrap(),
                "--attestation-policy",
                policy_file.to_str().unwrap(),
            ],
        )
    };

    // K-1 = 1 matching attestation, plus ones that must not count.
    let atts = tempfile::tempdir().unwrap();
    attest(
        atts.path(),
        "alice",
        &keys[0],
        &provenance(rel.path(), &id("alice")),
    );
    // Bob's statement of other digests (his rebuild differed).
    let other = tempfile::tempdir().unwrap();
    let mut deb = f.deb_payload();
    deb.files[4].2 = b"other copyright\n".to_vec();
    f.write(other.path(), &deb, &f.rpm_payload());
    attest(
        atts.path(),
        "bob",
        &keys[1],
        &provenance(other.path(), &id("bob")),
    );
    // Mallory, not in the policy, attests the right digests.
    let mallory = key("Mallory <m@evil.invalid>");
    attest(
        atts.path(),
        "mallory",
        &mallory,
        &provenance(rel.path(), &id("carol")),
    );
    // Carol's key signing a statement that names alice as its builder.
    attest(
        atts.path(),
        "carol-as-alice",
        &keys[2],
        &provenance(rel.path(), &id("alice")),
    );
    let (ok, out) = check(atts.path());
    assert!(!ok, "{out}");
    assert!(
        out.contains("FAIL: attestations: 1 of 3 builders attest these digests (https://rebuild.invalid/alice); the policy needs 2"),
        "{out}"
    );
    assert!(
        out.contains(
            "bob.intoto.json (builder https://rebuild.invalid/bob): attests other digests ("
        ) && out.contains("craton-hsm_0.1.0-1_amd64.deb, release.json), not counted"),
        "{out}"
    );
    assert!(
        out.contains("mallory.intoto.json: not signed by a builder of the policy"),
        "{out}"
    );
    assert!(
        out.contains(
            "carol-as-alice.intoto.json (builder https://rebuild.invalid/carol): names builder"
        ),
        "{out}"
    );

    // K = 2: carol attests the same digests.
    attest(
        atts.path(),
        "carol",
        &keys[2],
        &provenance(rel.path(), &id("carol")),
    );
    let (ok, out) = check(atts.path());
    assert!(ok, "{out}");
    assert!(out.contains("ok:   attestations: 2 of 3 builders attest these digests (https://rebuild.invalid/alice, https://rebuild.invalid/carol); the policy needs 2"), "{out}");

    // The statement names what the issue asks for.
    let v: serde_json::Value =
        serde_json::from_slice(&provenance(rel.path(), &id("alice"))).unwrap();
    assert_eq!(v["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(v["predicateType"], "https://slsa.dev/provenance/v1");
    let deps = &v["predicate"]["buildDefinition"]["resolvedDependencies"];
    assert_eq!(deps[0]["digest"]["gitCommit"], f.repo.commit.as_str());
    assert_eq!(deps[1]["uri"], "packaging/toolchain.lock");
    assert!(
        v["subject"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["name"] == f.deb_name())
    );
}
