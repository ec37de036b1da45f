//! Signed rpms (`rpmsign --addsign`, what dnf's `gpgcheck` checks) against the release's
//! unsigned, reproducible ones. Signing rewrites only the signature header, so the lead, the
//! main header and the payload must be byte for byte the released package's, and the header's
//! OpenPGP signature must be made by a key of the keyring: a signed package is then provably
//! the released package plus a signature.

use super::openpgp::Keyring;
use super::report::Report;
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

const LEAD_LEN: usize = 96;
const LEAD_MAGIC: [u8; 4] = [0xed, 0xab, 0xee, 0xdb];
const HEADER_MAGIC: [u8; 3] = [0x8e, 0xad, 0xe8];

/// An rpm cut where signing can change it: the `rpm` crate parses packages but does not say
/// where its parts start, and these comparisons need the bytes themselves.
struct Parts<'a> {
    lead: &'a [u8],
    /// The main header, which the header signature covers.
    header: &'a [u8],
    /// The main header and the payload.
    rest: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> usize {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

/// Where the header structure at `at` ends (16-byte intro, 16 bytes an entry, data store).
fn header_end(b: &[u8], at: usize) -> Result<usize, String> {
    let intro = b.get(at..at + 16).ok_or("truncated before a header")?;
    if intro[..3] != HEADER_MAGIC {
        return Err(format!("no rpm header at offset {at}"));
    }
    let end = be32(intro, 8)
        .checked_mul(16)
        .and_then(|n| n.checked_add(at + 16))
        .and_then(|n| n.checked_add(be32(intro, 12)))
        .ok_or("header too large")?;
    if end > b.len() {
        return Err(format!(
            "header at offset {at} runs past the end of the file"
        ));
    }
    Ok(end)
}

fn split(b: &[u8]) -> Result<Parts<'_>, String> {
    if b.len() < LEAD_LEN || b[..4] != LEAD_MAGIC {
        return Err("not an rpm (no lead)".into());
    }
    // The signature header follows the lead, padded to a multiple of 8 bytes.
    let main = header_end(b, LEAD_LEN)?.div_ceil(8) * 8;
    let main_end = header_end(b, main)?;
    Ok(Parts {
        lead: &b[..LEAD_LEN],
        header: &b[main..main_end],
        rest: &b[main..],
    })
}

/// Checks one signed rpm against the released one; returns who signed it.
pub fn check(signed: &[u8], released: &[u8], ring: &Keyring) -> Result<String, String> {
    let s = split(signed)?;
    let r = split(released).map_err(|e| format!("the released package: {e}"))?;
    if s.lead != r.lead {
        return Err("its lead differs from the released package's".into());
    }
    if s.rest != r.rest {
        return Err(
            "its header or payload differs from the released package's: it is not \
             the released package plus a signature"
                .into(),
        );
    }
    let pkg = rpm::Package::parse(&mut std::io::Cursor::new(signed))
        .map_err(|e| format!("not an rpm: {e}"))?;
    pkg.verify_digests()
        .map_err(|e| format!("its signature header's digests do not hold: {e}"))?;
    // The header signatures: rpm 4.20's OPENPGP tag, else the RSA or DSA tag rpm 4.18 writes.
    let sigs = pkg
        .raw_signatures()
        .map_err(|e| format!("unreadable signature header: {e}"))?;
    if sigs.is_empty() {
        return Err("not signed: no OpenPGP header signature (rpmsign --addsign)".into());
    }
    let mut last = String::new();
    for sig in sigs {
        match ring.verify(s.header, &sig) {
            Ok(who) => return Ok(who),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// `verify-release --signed-rpms DIR`: every rpm of DIR is a release rpm plus a good signature,
/// and every release rpm has its signed copy there.
pub fn check_dir(dir: &Path, ring: &Keyring, release: &BTreeMap<String, Vec<u8>>, r: &mut Report) {
    let subject = |n: &str| format!("{}/{n}", dir.display());
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => return r.fail(&dir.display().to_string(), format!("cannot read: {e}")),
    };
    let mut seen = Vec::new();
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if !name.ends_with(".rpm") {
            continue;
        }
        seen.push(name.clone());
        let Some(released) = release.get(&name) else {
            r.fail(&subject(&name), "not an rpm of the release");
            continue;
        };
        let result = fs::read(e.path())
            .map_err(|e| format!("cannot read: {e}"))
            .and_then(|b| check(&b, released, ring));
        match result {
            Ok(who) => r.ok(
                &subject(&name),
                format!("the released {name} plus a good header signature by {who}"),
            ),
            Err(e) => r.fail(&subject(&name), e),
        }
    }
    for name in release.keys().filter(|n| n.ends_with(".rpm")) {
        if !seen.contains(name) {
            r.fail(name, format!("no signed copy in {}", dir.display()));
        }
    }
}
