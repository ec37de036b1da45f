//! The trust boundary (docs/security.md): no input crashes the host, no stored object bricks a
//! token, no wrap/decrypt oracle, every stored byte authenticated, a lockout a full disk cannot
//! bypass. Cases that could crash run in a child process, so a crash fails the test instead of
//! killing the test binary.

mod common;

use common::keys::*;
use common::raw::*;
use common::store::{self as db, enc};
use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::elliptic_curve::{EcKdf, Ecdh1DeriveParams};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki_sys::*;
use std::ffi::c_void;
use std::path::Path;
use std::ptr::null_mut;

/// True in the child that runs the test's body; in the parent, runs the child and checks that
/// it exited cleanly (a SIGSEGV or an abort fails here).
fn in_child(entry: &str) -> bool {
    if child_role().is_some() {
        return true;
    }
    let out = child(entry, "isolated", Path::new("/nonexistent"))
        .output()
        .expect("run the child");
    assert!(
        out.status.success(),
        "{entry} in a child process: {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    false
}

/// A raw template's first attribute, nested `depth` templates deep (each level one template
/// attribute pointing at the next).
struct Nest {
    // Boxed: each level points at the one before, so its address must not move as `levels`
    // grows.
    #[allow(clippy::vec_box)]
    levels: Vec<Box<CK_ATTRIBUTE>>,
    _leaf: Box<[u8; 1]>,
}

impl Nest {
    fn new(depth: usize) -> Nest {
        let mut leaf = Box::new([CK_TRUE]);
        let mut levels: Vec<Box<CK_ATTRIBUTE>> = vec![Box::new(CK_ATTRIBUTE {
            type_: CKA_TOKEN,
            pValue: leaf.as_mut_ptr() as *mut c_void,
            ulValueLen: 1,
        })];
        for _ in 0..depth {
            let inner: *mut CK_ATTRIBUTE = &mut **levels.last_mut().unwrap();
            levels.push(Box::new(CK_ATTRIBUTE {
                type_: CKA_WRAP_TEMPLATE,
                pValue: inner as *mut c_void,
                ulValueLen: std::mem::size_of::<CK_ATTRIBUTE>() as CK_ULONG,
            }));
        }
        Nest {
            levels,
            _leaf: leaf,
        }
    }

    fn outer(&mut self) -> *mut CK_ATTRIBUTE {
        &mut **self.levels.last_mut().unwrap()
    }
}

/// A public key's template with `extra` (raw attributes) appended.
fn public_key_template(extra: CK_ATTRIBUTE) -> (Vec<CK_ATTRIBUTE>, Box<[CK_ULONG; 2]>) {
    let values = Box::new([CKO_PUBLIC_KEY, CKK_EC]);
    let t = vec![
        CK_ATTRIBUTE {
            type_: CKA_CLASS,
            pValue: &values[0] as *const _ as *mut c_void,
            ulValueLen: std::mem::size_of::<CK_ULONG>() as CK_ULONG,
        },
        CK_ATTRIBUTE {
            type_: CKA_KEY_TYPE,
            pValue: &values[1] as *const _ as *mut c_void,
            ulValueLen: std::mem::size_of::<CK_ULONG>() as CK_ULONG,
        },
        extra,
    ];
    (t, values)
}

fn create_raw(lib: &RawLib, h: CK_SESSION_HANDLE, t: &mut [CK_ATTRIBUTE]) -> CK_RV {
    let mut out = 0;
    // SAFETY: every attribute points at live buffers of its stated length (or, where the test
    // says so, states an absurd length the module must refuse before reading).
    unsafe {
        lib.0
            .C_CreateObject(h, t.as_mut_ptr(), t.len() as CK_ULONG, &mut out)
    }
}

/// Templates nested thousands of levels deep, or pointing at themselves, are refused at the
/// first nested level, on a 1 MiB thread, before login and after.
#[test]
fn nested_templates_are_refused_not_followed() {
    if !in_child("nested_templates_are_refused_not_followed") {
        return;
    }
    let env = Env::new("");
    env.init_token();
    let lib = raw_lib();
    let worker = std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(move || {
            // A public R/W session, no PIN: the caller the issue describes.
            let h = raw_open(&lib, 0, true);
            for depth in [2, 3, 5000] {
                let mut nest = Nest::new(depth);
                // SAFETY: the nest is alive for the call.
                let (mut t, _v) = public_key_template(unsafe { *nest.outer() });
                assert_eq!(
                    create_raw(&lib, h, &mut t),
                    CKR_ATTRIBUTE_VALUE_INVALID,
                    "depth {depth}"
                );
                // SAFETY: as above; a search template is read the same way.
                let rv = unsafe { lib.0.C_FindObjectsInit(h, nest.outer(), 1) };
                assert_eq!(rv, CKR_ATTRIBUTE_VALUE_INVALID, "search, depth {depth}");
            }
            // A template attribute that points at itself.
            let mut me = Box::new(CK_ATTRIBUTE {
                type_: CKA_WRAP_TEMPLATE,
                pValue: null_mut(),
                ulValueLen: std::mem::size_of::<CK_ATTRIBUTE>() as CK_ULONG,
            });
            me.pValue = &mut *me as *mut CK_ATTRIBUTE as *mut c_void;
            let (mut t, _v) = public_key_template(*me);
            assert_eq!(create_raw(&lib, h, &mut t), CKR_ATTRIBUTE_VALUE_INVALID);
            // One level, as PKCS#11 has it, is fine.
            let mut one = Nest::new(1);
            // SAFETY: the nest is alive for the call.
            let rv = unsafe { lib.0.C_FindObjectsInit(h, one.outer(), 1) };
            assert_eq!(rv, CKR_OK);
            // SAFETY: a valid session.
            assert_eq!(unsafe { lib.0.C_FindObjectsFinal(h) }, CKR_OK);
        })
        .unwrap();
    worker.join().expect("the 1 MiB thread survived");
}

/// Lengths and counts no caller can mean are error codes, decided before anything is read or
/// allocated (the buffers below are tiny; reading them at the stated length would crash).
#[test]
fn absurd_lengths_are_errors_not_crashes() {
    if !in_child("absurd_lengths_are_errors_not_crashes") {
        return;
    }
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    let mut small = [0u8; 16];
    let p = small.as_mut_ptr();

    // Template counts.
    let mut one = [CK_ATTRIBUTE {
        type_: CKA_LABEL,
        pValue: p as *mut c_void,
        ulValueLen: 4,
    }];
    for count in [1u64 << 40, !0] {
        let mut out = 0;
        // SAFETY: the count is refused before the array is read past its one element.
        let rv = unsafe {
            lib.0
                .C_CreateObject(h, one.as_mut_ptr(), count as CK_ULONG, &mut out)
        };
        assert_eq!(rv, CKR_ARGUMENTS_BAD, "C_CreateObject ulCount {count:#x}");
        // SAFETY: as above.
        let rv = unsafe {
            lib.0
                .C_FindObjectsInit(h, one.as_mut_ptr(), count as CK_ULONG)
        };
        assert_eq!(
            rv, CKR_ARGUMENTS_BAD,
            "C_FindObjectsInit ulCount {count:#x}"
        );
        let key = aes_key(&s, &[]);
        // SAFETY: as above.
        let rv = unsafe {
            lib.0
                .C_GetAttributeValue(h, key.handle(), one.as_mut_ptr(), count as CK_ULONG)
        };
        assert_eq!(
            rv, CKR_ARGUMENTS_BAD,
            "C_GetAttributeValue ulCount {count:#x}"
        );
    }
    // Attribute value lengths.
    for len in [1u64 << 40, 1 << 62] {
        let (mut t, _v) = public_key_template(CK_ATTRIBUTE {
            type_: CKA_LABEL,
            pValue: p as *mut c_void,
            ulValueLen: len as CK_ULONG,
        });
        assert_eq!(
            create_raw(&lib, h, &mut t),
            CKR_ATTRIBUTE_VALUE_INVALID,
            "ulValueLen {len:#x}"
        );
    }
    // A generated secret of 2^61+1 bytes.
    assert_rv!(
        s.generate_key(
            &Mechanism::GenericSecretKeyGen,
            &[Attribute::ValueLen(((1u64 << 61) + 1).into())]
        ),
        RvError::KeySizeRange
    );
    // KDF outputs of 2^40 bytes: ECDH with an X9.63 KDF, and HKDF.
    let (a_pub, a_priv) = ec_pair(&s, &[Attribute::Derive(true)]);
    let peer = ec_point(&s, a_pub);
    let huge = [
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::GENERIC_SECRET),
        Attribute::ValueLen((1u64 << 40).into()),
    ];
    let ecdh = Mechanism::Ecdh1Derive(Ecdh1DeriveParams::new(EcKdf::sha256(b"shared"), &peer));
    assert_rv!(s.derive_key(&ecdh, a_priv, &huge), RvError::KeySizeRange);
    {
        use cryptoki::mechanism::MechanismType;
        use cryptoki::mechanism::hkdf::{HkdfParams, HkdfSalt};
        let ikm = s
            .generate_key(
                &Mechanism::GenericSecretKeyGen,
                &[Attribute::ValueLen(32.into()), Attribute::Derive(true)],
            )
            .unwrap();
        let hkdf = Mechanism::HkdfDerive(HkdfParams::new(
            MechanismType::SHA256,
            Some(HkdfSalt::Data(b"salt")),
            Some(b"info"),
        ));
        assert_rv!(s.derive_key(&hkdf, ikm, &huge), RvError::KeySizeRange);
    }
    // A GCM IV of 2^62 bytes.
    let key = aes_key(&s, &[]);
    let mut gcm = CK_GCM_PARAMS {
        pIv: p,
        ulIvLen: (1u64 << 62) as CK_ULONG,
        ulIvBits: 0,
        pAAD: null_mut(),
        ulAADLen: 0,
        ulTagBits: 128,
    };
    let mut m = CK_MECHANISM {
        mechanism: CKM_AES_GCM,
        pParameter: &mut gcm as *mut _ as *mut c_void,
        ulParameterLen: std::mem::size_of::<CK_GCM_PARAMS>() as CK_ULONG,
    };
    // SAFETY: the IV length is refused before the IV is read.
    let rv = unsafe { lib.0.C_EncryptInit(h, &mut m, key.handle()) };
    assert_eq!(rv, CKR_MECHANISM_PARAM_INVALID);
    // A digest input of 2^62 bytes: refused, and the digest ends (PKCS#11 5.2).
    let mut sha = CK_MECHANISM {
        mechanism: CKM_SHA256,
        pParameter: null_mut(),
        ulParameterLen: 0,
    };
    let mut out = [0u8; 32];
    let mut out_len = out.len() as CK_ULONG;
    // SAFETY: the input length is refused before the input is read.
    unsafe {
        assert_eq!(lib.0.C_DigestInit(h, &mut sha), CKR_OK);
        let rv = lib.0.C_Digest(
            h,
            p,
            (1u64 << 62) as CK_ULONG,
            out.as_mut_ptr(),
            &mut out_len,
        );
        assert_eq!(rv, CKR_DATA_LEN_RANGE);
        assert_eq!(
            lib.0.C_DigestUpdate(h, p, 1),
            CKR_OPERATION_NOT_INITIALIZED,
            "the failed C_Digest ended the operation"
        );
    }
}

/// A NULL pointer where an operation's data or output length belongs ends the operation, as
/// every failure but `CKR_BUFFER_TOO_SMALL` does (PKCS#11 3.x 5.2).
#[test]
fn argument_errors_end_the_operation() {
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    let key = aes_key(&s, &[]);
    let mut ecb = CK_MECHANISM {
        mechanism: CKM_AES_ECB,
        pParameter: null_mut(),
        ulParameterLen: 0,
    };
    let mut sha = CK_MECHANISM {
        mechanism: CKM_SHA256,
        pParameter: null_mut(),
        ulParameterLen: 0,
    };
    let mut buf = [0u8; 64];
    let mut len = buf.len() as CK_ULONG;
    // SAFETY: every pointer is valid or NULL on purpose.
    unsafe {
        assert_eq!(lib.0.C_EncryptInit(h, &mut ecb, key.handle()), CKR_OK);
        let rv = lib
            .0
            .C_Encrypt(h, null_mut(), 16, buf.as_mut_ptr(), &mut len);
        assert_eq!(rv, CKR_ARGUMENTS_BAD);
        assert_eq!(
            lib.0
                .C_EncryptUpdate(h, buf.as_mut_ptr(), 16, buf.as_mut_ptr(), &mut len),
            CKR_OPERATION_NOT_INITIALIZED
        );
        assert_eq!(lib.0.C_DecryptInit(h, &mut ecb, key.handle()), CKR_OK);
        let rv = lib
            .0
            .C_DecryptUpdate(h, buf.as_mut_ptr(), 16, buf.as_mut_ptr(), null_mut());
        assert_eq!(rv, CKR_ARGUMENTS_BAD);
        assert_eq!(
            lib.0.C_DecryptFinal(h, buf.as_mut_ptr(), &mut len),
            CKR_OPERATION_NOT_INITIALIZED
        );
        assert_eq!(lib.0.C_DigestInit(h, &mut sha), CKR_OK);
        assert_eq!(
            lib.0.C_DigestFinal(h, buf.as_mut_ptr(), null_mut()),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            lib.0.C_DigestUpdate(h, buf.as_mut_ptr(), 1),
            CKR_OPERATION_NOT_INITIALIZED
        );
        // The other three of issue 15's list: C_Decrypt, C_EncryptUpdate, C_Digest.
        assert_eq!(lib.0.C_DecryptInit(h, &mut ecb, key.handle()), CKR_OK);
        let rv = lib
            .0
            .C_Decrypt(h, buf.as_mut_ptr(), 16, buf.as_mut_ptr(), null_mut());
        assert_eq!(rv, CKR_ARGUMENTS_BAD);
        assert_eq!(
            lib.0
                .C_Decrypt(h, buf.as_mut_ptr(), 16, buf.as_mut_ptr(), &mut len),
            CKR_OPERATION_NOT_INITIALIZED
        );
        assert_eq!(lib.0.C_EncryptInit(h, &mut ecb, key.handle()), CKR_OK);
        let rv = lib
            .0
            .C_EncryptUpdate(h, null_mut(), 16, buf.as_mut_ptr(), &mut len);
        assert_eq!(rv, CKR_ARGUMENTS_BAD);
        assert_eq!(
            lib.0.C_EncryptFinal(h, buf.as_mut_ptr(), &mut len),
            CKR_OPERATION_NOT_INITIALIZED
        );
        assert_eq!(lib.0.C_DigestInit(h, &mut sha), CKR_OK);
        let rv = lib.0.C_Digest(h, null_mut(), 1, buf.as_mut_ptr(), &mut len);
        assert_eq!(rv, CKR_ARGUMENTS_BAD);
        assert_eq!(
            lib.0.C_DigestUpdate(h, buf.as_mut_ptr(), 1),
            CKR_OPERATION_NOT_INITIALIZED
        );
    }
}

/// The Tookan wrap/decrypt oracle: a secret key that can wrap a sensitive key and decrypt
/// the blob reveals it. A secret key either transports keys or encrypts data.
#[test]
fn a_key_cannot_both_wrap_and_decrypt() {
    let env = Env::new("");
    let s = env.user_session();
    let aes = |extra: &[Attribute]| {
        let mut t = vec![
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::Value(vec![7u8; 32]),
        ];
        t.extend_from_slice(extra);
        s.create_object(&t)
    };
    for pair in [
        [Attribute::Wrap(true), Attribute::Decrypt(true)],
        [Attribute::Unwrap(true), Attribute::Encrypt(true)],
        [Attribute::Wrap(true), Attribute::Encrypt(true)],
        [Attribute::Unwrap(true), Attribute::Decrypt(true)],
    ] {
        assert_rv!(aes(&pair), RvError::TemplateInconsistent);
        let mut gen_t = vec![Attribute::ValueLen(32.into())];
        gen_t.extend_from_slice(&pair);
        assert_rv!(
            s.generate_key(&Mechanism::AesKeyGen, &gen_t),
            RvError::TemplateInconsistent
        );
    }
    // Defaults never mix the roles: a data key by default, a KEK when a transport role is
    // asked for.
    let data = aes(&[]).unwrap();
    let kek = aes(&[Attribute::Wrap(true)]).unwrap();
    let roles = |k| {
        let a = s
            .get_attributes(
                k,
                &[
                    AttributeType::Encrypt,
                    AttributeType::Decrypt,
                    AttributeType::Wrap,
                    AttributeType::Unwrap,
                ],
            )
            .unwrap();
        a.iter()
            .map(|x| match x {
                Attribute::Encrypt(b)
                | Attribute::Decrypt(b)
                | Attribute::Wrap(b)
                | Attribute::Unwrap(b) => *b,
                other => panic!("{other:?}"),
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(roles(data), [true, true, false, false]);
    assert_eq!(roles(kek), [false, false, true, false]);
    // Neither a change nor a copy can add the other role.
    assert_rv!(
        s.update_attributes(kek, &[Attribute::Decrypt(true)]),
        RvError::TemplateInconsistent
    );
    assert_rv!(
        s.update_attributes(data, &[Attribute::Unwrap(true)]),
        RvError::TemplateInconsistent
    );
    assert_rv!(
        s.copy_object(kek, &[Attribute::Encrypt(true)]),
        RvError::TemplateInconsistent
    );
    // A key whose value anyone may read is no oracle (its value decrypts the blobs anyway):
    // it may hold both roles, as pkcs11-tool's ECDH-derived keys do, until it is hidden.
    let readable = aes(&[
        Attribute::Wrap(true),
        Attribute::Decrypt(true),
        Attribute::Sensitive(false),
        Attribute::Extractable(true),
    ])
    .unwrap();
    assert_rv!(
        s.update_attributes(readable, &[Attribute::Sensitive(true)]),
        RvError::TemplateInconsistent
    );
    assert_rv!(
        s.update_attributes(readable, &[Attribute::Extractable(false)]),
        RvError::TemplateInconsistent
    );
    // The attack itself: the wrapped blob of a sensitive key does not decrypt under the KEK.
    let secret = s
        .generate_key(
            &Mechanism::AesKeyGen,
            &[Attribute::ValueLen(32.into()), Attribute::Extractable(true)],
        )
        .unwrap();
    let blob = s.wrap_key(&Mechanism::AesKeyWrap, kek, secret).unwrap();
    assert_rv!(
        s.decrypt(&Mechanism::AesKeyWrap, kek, &blob),
        RvError::KeyFunctionNotPermitted
    );
}

/// A key that mixes the roles (made where the configuration allowed it) is refused for
/// either role once the rule is back in force.
#[test]
fn a_stored_key_with_both_roles_serves_neither() {
    let mut env = Env::new("security.allow_mixed_key_roles = true\n");
    let s = env.user_session();
    let both = s
        .generate_key(
            &Mechanism::AesKeyGen,
            &[
                Attribute::ValueLen(32.into()),
                Attribute::Token(true),
                Attribute::Label(b"both".to_vec()),
                Attribute::Wrap(true),
                Attribute::Decrypt(true),
            ],
        )
        .unwrap();
    let target = aes_key(&s, &[Attribute::Extractable(true)]);
    let blob = s.wrap_key(&Mechanism::AesKeyWrap, both, target).unwrap();
    assert!(s.decrypt(&Mechanism::AesKeyWrap, both, &blob).is_ok());
    drop(s);
    env.unload();
    std::fs::write(&env.config, base_config(env.dir.path())).unwrap();
    env.load();
    let s = env.p11().open_rw_session(env.slot()).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    let both = s
        .find_objects(&[Attribute::Label(b"both".to_vec())])
        .unwrap()[0];
    let target = aes_key(&s, &[Attribute::Extractable(true)]);
    assert_rv!(
        s.wrap_key(&Mechanism::AesKeyWrap, both, target),
        RvError::KeyFunctionNotPermitted
    );
    assert_rv!(
        s.decrypt(&Mechanism::AesKeyWrap, both, &blob),
        RvError::KeyFunctionNotPermitted
    );
}

fn token_db(env: &Env) -> std::path::PathBuf {
    env.store_dir().join("token-0.sqlite")
}

/// Flipping CKA_SENSITIVE and CKA_EXTRACTABLE in the readable part of a public secret key's
/// row — even with its digest recomputed, or its MAC removed — makes the row fail
/// authentication after login: the key is left out, never revealed.
#[test]
fn edited_attributes_of_a_stored_key_are_refused() {
    let mut env = Env::new("");
    let s = env.user_session();
    for label in [&b"keep-mac"[..], b"drop-mac"] {
        s.create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::Value(vec![0x42; 32]),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Sensitive(true),
            Attribute::Extractable(false),
            Attribute::Encrypt(true),
            Attribute::Label(label.to_vec()),
        ])
        .unwrap();
    }
    drop(s);
    env.unload();

    let conn = db::open(&token_db(&env));
    let serial = db::serial(&conn);
    for mut row in db::rows(&conn)
        .into_iter()
        .filter(|r| r.class == CKO_SECRET_KEY)
    {
        let plain = row.plain.as_mut().unwrap();
        db::patch(
            plain,
            &enc::bool_entry(CKA_SENSITIVE, true),
            &enc::bool_entry(CKA_SENSITIVE, false),
        );
        db::patch(
            plain,
            &enc::bool_entry(CKA_EXTRACTABLE, false),
            &enc::bool_entry(CKA_EXTRACTABLE, true),
        );
        let drop_mac = row
            .plain
            .as_ref()
            .unwrap()
            .windows(8)
            .any(|w| w == b"drop-mac");
        let mut auth = db::digest(&serial, &row);
        if !drop_mac {
            auth.extend_from_slice(&row.auth.as_ref().unwrap()[32..]);
        }
        row.auth = Some(auth);
        db::put(&conn, &row);
    }
    drop(conn);

    env.load();
    let s = env.p11().open_rw_session(env.slot()).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    for label in [&b"keep-mac"[..], b"drop-mac"] {
        assert!(
            s.find_objects(&[Attribute::Label(label.to_vec())])
                .unwrap()
                .is_empty(),
            "{} must be refused",
            String::from_utf8_lossy(label)
        );
    }
}

/// Random bit flips anywhere in public data objects' rows: each damaged object is left out,
/// never served changed; the untouched one still is.
#[test]
fn bit_flips_in_stored_rows_are_never_served() {
    let mut env = Env::new("");
    let s = env.user_session();
    let n = 40;
    for i in 0..=n {
        s.create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Token(true),
            Attribute::Label(format!("data-{i}").into_bytes()),
            Attribute::Value(format!("value of object {i}").into_bytes()),
        ])
        .unwrap();
    }
    drop(s);
    env.unload();
    let conn = db::open(&token_db(&env));
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |m: usize| {
        seed = seed
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (seed >> 33) as usize % m
    };
    for mut row in db::rows(&conn) {
        let plain = row.plain.as_mut().unwrap();
        if plain
            .windows(7)
            .any(|w| w == format!("data-{n}").as_bytes())
        {
            continue; // the control object
        }
        let at = next(plain.len());
        plain[at] ^= 1 << next(8);
        db::put(&conn, &row);
    }
    drop(conn);
    env.load();
    // Before login (the digest) and after it (the MAC).
    let s = env.p11().open_rw_session(env.slot()).unwrap();
    for login in [false, true] {
        if login {
            s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
        }
        let found = s
            .find_objects(&[Attribute::Class(ObjectClass::DATA)])
            .unwrap();
        assert_eq!(found.len(), 1, "only the undamaged object is served");
        let v = s.get_attributes(found[0], &[AttributeType::Value]).unwrap();
        assert_eq!(
            v[0],
            Attribute::Value(format!("value of object {n}").into_bytes())
        );
    }
}

/// A row without a MAC is what a public session writes. It may not claim what only the SO
/// or a logged-in user can write: CKA_TRUSTED, a private object, sealed key material.
#[test]
fn rows_without_a_mac_are_held_to_what_a_public_session_can_write() {
    let mut env = Env::new("");
    let slot = env.init_token();
    // Written in a public R/W session: no token key, no MAC. Stays readable after login.
    let public = env.p11().open_rw_session(slot).unwrap();
    public
        .create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Token(true),
            Attribute::Label(b"public-write".to_vec()),
        ])
        .unwrap();
    drop(public);
    // The SO marks a certificate trusted.
    let so = env.p11().open_rw_session(slot).unwrap();
    so.login(UserType::So, Some(&pin(SO_PIN))).unwrap();
    so.create_object(&[
        Attribute::Class(ObjectClass::CERTIFICATE),
        Attribute::CertificateType(cryptoki::object::CertificateType::X_509),
        Attribute::Token(true),
        Attribute::Trusted(true),
        Attribute::Subject(vec![0x30, 0]),
        Attribute::Value(vec![0x30, 0]),
        Attribute::Label(b"trusted-cert".to_vec()),
    ])
    .unwrap();
    drop(so);
    env.unload();

    // The attacker swaps in a certificate of their own, keeps CKA_TRUSTED, drops the MAC.
    let conn = db::open(&token_db(&env));
    let serial = db::serial(&conn);
    for mut row in db::rows(&conn) {
        if row.class == CKO_DATA {
            assert_eq!(
                row.auth.as_ref().unwrap().len(),
                32,
                "no MAC without a login"
            );
            continue;
        }
        db::patch(row.plain.as_mut().unwrap(), &[0x30, 0], &[0x31, 0]);
        row.auth = Some(db::digest(&serial, &row));
        db::put(&conn, &row);
    }
    drop(conn);

    env.load();
    let s = env.p11().open_rw_session(slot).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    assert_eq!(
        s.find_objects(&[Attribute::Label(b"public-write".to_vec())])
            .unwrap()
            .len(),
        1
    );
    assert!(
        s.find_objects(&[Attribute::Label(b"trusted-cert".to_vec())])
            .unwrap()
            .is_empty()
    );
}

/// A stored row nested thousands of templates deep (written by hand, with a valid digest)
/// neither crashes C_Initialize nor hides the token's other objects: it is left out.
#[test]
fn a_deeply_nested_stored_row_does_not_brick_the_token() {
    let mut env = Env::new("");
    let s = env.user_session();
    s.create_object(&[
        Attribute::Class(ObjectClass::DATA),
        Attribute::Token(true),
        Attribute::Label(b"neighbour".to_vec()),
    ])
    .unwrap();
    drop(s);
    env.unload();
    let conn = db::open(&token_db(&env));
    let serial = db::serial(&conn);
    let mut plain = Vec::new();
    enc::varint(&mut plain, 2);
    enc::ulong(&mut plain, CKA_CLASS, CKO_PUBLIC_KEY);
    enc::nested(&mut plain, CKA_WRAP_TEMPLATE, 100_000);
    let mut row = db::Row {
        uid: "00".repeat(16),
        class: CKO_PUBLIC_KEY,
        private: false,
        generation: 1,
        plain: Some(plain),
        sealed: None,
        auth: None,
    };
    row.auth = Some(db::digest(&serial, &row));
    db::put(&conn, &row);
    drop(conn);

    let out = child(
        "a_deeply_nested_stored_row_does_not_brick_the_token_child",
        "list",
        &env.config,
    )
    .output()
    .unwrap();
    assert!(
        out.status.success(),
        "C_Initialize on the store: {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_deeply_nested_stored_row_does_not_brick_the_token_child() {
    if child_role().is_none() {
        return;
    }
    let p11 = child_module();
    let slot = p11.get_all_slots().unwrap()[0];
    let s = p11.open_ro_session(slot).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    let all = s.find_objects(&[]).unwrap();
    assert_eq!(all.len(), 1, "the neighbour, not the nested row");
}

/// With the store's filesystem full, a login attempt that cannot be counted is refused
/// without the PIN being checked: the right PIN gets the same answer as a wrong one, and no
/// number of guesses gets through uncounted. Runs in a private mount namespace on a small
/// tmpfs (needs root, as CI has).
#[test]
fn a_full_disk_does_not_buy_uncounted_guesses() {
    const ENTRY: &str = "a_full_disk_does_not_buy_uncounted_guesses";
    if child_role().is_none() {
        let mnt = tempfile::tempdir().unwrap();
        let out = std::process::Command::new("unshare")
            .args(["--mount", "--propagation", "private", "sh", "-c"])
            .arg("mount -t tmpfs -o size=2m tmpfs \"$0\" && exec \"$@\"")
            .arg(mnt.path())
            .arg(std::env::current_exe().unwrap())
            .args([ENTRY, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, "tmpfs")
            .env("CRATON_TEST_TMPFS", mnt.path())
            .output()
            .expect("run unshare");
        let stderr = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() && stderr.contains("Operation not permitted") && !is_root() {
            eprintln!("skipped: a private tmpfs needs root ({stderr})");
            return;
        }
        assert!(
            out.status.success(),
            "{:?}\nstdout:\n{}\nstderr:\n{stderr}",
            out.status,
            String::from_utf8_lossy(&out.stdout)
        );
        return;
    }
    let mnt = std::path::PathBuf::from(std::env::var_os("CRATON_TEST_TMPFS").unwrap());
    let store = mnt.join("store");
    let env = Env::with_config(|_| {
        format!(
            "token.storage_path = {store:?}\nsecurity.pbkdf2_iterations = 1000\n\
             security.max_failed_logins = 3\n"
        )
    });
    let slot = env.init_token();
    let lib = raw_lib();
    let h = raw_open(&lib, slot.id(), true);
    // Fill the filesystem.
    let filler = mnt.join("filler");
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&filler).unwrap();
        let block = vec![0u8; 4096];
        while f.write_all(&block).is_ok() {}
        let _ = f.sync_all();
    }
    let mut refused = 0;
    for _ in 0..50 {
        match raw_login(&lib, h, CKU_USER, "wrong-pin") {
            CKR_DEVICE_ERROR => refused += 1,
            CKR_PIN_INCORRECT | CKR_PIN_LOCKED => {}
            other => panic!("wrong PIN on a full disk: {other:#x}"),
        }
    }
    eprintln!("full disk: {refused} of 50 wrong PINs refused uncounted");
    let right = raw_login(&lib, h, CKU_USER, USER_PIN);
    assert_ne!(
        right, CKR_OK,
        "the right PIN after 50 guesses on a full disk"
    );
    if refused == 50 {
        assert_eq!(
            right, CKR_DEVICE_ERROR,
            "the same answer as for a wrong PIN"
        );
    }
    // Space again: nothing was counted while nothing could be written.
    std::fs::remove_file(&filler).unwrap();
    if refused == 50 {
        assert_eq!(raw_login(&lib, h, CKU_USER, USER_PIN), CKR_OK);
    }
}

fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| {
            s.lines()
                .any(|l| l.starts_with("Uid:") && l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

/// A database put back from an earlier copy (an old PIN, reset failure counts) is noticed:
/// logins are refused until the operator removes the counter file to accept the restore.
#[test]
fn a_database_put_back_from_a_copy_is_noticed() {
    let mut env = Env::new("");
    let slot = env.init_token();
    env.unload();
    let db_path = token_db(&env);
    let saved = std::fs::read(&db_path).unwrap();
    env.load();
    let s = env.p11().open_rw_session(slot).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    s.set_pin(&pin(USER_PIN), &pin("new-user-pin")).unwrap();
    drop(s);
    env.unload();

    std::fs::write(&db_path, &saved).unwrap();
    env.load();
    let lib = raw_lib();
    let h = raw_open(&lib, slot.id(), true);
    assert_eq!(raw_login(&lib, h, CKU_USER, USER_PIN), CKR_DEVICE_ERROR);
    assert_eq!(
        raw_login(&lib, h, CKU_USER, "new-user-pin"),
        CKR_DEVICE_ERROR
    );
    // Failed attempts do not count the old record back up to the current one.
    for _ in 0..5 {
        assert_eq!(raw_login(&lib, h, CKU_USER, "guess"), CKR_DEVICE_ERROR);
    }
    env.unload();
    std::fs::remove_file(env.store_dir().join("token-0.counter")).unwrap();
    env.load();
    let h = raw_open(&lib, slot.id(), true);
    assert_eq!(raw_login(&lib, h, CKU_USER, USER_PIN), CKR_OK);
}

/// A store written by the first schema (rows without authenticators) is read as before and
/// authenticated at the first login: no object is lost.
#[test]
fn a_schema_1_store_is_authenticated_at_the_first_login() {
    let mut env = Env::new("");
    let s = env.user_session();
    let label = |l: &[u8]| vec![Attribute::Token(true), Attribute::Label(l.to_vec())];
    let mut public_t = label(b"pub");
    public_t.push(Attribute::EcParams(P256.to_vec()));
    let (_, private) = s
        .generate_key_pair(&Mechanism::EccKeyPairGen, &public_t, &label(b"priv"))
        .unwrap();
    let msg = b"signed before and after the upgrade";
    let sig = s.sign(&Mechanism::EcdsaSha256, private, msg).unwrap();
    s.create_object(&[
        Attribute::Class(ObjectClass::DATA),
        Attribute::Token(true),
        Attribute::Label(b"schema-1 data".to_vec()),
    ])
    .unwrap();
    drop(s);
    env.unload();

    // Back to what the first schema wrote.
    let conn = db::open(&token_db(&env));
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'schema'",
        [1i64.to_le_bytes().to_vec()],
    )
    .unwrap();
    let token: Vec<u8> = conn
        .query_row("SELECT value FROM meta WHERE key = 'token'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let counter_len = token.iter().position(|b| b & 0x80 == 0).unwrap() + 1;
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'token'",
        [token[counter_len..].to_vec()],
    )
    .unwrap();
    conn.execute_batch("ALTER TABLE objects DROP COLUMN auth")
        .unwrap();
    drop(conn);
    std::fs::remove_file(env.store_dir().join("token-0.counter")).unwrap();

    env.load();
    let s = env.p11().open_rw_session(env.slot()).unwrap();
    assert_eq!(
        s.find_objects(&[Attribute::Label(b"schema-1 data".to_vec())])
            .unwrap()
            .len(),
        1,
        "readable before login, as before"
    );
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    let find = |l: &[u8]| s.find_objects(&[Attribute::Label(l.to_vec())]).unwrap()[0];
    let (public, private) = (find(b"pub"), find(b"priv"));
    let sig2 = s.sign(&Mechanism::EcdsaSha256, private, msg).unwrap();
    s.verify(&Mechanism::EcdsaSha256, public, msg, &sig)
        .unwrap();
    s.verify(&Mechanism::EcdsaSha256, public, msg, &sig2)
        .unwrap();
    drop(s);
    env.unload();
    let conn = db::open(&token_db(&env));
    let schema: Vec<u8> = conn
        .query_row("SELECT value FROM meta WHERE key = 'schema'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(schema, 2i64.to_le_bytes());
    let rows = db::rows(&conn);
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r.auth.as_ref().is_some_and(|a| a.len() == 64)),
        "every row authenticated under the token key"
    );
}
