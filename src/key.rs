//! Key management functions: generation, wrapping, derivation.

use super::{attribute, guard, kbkdf, m, mechanism, ptr};
use craton_hsm_core::error::Error;
use cryptoki_sys::*;

/// # Safety
/// `p_mechanism` must be valid; `p_template` NULL or `ul_count` attributes; `ph_key` writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GenerateKey(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    p_template: CK_ATTRIBUTE_PTR,
    ul_count: CK_ULONG,
    ph_key: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    guard("C_GenerateKey", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(ph_key)? };
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        // SAFETY: caller's contract.
        let tpl = unsafe { attribute::read_template(p_template, ul_count)? };
        *out = module.generate_key(h, &mech, &tpl)?;
        Ok(())
    })
}

/// # Safety
/// `p_mechanism` must be valid; templates NULL or of their stated counts; handles writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GenerateKeyPair(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    p_public_template: CK_ATTRIBUTE_PTR,
    ul_public_count: CK_ULONG,
    p_private_template: CK_ATTRIBUTE_PTR,
    ul_private_count: CK_ULONG,
    ph_public: CK_OBJECT_HANDLE_PTR,
    ph_private: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    guard("C_GenerateKeyPair", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let (out_pub, out_priv) = unsafe { (ptr::out(ph_public)?, ptr::out(ph_private)?) };
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        // SAFETY: caller's contract.
        let public = unsafe { attribute::read_template(p_public_template, ul_public_count)? };
        // SAFETY: caller's contract.
        let private = unsafe { attribute::read_template(p_private_template, ul_private_count)? };
        let (hp, hs) = module.generate_key_pair(h, &mech, &public, &private)?;
        *out_pub = hp;
        *out_priv = hs;
        Ok(())
    })
}

/// # Safety
/// `p_mechanism` must be valid; `p_wrapped_key` NULL or `*pul_wrapped_key_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_WrapKey(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_wrapping_key: CK_OBJECT_HANDLE,
    h_key: CK_OBJECT_HANDLE,
    p_wrapped_key: CK_BYTE_PTR,
    pul_wrapped_key_len: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_WrapKey", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        // SAFETY: caller's contract.
        unsafe {
            ptr::deliver(p_wrapped_key, pul_wrapped_key_len, |out| {
                module.wrap_key(h, &mech, h_wrapping_key, h_key, out)
            })
        }
    })
}

/// # Safety
/// `p_mechanism` must be valid; buffers and the template of their stated sizes;
/// `ph_key` writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_UnwrapKey(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_unwrapping_key: CK_OBJECT_HANDLE,
    p_wrapped_key: CK_BYTE_PTR,
    ul_wrapped_key_len: CK_ULONG,
    p_template: CK_ATTRIBUTE_PTR,
    ul_attribute_count: CK_ULONG,
    ph_key: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    guard("C_UnwrapKey", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(ph_key)? };
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        // SAFETY: caller's contract.
        let wrapped =
            unsafe { ptr::input(p_wrapped_key, ul_wrapped_key_len, Error::WrappedKeyLenRange)? };
        // SAFETY: caller's contract.
        let tpl = unsafe { attribute::read_template(p_template, ul_attribute_count)? };
        *out = module.unwrap_key(h, &mech, h_unwrapping_key, wrapped, &tpl)?;
        Ok(())
    })
}

/// # Safety
/// `p_mechanism` must be valid; the template of its stated size; `ph_key` writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DeriveKey(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_base_key: CK_OBJECT_HANDLE,
    p_template: CK_ATTRIBUTE_PTR,
    ul_attribute_count: CK_ULONG,
    ph_key: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    guard("C_DeriveKey", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(ph_key)? };
        // SAFETY: caller's contract.
        let mech = unsafe { mechanism::read(p_mechanism)? };
        // SAFETY: as above; `read` checked the mechanism pointer.
        let more = unsafe { kbkdf::outputs(&*p_mechanism)? };
        // SAFETY: caller's contract.
        let tpl = unsafe { attribute::read_template(p_template, ul_attribute_count)? };
        let handles = module.derive_keys(h, &mech, h_base_key, &tpl)?;
        *out = handles[0];
        for (p, handle) in more.into_iter().zip(&handles[1..]) {
            // SAFETY: `outputs` checked each pointer is non-NULL; the caller keeps it valid.
            unsafe { *p = *handle };
        }
        Ok(())
    })
}
