//! Every function the module does not implement answers CKR_FUNCTION_NOT_SUPPORTED (the
//! gaps docs/pkcs11-coverage.md lists).

mod common;

use common::keys::*;
use common::raw::*;
use common::*;
use cryptoki::mechanism::Mechanism;
use cryptoki_sys::*;
use std::ffi::c_void;
use std::ptr::null_mut;

/// Calls each function the module does not implement, through the 3.0 function list.
fn call_unsupported(l: &CK_FUNCTION_LIST_3_0, h: CK_SESSION_HANDLE) -> Vec<(&'static str, CK_RV)> {
    let mut mech = CK_MECHANISM {
        mechanism: CKM_SHA256_RSA_PKCS,
        pParameter: null_mut(),
        ulParameterLen: 0,
    };
    let m: *mut CK_MECHANISM = &mut mech;
    let mut data = [0x42u8; 32];
    let mut out = [0u8; 512];
    let mut len: CK_ULONG = out.len() as CK_ULONG;
    let d = data.as_mut_ptr();
    let o = out.as_mut_ptr();
    let dl = data.len() as CK_ULONG;
    let pl: *mut CK_ULONG = &mut len;
    let mut param = [0u8; 16];
    let p = param.as_mut_ptr() as *mut c_void;
    let pn = param.len() as CK_ULONG;
    let mut got = Vec::new();
    macro_rules! call {
        ($f:ident($($arg:expr),*)) => {{
            let f = l.$f.expect(stringify!($f));
            // SAFETY: every pointer argument points to a live buffer of the stated length.
            got.push((stringify!($f), unsafe { f($($arg),*) }));
        }};
    }
    call!(C_SignRecoverInit(h, m, 1));
    call!(C_SignRecover(h, d, dl, o, pl));
    call!(C_VerifyRecoverInit(h, m, 1));
    call!(C_VerifyRecover(h, d, dl, o, pl));
    call!(C_DigestEncryptUpdate(h, d, dl, o, pl));
    call!(C_DecryptDigestUpdate(h, d, dl, o, pl));
    call!(C_SignEncryptUpdate(h, d, dl, o, pl));
    call!(C_DecryptVerifyUpdate(h, d, dl, o, pl));
    call!(C_MessageSignInit(h, m, 1));
    call!(C_SignMessage(h, p, pn, d, dl, o, pl));
    call!(C_SignMessageBegin(h, p, pn));
    call!(C_SignMessageNext(h, p, pn, d, dl, o, pl));
    call!(C_MessageSignFinal(h));
    call!(C_MessageVerifyInit(h, m, 1));
    call!(C_VerifyMessage(h, p, pn, d, dl, d, dl));
    call!(C_VerifyMessageBegin(h, p, pn));
    call!(C_VerifyMessageNext(h, p, pn, d, dl, d, dl));
    call!(C_MessageVerifyFinal(h));
    // None of them wrote anything.
    assert_eq!(len, out.len() as CK_ULONG);
    assert!(out.iter().all(|&b| b == 0));
    got
}

#[test]
fn unsupported_functions_report_function_not_supported() {
    let mut env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let (_public, private) = rsa_pair(&s);
    let list = function_list_3_0(&lib);
    let got = call_unsupported(list, s.handle());
    assert_eq!(got.len(), 18);
    for (name, rv) in &got {
        assert_eq!(*rv, CKR_FUNCTION_NOT_SUPPORTED, "{name}");
    }
    // Also with a real key and mechanism, not only with dummy arguments.
    let mut mech = CK_MECHANISM {
        mechanism: CKM_RSA_PKCS,
        pParameter: null_mut(),
        ulParameterLen: 0,
    };
    // SAFETY: a valid mechanism for the duration of the calls.
    unsafe {
        assert_eq!(
            list.C_SignRecoverInit.unwrap()(s.handle(), &mut mech, private.handle()),
            CKR_FUNCTION_NOT_SUPPORTED
        );
        assert_eq!(
            list.C_MessageSignInit.unwrap()(s.handle(), &mut mech, private.handle()),
            CKR_FUNCTION_NOT_SUPPORTED
        );
    }
    // Nothing was started by them: a normal signature still works in the session.
    s.sign(&Mechanism::Sha256RsaPkcs, private, b"m").unwrap();

    // After C_Finalize they report "not initialized", like every other function.
    let h = s.handle();
    drop(s);
    env.unload();
    for (name, rv) in call_unsupported(list, h) {
        assert_eq!(rv, CKR_CRYPTOKI_NOT_INITIALIZED, "{name}");
    }
}
