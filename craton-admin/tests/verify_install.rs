//! `craton-admin verify-install` on a root where dpkg installed a synthetic release's deb (and
//! rpm installed its rpm): passes as installed; fails after one byte of the installed library,
//! its .hmac or the p11-kit module file changes, and when a p11-kit registration loads a library
//! that is not the released one.

mod release;

use release::{ADMIN, Fixture};
use std::path::Path;
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(cmd: &mut Command) {
    let o = cmd.output().unwrap();
    assert!(
        o.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
}

fn verify_install(root: &Path, rel: &Path) -> (bool, String) {
    let o = Command::new(ADMIN)
        .args(["verify-install", "--release"])
        .arg(rel)
        .arg("--root")
        .arg(root)
        .output()
        .unwrap();
    (
        o.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        ),
    )
}

fn flip_last_byte(p: &Path) {
    let mut b = std::fs::read(p).unwrap();
    let n = b.len() - 2;
    b[n] ^= 1;
    std::fs::write(p, b).unwrap();
}

#[test]
fn deb_installation() {
    if !have("dpkg") {
        panic!("dpkg is needed for this test (apt-get install dpkg)");
    }
    let f = Fixture::new("default");
    let rel = tempfile::tempdir().unwrap();
    f.write(rel.path(), &f.deb_payload(), &f.rpm_payload());
    let fresh_root = || {
        let r = tempfile::tempdir().unwrap();
        let d = r.path().join("var/lib/dpkg");
        std::fs::create_dir_all(d.join("updates")).unwrap();
        std::fs::create_dir_all(d.join("info")).unwrap();
        std::fs::write(d.join("status"), "").unwrap();
        run(Command::new("dpkg")
            .arg(format!("--root={}", r.path().display()))
            .args(["--force-depends", "--force-not-root", "-i"])
            .arg(rel.path().join(f.deb_name())));
        r
    };

    let r = fresh_root();
    let (ok, out) = verify_install(r.path(), rel.path());
    assert!(ok, "{out}");
    assert!(
        out.contains("ok:   craton-hsm 0.1.0-1: every installed file is the release's"),
        "{out}"
    );
    assert!(
        out.contains("no p11-kit module file loads Craton HSM"),
        "{out}"
    );

    let lib = "usr/lib/x86_64-linux-gnu/pkcs11/libcraton_hsm.so";
    for (path, what) in [
        (lib, "libcraton_hsm.so: sha256"),
        (
            "usr/lib/x86_64-linux-gnu/pkcs11/libcraton_hsm.hmac",
            "libcraton_hsm.hmac: sha256",
        ),
        (
            "usr/share/craton-hsm/p11-kit/craton-hsm.module",
            "craton-hsm.module: sha256",
        ),
    ] {
        let r = fresh_root();
        flip_last_byte(&r.path().join(path));
        let (ok, out) = verify_install(r.path(), rel.path());
        assert!(!ok, "{path} changed but verify-install passed:\n{out}");
        assert!(
            out.contains(&format!(
                "FAIL: craton-hsm 0.1.0-1: /{}",
                path.rsplit_once('/').unwrap().0
            )) && out.contains(what),
            "{path}: {out}"
        );
    }

    // A p11-kit registration that loads another library.
    let r = fresh_root();
    let m = r.path().join("etc/pkcs11/modules");
    std::fs::create_dir_all(&m).unwrap();
    std::fs::write(
        m.join("craton-hsm.module"),
        "module: /opt/evil/libcraton_hsm.so\n",
    )
    .unwrap();
    let (ok, out) = verify_install(r.path(), rel.path());
    assert!(!ok, "{out}");
    assert!(out.contains("FAIL: /etc/pkcs11/modules/craton-hsm.module: loads /opt/evil/libcraton_hsm.so, which is not the installed released library"), "{out}");
    // ... and one that loads the released library (the documented opt-in) passes.
    std::fs::write(m.join("craton-hsm.module"), format!("module: /{lib}\n")).unwrap();
    let (ok, out) = verify_install(r.path(), rel.path());
    assert!(ok, "{out}");
    assert!(out.contains("ok:   /etc/pkcs11/modules/craton-hsm.module: loads /usr/lib/x86_64-linux-gnu/pkcs11/libcraton_hsm.so"), "{out}");

    // The other variant's release does not describe this host.
    let fips = Fixture::new("fips");
    let frel = tempfile::tempdir().unwrap();
    fips.write(frel.path(), &fips.deb_payload(), &fips.rpm_payload());
    let r = fresh_root();
    let (ok, out) = verify_install(r.path(), frel.path());
    assert!(!ok, "{out}");
    assert!(
        out.contains("installed, but the release holds no such package"),
        "{out}"
    );

    // A release that does not verify is no reference.
    let r = fresh_root();
    std::fs::write(rel.path().join("extra"), "x").unwrap();
    let (ok, out) = verify_install(r.path(), rel.path());
    assert!(!ok);
    assert!(out.contains("does not verify"), "{out}");
}

#[test]
fn rpm_installation() {
    if !have("rpm") {
        panic!("rpm is needed for this test (apt-get install rpm)");
    }
    let f = Fixture::new("fips");
    let rel = tempfile::tempdir().unwrap();
    f.write(rel.path(), &f.deb_payload(), &f.rpm_payload());
    let r = tempfile::tempdir().unwrap();
    let rpm = |args: &[&str]| {
        let mut c = Command::new("rpm");
        c.args(["--dbpath", "/var/lib/rpm", "--root"])
            .arg(r.path())
            .args(args);
        c
    };
    run(&mut rpm(&["--initdb"]));
    run(rpm(&["-i", "--nodeps"]).arg(rel.path().join(f.rpm_name())));
    let (ok, out) = verify_install(r.path(), rel.path());
    assert!(ok, "{out}");
    assert!(
        out.contains("ok:   craton-hsm-fips 0.1.0-1: every installed file is the release's"),
        "{out}"
    );
    flip_last_byte(&r.path().join("usr/lib64/pkcs11/libcraton_hsm.so"));
    let (ok, out) = verify_install(r.path(), rel.path());
    assert!(!ok, "{out}");
    assert!(
        out.contains("FAIL: craton-hsm-fips 0.1.0-1: /usr/lib64/pkcs11/libcraton_hsm.so: sha256"),
        "{out}"
    );
    // --json for the fleet's collectors.
    let o = Command::new(ADMIN)
        .args(["verify-install", "--json", "--release"])
        .arg(rel.path())
        .arg("--root")
        .arg(r.path())
        .output()
        .unwrap();
    assert!(!o.status.success());
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["ok"], false);
    assert!(v["failures"].as_u64().unwrap() >= 1);
}
