//! The token database as an attacker with write access sees it: rows, their authenticators
//! (the format docs/security.md documents) and the attribute encoding, for tests that damage
//! or forge what is stored.

use sha2::{Digest, Sha256};
use std::path::Path;

/// One row of the `objects` table.
pub struct Row {
    pub uid: String,
    pub class: u64,
    pub private: bool,
    pub generation: i64,
    pub plain: Option<Vec<u8>>,
    pub sealed: Option<Vec<u8>>,
    pub auth: Option<Vec<u8>>,
}

pub fn open(db: &Path) -> rusqlite::Connection {
    rusqlite::Connection::open(db).expect("open the token database")
}

pub fn serial(conn: &rusqlite::Connection) -> String {
    let raw: Vec<u8> = conn
        .query_row("SELECT value FROM meta WHERE key = 'serial'", [], |r| {
            r.get(0)
        })
        .unwrap();
    String::from_utf8(raw).unwrap()
}

pub fn rows(conn: &rusqlite::Connection) -> Vec<Row> {
    let mut stmt = conn
        .prepare("SELECT uid, class, private, generation, plain, sealed, auth FROM objects")
        .unwrap();
    stmt.query_map([], |r| {
        Ok(Row {
            uid: r.get(0)?,
            class: r.get::<_, i64>(1)? as u64,
            private: r.get(2)?,
            generation: r.get(3)?,
            plain: r.get(4)?,
            sealed: r.get(5)?,
            auth: r.get(6)?,
        })
    })
    .unwrap()
    .map(Result::unwrap)
    .collect()
}

/// Writes a row back (insert or replace), as is.
pub fn put(conn: &rusqlite::Connection, row: &Row) {
    conn.execute(
        "INSERT OR REPLACE INTO objects (uid, class, private, generation, plain, sealed, auth) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        rusqlite::params![
            row.uid,
            row.class as i64,
            row.private,
            row.generation,
            row.plain,
            row.sealed,
            row.auth
        ],
    )
    .unwrap();
}

/// The bytes a row's authenticator covers (docs/security.md, "What the store's integrity
/// covers").
pub fn row_bytes(serial: &str, row: &Row) -> Vec<u8> {
    fn field(b: &mut Vec<u8>, x: &[u8]) {
        b.extend_from_slice(&(x.len() as u64).to_le_bytes());
        b.extend_from_slice(x);
    }
    fn optional(b: &mut Vec<u8>, x: &Option<Vec<u8>>) {
        match x {
            None => b.push(0),
            Some(x) => {
                b.push(1);
                field(b, x);
            }
        }
    }
    let mut b = b"craton-hsm row v2\0".to_vec();
    field(&mut b, serial.as_bytes());
    field(&mut b, row.uid.as_bytes());
    b.extend_from_slice(&row.class.to_le_bytes());
    b.push(u8::from(row.private));
    b.extend_from_slice(&row.generation.to_le_bytes());
    optional(&mut b, &row.plain);
    optional(&mut b, &row.sealed);
    b
}

/// What anyone can compute: the row's SHA-256 digest (the first 32 bytes of `auth`).
pub fn digest(serial: &str, row: &Row) -> Vec<u8> {
    Sha256::digest(row_bytes(serial, row)).to_vec()
}

/// The stored attribute encoding (postcard): LEB128 integers, enums as variant numbers.
pub mod enc {
    pub fn varint(b: &mut Vec<u8>, mut v: u64) {
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            if v == 0 {
                b.push(byte);
                return;
            }
            b.push(byte | 0x80);
        }
    }

    pub fn ulong(b: &mut Vec<u8>, ty: u64, v: u64) {
        varint(b, ty);
        varint(b, 1);
        varint(b, v);
    }

    pub fn bytes(b: &mut Vec<u8>, ty: u64, v: &[u8]) {
        varint(b, ty);
        varint(b, 2);
        varint(b, v.len() as u64);
        b.extend_from_slice(v);
    }

    /// The entry of a boolean attribute (type, variant 0, value).
    pub fn bool_entry(ty: u64, v: bool) -> Vec<u8> {
        let mut b = Vec::new();
        varint(&mut b, ty);
        varint(&mut b, 0);
        b.push(u8::from(v));
        b
    }

    /// A template attribute nested `depth` levels deep (one template inside the next),
    /// ending in a boolean.
    pub fn nested(b: &mut Vec<u8>, ty: u64, depth: usize) {
        for _ in 0..depth {
            varint(b, ty);
            varint(b, 3);
            varint(b, 1);
        }
        b.extend_from_slice(&bool_entry(ty, true));
    }
}

/// Replaces the first occurrence of `from` in `buf` with `to` (same length).
pub fn patch(buf: &mut [u8], from: &[u8], to: &[u8]) {
    let at = buf
        .windows(from.len())
        .position(|w| w == from)
        .expect("pattern in the stored bytes");
    buf[at..at + to.len()].copy_from_slice(to);
}
