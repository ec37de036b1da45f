//! Reads an .rpm into [`Package`] with the `rpm` crate: header fields, every dependency list,
//! every scriptlet and trigger, and every payload file with the SHA-256 of its content.

use super::contents::{Entry, Format, Kind, Package, mode_string, sha256_hex};
use rpm::{DependencyFlags, FileType, IndexTag};
use std::collections::BTreeMap;

/// Scriptlet tags (body, interpreter) by the name rpm's spec files use.
const SCRIPTS: &[(&str, IndexTag, IndexTag)] = &[
    ("pre", IndexTag::RPMTAG_PREIN, IndexTag::RPMTAG_PREINPROG),
    ("post", IndexTag::RPMTAG_POSTIN, IndexTag::RPMTAG_POSTINPROG),
    ("preun", IndexTag::RPMTAG_PREUN, IndexTag::RPMTAG_PREUNPROG),
    (
        "postun",
        IndexTag::RPMTAG_POSTUN,
        IndexTag::RPMTAG_POSTUNPROG,
    ),
    (
        "pretrans",
        IndexTag::RPMTAG_PRETRANS,
        IndexTag::RPMTAG_PRETRANSPROG,
    ),
    (
        "posttrans",
        IndexTag::RPMTAG_POSTTRANS,
        IndexTag::RPMTAG_POSTTRANSPROG,
    ),
    (
        "preuntrans",
        IndexTag::RPMTAG_PREUNTRANS,
        IndexTag::RPMTAG_PREUNTRANSPROG,
    ),
    (
        "postuntrans",
        IndexTag::RPMTAG_POSTUNTRANS,
        IndexTag::RPMTAG_POSTUNTRANSPROG,
    ),
    (
        "verifyscript",
        IndexTag::RPMTAG_VERIFYSCRIPT,
        IndexTag::RPMTAG_VERIFYSCRIPTPROG,
    ),
    (
        "triggers",
        IndexTag::RPMTAG_TRIGGERSCRIPTS,
        IndexTag::RPMTAG_TRIGGERSCRIPTPROG,
    ),
    (
        "filetriggers",
        IndexTag::RPMTAG_FILETRIGGERSCRIPTS,
        IndexTag::RPMTAG_FILETRIGGERSCRIPTPROG,
    ),
    (
        "transfiletriggers",
        IndexTag::RPMTAG_TRANSFILETRIGGERSCRIPTS,
        IndexTag::RPMTAG_TRANSFILETRIGGERSCRIPTPROG,
    ),
];

pub fn read(file: &str, bytes: &[u8]) -> Result<Package, String> {
    let pkg = rpm::Package::parse(&mut std::io::Cursor::new(bytes))
        .map_err(|e| format!("not an rpm: {e}"))?;
    pkg.verify_digests()
        .map_err(|e| format!("the package's own digests do not hold: {e}"))?;
    let m = &pkg.metadata;
    fn e(x: Result<&str, rpm::Error>) -> Result<&str, String> {
        x.map_err(|e| e.to_string())
    }
    let name = e(m.get_name())?.to_string();
    let mut version = format!("{}-{}", e(m.get_version())?, e(m.get_release())?);
    if let Ok(epoch) = m.get_epoch() {
        version = format!("{epoch}:{version}");
    }
    let arch = e(m.get_arch())?.to_string();

    let mut fields = BTreeMap::new();
    for (k, v) in [
        ("Summary", m.get_summary()),
        ("License", m.get_license()),
        ("Description", m.get_description()),
        ("Vendor", m.get_vendor()),
        ("URL", m.get_url()),
        ("Group", m.get_group()),
        ("Packager", m.get_packager()),
    ] {
        if let Ok(v) = v {
            fields.insert(k.to_string(), v.to_string());
        }
    }

    let mut relations = BTreeMap::new();
    for (k, deps) in [
        ("Requires", m.get_requires()),
        ("Provides", m.get_provides()),
        ("Conflicts", m.get_conflicts()),
        ("Obsoletes", m.get_obsoletes()),
        ("Recommends", m.get_recommends()),
        ("Suggests", m.get_suggests()),
        ("Enhances", m.get_enhances()),
        ("Supplements", m.get_supplements()),
    ] {
        let deps = deps.map_err(|e| format!("{k}: {e}"))?;
        if deps.is_empty() {
            continue;
        }
        let mut v: Vec<String> = deps.iter().map(render).collect();
        v.sort();
        v.dedup();
        relations.insert(k.to_string(), v);
    }

    let mut scripts = BTreeMap::new();
    for (sname, body, prog) in SCRIPTS {
        let b = tag_text(&m.header, *body);
        let p = tag_text(&m.header, *prog);
        if b.is_some() || p.is_some() {
            let text = format!("{}\0{}", p.unwrap_or_default(), b.unwrap_or_default());
            scripts.insert(sname.to_string(), sha256_hex(text.as_bytes()));
        }
    }

    let mut files = Vec::new();
    for f in pkg.files().map_err(|e| format!("payload: {e}"))? {
        let f = f.map_err(|e| format!("payload: {e}"))?;
        let md = &f.metadata;
        let kind = match md.file_type() {
            FileType::Regular => Kind::File,
            FileType::Dir => Kind::Dir,
            FileType::SymbolicLink => Kind::Symlink,
            _ => Kind::Other,
        };
        let content = f.content().unwrap_or_default();
        files.push(Entry {
            path: md.path().to_string_lossy().into_owned(),
            kind,
            mode: mode_string(u32::from(md.permissions())),
            owner: format!("{}:{}", md.user(), md.group()),
            size: (kind == Kind::File).then_some(content.len() as u64),
            sha256: (kind == Kind::File).then(|| sha256_hex(content)),
            target: md.linkto().filter(|t| !t.is_empty()).map(str::to_string),
        });
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Package {
        file: file.to_string(),
        format: Format::Rpm,
        name,
        version,
        arch,
        fields,
        relations,
        scripts,
        files,
    })
}

fn tag_text(h: &rpm::Header<IndexTag>, tag: IndexTag) -> Option<String> {
    if !h.entry_is_present(tag) {
        return None;
    }
    h.get_entry_data_as_string(tag)
        .map(str::to_string)
        .or_else(|_| h.get_entry_data_as_string_array(tag).map(|v| v.join("\0")))
        .ok()
        .or(Some(String::from("(unreadable)")))
}

fn render(d: &rpm::Dependency) -> String {
    if d.version.is_empty() {
        return d.name.clone();
    }
    let f = d.flags;
    let op = match (
        f.contains(DependencyFlags::LESS),
        f.contains(DependencyFlags::GREATER),
        f.contains(DependencyFlags::EQUAL),
    ) {
        (true, false, false) => "<",
        (true, false, true) => "<=",
        (false, true, false) => ">",
        (false, true, true) => ">=",
        (false, false, true) => "=",
        _ => "?",
    };
    format!("{} ({op} {})", d.name, d.version)
}
