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
/// rpm puts a header-only OpenPGP signature here: DSA/EdDSA/ECDSA in one, RSA in the other.
const HEADER_SIGNATURE_TAGS: [u32; 2] = [267, 268];
const BIN: u32 = 7;

/// One header structure: index entries (tag, type, offset, count), data store, end offset.
struct Header<'a> {
    entries: Vec<[u32; 4]>,
    store: &'a [u8],
    end: usize,
}

/// An rpm cut where signing can change it.
struct Parts<'a> {
    lead: &'a [u8],
    signature: Header<'a>,
    /// The main header, which the header signature covers.
    header: &'a [u8],
    /// The main header and the payload.
    rest: &'a [u8],
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

/// The header structure at `at`.
fn header_at(b: &[u8], at: usize) -> Result<Header<'_>, String> {
    let intro = b.get(at..at + 16).ok_or("truncated before a header")?;
    if intro[..3] != HEADER_MAGIC {
        return Err(format!("no rpm header at offset {at}"));
    }
    let (count, size) = (be32(intro, 8) as usize, be32(intro, 12) as usize);
    let index = at + 16;
    let store = count
        .checked_mul(16)
        .and_then(|n| n.checked_add(index))
        .ok_or("header index too large")?;
    let end = store.checked_add(size).ok_or("header too large")?;
    if end > b.len() {
        return Err(format!(
            "header at offset {at} runs past the end of the file"
        ));
    }
    let entries = (0..count)
        .map(|i| {
            let e = index + 16 * i;
            [be32(b, e), be32(b, e + 4), be32(b, e + 8), be32(b, e + 12)]
        })
        .collect();
    Ok(Header {
        entries,
        store: &b[store..end],
        end,
    })
}

fn split(b: &[u8]) -> Result<Parts<'_>, String> {
    if b.len() < LEAD_LEN || b[..4] != LEAD_MAGIC {
        return Err("not an rpm (no lead)".into());
    }
    let signature = header_at(b, LEAD_LEN)?;
    // The signature header is padded to a multiple of 8 bytes.
    let main = signature.end.div_ceil(8) * 8;
    let main_end = header_at(b, main)?.end;
    Ok(Parts {
        lead: &b[..LEAD_LEN],
        signature,
        header: &b[main..main_end],
        rest: &b[main..],
    })
}

/// The OpenPGP header signatures of the signature header.
fn header_signatures<'a>(p: &Parts<'a>) -> Result<Vec<&'a [u8]>, String> {
    let store = p.signature.store;
    p.signature
        .entries
        .iter()
        .filter(|[tag, ty, _, _]| HEADER_SIGNATURE_TAGS.contains(tag) && *ty == BIN)
        .map(|&[tag, _, off, len]| {
            store
                .get(off as usize..off as usize + len as usize)
                .ok_or_else(|| format!("signature tag {tag} runs past the signature header"))
        })
        .collect()
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
    rpm::Package::parse(&mut std::io::Cursor::new(signed))
        .and_then(|p| p.verify_digests())
        .map_err(|e| format!("its signature header's digests do not hold: {e}"))?;
    let sigs = header_signatures(&s)?;
    if sigs.is_empty() {
        return Err("not signed: no OpenPGP header signature (rpmsign --addsign)".into());
    }
    let mut last = String::new();
    for sig in sigs {
        match ring.verify(s.header, sig) {
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
