//! Message digesting functions.

use super::{guard, m, mechanism, op_args, ptr};
use craton_hsm_core::error::Error;
use cryptoki_sys::*;

/// # Safety
/// `p_mechanism` must be NULL or a valid mechanism.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DigestInit(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
) -> CK_RV {
    guard("C_DigestInit", || {
        let module = m()?;
        if p_mechanism.is_null() {
            // 3.x: a NULL mechanism ends the active digest.
            return module.session_cancel(h, CKF_DIGEST);
        }
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        module.digest_init(h, &mech)
    })
}

/// # Safety
/// Buffers must be NULL or hold their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_Digest(
    h: CK_SESSION_HANDLE,
    p_data: CK_BYTE_PTR,
    ul_data_len: CK_ULONG,
    p_digest: CK_BYTE_PTR,
    pul_digest_len: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_Digest", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let args = unsafe { ptr::input(p_data, ul_data_len, Error::DataLenRange) }
            // SAFETY: caller's contract.
            .and_then(|d| unsafe { ptr::out(pul_digest_len) }.map(|_| d));
        let data = op_args(&module, h, CKF_DIGEST, args)?;
        // SAFETY: caller's contract.
        unsafe { ptr::deliver(p_digest, pul_digest_len, |out| module.digest(h, data, out)) }
    })
}

/// # Safety
/// `p_part` must be NULL or hold `ul_part_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DigestUpdate(
    h: CK_SESSION_HANDLE,
    p_part: CK_BYTE_PTR,
    ul_part_len: CK_ULONG,
) -> CK_RV {
    guard("C_DigestUpdate", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let args = unsafe { ptr::input(p_part, ul_part_len, Error::DataLenRange) };
        let part = op_args(&module, h, CKF_DIGEST, args)?;
        module.digest_update(h, part)
    })
}

/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DigestKey(
    h: CK_SESSION_HANDLE,
    h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    guard("C_DigestKey", || m()?.digest_key(h, h_key))
}

/// # Safety
/// `p_digest` must be NULL or hold `*pul_digest_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DigestFinal(
    h: CK_SESSION_HANDLE,
    p_digest: CK_BYTE_PTR,
    pul_digest_len: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_DigestFinal", || {
        let module = m()?;
        // SAFETY: caller's contract.
        op_args(&module, h, CKF_DIGEST, unsafe { ptr::out(pul_digest_len) })?;
        // SAFETY: caller's contract.
        unsafe { ptr::deliver(p_digest, pul_digest_len, |out| module.digest_final(h, out)) }
    })
}
