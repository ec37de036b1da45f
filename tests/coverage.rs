//! The paths docs/pkcs11-coverage.md listed as untested: C_CloseAllSessions, C_GetObjectSize,
//! C_LoginUser, the functions the module does not support, C_WaitForSlotEvent, C_GetSlotInfo,
//! C_SessionCancel over several operations, RSA-OAEP encryption, generic-secret generation
//! with HMAC, wrapping (AES-GCM, AES-CBC-PAD, RSA-OAEP, PKCS#8 under AES-KWP, trusted keys and
//! the wrap/unwrap templates) and ECDH with a KDF or the cofactor mechanism.

mod common;

use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::mechanism::elliptic_curve::{EcKdf, Ecdh1DeriveParams};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki_sys::*;
use std::ffi::c_void;
use std::ptr::null_mut;

const P256: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// id-ecPublicKey (1.2.840.10045.2.1) as a DER OBJECT IDENTIFIER.
const EC_PUBLIC_KEY_OID: [u8; 9] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

// ---- raw-API helpers -------------------------------------------------------------------

/// One value of a raw `CK_ATTRIBUTE` template.
enum Val {
    Bool(bool),
    Ulong(CK_ULONG),
    Bytes(Vec<u8>),
    /// An attribute-array value (CKA_WRAP_TEMPLATE, CKA_UNWRAP_TEMPLATE).
    Nested(Vec<(CK_ATTRIBUTE_TYPE, Val)>),
}

/// A `CK_ATTRIBUTE` array together with the buffers its entries point into.
struct RawTemplate {
    attrs: Vec<CK_ATTRIBUTE>,
    _buffers: Vec<Vec<u8>>,
    _nested: Vec<RawTemplate>,
}

impl RawTemplate {
    fn new(items: Vec<(CK_ATTRIBUTE_TYPE, Val)>) -> RawTemplate {
        let mut t = RawTemplate {
            attrs: Vec::new(),
            _buffers: Vec::new(),
            _nested: Vec::new(),
        };
        for (ty, v) in items {
            let (p, len) = match v {
                Val::Nested(inner) => {
                    let mut n = RawTemplate::new(inner);
                    let p = n.attrs.as_mut_ptr() as *mut c_void;
                    let len = n.attrs.len() * std::mem::size_of::<CK_ATTRIBUTE>();
                    // Moving `n` leaves its heap buffer (which `p` points into) in place.
                    t._nested.push(n);
                    (p, len)
                }
                other => {
                    let mut b = match other {
                        Val::Bool(b) => vec![if b { CK_TRUE } else { CK_FALSE }],
                        Val::Ulong(u) => u.to_ne_bytes().to_vec(),
                        Val::Bytes(b) => b,
                        Val::Nested(_) => unreachable!(),
                    };
                    let p = b.as_mut_ptr() as *mut c_void;
                    let len = b.len();
                    t._buffers.push(b);
                    (p, len)
                }
            };
            t.attrs.push(CK_ATTRIBUTE {
                type_: ty,
                pValue: p,
                ulValueLen: len as CK_ULONG,
            });
        }
        t
    }

    fn ptr(&mut self) -> CK_ATTRIBUTE_PTR {
        self.attrs.as_mut_ptr()
    }

    fn count(&self) -> CK_ULONG {
        self.attrs.len() as CK_ULONG
    }
}

fn rv_result<T>(rv: CK_RV, v: T) -> Result<T, CK_RV> {
    if rv == CKR_OK { Ok(v) } else { Err(rv) }
}

fn raw_open(lib: &RawLib, slot: CK_SLOT_ID, rw: bool) -> CK_SESSION_HANDLE {
    let flags = CKF_SERIAL_SESSION | if rw { CKF_RW_SESSION } else { 0 };
    let mut h: CK_SESSION_HANDLE = 0;
    // SAFETY: `h` is writable for the duration of the call.
    let rv = unsafe { lib.0.C_OpenSession(slot, flags, null_mut(), None, &mut h) };
    assert_eq!(rv, CKR_OK, "C_OpenSession");
    h
}

fn raw_login(lib: &RawLib, h: CK_SESSION_HANDLE, user: CK_USER_TYPE, pin: &str) -> CK_RV {
    // SAFETY: the PIN buffer is valid for the duration of the call.
    unsafe {
        lib.0
            .C_Login(h, user, pin.as_ptr() as *mut _, pin.len() as CK_ULONG)
    }
}

fn raw_state(lib: &RawLib, h: CK_SESSION_HANDLE) -> Result<CK_STATE, CK_RV> {
    let mut info = CK_SESSION_INFO::default();
    // SAFETY: `info` is writable for the duration of the call.
    let rv = unsafe { lib.0.C_GetSessionInfo(h, &mut info) };
    rv_result(rv, info.state)
}

fn raw_create(
    lib: &RawLib,
    h: CK_SESSION_HANDLE,
    items: Vec<(CK_ATTRIBUTE_TYPE, Val)>,
) -> Result<CK_OBJECT_HANDLE, CK_RV> {
    let mut t = RawTemplate::new(items);
    let mut out: CK_OBJECT_HANDLE = 0;
    // SAFETY: the template and its buffers outlive the call; `out` is writable.
    let rv = unsafe { lib.0.C_CreateObject(h, t.ptr(), t.count(), &mut out) };
    rv_result(rv, out)
}

fn object_size(lib: &RawLib, h: CK_SESSION_HANDLE, o: CK_OBJECT_HANDLE) -> Result<CK_ULONG, CK_RV> {
    let mut size: CK_ULONG = 0;
    // SAFETY: `size` is writable for the duration of the call.
    let rv = unsafe { lib.0.C_GetObjectSize(h, o, &mut size) };
    rv_result(rv, size)
}

fn raw_unwrap(
    lib: &RawLib,
    h: CK_SESSION_HANDLE,
    mech: CK_MECHANISM_TYPE,
    kek: CK_OBJECT_HANDLE,
    wrapped: &[u8],
    items: Vec<(CK_ATTRIBUTE_TYPE, Val)>,
) -> Result<CK_OBJECT_HANDLE, CK_RV> {
    let mut m = CK_MECHANISM {
        mechanism: mech,
        pParameter: null_mut(),
        ulParameterLen: 0,
    };
    let mut t = RawTemplate::new(items);
    let mut out: CK_OBJECT_HANDLE = 0;
    // SAFETY: every buffer outlives the call; `out` is writable.
    let rv = unsafe {
        lib.0.C_UnwrapKey(
            h,
            &mut m,
            kek,
            wrapped.as_ptr() as *mut _,
            wrapped.len() as CK_ULONG,
            t.ptr(),
            t.count(),
            &mut out,
        )
    };
    rv_result(rv, out)
}

#[allow(clippy::too_many_arguments)]
fn raw_ecdh(
    lib: &RawLib,
    h: CK_SESSION_HANDLE,
    mech: CK_MECHANISM_TYPE,
    kdf: CK_EC_KDF_TYPE,
    shared: &[u8],
    peer_point: &[u8],
    base: ObjectHandle,
    items: Vec<(CK_ATTRIBUTE_TYPE, Val)>,
) -> Result<CK_OBJECT_HANDLE, CK_RV> {
    let mut params = CK_ECDH1_DERIVE_PARAMS {
        kdf,
        ulSharedDataLen: shared.len() as CK_ULONG,
        pSharedData: if shared.is_empty() {
            null_mut()
        } else {
            shared.as_ptr() as *mut _
        },
        ulPublicDataLen: peer_point.len() as CK_ULONG,
        pPublicData: peer_point.as_ptr() as *mut _,
    };
    let mut m = CK_MECHANISM {
        mechanism: mech,
        pParameter: &mut params as *mut CK_ECDH1_DERIVE_PARAMS as *mut c_void,
        ulParameterLen: std::mem::size_of::<CK_ECDH1_DERIVE_PARAMS>() as CK_ULONG,
    };
    let mut t = RawTemplate::new(items);
    let mut out: CK_OBJECT_HANDLE = 0;
    // SAFETY: the parameters, template and buffers outlive the call; `out` is writable.
    let rv = unsafe {
        lib.0
            .C_DeriveKey(h, &mut m, base.handle(), t.ptr(), t.count(), &mut out)
    };
    rv_result(rv, out)
}

/// The "PKCS 11" 3.0 function list, found through C_GetInterface.
fn function_list_3_0(lib: &RawLib) -> &CK_FUNCTION_LIST_3_0 {
    let name = b"PKCS 11\0";
    let mut version = CK_VERSION { major: 3, minor: 0 };
    let mut iface: *mut CK_INTERFACE = null_mut();
    // SAFETY: a NUL-terminated name and writable out-pointers.
    let rv = unsafe {
        lib.0
            .C_GetInterface(name.as_ptr() as *mut _, &mut version, &mut iface, 0)
    };
    assert_eq!(rv, CKR_OK, "C_GetInterface(\"PKCS 11\", 3.0)");
    assert!(!iface.is_null());
    // SAFETY: the module returned a pointer to its static 3.0 interface, whose function list
    // lives as long as the library stays loaded (`lib` keeps it loaded).
    let list = unsafe { &*((*iface).pFunctionList as *const CK_FUNCTION_LIST_3_0) };
    assert_eq!((list.version.major, list.version.minor), (3, 0));
    list
}

/// Wraps a raw handle the module returned.
fn oh(h: CK_OBJECT_HANDLE) -> ObjectHandle {
    // SAFETY: only used for handles the module just returned.
    unsafe { ObjectHandle::new_from_raw(h) }
}

// ---- cryptoki helpers ------------------------------------------------------------------

fn aes_key(s: &Session, extra: &[Attribute]) -> ObjectHandle {
    let mut t = vec![Attribute::ValueLen(32.into())];
    t.extend_from_slice(extra);
    s.generate_key(&Mechanism::AesKeyGen, &t).unwrap()
}

fn rsa_pair(s: &Session) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::RsaPkcsKeyPairGen,
        &[Attribute::ModulusBits(2048.into())],
        &[],
    )
    .unwrap()
}

fn ec_pair(s: &Session, private: &[Attribute]) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::EccKeyPairGen,
        &[Attribute::EcParams(P256.to_vec())],
        private,
    )
    .unwrap()
}

fn value(s: &Session, o: ObjectHandle) -> Vec<u8> {
    match &s.get_attributes(o, &[AttributeType::Value]).unwrap()[..] {
        [Attribute::Value(v)] => v.clone(),
        other => panic!("CKA_VALUE: {other:?}"),
    }
}

fn ec_point(s: &Session, public: ObjectHandle) -> Vec<u8> {
    match &s.get_attributes(public, &[AttributeType::EcPoint]).unwrap()[..] {
        [Attribute::EcPoint(p)] => p.clone(),
        other => panic!("CKA_EC_POINT: {other:?}"),
    }
}

fn bool_attr(s: &Session, o: ObjectHandle, t: AttributeType) -> bool {
    let a = s.get_attributes(o, &[t]).unwrap();
    match a[..] {
        [Attribute::Extractable(b)]
        | [Attribute::Sensitive(b)]
        | [Attribute::Local(b)]
        | [Attribute::AlwaysSensitive(b)]
        | [Attribute::NeverExtractable(b)]
        | [Attribute::Trusted(b)]
        | [Attribute::WrapWithTrusted(b)] => b,
        ref other => panic!("{t:?}: {other:?}"),
    }
}

const CBC_IV: [u8; 16] = *b"coverage-cbc-iv!";

/// Asserts two AES key handles hold the same value: equal CBC ciphertexts, and each decrypts
/// what the other encrypted.
fn assert_same_aes_key(s: &Session, a: ObjectHandle, b: ObjectHandle) {
    let m = Mechanism::AesCbcPad(CBC_IV);
    let msg = b"one key value behind two handles";
    let ca = s.encrypt(&m, a, msg).unwrap();
    let cb = s.encrypt(&m, b, msg).unwrap();
    assert_eq!(ca, cb, "the keys differ");
    assert_eq!(s.decrypt(&m, b, &ca).unwrap(), msg);
    assert_eq!(s.decrypt(&m, a, &cb).unwrap(), msg);
}

fn assert_different_aes_keys(s: &Session, a: ObjectHandle, b: ObjectHandle) {
    let m = Mechanism::AesCbcPad(CBC_IV);
    let msg = b"one key value behind two handles";
    assert_ne!(
        s.encrypt(&m, a, msg).unwrap(),
        s.encrypt(&m, b, msg).unwrap()
    );
}

fn gcm_params<'a>(iv: &'a mut [u8; 12], aad: &'a [u8]) -> Mechanism<'a> {
    Mechanism::AesGcm(GcmParams::new(iv, aad, 128.into()).unwrap())
}

fn oaep(label: &[u8]) -> Mechanism<'_> {
    let source = if label.is_empty() {
        PkcsOaepSource::empty()
    } else {
        PkcsOaepSource::data_specified(label)
    };
    Mechanism::RsaPkcsOaep(PkcsOaepParams::new(
        MechanismType::SHA256,
        PkcsMgfType::MGF1_SHA256,
        source,
    ))
}

/// Whether `needle` occurs in `hay`.
fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

// ---- 1. C_CloseAllSessions -------------------------------------------------------------

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
    // Logged in again: the token object is back, the session object is gone for good.
    assert_eq!(raw_login(&lib, fresh_rw, CKU_USER, USER_PIN), CKR_OK);
    assert!(object_size(&lib, fresh_ro, private_token).unwrap() > 0);
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

// ---- 2. C_GetObjectSize ----------------------------------------------------------------

#[test]
fn get_object_size() {
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    let data = |len: usize| {
        s.create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Value(vec![0x5a; len]),
        ])
        .unwrap()
    };
    let small = data(10);
    let large = data(1010);
    let key = aes_key(&s, &[]);

    let small_size = object_size(&lib, h, small.handle()).unwrap();
    let large_size = object_size(&lib, h, large.handle()).unwrap();
    let key_size = object_size(&lib, h, key.handle()).unwrap();
    assert!(small_size > 0);
    // The size accounts for the value: 1000 more bytes of it, at least 1000 more bytes.
    assert!(
        large_size >= small_size + 1000,
        "{large_size} vs {small_size}"
    );
    // A sensitive key still has a size, and it is at least its 32-byte value.
    assert!(key_size >= 32, "{key_size}");

    assert_eq!(
        object_size(&lib, h, 0xdead_beef),
        Err(CKR_OBJECT_HANDLE_INVALID)
    );
    // SAFETY: a NULL size pointer is the point of this call.
    assert_eq!(
        unsafe { lib.0.C_GetObjectSize(h, small.handle(), null_mut()) },
        CKR_ARGUMENTS_BAD
    );
    assert_eq!(
        object_size(&lib, 0xdead, small.handle()),
        Err(CKR_SESSION_HANDLE_INVALID)
    );
    s.destroy_object(small).unwrap();
    assert_eq!(
        object_size(&lib, h, small.handle()),
        Err(CKR_OBJECT_HANDLE_INVALID)
    );
    // A private key is invisible once the user logs out.
    s.logout().unwrap();
    assert_eq!(
        object_size(&lib, h, key.handle()),
        Err(CKR_OBJECT_HANDLE_INVALID)
    );
    // The public data object is still visible.
    assert_eq!(object_size(&lib, h, large.handle()), Ok(large_size));
}

// ---- 3. C_LoginUser --------------------------------------------------------------------

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

// ---- 4. Functions the module does not support ------------------------------------------

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
    call!(C_MessageEncryptInit(h, m, 1));
    call!(C_EncryptMessage(h, p, pn, d, dl, d, dl, o, pl));
    call!(C_EncryptMessageBegin(h, p, pn, d, dl));
    call!(C_EncryptMessageNext(
        h,
        p,
        pn,
        d,
        dl,
        o,
        pl,
        CKF_END_OF_MESSAGE
    ));
    call!(C_MessageEncryptFinal(h));
    call!(C_MessageDecryptInit(h, m, 1));
    call!(C_DecryptMessage(h, p, pn, d, dl, d, dl, o, pl));
    call!(C_DecryptMessageBegin(h, p, pn, d, dl));
    call!(C_DecryptMessageNext(
        h,
        p,
        pn,
        d,
        dl,
        o,
        pl,
        CKF_END_OF_MESSAGE
    ));
    call!(C_MessageDecryptFinal(h));
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
    assert_eq!(got.len(), 28);
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

// ---- 5. C_WaitForSlotEvent -------------------------------------------------------------

#[test]
fn wait_for_slot_event() {
    let mut env = Env::new("");
    let lib = raw_lib();
    let wait = function_list_3_0(&lib).C_WaitForSlotEvent.unwrap();
    let mut slot: CK_SLOT_ID = 0xabcd;
    // SAFETY: `slot` is writable.
    assert_eq!(
        unsafe { wait(CKF_DONT_BLOCK, &mut slot, null_mut()) },
        CKR_NO_EVENT
    );
    // The blocking form is not supported: it must return at once rather than never. Run it
    // on a thread so that a hang fails the test instead of stalling it.
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut slot: CK_SLOT_ID = 0xabcd;
        // SAFETY: `slot` is writable.
        let rv = unsafe { wait(0, &mut slot, null_mut()) };
        let _ = tx.send(rv);
    });
    let rv = rx
        .recv_timeout(std::time::Duration::from_secs(20))
        .expect("blocking C_WaitForSlotEvent did not return");
    assert_eq!(rv, CKR_FUNCTION_NOT_SUPPORTED);

    env.unload();
    // SAFETY: `slot` is writable.
    unsafe {
        assert_eq!(
            wait(CKF_DONT_BLOCK, &mut slot, null_mut()),
            CKR_CRYPTOKI_NOT_INITIALIZED
        );
        assert_eq!(wait(0, &mut slot, null_mut()), CKR_CRYPTOKI_NOT_INITIALIZED);
    }
}

// ---- 6. C_GetSlotInfo ------------------------------------------------------------------

#[test]
fn slot_info_describes_a_present_software_token() {
    let env = Env::new("token.slot_count = 2\n");
    let slots = env.p11().get_all_slots().unwrap();
    assert_eq!(slots.len(), 2);
    let lib = raw_lib();
    let mut descriptions = Vec::new();
    for slot in &slots {
        let info = env.p11().get_slot_info(*slot).unwrap();
        assert!(
            info.slot_description().starts_with("Craton HSM"),
            "{:?}",
            info.slot_description()
        );
        assert_eq!(info.manufacturer_id(), "Craton HSM");
        assert!(info.token_present());
        assert!(!info.removable_device());
        assert!(!info.hardware_slot());
        descriptions.push(info.slot_description().to_string());

        // The raw structure: blank-padded fixed fields, exactly CKF_TOKEN_PRESENT.
        let mut raw = CK_SLOT_INFO::default();
        // SAFETY: `raw` is writable.
        assert_eq!(unsafe { lib.0.C_GetSlotInfo(slot.id(), &mut raw) }, CKR_OK);
        assert_eq!(raw.flags, CKF_TOKEN_PRESENT);
        let mut manufacturer = [b' '; 32];
        manufacturer[..10].copy_from_slice(b"Craton HSM");
        assert_eq!(raw.manufacturerID, manufacturer);
        let d = descriptions.last().unwrap().as_bytes();
        assert_eq!(&raw.slotDescription[..d.len()], d);
        assert!(raw.slotDescription[d.len()..].iter().all(|&b| b == b' '));
        // SAFETY: a NULL info pointer is the point of this call.
        assert_eq!(
            unsafe { lib.0.C_GetSlotInfo(slot.id(), null_mut()) },
            CKR_ARGUMENTS_BAD
        );
    }
    // Each slot has its own description.
    assert_ne!(descriptions[0], descriptions[1]);
    // Present even before the token is initialized, and still after.
    env.init_token();
    assert!(env.p11().get_slot_info(slots[0]).unwrap().token_present());
}

// ---- 7. C_SessionCancel ----------------------------------------------------------------

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
        unsafe { lib.0.C_SessionCancel(0xdead, CKF_SIGN) },
        CKR_SESSION_HANDLE_INVALID
    );
}

// ---- 8. RSA-OAEP encryption ------------------------------------------------------------

#[test]
fn rsa_oaep_encryption_with_and_without_a_label() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = rsa_pair(&s);
    let msg = b"attack at dawn";

    for label in [&b""[..], b"a label", &[0u8; 64][..]] {
        let ct = s.encrypt(&oaep(label), public, msg).unwrap();
        assert_eq!(ct.len(), 256);
        assert_eq!(s.decrypt(&oaep(label), private, &ct).unwrap(), msg);
        // OAEP is randomized.
        assert_ne!(s.encrypt(&oaep(label), public, msg).unwrap(), ct);
        // Any other label fails the padding check.
        let other: &[u8] = if label == b"a label" {
            b"b label"
        } else {
            b"a label"
        };
        assert_rv!(
            s.decrypt(&oaep(other), private, &ct),
            RvError::EncryptedDataInvalid
        );
        // So does a tampered ciphertext.
        let mut bad = ct.clone();
        bad[100] ^= 0x01;
        assert_rv!(
            s.decrypt(&oaep(label), private, &bad),
            RvError::EncryptedDataInvalid
        );
        assert_rv!(
            s.decrypt(&oaep(label), private, &ct[1..]),
            RvError::EncryptedDataLenRange
        );
    }
    // The labelled ciphertext does not decrypt without the label.
    let ct = s.encrypt(&oaep(b"a label"), public, msg).unwrap();
    assert_rv!(
        s.decrypt(&oaep(b""), private, &ct),
        RvError::EncryptedDataInvalid
    );

    // SHA-256 OAEP carries at most 256 - 2*32 - 2 = 190 bytes in a 2048-bit modulus.
    let ct = s.encrypt(&oaep(b""), public, &[7u8; 190]).unwrap();
    assert_eq!(s.decrypt(&oaep(b""), private, &ct).unwrap(), [7u8; 190]);
    assert_rv!(
        s.encrypt(&oaep(b""), public, &[7u8; 191]),
        RvError::DataLenRange
    );
    // Encryption takes the public key, decryption the private one.
    assert_rv!(
        s.encrypt(&oaep(b""), private, msg),
        RvError::KeyTypeInconsistent
    );
    assert_rv!(
        s.decrypt(&oaep(b""), public, &ct),
        RvError::KeyTypeInconsistent
    );

    // A different MGF1 hash from the OAEP hash.
    let mixed = Mechanism::RsaPkcsOaep(PkcsOaepParams::new(
        MechanismType::SHA256,
        PkcsMgfType::MGF1_SHA1,
        PkcsOaepSource::empty(),
    ));
    if awslc() {
        // aws-lc-rs pairs each OAEP hash with MGF1 over the same hash only.
        assert_rv!(
            s.encrypt(&mixed, public, msg),
            RvError::MechanismParamInvalid
        );
    } else {
        let ct = s.encrypt(&mixed, public, msg).unwrap();
        assert_eq!(s.decrypt(&mixed, private, &ct).unwrap(), msg);
        assert_rv!(
            s.decrypt(&oaep(b""), private, &ct),
            RvError::EncryptedDataInvalid
        );
    }
}

// ---- 9. Generic secrets and HMAC -------------------------------------------------------

/// HMAC-SHA256 (RFC 2104) computed with the module's plain SHA-256 digest.
fn hmac_sha256_by_digest(s: &Session, key: &[u8], msg: &[u8]) -> Vec<u8> {
    assert!(key.len() <= 64);
    let mut k = key.to_vec();
    k.resize(64, 0);
    let inner: Vec<u8> = k
        .iter()
        .map(|b| b ^ 0x36)
        .chain(msg.iter().copied())
        .collect();
    let inner = s.digest(&Mechanism::Sha256, &inner).unwrap();
    let outer: Vec<u8> = k.iter().map(|b| b ^ 0x5c).chain(inner).collect();
    s.digest(&Mechanism::Sha256, &outer).unwrap()
}

#[test]
fn generic_secret_generation_and_hmac() {
    let env = Env::new("");
    let s = env.user_session();
    let keygen = Mechanism::GenericSecretKeyGen;
    let key = s
        .generate_key(
            &keygen,
            &[
                Attribute::ValueLen(32.into()),
                Attribute::Sensitive(false),
                Attribute::Extractable(true),
                Attribute::Sign(true),
                Attribute::Verify(true),
            ],
        )
        .unwrap();
    let attrs = s
        .get_attributes(
            key,
            &[
                AttributeType::Class,
                AttributeType::KeyType,
                AttributeType::ValueLen,
                AttributeType::KeyGenMechanism,
            ],
        )
        .unwrap();
    assert_eq!(attrs[0], Attribute::Class(ObjectClass::SECRET_KEY));
    assert_eq!(attrs[1], Attribute::KeyType(KeyType::GENERIC_SECRET));
    assert_eq!(attrs[2], Attribute::ValueLen(32.into()));
    assert_eq!(
        attrs[3],
        Attribute::KeyGenMechanism(MechanismType::GENERIC_SECRET_KEY_GEN)
    );
    assert!(bool_attr(&s, key, AttributeType::Local));
    let k = value(&s, key);
    assert_eq!(k.len(), 32);
    assert!(k.iter().any(|&b| b != 0));

    // Another key of another length: a different value.
    let key2 = s
        .generate_key(
            &keygen,
            &[
                Attribute::ValueLen(20.into()),
                Attribute::Sensitive(false),
                Attribute::Extractable(true),
            ],
        )
        .unwrap();
    assert_eq!(value(&s, key2).len(), 20);

    // HMAC-SHA256 with the generated key matches RFC 2104 over the key's value.
    let hmac = Mechanism::Sha256Hmac;
    let msg = b"what do ya want for nothing?";
    let mac = s.sign(&hmac, key, msg).unwrap();
    assert_eq!(mac.len(), 32);
    assert_eq!(mac, hmac_sha256_by_digest(&s, &k, msg));
    s.verify(&hmac, key, msg, &mac).unwrap();
    // Multi-part gives the same MAC.
    s.sign_init(&hmac, key).unwrap();
    s.sign_update(&msg[..7]).unwrap();
    s.sign_update(&msg[7..]).unwrap();
    assert_eq!(s.sign_final().unwrap(), mac);
    let mut bad = mac.clone();
    bad[0] ^= 0x80;
    assert_rv!(s.verify(&hmac, key, msg, &bad), RvError::SignatureInvalid);
    assert_rv!(
        s.verify(&hmac, key, b"another message", &mac),
        RvError::SignatureInvalid
    );
    // Another key gives another MAC.
    assert_ne!(s.sign(&hmac, key2, msg).unwrap(), mac);

    // A sensitive generated secret hides its value but MACs just the same.
    let hidden = s
        .generate_key(&keygen, &[Attribute::ValueLen(32.into())])
        .unwrap();
    assert!(bool_attr(&s, hidden, AttributeType::Sensitive));
    let m2 = s.sign(&hmac, hidden, msg).unwrap();
    s.verify(&hmac, hidden, msg, &m2).unwrap();

    // Template rules of CKM_GENERIC_SECRET_KEY_GEN.
    assert_rv!(s.generate_key(&keygen, &[]), RvError::TemplateIncomplete);
    assert_rv!(
        s.generate_key(&keygen, &[Attribute::ValueLen(0.into())]),
        RvError::KeySizeRange
    );
    assert_rv!(
        s.generate_key(
            &keygen,
            &[
                Attribute::ValueLen(16.into()),
                Attribute::Value(vec![0; 16])
            ]
        ),
        RvError::TemplateInconsistent
    );
    // HMAC takes a generic secret, not an AES key.
    let aes = aes_key(&s, &[]);
    assert_rv!(s.sign(&hmac, aes, msg), RvError::KeyTypeInconsistent);
}

// ---- 10. Wrapping and unwrapping -------------------------------------------------------

fn aes_unwrap_template() -> Vec<Attribute> {
    vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::AES),
        Attribute::Encrypt(true),
        Attribute::Decrypt(true),
    ]
}

#[test]
fn wrap_an_aes_key_with_gcm_cbc_pad_and_rsa_oaep() {
    let env = Env::new("");
    let s = env.user_session();
    let kek = aes_key(&s, &[]);
    let target = aes_key(&s, &[Attribute::Extractable(true)]);
    let other = aes_key(&s, &[Attribute::Extractable(true)]);
    assert_different_aes_keys(&s, target, other);

    // AES-GCM (12-byte IV, 128-bit tag: what both backends offer).
    let aad = b"wrapping context";
    let mut iv = *b"gcm-iv-12byt";
    let wrapped = s.wrap_key(&gcm_params(&mut iv, aad), kek, target).unwrap();
    assert_eq!(wrapped.len(), 32 + 16);
    let mut iv = *b"gcm-iv-12byt";
    let back = s
        .unwrap_key(
            &gcm_params(&mut iv, aad),
            kek,
            &wrapped,
            &aes_unwrap_template(),
        )
        .unwrap();
    assert_same_aes_key(&s, target, back);
    // Other AAD, other IV or a flipped bit: the tag does not verify.
    let mut iv = *b"gcm-iv-12byt";
    assert_rv!(
        s.unwrap_key(
            &gcm_params(&mut iv, b"other context"),
            kek,
            &wrapped,
            &aes_unwrap_template()
        ),
        RvError::WrappedKeyInvalid
    );
    let mut iv2 = *b"gcm-iv-other";
    assert_rv!(
        s.unwrap_key(
            &gcm_params(&mut iv2, aad),
            kek,
            &wrapped,
            &aes_unwrap_template()
        ),
        RvError::WrappedKeyInvalid
    );
    let mut bad = wrapped.clone();
    bad[3] ^= 1;
    let mut iv = *b"gcm-iv-12byt";
    assert_rv!(
        s.unwrap_key(&gcm_params(&mut iv, aad), kek, &bad, &aes_unwrap_template()),
        RvError::WrappedKeyInvalid
    );

    // AES-CBC-PAD: a 32-byte key pads to three blocks.
    let cbc = Mechanism::AesCbcPad(*b"cbc-pad-wrap-iv!");
    let wrapped = s.wrap_key(&cbc, kek, target).unwrap();
    assert_eq!(wrapped.len(), 48);
    let back = s
        .unwrap_key(&cbc, kek, &wrapped, &aes_unwrap_template())
        .unwrap();
    assert_same_aes_key(&s, target, back);
    // Not a whole number of blocks.
    assert_rv!(
        s.unwrap_key(&cbc, kek, &wrapped[..40], &aes_unwrap_template()),
        RvError::WrappedKeyLenRange
    );
    // The other key wraps to something else.
    assert_ne!(s.wrap_key(&cbc, kek, other).unwrap(), wrapped);

    // RSA-OAEP: the public key wraps, the private key unwraps.
    let (public, private) = rsa_pair(&s);
    for label in [&b""[..], b"wrap label"] {
        let wrapped = s.wrap_key(&oaep(label), public, target).unwrap();
        assert_eq!(wrapped.len(), 256);
        let back = s
            .unwrap_key(&oaep(label), private, &wrapped, &aes_unwrap_template())
            .unwrap();
        assert_same_aes_key(&s, target, back);
        assert_rv!(
            s.unwrap_key(
                &oaep(b"wrong label"),
                private,
                &wrapped,
                &aes_unwrap_template()
            ),
            RvError::WrappedKeyInvalid
        );
    }
    assert_rv!(
        s.wrap_key(&oaep(b""), private, target),
        RvError::WrappingKeyTypeInconsistent
    );
    let wrapped = s.wrap_key(&oaep(b""), public, target).unwrap();
    assert_rv!(
        s.unwrap_key(&oaep(b""), public, &wrapped, &aes_unwrap_template()),
        RvError::UnwrappingKeyTypeInconsistent
    );

    // An unextractable key (the default) cannot be wrapped at all.
    let locked = aes_key(&s, &[]);
    assert_rv!(s.wrap_key(&cbc, kek, locked), RvError::KeyUnextractable);
}

#[test]
fn wrap_an_ec_private_key_as_pkcs8_with_aes_kwp() {
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    let kek = aes_key(&s, &[]);
    let (public, private) = ec_pair(&s, &[Attribute::Sign(true), Attribute::Extractable(true)]);

    let wrapped = lib
        .wrap_key(h, CKM_AES_KEY_WRAP_KWP, kek.handle(), private.handle())
        .unwrap();
    assert_eq!(wrapped.len() % 8, 0);
    assert!(wrapped.len() > 64, "{}", wrapped.len());

    // Under the wrapping, a PKCS#8 PrivateKeyInfo for an EC key on P-256.
    let pkcs8 = lib
        .crypt(h, CKM_AES_KEY_WRAP_KWP, kek.handle(), &wrapped, false)
        .unwrap();
    assert_eq!(pkcs8[0], 0x30, "a DER SEQUENCE");
    assert!(contains(&pkcs8, &EC_PUBLIC_KEY_OID));
    assert!(contains(&pkcs8, &P256));

    let ec_template = || {
        vec![
            (CKA_CLASS, Val::Ulong(CKO_PRIVATE_KEY)),
            (CKA_KEY_TYPE, Val::Ulong(CKK_EC)),
            (CKA_SIGN, Val::Bool(true)),
            (CKA_LABEL, Val::Bytes(b"unwrapped-ec".to_vec())),
        ]
    };
    let back = oh(raw_unwrap(
        &lib,
        h,
        CKM_AES_KEY_WRAP_KWP,
        kek.handle(),
        &wrapped,
        ec_template(),
    )
    .unwrap());
    // The unwrapped key signs; the original public key verifies.
    let msg = b"signed by the unwrapped key";
    let sig = s.sign(&Mechanism::EcdsaSha256, back, msg).unwrap();
    s.verify(&Mechanism::EcdsaSha256, public, msg, &sig)
        .unwrap();
    assert_rv!(
        s.verify(&Mechanism::EcdsaSha256, public, b"something else", &sig),
        RvError::SignatureInvalid
    );
    let attrs = s
        .get_attributes(back, &[AttributeType::EcParams, AttributeType::KeyType])
        .unwrap();
    assert_eq!(attrs[0], Attribute::EcParams(P256.to_vec()));
    assert_eq!(attrs[1], Attribute::KeyType(KeyType::EC));
    // Material that came from outside the token: not local, never "always sensitive".
    assert!(!bool_attr(&s, back, AttributeType::Local));
    assert!(!bool_attr(&s, back, AttributeType::AlwaysSensitive));
    assert!(!bool_attr(&s, back, AttributeType::NeverExtractable));
    assert!(bool_attr(&s, back, AttributeType::Sensitive));

    // A damaged blob fails the KWP integrity check.
    let mut bad = wrapped.clone();
    bad[10] ^= 0x40;
    assert_eq!(
        raw_unwrap(
            &lib,
            h,
            CKM_AES_KEY_WRAP_KWP,
            kek.handle(),
            &bad,
            ec_template()
        ),
        Err(CKR_WRAPPED_KEY_INVALID)
    );
    // An EC key is not an RSA key.
    assert_eq!(
        raw_unwrap(
            &lib,
            h,
            CKM_AES_KEY_WRAP_KWP,
            kek.handle(),
            &wrapped,
            vec![
                (CKA_CLASS, Val::Ulong(CKO_PRIVATE_KEY)),
                (CKA_KEY_TYPE, Val::Ulong(CKK_RSA)),
            ],
        ),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
    // The key value comes from the blob, never from the template.
    let mut with_value = ec_template();
    with_value.push((CKA_VALUE, Val::Bytes(vec![1; 32])));
    assert_eq!(
        raw_unwrap(
            &lib,
            h,
            CKM_AES_KEY_WRAP_KWP,
            kek.handle(),
            &wrapped,
            with_value
        ),
        Err(CKR_TEMPLATE_INCONSISTENT)
    );
}

#[test]
fn wrap_with_trusted_needs_a_trusted_wrapping_key() {
    let env = Env::new("");
    let slot = env.init_token();
    let s = env.p11().open_rw_session(slot).unwrap();
    // Only the SO may make a key trusted; the key is public so the user can use it.
    s.login(UserType::So, Some(&pin(SO_PIN))).unwrap();
    let trusted = s
        .create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::Value(vec![0x3c; 32]),
            Attribute::Private(false),
            Attribute::Trusted(true),
            Attribute::Wrap(true),
            Attribute::Unwrap(true),
        ])
        .unwrap();
    s.logout().unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    assert!(bool_attr(&s, trusted, AttributeType::Trusted));

    // The user can neither create nor make a trusted key.
    let untrusted = aes_key(&s, &[]);
    assert_rv!(
        s.generate_key(
            &Mechanism::AesKeyGen,
            &[Attribute::ValueLen(32.into()), Attribute::Trusted(true)]
        ),
        RvError::AttributeReadOnly
    );
    assert_rv!(
        s.update_attributes(untrusted, &[Attribute::Trusted(true)]),
        RvError::AttributeReadOnly
    );
    assert!(!bool_attr(&s, untrusted, AttributeType::Trusted));

    let guarded = aes_key(
        &s,
        &[
            Attribute::Extractable(true),
            Attribute::WrapWithTrusted(true),
        ],
    );
    let plain = aes_key(&s, &[Attribute::Extractable(true)]);
    let kw = Mechanism::AesKeyWrap;
    // Without CKA_WRAP_WITH_TRUSTED any wrapping key will do ...
    s.wrap_key(&kw, untrusted, plain).unwrap();
    // ... with it, only a trusted one.
    assert_rv!(
        s.wrap_key(&kw, untrusted, guarded),
        RvError::KeyNotWrappable
    );
    let wrapped = s.wrap_key(&kw, trusted, guarded).unwrap();
    assert_eq!(wrapped.len(), 40);
    let back = s
        .unwrap_key(&kw, trusted, &wrapped, &aes_unwrap_template())
        .unwrap();
    assert_same_aes_key(&s, guarded, back);
    // CKA_WRAP_WITH_TRUSTED cannot be switched off again.
    assert_rv!(
        s.update_attributes(guarded, &[Attribute::WrapWithTrusted(false)]),
        RvError::AttributeReadOnly
    );
    assert_rv!(
        s.wrap_key(&kw, untrusted, guarded),
        RvError::KeyNotWrappable
    );
}

#[test]
fn wrap_and_unwrap_templates_bind_the_keys() {
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    // A wrapping key whose CKA_UNWRAP_TEMPLATE makes every unwrapped key unextractable
    // and sensitive, and whose CKA_WRAP_TEMPLATE only lets it wrap keys labelled "export".
    let kek = raw_create(
        &lib,
        h,
        vec![
            (CKA_CLASS, Val::Ulong(CKO_SECRET_KEY)),
            (CKA_KEY_TYPE, Val::Ulong(CKK_AES)),
            (CKA_VALUE, Val::Bytes(vec![0x77; 32])),
            (CKA_WRAP, Val::Bool(true)),
            (CKA_UNWRAP, Val::Bool(true)),
            (
                CKA_UNWRAP_TEMPLATE,
                Val::Nested(vec![
                    (CKA_EXTRACTABLE, Val::Bool(false)),
                    (CKA_SENSITIVE, Val::Bool(true)),
                ]),
            ),
            (
                CKA_WRAP_TEMPLATE,
                Val::Nested(vec![(CKA_LABEL, Val::Bytes(b"export".to_vec()))]),
            ),
        ],
    )
    .unwrap();
    let kek = oh(kek);
    let kw = Mechanism::AesKeyWrap;
    let exportable = aes_key(
        &s,
        &[
            Attribute::Extractable(true),
            Attribute::Label(b"export".to_vec()),
        ],
    );
    let other = aes_key(
        &s,
        &[
            Attribute::Extractable(true),
            Attribute::Label(b"keep".to_vec()),
        ],
    );

    // CKA_WRAP_TEMPLATE: only matching keys are wrapped.
    assert_rv!(s.wrap_key(&kw, kek, other), RvError::KeyNotWrappable);
    let wrapped = s.wrap_key(&kw, kek, exportable).unwrap();

    // CKA_UNWRAP_TEMPLATE: a template that contradicts it is inconsistent.
    let mut conflicting = aes_unwrap_template();
    conflicting.push(Attribute::Extractable(true));
    assert_rv!(
        s.unwrap_key(&kw, kek, &wrapped, &conflicting),
        RvError::TemplateInconsistent
    );
    let mut conflicting = aes_unwrap_template();
    conflicting.push(Attribute::Sensitive(false));
    assert_rv!(
        s.unwrap_key(&kw, kek, &wrapped, &conflicting),
        RvError::TemplateInconsistent
    );
    // One that says nothing gets the unwrap template's values ...
    let back = s
        .unwrap_key(&kw, kek, &wrapped, &aes_unwrap_template())
        .unwrap();
    assert!(!bool_attr(&s, back, AttributeType::Extractable));
    assert!(bool_attr(&s, back, AttributeType::Sensitive));
    assert_same_aes_key(&s, exportable, back);
    // ... and one that agrees is accepted.
    let mut agreeing = aes_unwrap_template();
    agreeing.push(Attribute::Extractable(false));
    let back2 = s.unwrap_key(&kw, kek, &wrapped, &agreeing).unwrap();
    assert!(!bool_attr(&s, back2, AttributeType::Extractable));
    // The unwrapped key, unextractable, cannot leave again.
    assert_rv!(s.wrap_key(&kw, kek, back), RvError::KeyUnextractable);
}

// ---- 11. ECDH ---------------------------------------------------------------------------

fn ecdh<'a>(kdf: EcKdf<'a>, peer_point: &'a [u8]) -> Mechanism<'a> {
    Mechanism::Ecdh1Derive(Ecdh1DeriveParams::new(kdf, peer_point))
}

fn derived_aes_template() -> Vec<Attribute> {
    vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::AES),
        Attribute::ValueLen(32.into()),
        Attribute::Sensitive(false),
        Attribute::Extractable(true),
        Attribute::Encrypt(true),
        Attribute::Decrypt(true),
    ]
}

fn derived_aes_raw() -> Vec<(CK_ATTRIBUTE_TYPE, Val)> {
    vec![
        (CKA_CLASS, Val::Ulong(CKO_SECRET_KEY)),
        (CKA_KEY_TYPE, Val::Ulong(CKK_AES)),
        (CKA_VALUE_LEN, Val::Ulong(32)),
        (CKA_SENSITIVE, Val::Bool(false)),
        (CKA_EXTRACTABLE, Val::Bool(true)),
    ]
}

#[test]
fn ecdh_with_an_x963_kdf_and_with_the_cofactor_mechanism() {
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    let derive = [Attribute::Derive(true)];
    let (a_pub, a_priv) = ec_pair(&s, &derive);
    let (b_pub, b_priv) = ec_pair(&s, &derive);
    let (a_point, b_point) = (ec_point(&s, a_pub), ec_point(&s, b_pub));

    // The shared secret Z itself (CKD_NULL into a generic secret takes all of it).
    let z_template = [
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::GENERIC_SECRET),
        Attribute::Sensitive(false),
        Attribute::Extractable(true),
    ];
    let z_a = value(
        &s,
        s.derive_key(&ecdh(EcKdf::null(), &b_point), a_priv, &z_template)
            .unwrap(),
    );
    let z_b = value(
        &s,
        s.derive_key(&ecdh(EcKdf::null(), &a_point), b_priv, &z_template)
            .unwrap(),
    );
    assert_eq!(z_a.len(), 32);
    assert_eq!(z_a, z_b);

    // CKM_ECDH1_DERIVE with CKD_SHA256_KDF and shared data.
    let shared = b"coverage shared info";
    let from_a = s.derive_key(
        &ecdh(EcKdf::sha256(shared), &b_point),
        a_priv,
        &derived_aes_template(),
    );
    if awslc() {
        // aws-lc-rs has no ANSI X9.63 KDF: only CKD_NULL is offered.
        assert_rv!(from_a, RvError::MechanismParamInvalid);
    } else {
        let from_a = from_a.unwrap();
        let from_b = s
            .derive_key(
                &ecdh(EcKdf::sha256(shared), &a_point),
                b_priv,
                &derived_aes_template(),
            )
            .unwrap();
        assert_same_aes_key(&s, from_a, from_b);
        let k = value(&s, from_a);
        assert_eq!(k, value(&s, from_b));
        // X9.63: SHA-256(Z || 00000001 || shared info), one block for 32 bytes.
        let mut input = z_a.clone();
        input.extend_from_slice(&[0, 0, 0, 1]);
        input.extend_from_slice(shared);
        assert_eq!(k, s.digest(&Mechanism::Sha256, &input).unwrap());
        assert_ne!(k, z_a);
        // Other shared data, another key.
        let other = s
            .derive_key(
                &ecdh(EcKdf::sha256(b"other info"), &b_point),
                a_priv,
                &derived_aes_template(),
            )
            .unwrap();
        assert_different_aes_keys(&s, from_a, other);
    }

    // CKM_ECDH1_COFACTOR_DERIVE with CKD_NULL: both sides agree. P-256 has cofactor 1, so the
    // key is Z's leading 32 bytes, the same as plain ECDH gives.
    let co_a = raw_ecdh(
        &lib,
        h,
        CKM_ECDH1_COFACTOR_DERIVE,
        CKD_NULL,
        &[],
        &b_point,
        a_priv,
        derived_aes_raw(),
    )
    .map(oh)
    .unwrap();
    let co_b = raw_ecdh(
        &lib,
        h,
        CKM_ECDH1_COFACTOR_DERIVE,
        CKD_NULL,
        &[],
        &a_point,
        b_priv,
        derived_aes_raw(),
    )
    .map(oh)
    .unwrap();
    assert_same_aes_key(&s, co_a, co_b);
    assert_eq!(value(&s, co_a), z_a);
    let plain = s
        .derive_key(
            &ecdh(EcKdf::null(), &b_point),
            a_priv,
            &derived_aes_template(),
        )
        .unwrap();
    assert_same_aes_key(&s, co_a, plain);
    // The raw point works as public data as well as the DER OCTET STRING.
    let raw_point = &b_point[2..];
    assert_eq!(raw_point.len(), 65);
    let co_raw = raw_ecdh(
        &lib,
        h,
        CKM_ECDH1_COFACTOR_DERIVE,
        CKD_NULL,
        &[],
        raw_point,
        a_priv,
        derived_aes_raw(),
    )
    .map(oh)
    .unwrap();
    assert_same_aes_key(&s, co_a, co_raw);

    // CKD_NULL takes no shared data.
    assert_eq!(
        raw_ecdh(
            &lib,
            h,
            CKM_ECDH1_COFACTOR_DERIVE,
            CKD_NULL,
            b"not allowed",
            &b_point,
            a_priv,
            derived_aes_raw(),
        ),
        Err(CKR_MECHANISM_PARAM_INVALID)
    );
    // A key without CKA_DERIVE cannot derive.
    let (_, no_derive) = ec_pair(&s, &[Attribute::Derive(false)]);
    assert_eq!(
        raw_ecdh(
            &lib,
            h,
            CKM_ECDH1_COFACTOR_DERIVE,
            CKD_NULL,
            &[],
            &b_point,
            no_derive,
            derived_aes_raw(),
        ),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );
    // A different peer, a different key.
    let (c_pub, _) = ec_pair(&s, &derive);
    let with_c = raw_ecdh(
        &lib,
        h,
        CKM_ECDH1_COFACTOR_DERIVE,
        CKD_NULL,
        &[],
        &ec_point(&s, c_pub),
        a_priv,
        derived_aes_raw(),
    )
    .map(oh)
    .unwrap();
    assert_different_aes_keys(&s, co_a, with_c);
}

/// PKCS#11 3.0 (common private-key and secret-key attributes) defines CKA_DERIVE_TEMPLATE
/// like CKA_UNWRAP_TEMPLATE: it applies to every key derived with the base key, the caller's
/// template after it, so a contradicting caller template is CKR_TEMPLATE_INCONSISTENT.
#[test]
fn ecdh_applies_the_base_keys_derive_template() {
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    let mut public = RawTemplate::new(vec![(CKA_EC_PARAMS, Val::Bytes(P256.to_vec()))]);
    let mut private = RawTemplate::new(vec![
        (CKA_DERIVE, Val::Bool(true)),
        (
            CKA_DERIVE_TEMPLATE,
            Val::Nested(vec![
                (CKA_EXTRACTABLE, Val::Bool(false)),
                (CKA_ENCRYPT, Val::Bool(false)),
            ]),
        ),
    ]);
    let mut m = CK_MECHANISM {
        mechanism: CKM_EC_KEY_PAIR_GEN,
        pParameter: null_mut(),
        ulParameterLen: 0,
    };
    let (mut a_pub, mut a_priv): (CK_OBJECT_HANDLE, CK_OBJECT_HANDLE) = (0, 0);
    // SAFETY: the templates and their buffers outlive the call; the handles are writable.
    let rv = unsafe {
        lib.0.C_GenerateKeyPair(
            h,
            &mut m,
            public.ptr(),
            public.count(),
            private.ptr(),
            private.count(),
            &mut a_pub,
            &mut a_priv,
        )
    };
    assert_eq!(rv, CKR_OK);
    let a_priv = oh(a_priv);
    let (b_pub, _) = ec_pair(&s, &[Attribute::Derive(true)]);
    let b_point = ec_point(&s, b_pub);
    let derive = |extra: Vec<(CK_ATTRIBUTE_TYPE, Val)>| {
        let mut t = vec![
            (CKA_CLASS, Val::Ulong(CKO_SECRET_KEY)),
            (CKA_KEY_TYPE, Val::Ulong(CKK_AES)),
            (CKA_VALUE_LEN, Val::Ulong(32)),
        ];
        t.extend(extra);
        raw_ecdh(
            &lib,
            h,
            CKM_ECDH1_DERIVE,
            CKD_NULL,
            &[],
            &b_point,
            a_priv,
            t,
        )
    };
    // A template that contradicts the derive template is inconsistent.
    assert_eq!(
        derive(vec![(CKA_EXTRACTABLE, Val::Bool(true))]),
        Err(CKR_TEMPLATE_INCONSISTENT),
        "CKA_DERIVE_TEMPLATE ignored: a contradicting template was accepted"
    );
    // One that is silent gets the derive template's values.
    let k = oh(derive(vec![]).unwrap());
    let attrs = s
        .get_attributes(k, &[AttributeType::Encrypt, AttributeType::Extractable])
        .unwrap();
    assert_eq!(
        attrs,
        vec![Attribute::Encrypt(false), Attribute::Extractable(false)],
        "CKA_DERIVE_TEMPLATE ignored: the derived key did not take its values"
    );
}
