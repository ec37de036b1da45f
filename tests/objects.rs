//! Objects: creation with the spec's template checks, defaults and derived attributes,
//! sensitivity, private-object visibility, copy, destroy, attribute changes and search.

mod common;

use common::raw::*;
use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{
    Attribute, AttributeType, CertificateType, KeyType, ObjectClass, ObjectHandle,
};
use cryptoki::session::{Session, UserType};
use cryptoki_sys::*;

fn aes_key(s: &Session, extra: &[Attribute]) -> cryptoki::error::Result<ObjectHandle> {
    let mut t = vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::AES),
        Attribute::Value(vec![7u8; 16]),
    ];
    t.extend_from_slice(extra);
    s.create_object(&t)
}

/// Whether C_GetAttributeValue refuses CKA_VALUE as sensitive.
fn sensitive(s: &Session, o: ObjectHandle) -> bool {
    let info = s.get_attribute_info(o, &[AttributeType::Value]).unwrap();
    matches!(info[0], cryptoki::object::AttributeInfo::Sensitive)
}

fn get(s: &Session, o: ObjectHandle, t: AttributeType) -> Option<Attribute> {
    s.get_attributes(o, &[t]).unwrap().into_iter().next()
}

#[test]
fn data_object_round_trip() {
    let env = Env::new("");
    let s = env.user_session();
    let o = s
        .create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Application(b"app".to_vec()),
            Attribute::Value(b"payload".to_vec()),
            Attribute::Label(b"data-1".to_vec()),
        ])
        .unwrap();
    let attrs = s
        .get_attributes(
            o,
            &[
                AttributeType::Value,
                AttributeType::Token,
                AttributeType::Private,
                AttributeType::Modifiable,
            ],
        )
        .unwrap();
    assert_eq!(attrs[0], Attribute::Value(b"payload".to_vec()));
    assert_eq!(attrs[1], Attribute::Token(false));
    assert_eq!(attrs[2], Attribute::Private(false));
    assert_eq!(attrs[3], Attribute::Modifiable(true));
    // Every object gets a unique id.
    let Some(Attribute::UniqueId(id)) = get(&s, o, AttributeType::UniqueId) else {
        panic!()
    };
    assert_eq!(id.len(), 32);
}

#[test]
fn template_errors_use_the_spec_codes() {
    let env = Env::new("");
    let s = env.user_session();
    assert_rv!(
        s.create_object(&[Attribute::Label(b"x".to_vec())]),
        RvError::TemplateIncomplete
    );
    // A key without its value.
    assert_rv!(
        s.create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES)
        ]),
        RvError::TemplateIncomplete
    );
    // Token-set attributes cannot be supplied.
    assert_rv!(
        aes_key(&s, &[Attribute::Local(true)]),
        RvError::AttributeReadOnly
    );
    assert_rv!(
        aes_key(&s, &[Attribute::AlwaysSensitive(true)]),
        RvError::AttributeReadOnly
    );
    // An AES key of 15 bytes.
    assert_rv!(
        s.create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::Value(vec![1; 15]),
        ]),
        RvError::AttributeValueInvalid
    );
    // An attribute that secret keys do not have.
    assert_rv!(
        aes_key(&s, &[Attribute::Modulus(vec![1, 2, 3])]),
        RvError::AttributeTypeInvalid
    );
    // The same attribute twice with different values.
    assert_rv!(
        aes_key(&s, &[Attribute::Sign(true), Attribute::Sign(false)]),
        RvError::TemplateInconsistent
    );
    // A certificate needs its subject and value.
    assert_rv!(
        s.create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Value(vec![0x30, 0]),
        ]),
        RvError::TemplateIncomplete
    );
    // CKA_TRUSTED = true is the SO's to set.
    assert_rv!(
        s.create_object(&[
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Subject(vec![0x30, 0]),
            Attribute::Value(vec![0x30, 0]),
            Attribute::Trusted(true),
        ]),
        RvError::AttributeReadOnly
    );
}

/// CKA_UNIQUE_ID is the token's to set (PKCS#11 3.x 4.4.1): given in any template it is
/// CKR_ATTRIBUTE_READ_ONLY (the cryptoki crate's own `unique_id` test expects
/// CKR_ATTRIBUTE_TYPE_INVALID from C_CreateObject; tests/suites/cryptoki.allow says why not).
#[test]
fn unique_id_is_read_only_in_every_template() {
    let env = Env::new("");
    let s = env.user_session();
    let uid = || Attribute::UniqueId(b"0001".to_vec());
    assert_rv!(aes_key(&s, &[uid()]), RvError::AttributeReadOnly);
    assert_rv!(
        s.create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Value(b"payload".to_vec()),
            uid(),
        ]),
        RvError::AttributeReadOnly
    );
    assert_rv!(
        s.generate_key(
            &Mechanism::AesKeyGen,
            &[Attribute::ValueLen(32.into()), uid()]
        ),
        RvError::AttributeReadOnly
    );
    for (public, private) in [(vec![uid()], vec![]), (vec![], vec![uid()])] {
        let mut public = public;
        public.push(Attribute::EcParams(common::keys::P256.to_vec()));
        assert_rv!(
            s.generate_key_pair(&Mechanism::EccKeyPairGen, &public, &private),
            RvError::AttributeReadOnly
        );
    }
    let k = aes_key(&s, &[]).unwrap();
    assert_rv!(s.update_attributes(k, &[uid()]), RvError::AttributeReadOnly);
    assert_rv!(s.copy_object(k, &[uid()]), RvError::AttributeReadOnly);
}

#[test]
fn secret_values_are_never_revealed_when_sensitive_or_unextractable() {
    let env = Env::new("");
    let s = env.user_session();
    // Defaults: sensitive and not extractable.
    let k = aes_key(&s, &[]).unwrap();
    assert!(sensitive(&s, k));
    assert_eq!(
        get(&s, k, AttributeType::Sensitive),
        Some(Attribute::Sensitive(true))
    );
    assert_eq!(
        get(&s, k, AttributeType::AlwaysSensitive),
        Some(Attribute::AlwaysSensitive(false))
    );
    assert_eq!(
        get(&s, k, AttributeType::Local),
        Some(Attribute::Local(false))
    );
    // Extractable but sensitive: still hidden.
    let k2 = aes_key(&s, &[Attribute::Extractable(true)]).unwrap();
    assert!(sensitive(&s, k2));
    // Neither sensitive nor unextractable: readable.
    let k3 = aes_key(
        &s,
        &[Attribute::Extractable(true), Attribute::Sensitive(false)],
    )
    .unwrap();
    assert_eq!(
        get(&s, k3, AttributeType::Value),
        Some(Attribute::Value(vec![7u8; 16]))
    );
    // CKA_SENSITIVE only goes to true, CKA_EXTRACTABLE only to false.
    s.update_attributes(k3, &[Attribute::Sensitive(true)])
        .unwrap();
    assert_rv!(
        s.update_attributes(k3, &[Attribute::Sensitive(false)]),
        RvError::AttributeReadOnly
    );
    s.update_attributes(k3, &[Attribute::Extractable(false)])
        .unwrap();
    assert_rv!(
        s.update_attributes(k3, &[Attribute::Extractable(true)]),
        RvError::AttributeReadOnly
    );
    assert!(sensitive(&s, k3));

    // Generated keys too, and their derived attributes.
    let g = s
        .generate_key(
            &Mechanism::AesKeyGen,
            &[Attribute::ValueLen(32.into()), Attribute::Token(true)],
        )
        .unwrap();
    assert!(sensitive(&s, g));
    assert_eq!(
        get(&s, g, AttributeType::Local),
        Some(Attribute::Local(true))
    );
    assert_eq!(
        get(&s, g, AttributeType::AlwaysSensitive),
        Some(Attribute::AlwaysSensitive(true))
    );
    assert_eq!(
        get(&s, g, AttributeType::NeverExtractable),
        Some(Attribute::NeverExtractable(true))
    );
    assert_eq!(
        get(&s, g, AttributeType::ValueLen),
        Some(Attribute::ValueLen(32.into()))
    );
}

#[test]
fn private_objects_are_invisible_without_user_login() {
    let env = Env::new("");
    let slot = env.init_token();
    let p11 = env.p11();
    let s = p11.open_rw_session(slot).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    let secret = s
        .create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Private(true),
            Attribute::Token(true),
            Attribute::Label(b"private".to_vec()),
        ])
        .unwrap();
    s.create_object(&[
        Attribute::Class(ObjectClass::DATA),
        Attribute::Token(true),
        Attribute::Label(b"public".to_vec()),
    ])
    .unwrap();
    let private_session_object = s
        .create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Private(true),
            Attribute::Label(b"private session".to_vec()),
        ])
        .unwrap();
    assert_eq!(s.find_objects(&[]).unwrap().len(), 3);
    s.logout().unwrap();
    let found = s.find_objects(&[]).unwrap();
    assert_eq!(found.len(), 1);
    assert_rv!(
        s.get_attributes(secret, &[AttributeType::Label]),
        RvError::ObjectHandleInvalid
    );
    // Public sessions cannot create private objects.
    assert_rv!(
        s.create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Private(true)
        ]),
        RvError::UserNotLoggedIn
    );
    // The SO sees public objects only.
    s.login(UserType::So, Some(&pin(SO_PIN))).unwrap();
    assert_eq!(s.find_objects(&[]).unwrap().len(), 1);
    s.logout().unwrap();
    // C_Logout: handles to private objects stay invalid even after the next login, and
    // private session objects are destroyed; the token object is found again.
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    assert_rv!(
        s.get_attributes(secret, &[AttributeType::Label]),
        RvError::ObjectHandleInvalid
    );
    assert_rv!(
        s.get_attributes(private_session_object, &[AttributeType::Label]),
        RvError::ObjectHandleInvalid
    );
    let again = s
        .find_objects(&[Attribute::Label(b"private".to_vec())])
        .unwrap();
    assert_eq!(again.len(), 1);
    assert_ne!(again[0], secret);
    assert_eq!(s.find_objects(&[]).unwrap().len(), 2);
}

#[test]
fn read_only_sessions_cannot_write_token_objects() {
    let env = Env::new("");
    let slot = env.init_token();
    let s = env.p11().open_ro_session(slot).unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    assert_rv!(
        s.create_object(&[Attribute::Class(ObjectClass::DATA), Attribute::Token(true)]),
        RvError::SessionReadOnly
    );
    // Session objects are fine in a read-only session.
    let o = s
        .create_object(&[Attribute::Class(ObjectClass::DATA)])
        .unwrap();
    s.update_attributes(o, &[Attribute::Label(b"ok".to_vec())])
        .unwrap();
    s.destroy_object(o).unwrap();
}

#[test]
fn copy_destroy_and_modify_rules() {
    let env = Env::new("");
    let s = env.user_session();
    let k = aes_key(
        &s,
        &[Attribute::Label(b"orig".to_vec()), Attribute::Token(true)],
    )
    .unwrap();
    let c = s
        .copy_object(
            k,
            &[Attribute::Label(b"copy".to_vec()), Attribute::Token(false)],
        )
        .unwrap();
    assert_eq!(
        get(&s, c, AttributeType::Label),
        Some(Attribute::Label(b"copy".to_vec()))
    );
    assert_eq!(
        get(&s, c, AttributeType::Token),
        Some(Attribute::Token(false))
    );
    assert_ne!(
        get(&s, c, AttributeType::UniqueId),
        get(&s, k, AttributeType::UniqueId)
    );
    // Not changeable in a copy.
    assert_rv!(
        s.copy_object(k, &[Attribute::KeyType(KeyType::GENERIC_SECRET)]),
        RvError::AttributeReadOnly
    );
    // Not copyable, not modifiable, not destroyable.
    let locked = aes_key(
        &s,
        &[
            Attribute::Copyable(false),
            Attribute::Modifiable(false),
            Attribute::Destroyable(false),
        ],
    )
    .unwrap();
    assert_rv!(s.copy_object(locked, &[]), RvError::ActionProhibited);
    assert_rv!(
        s.update_attributes(locked, &[Attribute::Label(b"x".to_vec())]),
        RvError::ActionProhibited
    );
    assert_rv!(s.destroy_object(locked), RvError::ActionProhibited);
    // A copy may change CKA_MODIFIABLE either way (4.4).
    let frozen = aes_key(&s, &[Attribute::Modifiable(false)]).unwrap();
    let thawed = s
        .copy_object(frozen, &[Attribute::Modifiable(true)])
        .unwrap();
    s.update_attributes(thawed, &[Attribute::Label(b"thawed".to_vec())])
        .unwrap();
    // Read-only attributes of a modifiable object; CKA_ALLOWED_MECHANISMS is fixed at
    // creation, so it cannot be widened later.
    assert_rv!(
        s.update_attributes(k, &[Attribute::KeyType(KeyType::AES)]),
        RvError::AttributeReadOnly
    );
    assert_rv!(
        s.update_attributes(k, &[Attribute::AllowedMechanisms(vec![])]),
        RvError::AttributeReadOnly
    );
    assert_rv!(
        s.copy_object(k, &[Attribute::AllowedMechanisms(vec![])]),
        RvError::AttributeReadOnly
    );
    assert_rv!(
        s.update_attributes(k, &[Attribute::Token(false)]),
        RvError::AttributeReadOnly
    );
    s.update_attributes(
        k,
        &[
            Attribute::Label(b"renamed".to_vec()),
            Attribute::Id(vec![9]),
        ],
    )
    .unwrap();
    assert_eq!(
        s.find_objects(&[Attribute::Label(b"renamed".to_vec())])
            .unwrap(),
        vec![k]
    );
    s.destroy_object(k).unwrap();
    assert_rv!(s.destroy_object(k), RvError::ObjectHandleInvalid);
    assert!(
        s.find_objects(&[Attribute::Label(b"renamed".to_vec())])
            .unwrap()
            .is_empty()
    );
}

#[test]
fn find_matches_templates_and_pages_results() {
    let env = Env::new("");
    let s = env.user_session();
    for i in 0..5u8 {
        s.create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Label(vec![i % 2]),
            Attribute::Token(i < 3),
        ])
        .unwrap();
    }
    assert_eq!(
        s.find_objects(&[Attribute::Label(vec![0])]).unwrap().len(),
        3
    );
    assert_eq!(s.find_objects(&[Attribute::Token(true)]).unwrap().len(), 3);
    assert_eq!(
        s.find_objects(&[Attribute::Token(true), Attribute::Label(vec![1])])
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        s.find_objects(&[Attribute::Class(ObjectClass::SECRET_KEY)])
            .unwrap()
            .len(),
        0
    );
    // The iterator pages through C_FindObjects one handle at a time.
    let n = s
        .iter_objects_with_cache_size(&[], std::num::NonZeroUsize::new(1).unwrap())
        .unwrap()
        .count();
    assert_eq!(n, 5);
}

#[test]
fn imported_asymmetric_keys_are_checked() {
    let env = Env::new("");
    let s = env.user_session();
    let p256 = vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    // A point that is not on the curve.
    let mut bad_point = vec![0x04, 0x41, 0x04];
    bad_point.extend_from_slice(&[1u8; 64]);
    assert_rv!(
        s.create_object(&[
            Attribute::Class(ObjectClass::PUBLIC_KEY),
            Attribute::KeyType(KeyType::EC),
            Attribute::EcParams(p256.clone()),
            Attribute::EcPoint(bad_point),
        ]),
        RvError::AttributeValueInvalid
    );
    // An unsupported curve (secp224r1).
    assert_rv!(
        s.create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::EC),
            Attribute::EcParams(vec![0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21]),
            Attribute::Value(vec![1; 28]),
        ]),
        RvError::CurveNotSupported
    );
    // A valid P-256 private key (RFC 6979 A.2.5) imports, stays sensitive, and signs.
    let d =
        hex::decode("c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721").unwrap();
    let k = s
        .create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::EC),
            Attribute::EcParams(p256),
            Attribute::Value(d),
            Attribute::Sign(true),
        ])
        .unwrap();
    assert!(sensitive(&s, k));
    assert_eq!(
        get(&s, k, AttributeType::NeverExtractable),
        Some(Attribute::NeverExtractable(false))
    );
    let sig = s.sign(&Mechanism::EcdsaSha256, k, b"sample").unwrap();
    assert_eq!(sig.len(), 64);
}

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
    let key = common::keys::aes_key(&s, &[]);

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
        // SAFETY: valid pointers for the call, or NULL where the test means it.
        unsafe {
            lib.0
                .C_GetObjectSize(h, small.handle(), std::ptr::null_mut())
        },
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

/// A public token key (`CKA_PRIVATE = false`) is listed and readable before login; its key
/// material stays sealed until the user logs in, and then works again.
#[test]
fn public_token_key_before_login() {
    let mut env = Env::new("");
    let s = env.user_session();
    let key = aes_key(
        &s,
        &[
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Sensitive(false),
            Attribute::Extractable(true),
            Attribute::Label(b"public-aes".to_vec()),
            Attribute::Encrypt(true),
        ],
    )
    .unwrap();
    let iv = [3u8; 16];
    let ct = s
        .encrypt(&Mechanism::AesCbcPad(iv), key, b"sealed")
        .unwrap();
    drop(s);
    env.reload();

    let s = env.p11().open_rw_session(env.slot()).unwrap();
    let found = s
        .find_objects(&[Attribute::Label(b"public-aes".to_vec())])
        .unwrap();
    assert_eq!(found.len(), 1);
    let key = found[0];
    assert_eq!(
        get(&s, key, AttributeType::Label),
        Some(Attribute::Label(b"public-aes".to_vec()))
    );
    assert!(sensitive(&s, key), "key material is sealed before login");
    assert_rv!(
        s.encrypt(&Mechanism::AesCbcPad(iv), key, b"sealed"),
        RvError::UserNotLoggedIn
    );
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    assert_eq!(
        s.encrypt(&Mechanism::AesCbcPad(iv), key, b"sealed")
            .unwrap(),
        ct
    );
    assert_eq!(
        get(&s, key, AttributeType::Value),
        Some(Attribute::Value(vec![7u8; 16]))
    );
}

/// A search never matches on the secret value of a key that does not reveal it.
#[test]
fn search_does_not_confirm_a_guessed_key_value() {
    let env = Env::new("");
    let s = env.user_session();
    let guess = |s: &Session| s.find_objects(&[Attribute::Value(vec![7u8; 16])]).unwrap();
    let hidden = aes_key(&s, &[Attribute::Sensitive(true)]).unwrap();
    assert!(guess(&s).is_empty());
    let shown = aes_key(
        &s,
        &[Attribute::Sensitive(false), Attribute::Extractable(true)],
    )
    .unwrap();
    assert_eq!(guess(&s), vec![shown]);
    assert_ne!(hidden, shown);
}

/// What an R/W public session may make on the token (docs/pkcs11-coverage.md, C_CreateObject):
/// public objects without secret material (data, certificates, public keys) are stored;
/// a token key with secret material — a secret or private key, even with CKA_PRIVATE false —
/// is CKR_USER_NOT_LOGGED_IN, since its material is sealed under the token key that only a
/// login unlocks. As session objects such keys work without a login.
#[test]
fn public_session_token_objects() {
    use cryptoki::object::{KeyType, ObjectClass};
    let env = Env::new("");
    let slot = env.init_token();
    let s = env.p11().open_rw_session(slot).unwrap();
    let data = s
        .create_object(&[
            Attribute::Class(ObjectClass::DATA),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Value(b"public".to_vec()),
        ])
        .unwrap();
    let public = s
        .generate_key_pair(
            &cryptoki::mechanism::Mechanism::EccKeyPairGen,
            &[
                Attribute::Token(true),
                Attribute::EcParams(common::keys::P256.to_vec()),
            ],
            // A private object needs a login even in the session: this one is not private.
            &[Attribute::Token(false), Attribute::Private(false)],
        )
        .unwrap()
        .0;
    let secret = [
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::GENERIC_SECRET),
        Attribute::Token(true),
        Attribute::Private(false),
        Attribute::Value(vec![7; 32]),
    ];
    assert_rv!(s.create_object(&secret), RvError::UserNotLoggedIn);
    assert_rv!(
        s.generate_key(
            &cryptoki::mechanism::Mechanism::AesKeyGen,
            &[
                Attribute::Token(true),
                Attribute::Private(false),
                Attribute::ValueLen(32.into()),
            ],
        ),
        RvError::UserNotLoggedIn
    );
    // As session objects they need no login.
    let mut session_key = secret.to_vec();
    session_key[2] = Attribute::Token(false);
    s.create_object(&session_key).unwrap();
    // The public objects are on the token for every later session.
    drop(s);
    let s = env.p11().open_ro_session(slot).unwrap();
    let found = s.find_objects(&[Attribute::Token(true)]).unwrap();
    assert!(
        found.contains(&data) && found.contains(&public),
        "{found:?}"
    );
}
