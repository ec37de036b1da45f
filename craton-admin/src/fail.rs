//! How craton-admin fails: one line naming the call, the `CKR_*` code and what to do.

use crate::p11::P11Error;
use cryptoki_sys::*;

/// A command's failure.
#[derive(Debug)]
pub enum Failure {
    P11(P11Error),
    Msg(String),
}

impl Failure {
    pub fn msg(m: impl Into<String>) -> Failure {
        Failure::Msg(m.into())
    }
}

impl From<P11Error> for Failure {
    fn from(e: P11Error) -> Failure {
        Failure::P11(e)
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Msg(m) => write!(f, "{m}"),
            Failure::P11(e) => write!(f, "{e}: {}", hint(e)),
        }
    }
}

/// What the operator can do about a code, worded for the call that returned it.
fn hint(e: &P11Error) -> &'static str {
    match (e.rv, e.func) {
        (CKR_FUNCTION_FAILED, "C_Initialize") => {
            "the module refused its configuration or storage; the module's log line says which \
             key or file (run with CRATON_HSM_LOG=error), fix it and retry"
        }
        (CKR_GENERAL_ERROR, "C_Initialize") => {
            "a power-on self-test failed (often a stale .hmac sidecar: recompute it with \
             tools/compute-integrity-hmac.sh); see `craton-admin status`"
        }
        (CKR_GENERAL_ERROR, _) => {
            "the module is in its error state; restart the process after fixing the cause \
             (see `craton-admin status`)"
        }
        (CKR_PIN_INCORRECT, _) => {
            "the PIN is wrong; each wrong PIN counts towards the lockout, check it before \
             trying again"
        }
        (CKR_PIN_LOCKED, _) => {
            "the PIN is locked after too many wrong PINs; unlock the user PIN with \
             `craton-admin pin unlock` (needs the SO PIN)"
        }
        (CKR_PIN_LEN_RANGE, _) => {
            "the new PIN's length is outside the token's limits (see `craton-admin token info`)"
        }
        (CKR_PIN_INVALID, _) => "the PIN has characters the token does not accept",
        (CKR_USER_PIN_NOT_INITIALIZED, _) => {
            "the token has no user PIN yet; set one with `craton-admin pin unlock` (SO PIN)"
        }
        (CKR_TOKEN_NOT_INITIALIZED, _) => {
            "the token is not initialized; run `craton-admin token init`"
        }
        (CKR_SESSION_EXISTS, _) => {
            "another session of this process is open on the token; close it and retry"
        }
        (CKR_SLOT_ID_INVALID, _) => "no such slot; `craton-admin status` lists the slots",
        (CKR_DEVICE_ERROR, _) => {
            "the token's storage or the audit log cannot be written (approved-only mode refuses \
             operations it cannot record); check disk space and permissions, then retry"
        }
        (CKR_USER_NOT_LOGGED_IN, _) => "log in first (give the PIN)",
        (CKR_USER_ALREADY_LOGGED_IN, _) => "a user is already logged in; log out first",
        (CKR_TEMPLATE_INCONSISTENT | CKR_ATTRIBUTE_VALUE_INVALID, _) => {
            "the module refused the key's attributes or value (in approved-only mode: an \
             unapproved key type or size); check the key file and --usage"
        }
        (CKR_KEY_SIZE_RANGE, _) => "the key's size is outside what the module accepts",
        (CKR_MECHANISM_INVALID, _) => "the mechanism is not offered in this configuration",
        (CKR_FUNCTION_NOT_SUPPORTED, f) if f.starts_with("C_Craton") => {
            "the module does not offer this vendor function (an older module than this \
             craton-admin?)"
        }
        (CKR_FUNCTION_NOT_SUPPORTED, _) => "the module does not implement this function",
        (CKR_ARGUMENTS_BAD, _) => "the module rejected the arguments; check the command line",
        (CKR_CRYPTOKI_NOT_INITIALIZED, _) => "internal: the module was not initialized",
        _ => "see the module's log (CRATON_HSM_LOG=debug) for details",
    }
}
