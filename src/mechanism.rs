//! `CK_MECHANISM` to a typed `Mechanism`. The ABI only follows pointers: the family that owns
//! the mechanism declares its parameter structure's layout (size, and where its buffers'
//! pointer/length pairs are) and parses the fields from the bytes read here.

use super::{kbkdf, ptr};
use craton_hsm_core::error::{Error, Result};
use craton_hsm_core::limits::MAX_PARAM_LEN;
use craton_hsm_core::mechanism::Mechanism;
use craton_hsm_core::mechanism::families;
use craton_hsm_core::mechanism::raw::{Layout, RawParam};
use cryptoki_sys::*;

/// A buffer of at most `MAX_PARAM_LEN` bytes; a bad pointer or length is a bad parameter,
/// decided before anything is read or allocated.
///
/// # Safety
/// `p` must be NULL or point to `len` readable bytes.
unsafe fn buf(p: *const CK_BYTE, len: CK_ULONG) -> Result<Vec<u8>> {
    // SAFETY: caller's contract.
    unsafe { ptr::bytes_or(p, len, MAX_PARAM_LEN, Error::MechanismParamInvalid) }
        .map(<[u8]>::to_vec)
        .map_err(|_| Error::MechanismParamInvalid)
}

/// A field of type `T` at `offset` in a copied structure.
fn field<T: Copy>(bytes: &[u8], offset: usize) -> Result<T> {
    let end = offset
        .checked_add(size_of::<T>())
        .ok_or(Error::MechanismParamInvalid)?;
    let b = bytes.get(offset..end).ok_or(Error::MechanismParamInvalid)?;
    // SAFETY: `b` holds exactly `size_of::<T>()` initialised bytes, and `T` is a pointer or a
    // `CK_ULONG` (every bit pattern valid); the read is unaligned-safe.
    Ok(unsafe { std::ptr::read_unaligned(b.as_ptr() as *const T) })
}

/// Copies a parameter structure of exactly `layout.size` bytes and each buffer it points to.
///
/// # Safety
/// `m.pParameter` must be NULL or point to `m.ulParameterLen` readable bytes, and each buffer
/// the structure points to must be readable for its length.
unsafe fn read_struct(m: &CK_MECHANISM, layout: &Layout) -> Result<RawParam> {
    if m.pParameter.is_null() || m.ulParameterLen as usize != layout.size {
        return Err(Error::MechanismParamInvalid);
    }
    // SAFETY: non-NULL and `layout.size` readable bytes by the caller's contract.
    let bytes = unsafe { buf(m.pParameter as *const u8, m.ulParameterLen)? };
    let mut buffers = Vec::with_capacity(layout.buffers.len());
    for &(ptr_off, len_off) in layout.buffers {
        let p: *const CK_BYTE = field(&bytes, ptr_off)?;
        let len: CK_ULONG = field(&bytes, len_off)?;
        // SAFETY: the structure's buffers are readable by the caller's contract.
        buffers.push(unsafe { buf(p, len)? });
    }
    Ok(RawParam::Struct { bytes, buffers })
}

/// Reads a caller's mechanism.
///
/// # Safety
/// `p` must be NULL or a valid `CK_MECHANISM` whose parameter (and any buffers it points
/// to) is readable.
pub(crate) unsafe fn read(p: *const CK_MECHANISM) -> Result<Mechanism> {
    // SAFETY: caller's contract.
    let m = unsafe { p.as_ref() }.ok_or(Error::ArgumentsBad)?;
    let absent = m.pParameter.is_null() || m.ulParameterLen == 0;
    let raw = match families::layout(m.mechanism) {
        // SAFETY: caller's contract.
        _ if kbkdf::takes(m.mechanism) => unsafe { kbkdf::read(m)? },
        Some(layout) if layout.optional && m.pParameter.is_null() => RawParam::None,
        // SAFETY: caller's contract.
        Some(layout) => unsafe { read_struct(m, &layout)? },
        None if absent => RawParam::None,
        // SAFETY: caller's contract.
        None => RawParam::Bytes(unsafe { buf(m.pParameter as *const u8, m.ulParameterLen)? }),
    };
    families::parse(m.mechanism, raw)
}
