//! Caller templates of any shape: `C_CreateObject`, `C_GenerateKey`, `C_FindObjectsInit` and,
//! with honest buffers, `C_GetAttributeValue`.
#![no_main]

use craton_hsm_fuzz::{FuzzAttr, Harness, Template};
use cryptoki_sys::*;
use std::ptr::null_mut;

libfuzzer_sys::fuzz_target!(|items: Vec<FuzzAttr>| {
    let h = Harness::get();
    let (f, s) = (h.f, h.session);
    let mut t = Template::build(&items);
    let (p, n) = (t.attrs.as_mut_ptr(), t.attrs.len() as CK_ULONG);
    let mut out = 0;
    // SAFETY: every pointer in the template is valid for its length, or its length is far
    // above the module's limits (which it must refuse unread).
    unsafe {
        if f.C_CreateObject.unwrap()(s, p, n, &mut out) == CKR_OK {
            f.C_DestroyObject.unwrap()(s, out);
        }
        let mut m = CK_MECHANISM {
            mechanism: CKM_AES_KEY_GEN,
            pParameter: null_mut(),
            ulParameterLen: 0,
        };
        if f.C_GenerateKey.unwrap()(s, &mut m, p, n, &mut out) == CKR_OK {
            f.C_DestroyObject.unwrap()(s, out);
        }
        if f.C_FindObjectsInit.unwrap()(s, p, n) == CKR_OK {
            f.C_FindObjectsFinal.unwrap()(s);
        }
    }
    // Reading into the caller's buffers: only honest lengths (the module writes up to them).
    let mut bufs: Vec<Vec<u8>> = t
        .attrs
        .iter()
        .map(|a| vec![0u8; (a.ulValueLen as usize).min(4096)])
        .collect();
    let mut read: Vec<CK_ATTRIBUTE> = t
        .attrs
        .iter()
        .zip(bufs.iter_mut())
        .map(|(a, b)| CK_ATTRIBUTE {
            type_: a.type_,
            pValue: b.as_mut_ptr() as *mut _,
            ulValueLen: b.len() as _,
        })
        .collect();
    // SAFETY: every buffer holds its stated length.
    unsafe {
        f.C_GetAttributeValue.unwrap()(s, h.aes, read.as_mut_ptr(), read.len() as _);
    }
});
