//! The token store: one SQLite database per token (rusqlite, bundled SQLite, WAL mode).
//!
//! Every change is one transaction, so a process killed mid-write leaves the last committed
//! state. Several processes may open the same store; `PRAGMA data_version` tells each when
//! another has committed, and it reloads.
//!
//! Schema 2 authenticates every object row (`auth`, see `seal`) and numbers every write of the
//! token record with a counter that a file beside the database remembers, so that a database
//! put back from an earlier copy is noticed (`counter`). A schema-1 store (no `auth`) is read
//! as before until the first login, which authenticates its rows and moves it to schema 2.

mod counter;
pub(crate) mod seal;

use crate::error::{Error, Result};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Duration;

/// How long a writer waits for another process's transaction to finish.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);
/// Objects carry `auth`; the token record carries its write counter.
const SCHEMA_VERSION: i64 = 2;
/// The first schema: rows without `auth`, the token record alone.
const LEGACY_SCHEMA: i64 = 1;

/// SQLite failures are the token's device errors.
trait Db<T> {
    fn db(self) -> Result<T>;
}

impl<T> Db<T> for rusqlite::Result<T> {
    fn db(self) -> Result<T> {
        self.map_err(|e| Error::device(format!("store: {e}")))
    }
}

/// A PIN as stored: PBKDF2 salt and iteration count beside the verifier, and the token key
/// wrapped under the key derived from this PIN.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct PinRecord {
    pub salt: Vec<u8>,
    pub iterations: u32,
    pub verifier: Vec<u8>,
    pub wrapped_key: Vec<u8>,
}

/// Token state kept in the store.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct TokenRecord {
    pub label: String,
    /// `None` until `C_InitToken`.
    pub so_pin: Option<PinRecord>,
    /// `None` until `C_InitPIN`.
    pub user_pin: Option<PinRecord>,
    pub so_failures: u32,
    pub user_failures: u32,
    /// How many times the record has been written (schema 2; 0 before), stored beside it.
    #[serde(skip)]
    pub counter: u64,
    /// The counter is below what this token has already reached: the database was put back
    /// from an earlier copy (or the counter file is from a later one). Logins are refused.
    #[serde(skip)]
    pub rolled_back: bool,
}

/// The token record as schema 2 stores it: numbered, so an older copy is recognised.
#[derive(Serialize, Deserialize)]
struct NumberedRecord {
    counter: u64,
    record: TokenRecord,
}

impl TokenRecord {
    pub(crate) fn initialized(&self) -> bool {
        self.so_pin.is_some()
    }
}

/// One object row: its identity, generation and the (partly) encrypted attribute blobs.
#[derive(Debug, Clone)]
pub(crate) struct StoredObject {
    pub uid: String,
    pub class: u64,
    pub private: bool,
    pub generation: i64,
    /// Attributes readable without the token key (absent for private objects).
    pub plain: Option<Vec<u8>>,
    /// Attributes under the token key: all of a private object's, or a key's material.
    pub sealed: Option<Vec<u8>>,
    /// The row's digest and, when it was written with the token key, its MAC (`seal`). Empty
    /// for rows of a schema-1 store not yet authenticated.
    pub auth: Vec<u8>,
}

/// A token's database.
pub(crate) struct Store {
    conn: Connection,
    data_version: i64,
    serial: String,
    schema: i64,
    counter: counter::CounterFile,
}

impl Store {
    /// Opens (creating if needed) the store at `path`; `new_serial` names a new token.
    pub(crate) fn open(path: &Path, new_serial: impl FnOnce() -> Result<String>) -> Result<Store> {
        create_private_file(path)?;
        let conn = Connection::open(path).db()?;
        conn.busy_timeout(BUSY_TIMEOUT).db()?;
        conn.pragma_update(None, "journal_mode", "WAL").db()?;
        conn.pragma_update(None, "synchronous", "FULL").db()?;
        conn.pragma_update(None, "foreign_keys", "ON").db()?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value BLOB NOT NULL);
             CREATE TABLE IF NOT EXISTS objects (
                 uid TEXT PRIMARY KEY,
                 class INTEGER NOT NULL,
                 private INTEGER NOT NULL,
                 generation INTEGER NOT NULL,
                 plain BLOB,
                 sealed BLOB,
                 auth BLOB
             );",
        )
        .db()?;
        let mut store = Store {
            conn,
            data_version: -1,
            serial: String::new(),
            schema: SCHEMA_VERSION,
            counter: counter::CounterFile::beside(path),
        };
        (store.serial, store.schema) = store.ensure_identity(new_serial)?;
        store.data_version = store.read_data_version()?;
        Ok(store)
    }

    /// Schema version check and the token's serial number, created once. A schema-1 store
    /// gains the (empty) `auth` column and stays at schema 1 until `authenticate_legacy`.
    fn ensure_identity(
        &mut self,
        new_serial: impl FnOnce() -> Result<String>,
    ) -> Result<(String, i64)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let version: Option<Vec<u8>> = tx
            .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
                r.get(0)
            })
            .optional()
            .db()?;
        let schema = match version {
            None => {
                write_meta(&tx, "schema", &SCHEMA_VERSION.to_le_bytes())?;
                SCHEMA_VERSION
            }
            Some(v) if v == SCHEMA_VERSION.to_le_bytes() => SCHEMA_VERSION,
            Some(v) if v == LEGACY_SCHEMA.to_le_bytes() => {
                let has_auth: bool = tx
                    .query_row(
                        "SELECT COUNT(*) FROM pragma_table_info('objects') WHERE name = 'auth'",
                        [],
                        |r| r.get::<_, i64>(0).map(|n| n > 0),
                    )
                    .db()?;
                if !has_auth {
                    tx.execute("ALTER TABLE objects ADD COLUMN auth BLOB", [])
                        .db()?;
                }
                LEGACY_SCHEMA
            }
            Some(_) => {
                return Err(Error::device(
                    "store was written by an incompatible version",
                ));
            }
        };
        let serial: Option<Vec<u8>> = tx
            .query_row("SELECT value FROM meta WHERE key = 'serial'", [], |r| {
                r.get(0)
            })
            .optional()
            .db()?;
        let serial = match serial {
            Some(s) => String::from_utf8(s).map_err(|_| Error::device("bad serial"))?,
            None => {
                let s = new_serial()?;
                tx.execute(
                    "INSERT INTO meta (key, value) VALUES ('serial', ?1)",
                    params![s.as_bytes().to_vec()],
                )
                .db()?;
                s
            }
        };
        tx.commit().db()?;
        Ok((serial, schema))
    }

    pub(crate) fn serial(&self) -> &str {
        &self.serial
    }

    /// Rows of a schema-1 store are read without authentication until the first login.
    pub(crate) fn legacy(&self) -> bool {
        self.schema == LEGACY_SCHEMA
    }

    /// Asked before every object lookup: the statement is prepared once.
    fn read_data_version(&self) -> Result<i64> {
        self.conn
            .prepare_cached("PRAGMA data_version")
            .and_then(|mut q| q.query_row([], |r| r.get(0)))
            .db()
    }

    /// Whether another connection committed since the last call.
    pub(crate) fn changed_elsewhere(&mut self) -> Result<bool> {
        let v = self.read_data_version()?;
        let changed = v != self.data_version;
        self.data_version = v;
        Ok(changed)
    }

    pub(crate) fn load_token(&self) -> Result<TokenRecord> {
        // The file first: it is written only after a commit, so the record read next is at
        // least as new unless the database really went back. Read the other way round, another
        // process's write between the two reads would look like a rollback.
        let floor = self.counter.highest(&self.serial);
        let raw = read_meta(&self.conn, "token")?;
        let mut rec = decode_token(raw.as_deref(), self.schema)?;
        if self.schema == LEGACY_SCHEMA {
            return Ok(rec);
        }
        rec.rolled_back = rec.counter < floor;
        if !rec.rolled_back {
            // A store from before the counter file, or one whose file was removed.
            self.counter.reached(&self.serial, rec.counter);
        } else {
            tracing::error!(
                serial = %self.serial,
                counter = rec.counter,
                "token store is older than this token's last write (put back from a copy?); \
                 logins are refused (docs/security.md)"
            );
        }
        Ok(rec)
    }

    /// Reads, changes and writes the token record in one immediate transaction, so
    /// concurrent processes never lose each other's updates (failure counters, PINs).
    pub(crate) fn update_token<T>(
        &mut self,
        f: impl FnOnce(&mut TokenRecord) -> Result<T>,
    ) -> Result<(T, TokenRecord)> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let raw = read_meta(&tx, "token")?;
        let mut rec = decode_token(raw.as_deref(), self.schema)?;
        refuse_rolled_back(self.schema, &self.counter, &self.serial, &rec)?;
        let out = f(&mut rec);
        // Counters must persist even when the closure reports a PIN failure.
        write_token(&tx, &mut rec, self.schema)?;
        tx.commit().db()?;
        self.counter.reached(&self.serial, rec.counter);
        Ok((out?, rec))
    }

    /// `C_InitToken`: a new token record and no objects, under a new `epoch` (the token key
    /// changed, so other processes must drop the one they hold). The record's counter goes on
    /// from the old one's.
    pub(crate) fn reset(&mut self, rec: &TokenRecord, epoch: &[u8]) -> Result<TokenRecord> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let old = decode_token(read_meta(&tx, "token")?.as_deref(), self.schema)?;
        refuse_rolled_back(self.schema, &self.counter, &self.serial, &old)?;
        tx.execute("DELETE FROM objects", []).db()?;
        let mut rec = rec.clone();
        rec.counter = old.counter;
        write_token(&tx, &mut rec, self.schema)?;
        write_meta(&tx, "epoch", epoch)?;
        tx.commit().db()?;
        self.counter.reached(&self.serial, rec.counter);
        Ok(rec)
    }

    /// Reserves `n` values of a token key's GCM invocation counter (SP 800-38D 8.2.1) and
    /// returns the first: the next reservation, by this or any other process, starts after
    /// them, so no two messages under the key share a counter value. One immediate
    /// transaction on the meta table.
    pub(crate) fn reserve_invocations(&mut self, uid: &str, n: u64) -> Result<u64> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        let key = format!("gcm-invocations:{uid}");
        let start = match read_meta(&tx, &key)? {
            None => 0,
            Some(v) => u64::from_be_bytes(
                v.as_slice()
                    .try_into()
                    .map_err(|_| Error::device("GCM invocation counter record damaged"))?,
            ),
        };
        let next = start
            .checked_add(n)
            .ok_or_else(|| Error::FunctionFailed("IV counter exhausted".into()))?;
        write_meta(&tx, &key, &next.to_be_bytes())?;
        tx.commit().db()?;
        Ok(start)
    }

    /// The token key's generation: changes with every `C_InitToken` (empty before the first).
    pub(crate) fn epoch(&self) -> Result<Vec<u8>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key = 'epoch'", [], |r| {
                r.get(0)
            })
            .optional()
            .db()?
            .unwrap_or_default())
    }

    pub(crate) fn load_objects(&self) -> Result<Vec<StoredObject>> {
        let mut stmt = self.conn.prepare(
            "SELECT uid, class, private, generation, plain, sealed, auth FROM objects ORDER BY rowid",
        ).db()?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredObject {
                    uid: r.get(0)?,
                    class: r.get::<_, i64>(1)? as u64,
                    private: r.get(2)?,
                    generation: r.get(3)?,
                    plain: r.get(4)?,
                    sealed: r.get(5)?,
                    auth: r.get::<_, Option<Vec<u8>>>(6)?.unwrap_or_default(),
                })
            })
            .db()?;
        rows.collect::<std::result::Result<Vec<_>, _>>().db()
    }

    /// Inserts several objects in one transaction (a generated key pair).
    pub(crate) fn insert_objects(&mut self, objs: &[StoredObject]) -> Result<()> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        for o in objs {
            tx.execute(
                "INSERT INTO objects (uid, class, private, generation, plain, sealed, auth) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![o.uid, o.class as i64, o.private, o.generation, o.plain, o.sealed, o.auth],
            ).db()?;
        }
        tx.commit().db()?;
        Ok(())
    }

    /// Replaces an object's row if it is still at generation `o.generation - 1`; `false` when
    /// another process changed or deleted it first.
    pub(crate) fn update_object(&mut self, o: &StoredObject) -> Result<bool> {
        let n = self.conn.execute(
            "UPDATE objects SET class = ?2, private = ?3, generation = ?4, plain = ?5, sealed = ?6, auth = ?7 WHERE uid = ?1 AND generation = ?4 - 1",
            params![o.uid, o.class as i64, o.private, o.generation, o.plain, o.sealed, o.auth],
        ).db()?;
        Ok(n == 1)
    }

    pub(crate) fn delete_object(&mut self, uid: &str) -> Result<()> {
        let n = self
            .conn
            .execute("DELETE FROM objects WHERE uid = ?1", params![uid])
            .db()?;
        if n == 0 {
            return Err(Error::ObjectHandleInvalid);
        }
        Ok(())
    }

    /// Moves a schema-1 store to schema 2 in one transaction: `auth` for every row (computed
    /// by `authenticate` with the token key; `None` leaves a row that cannot be opened as it
    /// is, to be refused from now on) and the numbered token record.
    pub(crate) fn authenticate_legacy(
        &mut self,
        authenticate: impl Fn(&StoredObject) -> Option<Vec<u8>>,
    ) -> Result<()> {
        let rows = self.load_objects()?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .db()?;
        for row in rows.iter().filter(|r| r.auth.is_empty()) {
            if let Some(auth) = authenticate(row) {
                tx.execute(
                    "UPDATE objects SET auth = ?2 WHERE uid = ?1",
                    params![row.uid, auth],
                )
                .db()?;
            }
        }
        let mut rec = decode_token(read_meta(&tx, "token")?.as_deref(), LEGACY_SCHEMA)?;
        write_token(&tx, &mut rec, SCHEMA_VERSION)?;
        write_meta(&tx, "schema", &SCHEMA_VERSION.to_le_bytes())?;
        tx.commit().db()?;
        self.schema = SCHEMA_VERSION;
        self.counter.reached(&self.serial, rec.counter);
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

/// Nothing is written over a record older than the token's last write: counting on from it
/// would hide the rollback.
fn refuse_rolled_back(
    schema: i64,
    counter: &counter::CounterFile,
    serial: &str,
    rec: &TokenRecord,
) -> Result<()> {
    if schema == SCHEMA_VERSION && counter.is_behind(serial, rec.counter) {
        return Err(Error::device(
            "token store put back from an earlier copy; see docs/security.md",
        ));
    }
    Ok(())
}

fn read_meta(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>> {
    conn.query_row("SELECT value FROM meta WHERE key = ?1", params![key], |r| {
        r.get(0)
    })
    .optional()
    .db()
}

fn write_meta(conn: &Connection, key: &str, value: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    ).db()?;
    Ok(())
}

/// Both token-record decoders, for the fuzz target.
#[cfg(feature = "fuzzing")]
pub(crate) fn fuzz_token_record(bytes: &[u8]) {
    let _ = decode_token(Some(bytes), LEGACY_SCHEMA);
    let _ = decode_token(Some(bytes), SCHEMA_VERSION);
}

/// The token record as `schema` stores it (none yet: the defaults).
fn decode_token(raw: Option<&[u8]>, schema: i64) -> Result<TokenRecord> {
    let bad = |e: postcard::Error| Error::device(format!("token record: {e}"));
    match raw {
        None => Ok(TokenRecord::default()),
        Some(b) if schema == LEGACY_SCHEMA => postcard::from_bytes(b).map_err(bad),
        Some(b) => {
            let n: NumberedRecord = postcard::from_bytes(b).map_err(bad)?;
            Ok(TokenRecord {
                counter: n.counter,
                ..n.record
            })
        }
    }
}

/// Writes the token record; schema 2 numbers it one past its last write.
fn write_token(conn: &Connection, rec: &mut TokenRecord, schema: i64) -> Result<()> {
    let encode = |e: postcard::Error| Error::general(format!("token record: {e}"));
    let bytes = if schema == LEGACY_SCHEMA {
        postcard::to_allocvec(rec).map_err(encode)?
    } else {
        rec.counter += 1;
        postcard::to_allocvec(&NumberedRecord {
            counter: rec.counter,
            record: rec.clone(),
        })
        .map_err(encode)?
    };
    write_meta(conn, "token", &bytes)
}
