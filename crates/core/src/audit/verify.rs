//! `audit verify`: walks one or more log files along the MAC chain and names the first record
//! that breaks it. Files are taken in chain order (by their first record's sequence number),
//! so rotated files can be given in any order.

use super::key::{AuditKey, HeadFile};
use super::record::{self, CHAIN_START, MAC_LEN, Parsed};
use crate::crypto::Provider;
use serde::Serialize;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// What `audit verify` found.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Report {
    /// No record is missing, edited, reordered or damaged, and the log ends where the head says.
    pub ok: bool,
    pub records: u64,
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
    /// The files begin at the chain's first record (nothing before them is missing).
    pub from_chain_start: bool,
    pub files: Vec<FileReport>,
    /// The chain head in the store, compared with the end of the live log.
    pub head: Option<HeadReport>,
    pub first_bad: Option<Bad>,
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FileReport {
    pub path: PathBuf,
    pub records: u64,
    pub first_seq: Option<u64>,
    pub last_seq: Option<u64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeadReport {
    pub seq: u64,
    pub matches: bool,
}

/// The first record that is not what the chain says it must be.
#[derive(Debug, Clone, Serialize)]
pub struct Bad {
    pub file: PathBuf,
    /// 1-based line number.
    pub line: u64,
    pub seq: Option<u64>,
    pub problem: String,
}

/// Where the walk is.
struct Walk<'a> {
    be: &'a Provider,
    key: &'a AuditKey,
    prev: Option<(u64, [u8; MAC_LEN])>,
    /// The first record accepted in the current file.
    file_first: Option<u64>,
    report: Report,
}

impl Walk<'_> {
    fn bad(&mut self, file: &Path, line: u64, seq: Option<u64>, problem: String) {
        if self.report.first_bad.is_none() {
            self.report.first_bad = Some(Bad {
                file: file.to_path_buf(),
                line,
                seq,
                problem,
            });
        }
    }

    fn mac_ok(&self, prev: &[u8; MAC_LEN], body: &str, mac: &[u8; MAC_LEN]) -> bool {
        record::mac(self.be, self.key.bytes(), prev, body).is_ok_and(|m| m == *mac)
    }

    /// Checks one line; returns false once the chain is broken (the walk stops there).
    fn line(&mut self, file: &Path, n: u64, text: &str, first_in_file: bool) -> bool {
        let Some((body, mac)) = record::split(text) else {
            self.bad(
                file,
                n,
                None,
                "not a sealed record: the line was edited, or only partly written".into(),
            );
            return false;
        };
        let Some(p) = Parsed::of(&body) else {
            self.bad(file, n, None, "not a record: its JSON is damaged".into());
            return false;
        };
        let seq = p.seq;
        let op = p.op_name().to_string();
        // Records that say where they continue from carry their predecessor's MAC.
        let (prev_seq, prev_mac) = match op.as_str() {
            "AuditChainStart" => (0, CHAIN_START),
            "AuditFileStart" | "AuditGap" => match p.prev_mac() {
                Some(m) => (seq - 1, m),
                None => {
                    self.bad(file, n, Some(seq), "a chain record without prev_mac".into());
                    return false;
                }
            },
            _ if first_in_file => {
                let problem = match self.prev {
                    Some((s, _)) if seq == s + 1 => {
                        "the file does not begin with its AuditFileStart record: the first \
                         record was removed"
                            .to_string()
                    }
                    _ => format!(
                        "the file begins at record {seq} without its AuditFileStart record: \
                         the records before it were removed"
                    ),
                };
                self.bad(file, n, Some(seq), problem);
                return false;
            }
            _ => match self.prev {
                Some(p) => p,
                None => (seq.wrapping_sub(1), CHAIN_START),
            },
        };
        // Continuity with what came before, where the walk knows it.
        if let Some((s, m)) = self.prev
            && op != "AuditGap"
        {
            let expected = s + 1;
            if seq != expected {
                let problem = if seq > expected {
                    format!(
                        "record {seq} follows record {s}: records {expected}..={} are missing \
                         here (deleted or moved, or in a rotated file not given)",
                        seq - 1
                    )
                } else {
                    format!("record {seq} follows record {s}: records were reordered or duplicated")
                };
                self.bad(file, n, Some(seq), problem);
                return false;
            }
            if (prev_seq, prev_mac) != (s, m) {
                self.bad(
                    file,
                    n,
                    Some(seq),
                    format!("record {seq} does not continue the chain from record {s}"),
                );
                return false;
            }
        } else if op == "AuditChainStart" && seq != 1 {
            self.bad(
                file,
                n,
                Some(seq),
                "a chain start that is not record 1".into(),
            );
            return false;
        }
        if !self.mac_ok(&prev_mac, &body, &mac) {
            let problem = if self.prev.is_none() || op.starts_with("Audit") {
                format!("record {seq} does not match its MAC: it was edited")
            } else {
                format!(
                    "record {seq} does not match its MAC: it was edited, or it does not follow \
                     record {prev_seq}"
                )
            };
            self.bad(file, n, Some(seq), problem);
            return false;
        }
        if op == "AuditGap" {
            let found = p.operation["AuditGap"]["last_found"].as_u64();
            self.bad(
                file,
                n,
                Some(seq),
                format!(
                    "records {}..={} are missing: when writing record {seq} the module found \
                     the log ending {} (the file was cut short or replaced)",
                    found.map_or(1, |f| f + 1),
                    seq - 1,
                    found.map_or("in a damaged line".to_string(), |f| format!(
                        "at record {f}"
                    ))
                ),
            );
        }
        self.file_first.get_or_insert(seq);
        if self.report.first_seq.is_none() {
            self.report.first_seq = Some(seq);
            self.report.from_chain_start = op == "AuditChainStart";
        }
        self.report.records += 1;
        self.report.last_seq = Some(seq);
        self.prev = Some((seq, mac));
        true
    }
}

/// The first record's sequence number, to put files in chain order.
fn first_seq(path: &Path) -> Option<u64> {
    let f = std::fs::File::open(path).ok()?;
    let mut line = String::new();
    BufReader::new(f).read_line(&mut line).ok()?;
    let (body, _) = record::split(line.trim_end_matches('\n'))?;
    Parsed::of(&body).map(|p| p.seq)
}

/// Verifies `files` (in chain order). `live` is the configured log: when it is among the
/// files, the end of the chain is compared with the store's head.
pub(super) fn verify(
    be: &Provider,
    key: &AuditKey,
    head: &HeadFile,
    live: &Path,
    files: &[PathBuf],
    timeout: Duration,
) -> Report {
    let mut files: Vec<PathBuf> = files.to_vec();
    files.sort_by_key(|p| first_seq(p).unwrap_or(0));
    let mut w = Walk {
        be,
        key,
        prev: None,
        file_first: None,
        report: Report::default(),
    };
    let live_id = std::fs::canonicalize(live).ok();
    let mut head_checked = false;
    'files: for path in &files {
        let before = w.report.records;
        w.file_first = None;
        let f = match std::fs::File::open(path) {
            Ok(f) => f,
            Err(e) => {
                w.bad(path, 0, None, format!("cannot open: {e}"));
                break;
            }
        };
        // Writers hold the lock while appending: read a consistent file.
        let locked = lock_shared(&f, timeout);
        if let Err(e) = &locked {
            w.report.notes.push(format!("{}: {e}", path.display()));
        }
        let mut n = 0;
        let mut reader = BufReader::new(&f);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match reader.read_until(b'\n', &mut buf) {
                Ok(0) => break,
                Ok(_) => {}
                Err(e) => {
                    w.bad(path, n + 1, None, format!("cannot read: {e}"));
                    break 'files;
                }
            }
            n += 1;
            let text = String::from_utf8_lossy(&buf);
            let text = text.strip_suffix('\n').unwrap_or(&text);
            if !w.line(path, n, text, n == 1) {
                if locked.is_ok() {
                    let _ = f.unlock();
                }
                break 'files;
            }
        }
        if n == 0 {
            w.report
                .notes
                .push(format!("{} holds no records", path.display()));
        }
        w.report.files.push(FileReport {
            path: path.clone(),
            records: w.report.records - before,
            first_seq: w.file_first,
            last_seq: w.file_first.and(w.report.last_seq),
        });
        let is_live = live_id.is_some() && std::fs::canonicalize(path).ok() == live_id;
        if is_live && path == files.last().unwrap_or(path) {
            check_head(&mut w, be, key, head, path, n);
            head_checked = true;
        }
        if locked.is_ok() {
            let _ = f.unlock();
        }
    }
    if !head_checked && w.report.first_bad.is_none() {
        w.report.notes.push(format!(
            "the live log {} was not the last file given: the end of the chain was not \
             compared with the store's head",
            live.display()
        ));
    }
    if !w.report.from_chain_start
        && let Some(f) = w.report.first_seq
    {
        w.report.notes.push(format!(
            "the files begin at record {f}: records 1..={} are in earlier files not given",
            f.saturating_sub(1)
        ));
    }
    w.report.ok = w.report.first_bad.is_none();
    w.report
}

fn check_head(
    w: &mut Walk,
    be: &Provider,
    key: &AuditKey,
    head: &HeadFile,
    path: &Path,
    lines: u64,
) {
    let h = match head.read(be, key) {
        Ok(Some(h)) => h,
        Ok(None) => {
            w.report
                .notes
                .push("the store has no chain head: the log's end cannot be checked".into());
            return;
        }
        Err(e) => {
            w.bad(path, lines + 1, None, format!("chain head: {e}"));
            return;
        }
    };
    let (last_seq, last_mac) = w.prev.unwrap_or((0, CHAIN_START));
    let matches = last_seq == h.seq && last_mac == h.mac;
    w.report.head = Some(HeadReport {
        seq: h.seq,
        matches,
    });
    if matches || w.report.first_bad.is_some() {
        return;
    }
    let problem = if last_seq < h.seq {
        format!(
            "the log ends at record {last_seq} but record {} was written: records {}..={} \
             were cut off the end",
            h.seq,
            last_seq + 1,
            h.seq
        )
    } else if last_seq == h.seq {
        format!("record {last_seq} is not the record the module wrote last")
    } else {
        w.report.notes.push(format!(
            "the chain head says record {} (a writer stopped before updating it)",
            h.seq
        ));
        return;
    };
    w.bad(path, lines + 1, None, problem);
}

fn lock_shared(f: &std::fs::File, timeout: Duration) -> Result<(), String> {
    let start = std::time::Instant::now();
    loop {
        match f.try_lock_shared() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < timeout => {
                std::thread::sleep(Duration::from_millis(5))
            }
            Err(e) => return Err(format!("read without the lock: {e}")),
        }
    }
}
