//! `audit verify|show|export`. Verification runs in the module (it holds the store's audit
//! key); showing and exporting read the JSON lines directly.

use crate::fail::Failure;
use clap::{Args, Subcommand, ValueEnum};
use serde_json::Value;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

#[derive(Subcommand)]
pub enum AuditCommand {
    /// Check the MAC chain of the log (and of rotated files, in any order); names the first
    /// record that was deleted, edited, reordered or cut off.
    Verify {
        /// Log files (default: the configured log).
        files: Vec<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Show records, filtered.
    Show {
        /// Log files (default: the configured log).
        files: Vec<PathBuf>,
        #[command(flatten)]
        filter: Filter,
        /// The records as JSON lines instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Export records for another system: NDJSON, or RFC 5424 syslog lines.
    Export {
        /// Log files (default: the configured log).
        files: Vec<PathBuf>,
        #[arg(long, value_enum)]
        format: ExportFormat,
        #[command(flatten)]
        filter: Filter,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    Ndjson,
    Syslog,
}

/// Which records.
#[derive(Debug, Clone, Args)]
pub struct Filter {
    /// From this time: RFC 3339 (2026-01-31T12:00:00Z) or an age (2h, 7days).
    #[arg(long)]
    since: Option<String>,
    /// Until this time (same forms).
    #[arg(long)]
    until: Option<String>,
    /// Operation name (Sign, Login, DestroyObject, ...), case-insensitive.
    #[arg(long)]
    operation: Option<String>,
    /// A key's label or CKA_ID (hex), used or acted on.
    #[arg(long)]
    key: Option<String>,
    /// success, failure, or a CKR_* name.
    #[arg(long)]
    result: Option<String>,
}

fn parse_time(s: &str) -> Result<SystemTime, Failure> {
    if let Ok(t) = humantime::parse_rfc3339_weak(s) {
        return Ok(t);
    }
    let age = humantime::parse_duration(s).map_err(|_| {
        Failure::msg(format!(
            "{s:?}: give a time as RFC 3339 (2026-01-31T12:00:00Z) or an age (2h, 7days)"
        ))
    })?;
    SystemTime::now()
        .checked_sub(age)
        .ok_or_else(|| Failure::msg(format!("{s:?}: too far back")))
}

struct Compiled {
    since: Option<SystemTime>,
    until: Option<SystemTime>,
    operation: Option<String>,
    key: Option<String>,
    result: Option<String>,
}

impl Filter {
    fn compile(&self) -> Result<Compiled, Failure> {
        Ok(Compiled {
            since: self.since.as_deref().map(parse_time).transpose()?,
            until: self.until.as_deref().map(parse_time).transpose()?,
            operation: self.operation.as_ref().map(|s| s.to_ascii_lowercase()),
            key: self.key.clone(),
            result: self.result.as_ref().map(|s| s.to_ascii_uppercase()),
        })
    }
}

/// The operation's name: `"Sign"` for `{"Sign": {...}}`, `"Logout"` for `"Logout"`.
fn op_name(r: &Value) -> String {
    match &r["operation"] {
        Value::String(s) => s.clone(),
        Value::Object(m) => m.keys().next().cloned().unwrap_or_default(),
        _ => String::new(),
    }
}

fn rv(r: &Value) -> Option<String> {
    r["result"]["Failure"]["rv"].as_str().map(String::from)
}

impl Compiled {
    fn matches(&self, r: &Value) -> bool {
        let time = r["timestamp"]
            .as_str()
            .and_then(|t| humantime::parse_rfc3339(t).ok());
        if let Some(s) = self.since
            && time.is_none_or(|t| t < s)
        {
            return false;
        }
        if let Some(u) = self.until
            && time.is_none_or(|t| t > u)
        {
            return false;
        }
        if let Some(op) = &self.operation
            && op_name(r).to_ascii_lowercase() != *op
        {
            return false;
        }
        if let Some(k) = &self.key {
            let hit = ["key", "object"].iter().any(|f| {
                let v = &r[*f];
                v["label"].as_str() == Some(k.as_str())
                    || v["id"]
                        .as_str()
                        .is_some_and(|id| id.eq_ignore_ascii_case(k.trim_start_matches("0x")))
            });
            if !hit {
                return false;
            }
        }
        if let Some(want) = &self.result {
            let got = rv(r);
            let ok = match want.as_str() {
                "SUCCESS" | "OK" | "CKR_OK" => got.is_none(),
                "FAILURE" | "FAILED" => got.is_some(),
                name => got.as_deref() == Some(name),
            };
            if !ok {
                return false;
            }
        }
        true
    }
}

/// The files to read: those given, else the configured log (from the module's status).
fn files_or_configured(
    module: Option<PathBuf>,
    files: Vec<PathBuf>,
) -> Result<Vec<PathBuf>, Failure> {
    if !files.is_empty() {
        return Ok(files);
    }
    let m = crate::open(module)?;
    let report = m.status_report()?;
    match report["audit"]["path"].as_str() {
        Some(p) => Ok(vec![PathBuf::from(p)]),
        None => Err(Failure::msg(
            "the module keeps no audit log ([audit] path is not set); name the files",
        )),
    }
}

/// Every record of the files, in order, parsed and as written (exports keep the bytes the
/// MAC covers); lines that are not JSON are reported, not shown.
fn records(files: &[PathBuf], mut each: impl FnMut(Value, &str)) -> Result<(), Failure> {
    for f in files {
        let file = std::fs::File::open(f)
            .map_err(|e| Failure::msg(format!("cannot open {}: {e}", f.display())))?;
        for (n, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
            let line = line.map_err(|e| Failure::msg(format!("{}: {e}", f.display())))?;
            match serde_json::from_slice::<Value>(&line) {
                Ok(v) => each(v, &String::from_utf8_lossy(&line)),
                Err(_) if line.is_empty() => {}
                Err(_) => eprintln!(
                    "craton-admin: {}:{}: not a JSON record (run `craton-admin audit verify`)",
                    f.display(),
                    n + 1
                ),
            }
        }
    }
    Ok(())
}

pub fn audit(module: Option<PathBuf>, cmd: AuditCommand) -> Result<ExitCode, Failure> {
    match cmd {
        AuditCommand::Verify { files, json } => verify(module, files, json),
        AuditCommand::Show {
            files,
            filter,
            json,
        } => {
            let f = filter.compile()?;
            let files = files_or_configured(module, files)?;
            let out = std::io::stdout();
            let mut out = out.lock();
            let mut shown = 0;
            records(&files, |r, raw| {
                if f.matches(&r) {
                    shown += 1;
                    let line = if json { raw.to_string() } else { show_line(&r) };
                    let _ = writeln!(out, "{line}");
                }
            })?;
            if !json {
                let _ = writeln!(out, "{shown} record(s)");
            }
            Ok(ExitCode::SUCCESS)
        }
        AuditCommand::Export {
            files,
            format,
            filter,
        } => {
            let f = filter.compile()?;
            let files = files_or_configured(module, files)?;
            let host = hostname();
            let out = std::io::stdout();
            let mut out = out.lock();
            records(&files, |r, raw| {
                if f.matches(&r) {
                    let line = match format {
                        ExportFormat::Ndjson => raw.to_string(),
                        ExportFormat::Syslog => syslog_line(&r, raw, &host),
                    };
                    let _ = writeln!(out, "{line}");
                }
            })?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn verify(module: Option<PathBuf>, files: Vec<PathBuf>, json: bool) -> Result<ExitCode, Failure> {
    let m = crate::open(module)?;
    let files: Vec<PathBuf> = files
        .into_iter()
        .map(|f| std::path::absolute(&f).unwrap_or(f))
        .collect();
    let r = m.verify_audit_log(&files)?;
    let ok = r["ok"].as_bool() == Some(true);
    if json {
        println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
    } else {
        for f in r["files"].as_array().into_iter().flatten() {
            println!(
                "{}: {} record(s){}",
                f["path"].as_str().unwrap_or("?"),
                f["records"],
                match (f["first_seq"].as_u64(), f["last_seq"].as_u64()) {
                    (Some(a), Some(b)) => format!(", seq {a}..={b}"),
                    _ => String::new(),
                }
            );
        }
        if let Some(h) = r["head"].as_object() {
            println!(
                "chain head: record {} ({})",
                h["seq"],
                if h["matches"].as_bool() == Some(true) {
                    "the log ends there"
                } else {
                    "DIFFERS from the log's end"
                }
            );
        }
        for n in r["notes"].as_array().into_iter().flatten() {
            println!("note: {}", n.as_str().unwrap_or(""));
        }
        if ok {
            println!(
                "OK: {} record(s) verified{}",
                r["records"],
                if r["from_chain_start"].as_bool() == Some(true) {
                    ", from the chain's first record"
                } else {
                    ""
                }
            );
        } else {
            let b = &r["first_bad"];
            println!(
                "FAILED: {}:{}: {}",
                b["file"].as_str().unwrap_or("?"),
                b["line"],
                b["problem"].as_str().unwrap_or("")
            );
        }
    }
    if ok {
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::FAILURE)
    }
}

/// One record as a table row.
fn show_line(r: &Value) -> String {
    let op = op_name(r);
    let detail = &r["operation"][&op];
    let mut what = op.clone();
    if let Some(m) = detail["mechanism"].as_u64() {
        what.push_str(&format!(" mech=0x{m:X}"));
    }
    if let Some(a) = detail["fips_approved"].as_bool() {
        what.push_str(if a { " approved" } else { " not-approved" });
    }
    let who = |v: &Value| -> Option<String> {
        let label = v["label"].as_str();
        let id = v["id"].as_str();
        match (label, id) {
            (None, None) => None,
            (Some(l), None) => Some(format!("{l:?}")),
            (None, Some(i)) => Some(format!("id={i}")),
            (Some(l), Some(i)) => Some(format!("{l:?}/id={i}")),
        }
    };
    let mut keys = Vec::new();
    if let Some(k) = who(&r["key"]) {
        keys.push(format!("key {k}"));
    }
    if let Some(o) = who(&r["object"]) {
        keys.push(format!("object {o}"));
    }
    format!(
        "{:>6} {} pid={} slot={} session={} {} {}{}",
        r["seq"],
        r["timestamp"].as_str().unwrap_or("-"),
        r["pid"],
        r["slot"].as_u64().map_or("-".into(), |s| s.to_string()),
        r["session"].as_u64().map_or("-".into(), |s| s.to_string()),
        what,
        rv(r).unwrap_or_else(|| "OK".into()),
        if keys.is_empty() {
            String::new()
        } else {
            format!(" {}", keys.join(" "))
        }
    )
}

/// RFC 5424: facility authpriv (10), severity info (6) or warning (4) for a failure, the
/// record as the message.
fn syslog_line(r: &Value, raw: &str, host: &str) -> String {
    let severity = if rv(r).is_some() { 4 } else { 6 };
    format!(
        "<{}>1 {} {} craton-hsm {} {} - {}",
        10 * 8 + severity,
        r["timestamp"].as_str().unwrap_or("-"),
        host,
        r["pid"].as_u64().map_or("-".into(), |p| p.to_string()),
        op_name(r),
        raw
    )
}

fn hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty() && !h.contains(' '))
        .unwrap_or_else(|| "-".into())
}
