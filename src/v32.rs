//! The other PKCS#11 3.2 additions: signature-first verification, session validation flags,
//! asynchronous operations and authenticated key wrapping. Not implemented; each returns
//! `CKR_FUNCTION_NOT_SUPPORTED` (listed in docs/pkcs11-coverage.md).

use super::not_supported;
use cryptoki_sys::*;

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifySignatureInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
    _p_signature: CK_BYTE_PTR,
    _ul_signature_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_VerifySignatureInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifySignature(
    _h: CK_SESSION_HANDLE,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_VerifySignature")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifySignatureUpdate(
    _h: CK_SESSION_HANDLE,
    _p_part: CK_BYTE_PTR,
    _ul_part_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_VerifySignatureUpdate")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifySignatureFinal(_h: CK_SESSION_HANDLE) -> CK_RV {
    not_supported("C_VerifySignatureFinal")
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
