//! `craton-admin verify-install --release DIR`: does this host run exactly the released bytes?
//! The release is verified first; then the package the host's package manager says is
//! installed (dpkg's status and file list, or `rpm -q`) must be one the release declares, every
//! file it installed must have the declared SHA-256, mode and owner, and every p11-kit module
//! file that loads a Craton HSM library must load the installed one and be the packaged file.

use super::contents::{Format, Kind, Package, sha256_hex};
use super::{Report, VerifyReleaseArgs, verify_release};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

#[derive(clap::Args, Debug, Clone)]
pub struct VerifyInstallArgs {
    /// The release directory the host must run (verified first, as verify-release does).
    #[arg(long, value_name = "DIR")]
    pub release: PathBuf,
    /// Check the installation under this root instead of / (dpkg --root / rpm --root).
    #[arg(long, value_name = "DIR", default_value = "/")]
    pub root: PathBuf,
    /// OpenPGP keys the release must be signed by (as for verify-release).
    #[arg(long, value_name = "FILE")]
    pub keyring: Option<PathBuf>,
    /// The commit the release must name (no default on a host: give it, or sign releases).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// One JSON object on stdout (for Ansible, Salt, ...).
    #[arg(long)]
    pub json: bool,
}

/// A Craton package the host's package manager reports as installed.
struct Installed {
    format: Format,
    name: String,
    version: String,
    /// The paths it installed, as the package manager lists them.
    paths: Vec<String>,
}

pub fn verify_install_cmd(args: &VerifyInstallArgs) -> ExitCode {
    let r = verify_install(args);
    r.print(
        args.json,
        &format!("installation under {}", args.root.display()),
        "verify-install",
    )
}

pub fn verify_install(args: &VerifyInstallArgs) -> Report {
    let rel_args = VerifyReleaseArgs {
        dir: args.release.clone(),
        keyring: args.keyring.clone(),
        commit: args.commit.clone(),
        // No checkout on a host: the commit is the one given, or the signed release's own.
        repo: Some(PathBuf::from("/nonexistent-craton-checkout")),
        allow_toolchain_mismatch: true,
        attestations: None,
        attestation_policy: None,
        signed_rpms: None,
        rpm_keyring: None,
        json: false,
    };
    let (rel_report, release) = verify_release(&rel_args);
    let mut r = Report::default();
    let Some(release) = release.filter(|_| rel_report.passed()) else {
        for l in rel_report.lines.iter().filter(|l| l.status == "fail") {
            r.fail("release", format!("{}: {}", l.subject, l.message));
        }
        r.fail(
            "release",
            format!(
                "{} does not verify: nothing to compare the host with",
                args.release.display()
            ),
        );
        return r;
    };
    r.ok(
        "release",
        format!(
            "{} verified: {} {} ({}), commit {}",
            args.release.display(),
            release.name,
            release.version,
            release.variant,
            release.commit
        ),
    );
    let root = &args.root;
    let names: Vec<&str> = release.packages.iter().map(|p| p.name.as_str()).collect();
    let mut installed = dpkg_installed(root, &["craton-hsm", "craton-hsm-fips"]);
    installed.extend(rpm_installed(root, &["craton-hsm", "craton-hsm-fips"]));
    if installed.is_empty() {
        r.fail("host", "no Craton HSM package is installed (dpkg, rpm)");
    }
    let mut libraries = Vec::new();
    for inst in &installed {
        let subject = format!("{} {}", inst.name, inst.version);
        let Some(pkg) = release
            .packages
            .iter()
            .find(|p| p.format == inst.format && p.name == inst.name)
        else {
            r.fail(&subject, format!("installed, but the release holds no such package (it holds {names:?}): another variant"));
            continue;
        };
        if pkg.version != inst.version {
            r.fail(
                &subject,
                format!(
                    "installed version {}, the release's {} is {}",
                    inst.version, pkg.file, pkg.version
                ),
            );
            continue;
        }
        check_files(root, pkg, inst, &subject, &mut r);
        libraries.extend(
            pkg.files
                .iter()
                .filter(|e| e.path.ends_with("/libcraton_hsm.so"))
                .map(|e| e.path.clone()),
        );
    }
    check_p11kit(root, &release.packages, &libraries, &mut r);
    r
}

fn under(root: &Path, p: &str) -> PathBuf {
    root.join(p.trim_start_matches('/'))
}

fn check_files(root: &Path, pkg: &Package, inst: &Installed, subject: &str, r: &mut Report) {
    let mut bad = 0;
    let declared: Vec<&str> = pkg.files.iter().map(|e| e.path.as_str()).collect();
    for p in &inst.paths {
        // dpkg lists "/." and every parent directory it touched.
        if p != "/."
            && !declared.contains(&p.as_str())
            && !pkg
                .files
                .iter()
                .any(|e| e.path.starts_with(&format!("{p}/")))
        {
            bad += 1;
            r.fail(
                subject,
                format!(
                    "{p}: installed by the package but not in the release's {}",
                    pkg.file
                ),
            );
        }
    }
    for e in &pkg.files {
        let at = under(root, &e.path);
        let meta = match std::fs::symlink_metadata(&at) {
            Ok(m) => m,
            Err(err) => {
                bad += 1;
                r.fail(subject, format!("{}: missing on the host ({err})", e.path));
                continue;
            }
        };
        match e.kind {
            Kind::Dir if !meta.is_dir() => {
                bad += 1;
                r.fail(subject, format!("{}: not a directory on the host", e.path));
            }
            Kind::File => {
                if !meta.file_type().is_file() {
                    bad += 1;
                    r.fail(
                        subject,
                        format!(
                            "{}: not a regular file on the host (a symlink or other)",
                            e.path
                        ),
                    );
                    continue;
                }
                let have = std::fs::read(&at)
                    .map(|b| sha256_hex(&b))
                    .unwrap_or_default();
                let want = e.sha256.as_deref().unwrap_or("");
                let mode = format!("{:04o}", meta.mode() & 0o7777);
                let conffile = e.path.starts_with("/etc/");
                if have != want {
                    if conffile {
                        r.warn(subject, format!("{}: configuration changed on the host (sha256 {have}, packaged {want})", e.path));
                    } else {
                        bad += 1;
                        r.fail(
                            subject,
                            format!(
                                "{}: sha256 {have}, the release's {} holds {want}",
                                e.path, pkg.file
                            ),
                        );
                    }
                }
                if mode != e.mode && !conffile {
                    bad += 1;
                    r.fail(
                        subject,
                        format!("{}: mode {mode}, the release says {}", e.path, e.mode),
                    );
                }
                if pkg.format != Format::Msi
                    && e.owner == "root:root"
                    && (meta.uid() != 0 || meta.gid() != 0)
                    && root == Path::new("/")
                {
                    bad += 1;
                    r.fail(
                        subject,
                        format!(
                            "{}: owned by {}:{}, not root",
                            e.path,
                            meta.uid(),
                            meta.gid()
                        ),
                    );
                }
            }
            _ => {}
        }
    }
    if bad == 0 {
        r.ok(
            subject,
            format!(
                "every installed file is the release's ({} paths of {})",
                pkg.files.len(),
                pkg.file
            ),
        );
    }
}

/// p11-kit module files (system and administrator directories): any that loads a Craton HSM
/// library must load an installed, released one, and a packaged one must be the released file.
fn check_p11kit(root: &Path, packages: &[Package], libraries: &[String], r: &mut Report) {
    let dirs = ["/usr/share/p11-kit/modules", "/etc/pkcs11/modules"];
    let mut seen = 0;
    for d in dirs {
        let Ok(rd) = std::fs::read_dir(under(root, d)) else {
            continue;
        };
        let mut files: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        files.sort();
        for f in files {
            if f.extension().is_none_or(|x| x != "module") {
                continue;
            }
            let text = std::fs::read(&f).unwrap_or_default();
            let text_s = String::from_utf8_lossy(&text);
            let Some(module) = text_s
                .lines()
                .filter_map(|l| l.trim().strip_prefix("module:"))
                .map(|m| m.trim().to_string())
                .next_back()
            else {
                continue;
            };
            let name = format!("{d}/{}", super::base(&f));
            let craton = module.contains("craton")
                || packages
                    .iter()
                    .any(|p| p.files.iter().any(|e| e.path == name));
            if !craton {
                continue;
            }
            seen += 1;
            // Relative module paths are resolved in p11-kit's module directory.
            let resolved = if module.starts_with('/') {
                module.clone()
            } else {
                format!("/usr/lib/x86_64-linux-gnu/pkcs11/{module}")
            };
            if libraries.contains(&resolved) {
                r.ok(
                    &name,
                    format!("loads {resolved}, the installed released library"),
                );
            } else {
                r.fail(
                    &name,
                    format!(
                        "loads {module}, which is not the installed released library ({})",
                        libraries.join(", ")
                    ),
                );
            }
            for p in packages {
                if let Some(e) = p.files.iter().find(|e| e.path == name) {
                    let have = sha256_hex(&text);
                    if e.sha256.as_deref() != Some(have.as_str()) {
                        r.fail(
                            &name,
                            format!(
                                "sha256 {have}, the release's {} holds {}",
                                p.file,
                                e.sha256.as_deref().unwrap_or("?")
                            ),
                        );
                    }
                }
            }
        }
    }
    if seen == 0 {
        r.ok(
            "p11-kit",
            "no p11-kit module file loads Craton HSM (applications name the module themselves)",
        );
    }
}

/// Installed packages from dpkg's own database (status file and the packages' file lists).
fn dpkg_installed(root: &Path, names: &[&str]) -> Vec<Installed> {
    let admin = under(root, "/var/lib/dpkg");
    let Ok(status) = std::fs::read_to_string(admin.join("status")) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for para in status.split("\n\n") {
        let field = |k: &str| {
            para.lines()
                .find_map(|l| l.strip_prefix(&format!("{k}: ")))
                .map(str::to_string)
        };
        let (Some(name), Some(version), Some(st)) =
            (field("Package"), field("Version"), field("Status"))
        else {
            continue;
        };
        if !names.contains(&name.as_str()) || !st.ends_with(" installed") {
            continue;
        }
        let arch = field("Architecture").unwrap_or_default();
        let list = std::fs::read_to_string(admin.join(format!("info/{name}.list")))
            .or_else(|_| std::fs::read_to_string(admin.join(format!("info/{name}:{arch}.list"))))
            .unwrap_or_default();
        out.push(Installed {
            format: Format::Deb,
            name,
            version,
            paths: list.lines().map(str::to_string).collect(),
        });
    }
    out
}

/// Installed packages from the rpm database, through rpm itself: /var/lib/rpm (where rpm
/// distributions keep it), else rpm's configured default (Debian's rpm and dnf use ~/.rpmdb).
fn rpm_installed(root: &Path, names: &[&str]) -> Vec<Installed> {
    for dbpath in [Some("/var/lib/rpm"), None] {
        let mut out = Vec::new();
        for n in names {
            let mut c = Command::new("rpm");
            if let Some(d) = dbpath {
                c.args(["--dbpath", d]);
            }
            let Ok(o) = c
                .arg("--root")
                .arg(root)
                .args(["-q", "--qf", "%{VERSION}-%{RELEASE}\\n[%{FILENAMES}\\n]", n])
                .output()
            else {
                return out;
            };
            if !o.status.success() {
                continue;
            }
            let text = String::from_utf8_lossy(&o.stdout);
            let mut lines = text.lines();
            let version = lines.next().unwrap_or_default().to_string();
            out.push(Installed {
                format: Format::Rpm,
                name: n.to_string(),
                version,
                paths: lines.map(str::to_string).collect(),
            });
        }
        if !out.is_empty() {
            return out;
        }
    }
    Vec::new()
}
