//! The other PKCS#11 3.2 additions: signature-first verification (implemented), and session
//! validation flags, asynchronous operations and authenticated key wrapping, which return
//! `CKR_FUNCTION_NOT_SUPPORTED` (listed in docs/pkcs11-coverage.md).

use super::{guard, m, mechanism, not_supported, op_args, ptr};
use craton_hsm_core::error::Error;
use cryptoki_sys::*;

/// # Safety
/// `p_mechanism` must be a valid mechanism; `p_signature` NULL or `ul_signature_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifySignatureInit(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_key: CK_OBJECT_HANDLE,
    p_signature: CK_BYTE_PTR,
    ul_signature_len: CK_ULONG,
) -> CK_RV {
    guard("C_VerifySignatureInit", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        // SAFETY: caller's contract.
        let sig = unsafe { ptr::input(p_signature, ul_signature_len, Error::SignatureLenRange)? };
        module.verify_signature_init(h, &mech, h_key, sig)
    })
}

/// # Safety
/// `p_data` must be NULL or hold `ul_data_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifySignature(
    h: CK_SESSION_HANDLE,
    p_data: CK_BYTE_PTR,
    ul_data_len: CK_ULONG,
) -> CK_RV {
    guard("C_VerifySignature", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let args = unsafe { ptr::input(p_data, ul_data_len, Error::DataLenRange) };
        let data = op_args(&module, h, CKF_VERIFY, args)?;
        module.verify_signature(h, Some(data))
    })
}

/// # Safety
/// `p_part` must be NULL or hold `ul_part_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifySignatureUpdate(
    h: CK_SESSION_HANDLE,
    p_part: CK_BYTE_PTR,
    ul_part_len: CK_ULONG,
) -> CK_RV {
    guard("C_VerifySignatureUpdate", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let args = unsafe { ptr::input(p_part, ul_part_len, Error::DataLenRange) };
        let part = op_args(&module, h, CKF_VERIFY, args)?;
        module.verify_signature_update(h, part)
    })
}

/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifySignatureFinal(h: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_VerifySignatureFinal", || m()?.verify_signature(h, None))
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetSessionValidationFlags(
    _h: CK_SESSION_HANDLE,
    _type: CK_SESSION_VALIDATION_FLAGS_TYPE,
    _p_flags: CK_FLAGS_PTR,
) -> CK_RV {
    not_supported("C_GetSessionValidationFlags")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_AsyncComplete(
    _h: CK_SESSION_HANDLE,
    _p_function_name: CK_UTF8CHAR_PTR,
    _p_result: CK_ASYNC_DATA_PTR,
) -> CK_RV {
    not_supported("C_AsyncComplete")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_AsyncGetID(
    _h: CK_SESSION_HANDLE,
    _p_function_name: CK_UTF8CHAR_PTR,
    _pul_id: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_AsyncGetID")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_AsyncJoin(
    _h: CK_SESSION_HANDLE,
    _p_function_name: CK_UTF8CHAR_PTR,
    _ul_id: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _ul_data: CK_ULONG,
) -> CK_RV {
    not_supported("C_AsyncJoin")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_WrapKeyAuthenticated(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_wrapping_key: CK_OBJECT_HANDLE,
    _h_key: CK_OBJECT_HANDLE,
    _p_associated_data: CK_BYTE_PTR,
    _ul_associated_data_len: CK_ULONG,
    _p_wrapped_key: CK_BYTE_PTR,
    _pul_wrapped_key_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_WrapKeyAuthenticated")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_UnwrapKeyAuthenticated(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_unwrapping_key: CK_OBJECT_HANDLE,
    _p_wrapped_key: CK_BYTE_PTR,
    _ul_wrapped_key_len: CK_ULONG,
    _p_template: CK_ATTRIBUTE_PTR,
    _ul_attribute_count: CK_ULONG,
    _p_associated_data: CK_BYTE_PTR,
    _ul_associated_data_len: CK_ULONG,
    _ph_key: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    not_supported("C_UnwrapKeyAuthenticated")
}
