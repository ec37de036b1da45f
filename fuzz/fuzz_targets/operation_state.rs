//! `C_SetOperationState` blobs, with and without keys named.
#![no_main]

use craton_hsm_fuzz::Harness;
use std::ptr::null_mut;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let h = Harness::get();
    let (f, s) = (h.f, h.session);
    let mut blob = data.to_vec();
    let p = if blob.is_empty() {
        null_mut()
    } else {
        blob.as_mut_ptr()
    };
    // SAFETY: the blob holds its stated length.
    unsafe {
        for (enc, auth) in [(0, 0), (0, h.rsa.1), (h.aes, 0)] {
            f.C_SetOperationState.unwrap()(s, p, blob.len() as _, enc, auth);
            f.C_DigestInit.unwrap()(s, null_mut());
            f.C_SignInit.unwrap()(s, null_mut(), 0);
            f.C_VerifyInit.unwrap()(s, null_mut(), 0);
        }
    }
});
