//! Key derivation with ECDH: the X9.63 KDFs, the cofactor mechanism and the base key's
//! CKA_DERIVE_TEMPLATE.

mod common;

use common::keys::*;
use common::raw::*;
use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::elliptic_curve::{EcKdf, Ecdh1DeriveParams};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki_sys::*;
use std::ffi::c_void;
use std::ptr::null_mut;

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
    {
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

/// A generic secret with the given value, usable for derivation unless `extra` says otherwise.
fn generic_secret(
    s: &cryptoki::session::Session,
    value: &[u8],
    extra: &[Attribute],
) -> ObjectHandle {
    let mut t = vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::GENERIC_SECRET),
        Attribute::Value(value.to_vec()),
    ];
    t.extend_from_slice(extra);
    s.create_object(&t).unwrap()
}

/// HKDF with its salt given as a key (`CKF_HKDF_SALT_KEY`, RFC 5869 A.1): the salt key is
/// checked as the base key is, and the derived key inherits from both.
#[test]
fn hkdf_salt_key_is_checked_like_the_base_key() {
    use cryptoki::mechanism::MechanismType;
    use cryptoki::mechanism::hkdf::{HkdfParams, HkdfSalt};
    let env = Env::new("");
    let s = env.user_session();
    let ikm = [0x0bu8; 22];
    let salt: Vec<u8> = (0u8..13).collect();
    let info: Vec<u8> = (0xf0u8..0xfa).collect();
    let okm = hex::decode(
        "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
    )
    .unwrap();
    let hkdf = |salt: HkdfSalt<'static>| {
        Mechanism::HkdfDerive(HkdfParams::new(
            MechanismType::SHA256,
            Some(salt),
            Some(&info),
        ))
    };
    let readable = [
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::GENERIC_SECRET),
        Attribute::ValueLen(42.into()),
        Attribute::Sensitive(false),
        Attribute::Extractable(true),
    ];
    let base = generic_secret(&s, &ikm, &[Attribute::Derive(true)]);

    let salt_key = generic_secret(&s, &salt, &[Attribute::Derive(true)]);
    let k = s
        .derive_key(&hkdf(HkdfSalt::Key(salt_key)), base, &readable)
        .unwrap();
    assert_eq!(value(&s, k), okm);

    // A salt key must permit derivation, allow the mechanism, and be a generic or HKDF secret.
    let no_derive = generic_secret(&s, &salt, &[Attribute::Derive(false)]);
    assert_rv!(
        s.derive_key(&hkdf(HkdfSalt::Key(no_derive)), base, &readable),
        RvError::KeyFunctionNotPermitted
    );
    let hmac_only = generic_secret(
        &s,
        &salt,
        &[
            Attribute::Derive(true),
            Attribute::AllowedMechanisms(vec![MechanismType::SHA256_HMAC]),
        ],
    );
    assert_rv!(
        s.derive_key(&hkdf(HkdfSalt::Key(hmac_only)), base, &readable),
        RvError::MechanismInvalid
    );
    let aes = aes_key(&s, &[Attribute::Derive(true)]);
    assert_rv!(
        s.derive_key(&hkdf(HkdfSalt::Key(aes)), base, &readable),
        RvError::MechanismParamInvalid
    );

    // "Always sensitive" needs every input key to have been always sensitive: a generated
    // base passes it on with a data salt, not with an imported salt key.
    let generated = s
        .generate_key(
            &Mechanism::GenericSecretKeyGen,
            &[Attribute::ValueLen(32.into()), Attribute::Derive(true)],
        )
        .unwrap();
    assert!(bool_attr(&s, generated, AttributeType::AlwaysSensitive));
    let sensitive = [
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::GENERIC_SECRET),
        Attribute::ValueLen(32.into()),
        Attribute::Sensitive(true),
    ];
    let with_data = s
        .derive_key(&hkdf(HkdfSalt::Data(b"salt")), generated, &sensitive)
        .unwrap();
    assert!(bool_attr(&s, with_data, AttributeType::AlwaysSensitive));
    let with_key = s
        .derive_key(&hkdf(HkdfSalt::Key(salt_key)), generated, &sensitive)
        .unwrap();
    assert!(!bool_attr(&s, with_key, AttributeType::AlwaysSensitive));
}

/// `CKA_EC_PARAMS` of X25519: the id-X25519 OID (RFC 8410).
const X25519: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x6e];

fn x25519_pair(
    s: &cryptoki::session::Session,
    private: &[Attribute],
) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::EccMontgomeryKeyPairGen,
        &[Attribute::EcParams(X25519.to_vec())],
        private,
    )
    .unwrap()
}

/// X25519 key pairs (`CKK_EC_MONTGOMERY`): generated, agreed on from both sides with
/// `CKD_NULL` and an X9.63 KDF, wrapped and unwrapped as PKCS#8 (RFC 8410), and refused where
/// the key type and curve disagree.
#[test]
fn x25519_key_pairs_agree_wrap_and_check_their_curve() {
    let env = Env::new("");
    let s = env.user_session();
    let info = env
        .p11()
        .get_mechanism_info(
            env.slot(),
            cryptoki::mechanism::MechanismType::ECC_MONTGOMERY_KEY_PAIR_GEN,
        )
        .unwrap();
    assert_eq!((info.min_key_size(), info.max_key_size()), (255, 255));
    assert!(info.generate_key_pair());
    // ECDH agrees on X25519 (255 bits) up to P-521.
    let info = env
        .p11()
        .get_mechanism_info(env.slot(), cryptoki::mechanism::MechanismType::ECDH1_DERIVE)
        .unwrap();
    assert_eq!((info.min_key_size(), info.max_key_size()), (255, 521));

    let extractable = [Attribute::Derive(true), Attribute::Extractable(true)];
    let (a_pub, a_priv) = x25519_pair(&s, &extractable);
    let (b_pub, b_priv) = x25519_pair(&s, &extractable);
    let attrs = s
        .get_attributes(a_pub, &[AttributeType::KeyType, AttributeType::EcParams])
        .unwrap();
    assert_eq!(
        attrs,
        [
            Attribute::KeyType(KeyType::EC_MONTGOMERY),
            Attribute::EcParams(X25519.to_vec())
        ]
    );
    // CKA_EC_POINT: the 32-byte u-coordinate in a DER OCTET STRING, as for Edwards keys.
    let (a_point, b_point) = (ec_point(&s, a_pub), ec_point(&s, b_pub));
    assert_eq!((a_point.len(), &a_point[..2]), (34, &[0x04, 32][..]));
    let z_template = [
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::GENERIC_SECRET),
        Attribute::Sensitive(false),
        Attribute::Extractable(true),
    ];
    let z = |point: &[u8], private| {
        value(
            &s,
            s.derive_key(&ecdh(EcKdf::null(), point), private, &z_template)
                .unwrap(),
        )
    };
    let z_a = z(&b_point, a_priv);
    assert_eq!(z_a.len(), 32);
    assert_eq!(z_a, z(&a_point, b_priv));
    // The raw 32 bytes are taken as the peer's public data too.
    assert_eq!(z_a, z(&b_point[2..], a_priv));
    let kdf_a = s
        .derive_key(
            &ecdh(EcKdf::sha256(b"info"), &b_point),
            a_priv,
            &derived_aes_template(),
        )
        .unwrap();
    let kdf_b = s
        .derive_key(
            &ecdh(EcKdf::sha256(b"info"), &a_point),
            b_priv,
            &derived_aes_template(),
        )
        .unwrap();
    assert_same_aes_key(&s, kdf_a, kdf_b);
    // A peer value of the wrong length, and the all-zero u (a low-order point).
    for bad in [&b_point[2..33], &[0u8; 32][..]] {
        assert_eq!(
            rv(s.derive_key(&ecdh(EcKdf::null(), bad), a_priv, &z_template)
                .unwrap_err()),
            RvError::MechanismParamInvalid
        );
    }

    // Wrapped as PKCS#8 and unwrapped, the key still agrees on the same secret.
    let kek = aes_kek(&s, &[]);
    let wrapped = s.wrap_key(&Mechanism::AesKeyWrap, kek, a_priv).unwrap();
    let unwrapped = s
        .unwrap_key(
            &Mechanism::AesKeyWrap,
            kek,
            &wrapped,
            &[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::KeyType(KeyType::EC_MONTGOMERY),
                Attribute::Derive(true),
            ],
        )
        .unwrap();
    assert_eq!(z(&b_point, unwrapped), z_a);
    // The PKCS#8 unwrapped under another key type is refused.
    assert_eq!(
        rv(s.unwrap_key(
            &Mechanism::AesKeyWrap,
            kek,
            &wrapped,
            &[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::KeyType(KeyType::EC),
            ],
        )
        .unwrap_err()),
        RvError::TemplateInconsistent
    );

    // The key type must match the curve, in generation and in import.
    assert_eq!(
        rv(s.generate_key_pair(
            &Mechanism::EccMontgomeryKeyPairGen,
            &[Attribute::EcParams(P256.to_vec())],
            &[],
        )
        .unwrap_err()),
        RvError::CurveNotSupported
    );
    assert_eq!(
        rv(s.create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::EC),
            Attribute::EcParams(X25519.to_vec()),
            Attribute::Value(vec![7; 32]),
        ])
        .unwrap_err()),
        RvError::TemplateInconsistent
    );
    // A private key is a 32-byte little-endian string (RFC 7748): a short one is not padded
    // into another key.
    assert_eq!(
        rv(s.create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::EC_MONTGOMERY),
            Attribute::EcParams(X25519.to_vec()),
            Attribute::Value(vec![7; 31]),
            Attribute::Derive(true),
        ])
        .unwrap_err()),
        RvError::AttributeValueInvalid
    );
    // An X25519 key does not sign.
    assert_eq!(
        rv(s.sign_init(&Mechanism::Ecdsa, a_priv).unwrap_err()),
        RvError::KeyTypeInconsistent
    );
}

/// SP 800-56C's one-step KDF (`CKD_SHA*_KDF_SP800`): H(counter ‖ Z ‖ FixedInfo), blocks
/// concatenated, on P-256 and X25519 keys, and a known answer on X25519.
#[test]
fn ecdh_with_the_sp800_56c_one_step_kdf() {
    let env = Env::new("");
    let s = env.user_session();
    let derive = [Attribute::Derive(true)];
    let (b_pub, a_priv) = {
        let (_, a_priv) = ec_pair(&s, &derive);
        let (b_pub, _) = ec_pair(&s, &derive);
        (b_pub, a_priv)
    };
    let b_point = ec_point(&s, b_pub);
    let secret = |kdf: EcKdf, point: &[u8], private, len: u64| {
        let template = [
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::ValueLen(len.into()),
            Attribute::Sensitive(false),
            Attribute::Extractable(true),
        ];
        value(
            &s,
            s.derive_key(&ecdh(kdf, point), private, &template).unwrap(),
        )
    };
    let z = secret(EcKdf::null(), &b_point, a_priv, 32);
    let info = b"fixed info";
    let lib = raw_lib();
    let block = |counter: u8, mech: CK_MECHANISM_TYPE| {
        let mut input = vec![0, 0, 0, counter];
        input.extend_from_slice(&z);
        input.extend_from_slice(info);
        lib.digest(s.handle(), mech, &input).unwrap()
    };
    // Two SHA-256 blocks cut to 48 bytes, and one SHA3-256 block.
    let mut want = block(1, CKM_SHA256);
    want.extend_from_slice(&block(2, CKM_SHA256)[..16]);
    assert_eq!(
        secret(EcKdf::sha256_sp800(info), &b_point, a_priv, 48),
        want
    );
    assert_eq!(
        secret(EcKdf::sha3_256_sp800(info), &b_point, a_priv, 32),
        block(1, CKM_SHA3_256)
    );
    // X9.63 puts the counter after Z: another key from the same inputs.
    assert_ne!(
        secret(EcKdf::sha256(info), &b_point, a_priv, 32),
        want[..32]
    );

    // X25519 with SHA-256: the known answer the `cryptoki` crate's suite checks
    // (basic::derive_key_sp800).
    let hex = |v: &str| hex::decode(v).unwrap();
    let private = s
        .create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::EC_MONTGOMERY),
            Attribute::EcParams(X25519.to_vec()),
            Attribute::Value(hex(
                "F00670C5F139E7E6C2511EA04FF507AFBBE237CE3C71A89CA59A1C5CF8856562",
            )),
            Attribute::Derive(true),
        ])
        .unwrap();
    let fixed = hex(
        "0A2B0601040197550105011203010807416E6F6E796D6F75732053656E64657220202020\
         5633A4C5AE4305BC0FE2ABB699A8EE54632790A0",
    );
    let peer = hex("533B3F09E53B3DEED661A13F7A7D9694AB71CE156C728E00DEE87A1EE3A14C4A");
    assert_eq!(
        secret(EcKdf::sha256_sp800(&fixed), &peer, private, 16),
        hex("AF8CE51D0139A6D60831A9BABAB20186")
    );
}
