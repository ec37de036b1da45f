//! Appending to the log file: shared by every process using the store, so each append takes
//! an exclusive lock on the file (waiting a bounded time), re-reads the chain head under it,
//! checks the end of the file against the head, and writes its records with one `write` on an
//! `O_APPEND` descriptor. Records that cannot be written wait in a bounded queue.

use super::key::{AuditKey, Head, HeadFile};
use super::record::{self, CHAIN_START, Entry, MAC_LEN, MAX_LINE};
use super::{Event, Operation, Outcome};
use crate::crypto::Provider;
use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Records kept in memory while the log cannot be written; later ones are counted, not kept.
pub(super) const MAX_PENDING: usize = 1024;
/// After a failed append, records are only queued for this long before the next try (so
/// threads do not queue up one lock timeout after another, and a full disk is not retried
/// on every call).
const BACKOFF: Duration = Duration::from_millis(250);
/// How much of the file's end is read to find its last record: usually the small window
/// holds it, a record is at most `MAX_LINE` long.
const SMALL_WINDOW: u64 = 2048;
const TAIL_WINDOW: u64 = 2 * MAX_LINE as u64 + 2;

/// Which file a descriptor refers to (device and inode on Unix).
type FileId = Option<(u64, u64)>;

fn file_id(m: &std::fs::Metadata) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        let _ = m;
        None
    }
}

/// The mutable side of the log, behind the `AuditLog`'s mutex.
pub(super) struct Writer {
    file: Option<File>,
    id: FileId,
    regular: bool,
    pub pending: VecDeque<Entry>,
    pub dropped: u64,
    /// Why the last append failed; `None` while the log is healthy.
    pub failure: Option<String>,
    backoff_until: Option<Instant>,
    /// What happened to the file this process had open, for the next file's first record.
    noticed: Option<&'static str>,
    /// The last record written, when known (non-regular files have no readable end).
    last: Option<Head>,
    /// The file and its length right after this process's last append: while nobody else
    /// has written since, its end need not be read again.
    known_end: Option<(FileId, u64, Head)>,
}

/// What the end of the file holds.
enum Tail {
    Empty,
    Record {
        seq: u64,
        mac: [u8; MAC_LEN],
        body: String,
    },
    /// A last line that is not a record.
    Damaged,
}

/// Fixed parts of the log: where it is, its key, its rules.
pub(super) struct Target<'a> {
    pub path: &'a Path,
    pub head: &'a HeadFile,
    pub key: &'a AuditKey,
    pub backend: &'a Provider,
    pub timeout: Duration,
    pub require_regular: bool,
}

impl Writer {
    pub(super) fn new() -> Writer {
        Writer {
            file: None,
            id: None,
            regular: true,
            pending: VecDeque::new(),
            dropped: 0,
            failure: None,
            backoff_until: None,
            noticed: None,
            last: None,
            known_end: None,
        }
    }

    /// Queues an entry (or counts it when the queue is full).
    pub(super) fn push(&mut self, e: Entry) {
        if self.pending.len() < MAX_PENDING {
            self.pending.push_back(e);
        } else {
            self.dropped += 1;
        }
    }

    /// Writes everything queued. On failure the entries stay queued.
    pub(super) fn flush(&mut self, t: &Target) {
        if self.pending.is_empty() && self.dropped == 0 {
            return;
        }
        if self.backoff_until.is_some_and(|u| Instant::now() < u) {
            return;
        }
        self.backoff_until = None;
        match self.append(t) {
            Ok(()) => {
                if self.failure.take().is_some() {
                    tracing::warn!("audit log {} is writable again", t.path.display());
                }
            }
            Err(e) => {
                if self.failure.is_none() {
                    tracing::error!("audit log {}: {e}", t.path.display());
                }
                self.failure = Some(e);
                self.backoff_until = Some(Instant::now() + BACKOFF);
            }
        }
    }

    /// Opens the file at the path, or notices that the one we hold is no longer there.
    pub(super) fn open(&mut self, t: &Target) -> Result<(), String> {
        if self.file.is_some() {
            match std::fs::metadata(t.path) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    self.noticed = Some("deleted");
                    self.file = None;
                }
                Ok(m) if file_id(&m) != self.id => {
                    self.noticed = Some("replaced");
                    self.file = None;
                }
                _ => return Ok(()),
            }
            tracing::warn!(
                "audit log {} was {} while open; reopening it",
                t.path.display(),
                self.noticed.unwrap_or("changed")
            );
        }
        let mut o = OpenOptions::new();
        o.read(true).append(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let f = o.open(t.path).map_err(|e| format!("cannot open: {e}"))?;
        let m = f.metadata().map_err(|e| format!("cannot stat: {e}"))?;
        self.regular = m.is_file();
        if !self.regular {
            if t.require_regular {
                return Err(
                    "not a regular file: records written there cannot be kept or verified \
                     (approved-only mode needs a regular file)"
                        .into(),
                );
            }
            tracing::warn!(
                "audit log {} is not a regular file: records are neither locked nor verifiable",
                t.path.display()
            );
        }
        self.id = file_id(&m);
        self.file = Some(f);
        Ok(())
    }

    fn append(&mut self, t: &Target) -> Result<(), String> {
        // A rotation between open and lock means we locked the old file: try again.
        for _ in 0..3 {
            self.open(t)?;
            let f = self.file.as_ref().ok_or("no file")?;
            if self.regular {
                lock(f, t.timeout)?;
                let current = std::fs::metadata(t.path).ok().map(|m| file_id(&m));
                if current != Some(self.id) {
                    let _ = f.unlock();
                    continue;
                }
            }
            let r = self.append_locked(t);
            if let Some(f) = &self.file {
                let _ = f.unlock();
            }
            return r;
        }
        Err("the log file keeps being replaced".into())
    }

    fn append_locked(&mut self, t: &Target) -> Result<(), String> {
        let head = match t.head.read(t.backend, t.key) {
            Ok(h) => h,
            Err(e) => {
                tracing::error!("audit chain head: {e}; continuing from the log itself");
                None
            }
        };
        let file = self.file.as_ref().ok_or("no file")?;
        let (len, tail, newline) = if !self.regular {
            (0, Tail::Empty, false)
        } else {
            let len = file
                .metadata()
                .map_err(|e| format!("cannot stat: {e}"))?
                .len();
            match self.known_end {
                Some((id, l, h)) if id == self.id && l == len && head == Some(h) => (
                    len,
                    Tail::Record {
                        seq: h.seq,
                        mac: h.mac,
                        body: String::new(),
                    },
                    false,
                ),
                _ => read_tail(file, len)?,
            }
        };
        let (mut seq, mut prev, preamble) = self.chain_state(t, head, tail);
        let mut out = String::new();
        if newline {
            // A torn last line: start ours on a line of its own.
            out.push('\n');
        }
        let dropped = (self.dropped > 0).then(|| {
            Entry::now(
                None,
                None,
                Event::new(Operation::AuditRecordsDropped {
                    count: self.dropped,
                }),
                Outcome::Success,
            )
        });
        for e in preamble
            .iter()
            .chain(self.pending.iter())
            .chain(dropped.iter())
        {
            seq += 1;
            let body = record::body(seq, e);
            let mac = record::mac(t.backend, t.key.bytes(), &prev, &body)
                .map_err(|e| format!("HMAC: {e}"))?;
            out.push_str(&record::line(&body, &mac));
            prev = mac;
        }
        let mut file = self.file.as_ref().ok_or("no file")?;
        if let Err(e) = file.write_all(out.as_bytes()) {
            // Never leave half a line behind for the next writer.
            if self.regular {
                let _ = file.set_len(len);
            }
            return Err(format!("cannot write: {e}"));
        }
        let _ = file.flush();
        let h = Head { seq, mac: prev };
        if let Err(e) = t.head.write(t.backend, t.key, &h) {
            // The records are in the log; the next writer finds them at its end.
            tracing::warn!("audit chain head: {e}");
        }
        self.last = Some(h);
        self.known_end = Some((self.id, len + out.len() as u64, h));
        self.pending.clear();
        self.dropped = 0;
        Ok(())
    }

    /// Where the chain continues, and the records that must come first to explain it.
    fn chain_state(
        &mut self,
        t: &Target,
        head: Option<Head>,
        tail: Tail,
    ) -> (u64, [u8; MAC_LEN], Vec<Entry>) {
        let meta = |op| vec![Entry::now(None, None, Event::new(op), Outcome::Success)];
        if !self.regular {
            // Nothing can be read back: the head alone carries the chain.
            return match head.or(self.last) {
                Some(h) => (h.seq, h.mac, Vec::new()),
                None => (0, CHAIN_START, meta(Operation::AuditChainStart {})),
            };
        }
        match (head, tail) {
            (None, Tail::Empty) => (0, CHAIN_START, meta(Operation::AuditChainStart {})),
            (Some(h), Tail::Empty) => (
                h.seq,
                h.mac,
                meta(Operation::AuditFileStart {
                    follows: h.seq,
                    prev_mac: record::hex(&h.mac),
                    noticed: self.noticed.take(),
                }),
            ),
            (Some(h), Tail::Record { seq, mac, .. }) if seq == h.seq && mac == h.mac => {
                (seq, mac, Vec::new())
            }
            // A writer stopped between appending and updating the head: its records count.
            (Some(h), Tail::Record { seq, mac, ref body })
                if seq > h.seq && self.chains_from(t, h, seq, &mac, body) =>
            {
                (seq, mac, Vec::new())
            }
            (None, Tail::Record { seq, mac, .. }) => {
                tracing::warn!("audit chain head missing; continuing from the log's last record");
                (seq, mac, Vec::new())
            }
            // The file ends before the head: records were cut off, or the file replaced.
            (Some(h), tail) => {
                let found = match tail {
                    Tail::Record { seq, .. } => Some(seq),
                    _ => None,
                };
                tracing::error!(
                    "audit log {} ends at {} but the chain head is record {}: records are \
                     missing; recording the gap",
                    t.path.display(),
                    found.map_or("a damaged line".into(), |s| format!("record {s}")),
                    h.seq
                );
                (
                    h.seq,
                    h.mac,
                    meta(Operation::AuditGap {
                        last_found: found,
                        last_written: h.seq,
                        prev_mac: record::hex(&h.mac),
                    }),
                )
            }
            (None, _) => {
                tracing::error!(
                    "audit log {} ends in a damaged line and has no chain head; starting a new \
                     chain",
                    t.path.display()
                );
                (0, CHAIN_START, meta(Operation::AuditChainStart {}))
            }
        }
    }

    /// Whether the file's last record is the head's successor (one record only is checked:
    /// enough to tell a crashed writer's records from foreign ones).
    fn chains_from(&self, t: &Target, h: Head, seq: u64, mac: &[u8; MAC_LEN], body: &str) -> bool {
        if seq == h.seq + 1 {
            return record::mac(t.backend, t.key.bytes(), &h.mac, body).is_ok_and(|m| m == *mac);
        }
        // Several records past the head: their chain is checked by `audit verify`.
        true
    }
}

/// Takes the exclusive lock, waiting at most `timeout`.
fn lock(f: &File, timeout: Duration) -> Result<(), String> {
    let start = Instant::now();
    let mut pause = Duration::from_millis(1);
    loop {
        match f.try_lock() {
            Ok(()) => return Ok(()),
            Err(std::fs::TryLockError::WouldBlock) if start.elapsed() < timeout => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(20));
            }
            Err(std::fs::TryLockError::WouldBlock) => {
                return Err(format!(
                    "another process held the log's lock for more than {} ms",
                    timeout.as_millis()
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(format!("cannot lock: {e}")),
        }
    }
}

/// The file's length, its last line, and whether that line is unfinished. Reads a small
/// window first, a larger one when the last line does not fit in it.
fn read_tail(mut f: &File, len: u64) -> Result<(u64, Tail, bool), String> {
    if len == 0 {
        return Ok((0, Tail::Empty, false));
    }
    let mut buf = Vec::new();
    let mut start = 0;
    for window in [SMALL_WINDOW, TAIL_WINDOW] {
        start = len.saturating_sub(window);
        buf.clear();
        f.seek(SeekFrom::Start(start))
            .and_then(|_| f.take(len - start).read_to_end(&mut buf))
            .map_err(|e| format!("cannot read: {e}"))?;
        // Enough when the window holds the newline before the last line (or the whole file).
        let body = buf.strip_suffix(b"\n").unwrap_or(&buf);
        if start == 0 || body.contains(&b'\n') {
            break;
        }
    }
    let torn = buf.last() != Some(&b'\n');
    // The last complete line: a torn one (a writer that died mid-line) is not a record.
    let complete = match buf.iter().rposition(|&b| b == b'\n') {
        Some(end) => &buf[..end],
        None if start == 0 => &[][..],
        None => return Ok((len, Tail::Damaged, torn)),
    };
    if complete.is_empty() && torn && start == 0 {
        return Ok((len, Tail::Damaged, torn));
    }
    let text = String::from_utf8_lossy(complete);
    let last = text.rsplit('\n').next().unwrap_or("");
    let tail = record::split(last)
        .and_then(|(body, mac)| {
            let p = record::Parsed::of(&body)?;
            Some(Tail::Record {
                seq: p.seq,
                mac,
                body,
            })
        })
        .unwrap_or(Tail::Damaged);
    Ok((len, tail, torn))
}

/// The log's path, resolved once.
pub(super) fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}
