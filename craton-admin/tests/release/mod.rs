//! Small synthetic releases for the verifier's tests: real debs (ar + tar + xz), real rpms
//! (the rpm crate's builder), release.json written by `craton-admin release-contents` as the
//! build does, SHA256SUMS, and a git checkout holding the commit they name. No release build.

#![allow(dead_code)]

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::process::Command;

pub const ADMIN: &str = env!("CARGO_BIN_EXE_craton-admin");
pub const VERSION: &str = "0.1.0";
const LIBDIR_DEB: &str = "/usr/lib/x86_64-linux-gnu/pkcs11";
const LIBDIR_RPM: &str = "/usr/lib64/pkcs11";

pub fn sha256(b: &[u8]) -> String {
    hex::encode(Sha256::digest(b))
}

pub fn hmac(b: &[u8]) -> String {
    let mut m =
        <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(b"craton-hsm module integrity v1!!")
            .unwrap();
    m.update(b);
    format!("{}\n", hex::encode(m.finalize().into_bytes()))
}

/// A checkout with the files the policy compares packages with, one commit.
pub struct Repo {
    pub dir: tempfile::TempDir,
    pub commit: String,
    pub time: i64,
}

pub const CONFIG: &str = "# craton_hsm.toml\n#[algorithms]\n";
pub const CONFIG_FIPS: &str = "[algorithms]\nfips_approved_only = true\n";
pub const MODULE_IN: &str = "# p11-kit module\nmodule: @LIBPATH@\n";

fn git(dir: &Path, args: &[&str]) -> String {
    let o = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout).trim().to_string()
}

impl Repo {
    pub fn new() -> Repo {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        for (p, c) in [
            (
                "Cargo.toml",
                format!("[workspace.package]\nversion = \"{VERSION}\"\n"),
            ),
            ("packaging/craton_hsm.toml", CONFIG.to_string()),
            ("packaging/craton_hsm-fips.toml", CONFIG_FIPS.to_string()),
            ("packaging/copyright", "Apache-2.0\n".to_string()),
            (
                "packaging/p11-kit/craton-hsm.module.in",
                MODULE_IN.to_string(),
            ),
        ] {
            std::fs::create_dir_all(d.join(p).parent().unwrap()).unwrap();
            std::fs::write(d.join(p), c).unwrap();
        }
        git(d, &["init", "-q"]);
        git(d, &["add", "."]);
        git(
            d,
            &[
                "-c",
                "user.name=t",
                "-c",
                "user.email=t@t",
                "commit",
                "-q",
                "-m",
                "release",
            ],
        );
        let commit = git(d, &["rev-parse", "HEAD"]);
        let time = git(d, &["show", "-s", "--format=%ct", "HEAD"])
            .parse()
            .unwrap();
        Repo { dir, commit, time }
    }
}

/// What a package holds, before it is packed; tests change it to play the attacker.
#[derive(Clone)]
pub struct Payload {
    pub package: String,
    pub other: String,
    /// (path, mode, content): files; directories are derived (deb) or listed (rpm).
    pub files: Vec<(String, u32, Vec<u8>)>,
    pub depends: Vec<String>,
    /// Extra deb control members / rpm scriptlets: (name, body).
    pub scripts: Vec<(String, String)>,
}

pub struct Fixture {
    pub repo: Repo,
    pub lib: Vec<u8>,
    pub sbom_name: String,
    pub sbom: Vec<u8>,
    pub variant: String,
}

impl Fixture {
    pub fn new(variant: &str) -> Fixture {
        let repo = Repo::new();
        let lib: Vec<u8> = format!("\x7fELF synthetic craton module {variant}").into_bytes();
        let sbom_name = format!("craton-hsm-{VERSION}-{variant}.cdx.json");
        let sbom = serde_json::to_vec_pretty(&serde_json::json!({
            "bomFormat": "CycloneDX",
            "components": [{"name": if variant == "fips" { "aws-lc-fips-sys" } else { "sha2" }}],
            "metadata": {"properties": [
                {"name": "craton:library-sha256", "value": sha256(&lib)},
                {"name": "craton:commit", "value": repo.commit},
            ]},
        }))
        .unwrap();
        Fixture {
            repo,
            lib,
            sbom_name,
            sbom,
            variant: variant.into(),
        }
    }

    pub fn payload(&self, libdir: &str) -> Payload {
        let (package, other) = if self.variant == "fips" {
            ("craton-hsm-fips", "craton-hsm")
        } else {
            ("craton-hsm", "craton-hsm-fips")
        };
        let doc = format!("/usr/share/doc/{package}");
        Payload {
            package: package.into(),
            other: other.into(),
            files: vec![
                (
                    format!("{libdir}/libcraton_hsm.so"),
                    0o644,
                    self.lib.clone(),
                ),
                (
                    format!("{libdir}/libcraton_hsm.hmac"),
                    0o644,
                    hmac(&self.lib).into_bytes(),
                ),
                (
                    "/usr/share/craton-hsm/p11-kit/craton-hsm.module".into(),
                    0o644,
                    MODULE_IN
                        .replace("@LIBPATH@", &format!("{libdir}/libcraton_hsm.so"))
                        .into_bytes(),
                ),
                (
                    "/etc/craton-hsm/craton_hsm.toml".into(),
                    0o644,
                    if self.variant == "fips" {
                        CONFIG_FIPS
                    } else {
                        CONFIG
                    }
                    .as_bytes()
                    .to_vec(),
                ),
                (format!("{doc}/copyright"), 0o644, b"Apache-2.0\n".to_vec()),
                (
                    format!("{doc}/{}", self.sbom_name),
                    0o644,
                    self.sbom.clone(),
                ),
            ],
            depends: vec!["libc6 (>= 2.34)".into(), "libgcc-s1 (>= 3.0)".into()],
            scripts: vec![],
        }
    }

    pub fn deb_payload(&self) -> Payload {
        self.payload(LIBDIR_DEB)
    }
    pub fn rpm_payload(&self) -> Payload {
        let mut p = self.payload(LIBDIR_RPM);
        p.depends = vec!["libc.so.6()(64bit)".into(), "libgcc_s.so.1()(64bit)".into()];
        p
    }

    pub fn deb_name(&self) -> String {
        let p = if self.variant == "fips" {
            "craton-hsm-fips"
        } else {
            "craton-hsm"
        };
        format!("{p}_{VERSION}-1_amd64.deb")
    }
    pub fn rpm_name(&self) -> String {
        let p = if self.variant == "fips" {
            "craton-hsm-fips"
        } else {
            "craton-hsm"
        };
        format!("{p}-{VERSION}-1.x86_64.rpm")
    }

    /// A complete, consistent release in `dir` from these payloads.
    pub fn write(&self, dir: &Path, deb: &Payload, rpm: &Payload) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("libcraton_hsm.so"), &self.lib).unwrap();
        std::fs::write(dir.join("libcraton_hsm.hmac"), hmac(&self.lib)).unwrap();
        std::fs::write(dir.join(&self.sbom_name), &self.sbom).unwrap();
        std::fs::write(dir.join(self.deb_name()), build_deb(deb)).unwrap();
        std::fs::write(dir.join(self.rpm_name()), build_rpm(rpm)).unwrap();
        self.reseal(dir);
    }

    /// What a consistent attacker does after changing anything: release.json's package
    /// contents and artifact hashes and SHA256SUMS written again to match.
    pub fn reseal(&self, dir: &Path) {
        reseal(dir, &self.variant, &self.repo.commit, self.repo.time);
    }

    pub fn verify(&self, dir: &Path, extra: &[&str]) -> (bool, String) {
        let o = Command::new(ADMIN)
            .arg("verify-release")
            .arg(dir)
            .arg("--repo")
            .arg(self.repo.dir.path())
            .args(extra)
            .output()
            .unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        (o.status.success(), text)
    }
}

pub fn reseal(dir: &Path, variant: &str, commit: &str, time: i64) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let pkgs: Vec<PathBuf> = names
        .iter()
        .filter(|n| n.ends_with(".deb") || n.ends_with(".rpm") || n.ends_with(".msi"))
        .map(|n| dir.join(n))
        .collect();
    let o = Command::new(ADMIN)
        .arg("release-contents")
        .args(&pkgs)
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "release-contents: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let packages: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let artifacts: Vec<serde_json::Value> = names
        .iter()
        .filter(|n| *n != "SHA256SUMS" && *n != "release.json" && !n.ends_with(".asc"))
        .map(|n| {
            let b = std::fs::read(dir.join(n)).unwrap();
            serde_json::json!({"file": n, "sha256": sha256(&b), "size": b.len()})
        })
        .collect();
    let has_dll = names.iter().any(|n| n == "craton_hsm.dll");
    let release = serde_json::json!({
        "format": "craton-hsm-release/3",
        "name": "craton-hsm",
        "version": VERSION,
        "variant": variant,
        "cargo_features": if variant == "fips" { "--no-default-features --features awslc-backend" } else { "default" },
        "commit": commit,
        "source_date_epoch": time,
        "target": "x86_64-unknown-linux-gnu",
        "reproducible": true,
        "toolchain": {"lock_sha256": "synthetic"},
        "windows": if has_dll { serde_json::json!({"dll": "craton_hsm.dll", "built_here": false}) } else { serde_json::Value::Null },
        "artifacts": artifacts,
        "packages": packages,
    });
    std::fs::write(
        dir.join("release.json"),
        serde_json::to_string_pretty(&release).unwrap() + "\n",
    )
    .unwrap();
    write_sums(dir);
}

pub fn write_sums(dir: &Path) {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "SHA256SUMS" && !n.ends_with(".asc"))
        .collect();
    names.sort();
    let text: String = names
        .iter()
        .map(|n| format!("{}  {n}\n", sha256(&std::fs::read(dir.join(n)).unwrap())))
        .collect();
    std::fs::write(dir.join("SHA256SUMS"), text).unwrap();
}

fn parents(files: &[(String, u32, Vec<u8>)]) -> Vec<String> {
    let mut dirs = std::collections::BTreeSet::new();
    for (p, _, _) in files {
        let mut cur = Path::new(p).parent();
        while let Some(d) = cur {
            if d != Path::new("/") {
                dirs.insert(d.to_string_lossy().into_owned());
            }
            cur = d.parent();
        }
    }
    dirs.into_iter().collect()
}

fn tar_of(entries: &[(String, Option<u32>, Vec<u8>)]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, mode, data) in entries {
        let mut h = tar::Header::new_gnu();
        match mode {
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
            }
            Some(m) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(*m);
                h.set_size(data.len() as u64);
            }
        }
        h.set_uid(0);
        h.set_gid(0);
        h.set_username("root").unwrap();
        h.set_groupname("root").unwrap();
        h.set_mtime(1_700_000_000);
        b.append_data(&mut h, path, data.as_slice()).unwrap();
    }
    b.into_inner().unwrap()
}

fn xz(data: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut e = liblzma::write::XzEncoder::new(Vec::new(), 6);
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

pub fn build_deb(p: &Payload) -> Vec<u8> {
    use md5::Digest as _;
    let mut data = vec![("./".to_string(), None, Vec::new())];
    for d in parents(&p.files) {
        data.push((format!(".{d}/"), None, Vec::new()));
    }
    let mut sums = String::new();
    for (path, mode, content) in &p.files {
        data.push((format!(".{path}"), Some(*mode), content.clone()));
        if !path.starts_with("/etc/") {
            sums.push_str(&format!(
                "{}  {}\n",
                hex::encode(md5::Md5::digest(content)),
                &path[1..]
            ));
        }
    }
    data.sort_by(|a, b| a.0.cmp(&b.0));
    let control = format!(
        "Package: {}\nVersion: {VERSION}-1\nArchitecture: amd64\nMaintainer: t <t@t>\n\
         Installed-Size: 10\nDepends: {}\nSuggests: opensc, p11-kit\nConflicts: {o}\nReplaces: {o}\n\
         Provides: craton-hsm-module (= {VERSION}-1)\nSection: libs\nPriority: optional\n\
         Description: synthetic\n test package\n",
        p.package,
        p.depends.join(", "),
        o = p.other
    );
    let mut ctl = vec![
        ("./".to_string(), None, Vec::new()),
        ("./control".to_string(), Some(0o644), control.into_bytes()),
        ("./md5sums".to_string(), Some(0o644), sums.into_bytes()),
        (
            "./conffiles".to_string(),
            Some(0o644),
            b"/etc/craton-hsm/craton_hsm.toml\n".to_vec(),
        ),
    ];
    for (name, body) in &p.scripts {
        ctl.push((format!("./{name}"), Some(0o755), body.clone().into_bytes()));
    }
    let mut out = Vec::new();
    {
        let mut a = ar::Builder::new(&mut out);
        for (name, bytes) in [
            ("debian-binary", b"2.0\n".to_vec()),
            ("control.tar.xz", xz(&tar_of(&ctl))),
            ("data.tar.xz", xz(&tar_of(&data))),
        ] {
            let h = ar::Header::new(name.as_bytes().to_vec(), bytes.len() as u64);
            a.append(&h, bytes.as_slice()).unwrap();
        }
    }
    out
}

pub fn build_rpm(p: &Payload) -> Vec<u8> {
    let mut b = rpm::PackageBuilder::new(&p.package, VERSION, "Apache-2.0", "x86_64", "synthetic");
    b.release("1").description("test package");
    b.conflicts(rpm::Dependency::any(&p.other));
    b.provides(rpm::Dependency::eq(
        "craton-hsm-module",
        format!("{VERSION}-1"),
    ));
    for d in &p.depends {
        b.requires(rpm::Dependency::any(d));
    }
    b.with_dir_entry(rpm::FileOptions::dir("/etc/craton-hsm").permissions(0o755))
        .unwrap();
    b.with_dir_entry(
        rpm::FileOptions::dir(format!("/usr/share/doc/{}", p.package)).permissions(0o755),
    )
    .unwrap();
    for (path, mode, content) in &p.files {
        b.with_file_contents(
            content.clone(),
            rpm::FileOptions::new(path).permissions(*mode as u16),
        )
        .unwrap();
    }
    for (name, body) in &p.scripts {
        match name.as_str() {
            "post" => b.post_install_script(body.as_str()),
            "pre" => b.pre_install_script(body.as_str()),
            other => panic!("no rpm scriptlet {other} in the fixture"),
        };
    }
    let pkg = b.build().unwrap();
    let mut out = Vec::new();
    pkg.write(&mut out).unwrap();
    out
}
