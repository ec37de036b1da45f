//! The token store: one SQLite database per token (rusqlite, bundled SQLite, WAL mode).
//!
//! Every change is one transaction, so a process killed mid-write leaves the last committed
//! state. Several processes may open the same store; `PRAGMA data_version` tells each when
//! another has committed, and it reloads.

pub mod seal;

use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another process's transaction to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
const SCHEMA_VERSION: i64 = 1;

/// A PIN as stored: PBKDF2 salt and iteration count beside the verifier, and the token key
/// wrapped under the key derived from this PIN.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PinRecord {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub verifier: Vec<u8>,
    pub wrapped_key: Vec<u8>,
}

/// Token state kept in the store.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TokenRecord {
    pub label: String,
    /// `None` until `C_InitToken`.
    pub so_pin: Option<PinRecord>,
    /// `None` until `C_InitPIN`.
    pub user_pin: Option<PinRecord>,
    pub so_failures: u32,
    pub user_failures: u32,
}

impl TokenRecord {
    pub fn initialized(&self) -> bool {
        self.so_pin.is_some()
    }
}

/// One object row: its identity, generation and the (partly) encrypted attribute blobs.
#[derive(Debug, Clone)]
pub struct StoredObject {
    pub uid: String,
    pub class: u64,
    pub private: bool,
    pub generation: i64,
    /// Attributes readable without the token key (absent for private objects).
    pub plain: Option<Vec<u8>>,
    /// Attributes under the token key: all of a private object's, or a key's material.
    pub sealed: Option<Vec<u8>>,
}

/// A token's database.
pub struct Store {
    conn: Connection,
    data_version: i64,
    serial: String,
}

impl Store {
    /// Opens (creating if needed) the store at `path`; `new_serial` names a new token.
    pub fn open(path: &Path, new_serial: impl FnOnce() -> Result<String>) -> Result<Store> {
        create_private_file(path)?;
        let conn = Connection::open(path)?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS objects (
                 uid TEXT PRIMARY KEY,
                 class INTEGER NOT NULL,
                 private INTEGER NOT NULL,
                 generation INTEGER NOT NULL,
                 plain BLOB,
                 sealed BLOB
             );",
        )?;
        let mut store = Store {
            conn,
            data_version: -1,
            serial: String::new(),
        };
        store.serial = store.ensure_identity(new_serial)?;
        store.data_version = store.read_data_version()?;
        Ok(store)
    }

    /// Schema version check and the token's serial number, created once.
    fn ensure_identity(&mut self, new_serial: impl FnOnce() -> Result<String>) -> Result<String> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let version: Option<Vec<u8>> = tx
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match version {
            None => {
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('schema', ?1)",
                    params![SCHEMA_VERSION.to_le_bytes().to_vec()],
                )?;
            }
            Some(v) if v == SCHEMA_VERSION.to_le_bytes() => {}
            Some(_) => {
                return Err(Error::device(
                    "store was written by an incompatible version",
                ));
            }
        }
        let serial: Option<Vec<u8>> = tx
            .query_row("SELECT value FROM meta WHERE key = 'serial'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let serial = match serial {
            Some(s) => String::from_utf8(s).map_err(|_| Error::device("bad serial"))?,
            None => {
                let s = new_serial()?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('serial', ?1)",
                    params![s.as_bytes().to_vec()],
                )?;
                s
            }
        };
        tx.commit()?;
        Ok(serial)
    }

    pub fn serial(&self) -> &str {
        &self.serial
    }

    fn read_data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .pragma_query_value(None, "data_version", |r| r.get(0))?)
    }

    /// Whether another connection committed since the last call.
    pub fn changed_elsewhere(&mut self) -> Result<bool> {
        let v = self.read_data_version()?;
        let changed = v != self.data_version;
        self.data_version = v;
        Ok(changed)
    }

    pub fn load_token(&self) -> Result<TokenRecord> {
        let raw: Option<Vec<u8>> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'token'", [], |r| {
                r.get(0)
            })
            .optional()?;
        match raw {
            Some(b) => {
                postcard::from_bytes(&b).map_err(|e| Error::device(format!("token record: {e}")))
            }
            None => Ok(TokenRecord::default()),
        }
    }

    /// Reads, changes and writes the token record in one immediate transaction, so
    /// concurrent processes never lose each other's updates (failure counters, PINs).
    pub fn update_token<T>(
        &mut self,
        f: impl FnOnce(&mut TokenRecord) -> Result<T>,
    ) -> Result<(T, TokenRecord)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let raw: Option<Vec<u8>> = tx
            .query_row("SELECT value FROM meta WHERE key = 'token'", [], |r| {
                r.get(0)
            })
            .optional()?;
        let mut rec = match raw {
            Some(b) => {
                postcard::from_bytes(&b).map_err(|e| Error::device(format!("token record: {e}")))?
            }
            None => TokenRecord::default(),
        };
        let out = f(&mut rec);
        // Counters must persist even when the closure reports a PIN failure.
        write_token(&tx, &rec)?;
        tx.commit()?;
        Ok((out?, rec))
    }

    /// `C_InitToken`: every object goes and the record is replaced, atomically.
    /// `C_InitToken`: a new token record and no objects, under a new `epoch` (the token key
    /// changed, so other processes must drop the one they hold).
    pub fn reset(&mut self, rec: &TokenRecord, epoch: &[u8]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM objects", [])?;
        write_token(&tx, rec)?;
        tx.execute(
            "INSERT INTO meta (key, value) VALUES ('epoch', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            params![epoch],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The token key's generation: changes with every `C_InitToken` (empty before the first).
    pub fn epoch(&self) -> Result<Vec<u8>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                r.get(0)
            })
            .optional()?
            .unwrap_or_default())
    }

    pub fn load_objects(&self) -> Result<Vec<StoredObject>> {
        let mut stmt = self.conn.prepare(
            "SELECT uid, class, private, generation, plain, sealed FROM objects ORDER BY rowid",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredObject {
                uid: r.get(0)?,
                class: r.get::<_, i64>(1)? as u64,
                private: r.get(2)?,
                generation: r.get(3)?,
                plain: r.get(4)?,
                sealed: r.get(5)?,
            })
        })?;
        rows.collect::<std::result::Result<Vec<_>, _>>()
            .map_err(Error::from)
    }

    pub fn insert_object(&mut self, o: &StoredObject) -> Result<()> {
        self.conn.execute(
            "INSERT INTO objects (uid, class, private, generation, plain, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![o.uid, o.class as i64, o.private, o.generation, o.plain, o.sealed],
        )?;
        Ok(())
    }

    /// Inserts several objects in one transaction (a generated key pair).
    pub fn insert_objects(&mut self, objs: &[StoredObject]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        for o in objs {
            tx.execute(
                "INSERT INTO objects (uid, class, private, generation, plain, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![o.uid, o.class as i64, o.private, o.generation, o.plain, o.sealed],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Replaces an object's contents; fails with `ObjectHandleInvalid` if another process
    /// deleted it meanwhile.
    /// Replaces an object's row if it is still at generation `o.generation - 1`; `false` when
    /// another process changed or deleted it first.
    pub fn update_object(&mut self, o: &StoredObject) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE objects SET class = ?2, private = ?3, generation = ?4, plain = ?5, sealed = ?6 WHERE uid = ?1 AND generation = ?4 - 1",
            params![o.uid, o.class as i64, o.private, o.generation, o.plain, o.sealed],
        )?;
        Ok(n == 1)
    }

    pub fn delete_object(&mut self, uid: &str) -> Result<()> {
        let n = self
            .conn
            .execute("DELETE FROM objects WHERE uid = ?1", params![uid])?;
        if n == 0 {
            return Err(Error::ObjectHandleInvalid);
        }
        Ok(())
    }

    /// Rewrites every sealed blob in one transaction (used when the token key changes).
    pub fn replace_all_objects(&mut self, objs: &[StoredObject]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute("DELETE FROM objects", [])?;
        for o in objs {
            tx.execute(
                "INSERT INTO objects (uid, class, private, generation, plain, sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![o.uid, o.class as i64, o.private, o.generation, o.plain, o.sealed],
            )?;
        }
        tx.commit()?;
        Ok(())
    }
}

/// Creates the database file readable by its owner only (SQLite gives its WAL and shared-memory
/// files the same mode); an existing file is left as it is.
fn create_private_file(path: &Path) -> Result<()> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(false);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
    o.open(path)
        .map(drop)
        .map_err(|e| Error::device(format!("store {}: {e}", path.display())))
}

fn write_token(tx: &rusqlite::Transaction<'_>, rec: &TokenRecord) -> Result<()> {
    let bytes =
        postcard::to_allocvec(rec).map_err(|e| Error::general(format!("token record: {e}")))?;
    tx.execute(
        "INSERT INTO meta (key, value) VALUES ('token', ?1) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![bytes],
    )?;
    Ok(())
}
