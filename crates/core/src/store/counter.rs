//! The highest token-record counter a token has reached, kept in a file beside its database
//! (`token-N.counter`). A database put back from an earlier copy carries a lower counter, and
//! the token refuses logins until an operator decides (docs/security.md). An attacker who
//! rewrites both files is not stopped: that needs a monotonic counter in hardware.

use std::io::Write;
use std::path::{Path, PathBuf};

const HEADER: &str = "craton-hsm token counter v1";

pub(super) struct CounterFile {
    path: PathBuf,
}

impl CounterFile {
    /// The counter file of the database at `db`.
    pub(super) fn beside(db: &Path) -> CounterFile {
        CounterFile {
            path: db.with_extension("counter"),
        }
    }

    /// The highest counter recorded for the token `serial` (0 when there is none: a new
    /// token, another token's file, or a file an operator removed to accept a restore).
    pub(super) fn highest(&self, serial: &str) -> u64 {
        let Ok(text) = std::fs::read_to_string(&self.path) else {
            return 0;
        };
        let mut lines = text.lines();
        match (lines.next(), lines.next(), lines.next()) {
            (Some(HEADER), Some(s), Some(c)) if s == serial => c.parse().unwrap_or(0),
            _ => 0,
        }
    }

    /// Whether `counter` is below what the token `serial` has already reached. Only for a
    /// record read under the database's write lock (no commit can come between the reads).
    pub(super) fn is_behind(&self, serial: &str, counter: u64) -> bool {
        counter < self.highest(serial)
    }

    /// Records that the token reached `counter` (the file never goes down). A failed write
    /// only weakens the check, so it is logged, not fatal.
    pub(super) fn reached(&self, serial: &str, counter: u64) {
        if counter <= self.highest(serial) {
            return;
        }
        if let Err(e) = self.write(serial, counter) {
            tracing::warn!("token counter file {}: {e}", self.path.display());
        }
    }

    /// Replaces the file atomically (a new file renamed over the old), mode 0600.
    fn write(&self, serial: &str, counter: u64) -> std::io::Result<()> {
        let tmp = self
            .path
            .with_extension(format!("counter.{}", std::process::id()));
        let mut o = std::fs::OpenOptions::new();
        o.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
        let mut f = o.open(&tmp)?;
        writeln!(f, "{HEADER}\n{serial}\n{counter}")?;
        drop(f);
        std::fs::rename(&tmp, &self.path)
    }
}
