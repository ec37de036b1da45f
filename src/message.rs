//! The PKCS#11 3.0 message-based functions: not implemented; each returns
//! `CKR_FUNCTION_NOT_SUPPORTED` (listed in docs/pkcs11-coverage.md).

use super::not_supported;
use cryptoki_sys::*;

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageEncryptInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    not_supported("C_MessageEncryptInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_EncryptMessage(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_associated_data: CK_BYTE_PTR,
    _ul_associated_data_len: CK_ULONG,
    _p_plaintext: CK_BYTE_PTR,
    _ul_plaintext_len: CK_ULONG,
    _p_ciphertext: CK_BYTE_PTR,
    _pul_ciphertext_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_EncryptMessage")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_EncryptMessageBegin(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_associated_data: CK_BYTE_PTR,
    _ul_associated_data_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_EncryptMessageBegin")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_EncryptMessageNext(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_plaintext_part: CK_BYTE_PTR,
    _ul_plaintext_part_len: CK_ULONG,
    _p_ciphertext_part: CK_BYTE_PTR,
    _pul_ciphertext_part_len: CK_ULONG_PTR,
    _flags: CK_FLAGS,
) -> CK_RV {
    not_supported("C_EncryptMessageNext")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageEncryptFinal(_h: CK_SESSION_HANDLE) -> CK_RV {
    not_supported("C_MessageEncryptFinal")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageDecryptInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    not_supported("C_MessageDecryptInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DecryptMessage(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_associated_data: CK_BYTE_PTR,
    _ul_associated_data_len: CK_ULONG,
    _p_ciphertext: CK_BYTE_PTR,
    _ul_ciphertext_len: CK_ULONG,
    _p_plaintext: CK_BYTE_PTR,
    _pul_plaintext_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_DecryptMessage")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DecryptMessageBegin(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_associated_data: CK_BYTE_PTR,
    _ul_associated_data_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_DecryptMessageBegin")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DecryptMessageNext(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_ciphertext_part: CK_BYTE_PTR,
    _ul_ciphertext_part_len: CK_ULONG,
    _p_plaintext_part: CK_BYTE_PTR,
    _pul_plaintext_part_len: CK_ULONG_PTR,
    _flags: CK_FLAGS,
) -> CK_RV {
    not_supported("C_DecryptMessageNext")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageDecryptFinal(_h: CK_SESSION_HANDLE) -> CK_RV {
    not_supported("C_MessageDecryptFinal")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageSignInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    not_supported("C_MessageSignInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignMessage(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
    _p_signature: CK_BYTE_PTR,
    _pul_signature_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_SignMessage")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignMessageBegin(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_SignMessageBegin")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignMessageNext(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
    _p_signature: CK_BYTE_PTR,
    _pul_signature_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_SignMessageNext")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageSignFinal(_h: CK_SESSION_HANDLE) -> CK_RV {
    not_supported("C_MessageSignFinal")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageVerifyInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    not_supported("C_MessageVerifyInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyMessage(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
    _p_signature: CK_BYTE_PTR,
    _ul_signature_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_VerifyMessage")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyMessageBegin(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_VerifyMessageBegin")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyMessageNext(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
    _p_signature: CK_BYTE_PTR,
    _ul_signature_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_VerifyMessageNext")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageVerifyFinal(_h: CK_SESSION_HANDLE) -> CK_RV {
    not_supported("C_MessageVerifyFinal")
}
