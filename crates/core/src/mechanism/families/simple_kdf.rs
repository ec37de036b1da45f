//! The miscellaneous simple key derivations (PKCS#11 3.x mechanisms 2.43): concatenating a base
//! key with another key or with data, XOR with data, and extracting bits of a key.
//!
//! These are byte manipulations, and on a secret the caller cannot read they are the classic
//! key-extraction attacks (extract one byte into a new key, then brute-force it through any
//! operation the new key allows). So they take only base keys whose value the caller could
//! read anyway: not sensitive and extractable (`CKR_KEY_FUNCTION_NOT_PERMITTED` otherwise,
//! docs/security.md). Never approved.

use super::FamilyDef;
use crate::error::{Error, Result};
use crate::mechanism::Params;
use crate::mechanism::capability::Need;
use crate::mechanism::raw::{Layout, RawParam};
use crate::mechanism::registry::*;
use cryptoki_sys::*;
use std::mem::offset_of;
use zeroize::Zeroizing;

pub static FAMILY: FamilyDef = FamilyDef {
    rows: ROWS,
    layout,
    parse,
    need,
};

const NOT_APPROVED: Approval = No("simple key derivation is outside this module's approved set");

#[rustfmt::skip]
static ROWS: &[MechSpec] = &[
    m(CKM_CONCATENATE_BASE_AND_KEY, "CKM_CONCATENATE_BASE_AND_KEY", SimpleKdf, CKF_DERIVE, SECRET, None, NOT_APPROVED),
    m(CKM_CONCATENATE_BASE_AND_DATA, "CKM_CONCATENATE_BASE_AND_DATA", SimpleKdf, CKF_DERIVE, SECRET, None, NOT_APPROVED),
    m(CKM_CONCATENATE_DATA_AND_BASE, "CKM_CONCATENATE_DATA_AND_BASE", SimpleKdf, CKF_DERIVE, SECRET, None, NOT_APPROVED),
    m(CKM_XOR_BASE_AND_DATA, "CKM_XOR_BASE_AND_DATA", SimpleKdf, CKF_DERIVE, SECRET, None, NOT_APPROVED),
    m(CKM_EXTRACT_KEY_FROM_KEY, "CKM_EXTRACT_KEY_FROM_KEY", SimpleKdf, CKF_DERIVE, SECRET, None, NOT_APPROVED),
];

type Data = CK_KEY_DERIVATION_STRING_DATA;

fn layout(mech: CK_MECHANISM_TYPE) -> Option<Layout> {
    match mech {
        CKM_CONCATENATE_BASE_AND_KEY | CKM_EXTRACT_KEY_FROM_KEY => Some(Layout {
            size: size_of::<CK_ULONG>(),
            buffers: &[],
            optional: false,
        }),
        _ => Some(Layout {
            size: size_of::<Data>(),
            buffers: &[(offset_of!(Data, pData), offset_of!(Data, ulLen))],
            optional: false,
        }),
    }
}

fn parse(mech: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Params> {
    Ok(match mech {
        CKM_CONCATENATE_BASE_AND_KEY => Params::KeyHandle(raw.ulong(0)? as CK_OBJECT_HANDLE),
        CKM_EXTRACT_KEY_FROM_KEY => Params::Extract(raw.ulong(0)?),
        _ => Params::Bytes(raw.buffer(0)?),
    })
}

fn need(_: &MechSpec, op: Op) -> Option<Need> {
    (op == Op::Derive).then_some(Need::Bytes)
}

/// The derived value of a data-only mechanism over the base key's value (the key of
/// `CKM_CONCATENATE_BASE_AND_KEY` is the caller's to fetch). `len` is the template's
/// `CKA_VALUE_LEN`, required by extraction and XOR's truncation.
pub fn derive(
    mech: CK_MECHANISM_TYPE,
    params: &Params,
    base: &[u8],
    other: Option<&[u8]>,
    len: Option<usize>,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::new());
    match (mech, params) {
        (CKM_CONCATENATE_BASE_AND_KEY, Params::KeyHandle(_)) => {
            out.extend_from_slice(base);
            out.extend_from_slice(other.ok_or(Error::MechanismParamInvalid)?);
        }
        (CKM_CONCATENATE_BASE_AND_DATA, Params::Bytes(d)) => {
            out.extend_from_slice(base);
            out.extend_from_slice(d);
        }
        (CKM_CONCATENATE_DATA_AND_BASE, Params::Bytes(d)) => {
            out.extend_from_slice(d);
            out.extend_from_slice(base);
        }
        // As long as the shorter of the two (2.43.6).
        (CKM_XOR_BASE_AND_DATA, Params::Bytes(d)) => {
            out.extend(base.iter().zip(d).map(|(a, b)| a ^ b));
        }
        (CKM_EXTRACT_KEY_FROM_KEY, Params::Extract(bit)) => {
            return extract(base, *bit, len.ok_or(Error::TemplateIncomplete)?);
        }
        _ => return Err(Error::MechanismParamInvalid),
    }
    if out.is_empty() {
        return Err(Error::MechanismParamInvalid);
    }
    match len {
        None => Ok(out),
        Some(l) if l > 0 && l <= out.len() => {
            out.truncate(l);
            Ok(out)
        }
        Some(_) => Err(Error::TemplateInconsistent),
    }
}

/// `len` bytes taken from the base key's bits starting at bit `start` (bit 0 is the most
/// significant of the first byte), wrapping around its end (2.43.7).
fn extract(base: &[u8], start: u64, len: usize) -> Result<Zeroizing<Vec<u8>>> {
    let bits = base.len() as u64 * 8;
    if len == 0 || bits == 0 || len as u64 * 8 > bits {
        return Err(Error::TemplateInconsistent);
    }
    if start >= bits {
        return Err(Error::MechanismParamInvalid);
    }
    let bit = |i: u64| (base[(i / 8) as usize] >> (7 - i % 8)) & 1;
    let mut out = Zeroizing::new(vec![0u8; len]);
    for i in 0..len as u64 * 8 {
        out[(i / 8) as usize] |= bit((start + i) % bits) << (7 - i % 8);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specs_extract_example() {
        // Two bytes from bit 3 of 12 34 56 78 90 01 (the cryptoki suite's example).
        let v = extract(&[0x12, 0x34, 0x56, 0x78, 0x90, 0x01], 3, 2).unwrap();
        assert_eq!(*v, [0x91, 0xA2]);
        // Wrapping around the end of the key.
        let v = extract(&[0x80, 0x01], 15, 1).unwrap();
        assert_eq!(*v, [0xC0]);
        assert!(extract(&[1, 2], 16, 1).is_err());
        assert!(extract(&[1, 2], 0, 3).is_err());
    }

    #[test]
    fn concatenation_and_xor() {
        let d = |b: &[u8]| Params::Bytes(b.to_vec());
        let base = [1u8, 2, 3];
        let got = derive(CKM_CONCATENATE_BASE_AND_DATA, &d(&[4]), &base, None, None).unwrap();
        assert_eq!(*got, [1, 2, 3, 4]);
        let got = derive(
            CKM_CONCATENATE_DATA_AND_BASE,
            &d(&[4]),
            &base,
            None,
            Some(2),
        )
        .unwrap();
        assert_eq!(*got, [4, 1]);
        let got = derive(CKM_XOR_BASE_AND_DATA, &d(&[0xFF, 0xFF]), &base, None, None).unwrap();
        assert_eq!(*got, [0xFE, 0xFD]);
        let k = Params::KeyHandle(7);
        let got = derive(CKM_CONCATENATE_BASE_AND_KEY, &k, &base, Some(&[9]), None).unwrap();
        assert_eq!(*got, [1, 2, 3, 9]);
        assert!(derive(CKM_XOR_BASE_AND_DATA, &d(&[]), &base, None, None).is_err());
        assert!(
            derive(
                CKM_CONCATENATE_BASE_AND_DATA,
                &d(&[4]),
                &base,
                None,
                Some(5)
            )
            .is_err()
        );
    }
}
