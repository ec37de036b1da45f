//! Provenance and independent rebuilders: an in-toto Statement (SLSA provenance v1 predicate)
//! naming every artifact's digest, the commit, the toolchain lock and the build root; each
//! builder signs its own statement (detached OpenPGP), and the verifier accepts a release when
//! at least K of the N builders a policy names attest exactly the release's digests (the
//! rebuilderd / Bitcoin Core guix.sigs model).

use super::contents::sha256_hex;
use super::openpgp::Keyring;
use super::{Release, Report};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

pub const STATEMENT_TYPE: &str = "https://in-toto.io/Statement/v1";
pub const PREDICATE_TYPE: &str = "https://slsa.dev/provenance/v1";
pub const BUILD_TYPE: &str = "https://craton-hsm.invalid/release-build/v1";

/// The release's subjects: every file SHA256SUMS covers, with its digest.
fn subjects(files: &BTreeMap<String, Vec<u8>>) -> BTreeMap<String, String> {
    files
        .iter()
        .filter(|(n, _)| n.as_str() != "SHA256SUMS" && !n.ends_with(".asc"))
        .map(|(n, b)| (n.clone(), sha256_hex(b)))
        .collect()
}

/// The provenance statement of a release directory, as builder `builder_id` made it.
pub fn statement(release: &Release, files: &BTreeMap<String, Vec<u8>>, builder_id: &str) -> Value {
    let subject: Vec<Value> = subjects(files)
        .iter()
        .map(|(n, h)| json!({"name": n, "digest": {"sha256": h}}))
        .collect();
    let tc = &release.toolchain;
    json!({
        "_type": STATEMENT_TYPE,
        "subject": subject,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {
                    "source": {"commit": release.commit},
                    "variant": release.variant,
                    "cargo_features": release.cargo_features,
                    "target": release.target,
                },
                "internalParameters": {"source_date_epoch": release.source_date_epoch},
                "resolvedDependencies": [
                    {"uri": "git+commit", "digest": {"gitCommit": release.commit}},
                    {"uri": "packaging/toolchain.lock", "digest": {"sha256": tc.get("lock_sha256").cloned().unwrap_or(Value::Null)}},
                    {"uri": "build-root", "digest": {"sha256": tc.get("root_digest").and_then(Value::as_str).map(|s| s.trim_start_matches("sha256:")).unwrap_or_default()}},
                ],
            },
            "runDetails": {
                "builder": {"id": builder_id},
                "metadata": {"steps": ["library", "hmac", "sbom", "deb", "rpm", "msi", "release"]},
            },
        },
    })
}

/// `craton-admin release-provenance DIR --builder-id ID`.
pub fn provenance_cmd(dir: &Path, builder_id: &str) -> Result<String, String> {
    let files = read_dir(dir)?;
    let rel: Release = serde_json::from_slice(files.get("release.json").ok_or("no release.json")?)
        .map_err(|e| format!("release.json: {e}"))?;
    serde_json::to_string_pretty(&statement(&rel, &files, builder_id)).map_err(|e| e.to_string())
}

fn read_dir(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut files = BTreeMap::new();
    for e in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
        let e = e.map_err(|e| e.to_string())?;
        if e.file_type().map_err(|e| e.to_string())?.is_file() {
            files.insert(
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).map_err(|e| e.to_string())?,
            );
        }
    }
    Ok(files)
}

/// The K-of-N policy: `threshold` and the builders, each with its id and public key file.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttestationPolicy {
    pub threshold: usize,
    pub builder: Vec<Builder>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Builder {
    pub id: String,
    /// OpenPGP public key file, relative to the policy file.
    pub key: String,
}

/// Counts the builders of `policy_path` whose signed statements in `att_dir` attest exactly
/// this release's digests; fails unless at least `threshold` do.
pub fn check(
    policy_path: &Path,
    att_dir: &Path,
    files: &BTreeMap<String, Vec<u8>>,
    r: &mut Report,
) {
    let s = "attestations";
    let policy: AttestationPolicy = match std::fs::read_to_string(policy_path)
        .map_err(|e| e.to_string())
        .and_then(|t| toml::from_str(&t).map_err(|e| e.to_string()))
    {
        Ok(p) => p,
        Err(e) => return r.fail(s, format!("policy {}: {e}", policy_path.display())),
    };
    if policy.threshold == 0 || policy.threshold > policy.builder.len() {
        return r.fail(
            s,
            format!(
                "policy threshold {} of {} builders is not a policy",
                policy.threshold,
                policy.builder.len()
            ),
        );
    }
    let base = policy_path.parent().unwrap_or(Path::new("."));
    let mut rings = Vec::new();
    for b in &policy.builder {
        match Keyring::load(&base.join(&b.key)) {
            Ok(k) => rings.push((b, k)),
            Err(e) => r.fail(s, format!("builder {}: key {}: {e}", b.id, b.key)),
        }
    }
    let atts = match read_dir(att_dir) {
        Ok(f) => f,
        Err(e) => return r.fail(s, e),
    };
    let want = subjects(files);
    let mut attesting = BTreeSet::new();
    for (name, data) in atts.iter().filter(|(n, _)| n.ends_with(".intoto.json")) {
        let Some(sig) = atts.get(&format!("{name}.asc")) else {
            r.warn(s, format!("{name}: unsigned, not counted"));
            continue;
        };
        let Some((b, _)) = rings.iter().find(|(_, k)| k.verify(data, sig).is_ok()) else {
            r.warn(
                s,
                format!("{name}: not signed by a builder of the policy, not counted"),
            );
            continue;
        };
        match attested(data, &b.id, &want) {
            Ok(()) => {
                attesting.insert(b.id.clone());
            }
            Err(e) => r.warn(s, format!("{name} (builder {}): {e}, not counted", b.id)),
        }
    }
    let who: Vec<&str> = attesting.iter().map(String::as_str).collect();
    let msg = format!(
        "{} of {} builders attest these digests ({}); the policy needs {}",
        attesting.len(),
        policy.builder.len(),
        if who.is_empty() {
            "none".into()
        } else {
            who.join(", ")
        },
        policy.threshold
    );
    if attesting.len() >= policy.threshold {
        r.ok(s, msg);
    } else {
        r.fail(s, msg);
    }
}

/// A statement attests the release when it is ours, by this builder, and its subjects are
/// exactly the release's files and digests.
fn attested(data: &[u8], builder: &str, want: &BTreeMap<String, String>) -> Result<(), String> {
    let v: Value = serde_json::from_slice(data).map_err(|e| format!("not JSON: {e}"))?;
    if v["_type"] != STATEMENT_TYPE || v["predicateType"] != PREDICATE_TYPE {
        return Err("not an in-toto SLSA provenance statement".into());
    }
    if v["predicate"]["runDetails"]["builder"]["id"] != builder {
        return Err(format!(
            "names builder {}, signed by {builder}",
            v["predicate"]["runDetails"]["builder"]["id"]
        ));
    }
    let mut got = BTreeMap::new();
    for sub in v["subject"].as_array().ok_or("no subjects")? {
        let n = sub["name"].as_str().ok_or("a subject without a name")?;
        let h = sub["digest"]["sha256"]
            .as_str()
            .ok_or("a subject without sha256")?;
        got.insert(n.to_string(), h.to_string());
    }
    if &got != want {
        let diff: Vec<String> = want
            .iter()
            .filter(|(n, h)| got.get(*n) != Some(h))
            .map(|(n, _)| n.clone())
            .chain(got.keys().filter(|n| !want.contains_key(*n)).cloned())
            .collect();
        return Err(format!("attests other digests ({})", diff.join(", ")));
    }
    Ok(())
}
