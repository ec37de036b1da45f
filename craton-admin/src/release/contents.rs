//! What a package holds, in one form for debs, rpms and MSIs: the form `release.json` declares
//! for each package and the form the verifier reads out of the package itself. Comparing the two
//! names every difference.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Deb,
    Rpm,
    Msi,
}

impl Format {
    pub fn of_file(name: &str) -> Option<Format> {
        let ext = name.rsplit('.').next()?;
        match ext {
            "deb" => Some(Format::Deb),
            "rpm" => Some(Format::Rpm),
            "msi" => Some(Format::Msi),
            _ => None,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    File,
    Dir,
    Symlink,
    /// Devices, fifos, hard links: never in a Craton package.
    Other,
}

/// One path of a package's payload.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub kind: Kind,
    /// Permission bits in octal, with set-id and sticky bits ("0644", "4755").
    pub mode: String,
    /// "user:group".
    pub owner: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
}

/// Everything a package holds that the package manager acts on.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Package {
    /// The artifact's file name in the release.
    pub file: String,
    pub format: Format,
    pub name: String,
    pub version: String,
    pub arch: String,
    /// Metadata fields (deb control fields, rpm header strings, MSI properties).
    pub fields: BTreeMap<String, String>,
    /// Relations (Depends, Requires, Conflicts, Provides, ...): each a sorted list of
    /// "name" or "name (op version)".
    pub relations: BTreeMap<String, Vec<String>>,
    /// Code or data the package manager runs or acts on besides the payload (deb control
    /// members other than `control` and `md5sums`, rpm scriptlets and triggers, MSI custom
    /// actions): name -> SHA-256 of its text.
    pub scripts: BTreeMap<String, String>,
    /// Every payload path, sorted.
    pub files: Vec<Entry>,
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

pub fn mode_string(mode: u32) -> String {
    format!("{:04o}", mode & 0o7777)
}

/// The differences between what is declared and what was found, one line each.
pub fn differences(declared: &Package, found: &Package) -> Vec<String> {
    let mut d = Vec::new();
    let scalar = |d: &mut Vec<String>, what: &str, a: &str, b: &str| {
        if a != b {
            d.push(format!("{what} is \"{b}\", release.json declares \"{a}\""));
        }
    };
    if declared.format != found.format {
        d.push(format!(
            "format is {:?}, release.json declares {:?}",
            found.format, declared.format
        ));
    }
    scalar(&mut d, "package name", &declared.name, &found.name);
    scalar(&mut d, "version", &declared.version, &found.version);
    scalar(&mut d, "architecture", &declared.arch, &found.arch);
    map_diff(&mut d, "field", &declared.fields, &found.fields, |v| {
        format!("\"{v}\"")
    });
    map_diff(&mut d, "script", &declared.scripts, &found.scripts, |v| {
        format!("sha256 {v}")
    });
    let empty = Vec::new();
    let keys: std::collections::BTreeSet<&String> = declared
        .relations
        .keys()
        .chain(found.relations.keys())
        .collect();
    for k in keys {
        let a = declared.relations.get(k).unwrap_or(&empty);
        let b = found.relations.get(k).unwrap_or(&empty);
        for x in b.iter().filter(|x| !a.contains(x)) {
            d.push(format!("{k}: \"{x}\" is not declared in release.json"));
        }
        for x in a.iter().filter(|x| !b.contains(x)) {
            d.push(format!(
                "{k}: \"{x}\" is declared in release.json but missing"
            ));
        }
    }
    let a: BTreeMap<&str, &Entry> = declared
        .files
        .iter()
        .map(|e| (e.path.as_str(), e))
        .collect();
    let b: BTreeMap<&str, &Entry> = found.files.iter().map(|e| (e.path.as_str(), e)).collect();
    if a.len() != declared.files.len() || b.len() != found.files.len() {
        d.push("a path appears twice".into());
    }
    for (p, e) in &b {
        match a.get(p) {
            None => d.push(format!(
                "{p}: not declared in release.json ({})",
                describe(e)
            )),
            Some(x) if x != e => d.push(format!(
                "{p}: is {}, release.json declares {}",
                describe(e),
                describe(x)
            )),
            Some(_) => {}
        }
    }
    for (p, e) in &a {
        if !b.contains_key(p) {
            d.push(format!(
                "{p}: declared in release.json ({}) but missing",
                describe(e)
            ));
        }
    }
    d
}

fn map_diff(
    d: &mut Vec<String>,
    what: &str,
    a: &BTreeMap<String, String>,
    b: &BTreeMap<String, String>,
    show: impl Fn(&str) -> String,
) {
    for (k, v) in b {
        match a.get(k) {
            None => d.push(format!(
                "{what} {k} ({}) is not declared in release.json",
                show(v)
            )),
            Some(x) if x != v => d.push(format!(
                "{what} {k} is {}, release.json declares {}",
                show(v),
                show(x)
            )),
            Some(_) => {}
        }
    }
    for (k, v) in a {
        if !b.contains_key(k) {
            d.push(format!(
                "{what} {k} ({}) is declared in release.json but missing",
                show(v)
            ));
        }
    }
}

pub fn describe(e: &Entry) -> String {
    let kind = format!("{:?}", e.kind).to_lowercase();
    let mut s = format!("{kind} mode {} owner {}", e.mode, e.owner);
    if let Some(h) = &e.sha256 {
        s.push_str(&format!(" sha256 {}", &h[..h.len().min(16)]));
    }
    if let Some(t) = &e.target {
        s.push_str(&format!(" -> {t}"));
    }
    s
}
