//! Encryption and decryption. The dual-function calls (`C_DigestEncryptUpdate` and the like)
//! are not implemented and return `CKR_FUNCTION_NOT_SUPPORTED` (docs/pkcs11-coverage.md).

use super::{guard, m, mechanism, not_supported, op_args, ptr};
use craton_hsm_core::crypto::Direction;
use craton_hsm_core::error::Error;
use cryptoki_sys::*;

/// The operation flag of a direction, and its input-length code.
fn flag_and_code(dir: Direction) -> (CK_FLAGS, Error) {
    match dir {
        Direction::Encrypt => (CKF_ENCRYPT, Error::DataLenRange),
        Direction::Decrypt => (CKF_DECRYPT, Error::EncryptedDataLenRange),
    }
}

fn init(
    name: &'static str,
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    key: CK_OBJECT_HANDLE,
    dir: Direction,
) -> CK_RV {
    guard(name, || {
        let module = m()?;
        if p_mechanism.is_null() {
            // 3.x: a NULL mechanism ends the active encryption or decryption.
            return module.session_cancel(h, flag_and_code(dir).0);
        }
        // SAFETY: the exported callers pass the caller's mechanism pointer on.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        module.crypt_init(h, &mech, key, dir)
    })
}

/// # Safety
/// Buffers must be NULL or hold their stated lengths.
unsafe fn single(
    name: &'static str,
    h: CK_SESSION_HANDLE,
    dir: Direction,
    p_in: CK_BYTE_PTR,
    ul_in: CK_ULONG,
    p_out: CK_BYTE_PTR,
    pul_out: CK_ULONG_PTR,
) -> CK_RV {
    guard(name, || {
        let module = m()?;
        let (flag, too_long) = flag_and_code(dir);
        // SAFETY: caller's contract.
        let args = unsafe { ptr::input(p_in, ul_in, too_long) }
            // SAFETY: caller's contract.
            .and_then(|i| unsafe { ptr::out(pul_out) }.map(|_| i));
        let input = op_args(&module, h, flag, args)?;
        // SAFETY: caller's contract.
        unsafe { ptr::deliver(p_out, pul_out, |out| module.crypt(h, dir, input, out)) }
    })
}

/// # Safety
/// Buffers must be NULL or hold their stated lengths.
unsafe fn update(
    name: &'static str,
    h: CK_SESSION_HANDLE,
    dir: Direction,
    p_in: CK_BYTE_PTR,
    ul_in: CK_ULONG,
    p_out: CK_BYTE_PTR,
    pul_out: CK_ULONG_PTR,
) -> CK_RV {
    guard(name, || {
        let module = m()?;
        let (flag, too_long) = flag_and_code(dir);
        // SAFETY: caller's contract.
        let args = unsafe { ptr::input(p_in, ul_in, too_long) }
            // SAFETY: caller's contract.
            .and_then(|i| unsafe { ptr::out(pul_out) }.map(|_| i));
        let input = op_args(&module, h, flag, args)?;
        // SAFETY: caller's contract.
        unsafe {
            ptr::deliver(p_out, pul_out, |out| {
                module.crypt_update(h, dir, input, out)
            })
        }
    })
}

/// # Safety
/// `p_out` must be NULL or hold `*pul_out` bytes.
unsafe fn finish(
    name: &'static str,
    h: CK_SESSION_HANDLE,
    dir: Direction,
    p_out: CK_BYTE_PTR,
    pul_out: CK_ULONG_PTR,
) -> CK_RV {
    guard(name, || {
        let module = m()?;
        // SAFETY: caller's contract.
        op_args(&module, h, flag_and_code(dir).0, unsafe {
            ptr::out(pul_out)
        })?;
        // SAFETY: caller's contract.
        unsafe { ptr::deliver(p_out, pul_out, |out| module.crypt_final(h, dir, out)) }
    })
}

/// # Safety
/// `p_mechanism` must be NULL or a valid mechanism.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_EncryptInit(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    init("C_EncryptInit", h, p_mechanism, h_key, Direction::Encrypt)
}

/// # Safety
/// Buffers must be NULL or hold their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_Encrypt(
    h: CK_SESSION_HANDLE,
    p_data: CK_BYTE_PTR,
    ul_data_len: CK_ULONG,
    p_encrypted: CK_BYTE_PTR,
    pul_encrypted_len: CK_ULONG_PTR,
) -> CK_RV {
    // SAFETY: caller's contract, passed on.
    unsafe {
        single(
            "C_Encrypt",
            h,
            Direction::Encrypt,
            p_data,
            ul_data_len,
            p_encrypted,
            pul_encrypted_len,
        )
    }
}

/// # Safety
/// Buffers must be NULL or hold their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_EncryptUpdate(
    h: CK_SESSION_HANDLE,
    p_part: CK_BYTE_PTR,
    ul_part_len: CK_ULONG,
    p_encrypted_part: CK_BYTE_PTR,
    pul_encrypted_part_len: CK_ULONG_PTR,
) -> CK_RV {
    // SAFETY: caller's contract, passed on.
    unsafe {
        update(
            "C_EncryptUpdate",
            h,
            Direction::Encrypt,
            p_part,
            ul_part_len,
            p_encrypted_part,
            pul_encrypted_part_len,
        )
    }
}

/// # Safety
/// `p_last` must be NULL or hold `*pul_last_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_EncryptFinal(
    h: CK_SESSION_HANDLE,
    p_last: CK_BYTE_PTR,
    pul_last_len: CK_ULONG_PTR,
) -> CK_RV {
    // SAFETY: caller's contract, passed on.
    unsafe {
        finish(
            "C_EncryptFinal",
            h,
            Direction::Encrypt,
            p_last,
            pul_last_len,
        )
    }
}

/// # Safety
/// `p_mechanism` must be NULL or a valid mechanism.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DecryptInit(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    init("C_DecryptInit", h, p_mechanism, h_key, Direction::Decrypt)
}

/// # Safety
/// Buffers must be NULL or hold their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_Decrypt(
    h: CK_SESSION_HANDLE,
    p_encrypted: CK_BYTE_PTR,
    ul_encrypted_len: CK_ULONG,
    p_data: CK_BYTE_PTR,
    pul_data_len: CK_ULONG_PTR,
) -> CK_RV {
    // SAFETY: caller's contract, passed on.
    unsafe {
        single(
            "C_Decrypt",
            h,
            Direction::Decrypt,
            p_encrypted,
            ul_encrypted_len,
            p_data,
            pul_data_len,
        )
    }
}

/// # Safety
/// Buffers must be NULL or hold their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DecryptUpdate(
    h: CK_SESSION_HANDLE,
    p_encrypted_part: CK_BYTE_PTR,
    ul_encrypted_part_len: CK_ULONG,
    p_part: CK_BYTE_PTR,
    pul_part_len: CK_ULONG_PTR,
) -> CK_RV {
    // SAFETY: caller's contract, passed on.
    unsafe {
        update(
            "C_DecryptUpdate",
            h,
            Direction::Decrypt,
            p_encrypted_part,
            ul_encrypted_part_len,
            p_part,
            pul_part_len,
        )
    }
}

/// # Safety
/// `p_last` must be NULL or hold `*pul_last_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DecryptFinal(
    h: CK_SESSION_HANDLE,
    p_last: CK_BYTE_PTR,
    pul_last_len: CK_ULONG_PTR,
) -> CK_RV {
    // SAFETY: caller's contract, passed on.
    unsafe {
        finish(
            "C_DecryptFinal",
            h,
            Direction::Decrypt,
            p_last,
            pul_last_len,
        )
    }
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DigestEncryptUpdate(
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
pub(crate) unsafe extern "C" fn C_DecryptDigestUpdate(
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
pub(crate) unsafe extern "C" fn C_SignEncryptUpdate(
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
pub(crate) unsafe extern "C" fn C_DecryptVerifyUpdate(
    _h: CK_SESSION_HANDLE,
    _p_encrypted_part: CK_BYTE_PTR,
    _ul_encrypted_part_len: CK_ULONG,
    _p_part: CK_BYTE_PTR,
    _pul_part_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_DecryptVerifyUpdate")
}
