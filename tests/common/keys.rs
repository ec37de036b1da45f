//! Key fixtures and attribute readers shared by the integration tests.

use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::MechanismType;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki::session::Session;

/// prime256v1 (1.2.840.10045.3.1.7) as a DER OBJECT IDENTIFIER.
pub const P256: [u8; 10] = [0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
/// id-ecPublicKey (1.2.840.10045.2.1) as a DER OBJECT IDENTIFIER.
pub const EC_PUBLIC_KEY_OID: [u8; 9] = [0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

pub fn aes_key(s: &Session, extra: &[Attribute]) -> ObjectHandle {
    let mut t = vec![Attribute::ValueLen(32.into())];
    t.extend_from_slice(extra);
    s.generate_key(&Mechanism::AesKeyGen, &t).unwrap()
}

/// An AES-256 key-encryption key: wrap and unwrap only (a key transports keys or encrypts
/// data, never both).
pub fn aes_kek(s: &Session, extra: &[Attribute]) -> ObjectHandle {
    let mut t = vec![Attribute::Wrap(true), Attribute::Unwrap(true)];
    t.extend_from_slice(extra);
    aes_key(s, &t)
}

pub fn rsa_pair(s: &Session) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::RsaPkcsKeyPairGen,
        &[Attribute::ModulusBits(2048.into())],
        &[],
    )
    .unwrap()
}

pub fn ec_pair(s: &Session, private: &[Attribute]) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::EccKeyPairGen,
        &[Attribute::EcParams(P256.to_vec())],
        private,
    )
    .unwrap()
}

pub fn value(s: &Session, o: ObjectHandle) -> Vec<u8> {
    match &s.get_attributes(o, &[AttributeType::Value]).unwrap()[..] {
        [Attribute::Value(v)] => v.clone(),
        other => panic!("CKA_VALUE: {other:?}"),
    }
}

pub fn ec_point(s: &Session, public: ObjectHandle) -> Vec<u8> {
    match &s.get_attributes(public, &[AttributeType::EcPoint]).unwrap()[..] {
        [Attribute::EcPoint(p)] => p.clone(),
        other => panic!("CKA_EC_POINT: {other:?}"),
    }
}

pub fn bool_attr(s: &Session, o: ObjectHandle, t: AttributeType) -> bool {
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

pub const CBC_IV: [u8; 16] = *b"coverage-cbc-iv!";

/// Asserts two AES key handles hold the same value: equal CBC ciphertexts, and each decrypts
/// what the other encrypted.
pub fn assert_same_aes_key(s: &Session, a: ObjectHandle, b: ObjectHandle) {
    let m = Mechanism::AesCbcPad(CBC_IV);
    let msg = b"one key value behind two handles";
    let ca = s.encrypt(&m, a, msg).unwrap();
    let cb = s.encrypt(&m, b, msg).unwrap();
    assert_eq!(ca, cb, "the keys differ");
    assert_eq!(s.decrypt(&m, b, &ca).unwrap(), msg);
    assert_eq!(s.decrypt(&m, a, &cb).unwrap(), msg);
}

pub fn assert_different_aes_keys(s: &Session, a: ObjectHandle, b: ObjectHandle) {
    let m = Mechanism::AesCbcPad(CBC_IV);
    let msg = b"one key value behind two handles";
    assert_ne!(
        s.encrypt(&m, a, msg).unwrap(),
        s.encrypt(&m, b, msg).unwrap()
    );
}

pub fn gcm_params<'a>(iv: &'a mut [u8; 12], aad: &'a [u8]) -> Mechanism<'a> {
    Mechanism::AesGcm(GcmParams::new(iv, aad, 128.into()).unwrap())
}

pub fn oaep(label: &[u8]) -> Mechanism<'_> {
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
pub fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
