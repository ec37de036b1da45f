//! AWS-LC's error queue around each call: cleared before (so what is read belongs to this call)
//! and after (so nothing leaks into the next call, in this crate or in aws-lc-rs).

use super::sys;
use craton_hsm_crypto::error::Error;

/// Scope of one wrapped AWS-LC call. Not `Send`: the queue it guards is thread-local.
pub(super) struct ErrGuard(std::marker::PhantomData<*const ()>);

impl ErrGuard {
    pub(super) fn new() -> Self {
        // SAFETY: takes no arguments; clears this thread's error queue.
        unsafe { sys::ERR_clear_error() };
        ErrGuard(std::marker::PhantomData)
    }

    /// The packed code of the earliest error this call queued, 0 if none.
    pub(super) fn code(&self) -> u32 {
        // SAFETY: takes no arguments; reads (does not remove) this thread's oldest queued error.
        unsafe { sys::ERR_peek_error() }
    }

    /// Whether this call queued `reason` from library `lib`.
    pub(super) fn is(&self, lib: i32, reason: i32) -> bool {
        let code = self.code();
        code != 0 && sys::ERR_GET_LIB(code) == lib && sys::ERR_GET_REASON(code) == reason
    }

    /// The error for a failed call: allocation and internal failures (AWS-LC's common
    /// `ERR_R_*` reasons) are `General` whatever the call; otherwise `meaning`.
    pub(super) fn fail(&self, what: &str, meaning: Error) -> Error {
        let code = self.code();
        let reason = sys::ERR_GET_REASON(code);
        if code != 0 && (sys::ERR_R_FATAL..sys::ERR_R_FATAL + 8).contains(&reason) {
            Error::general(format!("{what}: AWS-LC error {code:#010x}"))
        } else {
            meaning
        }
    }
}

impl Drop for ErrGuard {
    fn drop(&mut self) {
        // SAFETY: as in `new`.
        unsafe { sys::ERR_clear_error() };
    }
}

/// A null pointer from an AWS-LC constructor: allocation failure, or a bad argument we already
/// ruled out; either way not the caller's doing.
pub(super) fn alloc(what: &str) -> Error {
    Error::general(format!("{what}: AWS-LC allocation failed"))
}
