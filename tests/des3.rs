//! Three-key Triple DES through the C ABI: NIST CAVP multi-block vectors (ECB, CBC), key
//! generation with odd parity, CBC-PAD in parts, parameter and key checks, on both providers
//! (the `des` crate; AWS-LC's `EVP_des_ede3*`). Default mode only, never approved.

mod common;

use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use serde_json::Value;

fn hx(c: &Value, f: &str) -> Vec<u8> {
    hex::decode(c[f].as_str().unwrap()).unwrap()
}

fn des3_key(s: &Session, value: Vec<u8>) -> cryptoki::error::Result<ObjectHandle> {
    s.create_object(&[
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::DES3),
        Attribute::Value(value),
        Attribute::Encrypt(true),
        Attribute::Decrypt(true),
    ])
}

#[test]
fn cavp_multi_block_messages() {
    let env = Env::new("");
    let s = env.user_session();
    let path = format!("{}/tests/vectors/tdes.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut n = 0;
    for c in v["cases"].as_array().unwrap() {
        let k = des3_key(&s, hx(c, "key")).unwrap();
        let mech = match c["mode"].as_str().unwrap() {
            "ecb" => Mechanism::Des3Ecb,
            _ => Mechanism::Des3Cbc(hx(c, "iv").try_into().unwrap()),
        };
        let (pt, ct) = (hx(c, "pt"), hx(c, "ct"));
        assert_eq!(s.encrypt(&mech, k, &pt).unwrap(), ct, "{}", c["id"]);
        assert_eq!(s.decrypt(&mech, k, &ct).unwrap(), pt, "{}", c["id"]);
        n += 1;
    }
    assert_eq!(n, 40);
}

#[test]
fn generation_padding_and_checks() {
    let env = Env::new("");
    let s = env.user_session();
    let k = s
        .generate_key(
            &Mechanism::Des3KeyGen,
            &[
                Attribute::Encrypt(true),
                Attribute::Decrypt(true),
                Attribute::Sensitive(false),
                Attribute::Extractable(true),
            ],
        )
        .unwrap();
    let value = match s
        .get_attributes(k, &[AttributeType::Value])
        .unwrap()
        .remove(0)
    {
        Attribute::Value(v) => v,
        other => panic!("{other:?}"),
    };
    assert_eq!(value.len(), 24);
    assert!(value.iter().all(|b| b.count_ones() % 2 == 1), "odd parity");

    // CBC-PAD in parts gives what one call gives, and decrypts back.
    let iv = [9u8; 8];
    let msg = b"twenty-one bytes long";
    let one = s.encrypt(&Mechanism::Des3CbcPad(iv), k, msg).unwrap();
    assert_eq!(one.len(), 24);
    assert_eq!(s.decrypt(&Mechanism::Des3CbcPad(iv), k, &one).unwrap(), msg);
    s.encrypt_init(&Mechanism::Des3CbcPad(iv), k).unwrap();
    let mut parts = s.encrypt_update(&msg[..5]).unwrap();
    parts.extend(s.encrypt_update(&msg[5..]).unwrap());
    parts.extend(s.encrypt_final().unwrap());
    assert_eq!(parts, one);

    // Unpadded modes take whole blocks only; an IV is 8 bytes; a key is 24 bytes.
    assert_rv!(
        s.encrypt(&Mechanism::Des3Cbc(iv), k, b"short"),
        RvError::DataLenRange
    );
    let bad_iv = cryptoki::mechanism::vendor_defined::VendorDefinedMechanism::new(
        MechanismType::DES3_CBC,
        Some(&[0u8; 16]),
    );
    assert_rv!(
        s.encrypt(&Mechanism::VendorDefined(bad_iv), k, &[0; 8]),
        RvError::MechanismParamInvalid
    );
    assert_rv!(des3_key(&s, vec![1; 16]), RvError::AttributeValueInvalid);
    assert_rv!(
        s.generate_key(&Mechanism::Des3KeyGen, &[Attribute::ValueLen(16.into())]),
        RvError::TemplateInconsistent
    );
    // An AES mechanism does not take a Triple DES key.
    assert_rv!(
        s.encrypt(&Mechanism::AesEcb, k, &[0; 16]),
        RvError::KeyTypeInconsistent
    );
}
