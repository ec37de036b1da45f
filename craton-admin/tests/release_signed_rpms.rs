//! Signed rpms, as a publisher makes them for dnf's gpgcheck (gpg + `rpmsign --addsign`),
//! checked by `craton-admin verify-release --signed-rpms DIR --rpm-keyring FILE` against the
//! release's unsigned, reproducible rpm: a good copy passes; an unsigned copy, a copy signed by
//! a key outside the keyring, another package signed by the right key, a missing copy and a
//! stray rpm fail, naming the file and what differs.

mod release;

use release::Fixture;
use std::path::Path;
use std::process::Command;

/// A throw-away gpg home with one signing key per uid; returns the uids' armored public keys.
struct Gpg {
    home: tempfile::TempDir,
}

impl Gpg {
    fn new(uids: &[&str]) -> Gpg {
        let home = tempfile::tempdir().unwrap();
        let g = Gpg { home };
        for uid in uids {
            g.run(&[
                "--passphrase",
                "",
                "--quick-gen-key",
                uid,
                "ed25519",
                "sign",
                "never",
            ]);
        }
        g
    }

    fn run(&self, args: &[&str]) -> Vec<u8> {
        self.tool(
            "gpg",
            Command::new("gpg").args(["--batch", "--quiet"]).args(args),
        )
    }

    /// Runs `cmd` with this gpg home; panics with its stderr unless it succeeds.
    fn tool(&self, what: &str, cmd: &mut Command) -> Vec<u8> {
        let o = cmd
            .env("GNUPGHOME", self.home.path())
            .output()
            .unwrap_or_else(|e| panic!("{what} (Debian gnupg, rpm) is needed: {e}"));
        assert!(
            o.status.success(),
            "{what}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        o.stdout
    }

    fn export(&self, uid: &str, to: &Path) -> String {
        std::fs::write(to, self.run(&["--armor", "--export", uid])).unwrap();
        to.to_string_lossy().into_owned()
    }

    /// What publishers run: rpmsign with gpg as its signer.
    fn rpmsign(&self, uid: &str, rpm: &Path) {
        let gpg = String::from_utf8(
            Command::new("sh")
                .args(["-c", "command -v gpg"])
                .output()
                .unwrap()
                .stdout,
        )
        .unwrap();
        self.tool(
            "rpmsign",
            Command::new("rpmsign")
                .args(["--define", &format!("_gpg_name {uid}")])
                .args(["--define", &format!("__gpg {}", gpg.trim())])
                .arg("--addsign")
                .arg(rpm),
        );
    }
}

const PUBLISHER: &str = "rpm-signer@craton-hsm.invalid";
const STRANGER: &str = "stranger@craton-hsm.invalid";

#[test]
fn signed_rpms_are_the_released_rpms_plus_a_signature() {
    let f = Fixture::new("default");
    let gpg = Gpg::new(&[PUBLISHER, STRANGER]);
    let keys = tempfile::tempdir().unwrap();
    let ring = gpg.export(PUBLISHER, &keys.path().join("rpm-key.asc"));
    let rel = tempfile::tempdir().unwrap();
    f.write(rel.path(), &f.deb_payload(), &f.rpm_payload());
    let rpm = f.rpm_name();
    let released = rel.path().join(&rpm);

    // Each case: a directory of signed copies, made by `prepare`, and what verify-release says.
    let check = |prepare: &dyn Fn(&Path)| {
        let d = tempfile::tempdir().unwrap();
        prepare(d.path());
        let dir = d.path().to_string_lossy().into_owned();
        f.verify(rel.path(), &["--signed-rpms", &dir, "--rpm-keyring", &ring])
    };
    let copy = |d: &Path| {
        std::fs::copy(&released, d.join(&rpm)).unwrap();
        d.join(&rpm)
    };

    let (ok, out) = check(&|d| gpg.rpmsign(PUBLISHER, &copy(d)));
    assert!(ok, "{out}");
    assert!(
        out.contains(&format!(
            "/{rpm}: the released {rpm} plus a good header signature by"
        )),
        "{out}"
    );
    // rpm's own check of the same copy agrees (the key imported into a scratch database).
    let db = tempfile::tempdir().unwrap();
    let d = tempfile::tempdir().unwrap();
    gpg.rpmsign(PUBLISHER, &copy(d.path()));
    let rpmdb = ["--dbpath", db.path().to_str().unwrap()];
    assert!(
        Command::new("rpm")
            .args(rpmdb)
            .args(["--import", &ring])
            .status()
            .unwrap()
            .success()
    );
    let k = Command::new("rpm")
        .args(rpmdb)
        .arg("-K")
        .arg(d.path().join(&rpm))
        .output()
        .unwrap();
    assert!(k.status.success(), "{}", String::from_utf8_lossy(&k.stdout));

    let (ok, out) = check(&|d| {
        copy(d);
    });
    assert!(
        !ok && out.contains("not signed: no OpenPGP header signature"),
        "{out}"
    );

    let (ok, out) = check(&|d| gpg.rpmsign(STRANGER, &copy(d)));
    assert!(!ok && out.contains("signed by an unknown key"), "{out}");

    // The right key over other bytes: a package with one more file, signed by the publisher.
    let (ok, out) = check(&|d| {
        let mut other = f.rpm_payload();
        other
            .files
            .push(("/usr/share/doc/extra".into(), 0o644, b"extra".to_vec()));
        std::fs::write(d.join(&rpm), release::build_rpm(&other)).unwrap();
        gpg.rpmsign(PUBLISHER, &d.join(&rpm));
    });
    assert!(
        !ok && out.contains("header or payload differs from the released package's"),
        "{out}"
    );

    let (ok, out) = check(&|_| {});
    assert!(
        !ok && out.contains(&format!("{rpm}: no signed copy in")),
        "{out}"
    );

    let (ok, out) = check(&|d| {
        gpg.rpmsign(PUBLISHER, &copy(d));
        std::fs::copy(d.join(&rpm), d.join("stray-1.0-1.x86_64.rpm")).unwrap();
    });
    assert!(
        !ok && out.contains("stray-1.0-1.x86_64.rpm: not an rpm of the release"),
        "{out}"
    );
}
