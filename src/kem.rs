//! PKCS#11 3.2 key encapsulation: `C_EncapsulateKey`, `C_DecapsulateKey`.

use super::{attribute, guard, m, mechanism, ptr};
use craton_hsm_core::error::Error;
use cryptoki_sys::*;

/// # Safety
/// `p_mechanism` and `p_template` must be valid for their counts; `p_ciphertext` NULL (a
/// length query) or `*pul_ciphertext_len` bytes; `ph_key` writable unless this is a query.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_EncapsulateKey(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_public_key: CK_OBJECT_HANDLE,
    p_template: CK_ATTRIBUTE_PTR,
    ul_attribute_count: CK_ULONG,
    p_ciphertext: CK_BYTE_PTR,
    pul_ciphertext_len: CK_ULONG_PTR,
    ph_key: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    guard("C_EncapsulateKey", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        // SAFETY: caller's contract.
        let tpl = unsafe { attribute::read_template(p_template, ul_attribute_count)? };
        // The handle is written only when a key is made, but must be writable then.
        let key_out = if p_ciphertext.is_null() {
            None
        } else {
            // SAFETY: caller's contract.
            Some(unsafe { ptr::out(ph_key)? })
        };
        let mut made = None;
        // SAFETY: caller's contract.
        unsafe {
            ptr::deliver(p_ciphertext, pul_ciphertext_len, |out| {
                let (output, handle) = module.encapsulate_key(h, &mech, h_public_key, &tpl, out)?;
                made = handle;
                Ok(output)
            })?
        };
        if let (Some(dst), Some(handle)) = (key_out, made) {
            *dst = handle;
        }
        Ok(())
    })
}

/// # Safety
/// Pointers must be valid for their stated lengths and counts; `ph_key` writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DecapsulateKey(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_private_key: CK_OBJECT_HANDLE,
    p_template: CK_ATTRIBUTE_PTR,
    ul_attribute_count: CK_ULONG,
    p_ciphertext: CK_BYTE_PTR,
    ul_ciphertext_len: CK_ULONG,
    ph_key: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    guard("C_DecapsulateKey", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(ph_key)? };
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        // SAFETY: caller's contract.
        let tpl = unsafe { attribute::read_template(p_template, ul_attribute_count)? };
        // SAFETY: caller's contract.
        let ct = unsafe {
            ptr::input(
                p_ciphertext,
                ul_ciphertext_len,
                Error::EncryptedDataLenRange,
            )?
        };
        *out = module.decapsulate_key(h, &mech, h_private_key, &tpl, ct)?;
        Ok(())
    })
}
