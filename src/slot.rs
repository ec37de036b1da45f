//! Slot and token management functions.

use super::{guard, m, ptr};
use craton_hsm_core::error::Error;
use cryptoki_sys::*;

/// # Safety
/// `p_slot_list` must be NULL or hold `*pul_count` slots; `pul_count` must be valid.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetSlotList(
    _token_present: CK_BBOOL,
    p_slot_list: CK_SLOT_ID_PTR,
    pul_count: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_GetSlotList", || {
        let slots = m()?.slot_list();
        // SAFETY: caller's contract.
        unsafe { ptr::deliver_list(p_slot_list, pul_count, &slots) }
    })
}

/// # Safety
/// `p_info` must be NULL or point to a writable `CK_SLOT_INFO`.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetSlotInfo(
    slot_id: CK_SLOT_ID,
    p_info: CK_SLOT_INFO_PTR,
) -> CK_RV {
    guard("C_GetSlotInfo", || {
        let info = m()?.slot_info(slot_id)?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(p_info)? };
        *out = CK_SLOT_INFO::default();
        ptr::pad(&mut out.slotDescription, &info.description);
        ptr::pad(&mut out.manufacturerID, &info.manufacturer);
        out.flags = info.flags;
        out.hardwareVersion = CK_VERSION { major: 0, minor: 1 };
        out.firmwareVersion = CK_VERSION { major: 0, minor: 1 };
        Ok(())
    })
}

/// # Safety
/// `p_info` must be NULL or point to a writable `CK_TOKEN_INFO`.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetTokenInfo(
    slot_id: CK_SLOT_ID,
    p_info: CK_TOKEN_INFO_PTR,
) -> CK_RV {
    guard("C_GetTokenInfo", || {
        let info = m()?.token_info(slot_id)?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(p_info)? };
        *out = CK_TOKEN_INFO::default();
        ptr::pad(&mut out.label, &info.label);
        ptr::pad(&mut out.manufacturerID, &info.manufacturer);
        ptr::pad(&mut out.model, &info.model);
        ptr::pad(&mut out.serialNumber, &info.serial);
        out.flags = info.flags;
        out.ulMaxSessionCount = info.max_sessions as CK_ULONG;
        out.ulSessionCount = info.sessions as CK_ULONG;
        out.ulMaxRwSessionCount = info.max_rw_sessions as CK_ULONG;
        out.ulRwSessionCount = info.rw_sessions as CK_ULONG;
        out.ulMaxPinLen = info.max_pin_len as CK_ULONG;
        out.ulMinPinLen = info.min_pin_len as CK_ULONG;
        out.ulTotalPublicMemory = CK_UNAVAILABLE_INFORMATION;
        out.ulFreePublicMemory = CK_UNAVAILABLE_INFORMATION;
        out.ulTotalPrivateMemory = CK_UNAVAILABLE_INFORMATION;
        out.ulFreePrivateMemory = CK_UNAVAILABLE_INFORMATION;
        out.hardwareVersion = CK_VERSION { major: 0, minor: 1 };
        out.firmwareVersion = CK_VERSION { major: 0, minor: 1 };
        // No clock on the token: utcTime stays blank.
        out.utcTime = [b' '; 16];
        Ok(())
    })
}

/// # Safety
/// `p_list` must be NULL or hold `*pul_count` entries; `pul_count` must be valid.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetMechanismList(
    slot_id: CK_SLOT_ID,
    p_list: CK_MECHANISM_TYPE_PTR,
    pul_count: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_GetMechanismList", || {
        let mechs = m()?.mechanism_list(slot_id)?;
        // SAFETY: caller's contract.
        unsafe { ptr::deliver_list(p_list, pul_count, &mechs) }
    })
}

/// # Safety
/// `p_info` must be NULL or point to a writable `CK_MECHANISM_INFO`.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetMechanismInfo(
    slot_id: CK_SLOT_ID,
    mech: CK_MECHANISM_TYPE,
    p_info: CK_MECHANISM_INFO_PTR,
) -> CK_RV {
    guard("C_GetMechanismInfo", || {
        let info = m()?.mechanism_info(slot_id, mech)?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(p_info)? };
        out.ulMinKeySize = info.min_key as CK_ULONG;
        out.ulMaxKeySize = info.max_key as CK_ULONG;
        out.flags = info.flags;
        Ok(())
    })
}

/// # Safety
/// `p_pin` must be NULL or hold `ul_pin_len` bytes; `p_label` must point to 32 bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_InitToken(
    slot_id: CK_SLOT_ID,
    p_pin: CK_UTF8CHAR_PTR,
    ul_pin_len: CK_ULONG,
    p_label: CK_UTF8CHAR_PTR,
) -> CK_RV {
    guard("C_InitToken", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let pin = unsafe { ptr::bytes(p_pin, ul_pin_len)? };
        if p_label.is_null() {
            return Err(Error::ArgumentsBad);
        }
        // SAFETY: the label is a 32-byte blank-padded field.
        let label = ptr::unpad(unsafe { ptr::bytes(p_label, 32)? })?;
        module.init_token(slot_id, pin, &label)
    })
}

/// # Safety
/// `p_pin` must be NULL or hold `ul_pin_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_InitPIN(
    h: CK_SESSION_HANDLE,
    p_pin: CK_UTF8CHAR_PTR,
    ul_pin_len: CK_ULONG,
) -> CK_RV {
    guard("C_InitPIN", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let pin = unsafe { ptr::bytes(p_pin, ul_pin_len)? };
        module.init_pin(h, pin)
    })
}

/// # Safety
/// The PIN pointers must be NULL or hold their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SetPIN(
    h: CK_SESSION_HANDLE,
    p_old: CK_UTF8CHAR_PTR,
    ul_old_len: CK_ULONG,
    p_new: CK_UTF8CHAR_PTR,
    ul_new_len: CK_ULONG,
) -> CK_RV {
    guard("C_SetPIN", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let (old, new) = unsafe {
            (
                ptr::bytes(p_old, ul_old_len)?,
                ptr::bytes(p_new, ul_new_len)?,
            )
        };
        module.set_pin(h, old, new)
    })
}

/// Slots never change (no removable tokens): a non-blocking call reports no event; a
/// blocking wait is not supported, as it would never return.
///
/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_WaitForSlotEvent(
    flags: CK_FLAGS,
    _p_slot: CK_SLOT_ID_PTR,
    _p_reserved: CK_VOID_PTR,
) -> CK_RV {
    guard("C_WaitForSlotEvent", || {
        m()?;
        if flags & CKF_DONT_BLOCK != 0 {
            Err(Error::NoEvent)
        } else {
            Err(Error::FunctionNotSupported)
        }
    })
}
