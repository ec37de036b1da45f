//! Generic-secret generation and HMAC.

mod common;

use common::keys::*;
use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;

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

/// The key type of an object, read through the raw C ABI (cryptoki 0.12.1 maps
/// `CKK_SHA224/384/512_HMAC` to `CKK_SHA256_HMAC` in its `KeyType` constants).
fn raw_key_type(
    lib: &RawLib,
    h: cryptoki_sys::CK_SESSION_HANDLE,
    o: ObjectHandle,
) -> cryptoki_sys::CK_KEY_TYPE {
    let mut kt: cryptoki_sys::CK_KEY_TYPE = 0;
    let mut a = cryptoki_sys::CK_ATTRIBUTE {
        type_: cryptoki_sys::CKA_KEY_TYPE,
        pValue: &mut kt as *mut _ as *mut _,
        ulValueLen: size_of::<cryptoki_sys::CK_KEY_TYPE>() as _,
    };
    // SAFETY: one attribute with a buffer of its size.
    let rv = unsafe { lib.0.C_GetAttributeValue(h, o.handle(), &mut a, 1) };
    assert_eq!(rv, cryptoki_sys::CKR_OK);
    kt
}

/// The 3.0 per-hash HMAC key generators make keys of the per-hash type, usable with that
/// hash's HMAC only; an imported `CKK_SHA256_HMAC` key gives RFC 4231 test case 1.
#[test]
fn per_hash_hmac_key_types() {
    use cryptoki_sys::*;
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let macs = [
        Mechanism::Sha1Hmac,
        Mechanism::Sha224Hmac,
        Mechanism::Sha256Hmac,
        Mechanism::Sha384Hmac,
        Mechanism::Sha512Hmac,
    ];
    let gens = [
        (Mechanism::Sha1KeyGen, CKK_SHA_1_HMAC),
        (Mechanism::Sha224KeyGen, CKK_SHA224_HMAC),
        (Mechanism::Sha256KeyGen, CKK_SHA256_HMAC),
        (Mechanism::Sha384KeyGen, CKK_SHA384_HMAC),
        (Mechanism::Sha512KeyGen, CKK_SHA512_HMAC),
    ];
    for (i, (keygen, kt)) in gens.iter().enumerate() {
        let k = s
            .generate_key(
                keygen,
                &[
                    Attribute::ValueLen(32.into()),
                    Attribute::Sign(true),
                    Attribute::Verify(true),
                ],
            )
            .unwrap();
        assert_eq!(raw_key_type(&lib, s.handle(), k), *kt, "{keygen:?}");
        // Bound to its hash: its own HMAC works, every other refuses the key.
        for (j, mac) in macs.iter().enumerate() {
            if i == j {
                let sig = s.sign(mac, k, b"message").unwrap();
                s.verify(mac, k, b"message", &sig).unwrap();
            } else {
                assert_rv!(s.sign(mac, k, b"message"), RvError::KeyTypeInconsistent);
            }
        }
    }
    // A generator needs the length, like CKM_GENERIC_SECRET_KEY_GEN.
    assert_rv!(
        s.generate_key(&Mechanism::Sha256KeyGen, &[Attribute::Sign(true)]),
        RvError::TemplateIncomplete
    );

    // RFC 4231 4.2 (test case 1) through an imported CKK_SHA256_HMAC key.
    let k = s
        .create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::SHA256_HMAC),
            Attribute::Value(vec![0x0b; 20]),
            Attribute::Sign(true),
        ])
        .unwrap();
    assert_eq!(raw_key_type(&lib, s.handle(), k), CKK_SHA256_HMAC);
    let mac = s.sign(&Mechanism::Sha256Hmac, k, b"Hi There").unwrap();
    assert_eq!(
        hex::encode(mac),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
    let slot = s.get_session_info().unwrap().slot_id();
    let info = env
        .p11()
        .get_mechanism_info(slot, MechanismType::SHA256_KEY_GEN)
        .unwrap();
    assert!(info.generate());
}
