//! `craton-admin verify-release`: checks a release directory before deployment. Every package
//! is opened (deb, rpm, MSI) and must hold exactly what release.json declares, and what it
//! declares must fit the release policy compiled into this program; SHA256SUMS and release.json
//! must be signed by a key of the user's keyring; release.json must name the commit verified.

mod attest;
pub mod contents;
mod deb;
mod git;
pub mod install;

mod manifest;
mod msi;
pub mod openpgp;
mod pe;
mod policy;
mod report;
mod rpm;
mod signed_rpm;
mod sums;

pub use manifest::Release;
pub use report::Report;

use contents::{Format, Package, sha256_hex};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const HMAC_KEY: &[u8; 32] = b"craton-hsm module integrity v1!!";

/// Options of `verify-release`.
#[derive(clap::Args, Debug, Clone)]
pub struct VerifyReleaseArgs {
    /// The release directory (as tools/release.sh made it, e.g. dist/fips).
    pub dir: PathBuf,
    /// OpenPGP public keys (armored or binary) whose signatures of SHA256SUMS and release.json
    /// (SHA256SUMS.asc, release.json.asc) are accepted.
    #[arg(long, value_name = "FILE")]
    pub keyring: Option<PathBuf>,
    /// The commit release.json must name (default: HEAD of --repo, if it is a git checkout).
    #[arg(long, value_name = "SHA")]
    pub commit: Option<String>,
    /// The git checkout holding the release's commit: its sources, lock and version are
    /// compared with the release (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub repo: Option<PathBuf>,
    /// Report a recorded build environment that differs from the commit's lock as a warning.
    #[arg(long)]
    pub allow_toolchain_mismatch: bool,
    /// Independent rebuilders' signed provenance statements (NAME.intoto.json + NAME.intoto.json.asc).
    #[arg(long, value_name = "DIR", requires = "attestation_policy")]
    pub attestations: Option<PathBuf>,
    /// The K-of-N policy (TOML: threshold, [[builder]] id and key) the attestations must meet.
    #[arg(long, value_name = "FILE", requires = "attestations")]
    pub attestation_policy: Option<PathBuf>,
    /// Signed copies of the release's rpms (rpmsign --addsign, for dnf's gpgcheck): each must
    /// be the released rpm byte for byte except its signature header, signed by a key of
    /// --rpm-keyring, and every release rpm must have its copy here.
    #[arg(long, value_name = "DIR")]
    pub signed_rpms: Option<PathBuf>,
    /// The keys accepted for the rpms' header signatures (default: --keyring).
    #[arg(long, value_name = "FILE", requires = "signed_rpms")]
    pub rpm_keyring: Option<PathBuf>,
    /// One JSON object on stdout instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// `craton-admin verify-release`.
pub fn verify_release_cmd(args: &VerifyReleaseArgs) -> std::process::ExitCode {
    let (report, _) = verify_release(args);
    report.print(
        args.json,
        &format!("{}", args.dir.display()),
        "verify-release",
    )
}

/// `craton-admin release-provenance DIR --builder-id ID`: the release's in-toto statement.
pub fn provenance_cmd(dir: &Path, builder_id: &str) -> Result<String, String> {
    attest::provenance_cmd(dir, builder_id)
}

/// Reads the package at `path` (by its extension) into its contents.
pub fn read_package(name: &str, bytes: &[u8]) -> Result<Package, String> {
    match Format::of_file(name) {
        Some(Format::Deb) => deb::read(name, bytes),
        Some(Format::Rpm) => rpm::read(name, bytes),
        Some(Format::Msi) => msi::read(name, bytes),
        None => Err("not a .deb, .rpm or .msi".into()),
    }
}

/// `craton-admin release-contents PKG...`: the contents of packages as release.json declares
/// them (the build's release step writes them with this).
pub fn contents_cmd(files: &[PathBuf]) -> Result<String, String> {
    let mut out = Vec::new();
    for f in files {
        let name = f
            .file_name()
            .and_then(|n| n.to_str())
            .ok_or_else(|| format!("{}: no file name", f.display()))?;
        let bytes = fs::read(f).map_err(|e| format!("{}: {e}", f.display()))?;
        out.push(read_package(name, &bytes).map_err(|e| format!("{name}: {e}"))?);
    }
    serde_json::to_string_pretty(&out).map_err(|e| e.to_string())
}

pub fn hmac_hex(data: &[u8]) -> String {
    use hmac::{KeyInit, Mac};
    let mut m =
        <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(HMAC_KEY).expect("any key length");
    m.update(data);
    hex::encode(m.finalize().into_bytes())
}

/// Runs every check; returns the report and, when release.json parsed, the release.
pub fn verify_release(args: &VerifyReleaseArgs) -> (Report, Option<Release>) {
    let mut r = Report::default();
    let dir = &args.dir;
    let pol = policy::load();

    // ---- the directory: regular files only ------------------------------------------------
    let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            r.fail(
                &dir.display().to_string(),
                format!("cannot read the directory: {e}"),
            );
            return (r, None);
        }
    };
    let mut bad_entries = 0;
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Ok(meta) = fs::symlink_metadata(e.path()) else {
            continue;
        };
        if meta.file_type().is_symlink() {
            let to = fs::read_link(e.path())
                .map(|p| p.display().to_string())
                .unwrap_or_default();
            r.fail(
                &name,
                format!("is a symlink (-> {to}): a release holds regular files only"),
            );
            bad_entries += 1;
        } else if meta.is_dir() {
            r.fail(
                &name,
                "is a subdirectory: a release holds regular files only",
            );
            bad_entries += 1;
        } else if !meta.is_file() {
            r.fail(&name, "is not a regular file");
            bad_entries += 1;
        } else {
            match fs::read(e.path()) {
                Ok(b) => {
                    files.insert(name, b);
                }
                Err(err) => r.fail(&name, format!("cannot read: {err}")),
            }
        }
    }
    if bad_entries == 0 {
        r.ok(
            "release directory",
            format!(
                "{} regular files, no symlinks or subdirectories",
                files.len()
            ),
        );
    }

    // ---- signatures --------------------------------------------------------------------------
    match &args.keyring {
        Some(k) => match openpgp::Keyring::load(k) {
            Ok(ring) => {
                for signed in ["SHA256SUMS", "release.json"] {
                    let asc = format!("{signed}.asc");
                    match (files.get(signed), files.get(&asc)) {
                        (Some(data), Some(sig)) => match ring.verify(data, sig) {
                            Ok(who) => r.ok(&asc, format!("good signature of {signed} by {who}")),
                            Err(e) => r.fail(&asc, format!("{signed}: {e}")),
                        },
                        (_, None) => r.fail(&asc, format!("missing: {signed} is not signed")),
                        (None, _) => {}
                    }
                }
            }
            Err(e) => r.fail("keyring", format!("{}: {e}", k.display())),
        },
        None => r.warn(
            "signatures",
            "not checked: give --keyring with the publisher's OpenPGP key",
        ),
    }

    // ---- SHA256SUMS ----------------------------------------------------------------------------
    let unsummed = |n: &str| n == "SHA256SUMS" || n.ends_with(".asc");
    match files.get("SHA256SUMS") {
        None => r.fail("SHA256SUMS", "missing"),
        Some(text) => {
            match sums::parse(text) {
                Err(errs) => {
                    for e in errs {
                        r.fail("SHA256SUMS", e);
                    }
                }
                Ok(list) => {
                    let mut good = 0;
                    for (name, want) in &list {
                        if unsummed(name) {
                            r.fail("SHA256SUMS", format!("lists {name}, which it cannot cover"));
                            continue;
                        }
                        match files.get(name) {
                        None => r.fail(name, "listed in SHA256SUMS but missing"),
                        Some(b) if &sha256_hex(b) != want => r.fail(
                            name,
                            format!("SHA-256 does not match SHA256SUMS (listed {want}, file has {})", sha256_hex(b)),
                        ),
                        Some(_) => good += 1,
                    }
                    }
                    for name in files.keys() {
                        if !unsummed(name) && !list.iter().any(|(n, _)| n == name) {
                            r.fail(name, "present in the release but not listed in SHA256SUMS");
                        }
                    }
                    r.ok("SHA256SUMS", format!("{good} files match"));
                }
            }
        }
    }

    // ---- release.json ----------------------------------------------------------------------------
    let release: Release = match files.get("release.json").map(|b| serde_json::from_slice(b)) {
        None => {
            r.fail("release.json", "missing");
            return (r, None);
        }
        Some(Err(e)) => {
            r.fail(
                "release.json",
                format!("not a release manifest this verifier knows: {e}"),
            );
            return (r, None);
        }
        Some(Ok(m)) => m,
    };
    r.note(format!(
        "{} {}, variant {}, commit {}",
        release.name, release.version, release.variant, release.commit
    ));
    let repo = git::Repo::at(args.repo.clone().unwrap_or_else(|| PathBuf::from(".")));
    manifest::check(&release, &pol, &files, repo.as_ref(), args, &mut r);

    // ---- sidecars, DLL, SBOM ---------------------------------------------------------------------
    for (name, bytes) in &files {
        let Some(stem) = name
            .strip_suffix(".so")
            .or_else(|| name.strip_suffix(".dll"))
        else {
            continue;
        };
        let side = format!("{stem}.hmac");
        match files.get(&side) {
            None => r.fail(name, format!("no {side} sidecar in the release")),
            Some(s) if s == format!("{}\n", hmac_hex(bytes)).as_bytes() => {
                r.ok(name, format!("{side} matches"))
            }
            Some(s) => r.fail(
                name,
                format!(
                    "{side} does not match (expected {}, the sidecar holds {})",
                    hmac_hex(bytes),
                    String::from_utf8_lossy(&s[..s.len().min(64)])
                ),
            ),
        }
    }
    for name in files.keys().filter(|n| n.ends_with(".hmac")) {
        let stem = name.trim_end_matches(".hmac");
        if !files.contains_key(&format!("{stem}.so")) && !files.contains_key(&format!("{stem}.dll"))
        {
            r.fail(
                name,
                format!("no library {stem}.so or {stem}.dll next to it"),
            );
        }
    }
    if let Some(dll) = files.get("craton_hsm.dll") {
        match pe::check_module_dll(dll) {
            Ok(()) => r.ok(
                "craton_hsm.dll",
                "an x86-64 PE DLL exporting C_GetFunctionList",
            ),
            Err(e) => r.fail("craton_hsm.dll", e),
        }
    }
    manifest::check_sbom(&release, &files, &mut r);

    // ---- packages ----------------------------------------------------------------------------------
    let artifacts: BTreeMap<String, String> = files
        .iter()
        .filter(|(n, _)| !unsummed(n) && n.as_str() != "release.json")
        .map(|(n, b)| (n.clone(), sha256_hex(b)))
        .collect();
    let commit = release.commit.clone();
    let source = |path: &str| repo.as_ref().and_then(|g| g.show(&commit, path));
    if repo.as_ref().is_none_or(|g| !g.has_commit(&commit)) {
        r.warn(
            "sources",
            "the release's commit is not in the repository: packaged configuration and documents are not compared with it",
        );
    }
    let mut declared: BTreeMap<&str, &Package> = BTreeMap::new();
    for p in &release.packages {
        if declared.insert(p.file.as_str(), p).is_some() {
            r.fail("release.json", format!("declares package {} twice", p.file));
        }
    }
    for (name, bytes) in &files {
        if Format::of_file(name).is_none() {
            continue;
        }
        let found = match read_package(name, bytes) {
            Ok(p) => p,
            Err(e) => {
                r.fail(name, e);
                continue;
            }
        };
        let Some(decl) = declared.remove(name.as_str()) else {
            r.fail(name, "a package release.json does not declare");
            continue;
        };
        let diffs = contents::differences(decl, &found);
        if diffs.is_empty() {
            r.ok(
                name,
                format!(
                    "holds exactly what release.json declares ({} paths, {} scripts)",
                    found.files.len(),
                    found.scripts.len()
                ),
            );
        }
        for d in diffs {
            r.fail(name, d);
        }
        let cx = policy::Context {
            variant: &release.variant,
            version: &release.version,
            artifacts: &artifacts,
            source: &source,
        };
        let breaches = pol.check(&found, &cx);
        if breaches.is_empty() {
            r.ok(
                name,
                "fits the release policy (paths, modes, owners, contents, relations, no scripts)",
            );
        }
        for b in breaches {
            r.fail(name, b);
        }
    }
    for missing in declared.keys() {
        r.fail(missing, "declared in release.json but missing");
    }
    if let (Some(p), Some(d)) = (&args.attestation_policy, &args.attestations) {
        attest::check(p, d, &files, &mut r);
    }
    if let Some(d) = &args.signed_rpms {
        match args.rpm_keyring.as_ref().or(args.keyring.as_ref()) {
            None => r.fail(
                "signed rpms",
                "give --rpm-keyring (or --keyring) with the keys that sign the rpms",
            ),
            Some(k) => match openpgp::Keyring::load(k) {
                Ok(ring) => signed_rpm::check_dir(d, &ring, &files, &mut r),
                Err(e) => r.fail("rpm keyring", format!("{}: {e}", k.display())),
            },
        }
    }

    (r, Some(release))
}

/// The file name part of a path, for messages.
pub fn base(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}
