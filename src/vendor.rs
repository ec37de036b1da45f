//! The vendor interface "Craton HSM" 1.1 (and 1.0, its first two functions): Craton
//! extensions, reached through `C_GetInterface("Craton HSM")`. Documented in
//! docs/pkcs11-coverage.md and include/craton_hsm.h.

use super::{guard, m, ptr};
use craton_hsm_core::error::Error;
use craton_hsm_core::session::operation::{OutBuf, Output};
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

/// The vendor function list 1.0.
#[repr(C)]
pub struct CRATON_FUNCTION_LIST {
    pub version: CK_VERSION,
    pub C_CratonGetLastOperationFipsApproved:
        Option<unsafe extern "C" fn(CK_SESSION_HANDLE, *mut CK_BBOOL) -> CK_RV>,
    pub C_CratonGetModuleStatus: Option<unsafe extern "C" fn(*mut CRATON_MODULE_STATUS) -> CK_RV>,
}

/// The vendor function list 1.1: 1.0's functions at the same places, then the additions.
#[repr(C)]
pub struct CRATON_FUNCTION_LIST_1_1 {
    pub version: CK_VERSION,
    pub C_CratonGetLastOperationFipsApproved:
        Option<unsafe extern "C" fn(CK_SESSION_HANDLE, *mut CK_BBOOL) -> CK_RV>,
    pub C_CratonGetModuleStatus: Option<unsafe extern "C" fn(*mut CRATON_MODULE_STATUS) -> CK_RV>,
    pub C_CratonGetStatusReport:
        Option<unsafe extern "C" fn(*mut CK_UTF8CHAR, *mut CK_ULONG) -> CK_RV>,
    pub C_CratonVerifyAuditLog: Option<
        unsafe extern "C" fn(
            *const CK_UTF8CHAR,
            CK_ULONG,
            *mut CK_UTF8CHAR,
            *mut CK_ULONG,
        ) -> CK_RV,
    >,
}

pub(super) static VENDOR_FUNCTION_LIST: CRATON_FUNCTION_LIST = CRATON_FUNCTION_LIST {
    version: CK_VERSION { major: 1, minor: 0 },
    C_CratonGetLastOperationFipsApproved: Some(C_CratonGetLastOperationFipsApproved),
    C_CratonGetModuleStatus: Some(C_CratonGetModuleStatus),
};

pub(super) static VENDOR_FUNCTION_LIST_1_1: CRATON_FUNCTION_LIST_1_1 = CRATON_FUNCTION_LIST_1_1 {
    version: CK_VERSION { major: 1, minor: 1 },
    C_CratonGetLastOperationFipsApproved: Some(C_CratonGetLastOperationFipsApproved),
    C_CratonGetModuleStatus: Some(C_CratonGetModuleStatus),
    C_CratonGetStatusReport: Some(C_CratonGetStatusReport),
    C_CratonVerifyAuditLog: Some(C_CratonVerifyAuditLog),
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
        let report = craton_hsm_core::selftest::last_report();
        let mut backend = [b' '; 16];
        ptr::pad(
            &mut backend,
            report.as_ref().map_or("", |r| r.backend.as_str()),
        );
        *out = CRATON_MODULE_STATUS {
            backend,
            fips_approved_only: report.as_ref().is_some_and(|r| r.fips_approved_only) as CK_BBOOL,
            error_state: craton_hsm_core::status::in_error_state() as CK_BBOOL,
            post_passed: report.as_ref().is_some_and(|r| r.passed) as CK_BBOOL,
            integrity: report
                .as_ref()
                .map_or(CRATON_INTEGRITY_NOT_RUN, |r| match r.integrity {
                    craton_hsm_core::selftest::Integrity::Ok => CRATON_INTEGRITY_OK,
                    craton_hsm_core::selftest::Integrity::Skipped => CRATON_INTEGRITY_SKIPPED,
                    craton_hsm_core::selftest::Integrity::Failed => CRATON_INTEGRITY_FAILED,
                }),
            kats_passed: report.as_ref().map_or(0, |r| r.kats_passed as CK_ULONG),
            kats_total: report.as_ref().map_or(0, |r| r.kats_total as CK_ULONG),
        };
        Ok(())
    })
}

/// Hands a JSON document to the caller under the output-buffer convention.
///
/// # Safety
/// As `ptr::deliver`.
unsafe fn deliver_json(
    value: &serde_json::Value,
    p_out: *mut CK_UTF8CHAR,
    pul_len: *mut CK_ULONG,
) -> craton_hsm_core::error::Result<()> {
    let text = serde_json::to_vec(value).map_err(|e| Error::general(e.to_string()))?;
    // SAFETY: caller's contract.
    unsafe {
        ptr::deliver(p_out, pul_len, |out| {
            Ok(match out {
                OutBuf::Query => Output::Length(text.len()),
                OutBuf::Capacity(c) if c < text.len() => Output::TooSmall(text.len()),
                OutBuf::Capacity(_) => Output::Data(zeroize::Zeroizing::new(text)),
            })
        })
    }
}

/// The module status report (JSON, UTF-8, not NUL-terminated), under the usual output
/// buffer convention. Works before `C_Initialize` and in the error state.
///
/// # Safety
/// `p_report` must be NULL or hold `*pul_len` writable bytes; `pul_len` must be writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CratonGetStatusReport(
    p_report: *mut CK_UTF8CHAR,
    pul_len: *mut CK_ULONG,
) -> CK_RV {
    guard("C_CratonGetStatusReport", || {
        let library = super::platform::library_path();
        let report = craton_hsm_core::report::report(library.as_deref());
        // SAFETY: caller's contract.
        unsafe { deliver_json(&report, p_report, pul_len) }
    })
}

/// Verifies audit log files against this store's audit key and chain head, and returns the
/// verification report (JSON). `p_files` holds the paths as UTF-8, each followed by a NUL;
/// none (`ul_files_len` 0) means the configured log. Needs an initialized module with an
/// audit log.
///
/// # Safety
/// `p_files` must be NULL or hold `ul_files_len` readable bytes; `p_report`/`pul_len` as
/// for `C_CratonGetStatusReport`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn C_CratonVerifyAuditLog(
    p_files: *const CK_UTF8CHAR,
    ul_files_len: CK_ULONG,
    p_report: *mut CK_UTF8CHAR,
    pul_len: *mut CK_ULONG,
) -> CK_RV {
    guard("C_CratonVerifyAuditLog", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let raw = unsafe { ptr::bytes(p_files, ul_files_len)? };
        let text = std::str::from_utf8(raw).map_err(|_| Error::ArgumentsBad)?;
        if !text.is_empty() && !text.ends_with('\0') {
            return Err(Error::ArgumentsBad);
        }
        let files: Vec<std::path::PathBuf> = text
            .split_terminator('\0')
            .map(std::path::PathBuf::from)
            .collect();
        if files.iter().any(|f| f.as_os_str().is_empty()) {
            return Err(Error::ArgumentsBad);
        }
        let audit = module.audit.as_ref().ok_or_else(|| {
            tracing::error!("C_CratonVerifyAuditLog: no audit log is configured ([audit] path)");
            Error::FunctionFailed("no audit log".into())
        })?;
        let report = serde_json::to_value(audit.verify(&files))
            .map_err(|e| Error::general(e.to_string()))?;
        // SAFETY: caller's contract.
        unsafe { deliver_json(&report, p_report, pul_len) }
    })
}
