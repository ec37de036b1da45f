//! The module as a C library: initialization arguments, interfaces and function lists,
//! "not initialized" before `C_Initialize`, argument checks and the output-buffer convention.
//! These call the raw C entry points (`cryptoki_sys::Pkcs11`), as a C application would.

mod common;

use common::*;
use cryptoki_sys::*;
use std::ffi::CStr;
use std::ptr::{null, null_mut};

/// The raw library with a fresh config, serialized with the other tests of this binary.
struct Raw {
    lib: cryptoki_sys::Pkcs11,
    _env: Env,
}

fn raw() -> Raw {
    // Env loads and initializes through cryptoki; finalize so each test starts clean.
    let mut env = Env::new("");
    env.unload();
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    let lib = unsafe { cryptoki_sys::Pkcs11::new(lib_path()) }.expect("load");
    Raw { lib, _env: env }
}

impl Raw {
    fn init(&self) -> CK_RV {
        // SAFETY: valid pointers for the call, or NULL where the test means it.
        unsafe { self.lib.C_Initialize(null_mut()) }
    }
    fn fin(&self) -> CK_RV {
        // SAFETY: valid pointers for the call, or NULL where the test means it.
        unsafe { self.lib.C_Finalize(null_mut()) }
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        // SAFETY: valid pointers for the call, or NULL where the test means it.
        unsafe { self.lib.C_Finalize(null_mut()) };
    }
}

#[test]
fn calls_before_initialize_report_not_initialized() {
    let r = raw();
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        let mut count: CK_ULONG = 0;
        assert_eq!(
            r.lib.C_GetSlotList(CK_FALSE, null_mut(), &mut count),
            CKR_CRYPTOKI_NOT_INITIALIZED
        );
        let mut info = CK_INFO::default();
        assert_eq!(r.lib.C_GetInfo(&mut info), CKR_CRYPTOKI_NOT_INITIALIZED);
        assert_eq!(r.lib.C_CloseSession(1), CKR_CRYPTOKI_NOT_INITIALIZED);
        // Unimplemented functions too, not just implemented ones.
        assert_eq!(r.lib.C_MessageEncryptFinal(1), CKR_CRYPTOKI_NOT_INITIALIZED);
        assert_eq!(r.lib.C_Finalize(null_mut()), CKR_CRYPTOKI_NOT_INITIALIZED);
    }
}

#[test]
fn initialize_twice_and_finalize_twice() {
    let r = raw();
    assert_eq!(r.init(), CKR_OK);
    assert_eq!(r.init(), CKR_CRYPTOKI_ALREADY_INITIALIZED);
    assert_eq!(r.fin(), CKR_OK);
    assert_eq!(r.fin(), CKR_CRYPTOKI_NOT_INITIALIZED);
    assert_eq!(r.init(), CKR_OK);
}

unsafe extern "C" fn create_mutex(_m: *mut *mut std::ffi::c_void) -> CK_RV {
    CKR_OK
}
unsafe extern "C" fn mutex_op(_m: *mut std::ffi::c_void) -> CK_RV {
    CKR_OK
}

#[test]
fn initialize_arguments_follow_the_spec() {
    let r = raw();
    let mut args = CK_C_INITIALIZE_ARGS::default();
    let mut reserved = 0u8;
    args.pReserved = &mut reserved as *mut u8 as *mut _;
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        assert_eq!(
            r.lib.C_Initialize(&mut args as *mut _ as *mut _),
            CKR_ARGUMENTS_BAD
        );
    }
    // Some mutex functions but not all: bad arguments.
    let mut args = CK_C_INITIALIZE_ARGS {
        CreateMutex: Some(create_mutex),
        ..Default::default()
    };
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        assert_eq!(
            r.lib.C_Initialize(&mut args as *mut _ as *mut _),
            CKR_ARGUMENTS_BAD
        );
    }
    // All mutex functions without CKF_OS_LOCKING_OK: the module cannot use them.
    args.DestroyMutex = Some(mutex_op);
    args.LockMutex = Some(mutex_op);
    args.UnlockMutex = Some(mutex_op);
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        assert_eq!(
            r.lib.C_Initialize(&mut args as *mut _ as *mut _),
            CKR_CANT_LOCK
        );
    }
    // With OS locking allowed, fine.
    args.flags = CKF_OS_LOCKING_OK;
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        assert_eq!(r.lib.C_Initialize(&mut args as *mut _ as *mut _), CKR_OK);
        assert_eq!(
            r.lib.C_Finalize(&mut reserved as *mut u8 as *mut _),
            CKR_ARGUMENTS_BAD
        );
    }
    assert_eq!(r.fin(), CKR_OK);
    let mut args = CK_C_INITIALIZE_ARGS {
        flags: CKF_OS_LOCKING_OK,
        ..Default::default()
    };
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        assert_eq!(r.lib.C_Initialize(&mut args as *mut _ as *mut _), CKR_OK);
    }
}

fn interface_name(i: &CK_INTERFACE) -> String {
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe { CStr::from_ptr(i.pInterfaceName as *const _) }
        .to_string_lossy()
        .into_owned()
}

#[test]
fn interfaces_offer_pkcs11_3_2_3_0_2_40_and_vendor() {
    let r = raw();
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        let mut count: CK_ULONG = 0;
        assert_eq!(r.lib.C_GetInterfaceList(null_mut(), &mut count), CKR_OK);
        assert_eq!(count, 5);
        let mut small: CK_ULONG = 1;
        let mut list = vec![CK_INTERFACE::default(); 5];
        assert_eq!(
            r.lib.C_GetInterfaceList(list.as_mut_ptr(), &mut small),
            CKR_BUFFER_TOO_SMALL
        );
        assert_eq!(small, 5);
        assert_eq!(
            r.lib.C_GetInterfaceList(list.as_mut_ptr(), &mut count),
            CKR_OK
        );
        let found: Vec<(String, u8, u8)> = list
            .iter()
            .map(|i| {
                let v = *(i.pFunctionList as *const CK_VERSION);
                (interface_name(i), v.major, v.minor)
            })
            .collect();
        assert!(found.contains(&("PKCS 11".into(), 3, 2)));
        assert!(found.contains(&("PKCS 11".into(), 3, 0)));
        assert!(found.contains(&("PKCS 11".into(), 2, 40)));
        assert!(found.contains(&("Craton HSM".into(), 1, 1)));
        assert!(found.contains(&("Craton HSM".into(), 1, 0)));

        // Default: the newest PKCS 11 interface.
        let mut iface: *mut CK_INTERFACE = null_mut();
        assert_eq!(
            r.lib.C_GetInterface(null_mut(), null_mut(), &mut iface, 0),
            CKR_OK
        );
        let list = &*((*iface).pFunctionList as *const CK_FUNCTION_LIST_3_2);
        assert_eq!((list.version.major, list.version.minor), (3, 2));
        assert!(list.C_EncapsulateKey.is_some() && list.C_UnwrapKeyAuthenticated.is_some());

        let mut want = CK_VERSION { major: 3, minor: 0 };
        let name = b"PKCS 11\0";
        assert_eq!(
            r.lib
                .C_GetInterface(name.as_ptr() as *mut _, &mut want, &mut iface, 0),
            CKR_OK
        );
        let list = &*((*iface).pFunctionList as *const CK_FUNCTION_LIST_3_0);
        assert_eq!((list.version.major, list.version.minor), (3, 0));
        assert!(list.C_MessageVerifyFinal.is_some());

        let mut want = CK_VERSION {
            major: 2,
            minor: 40,
        };
        let name = b"PKCS 11\0";
        assert_eq!(
            r.lib
                .C_GetInterface(name.as_ptr() as *mut _, &mut want, &mut iface, 0),
            CKR_OK
        );
        let list = &*((*iface).pFunctionList as *const CK_FUNCTION_LIST);
        assert_eq!((list.version.major, list.version.minor), (2, 40));
        assert!(list.C_Sign.is_some());

        let vendor = b"Craton HSM\0";
        assert_eq!(
            r.lib
                .C_GetInterface(vendor.as_ptr() as *mut _, null_mut(), &mut iface, 0),
            CKR_OK
        );
        let unknown = b"Nope\0";
        assert_eq!(
            r.lib
                .C_GetInterface(unknown.as_ptr() as *mut _, null_mut(), &mut iface, 0),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            r.lib.C_GetInterface(null_mut(), null_mut(), null_mut(), 0),
            CKR_ARGUMENTS_BAD
        );

        // The 3.0 list carries every 3.0 function, implemented or not.
        assert_eq!(
            r.lib.C_GetInterface(null_mut(), null_mut(), &mut iface, 0),
            CKR_OK
        );
        let l3 = &*((*iface).pFunctionList as *const CK_FUNCTION_LIST_3_0);
        assert!(
            l3.C_LoginUser.is_some()
                && l3.C_SessionCancel.is_some()
                && l3.C_MessageVerifyFinal.is_some()
        );

        let mut fl: *mut CK_FUNCTION_LIST = null_mut();
        assert_eq!(r.lib.C_GetFunctionList(&mut fl), CKR_OK);
        assert_eq!(((*fl).version.major, (*fl).version.minor), (2, 40));
        assert_eq!(r.lib.C_GetFunctionList(null_mut()), CKR_ARGUMENTS_BAD);
    }
}

#[test]
fn info_and_slot_list_conventions() {
    let r = raw();
    assert_eq!(r.init(), CKR_OK);
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        let mut info = CK_INFO::default();
        assert_eq!(r.lib.C_GetInfo(&mut info), CKR_OK);
        assert_eq!(info.cryptokiVersion.major, 3);
        assert!(info.manufacturerID.starts_with(b"Craton HSM"));
        assert_eq!(r.lib.C_GetInfo(null_mut()), CKR_ARGUMENTS_BAD);

        let mut count: CK_ULONG = 0;
        assert_eq!(
            r.lib.C_GetSlotList(CK_FALSE, null_mut(), &mut count),
            CKR_OK
        );
        assert_eq!(count, 1);
        let mut zero: CK_ULONG = 0;
        let mut slots = [0 as CK_SLOT_ID; 4];
        assert_eq!(
            r.lib.C_GetSlotList(CK_FALSE, slots.as_mut_ptr(), &mut zero),
            CKR_BUFFER_TOO_SMALL
        );
        assert_eq!(zero, 1);
        assert_eq!(
            r.lib.C_GetSlotList(CK_TRUE, null_mut(), null_mut()),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            r.lib.C_GetSlotInfo(42, &mut CK_SLOT_INFO::default()),
            CKR_SLOT_ID_INVALID
        );
        assert_eq!(
            r.lib.C_GetTokenInfo(42, &mut CK_TOKEN_INFO::default()),
            CKR_SLOT_ID_INVALID
        );

        let mut n: CK_ULONG = 0;
        assert_eq!(r.lib.C_GetMechanismList(0, null_mut(), &mut n), CKR_OK);
        assert!(n > 10);
        let mut mi = CK_MECHANISM_INFO::default();
        assert_eq!(
            r.lib
                .C_GetMechanismInfo(0, CKM_RSA_PKCS_KEY_PAIR_GEN, &mut mi),
            CKR_OK
        );
        // The registry's RSA range, narrowed by the provider (RustCrypto stops at 4096 bits).
        let max = if awslc() { 8192 } else { 4096 };
        assert_eq!((mi.ulMinKeySize, mi.ulMaxKeySize), (2048, max));
        assert_ne!(mi.flags & CKF_GENERATE_KEY_PAIR, 0);
        assert_eq!(
            r.lib.C_GetMechanismInfo(0, CKM_DES_CBC, &mut mi),
            CKR_MECHANISM_INVALID
        );

        // No events on a software token.
        let mut slot: CK_SLOT_ID = 0;
        assert_eq!(
            r.lib
                .C_WaitForSlotEvent(CKF_DONT_BLOCK, &mut slot, null_mut()),
            CKR_NO_EVENT
        );
    }
}

/// Opens an initialized token's session through the raw API and logs the user in.
unsafe fn raw_user_session(r: &Raw) -> CK_SESSION_HANDLE {
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        let mut label = [b' '; 32];
        label[..4].copy_from_slice(b"test");
        assert_eq!(
            r.lib.C_InitToken(
                0,
                SO_PIN.as_ptr() as *mut _,
                SO_PIN.len() as _,
                label.as_mut_ptr()
            ),
            CKR_OK
        );
        let mut h: CK_SESSION_HANDLE = 0;
        assert_eq!(
            r.lib.C_OpenSession(
                0,
                CKF_SERIAL_SESSION | CKF_RW_SESSION,
                null_mut(),
                None,
                &mut h
            ),
            CKR_OK
        );
        assert_eq!(
            r.lib
                .C_Login(h, CKU_SO, SO_PIN.as_ptr() as *mut _, SO_PIN.len() as _),
            CKR_OK
        );
        assert_eq!(
            r.lib
                .C_InitPIN(h, USER_PIN.as_ptr() as *mut _, USER_PIN.len() as _),
            CKR_OK
        );
        assert_eq!(r.lib.C_Logout(h), CKR_OK);
        assert_eq!(
            r.lib.C_Login(
                h,
                CKU_USER,
                USER_PIN.as_ptr() as *mut _,
                USER_PIN.len() as _
            ),
            CKR_OK
        );
        h
    }
}

#[test]
fn output_buffer_convention_and_argument_checks() {
    let r = raw();
    assert_eq!(r.init(), CKR_OK);
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        let h = raw_user_session(&r);
        let mut mech = CK_MECHANISM {
            mechanism: CKM_SHA256,
            pParameter: null_mut(),
            ulParameterLen: 0,
        };
        assert_eq!(r.lib.C_DigestInit(h, &mut mech), CKR_OK);
        assert_eq!(r.lib.C_DigestInit(h, &mut mech), CKR_OPERATION_ACTIVE);
        let data = b"abc";
        // Length query: the operation stays active.
        let mut len: CK_ULONG = 0;
        assert_eq!(
            r.lib
                .C_Digest(h, data.as_ptr() as *mut _, 3, null_mut(), &mut len),
            CKR_OK
        );
        assert_eq!(len, 32);
        // Too small: the needed length, and still active.
        let mut out = [0u8; 64];
        let mut small: CK_ULONG = 8;
        assert_eq!(
            r.lib
                .C_Digest(h, data.as_ptr() as *mut _, 3, out.as_mut_ptr(), &mut small),
            CKR_BUFFER_TOO_SMALL
        );
        assert_eq!(small, 32);
        let mut big: CK_ULONG = 64;
        assert_eq!(
            r.lib
                .C_Digest(h, data.as_ptr() as *mut _, 3, out.as_mut_ptr(), &mut big),
            CKR_OK
        );
        assert_eq!(big, 32);
        assert_eq!(
            hex::encode(&out[..32]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        // The operation has ended.
        assert_eq!(
            r.lib
                .C_Digest(h, data.as_ptr() as *mut _, 3, out.as_mut_ptr(), &mut big),
            CKR_OPERATION_NOT_INITIALIZED
        );

        // A NULL mechanism ends the active operation (3.x), and is harmless without one.
        assert_eq!(r.lib.C_DigestInit(h, &mut mech), CKR_OK);
        assert_eq!(r.lib.C_DigestInit(h, null_mut()), CKR_OK);
        assert_eq!(
            r.lib.C_DigestUpdate(h, data.as_ptr() as *mut _, 3),
            CKR_OPERATION_NOT_INITIALIZED
        );
        assert_eq!(r.lib.C_DigestInit(h, null_mut()), CKR_OK);
        // NULL where a pointer is required.
        assert_eq!(r.lib.C_DigestInit(h, &mut mech), CKR_OK);
        assert_eq!(r.lib.C_DigestUpdate(h, null_mut(), 5), CKR_ARGUMENTS_BAD);
        assert_eq!(
            r.lib.C_DigestFinal(h, out.as_mut_ptr(), null_mut()),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(r.lib.C_SessionCancel(h, CKF_DIGEST), CKR_OK);
        assert_eq!(
            r.lib.C_DigestUpdate(h, data.as_ptr() as *mut _, 3),
            CKR_OPERATION_NOT_INITIALIZED
        );

        let mut obj: CK_OBJECT_HANDLE = 0;
        assert_eq!(
            r.lib.C_CreateObject(h, null_mut(), 2, &mut obj),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(r.lib.C_GenerateRandom(h, null_mut(), 16), CKR_ARGUMENTS_BAD);
        assert_eq!(r.lib.C_GenerateRandom(h, out.as_mut_ptr(), 16), CKR_OK);
        assert_eq!(
            r.lib.C_GenerateRandom(999, out.as_mut_ptr(), 16),
            CKR_SESSION_HANDLE_INVALID
        );
        // Not implemented: not supported, never a silent CKR_OK.
        assert_eq!(
            r.lib.C_SignRecoverInit(h, null_mut(), 0),
            CKR_FUNCTION_NOT_SUPPORTED
        );
        assert_eq!(r.lib.C_GetFunctionStatus(h), CKR_FUNCTION_NOT_PARALLEL);
        assert_eq!(r.lib.C_CancelFunction(h), CKR_FUNCTION_NOT_PARALLEL);
    }
}

#[test]
fn sign_output_is_stable_across_a_too_small_retry() {
    // ECDSA signatures are randomized: the retry after CKR_BUFFER_TOO_SMALL must return the
    // signature computed the first time, and verify.
    let r = raw();
    assert_eq!(r.init(), CKR_OK);
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        let h = raw_user_session(&r);
        let params = [0x06u8, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
        let t = CK_TRUE;
        let mut pub_tpl = [
            CK_ATTRIBUTE {
                type_: CKA_EC_PARAMS,
                pValue: params.as_ptr() as *mut _,
                ulValueLen: params.len() as _,
            },
            CK_ATTRIBUTE {
                type_: CKA_VERIFY,
                pValue: &t as *const u8 as *mut _,
                ulValueLen: 1,
            },
        ];
        let mut priv_tpl = [CK_ATTRIBUTE {
            type_: CKA_SIGN,
            pValue: &t as *const u8 as *mut _,
            ulValueLen: 1,
        }];
        let mut mech = CK_MECHANISM {
            mechanism: CKM_EC_KEY_PAIR_GEN,
            pParameter: null_mut(),
            ulParameterLen: 0,
        };
        let (mut hp, mut hs) = (0, 0);
        assert_eq!(
            r.lib.C_GenerateKeyPair(
                h,
                &mut mech,
                pub_tpl.as_mut_ptr(),
                2,
                priv_tpl.as_mut_ptr(),
                1,
                &mut hp,
                &mut hs
            ),
            CKR_OK
        );
        let mut sm = CK_MECHANISM {
            mechanism: CKM_ECDSA_SHA256,
            pParameter: null_mut(),
            ulParameterLen: 0,
        };
        assert_eq!(r.lib.C_SignInit(h, &mut sm, hs), CKR_OK);
        let msg = b"message";
        let mut sig = [0u8; 64];
        let mut len: CK_ULONG = 10;
        assert_eq!(
            r.lib
                .C_Sign(h, msg.as_ptr() as *mut _, 7, sig.as_mut_ptr(), &mut len),
            CKR_BUFFER_TOO_SMALL
        );
        assert_eq!(len, 64);
        assert_eq!(
            r.lib
                .C_Sign(h, msg.as_ptr() as *mut _, 7, sig.as_mut_ptr(), &mut len),
            CKR_OK
        );
        assert_eq!(r.lib.C_VerifyInit(h, &mut sm, hp), CKR_OK);
        assert_eq!(
            r.lib
                .C_Verify(h, msg.as_ptr() as *mut _, 7, sig.as_mut_ptr(), 64),
            CKR_OK
        );
        // Wrong key type for the mechanism.
        let mut rsa = CK_MECHANISM {
            mechanism: CKM_SHA256_RSA_PKCS,
            pParameter: null_mut(),
            ulParameterLen: 0,
        };
        assert_eq!(r.lib.C_SignInit(h, &mut rsa, hs), CKR_KEY_TYPE_INCONSISTENT);
        assert_eq!(
            r.lib.C_SignInit(h, &mut sm, 987_654),
            CKR_KEY_HANDLE_INVALID
        );
        // A public key cannot sign.
        assert_eq!(r.lib.C_SignInit(h, &mut sm, hp), CKR_KEY_TYPE_INCONSISTENT);
    }
    let _ = null::<u8>();
}

/// A call that finishes an operation ends it on error too; C_DigestKey names a bad key handle
/// as such and its errors end the digest, as C_DigestUpdate's do.
#[test]
fn failed_calls_end_their_operation() {
    let r = raw();
    assert_eq!(r.init(), CKR_OK);
    // SAFETY: valid pointers for the call, or NULL where the test means it.
    unsafe {
        let h = raw_user_session(&r);
        let mut mech = CK_MECHANISM {
            mechanism: CKM_SHA256,
            pParameter: null_mut(),
            ulParameterLen: 0,
        };
        let data = b"abc";
        let mut out = [0u8; 64];
        let mut len: CK_ULONG = 64;
        // C_Digest after C_DigestUpdate is an error that ends the operation.
        assert_eq!(r.lib.C_DigestInit(h, &mut mech), CKR_OK);
        assert_eq!(r.lib.C_DigestUpdate(h, data.as_ptr() as *mut _, 3), CKR_OK);
        assert_eq!(
            r.lib
                .C_Digest(h, data.as_ptr() as *mut _, 3, out.as_mut_ptr(), &mut len),
            CKR_OPERATION_ACTIVE
        );
        assert_eq!(
            r.lib.C_DigestFinal(h, out.as_mut_ptr(), &mut len),
            CKR_OPERATION_NOT_INITIALIZED
        );
        // C_DigestKey with a handle that names nothing.
        assert_eq!(r.lib.C_DigestInit(h, &mut mech), CKR_OK);
        assert_eq!(r.lib.C_DigestKey(h, 0xdead_beef), CKR_KEY_HANDLE_INVALID);
        assert_eq!(
            r.lib.C_DigestUpdate(h, data.as_ptr() as *mut _, 3),
            CKR_OPERATION_NOT_INITIALIZED
        );
        // C_DigestKey with no digest running.
        assert_eq!(
            r.lib.C_DigestKey(h, 0xdead_beef),
            CKR_OPERATION_NOT_INITIALIZED
        );
    }
}
