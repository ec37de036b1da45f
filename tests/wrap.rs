//! Wrapping and unwrapping: AES-GCM, AES-CBC-PAD, RSA-OAEP, PKCS#8 under AES-KWP, trusted
//! keys and the wrap/unwrap templates.

mod common;

use common::keys::*;
use common::raw::*;
use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass};
use cryptoki::session::UserType;
use cryptoki_sys::*;
use std::ptr::null_mut;

/// An AES-256 wrapping key created through the raw API (for nested template attributes),
/// with `extra` attributes.
fn raw_aes_kek(
    lib: &RawLib,
    h: CK_SESSION_HANDLE,
    extra: Vec<(CK_ATTRIBUTE_TYPE, Val)>,
) -> Result<CK_OBJECT_HANDLE, CK_RV> {
    let mut items = vec![
        (CKA_CLASS, Val::Ulong(CKO_SECRET_KEY)),
        (CKA_KEY_TYPE, Val::Ulong(CKK_AES)),
        (CKA_VALUE, Val::Bytes(vec![0x77; 32])),
    ];
    items.extend(extra);
    raw_create(lib, h, items)
}

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
    let kek = aes_kek(&s, &[]);
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
    // The KEK and, to look under the wrapping, a data key with the same value: one key may
    // not both wrap and decrypt (that is the oracle docs/security.md closes).
    let secret = |roles: &[Attribute]| {
        let mut t = vec![
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::Value(vec![0x5a; 32]),
        ];
        t.extend_from_slice(roles);
        s.create_object(&t).unwrap()
    };
    let kek = secret(&[Attribute::Wrap(true), Attribute::Unwrap(true)]);
    let twin = secret(&[Attribute::Decrypt(true)]);
    assert_rv!(
        s.create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::Value(vec![0x5a; 32]),
            Attribute::Wrap(true),
            Attribute::Decrypt(true),
        ]),
        RvError::TemplateInconsistent
    );
    let (public, private) = ec_pair(&s, &[Attribute::Sign(true), Attribute::Extractable(true)]);

    let wrapped = lib
        .wrap_key(h, CKM_AES_KEY_WRAP_KWP, kek.handle(), private.handle())
        .unwrap();
    assert_eq!(wrapped.len() % 8, 0);
    assert!(wrapped.len() > 64, "{}", wrapped.len());
    assert_eq!(
        lib.crypt(h, CKM_AES_KEY_WRAP_KWP, kek.handle(), &wrapped, false),
        Err(CKR_KEY_FUNCTION_NOT_PERMITTED)
    );

    // Under the wrapping, a PKCS#8 PrivateKeyInfo for an EC key on P-256.
    let pkcs8 = lib
        .crypt(h, CKM_AES_KEY_WRAP_KWP, twin.handle(), &wrapped, false)
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
    let untrusted = aes_kek(&s, &[]);
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
    let kek = raw_aes_kek(
        &lib,
        h,
        vec![
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
    // A key outside CKA_WRAP_TEMPLATE: the spec says CKR_KEY_HANDLE_INVALID.
    assert_rv!(s.wrap_key(&kw, kek, other), RvError::KeyHandleInvalid);
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

/// Reading an attribute-array value: a length query, then the entries' types and lengths,
/// then their values; the outer length always says how many entries are real.
#[test]
fn templates_read_back_through_get_attribute_value() {
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    let kek = raw_aes_kek(
        &lib,
        h,
        vec![(
            CKA_UNWRAP_TEMPLATE,
            Val::Nested(vec![
                (CKA_EXTRACTABLE, Val::Bool(false)),
                (CKA_LABEL, Val::Bytes(b"unwrapped".to_vec())),
            ]),
        )],
    )
    .unwrap();
    let entry = std::mem::size_of::<CK_ATTRIBUTE>() as CK_ULONG;
    let empty = || CK_ATTRIBUTE {
        type_: 0,
        pValue: null_mut(),
        ulValueLen: 0,
    };
    let get = |outer: &mut CK_ATTRIBUTE| {
        // SAFETY: `outer` and the array it may point to outlive the call.
        unsafe { lib.0.C_GetAttributeValue(h, kek, outer, 1) }
    };
    let mut outer = CK_ATTRIBUTE {
        type_: CKA_UNWRAP_TEMPLATE,
        pValue: null_mut(),
        ulValueLen: 0,
    };
    assert_eq!(get(&mut outer), CKR_OK);
    assert_eq!(outer.ulValueLen, 2 * entry);

    // A larger array than needed: the entries' types and lengths, and the exact outer length.
    let mut inner = [empty(), empty(), empty(), empty()];
    outer.pValue = inner.as_mut_ptr() as *mut _;
    outer.ulValueLen = 4 * entry;
    assert_eq!(get(&mut outer), CKR_OK);
    assert_eq!(outer.ulValueLen, 2 * entry);
    assert_eq!((inner[0].type_, inner[0].ulValueLen), (CKA_EXTRACTABLE, 1));
    assert_eq!((inner[1].type_, inner[1].ulValueLen), (CKA_LABEL, 9));

    // The values.
    let mut flag = [0xffu8; 1];
    let mut label = [0u8; 9];
    inner[0].pValue = flag.as_mut_ptr() as *mut _;
    inner[1].pValue = label.as_mut_ptr() as *mut _;
    outer.pValue = inner.as_mut_ptr() as *mut _;
    assert_eq!(get(&mut outer), CKR_OK);
    assert_eq!((flag[0], &label), (CK_FALSE, b"unwrapped"));

    // Too small an array.
    outer.ulValueLen = entry;
    assert_eq!(get(&mut outer), CKR_BUFFER_TOO_SMALL);
    assert_eq!(outer.ulValueLen, CK_UNAVAILABLE_INFORMATION);
}

/// The unwrapping key's CKA_ALLOWED_MECHANISMS applies to unwrapping; an unwrapped key is
/// extractable unless a template says otherwise; a length that contradicts CKA_VALUE_LEN is
/// CKR_WRAPPED_KEY_LEN_RANGE.
#[test]
fn unwrap_rules_for_mechanisms_defaults_and_lengths() {
    use cryptoki::mechanism::MechanismType;
    let env = Env::new("");
    let s = env.user_session();
    let target = aes_key(&s, &[Attribute::Extractable(true)]);

    // An RSA key restricted to signing cannot unwrap, though CKA_UNWRAP is true.
    let (public, private) = s
        .generate_key_pair(
            &Mechanism::RsaPkcsKeyPairGen,
            &[Attribute::ModulusBits(2048.into())],
            &[
                Attribute::Unwrap(true),
                Attribute::AllowedMechanisms(vec![MechanismType::SHA256_RSA_PKCS]),
            ],
        )
        .unwrap();
    let wrapped = s.wrap_key(&oaep(b""), public, target).unwrap();
    assert_rv!(
        s.unwrap_key(&oaep(b""), private, &wrapped, &aes_unwrap_template()),
        RvError::MechanismInvalid
    );

    // The default of an unwrapped key is extractable (5.18); the key's own template decides.
    let kek = aes_kek(&s, &[]);
    let kw = Mechanism::AesKeyWrap;
    let wrapped = s.wrap_key(&kw, kek, target).unwrap();
    let back = s
        .unwrap_key(&kw, kek, &wrapped, &aes_unwrap_template())
        .unwrap();
    assert!(bool_attr(&s, back, AttributeType::Extractable));
    assert!(!bool_attr(&s, back, AttributeType::NeverExtractable));
    let mut fixed = aes_unwrap_template();
    fixed.push(Attribute::Extractable(false));
    let back = s.unwrap_key(&kw, kek, &wrapped, &fixed).unwrap();
    assert!(!bool_attr(&s, back, AttributeType::Extractable));

    // 32 bytes of key material against CKA_VALUE_LEN = 16.
    let mut short = aes_unwrap_template();
    short.push(Attribute::ValueLen(16.into()));
    assert_rv!(
        s.unwrap_key(&kw, kek, &wrapped, &short),
        RvError::WrappedKeyLenRange
    );
}

/// CKM_AES_KEY_WRAP wraps keys of any length (6.16): zero padded to whole semiblocks,
/// truncated to CKA_VALUE_LEN (secret keys) or the DER length (PKCS#8) on unwrap.
#[test]
fn aes_key_wrap_pads_keys_of_any_length() {
    let env = Env::new("");
    let s = env.user_session();
    let kek = aes_kek(&s, &[]);
    let kw = Mechanism::AesKeyWrap;

    let value: Vec<u8> = (1..=20).collect();
    let hmac_key = s
        .create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::Value(value.clone()),
            Attribute::Extractable(true),
        ])
        .unwrap();
    let wrapped = s.wrap_key(&kw, kek, hmac_key).unwrap();
    assert_eq!(wrapped.len(), 24 + 8);
    let generic = |len: u64| {
        vec![
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::ValueLen(len.into()),
            Attribute::Sensitive(false),
        ]
    };
    let back = s.unwrap_key(&kw, kek, &wrapped, &generic(20)).unwrap();
    assert_eq!(common::keys::value(&s, back), value);
    // Cutting off more than the padding could have added is a length conflict.
    assert_rv!(
        s.unwrap_key(&kw, kek, &wrapped, &generic(16)),
        RvError::WrappedKeyLenRange
    );

    // A PKCS#8 private key, whatever its DER length: P-256, and P-521 (a 66-byte scalar).
    let p521 = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23];
    for params in [&P256[..], &p521[..]] {
        let (public, private) = s
            .generate_key_pair(
                &Mechanism::EccKeyPairGen,
                &[Attribute::EcParams(params.to_vec())],
                &[Attribute::Sign(true), Attribute::Extractable(true)],
            )
            .unwrap();
        let wrapped = s.wrap_key(&kw, kek, private).unwrap();
        let back = s
            .unwrap_key(
                &kw,
                kek,
                &wrapped,
                &[
                    Attribute::Class(ObjectClass::PRIVATE_KEY),
                    Attribute::KeyType(KeyType::EC),
                    Attribute::Sign(true),
                ],
            )
            .unwrap();
        let sig = s.sign(&Mechanism::EcdsaSha512, back, b"padded").unwrap();
        s.verify(&Mechanism::EcdsaSha512, public, b"padded", &sig)
            .unwrap();
        let params_back = s.get_attributes(back, &[AttributeType::EcParams]).unwrap();
        assert_eq!(params_back, [Attribute::EcParams(params.to_vec())]);
    }
}
