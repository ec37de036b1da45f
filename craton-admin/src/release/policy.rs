//! The release policy (`packaging/release-policy.toml`, compiled into the verifier): what a
//! Craton HSM package may hold, whatever a release's own `release.json` declares.

use super::contents::{Entry, Format, Kind, Package, sha256_hex};
use serde::Deserialize;
use std::collections::BTreeMap;

pub const POLICY_TOML: &str = include_str!("../../../packaging/release-policy.toml");

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Policy {
    pub format: String,
    pub name: String,
    pub target: String,
    pub release_format: String,
    pub variant: BTreeMap<String, Variant>,
    pub deb: FormatRules,
    pub rpm: FormatRules,
    pub msi: FormatRules,
    pub paths: Paths,
    pub file: Vec<FileRule>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Variant {
    pub cargo_features: String,
    pub package: String,
    pub other: String,
    pub msi_product: String,
    pub config: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FormatRules {
    pub version: String,
    pub arch: String,
    pub owner: String,
    pub libdir: String,
    pub scripts: Vec<String>,
    pub fields: Vec<String>,
    pub relations: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paths {
    pub dirs: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRule {
    pub path: String,
    pub formats: Vec<Format>,
    #[serde(default)]
    pub mode: Option<String>,
    pub content: String,
    #[serde(default)]
    pub required: bool,
}

pub fn load() -> Policy {
    // A test checks it parses: a broken policy is a build defect, not a user error.
    let p: Policy = toml::from_str(POLICY_TOML).expect("packaging/release-policy.toml parses");
    assert_eq!(
        p.format, "craton-release-policy/1",
        "a policy format this verifier reads"
    );
    p
}

/// What the policy checks a package against besides the policy itself.
pub struct Context<'a> {
    pub variant: &'a str,
    pub version: &'a str,
    /// Release artifact name -> SHA-256.
    pub artifacts: &'a BTreeMap<String, String>,
    /// A file of the release's commit, when the verifier has the repository.
    pub source: &'a dyn Fn(&str) -> Option<Vec<u8>>,
}

/// The path of a "source:"/"crlf:" content rule, with the variant's {config} filled in.
fn fill_config(content: &str, prefix: &str, v: &Variant) -> Option<String> {
    content
        .strip_prefix(prefix)
        .map(|p| p.replace("{config}", &v.config))
}

/// `*` matches any run of characters; nothing else is special.
pub fn glob(pattern: &str, s: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == s,
        Some((head, tail)) => {
            let Some(rest) = s.strip_prefix(head) else {
                return false;
            };
            (0..=rest.len())
                .filter(|i| rest.is_char_boundary(*i))
                .any(|i| glob(tail, &rest[i..]))
        }
    }
}

impl Policy {
    pub fn rules(&self, f: Format) -> &FormatRules {
        match f {
            Format::Deb => &self.deb,
            Format::Rpm => &self.rpm,
            Format::Msi => &self.msi,
        }
    }

    /// Every way `pkg` breaks the policy, one line each (empty: it conforms).
    pub fn check(&self, pkg: &Package, cx: &Context) -> Vec<String> {
        let mut d = Vec::new();
        let Some(v) = self.variant.get(cx.variant) else {
            return vec![format!(
                "variant \"{}\" is not a release variant",
                cx.variant
            )];
        };
        let r = self.rules(pkg.format);
        let fill = |s: &str| {
            s.replace("{package}", &v.package)
                .replace("{other}", &v.other)
                .replace("{version}", cx.version)
                .replace("{msi-product}", &v.msi_product)
                .replace("{config}", &v.config)
        };
        let libdir = fill(&r.libdir);
        let fill = |s: &str| fill(s).replace("{libdir}", &libdir);
        let want_name = if pkg.format == Format::Msi {
            &v.msi_product
        } else {
            &v.package
        };
        if &pkg.name != want_name {
            d.push(format!(
                "package name is \"{}\": the {} variant's is \"{want_name}\"",
                pkg.name, cx.variant
            ));
        }
        if pkg.version != fill(&r.version) {
            d.push(format!(
                "version is \"{}\": release {} packages it as \"{}\"",
                pkg.version,
                cx.version,
                fill(&r.version)
            ));
        }
        if pkg.arch != r.arch {
            d.push(format!(
                "architecture is \"{}\", not \"{}\"",
                pkg.arch, r.arch
            ));
        }
        for k in pkg.fields.keys() {
            if !r.fields.iter().any(|p| glob(p, k)) {
                d.push(format!("field {k} is not allowed by the release policy"));
            }
        }
        for k in pkg.scripts.keys() {
            if !r.scripts.iter().any(|p| glob(&fill(p), k)) {
                d.push(format!(
                    "script {k} is not allowed by the release policy (a package runs no maintainer scripts)"
                ));
            }
        }
        for (k, list) in &pkg.relations {
            let Some(allowed) = r.relations.get(k) else {
                d.push(format!("relation {k} is not allowed by the release policy"));
                continue;
            };
            for dep in list {
                let name = dep.split(" (").next().unwrap_or(dep);
                if !allowed.iter().any(|p| glob(&fill(p), name)) {
                    d.push(format!(
                        "{k}: \"{dep}\" is not allowed by the release policy"
                    ));
                }
            }
        }
        let dirs: Vec<String> = self.paths.dirs.iter().map(|p| fill(p)).collect();
        let rules: Vec<(&FileRule, String)> = self
            .file
            .iter()
            .filter(|f| f.formats.contains(&pkg.format))
            .map(|f| (f, fill(&f.path)))
            .collect();
        let mut matched = vec![false; rules.len()];
        for e in &pkg.files {
            if e.owner != r.owner {
                d.push(format!("{}: owner {}, not {}", e.path, e.owner, r.owner));
            }
            match e.kind {
                Kind::Dir => {
                    if !dirs.contains(&e.path) {
                        d.push(format!(
                            "{}: directory not allowed by the release policy",
                            e.path
                        ));
                    } else if e.mode != "0755" {
                        d.push(format!("{}: directory mode {}, not 0755", e.path, e.mode));
                    }
                }
                Kind::File => {
                    let Some(i) = rules.iter().position(|(_, p)| glob(p, &e.path)) else {
                        d.push(format!(
                            "{}: file not allowed by the release policy (sha256 {})",
                            e.path,
                            e.sha256.as_deref().unwrap_or("?")
                        ));
                        continue;
                    };
                    matched[i] = true;
                    let (rule, _) = &rules[i];
                    if let Some(m) = &rule.mode
                        && &e.mode != m
                    {
                        d.push(format!(
                            "{}: mode {}, the release policy says {m}",
                            e.path, e.mode
                        ));
                    }
                    if let Some(msg) = self.content(rule, e, pkg, cx, &libdir, v) {
                        d.push(format!("{}: {msg}", e.path));
                    }
                }
                Kind::Symlink => d.push(format!(
                    "{}: a symlink (-> {}), not allowed by the release policy",
                    e.path,
                    e.target.as_deref().unwrap_or("?")
                )),
                Kind::Other => d.push(format!(
                    "{}: a special file or hard link, not allowed by the release policy",
                    e.path
                )),
            }
        }
        for (i, (rule, p)) in rules.iter().enumerate() {
            if rule.required && !matched[i] {
                d.push(format!("{p}: required by the release policy but missing"));
            }
        }
        d
    }

    fn content(
        &self,
        rule: &FileRule,
        e: &Entry,
        pkg: &Package,
        cx: &Context,
        libdir: &str,
        v: &Variant,
    ) -> Option<String> {
        let have = e.sha256.as_deref().unwrap_or("");
        let base = e.path.rsplit('/').next().unwrap_or("");
        let (want, what) = if let Some(name) = rule.content.strip_prefix("artifact:") {
            let name = if name == "*" { base } else { name };
            match cx.artifacts.get(name) {
                Some(h) => (h.clone(), format!("the release's {name}")),
                None => return Some(format!("the release has no artifact {name} to match")),
            }
        } else if rule.content == "sbom" {
            match cx
                .artifacts
                .get(base)
                .filter(|_| base.ends_with(".cdx.json"))
            {
                Some(h) => (h.clone(), format!("the release's SBOM {base}")),
                None => return Some(format!("{base} is not the release's SBOM")),
            }
        } else if let Some(path) = fill_config(&rule.content, "source:", v) {
            let path = path.as_str();
            let src = (cx.source)(path)?;
            (sha256_hex(&src), format!("{path} at the release's commit"))
        } else if let Some(path) = fill_config(&rule.content, "crlf:", v) {
            let path = path.as_str();
            let src = (cx.source)(path)?;
            let text = String::from_utf8_lossy(&src).replace('\n', "\r\n");
            (
                sha256_hex(text.as_bytes()),
                format!("{path} at the release's commit, CRLF"),
            )
        } else if let Some(path) = rule.content.strip_prefix("render:") {
            let src = (cx.source)(path)?;
            let text = String::from_utf8_lossy(&src)
                .replace("@LIBPATH@", &format!("{libdir}/libcraton_hsm.so"))
                .replace("@PACKAGE@", &v.package);
            (
                sha256_hex(text.as_bytes()),
                format!("{path} at the release's commit, filled in"),
            )
        } else {
            return Some(format!("unknown content rule {}", rule.content));
        };
        let _ = pkg;
        (have != want).then(|| format!("sha256 {have} differs from {what} ({want})"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policy_parses_and_globs() {
        let p = load();
        assert_eq!(p.variant.len(), 2);
        assert!(glob("libc.so.6*", "libc.so.6(GLIBC_2.34)(64bit)"));
        assert!(glob("/usr/bin/*", "/usr/bin/craton-admin"));
        assert!(!glob("/usr/bin/*", "/usr/sbin/x"));
        assert!(!glob("rtld(GNU_HASH)", "rtld(GNU_HASH)x"));
    }
}
