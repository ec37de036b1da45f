//! One audit record on disk, and the MAC chain that links the records.
//!
//! A record is one line: a JSON object whose last member is `"mac"`, the HMAC-SHA256 (under
//! the store's audit key) of the previous record's MAC followed by the object's text without
//! that member. The verifier recovers those exact bytes by cutting the `mac` member off, so no
//! JSON canonicalisation is involved. The first record of a chain uses 32 zero bytes as its
//! predecessor.

use super::{Event, Outcome};
use crate::crypto::{HashAlg, Provider};
use crate::error::Result;
use serde::Serialize;

/// Length of a record MAC.
pub(super) const MAC_LEN: usize = 32;
/// The predecessor of a chain's first record.
pub(super) const CHAIN_START: [u8; MAC_LEN] = [0; MAC_LEN];
/// Longest line the writer produces; longer lines are not records.
pub(super) const MAX_LINE: usize = 8 * 1024;

const MAC_PREFIX: &str = ",\"mac\":\"";
const MAC_SUFFIX: &str = "\"}";

/// One event waiting to be written: everything but its place in the chain.
#[derive(Debug, Clone)]
pub(super) struct Entry {
    pub timestamp: String,
    pub pid: u32,
    pub slot: Option<u64>,
    pub session: Option<u64>,
    pub event: Event,
    pub result: Outcome,
}

impl Entry {
    pub(super) fn now(
        slot: Option<u64>,
        session: Option<u64>,
        event: Event,
        result: Outcome,
    ) -> Entry {
        Entry {
            timestamp: humantime::format_rfc3339_millis(std::time::SystemTime::now()).to_string(),
            pid: std::process::id(),
            slot,
            session,
            event,
            result,
        }
    }
}

/// The record as serialized, field order fixed: the documented shape.
#[derive(Serialize)]
struct Body<'a> {
    seq: u64,
    timestamp: &'a str,
    pid: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    slot: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    session: Option<u64>,
    operation: &'a super::Operation,
    #[serde(skip_serializing_if = "Option::is_none")]
    key: Option<&'a super::KeyRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    object: Option<&'a super::KeyRef>,
    result: &'a Outcome,
}

/// The record's JSON text without its MAC.
pub(super) fn body(seq: u64, e: &Entry) -> String {
    let b = Body {
        seq,
        timestamp: &e.timestamp,
        pid: e.pid,
        slot: e.slot,
        session: e.session,
        operation: &e.event.op,
        key: e.event.key.as_ref(),
        object: e.event.object.as_ref(),
        result: &e.result,
    };
    // Serializing plain data with string keys cannot fail.
    serde_json::to_string(&b).unwrap_or_else(|_| "{}".into())
}

/// HMAC-SHA256 of the previous MAC and this record's body.
pub(super) fn mac(
    be: &Provider,
    key: &[u8],
    prev: &[u8; MAC_LEN],
    body: &str,
) -> Result<[u8; MAC_LEN]> {
    let mut m = be.hmac(HashAlg::Sha256, key)?;
    m.update(prev);
    m.update(body.as_bytes());
    let out = m.finish();
    let mut mac = [0u8; MAC_LEN];
    mac.copy_from_slice(&out[..MAC_LEN]);
    Ok(mac)
}

/// The line to write (with its newline) for a body and its MAC.
pub(super) fn line(body: &str, mac: &[u8; MAC_LEN]) -> String {
    let open = body.strip_suffix('}').unwrap_or(body);
    format!("{open}{MAC_PREFIX}{}{MAC_SUFFIX}\n", hex(mac))
}

/// Splits a line (without its newline) into its body and MAC; `None` if it is not a record.
pub(super) fn split(line: &str) -> Option<(String, [u8; MAC_LEN])> {
    if line.len() > MAX_LINE {
        return None;
    }
    let rest = line.strip_suffix(MAC_SUFFIX)?;
    let at = rest.len().checked_sub(2 * MAC_LEN)?;
    let (head, hexmac) = rest.split_at_checked(at)?;
    let open = head.strip_suffix(MAC_PREFIX)?;
    let mac = unhex(hexmac)?;
    Some((format!("{open}}}"), mac))
}

pub(super) fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

pub(super) fn unhex(s: &str) -> Option<[u8; MAC_LEN]> {
    if s.len() != 2 * MAC_LEN || !s.bytes().all(|c| matches!(c, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; MAC_LEN];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

/// What the verifier and the writer read back from a record's body.
#[derive(Debug, serde::Deserialize)]
pub(super) struct Parsed {
    pub seq: u64,
    pub operation: serde_json::Value,
}

impl Parsed {
    pub(super) fn of(body: &str) -> Option<Parsed> {
        serde_json::from_str(body).ok()
    }

    /// The name of the operation (`"Sign"`, `"AuditFileStart"`, ...).
    pub(super) fn op_name(&self) -> &str {
        match &self.operation {
            serde_json::Value::String(s) => s,
            serde_json::Value::Object(m) => m.keys().next().map_or("", |k| k.as_str()),
            _ => "",
        }
    }

    /// The predecessor MAC a chain-continuation record names (`prev_mac`).
    pub(super) fn prev_mac(&self) -> Option<[u8; MAC_LEN]> {
        let v = self.operation.get(self.op_name())?.get("prev_mac")?;
        unhex(v.as_str()?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_round_trips() {
        let mac = [0xab; MAC_LEN];
        let body = r#"{"seq":1,"operation":"Logout","result":"Success"}"#;
        let l = line(body, &mac);
        assert!(l.ends_with("\"}\n"));
        let (b, m) = split(l.trim_end_matches('\n')).unwrap();
        assert_eq!(b, body);
        assert_eq!(m, mac);
    }

    #[test]
    fn damaged_lines_are_not_records() {
        let l = line(r#"{"seq":1}"#, &[1; MAC_LEN]);
        let l = l.trim_end();
        assert!(split(&l[..l.len() - 1]).is_none());
        assert!(split(&l.replace("\"mac\"", "\"mak\"")).is_none());
        assert!(split(&l.replace("0101", "01G1")).is_none());
        assert!(split("").is_none());
    }
}
