//! Object management functions.

use super::{attribute, guard, m, ptr};
use craton_hsm_core::error::Error;
use cryptoki_sys::*;

/// # Safety
/// `p_template` must be NULL or hold `ul_count` attributes; `ph_object` must be writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_CreateObject(
    h: CK_SESSION_HANDLE,
    p_template: CK_ATTRIBUTE_PTR,
    ul_count: CK_ULONG,
    ph_object: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    guard("C_CreateObject", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(ph_object)? };
        // SAFETY: caller's contract.
        let tpl = unsafe { attribute::read_template(p_template, ul_count)? };
        *out = module.create_object(h, &tpl)?;
        Ok(())
    })
}

/// # Safety
/// `p_template` must be NULL or hold `ul_count` attributes; `ph_new` must be writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_CopyObject(
    h: CK_SESSION_HANDLE,
    h_object: CK_OBJECT_HANDLE,
    p_template: CK_ATTRIBUTE_PTR,
    ul_count: CK_ULONG,
    ph_new: CK_OBJECT_HANDLE_PTR,
) -> CK_RV {
    guard("C_CopyObject", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(ph_new)? };
        // SAFETY: caller's contract.
        let tpl = unsafe { attribute::read_template(p_template, ul_count)? };
        *out = module.copy_object(h, h_object, &tpl)?;
        Ok(())
    })
}

/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DestroyObject(
    h: CK_SESSION_HANDLE,
    h_object: CK_OBJECT_HANDLE,
) -> CK_RV {
    guard("C_DestroyObject", || m()?.destroy_object(h, h_object))
}

/// # Safety
/// `pul_size` must be writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetObjectSize(
    h: CK_SESSION_HANDLE,
    h_object: CK_OBJECT_HANDLE,
    pul_size: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_GetObjectSize", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(pul_size)? };
        *out = module.object_size(h, h_object)? as CK_ULONG;
        Ok(())
    })
}

/// # Safety
/// `p_template` must hold `ul_count` attributes whose buffers are NULL or writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetAttributeValue(
    h: CK_SESSION_HANDLE,
    h_object: CK_OBJECT_HANDLE,
    p_template: CK_ATTRIBUTE_PTR,
    ul_count: CK_ULONG,
) -> CK_RV {
    guard("C_GetAttributeValue", || {
        let module = m()?;
        if p_template.is_null() && ul_count > 0 {
            return Err(Error::ArgumentsBad);
        }
        // SAFETY: caller's contract.
        let types = unsafe { attribute::read_types(p_template, ul_count)? };
        let answers = module.get_attributes(h, h_object, &types)?;
        // SAFETY: caller's contract.
        unsafe { attribute::write_answers(p_template, &answers) }
    })
}

/// # Safety
/// `p_template` must be NULL or hold `ul_count` readable attributes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SetAttributeValue(
    h: CK_SESSION_HANDLE,
    h_object: CK_OBJECT_HANDLE,
    p_template: CK_ATTRIBUTE_PTR,
    ul_count: CK_ULONG,
) -> CK_RV {
    guard("C_SetAttributeValue", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let tpl = unsafe { attribute::read_template(p_template, ul_count)? };
        module.set_attributes(h, h_object, &tpl)
    })
}

/// # Safety
/// `p_template` must be NULL or hold `ul_count` readable attributes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_FindObjectsInit(
    h: CK_SESSION_HANDLE,
    p_template: CK_ATTRIBUTE_PTR,
    ul_count: CK_ULONG,
) -> CK_RV {
    guard("C_FindObjectsInit", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let tpl = unsafe { attribute::read_template(p_template, ul_count)? };
        module.find_objects_init(h, &tpl)
    })
}

/// # Safety
/// `ph_object` must hold `ul_max` handles; `pul_count` must be writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_FindObjects(
    h: CK_SESSION_HANDLE,
    ph_object: CK_OBJECT_HANDLE_PTR,
    ul_max: CK_ULONG,
    pul_count: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_FindObjects", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let count = unsafe { ptr::out(pul_count)? };
        if ph_object.is_null() && ul_max > 0 {
            return Err(Error::ArgumentsBad);
        }
        let found = module.find_objects(h, ul_max as usize)?;
        for (i, handle) in found.iter().enumerate() {
            // SAFETY: `found.len() <= ul_max`, within the caller's array.
            unsafe { ph_object.add(i).write(*handle) };
        }
        *count = found.len() as CK_ULONG;
        Ok(())
    })
}

/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_FindObjectsFinal(h: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_FindObjectsFinal", || m()?.find_objects_final(h))
}
