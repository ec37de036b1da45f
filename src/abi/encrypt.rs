//! Encryption and decryption, and the dual-function calls: not implemented yet; each
//! returns `CKR_FUNCTION_NOT_SUPPORTED` (listed in docs/pkcs11-coverage.md).

use super::not_supported;
use cryptoki_sys::*;

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_EncryptInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    not_supported("C_EncryptInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Encrypt(
    _h: CK_SESSION_HANDLE,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
    _p_encrypted: CK_BYTE_PTR,
    _pul_encrypted_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_Encrypt")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_EncryptUpdate(
    _h: CK_SESSION_HANDLE,
    _p_part: CK_BYTE_PTR,
    _ul_part_len: CK_ULONG,
    _p_encrypted_part: CK_BYTE_PTR,
    _pul_encrypted_part_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_EncryptUpdate")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_EncryptFinal(
    _h: CK_SESSION_HANDLE,
    _p_last: CK_BYTE_PTR,
    _pul_last_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_EncryptFinal")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DecryptInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    not_supported("C_DecryptInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_Decrypt(
    _h: CK_SESSION_HANDLE,
    _p_encrypted: CK_BYTE_PTR,
    _ul_encrypted_len: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _pul_data_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_Decrypt")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DecryptUpdate(
    _h: CK_SESSION_HANDLE,
    _p_encrypted_part: CK_BYTE_PTR,
    _ul_encrypted_part_len: CK_ULONG,
    _p_part: CK_BYTE_PTR,
    _pul_part_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_DecryptUpdate")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DecryptFinal(
    _h: CK_SESSION_HANDLE,
    _p_last: CK_BYTE_PTR,
    _pul_last_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_DecryptFinal")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DigestEncryptUpdate(
    _h: CK_SESSION_HANDLE,
    _p_part: CK_BYTE_PTR,
    _ul_part_len: CK_ULONG,
    _p_encrypted_part: CK_BYTE_PTR,
    _pul_encrypted_part_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_DigestEncryptUpdate")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DecryptDigestUpdate(
    _h: CK_SESSION_HANDLE,
    _p_encrypted_part: CK_BYTE_PTR,
    _ul_encrypted_part_len: CK_ULONG,
    _p_part: CK_BYTE_PTR,
    _pul_part_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_DecryptDigestUpdate")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_SignEncryptUpdate(
    _h: CK_SESSION_HANDLE,
    _p_part: CK_BYTE_PTR,
    _ul_part_len: CK_ULONG,
    _p_encrypted_part: CK_BYTE_PTR,
    _pul_encrypted_part_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_SignEncryptUpdate")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_DecryptVerifyUpdate(
    _h: CK_SESSION_HANDLE,
    _p_encrypted_part: CK_BYTE_PTR,
    _ul_encrypted_part_len: CK_ULONG,
    _p_part: CK_BYTE_PTR,
    _pul_part_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_DecryptVerifyUpdate")
}
