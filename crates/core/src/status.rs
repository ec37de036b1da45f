//! The process's health, a leaf every layer may reach without depending on the module: the
//! error state a failed self-test or health test enters for good, and the test-only fault
//! hooks that prove each test can fail.

use crate::error::{Error, Result};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

static ERROR_STATE: AtomicBool = AtomicBool::new(false);
static ERROR_REASON: Mutex<String> = Mutex::new(String::new());

/// Enters the error state: every later call, `C_Initialize` included, fails with
/// `CKR_GENERAL_ERROR` until the process restarts.
pub fn enter_error_state(reason: &str) {
    if !ERROR_STATE.swap(true, Ordering::SeqCst) {
        tracing::error!("module entered the error state: {reason}; restart the process");
        *ERROR_REASON.lock().unwrap_or_else(|p| p.into_inner()) = reason.to_string();
    }
}

pub fn in_error_state() -> bool {
    ERROR_STATE.load(Ordering::SeqCst)
}

/// Why the module is in the error state, if it is.
pub fn error_reason() -> Option<String> {
    in_error_state().then(|| {
        ERROR_REASON
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    })
}

pub(crate) fn check_error_state() -> Result<()> {
    if in_error_state() {
        return Err(Error::general("module is in the error state"));
    }
    Ok(())
}

/// Test-only fault injection: with the `fault-injection` feature, `CRATON_HSM_FAULT_INJECT`
/// names one self-test whose input or known answer is corrupted, so tests can prove each
/// self-test can fail: a KAT name or `integrity` (power-on), `pairwise` (key-pair generation),
/// `entropy` or `drbg-output` (the continuous tests of `C_GenerateRandom`). Without the feature
/// this is always false.
pub mod fault {
    /// Whether the named self-test should see a corrupted vector.
    #[cfg(feature = "fault-injection")]
    pub(crate) fn injected(name: &str) -> bool {
        std::env::var("CRATON_HSM_FAULT_INJECT").is_ok_and(|v| v == name)
    }

    #[cfg(not(feature = "fault-injection"))]
    pub(crate) fn injected(_name: &str) -> bool {
        false
    }
}
