//! `CK_ATTRIBUTE` arrays to typed templates and back.

use super::ptr;
use craton_hsm_core::error::{Error, Result};
use craton_hsm_core::limits::{MAX_ATTR_VALUE_LEN, MAX_TEMPLATE_ATTRS};
use craton_hsm_core::object::attribute::{AttrKind, kind_of};
use craton_hsm_core::object::{AttrValue, Template};
use craton_hsm_core::service::AttributeAnswer;
use cryptoki_sys::*;
use std::mem::size_of;

const ULONG: usize = size_of::<CK_ULONG>();

/// Reads a caller's template. Bounded before anything is read: at most `MAX_TEMPLATE_ATTRS`
/// attributes of at most `MAX_ATTR_VALUE_LEN` bytes each, and a template attribute
/// (`CKA_WRAP_TEMPLATE` and the like) may hold plain attributes only — PKCS#11 has no
/// template inside a template, so depth is exactly one and a template pointing at itself is
/// refused rather than followed.
///
/// # Safety
/// `p` must be NULL or point to `count` attributes whose `pValue` buffers are readable.
pub(crate) unsafe fn read_template(p: *const CK_ATTRIBUTE, count: CK_ULONG) -> Result<Template> {
    // SAFETY: caller's contract.
    let attrs = unsafe { ptr::array(p, count, MAX_TEMPLATE_ATTRS)? };
    attrs
        .iter()
        .map(|a| {
            // SAFETY: each attribute's buffer is readable by the caller's contract.
            let value = match unsafe { read_plain(a)? } {
                Plain::Value(v) => v,
                // SAFETY: as above; the nested attributes are read as plain values only.
                Plain::Template => unsafe { read_nested(a)? },
            };
            Ok((a.type_, value))
        })
        .collect()
}

/// A value read without following pointers inside it.
enum Plain {
    Value(AttrValue),
    /// A template attribute: an array of further attributes.
    Template,
}

/// # Safety
/// `a.pValue` must be NULL or point to `a.ulValueLen` readable bytes.
unsafe fn read_plain(a: &CK_ATTRIBUTE) -> Result<Plain> {
    let kind = kind_of(a.type_).ok_or(Error::AttributeTypeInvalid)?;
    if kind == AttrKind::Template {
        return Ok(Plain::Template);
    }
    let invalid = Error::AttributeValueInvalid;
    // SAFETY: caller's contract; the length is bounded before the buffer is touched.
    let raw = unsafe {
        ptr::bytes_or(
            a.pValue as *const u8,
            a.ulValueLen,
            MAX_ATTR_VALUE_LEN,
            invalid.clone(),
        )?
    };
    Ok(Plain::Value(match kind {
        AttrKind::Bool => match raw {
            [b] => AttrValue::Bool(*b != CK_FALSE),
            _ => return Err(invalid),
        },
        AttrKind::Ulong => AttrValue::Ulong(ulong(raw)? as u64),
        AttrKind::Bytes | AttrKind::Date => AttrValue::Bytes(raw.to_vec()),
        AttrKind::MechanismList => {
            if raw.len() % ULONG != 0 {
                return Err(invalid);
            }
            AttrValue::MechanismList(
                raw.chunks(ULONG)
                    .map(|c| ulong(c).map(|v| v as u64))
                    .collect::<Result<_>>()?,
            )
        }
        AttrKind::Template => unreachable!("handled above"),
    }))
}

/// The attributes inside a template attribute: plain values only.
///
/// # Safety
/// `a.pValue` must be NULL or point to `a.ulValueLen` readable bytes holding attributes whose
/// own buffers are readable.
unsafe fn read_nested(a: &CK_ATTRIBUTE) -> Result<AttrValue> {
    let invalid = Error::AttributeValueInvalid;
    let len = usize::try_from(a.ulValueLen)
        .ok()
        .filter(|l| *l <= MAX_ATTR_VALUE_LEN && l % size_of::<CK_ATTRIBUTE>() == 0)
        .ok_or(invalid.clone())?;
    let n = (len / size_of::<CK_ATTRIBUTE>()) as CK_ULONG;
    // SAFETY: the buffer holds `n` attributes (caller's contract), `n` is bounded.
    let inner = unsafe { ptr::array(a.pValue as *const CK_ATTRIBUTE, n, MAX_TEMPLATE_ATTRS) }
        .map_err(|_| invalid.clone())?;
    let mut items = Vec::with_capacity(inner.len());
    for i in inner {
        // SAFETY: each nested buffer follows the same contract.
        match unsafe { read_plain(i)? } {
            Plain::Value(v) => items.push((i.type_ as u64, v)),
            Plain::Template => return Err(invalid),
        }
    }
    Ok(AttrValue::Template(items))
}

fn ulong(raw: &[u8]) -> Result<CK_ULONG> {
    let arr: [u8; ULONG] = raw.try_into().map_err(|_| Error::AttributeValueInvalid)?;
    Ok(CK_ULONG::from_ne_bytes(arr))
}

/// Reads the types of a `C_GetAttributeValue` template (bounded like `read_template`).
///
/// # Safety
/// `p` must be NULL or point to `count` attributes.
pub(crate) unsafe fn read_types(
    p: *const CK_ATTRIBUTE,
    count: CK_ULONG,
) -> Result<Vec<CK_ATTRIBUTE_TYPE>> {
    // SAFETY: caller's contract.
    Ok(unsafe { ptr::array(p, count, MAX_TEMPLATE_ATTRS)? }
        .iter()
        .map(|a| a.type_)
        .collect())
}

/// The bytes of a non-template value as PKCS#11 encodes it.
fn encode(v: &AttrValue) -> Vec<u8> {
    match v {
        AttrValue::Bool(b) => vec![if *b { CK_TRUE } else { CK_FALSE }],
        AttrValue::Ulong(u) => (*u as CK_ULONG).to_ne_bytes().to_vec(),
        AttrValue::Bytes(b) => b.clone(),
        AttrValue::MechanismList(m) => m
            .iter()
            .flat_map(|x| (*x as CK_ULONG).to_ne_bytes())
            .collect(),
        AttrValue::Template(_) => Vec::new(),
    }
}

/// Fills one caller attribute; returns the error to report for it, if any.
///
/// # Safety
/// `a.pValue` must be NULL or point to `a.ulValueLen` writable bytes (for templates, to an
/// array of attributes with writable buffers).
unsafe fn write_value(a: &mut CK_ATTRIBUTE, v: &AttrValue) -> Option<Error> {
    if let AttrValue::Template(items) = v {
        let need = (items.len() * size_of::<CK_ATTRIBUTE>()) as CK_ULONG;
        if a.pValue.is_null() {
            a.ulValueLen = need;
            return None;
        }
        if a.ulValueLen < need {
            a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
            return Some(Error::BufferTooSmall);
        }
        let inner = a.pValue as *mut CK_ATTRIBUTE;
        let mut err = None;
        for (i, (ty, val)) in items.iter().enumerate() {
            // SAFETY: the caller's array holds at least `items.len()` attributes.
            let slot = unsafe { &mut *inner.add(i) };
            slot.type_ = *ty as CK_ATTRIBUTE_TYPE;
            // SAFETY: nested buffers follow the same contract.
            if let Some(e) = unsafe { write_value(slot, val) } {
                err.get_or_insert(e);
            }
        }
        // The exact length, so the caller knows how many entries are real.
        a.ulValueLen = need;
        return err;
    }
    let bytes = encode(v);
    if a.pValue.is_null() {
        a.ulValueLen = bytes.len() as CK_ULONG;
        return None;
    }
    if (a.ulValueLen as usize) < bytes.len() {
        a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
        return Some(Error::BufferTooSmall);
    }
    // SAFETY: the buffer has at least `bytes.len()` writable bytes.
    unsafe { std::ptr::copy_nonoverlapping(bytes.as_ptr(), a.pValue as *mut u8, bytes.len()) };
    a.ulValueLen = bytes.len() as CK_ULONG;
    None
}

/// Writes `C_GetAttributeValue` answers into the caller's template. Every attribute is
/// processed; the first problem found is returned (PKCS#11 3.x 5.8, C_GetAttributeValue).
///
/// # Safety
/// `p` must point to `answers.len()` attributes with valid buffers.
pub(crate) unsafe fn write_answers(
    p: *mut CK_ATTRIBUTE,
    answers: &[AttributeAnswer],
) -> Result<()> {
    let mut first: Option<Error> = None;
    for (i, ans) in answers.iter().enumerate() {
        // SAFETY: the caller's array has `answers.len()` elements.
        let a = unsafe { &mut *p.add(i) };
        let err = match ans {
            // SAFETY: `a`'s buffer is NULL or holds `ulValueLen` writable bytes (caller's contract).
            AttributeAnswer::Value(v) => unsafe { write_value(a, v) },
            AttributeAnswer::Sensitive => {
                a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
                Some(Error::AttributeSensitive)
            }
            AttributeAnswer::Invalid => {
                a.ulValueLen = CK_UNAVAILABLE_INFORMATION;
                Some(Error::AttributeTypeInvalid)
            }
        };
        if let Some(e) = err {
            first.get_or_insert(e);
        }
    }
    first.map_or(Ok(()), Err)
}
