//! release.json: what the build says it made. Read strictly (an unknown or duplicated key is a
//! failure) and compared with the policy, the directory and, when the verifier has the
//! repository, the commit it names.

use super::contents::{Package, sha256_hex};
use super::git::Repo;
use super::policy::Policy;
use super::{Report, VerifyReleaseArgs};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct Artifact {
    pub file: String,
    pub sha256: String,
    pub size: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct Release {
    pub format: String,
    pub name: String,
    pub version: String,
    pub variant: String,
    pub cargo_features: String,
    pub commit: String,
    pub source_date_epoch: i64,
    pub target: String,
    pub reproducible: bool,
    pub toolchain: serde_json::Value,
    pub windows: Option<serde_json::Value>,
    pub artifacts: Vec<Artifact>,
    pub packages: Vec<Package>,
}

pub fn check(
    rel: &Release,
    pol: &Policy,
    files: &BTreeMap<String, Vec<u8>>,
    repo: Option<&Repo>,
    args: &VerifyReleaseArgs,
    r: &mut Report,
) {
    let s = "release.json";
    let before = r.failures();
    let fail = |r: &mut Report, m: String| r.fail(s, m);
    if rel.format != pol.release_format {
        fail(
            r,
            format!(
                "format \"{}\", this verifier reads \"{}\"",
                rel.format, pol.release_format
            ),
        );
    }
    if rel.name != pol.name {
        fail(r, format!("name \"{}\", not \"{}\"", rel.name, pol.name));
    }
    if rel.target != pol.target {
        fail(
            r,
            format!("target \"{}\", not \"{}\"", rel.target, pol.target),
        );
    }
    match pol.variant.get(&rel.variant) {
        None => fail(
            r,
            format!("variant \"{}\" is not a release variant", rel.variant),
        ),
        Some(v) if v.cargo_features != rel.cargo_features => fail(
            r,
            format!(
                "cargo_features \"{}\", the {} variant is built with \"{}\"",
                rel.cargo_features, rel.variant, v.cargo_features
            ),
        ),
        Some(_) => {}
    }
    if !rel.reproducible {
        fail(
            r,
            "reproducible is false: not built in the locked build environment".into(),
        );
    }
    if rel.windows.is_some() != files.contains_key("craton_hsm.dll") {
        fail(
            r,
            "windows does not match whether the release holds craton_hsm.dll".into(),
        );
    }

    // The commit being verified.
    let expected = args.commit.clone().or_else(|| repo.and_then(Repo::head));
    match expected {
        Some(c) if c == rel.commit => r.ok(s, format!("names the commit being verified, {c}")),
        Some(c) => fail(
            r,
            format!(
                "commit {}, but the commit being verified is {c}",
                rel.commit
            ),
        ),
        None => r.warn(
            s,
            format!(
                "commit {} not checked: give --commit or run inside a checkout",
                rel.commit
            ),
        ),
    }
    if let Some(g) = repo.filter(|g| g.has_commit(&rel.commit)) {
        let version = g
            .show(&rel.commit, "Cargo.toml")
            .and_then(|b| toml::from_str::<toml::Value>(&String::from_utf8_lossy(&b)).ok())
            .and_then(|v| {
                v.get("workspace")?
                    .get("package")?
                    .get("version")?
                    .as_str()
                    .map(str::to_string)
            });
        match version {
            Some(v) if v == rel.version => {}
            Some(v) => fail(
                r,
                format!("version {}, the commit's Cargo.toml says {v}", rel.version),
            ),
            None => fail(
                r,
                "cannot read the workspace version at the release's commit".into(),
            ),
        }
        match g.commit_time(&rel.commit) {
            Some(t) if t == rel.source_date_epoch => {}
            Some(t) => fail(
                r,
                format!(
                    "source_date_epoch {}, the commit's time is {t}",
                    rel.source_date_epoch
                ),
            ),
            None => fail(r, "cannot read the commit's time".into()),
        }
        match g.locked_toolchain(&rel.commit) {
            Some(tc) if tc == rel.toolchain => r.ok(
                s,
                "built in the environment locked by the commit's packaging/toolchain.lock",
            ),
            Some(tc) => {
                let m = format!(
                    "toolchain {} differs from the commit's lock {}",
                    rel.toolchain, tc
                );
                if args.allow_toolchain_mismatch {
                    r.warn(s, m);
                } else {
                    fail(r, m);
                }
            }
            None => r.warn(
                s,
                "cannot read the commit's locked toolchain (tools/release.sh --print-toolchain)",
            ),
        }
    }

    // Artifacts: exactly the directory's files but the manifest, sums and signatures.
    let mut listed = BTreeMap::new();
    for a in &rel.artifacts {
        if listed.insert(a.file.as_str(), a).is_some() {
            fail(r, format!("lists {} twice", a.file));
        }
        match files.get(&a.file) {
            None => fail(r, format!("lists {}, which is missing", a.file)),
            Some(b) if sha256_hex(b) != a.sha256 || b.len() as u64 != a.size => {
                r.fail(&a.file, "SHA-256 or size does not match release.json");
            }
            Some(_) => {}
        }
    }
    for name in files.keys() {
        let own = name == "SHA256SUMS" || name == "release.json" || name.ends_with(".asc");
        if !own && !listed.contains_key(name.as_str()) {
            r.fail(
                name,
                "present in the release but not listed in release.json",
            );
        }
    }
    if r.failures() == before {
        r.ok(
            s,
            "fields fit the release policy and every artifact's SHA-256 matches",
        );
    }
}

/// The SBOM: CycloneDX, no build paths, the library's hash, and (fips) the AWS-LC module.
pub fn check_sbom(rel: &Release, files: &BTreeMap<String, Vec<u8>>, r: &mut Report) {
    let sboms: Vec<&String> = files.keys().filter(|n| n.ends_with(".cdx.json")).collect();
    if sboms.len() != 1 {
        r.fail(
            "SBOM",
            format!("expected one *.cdx.json, found {}", sboms.len()),
        );
        return;
    }
    let name = sboms[0];
    let text = String::from_utf8_lossy(&files[name]);
    let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) else {
        r.fail(name, "not JSON");
        return;
    };
    let mut bad = Vec::new();
    if v["bomFormat"] != "CycloneDX" || v["components"].as_array().is_none_or(|c| c.is_empty()) {
        bad.push("not a CycloneDX SBOM with components".to_string());
    }
    // Built from parts: the release runner refuses artifacts holding host paths literally.
    for dir in ["tmp", "home", "root", "var"] {
        let p = format!("file:///{dir}/");
        if text.contains(&p) {
            bad.push(format!("holds an absolute build path ({p}...)"));
        }
    }
    if rel.variant == "fips" && !text.contains("\"aws-lc-fips-sys\"") {
        bad.push("the fips SBOM does not list aws-lc-fips-sys".into());
    }
    if let Some(lib) = files.get("libcraton_hsm.so") {
        let h = sha256_hex(lib);
        if !text.contains(&h) {
            bad.push(format!("does not name the library's SHA-256 {h}"));
        }
    }
    if !text.contains(&rel.commit) {
        bad.push(format!("does not name the commit {}", rel.commit));
    }
    if bad.is_empty() {
        r.ok(
            name,
            "CycloneDX SBOM of this library and commit, no build paths",
        );
    }
    for b in bad {
        r.fail(name, b);
    }
}
