//! Pointer and buffer helpers: every raw pointer a caller hands us is checked here before it
//! becomes a Rust reference or slice.

use craton_hsm_core::error::{Error, Result};
use craton_hsm_core::limits::MAX_BUFFER_LEN;
use craton_hsm_core::session::operation::{OutBuf, Output};
use cryptoki_sys::*;

/// A caller's input buffer. A NULL pointer is allowed only with a zero length; a length above
/// `MAX_BUFFER_LEN` is `CKR_ARGUMENTS_BAD` (see `bytes_or` for the functions with a length code).
///
/// # Safety
/// `p` must be NULL or point to `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn bytes<'a>(p: *const CK_BYTE, len: CK_ULONG) -> Result<&'a [u8]> {
    // SAFETY: caller's contract.
    unsafe { bytes_or(p, len, MAX_BUFFER_LEN, Error::ArgumentsBad) }
}

/// A caller's input buffer of at most `max` bytes; longer is `too_long` (the function's own
/// length code, such as `CKR_DATA_LEN_RANGE`), decided before the buffer is touched.
///
/// # Safety
/// `p` must be NULL or point to `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn bytes_or<'a>(
    p: *const CK_BYTE,
    len: CK_ULONG,
    max: usize,
    too_long: Error,
) -> Result<&'a [u8]> {
    if len == 0 {
        return Ok(&[]);
    }
    let len = usize::try_from(len)
        .ok()
        .filter(|l| *l <= max)
        .ok_or(too_long)?;
    if p.is_null() {
        return Err(Error::ArgumentsBad);
    }
    // SAFETY: non-NULL, a length no caller can have meant to exceed, and by the caller's
    // contract `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(p, len) })
}

/// Operation input (data, ciphertext, signature) with the function's length code.
///
/// # Safety
/// `p` must be NULL or point to `len` readable bytes that outlive `'a`.
pub(crate) unsafe fn input<'a>(
    p: *const CK_BYTE,
    len: CK_ULONG,
    too_long: Error,
) -> Result<&'a [u8]> {
    // SAFETY: caller's contract.
    unsafe { bytes_or(p, len, MAX_BUFFER_LEN, too_long) }
}

/// A caller's output buffer of `len` bytes (may be empty).
///
/// # Safety
/// `p` must be NULL or point to `len` writable bytes that outlive `'a`.
pub(crate) unsafe fn bytes_mut<'a>(p: *mut CK_BYTE, len: CK_ULONG) -> Result<&'a mut [u8]> {
    if len == 0 {
        return Ok(&mut []);
    }
    let len = usize::try_from(len)
        .ok()
        .filter(|l| *l <= MAX_BUFFER_LEN)
        .ok_or(Error::ArgumentsBad)?;
    if p.is_null() {
        return Err(Error::ArgumentsBad);
    }
    // SAFETY: non-NULL, bounded, and by the caller's contract `len` writable bytes.
    Ok(unsafe { std::slice::from_raw_parts_mut(p, len) })
}

/// A caller's array of `count` elements, at most `max` of them (`CKR_ARGUMENTS_BAD` above).
///
/// # Safety
/// `p` must be NULL or point to `count` readable elements that outlive `'a`.
pub(crate) unsafe fn array<'a, T>(p: *const T, count: CK_ULONG, max: usize) -> Result<&'a [T]> {
    if count == 0 {
        return Ok(&[]);
    }
    let count = usize::try_from(count)
        .ok()
        .filter(|c| *c <= max)
        .ok_or(Error::ArgumentsBad)?;
    if p.is_null() {
        return Err(Error::ArgumentsBad);
    }
    // SAFETY: non-NULL, bounded, and by the caller's contract `count` readable elements.
    Ok(unsafe { std::slice::from_raw_parts(p, count) })
}

/// A caller's out-parameter.
///
/// # Safety
/// `p` must be NULL or a valid, writable `T`.
pub(crate) unsafe fn out<'a, T>(p: *mut T) -> Result<&'a mut T> {
    // SAFETY: by the caller's contract a non-NULL `p` is valid for writes.
    unsafe { p.as_mut() }.ok_or(Error::ArgumentsBad)
}

/// Applies the output-buffer convention: NULL buffer → length query; too small →
/// `CKR_BUFFER_TOO_SMALL` with the needed length; else the data and its length.
///
/// # Safety
/// `buf` must be NULL or point to `*len` writable bytes; `len` must be NULL or valid.
pub(crate) unsafe fn deliver(
    buf: *mut CK_BYTE,
    len: *mut CK_ULONG,
    f: impl FnOnce(OutBuf) -> Result<Output>,
) -> Result<()> {
    // SAFETY: caller's contract.
    let len = unsafe { out(len)? };
    let request = if buf.is_null() {
        OutBuf::Query
    } else {
        OutBuf::Capacity(usize::try_from(*len).unwrap_or(usize::MAX))
    };
    match f(request)? {
        Output::Length(n) => {
            *len = n as CK_ULONG;
            Ok(())
        }
        Output::TooSmall(n) => {
            *len = n as CK_ULONG;
            Err(Error::BufferTooSmall)
        }
        Output::Data(d) => {
            // The core sizes its output before it runs; a longer result would be its bug, and
            // is refused here rather than written past the caller's buffer.
            if !matches!(request, OutBuf::Capacity(c) if d.len() <= c) {
                craton_hsm_core::crypto::wipe(d);
                return Err(Error::general("output longer than the caller's buffer"));
            }
            // SAFETY: the data fits the capacity the caller gave (checked above).
            let dst = unsafe { bytes_mut(buf, d.len() as CK_ULONG)? };
            dst.copy_from_slice(&d);
            *len = d.len() as CK_ULONG;
            craton_hsm_core::crypto::wipe(d);
            Ok(())
        }
    }
}

/// The two-call convention for arrays of `CK_ULONG`-sized items (slot and mechanism lists).
///
/// # Safety
/// `list` must be NULL or point to `*count` writable elements; `count` must be valid.
pub(crate) unsafe fn deliver_list<T: Copy>(
    list: *mut T,
    count: *mut CK_ULONG,
    items: &[T],
) -> Result<()> {
    // SAFETY: caller's contract.
    let count = unsafe { out(count)? };
    if list.is_null() {
        *count = items.len() as CK_ULONG;
        return Ok(());
    }
    if (*count as usize) < items.len() {
        *count = items.len() as CK_ULONG;
        return Err(Error::BufferTooSmall);
    }
    for (i, item) in items.iter().enumerate() {
        // SAFETY: `i < *count`, within the caller's array.
        unsafe { list.add(i).write(*item) };
    }
    *count = items.len() as CK_ULONG;
    Ok(())
}

/// Writes a blank-padded, not NUL-terminated string field.
pub(crate) fn pad(dst: &mut [u8], s: &str) {
    dst.fill(b' ');
    let mut end = s.len().min(dst.len());
    // Never cut a UTF-8 character in half.
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    dst[..end].copy_from_slice(&s.as_bytes()[..end]);
}

/// Reads a blank-padded label.
pub(crate) fn unpad(src: &[u8]) -> Result<String> {
    let s = std::str::from_utf8(src).map_err(|_| Error::ArgumentsBad)?;
    Ok(s.trim_end_matches([' ', '\0']).to_string())
}
