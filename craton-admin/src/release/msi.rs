//! Reads an .msi into [`Package`] with the `msi` and `cab` crates: the Property table as
//! fields, every custom action (the MSI's code) as scripts, and every file of the File table
//! with its install path and the SHA-256 of its bytes in the embedded cabinet.

use super::contents::{Entry, Format, Kind, Package, sha256_hex};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

/// Tables whose rows make Windows Installer run code or change the system beyond the files:
/// each row is a "script" that must be declared.
const ACTIVE_TABLES: &[&str] = &[
    "CustomAction",
    "ServiceInstall",
    "ServiceControl",
    "Registry",
    "Environment",
    "IniFile",
    "RemoveFile",
    "Shortcut",
    "Binary",
    "SelfReg",
    "Class",
    "TypeLib",
    "MsiAssembly",
];

fn value_text(v: &msi::Value) -> String {
    match v {
        msi::Value::Null => String::new(),
        msi::Value::Int(i) => i.to_string(),
        msi::Value::Str(s) => s.clone(),
        msi::Value::Binary => "(binary)".into(),
    }
}

/// A row: the value of its first (key) column, and column -> text.
type KeyedRow = (String, BTreeMap<String, String>);

/// Every row of `table`.
fn keyed_rows(pkg: &mut msi::Package<Cursor<&[u8]>>, table: &str) -> Result<Vec<KeyedRow>, String> {
    if !pkg.has_table(table) {
        return Ok(Vec::new());
    }
    let rows = pkg
        .select_rows(msi::Select::table(table))
        .map_err(|e| format!("table {table}: {e}"))?;
    Ok(rows
        .map(|row| {
            let key = if row.is_empty() {
                String::new()
            } else {
                value_text(&row[0])
            };
            let cols = row
                .columns()
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name().to_string(), value_text(&row[i])))
                .collect();
            (key, cols)
        })
        .collect())
}

fn rows(
    pkg: &mut msi::Package<Cursor<&[u8]>>,
    table: &str,
) -> Result<Vec<BTreeMap<String, String>>, String> {
    Ok(keyed_rows(pkg, table)?.into_iter().map(|x| x.1).collect())
}

/// The long name of an MSI "short|long" name.
fn long_name(n: &str) -> &str {
    n.split_once('|').map_or(n, |x| x.1)
}

pub fn read(file: &str, bytes: &[u8]) -> Result<Package, String> {
    let mut pkg = msi::Package::open(Cursor::new(bytes)).map_err(|e| format!("not an MSI: {e}"))?;
    let arch = pkg.summary_info().arch().unwrap_or("").to_string();
    let mut fields = BTreeMap::new();
    for r in rows(&mut pkg, "Property")? {
        fields.insert(
            r.get("Property").cloned().unwrap_or_default(),
            r.get("Value").cloned().unwrap_or_default(),
        );
    }
    let name = fields.remove("ProductName").ok_or("no ProductName")?;
    let version = fields.remove("ProductVersion").ok_or("no ProductVersion")?;

    let mut scripts = BTreeMap::new();
    for t in ACTIVE_TABLES {
        for (key, r) in keyed_rows(&mut pkg, t)? {
            let text: Vec<String> = r.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let mut name = format!("{t}:{key}");
            // A key repeated (a table without a unique first column) must not hide a row.
            let mut n = 1;
            while scripts.contains_key(&name) {
                n += 1;
                name = format!("{t}:{key}#{n}");
            }
            scripts.insert(name, sha256_hex(text.join("\0").as_bytes()));
        }
    }
    let mut relations = BTreeMap::new();
    let upgrades: Vec<String> = rows(&mut pkg, "Upgrade")?
        .iter()
        .map(|r| {
            format!(
                "{} ({}..{} attributes {})",
                r.get("UpgradeCode").cloned().unwrap_or_default(),
                r.get("VersionMin").cloned().unwrap_or_default(),
                r.get("VersionMax").cloned().unwrap_or_default(),
                r.get("Attributes").cloned().unwrap_or_default()
            )
        })
        .collect();
    if !upgrades.is_empty() {
        relations.insert("Upgrade".to_string(), upgrades);
    }

    // Install paths: Directory rows chained to their parents.
    let mut dirs: BTreeMap<String, (String, String)> = BTreeMap::new();
    for r in rows(&mut pkg, "Directory")? {
        let default = r.get("DefaultDir").cloned().unwrap_or_default();
        // "target:source" -> target; "." means the parent itself.
        let target = default.split(':').next().unwrap_or("").to_string();
        dirs.insert(
            r.get("Directory").cloned().unwrap_or_default(),
            (
                r.get("Directory_Parent").cloned().unwrap_or_default(),
                target,
            ),
        );
    }
    // A path is the standard folder's id (ProgramFiles64Folder, ...) and the long names below.
    let dir_path = |start: &str| -> Result<String, String> {
        let mut parts = Vec::new();
        let mut id = start.to_string();
        for _ in 0..64 {
            let (parent, name) = dirs
                .get(&id)
                .ok_or_else(|| format!("unknown directory {id}"))?;
            if parent.is_empty() || parent == &id {
                break;
            }
            if dirs
                .get(parent)
                .is_none_or(|p| p.0.is_empty() || &p.0 == parent)
            {
                parts.push(id.clone());
                break;
            }
            let n = long_name(name);
            if n != "." {
                parts.push(n.to_string());
            }
            id = parent.clone();
        }
        parts.reverse();
        Ok(parts.join("/"))
    };
    let mut comp_dir = BTreeMap::new();
    for r in rows(&mut pkg, "Component")? {
        comp_dir.insert(
            r.get("Component").cloned().unwrap_or_default(),
            r.get("Directory_").cloned().unwrap_or_default(),
        );
    }

    // Every cabinet the Media table names, embedded ("#name") or not (refused).
    let mut contents: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for r in rows(&mut pkg, "Media")? {
        let cab = r.get("Cabinet").cloned().unwrap_or_default();
        if cab.is_empty() {
            continue;
        }
        let stream = cab
            .strip_prefix('#')
            .ok_or_else(|| format!("cabinet {cab} is not embedded"))?;
        let mut data = Vec::new();
        pkg.read_stream(stream)
            .and_then(|mut s| s.read_to_end(&mut data))
            .map_err(|e| format!("cabinet {stream}: {e}"))?;
        let mut cabinet =
            cab::Cabinet::new(Cursor::new(data)).map_err(|e| format!("cabinet {stream}: {e}"))?;
        let names: Vec<String> = cabinet
            .folder_entries()
            .flat_map(|f| {
                f.file_entries()
                    .map(|e| e.name().to_string())
                    .collect::<Vec<_>>()
            })
            .collect();
        for n in names {
            let mut buf = Vec::new();
            cabinet
                .read_file(&n)
                .and_then(|mut r| r.read_to_end(&mut buf))
                .map_err(|e| format!("cabinet {stream}: {n}: {e}"))?;
            if contents.insert(n.clone(), buf).is_some() {
                return Err(format!("cabinet file {n} appears twice"));
            }
        }
    }
    let mut files = Vec::new();
    for r in rows(&mut pkg, "File")? {
        let key = r.get("File").cloned().unwrap_or_default();
        let comp = r.get("Component_").cloned().unwrap_or_default();
        let dir = comp_dir
            .get(&comp)
            .ok_or_else(|| format!("file {key}: unknown component {comp}"))?;
        let path = format!(
            "{}/{}",
            dir_path(dir)?,
            long_name(r.get("FileName").map_or("", String::as_str))
        );
        let data = contents
            .remove(&key)
            .ok_or_else(|| format!("file {key} ({path}) is not in the cabinet"))?;
        files.push(Entry {
            path,
            kind: Kind::File,
            mode: "-".into(),
            owner: "-".into(),
            size: Some(data.len() as u64),
            sha256: Some(sha256_hex(&data)),
            target: None,
        });
    }
    if let Some(extra) = contents.keys().next() {
        return Err(format!(
            "the cabinet holds {extra}, which the File table does not install"
        ));
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Package {
        file: file.to_string(),
        format: Format::Msi,
        name,
        version,
        arch,
        fields,
        relations,
        scripts,
        files,
    })
}
