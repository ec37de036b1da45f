//! Reads a .deb (an `ar` archive of `debian-binary`, `control.tar.*` and `data.tar.*`) into
//! [`Package`]: every control field and member, every payload path.

use super::contents::{Entry, Format, Kind, Package, mode_string, sha256_hex};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// Fields whose values are lists of packages: kept as relations.
const RELATIONS: &[&str] = &[
    "Pre-Depends",
    "Depends",
    "Recommends",
    "Suggests",
    "Enhances",
    "Breaks",
    "Conflicts",
    "Replaces",
    "Provides",
];

pub fn read(file: &str, bytes: &[u8]) -> Result<Package, String> {
    let mut archive = ar::Archive::new(Cursor::new(bytes));
    let mut members: Vec<(String, Vec<u8>)> = Vec::new();
    while let Some(entry) = archive.next_entry() {
        let mut entry = entry.map_err(|e| format!("not an ar archive: {e}"))?;
        let name = String::from_utf8_lossy(entry.header().identifier()).into_owned();
        let mut data = Vec::new();
        entry
            .read_to_end(&mut data)
            .map_err(|e| format!("member {name}: {e}"))?;
        members.push((name, data));
    }
    let names: Vec<&str> = members.iter().map(|(n, _)| n.as_str()).collect();
    if names.len() != 3
        || names[0] != "debian-binary"
        || !names[1].starts_with("control.tar")
        || !names[2].starts_with("data.tar")
    {
        return Err(format!(
            "ar members are {names:?}, a deb holds exactly debian-binary, control.tar.*, data.tar.*"
        ));
    }
    if members[0].1 != b"2.0\n" {
        return Err("debian-binary is not \"2.0\"".into());
    }
    let control = untar(&members[1].0, &members[1].1)?;
    let data = untar(&members[2].0, &members[2].1)?;

    let mut fields = BTreeMap::new();
    let mut relations = BTreeMap::new();
    let mut scripts = BTreeMap::new();
    let mut md5sums = None;
    for (e, content) in &control {
        match (e.path.as_str(), e.kind) {
            ("/", Kind::Dir) => {}
            ("/control", Kind::File) => {
                let text = std::str::from_utf8(content).map_err(|_| "control is not UTF-8")?;
                for (k, v) in parse_control(text)? {
                    if RELATIONS.contains(&k.as_str()) {
                        relations.insert(k, split_relations(&v));
                    } else {
                        fields.insert(k, v);
                    }
                }
            }
            ("/md5sums", Kind::File) => md5sums = Some(content.clone()),
            (p, Kind::File) => {
                scripts.insert(p.trim_start_matches('/').to_string(), sha256_hex(content));
            }
            (p, _) => return Err(format!("control member {p} is not a regular file")),
        }
    }
    let take = |k: &str, f: &mut BTreeMap<String, String>| {
        f.remove(k)
            .ok_or_else(|| format!("control has no {k} field"))
    };
    let name = take("Package", &mut fields)?;
    let version = take("Version", &mut fields)?;
    let arch = take("Architecture", &mut fields)?;
    if let Some(sums) = md5sums {
        check_md5sums(&sums, &data)?;
    }
    let mut files: Vec<Entry> = data
        .into_iter()
        .map(|(e, _)| e)
        .filter(|e| e.path != "/")
        .collect();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Package {
        file: file.to_string(),
        format: Format::Deb,
        name,
        version,
        arch,
        fields,
        relations,
        scripts,
        files,
    })
}

/// The payload of a deb member, decompressed by its name's suffix.
fn decompress(name: &str, bytes: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let r: Result<usize, std::io::Error> = match name.rsplit_once('.').map(|x| x.1) {
        Some("tar") => return Ok(bytes.to_vec()),
        Some("gz") => flate2::read::GzDecoder::new(bytes).read_to_end(&mut out),
        Some("xz") => liblzma::read::XzDecoder::new(bytes).read_to_end(&mut out),
        Some("zst") => {
            zstd::stream::read::Decoder::new(bytes).and_then(|mut d| d.read_to_end(&mut out))
        }
        _ => return Err(format!("{name}: unknown compression")),
    };
    r.map_err(|e| format!("{name}: {e}"))?;
    Ok(out)
}

/// Every entry of a tar member with its content (files only).
pub fn untar(name: &str, bytes: &[u8]) -> Result<Vec<(Entry, Vec<u8>)>, String> {
    let raw = decompress(name, bytes)?;
    let mut archive = tar::Archive::new(Cursor::new(raw));
    let mut out = Vec::new();
    for entry in archive.entries().map_err(|e| format!("{name}: {e}"))? {
        let mut entry = entry.map_err(|e| format!("{name}: {e}"))?;
        let h = entry.header().clone();
        let raw_path = entry.path_bytes().into_owned();
        let path = normalise(&String::from_utf8_lossy(&raw_path)).ok_or_else(|| {
            format!(
                "{name}: unsafe path {:?}",
                String::from_utf8_lossy(&raw_path)
            )
        })?;
        let et = h.entry_type();
        let kind = if et.is_file() {
            Kind::File
        } else if et.is_dir() {
            Kind::Dir
        } else if et.is_symlink() {
            Kind::Symlink
        } else {
            Kind::Other
        };
        let mut content = Vec::new();
        if kind == Kind::File {
            entry
                .read_to_end(&mut content)
                .map_err(|e| format!("{name}: {path}: {e}"))?;
        }
        let user = h
            .username()
            .ok()
            .flatten()
            .map(str::to_string)
            .unwrap_or_else(|| h.uid().map(|u| u.to_string()).unwrap_or_default());
        let group = h
            .groupname()
            .ok()
            .flatten()
            .map(str::to_string)
            .unwrap_or_else(|| h.gid().map(|u| u.to_string()).unwrap_or_default());
        let target = entry
            .link_name()
            .ok()
            .flatten()
            .map(|t| t.to_string_lossy().into_owned());
        out.push((
            Entry {
                path,
                kind,
                mode: mode_string(h.mode().map_err(|e| format!("{name}: {e}"))?),
                owner: format!("{user}:{group}"),
                size: (kind == Kind::File).then_some(content.len() as u64),
                sha256: (kind == Kind::File).then(|| sha256_hex(&content)),
                target,
            },
            content,
        ));
    }
    Ok(out)
}

/// "./usr/lib/x" -> "/usr/lib/x"; None for paths that climb out ("..").
pub fn normalise(p: &str) -> Option<String> {
    let mut parts = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => return None,
            c => parts.push(c),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Control fields in file order; continuation lines joined with "\n".
pub fn parse_control(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in text.lines() {
        if line.is_empty() {
            continue;
        }
        if line.starts_with([' ', '\t']) {
            let last = out
                .last_mut()
                .ok_or("control starts with a continuation line")?;
            last.1.push('\n');
            last.1.push_str(line);
        } else {
            let (k, v) = line
                .split_once(':')
                .ok_or_else(|| format!("control line without a field name: {line}"))?;
            if out.iter().any(|(x, _)| x == k) {
                return Err(format!("control field {k} appears twice"));
            }
            out.push((k.to_string(), v.trim().to_string()));
        }
    }
    Ok(out)
}

pub fn split_relations(v: &str) -> Vec<String> {
    let mut r: Vec<String> = v
        .split(',')
        .map(|x| x.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|x| !x.is_empty())
        .collect();
    r.sort();
    r
}

/// md5sums must list exactly the regular files outside /etc (conffiles are not listed) with
/// their MD5: dpkg --verify relies on it.
fn check_md5sums(sums: &[u8], data: &[(Entry, Vec<u8>)]) -> Result<(), String> {
    use md5_digest::md5_hex;
    let text = std::str::from_utf8(sums).map_err(|_| "md5sums is not UTF-8")?;
    let mut listed = BTreeMap::new();
    for line in text.lines() {
        let (h, p) = line
            .split_once("  ")
            .ok_or_else(|| format!("md5sums: malformed line {line}"))?;
        listed.insert(format!("/{p}"), h.to_string());
    }
    for (e, content) in data {
        if e.kind != Kind::File {
            continue;
        }
        match listed.remove(&e.path) {
            Some(h) if h == md5_hex(content) => {}
            Some(_) => return Err(format!("md5sums: {} does not match its MD5", e.path)),
            None if e.path.starts_with("/etc/") => {}
            None => return Err(format!("md5sums: {} is not listed", e.path)),
        }
    }
    if let Some(p) = listed.keys().next() {
        return Err(format!(
            "md5sums lists {p}, which the payload does not hold"
        ));
    }
    Ok(())
}

mod md5_digest {
    use md5::{Digest, Md5};
    pub(super) fn md5_hex(data: &[u8]) -> String {
        hex::encode(Md5::digest(data))
    }
}
