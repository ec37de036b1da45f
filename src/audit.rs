//! The audit log: one JSON object per line for every security-relevant call, with the
//! approved-service indicator on cryptographic operations. Enabled by `[audit] path`.

use cryptoki_sys::{CK_RV, CK_SESSION_HANDLE, CK_SLOT_ID};
use serde::Serialize;
use std::fs::{File, OpenOptions};
use std::io::Write;
use std::path::Path;
use std::sync::Mutex;

/// What was done.
#[derive(Debug, Clone, Serialize)]
pub enum Operation {
    InitToken,
    InitPin,
    SetPin,
    Login { user_type: u64 },
    Logout,
    CreateObject,
    CopyObject,
    DestroyObject,
    SetAttributeValue,
    GenerateKey { mechanism: u64, fips_approved: bool },
    GenerateKeyPair { mechanism: u64, fips_approved: bool },
    Digest { mechanism: u64, fips_approved: bool },
    Sign { mechanism: u64, fips_approved: bool },
    Verify { mechanism: u64, fips_approved: bool },
    Encrypt { mechanism: u64, fips_approved: bool },
    Decrypt { mechanism: u64, fips_approved: bool },
    WrapKey { mechanism: u64, fips_approved: bool },
    UnwrapKey { mechanism: u64, fips_approved: bool },
    DeriveKey { mechanism: u64, fips_approved: bool },
    Encapsulate { mechanism: u64, fips_approved: bool },
    Decapsulate { mechanism: u64, fips_approved: bool },
    GenerateRandom { length: u64, fips_approved: bool },
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

/// How it ended.
#[derive(Debug, Clone, Serialize)]
pub enum Outcome {
    Success,
    Failure { rv: String },
}

impl Outcome {
    pub fn of(rv: CK_RV) -> Outcome {
        if rv == cryptoki_sys::CKR_OK {
            Outcome::Success
        } else {
            Outcome::Failure {
                rv: format!("0x{:08X}", rv as u64),
            }
        }
    }
}

#[derive(Serialize)]
struct Record<'a> {
    timestamp: String,
    pid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    slot: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<u64>,
    operation: &'a Operation,
    result: &'a Outcome,
}

/// An append-only JSON-lines file.
pub struct AuditLog {
    file: Mutex<File>,
}

impl AuditLog {
    pub fn open(path: &Path) -> std::io::Result<AuditLog> {
        let mut o = OpenOptions::new();
        o.create(true).append(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        Ok(AuditLog {
            file: Mutex::new(o.open(path)?),
        })
    }

    /// Appends one record. A failed write is logged: auditing never breaks the operation.
    pub fn record(
        &self,
        slot: Option<CK_SLOT_ID>,
        session: Option<CK_SESSION_HANDLE>,
        operation: &Operation,
        result: &Outcome,
    ) {
        let rec = Record {
            timestamp: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            pid: std::process::id(),
            slot: slot.map(|s| s as u64),
            session: session.map(|s| s as u64),
            operation,
            result,
        };
        let Ok(mut line) = serde_json::to_string(&rec) else {
            return;
        };
        line.push('\n');
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = f.write_all(line.as_bytes()) {
            tracing::error!("audit log write failed: {e}");
        }
    }
}
