//! Sessions and login across the slot: C_CloseAllSessions, C_LoginUser and C_SessionCancel
//! over several active operations.

mod common;

use common::keys::*;
use common::raw::*;
use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectClass};
use cryptoki_sys::*;
use std::ptr::null_mut;

#[test]
fn close_all_sessions_closes_the_slot_and_logs_out() {
    let env = Env::new("token.slot_count = 2\n");
    let slots = env.p11().get_all_slots().unwrap();
    assert_eq!(slots.len(), 2);
    let slot = env.init_token().id();
    let other_slot = slots.iter().map(|s| s.id()).find(|&id| id != slot).unwrap();
    let lib = raw_lib();

    let ro = raw_open(&lib, slot, false);
    let rw1 = raw_open(&lib, slot, true);
    let rw2 = raw_open(&lib, slot, true);
    let elsewhere = raw_open(&lib, other_slot, false);
    assert_eq!(raw_login(&lib, rw1, CKU_USER, USER_PIN), CKR_OK);
    // The login applies to every session on the token.
    assert_eq!(raw_state(&lib, ro), Ok(CKS_RO_USER_FUNCTIONS));
    assert_eq!(raw_state(&lib, rw1), Ok(CKS_RW_USER_FUNCTIONS));
    assert_eq!(raw_state(&lib, rw2), Ok(CKS_RW_USER_FUNCTIONS));

    // A private token object (survives, but only the user may see it) and a public session
    // object (destroyed with its session).
    let private_token = raw_create(
        &lib,
        rw1,
        vec![
            (CKA_CLASS, Val::Ulong(CKO_DATA)),
            (CKA_TOKEN, Val::Bool(true)),
            (CKA_PRIVATE, Val::Bool(true)),
            (CKA_LABEL, Val::Bytes(b"private-token".to_vec())),
            (CKA_VALUE, Val::Bytes(b"secret".to_vec())),
        ],
    )
    .unwrap();
    let session_obj = raw_create(
        &lib,
        rw2,
        vec![
            (CKA_CLASS, Val::Ulong(CKO_DATA)),
            (CKA_PRIVATE, Val::Bool(false)),
            (CKA_VALUE, Val::Bytes(b"public".to_vec())),
        ],
    )
    .unwrap();
    assert!(object_size(&lib, ro, session_obj).is_ok());

    // SAFETY: no pointers.
    assert_eq!(unsafe { lib.0.C_CloseAllSessions(slot) }, CKR_OK);
    for h in [ro, rw1, rw2] {
        assert_eq!(raw_state(&lib, h), Err(CKR_SESSION_HANDLE_INVALID));
        // SAFETY: no pointers.
        assert_eq!(
            // SAFETY: valid pointers for the call, or NULL where the test means it.
            unsafe { lib.0.C_CloseSession(h) },
            CKR_SESSION_HANDLE_INVALID
        );
    }
    // The other slot's session is untouched.
    assert_eq!(raw_state(&lib, elsewhere), Ok(CKS_RO_PUBLIC_SESSION));
    let mut ti = CK_TOKEN_INFO::default();
    // SAFETY: `ti` is writable.
    assert_eq!(unsafe { lib.0.C_GetTokenInfo(slot, &mut ti) }, CKR_OK);
    assert_eq!((ti.ulSessionCount, ti.ulRwSessionCount), (0, 0));

    // Closing the last session logged the user out: new sessions are public.
    let fresh_ro = raw_open(&lib, slot, false);
    assert_eq!(raw_state(&lib, fresh_ro), Ok(CKS_RO_PUBLIC_SESSION));
    let fresh_rw = raw_open(&lib, slot, true);
    assert_eq!(raw_state(&lib, fresh_rw), Ok(CKS_RW_PUBLIC_SESSION));
    assert_eq!(
        object_size(&lib, fresh_ro, private_token),
        Err(CKR_OBJECT_HANDLE_INVALID)
    );
    assert_eq!(
        object_size(&lib, fresh_ro, session_obj),
        Err(CKR_OBJECT_HANDLE_INVALID)
    );
    // Logged in again: the token object is back under a new handle (the logout invalidated
    // the old one for good), the session object is gone for good.
    assert_eq!(raw_login(&lib, fresh_rw, CKU_USER, USER_PIN), CKR_OK);
    assert_eq!(
        object_size(&lib, fresh_ro, private_token),
        Err(CKR_OBJECT_HANDLE_INVALID)
    );
    let label = (CKA_LABEL, Val::Bytes(b"private-token".to_vec()));
    let again = raw_find(&lib, fresh_ro, vec![label]).unwrap();
    assert_eq!(again.len(), 1);
    assert!(object_size(&lib, fresh_ro, again[0]).unwrap() > 0);
    assert_eq!(
        object_size(&lib, fresh_ro, session_obj),
        Err(CKR_OBJECT_HANDLE_INVALID)
    );

    // With the SO logged in, no read-only session may open; after C_CloseAllSessions it may.
    // SAFETY: no pointers.
    assert_eq!(unsafe { lib.0.C_CloseAllSessions(slot) }, CKR_OK);
    let so = raw_open(&lib, slot, true);
    assert_eq!(raw_login(&lib, so, CKU_SO, SO_PIN), CKR_OK);
    assert_eq!(raw_state(&lib, so), Ok(CKS_RW_SO_FUNCTIONS));
    let mut h: CK_SESSION_HANDLE = 0;
    // SAFETY: `h` is writable.
    let rv = unsafe {
        lib.0
            .C_OpenSession(slot, CKF_SERIAL_SESSION, null_mut(), None, &mut h)
    };
    assert_eq!(rv, CKR_SESSION_READ_WRITE_SO_EXISTS);
    // SAFETY: no pointers.
    assert_eq!(unsafe { lib.0.C_CloseAllSessions(slot) }, CKR_OK);
    assert_eq!(raw_state(&lib, so), Err(CKR_SESSION_HANDLE_INVALID));
    let after = raw_open(&lib, slot, false);
    assert_eq!(raw_state(&lib, after), Ok(CKS_RO_PUBLIC_SESSION));

    // No sessions left is fine; an unknown slot is not.
    // SAFETY: no pointers.
    unsafe {
        assert_eq!(lib.0.C_CloseAllSessions(slot), CKR_OK);
        assert_eq!(lib.0.C_CloseAllSessions(slot), CKR_OK);
        assert_eq!(lib.0.C_CloseAllSessions(4242), CKR_SLOT_ID_INVALID);
    }
    assert_eq!(raw_state(&lib, elsewhere), Ok(CKS_RO_PUBLIC_SESSION));
}

fn login_user(
    lib: &RawLib,
    h: CK_SESSION_HANDLE,
    user: CK_USER_TYPE,
    pin: &[u8],
    username: Option<&[u8]>,
    username_len: usize,
) -> CK_RV {
    let name = username.map_or(null_mut(), |u| u.as_ptr() as *mut u8);
    // SAFETY: the PIN and username buffers hold their stated lengths (or are NULL).
    unsafe {
        lib.0.C_LoginUser(
            h,
            user,
            pin.as_ptr() as *mut _,
            pin.len() as CK_ULONG,
            name,
            username_len as CK_ULONG,
        )
    }
}

#[test]
fn login_user_logs_in_with_a_username() {
    let env = Env::new("");
    let slot = env.init_token().id();
    let lib = raw_lib();
    let h = raw_open(&lib, slot, true);
    let alice: &[u8] = b"alice";

    assert_eq!(
        login_user(&lib, h, CKU_USER, b"not-the-pin", Some(alice), alice.len()),
        CKR_PIN_INCORRECT
    );
    assert_eq!(raw_state(&lib, h), Ok(CKS_RW_PUBLIC_SESSION));
    // A username pointer of NULL with a length is a bad argument.
    assert_eq!(
        login_user(&lib, h, CKU_USER, USER_PIN.as_bytes(), None, 5),
        CKR_ARGUMENTS_BAD
    );
    assert_eq!(
        login_user(&lib, h, 42, USER_PIN.as_bytes(), Some(alice), alice.len()),
        CKR_USER_TYPE_INVALID
    );
    assert_eq!(raw_state(&lib, h), Ok(CKS_RW_PUBLIC_SESSION));

    assert_eq!(
        login_user(
            &lib,
            h,
            CKU_USER,
            USER_PIN.as_bytes(),
            Some(alice),
            alice.len()
        ),
        CKR_OK
    );
    assert_eq!(raw_state(&lib, h), Ok(CKS_RW_USER_FUNCTIONS));
    // The user has user rights: a private object can be created.
    raw_create(
        &lib,
        h,
        vec![
            (CKA_CLASS, Val::Ulong(CKO_DATA)),
            (CKA_PRIVATE, Val::Bool(true)),
        ],
    )
    .unwrap();
    assert_eq!(
        login_user(
            &lib,
            h,
            CKU_USER,
            USER_PIN.as_bytes(),
            Some(alice),
            alice.len()
        ),
        CKR_USER_ALREADY_LOGGED_IN
    );
    // SAFETY: no pointers.
    assert_eq!(unsafe { lib.0.C_Logout(h) }, CKR_OK);
    assert_eq!(raw_state(&lib, h), Ok(CKS_RW_PUBLIC_SESSION));

    // The SO through C_LoginUser too.
    let so: &[u8] = b"security-officer";
    assert_eq!(
        login_user(&lib, h, CKU_SO, b"wrong-so-pin", Some(so), so.len()),
        CKR_PIN_INCORRECT
    );
    assert_eq!(
        login_user(&lib, h, CKU_SO, SO_PIN.as_bytes(), Some(so), so.len()),
        CKR_OK
    );
    assert_eq!(raw_state(&lib, h), Ok(CKS_RW_SO_FUNCTIONS));
}

#[test]
fn session_cancel_ends_the_named_operations_only() {
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    let (public, private) = ec_pair(&s, &[Attribute::Sign(true)]);
    let aes = aes_key(&s, &[]);
    let cbc = Mechanism::AesCbcPad(CBC_IV);

    s.sign_init(&Mechanism::EcdsaSha256, private).unwrap();
    s.sign_update(b"first part").unwrap();
    s.verify_init(&Mechanism::EcdsaSha256, public).unwrap();
    s.verify_update(b"first part").unwrap();
    s.encrypt_init(&cbc, aes).unwrap();
    let first = s.encrypt_update(&[1u8; 20]).unwrap();
    assert_eq!(first.len(), 16);
    s.decrypt_init(&cbc, aes).unwrap();
    s.digest_init(&Mechanism::Sha256).unwrap();
    // SAFETY: no template (match everything).
    assert_eq!(unsafe { lib.0.C_FindObjectsInit(h, null_mut(), 0) }, CKR_OK);

    let flags = CKF_SIGN | CKF_VERIFY | CKF_ENCRYPT | CKF_FIND_OBJECTS;
    // SAFETY: no pointers.
    assert_eq!(unsafe { lib.0.C_SessionCancel(h, flags) }, CKR_OK);

    assert_rv!(s.sign_update(b"more"), RvError::OperationNotInitialized);
    assert_rv!(s.sign_final(), RvError::OperationNotInitialized);
    assert_rv!(s.verify_update(b"more"), RvError::OperationNotInitialized);
    assert_rv!(
        s.encrypt_update(&[2u8; 16]),
        RvError::OperationNotInitialized
    );
    assert_rv!(s.encrypt_final(), RvError::OperationNotInitialized);
    let mut found = [0 as CK_OBJECT_HANDLE; 8];
    let mut n: CK_ULONG = 0;
    // SAFETY: `found` holds 8 handles and `n` is writable.
    let rv = unsafe { lib.0.C_FindObjects(h, found.as_mut_ptr(), 8, &mut n) };
    assert_eq!(rv, CKR_OPERATION_NOT_INITIALIZED);
    // SAFETY: no pointers.
    assert_eq!(
        // SAFETY: valid pointers for the call, or NULL where the test means it.
        unsafe { lib.0.C_FindObjectsFinal(h) },
        CKR_OPERATION_NOT_INITIALIZED
    );

    // Decrypt and digest were not named: they are still running.
    assert_rv!(s.decrypt_init(&cbc, aes), RvError::OperationActive);
    assert_rv!(s.digest_init(&Mechanism::Sha256), RvError::OperationActive);
    s.digest_update(b"abc").unwrap();
    assert_eq!(
        hex::encode(s.digest_final().unwrap()),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );

    // The cancelled operations can start again, and work.
    s.sign_init(&Mechanism::EcdsaSha256, private).unwrap();
    s.sign_update(b"message").unwrap();
    let sig = s.sign_final().unwrap();
    s.verify(&Mechanism::EcdsaSha256, public, b"message", &sig)
        .unwrap();
    let ct = s.encrypt(&cbc, aes, b"after the cancel").unwrap();
    // SAFETY: no pointers.
    assert_eq!(unsafe { lib.0.C_SessionCancel(h, CKF_DECRYPT) }, CKR_OK);
    assert_eq!(s.decrypt(&cbc, aes, &ct).unwrap(), b"after the cancel");
    assert_eq!(
        s.find_objects(&[Attribute::Class(ObjectClass::SECRET_KEY)])
            .unwrap(),
        vec![aes]
    );
    // SAFETY: no pointers.
    assert_eq!(
        // SAFETY: valid pointers for the call, or NULL where the test means it.
        unsafe { lib.0.C_SessionCancel(0xdead, CKF_SIGN) },
        CKR_SESSION_HANDLE_INVALID
    );
}

/// `C_SignInit` (SHA256-RSA-PKCS) or `C_DecryptInit` (RSA-OAEP with SHA-256, no label).
fn raw_init(lib: &RawLib, h: CK_SESSION_HANDLE, key: CK_OBJECT_HANDLE, sign: bool) -> CK_RV {
    let mut oaep = CK_RSA_PKCS_OAEP_PARAMS {
        hashAlg: CKM_SHA256,
        mgf: CKG_MGF1_SHA256,
        source: CKZ_DATA_SPECIFIED,
        pSourceData: null_mut(),
        ulSourceDataLen: 0,
    };
    let mut m = if sign {
        CK_MECHANISM {
            mechanism: CKM_SHA256_RSA_PKCS,
            pParameter: null_mut(),
            ulParameterLen: 0,
        }
    } else {
        CK_MECHANISM {
            mechanism: CKM_RSA_PKCS_OAEP,
            pParameter: &mut oaep as *mut CK_RSA_PKCS_OAEP_PARAMS as *mut _,
            ulParameterLen: std::mem::size_of::<CK_RSA_PKCS_OAEP_PARAMS>() as CK_ULONG,
        }
    };
    // SAFETY: the mechanism and its parameters outlive the call.
    unsafe {
        if sign {
            lib.0.C_SignInit(h, &mut m, key)
        } else {
            lib.0.C_DecryptInit(h, &mut m, key)
        }
    }
}

/// `C_Sign` or `C_Decrypt` into a buffer of 512 bytes.
fn raw_run(lib: &RawLib, h: CK_SESSION_HANDLE, data: &[u8], sign: bool) -> Result<Vec<u8>, CK_RV> {
    let mut out = vec![0u8; 512];
    let mut len = out.len() as CK_ULONG;
    let (p, n) = (data.as_ptr() as *mut _, data.len() as CK_ULONG);
    // SAFETY: every buffer outlives the call; `len` is the output capacity.
    let rv = unsafe {
        if sign {
            lib.0.C_Sign(h, p, n, out.as_mut_ptr(), &mut len)
        } else {
            lib.0.C_Decrypt(h, p, n, out.as_mut_ptr(), &mut len)
        }
    };
    out.truncate(len as usize);
    rv_result(rv, out)
}

#[test]
fn always_authenticate_keys_need_a_context_login_for_each_use() {
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    let (public, private) = s
        .generate_key_pair(
            &Mechanism::RsaPkcsKeyPairGen,
            &[Attribute::ModulusBits(2048.into())],
            &[
                Attribute::AlwaysAuthenticate(true),
                Attribute::Decrypt(true),
            ],
        )
        .unwrap();
    let (plain_public, plain_private) = rsa_pair(&s);
    let (key, plain) = (private.handle(), plain_private.handle());
    let msg = b"each use needs the PIN";

    // With nothing waiting for it, a context-specific login is improper use.
    assert_eq!(
        raw_login(&lib, h, CKU_CONTEXT_SPECIFIC, USER_PIN),
        CKR_OPERATION_NOT_INITIALIZED
    );
    assert_eq!(raw_init(&lib, h, plain, true), CKR_OK);
    assert_eq!(
        raw_login(&lib, h, CKU_CONTEXT_SPECIFIC, USER_PIN),
        CKR_OPERATION_NOT_INITIALIZED
    );
    let sig = raw_run(&lib, h, msg, true).unwrap();
    s.verify(&Mechanism::Sha256RsaPkcs, plain_public, msg, &sig)
        .unwrap();

    // Signing: refused without the context login (which ends the operation), then allowed.
    assert_eq!(raw_init(&lib, h, key, true), CKR_OK);
    assert_eq!(raw_run(&lib, h, msg, true), Err(CKR_USER_NOT_LOGGED_IN));
    assert_eq!(
        raw_run(&lib, h, msg, true),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    assert_eq!(raw_init(&lib, h, key, true), CKR_OK);
    assert_eq!(
        raw_login(&lib, h, CKU_CONTEXT_SPECIFIC, "wrong-pin"),
        CKR_PIN_INCORRECT
    );
    assert_eq!(raw_login(&lib, h, CKU_CONTEXT_SPECIFIC, USER_PIN), CKR_OK);
    let sig = raw_run(&lib, h, msg, true).unwrap();
    s.verify(&Mechanism::Sha256RsaPkcs, public, msg, &sig)
        .unwrap();
    // The login covered that one signature only.
    assert_eq!(raw_init(&lib, h, key, true), CKR_OK);
    assert_eq!(raw_run(&lib, h, msg, true), Err(CKR_USER_NOT_LOGGED_IN));

    // Decryption follows the same rule.
    let ct = s.encrypt(&oaep(b""), public, msg).unwrap();
    assert_eq!(raw_init(&lib, h, key, false), CKR_OK);
    assert_eq!(raw_run(&lib, h, &ct, false), Err(CKR_USER_NOT_LOGGED_IN));
    assert_eq!(raw_init(&lib, h, key, false), CKR_OK);
    assert_eq!(raw_login(&lib, h, CKU_CONTEXT_SPECIFIC, USER_PIN), CKR_OK);
    assert_eq!(raw_run(&lib, h, &ct, false).unwrap(), msg);
    // The user stays logged in throughout.
    assert_eq!(raw_state(&lib, h), Ok(CKS_RW_USER_FUNCTIONS));
}
