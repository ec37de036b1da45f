//! Session management and login functions.

use super::{guard, m, ptr};
use craton_hsm_core::error::Error;
use cryptoki_sys::*;

/// # Safety
/// `ph_session` must be NULL or writable. Notification callbacks are not used.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_OpenSession(
    slot_id: CK_SLOT_ID,
    flags: CK_FLAGS,
    _p_application: CK_VOID_PTR,
    _notify: CK_NOTIFY,
    ph_session: CK_SESSION_HANDLE_PTR,
) -> CK_RV {
    guard("C_OpenSession", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(ph_session)? };
        *out = module.open_session(slot_id, flags)?;
        Ok(())
    })
}

/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_CloseSession(h: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_CloseSession", || m()?.close_session(h))
}

/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_CloseAllSessions(slot_id: CK_SLOT_ID) -> CK_RV {
    guard("C_CloseAllSessions", || m()?.close_all_sessions(slot_id))
}

/// # Safety
/// `p_info` must be NULL or writable.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetSessionInfo(
    h: CK_SESSION_HANDLE,
    p_info: CK_SESSION_INFO_PTR,
) -> CK_RV {
    guard("C_GetSessionInfo", || {
        let info = m()?.session_info(h)?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(p_info)? };
        *out = CK_SESSION_INFO {
            slotID: info.slot,
            state: info.state,
            flags: info.flags,
            ulDeviceError: 0,
        };
        Ok(())
    })
}

/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SessionCancel(h: CK_SESSION_HANDLE, flags: CK_FLAGS) -> CK_RV {
    guard("C_SessionCancel", || m()?.session_cancel(h, flags))
}

/// # Safety
/// `p_pin` must be NULL or hold `ul_pin_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_Login(
    h: CK_SESSION_HANDLE,
    user_type: CK_USER_TYPE,
    p_pin: CK_UTF8CHAR_PTR,
    ul_pin_len: CK_ULONG,
) -> CK_RV {
    guard("C_Login", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let pin = unsafe { ptr::bytes(p_pin, ul_pin_len)? };
        module.login(h, user_type, pin)
    })
}

/// This token has a single user, so the username is checked for readability and otherwise
/// not used.
///
/// # Safety
/// `p_pin` and `p_username` must be NULL or hold their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_LoginUser(
    h: CK_SESSION_HANDLE,
    user_type: CK_USER_TYPE,
    p_pin: CK_UTF8CHAR_PTR,
    ul_pin_len: CK_ULONG,
    p_username: CK_UTF8CHAR_PTR,
    ul_username_len: CK_ULONG,
) -> CK_RV {
    guard("C_LoginUser", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let pin = unsafe { ptr::bytes(p_pin, ul_pin_len)? };
        // SAFETY: caller's contract.
        unsafe { ptr::bytes(p_username, ul_username_len)? };
        module.login(h, user_type, pin)
    })
}

/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_Logout(h: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_Logout", || m()?.logout(h))
}

/// # Safety
/// `p_state` must be NULL or hold `*pul_state_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetOperationState(
    h: CK_SESSION_HANDLE,
    p_state: CK_BYTE_PTR,
    pul_state_len: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_GetOperationState", || {
        let module = m()?;
        // SAFETY: caller's contract.
        unsafe {
            ptr::deliver(p_state, pul_state_len, |out| {
                module.get_operation_state(h, out)
            })
        }
    })
}

/// # Safety
/// `p_state` must hold `ul_state_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SetOperationState(
    h: CK_SESSION_HANDLE,
    p_state: CK_BYTE_PTR,
    ul_state_len: CK_ULONG,
    h_enc_key: CK_OBJECT_HANDLE,
    h_auth_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    guard("C_SetOperationState", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let state = unsafe { ptr::input(p_state, ul_state_len, Error::SavedStateInvalid)? };
        module.set_operation_state(h, state, h_enc_key, h_auth_key)
    })
}

/// Legacy: parallel functions are not supported (PKCS#11 3.x 5.20).
///
/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GetFunctionStatus(_h: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_GetFunctionStatus", || {
        m()?;
        Err(Error::FunctionNotParallel)
    })
}

/// Legacy: parallel functions are not supported (PKCS#11 3.x 5.20).
///
/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_CancelFunction(_h: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_CancelFunction", || {
        m()?;
        Err(Error::FunctionNotParallel)
    })
}
