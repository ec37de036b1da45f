//! The audit log: one JSON object per line for every security-relevant call (refused ones
//! included), with the approved-service indicator on cryptographic operations, chained with
//! HMAC-SHA256 under a per-store key so that a deleted, edited, reordered or cut-off record is
//! found by `craton-admin audit verify`. Several processes may append to one log.
//!
//! On by `[audit] path`, and by default in approved-only mode. When the log cannot be written,
//! records wait in a bounded queue; with `on_failure = "refuse"` (forced in approved-only mode)
//! new operations are refused with `CKR_DEVICE_ERROR` until it can be written again.

mod key;
mod record;
mod verify;
mod writer;

pub(crate) use key::KEY_FILE;
pub(crate) use verify::Report as VerifyReport;

use crate::config::{AuditFailure, Config};
use crate::crypto::Provider;
use crate::crypto::rng::SharedRng;
use crate::error::{Error, Result};
use crate::object::Attributes;
use cryptoki_sys::{CK_RV, CK_SESSION_HANDLE, CK_SLOT_ID, CKA_ID, CKA_LABEL};
use key::{AuditKey, HeadFile};
use record::Entry;
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;
use writer::{Target, Writer};

/// What was done.
#[derive(Debug, Clone, Serialize)]
pub enum Operation {
    /// `C_Initialize` of a process (its POST passed).
    Initialize {
        backend: &'static str,
        fips_approved_only: bool,
    },
    InitToken,
    InitPin,
    SetPin,
    Login {
        user_type: u64,
    },
    Logout,
    CreateObject,
    CopyObject,
    DestroyObject,
    SetAttributeValue,
    GenerateKey {
        mechanism: u64,
        fips_approved: bool,
    },
    GenerateKeyPair {
        mechanism: u64,
        fips_approved: bool,
    },
    Digest {
        mechanism: u64,
        fips_approved: bool,
    },
    Sign {
        mechanism: u64,
        fips_approved: bool,
    },
    Verify {
        mechanism: u64,
        fips_approved: bool,
    },
    Encrypt {
        mechanism: u64,
        fips_approved: bool,
    },
    Decrypt {
        mechanism: u64,
        fips_approved: bool,
    },
    WrapKey {
        mechanism: u64,
        fips_approved: bool,
    },
    UnwrapKey {
        mechanism: u64,
        fips_approved: bool,
    },
    DeriveKey {
        mechanism: u64,
        fips_approved: bool,
    },
    Encapsulate {
        mechanism: u64,
        fips_approved: bool,
    },
    Decapsulate {
        mechanism: u64,
        fips_approved: bool,
    },
    GenerateRandom {
        length: u64,
        fips_approved: bool,
    },
    /// The first record of a chain (a store's first log).
    AuditChainStart {},
    /// The first record of a new file: the chain goes on from record `follows`, which is in
    /// the previous file. `noticed` says what happened to the file this process had open.
    AuditFileStart {
        follows: u64,
        prev_mac: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        noticed: Option<&'static str>,
    },
    /// The file ended before the last record written (`last_written`): the records after
    /// `last_found` are missing from it.
    AuditGap {
        last_found: Option<u64>,
        last_written: u64,
        prev_mac: String,
    },
    /// This process could not keep `count` records while the log could not be written.
    AuditRecordsDropped {
        count: u64,
    },
}

impl Operation {
    /// The same operation marked not approved: a call that failed provided no approved
    /// service, whatever it was set up to be.
    pub fn unapproved(mut self) -> Operation {
        if let Some(a) = self.indicator() {
            *a = false;
        }
        self
    }

    /// The approved-service indicator the operation carries, if it is cryptographic.
    pub fn fips_approved(&self) -> Option<bool> {
        self.clone().indicator().map(|a| *a)
    }

    fn indicator(&mut self) -> Option<&mut bool> {
        match self {
            Operation::GenerateKey { fips_approved, .. }
            | Operation::GenerateKeyPair { fips_approved, .. }
            | Operation::Digest { fips_approved, .. }
            | Operation::Sign { fips_approved, .. }
            | Operation::Verify { fips_approved, .. }
            | Operation::Encrypt { fips_approved, .. }
            | Operation::Decrypt { fips_approved, .. }
            | Operation::WrapKey { fips_approved, .. }
            | Operation::UnwrapKey { fips_approved, .. }
            | Operation::DeriveKey { fips_approved, .. }
            | Operation::Encapsulate { fips_approved, .. }
            | Operation::Decapsulate { fips_approved, .. }
            | Operation::GenerateRandom { fips_approved, .. } => Some(fips_approved),
            _ => None,
        }
    }
}

/// How it ended: `"Success"` or `{"Failure": {"rv": "CKR_..."}}`.
#[derive(Debug, Clone, Serialize)]
pub(crate) enum Outcome {
    Success,
    Failure { rv: String },
}

impl Outcome {
    pub(crate) fn of(rv: CK_RV) -> Outcome {
        if rv == cryptoki_sys::CKR_OK {
            Outcome::Success
        } else {
            Outcome::Failure {
                rv: crate::ckr::rv_name(rv),
            }
        }
    }
}

/// Longest label or ID kept in a record (longer ones are cut, and say so).
const MAX_NAME: usize = 128;

/// Which key (or object): its `CKA_ID` in hex and its `CKA_LABEL`. Never key material.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KeyRef {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
}

impl KeyRef {
    /// The identity of an object's attributes, if it has an ID or a label.
    pub fn of(a: &Attributes) -> Option<KeyRef> {
        let id = a.bytes(CKA_ID).filter(|b| !b.is_empty()).map(|b| {
            let mut s = record::hex(&b[..b.len().min(MAX_NAME / 2)]);
            if b.len() > MAX_NAME / 2 {
                s.push('…');
            }
            s
        });
        let label = a.bytes(CKA_LABEL).filter(|b| !b.is_empty()).map(|b| {
            let s = String::from_utf8_lossy(b);
            if s.chars().count() > MAX_NAME {
                s.chars().take(MAX_NAME).chain(['…']).collect()
            } else {
                s.into_owned()
            }
        });
        (id.is_some() || label.is_some()).then_some(KeyRef { id, label })
    }
}

/// One auditable event: the operation, the key it used and the object it made or changed.
#[derive(Debug, Clone)]
pub struct Event {
    pub op: Operation,
    pub key: Option<KeyRef>,
    pub object: Option<KeyRef>,
}

impl Event {
    pub fn new(op: Operation) -> Event {
        Event {
            op,
            key: None,
            object: None,
        }
    }

    /// Sets the approved-service indicator the record carries (cryptographic operations).
    pub fn approve(&mut self, approved: bool) {
        if let Some(a) = self.op.indicator() {
            *a = approved;
        }
    }

    /// The key the operation was performed with.
    pub fn key(mut self, k: Option<KeyRef>) -> Event {
        self.key = k;
        self
    }

    /// The key or object the operation made, changed, destroyed or wrapped.
    pub fn object(mut self, o: Option<KeyRef>) -> Event {
        self.object = o;
        self
    }
}

impl From<Operation> for Event {
    fn from(op: Operation) -> Event {
        Event::new(op)
    }
}

/// Where the log is and how it behaves, from `[audit]`.
#[derive(Debug, Clone)]
pub struct Settings {
    pub path: PathBuf,
    pub refuse: bool,
    pub timeout: Duration,
    pub require_regular: bool,
}

impl Settings {
    /// The log the config asks for (`None`: no audit log). Approved-only mode always keeps
    /// one, refuses service when it cannot be written, and needs a regular file.
    pub fn from_config(config: &Config, storage: &Path) -> Option<Settings> {
        let approved = config.algorithms.fips_approved_only;
        let path = config
            .audit
            .path
            .clone()
            .or_else(|| approved.then(|| storage.join("audit.jsonl")))?;
        let refuse = approved || config.audit.on_failure == Some(AuditFailure::Refuse);
        Some(Settings {
            path: writer::absolute(&path),
            refuse,
            timeout: Duration::from_millis(config.audit.write_timeout_ms),
            require_regular: approved,
        })
    }
}

/// What the status report says about the log.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    pub path: PathBuf,
    pub on_failure: &'static str,
    pub writable: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
    pub pending: usize,
    pub dropped: u64,
    pub key: PathBuf,
    pub head: PathBuf,
}

/// The log of one module instance.
pub struct AuditLog {
    settings: Settings,
    key: AuditKey,
    key_path: PathBuf,
    head: HeadFile,
    backend: &'static Provider,
    writer: Mutex<Writer>,
}

impl AuditLog {
    /// Opens the log at `C_Initialize`, making the store's audit key if it has none, and
    /// writes the process's `Initialize` record. Fails when the file cannot be opened, or
    /// (in refuse mode) written.
    pub fn open(
        settings: Settings,
        storage: &Path,
        backend: &'static Provider,
        rng: &SharedRng,
        first: Event,
    ) -> std::result::Result<AuditLog, String> {
        let (key, fresh) = AuditKey::load_or_create(storage, rng)?;
        if fresh {
            tracing::info!("audit key created in {}", storage.display());
        }
        let log = AuditLog {
            key,
            key_path: storage.join(KEY_FILE),
            head: HeadFile::new(storage),
            backend,
            writer: Mutex::new(Writer::new()),
            settings,
        };
        {
            let mut w = log.lock();
            w.open(&log.target())?;
            w.push(Entry::now(None, None, first, Outcome::Success));
            w.flush(&log.target());
            if let Some(e) = &w.failure
                && log.settings.refuse
            {
                return Err(format!("cannot be written: {e}"));
            }
        }
        Ok(log)
    }

    fn lock(&self) -> MutexGuard<'_, Writer> {
        self.writer.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn target(&self) -> Target<'_> {
        Target {
            path: &self.settings.path,
            head: &self.head,
            key: &self.key,
            backend: self.backend,
            timeout: self.settings.timeout,
            require_regular: self.settings.require_regular,
        }
    }

    pub fn path(&self) -> &Path {
        &self.settings.path
    }

    /// Appends one record (queued if the log cannot be written now).
    pub fn record(
        &self,
        slot: Option<CK_SLOT_ID>,
        session: Option<CK_SESSION_HANDLE>,
        event: Event,
        rv: CK_RV,
    ) {
        let entry = Entry::now(
            slot.map(|s| s as u64),
            session.map(|s| s as u64),
            event,
            Outcome::of(rv),
        );
        let mut w = self.lock();
        w.push(entry);
        w.flush(&self.target());
    }

    /// Whether a new operation may start: in refuse mode, not while records cannot be
    /// written (`CKR_DEVICE_ERROR`). Tries the queued records again first.
    pub fn ready(&self) -> Result<()> {
        if !self.settings.refuse {
            return Ok(());
        }
        let mut w = self.lock();
        if w.failure.is_none() && w.pending.is_empty() {
            return Ok(());
        }
        w.flush(&self.target());
        match &w.failure {
            None => Ok(()),
            Some(e) => Err(Error::device(format!(
                "audit log {} cannot be written ({e}): operations are refused until it can",
                self.settings.path.display()
            ))),
        }
    }

    pub fn status(&self) -> Status {
        let w = self.lock();
        Status {
            path: self.settings.path.clone(),
            on_failure: if self.settings.refuse {
                "refuse"
            } else {
                "continue"
            },
            writable: w.failure.is_none(),
            failure: w.failure.clone(),
            pending: w.pending.len(),
            dropped: w.dropped,
            key: self.key_path.clone(),
            head: self.head.path().to_path_buf(),
        }
    }

    /// Verifies log files (the configured log when `files` is empty) against this store's key.
    pub fn verify(&self, files: &[PathBuf]) -> VerifyReport {
        let files = if files.is_empty() {
            vec![self.settings.path.clone()]
        } else {
            files.to_vec()
        };
        verify::verify(
            self.backend,
            &self.key,
            &self.head,
            &self.settings.path,
            &files,
            self.settings.timeout,
        )
    }
}
