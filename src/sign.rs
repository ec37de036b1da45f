//! Signing and verification functions.

use super::{guard, m, mechanism, not_supported, op_args, ptr};
use craton_hsm_core::error::Error;
use cryptoki_sys::*;

/// # Safety
/// `p_mechanism` must be NULL or a valid mechanism.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignInit(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    guard("C_SignInit", || {
        let module = m()?;
        if p_mechanism.is_null() {
            // 3.x: a NULL mechanism ends the active signing operation.
            return module.session_cancel(h, CKF_SIGN);
        }
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        module.sign_init(h, &mech, h_key)
    })
}

/// # Safety
/// Buffers must be NULL or hold their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_Sign(
    h: CK_SESSION_HANDLE,
    p_data: CK_BYTE_PTR,
    ul_data_len: CK_ULONG,
    p_signature: CK_BYTE_PTR,
    pul_signature_len: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_Sign", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let args = unsafe { ptr::input(p_data, ul_data_len, Error::DataLenRange) }
            // SAFETY: caller's contract.
            .and_then(|d| unsafe { ptr::out(pul_signature_len) }.map(|_| d));
        let data = op_args(&module, h, CKF_SIGN, args)?;
        // SAFETY: caller's contract.
        unsafe {
            ptr::deliver(p_signature, pul_signature_len, |out| {
                module.sign(h, Some(data), out)
            })
        }
    })
}

/// # Safety
/// `p_part` must be NULL or hold `ul_part_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignUpdate(
    h: CK_SESSION_HANDLE,
    p_part: CK_BYTE_PTR,
    ul_part_len: CK_ULONG,
) -> CK_RV {
    guard("C_SignUpdate", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let args = unsafe { ptr::input(p_part, ul_part_len, Error::DataLenRange) };
        let part = op_args(&module, h, CKF_SIGN, args)?;
        module.sign_update(h, part)
    })
}

/// # Safety
/// `p_signature` must be NULL or hold `*pul_signature_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignFinal(
    h: CK_SESSION_HANDLE,
    p_signature: CK_BYTE_PTR,
    pul_signature_len: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_SignFinal", || {
        let module = m()?;
        // SAFETY: caller's contract.
        op_args(&module, h, CKF_SIGN, unsafe { ptr::out(pul_signature_len) })?;
        // SAFETY: caller's contract.
        unsafe {
            ptr::deliver(p_signature, pul_signature_len, |out| {
                module.sign(h, None, out)
            })
        }
    })
}

/// # Safety
/// `p_mechanism` must be NULL or a valid mechanism.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyInit(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    guard("C_VerifyInit", || {
        let module = m()?;
        if p_mechanism.is_null() {
            // 3.x: a NULL mechanism ends the active verification.
            return module.session_cancel(h, CKF_VERIFY);
        }
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        module.verify_init(h, &mech, h_key)
    })
}

/// # Safety
/// Buffers must be NULL or hold their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_Verify(
    h: CK_SESSION_HANDLE,
    p_data: CK_BYTE_PTR,
    ul_data_len: CK_ULONG,
    p_signature: CK_BYTE_PTR,
    ul_signature_len: CK_ULONG,
) -> CK_RV {
    guard("C_Verify", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let args = unsafe {
            ptr::input(p_data, ul_data_len, Error::DataLenRange).and_then(|d| {
                ptr::input(p_signature, ul_signature_len, Error::SignatureLenRange).map(|s| (d, s))
            })
        };
        let (data, sig) = op_args(&module, h, CKF_VERIFY, args)?;
        module.verify(h, Some(data), sig)
    })
}

/// # Safety
/// `p_part` must be NULL or hold `ul_part_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyUpdate(
    h: CK_SESSION_HANDLE,
    p_part: CK_BYTE_PTR,
    ul_part_len: CK_ULONG,
) -> CK_RV {
    guard("C_VerifyUpdate", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let args = unsafe { ptr::input(p_part, ul_part_len, Error::DataLenRange) };
        let part = op_args(&module, h, CKF_VERIFY, args)?;
        module.verify_update(h, part)
    })
}

/// # Safety
/// `p_signature` must be NULL or hold `ul_signature_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyFinal(
    h: CK_SESSION_HANDLE,
    p_signature: CK_BYTE_PTR,
    ul_signature_len: CK_ULONG,
) -> CK_RV {
    guard("C_VerifyFinal", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let args = unsafe { ptr::input(p_signature, ul_signature_len, Error::SignatureLenRange) };
        let sig = op_args(&module, h, CKF_VERIFY, args)?;
        module.verify(h, None, sig)
    })
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignRecoverInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    not_supported("C_SignRecoverInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignRecover(
    _h: CK_SESSION_HANDLE,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
    _p_signature: CK_BYTE_PTR,
    _pul_signature_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_SignRecover")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyRecoverInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    not_supported("C_VerifyRecoverInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyRecover(
    _h: CK_SESSION_HANDLE,
    _p_signature: CK_BYTE_PTR,
    _ul_signature_len: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _pul_data_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_VerifyRecover")
}
