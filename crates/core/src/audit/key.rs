//! The store's audit key (`audit.key`) and the chain head (`audit.head`), both in the token
//! storage directory, both mode 0600. The key is 32 random bytes drawn from the module's DRBG
//! the first time a log is opened; it is never logged and never leaves this module. The head
//! names the last record written (sequence number and MAC), so that `audit verify` notices
//! records cut off the end of the log.

use super::record::{MAC_LEN, hex, unhex};
use crate::crypto::rng::SharedRng;
use crate::crypto::{HashAlg, Provider};
use std::io::Write;
use std::path::{Path, PathBuf};
use zeroize::Zeroizing;

pub(crate) const KEY_FILE: &str = "audit.key";
pub(crate) const HEAD_FILE: &str = "audit.head";
/// Width of the head's JSON text (the longest head is about 190 bytes).
const HEAD_LEN: usize = 224;

/// The HMAC key of the chain.
pub(super) struct AuditKey(Zeroizing<Vec<u8>>);

impl AuditKey {
    pub(super) fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// Loads the key, making it when the store has none. `fresh` says it was just made.
    pub(super) fn load_or_create(dir: &Path, rng: &SharedRng) -> Result<(AuditKey, bool), String> {
        let path = dir.join(KEY_FILE);
        if let Some(k) = read_key(&path)? {
            return Ok((k, false));
        }
        let mut key = Zeroizing::new(vec![0u8; MAC_LEN]);
        rng.generate(&mut key, b"audit key")
            .map_err(|e| format!("audit key: {e}"))?;
        // Written to a private temporary name, then linked into place: another process
        // racing us either links first (we read its key) or finds ours complete.
        let tmp = dir.join(format!(".{KEY_FILE}.{}", std::process::id()));
        let _ = std::fs::remove_file(&tmp);
        write_private(&tmp, &key).map_err(|e| format!("{}: {e}", tmp.display()))?;
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok((AuditKey(key), true)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => read_key(&path)?
                .map(|k| (k, false))
                .ok_or_else(|| format!("{}: empty", path.display())),
            Err(e) => Err(format!("{}: {e}", path.display())),
        }
    }
}

fn read_key(path: &Path) -> Result<Option<AuditKey>, String> {
    match std::fs::read(path) {
        Ok(b) if b.len() == MAC_LEN => {
            tighten(path);
            Ok(Some(AuditKey(Zeroizing::new(b))))
        }
        Ok(b) => {
            let n = b.len();
            drop(Zeroizing::new(b));
            Err(format!(
                "{}: {n} bytes, an audit key has {MAC_LEN}",
                path.display()
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("{}: {e}", path.display())),
    }
}

/// A key readable by others no longer protects anything: say so and close it.
fn tighten(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(m) = std::fs::metadata(path)
            && m.permissions().mode() & 0o077 != 0
        {
            tracing::warn!(
                "{} was readable by others; mode set to 0600",
                path.display()
            );
            let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Creates `path` (which must not exist) with mode 0600 and writes `data`.
pub(super) fn write_private(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    let mut f = o.open(path)?;
    f.write_all(data)
}

/// The last record written: its sequence number and MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Head {
    pub seq: u64,
    pub mac: [u8; MAC_LEN],
}

/// `audit.head`, authenticated under the audit key so that it cannot be forged.
pub(super) struct HeadFile {
    path: PathBuf,
}

#[derive(serde::Serialize, serde::Deserialize)]
struct HeadText {
    seq: u64,
    mac: String,
    check: String,
}

impl HeadFile {
    pub(super) fn new(dir: &Path) -> HeadFile {
        HeadFile {
            path: dir.join(HEAD_FILE),
        }
    }

    pub(super) fn path(&self) -> &Path {
        &self.path
    }

    fn check(be: &Provider, key: &AuditKey, h: &Head) -> Option<[u8; MAC_LEN]> {
        let mut m = be.hmac(HashAlg::Sha256, key.bytes()).ok()?;
        m.update(b"craton-hsm audit head v1");
        m.update(&h.seq.to_be_bytes());
        m.update(&h.mac);
        let out = m.finish();
        out[..MAC_LEN].try_into().ok()
    }

    /// The head, `Ok(None)` when there is none yet, `Err` when it is damaged or forged.
    pub(super) fn read(&self, be: &Provider, key: &AuditKey) -> Result<Option<Head>, String> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("{}: {e}", self.path.display())),
        };
        let bad = || {
            format!(
                "{}: damaged or not written by this store",
                self.path.display()
            )
        };
        let t: HeadText = serde_json::from_str(&text).map_err(|_| bad())?;
        let head = Head {
            seq: t.seq,
            mac: unhex(&t.mac).ok_or_else(bad)?,
        };
        let check = unhex(&t.check).ok_or_else(bad)?;
        let want = Self::check(be, key, &head).ok_or_else(bad)?;
        if !bool::from(subtle::ConstantTimeEq::ct_eq(&want[..], &check[..])) {
            return Err(bad());
        }
        Ok(Some(head))
    }

    /// Overwrites the head in place, at a fixed length (no new inode per record: creating and
    /// deleting a file for every record is slow on filesystems that discard freed blocks). A
    /// write torn by a crash fails the head's check, and the writers then go on from the log.
    pub(super) fn write(&self, be: &Provider, key: &AuditKey, h: &Head) -> Result<(), String> {
        let check = Self::check(be, key, h).ok_or("HMAC unavailable")?;
        let text = serde_json::to_string(&HeadText {
            seq: h.seq,
            mac: hex(&h.mac),
            check: hex(&check),
        })
        .map_err(|e| e.to_string())?;
        // JSON allows trailing blanks: every head has the same length.
        let line = format!("{text:<HEAD_LEN$}\n");
        let err = |e: std::io::Error| format!("{}: {e}", self.path.display());
        let f = match std::fs::OpenOptions::new().write(true).open(&self.path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return write_private(&self.path, line.as_bytes()).map_err(err);
            }
            Err(e) => return Err(err(e)),
        };
        let mut f = f;
        f.write_all(line.as_bytes()).map_err(err)?;
        if f.metadata().map_err(err)?.len() != line.len() as u64 {
            f.set_len(line.len() as u64).map_err(err)?;
        }
        Ok(())
    }
}
