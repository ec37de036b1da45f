//! The vendor interface "Craton HSM" 1.0: Craton extensions, reached through
//! `C_GetInterface("Craton HSM")`. Documented in docs/vendor-interface.md and
//! include/craton_hsm.h.

use super::{guard, m, ptr};
use crate::error::Error;
use crate::module;
use cryptoki_sys::*;

/// Integrity self-test outcomes in `CRATON_MODULE_STATUS::integrity`.
pub const CRATON_INTEGRITY_NOT_RUN: CK_ULONG = 0;
pub const CRATON_INTEGRITY_OK: CK_ULONG = 1;
pub const CRATON_INTEGRITY_SKIPPED: CK_ULONG = 2;
pub const CRATON_INTEGRITY_FAILED: CK_ULONG = 3;

/// The module's state as `craton-admin status` shows it.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct CRATON_MODULE_STATUS {
    /// Active backend, blank padded ("rustcrypto" or "awslc").
    pub backend: [CK_UTF8CHAR; 16],
    pub fips_approved_only: CK_BBOOL,
    /// The module is in the error state (a self-test failed).
    pub error_state: CK_BBOOL,
    /// The last power-on self-test passed.
    pub post_passed: CK_BBOOL,
    pub integrity: CK_ULONG,
    pub kats_passed: CK_ULONG,
    pub kats_total: CK_ULONG,
}

/// The vendor function list.
#[repr(C)]
pub struct CRATON_FUNCTION_LIST {
    pub version: CK_VERSION,
    pub C_CratonGetLastOperationFipsApproved:
        Option<unsafe extern "C" fn(CK_SESSION_HANDLE, *mut CK_BBOOL) -> CK_RV>,
    pub C_CratonGetModuleStatus: Option<unsafe extern "C" fn(*mut CRATON_MODULE_STATUS) -> CK_RV>,
}

pub(super) static VENDOR_FUNCTION_LIST: CRATON_FUNCTION_LIST = CRATON_FUNCTION_LIST {
    version: CK_VERSION { major: 1, minor: 0 },
    C_CratonGetLastOperationFipsApproved: Some(C_CratonGetLastOperationFipsApproved),
    C_CratonGetModuleStatus: Some(C_CratonGetModuleStatus),
};

/// The approved-service indicator of the session's last cryptographic operation.
/// `CKR_OPERATION_NOT_INITIALIZED` if the session has not run one yet.
///
/// # Safety
/// `p_approved` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CratonGetLastOperationFipsApproved(
    h: CK_SESSION_HANDLE,
    p_approved: *mut CK_BBOOL,
) -> CK_RV {
    guard("C_CratonGetLastOperationFipsApproved", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(p_approved)? };
        let approved = module
            .last_operation_fips_approved(h)?
            .ok_or(Error::OperationNotInitialized)?;
        *out = if approved { CK_TRUE } else { CK_FALSE };
        Ok(())
    })
}

/// Works before `C_Initialize` and in the error state, so an operator can see why the module
/// refuses service.
///
/// # Safety
/// `p_status` must be NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CratonGetModuleStatus(p_status: *mut CRATON_MODULE_STATUS) -> CK_RV {
    guard("C_CratonGetModuleStatus", || {
        // SAFETY: caller's contract.
        let out = unsafe { ptr::out(p_status)? };
        let report = crate::selftest::last_report();
        let mut backend = [b' '; 16];
        ptr::pad(
            &mut backend,
            report.as_ref().map_or("", |r| r.backend.as_str()),
        );
        *out = CRATON_MODULE_STATUS {
            backend,
            fips_approved_only: report.as_ref().is_some_and(|r| r.fips_approved_only) as CK_BBOOL,
            error_state: module::in_error_state() as CK_BBOOL,
            post_passed: report.as_ref().is_some_and(|r| r.passed) as CK_BBOOL,
            integrity: report
                .as_ref()
                .map_or(CRATON_INTEGRITY_NOT_RUN, |r| match r.integrity {
                    crate::selftest::Integrity::Ok => CRATON_INTEGRITY_OK,
                    crate::selftest::Integrity::Skipped => CRATON_INTEGRITY_SKIPPED,
                    crate::selftest::Integrity::Failed => CRATON_INTEGRITY_FAILED,
                }),
            kats_passed: report.as_ref().map_or(0, |r| r.kats_passed as CK_ULONG),
            kats_total: report.as_ref().map_or(0, |r| r.kats_total as CK_ULONG),
        };
        Ok(())
    })
}
