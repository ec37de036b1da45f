//! Key derivation from data through the C ABI: AES encryption of data (SP 800-38A vectors),
//! and 2.43's concatenation, XOR and extraction, which take only keys the caller could read
//! anyway (a sensitive key would become a key-extraction oracle).

mod common;

use common::raw::*;
use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::ekdf::AesCbcDeriveParams;
use cryptoki::mechanism::misc::{ExtractParams, KeyDerivationStringData};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use cryptoki_sys::*;

/// A secret key with CKA_DERIVE; `readable` makes it non-sensitive and extractable.
fn secret(s: &Session, kt: KeyType, value: &[u8], readable: bool) -> ObjectHandle {
    s.create_object(&[
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(kt),
        Attribute::Value(value.to_vec()),
        Attribute::Derive(true),
        Attribute::Sensitive(!readable),
        Attribute::Extractable(readable),
    ])
    .unwrap()
}

fn readable_template(extra: &[Attribute]) -> Vec<Attribute> {
    let mut t = vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::Sensitive(false),
        Attribute::Extractable(true),
    ];
    t.extend_from_slice(extra);
    t
}

fn value(s: &Session, k: ObjectHandle) -> Vec<u8> {
    match s
        .get_attributes(k, &[AttributeType::Value])
        .unwrap()
        .remove(0)
    {
        Attribute::Value(v) => v,
        other => panic!("{other:?}"),
    }
}

fn derive(
    s: &Session,
    m: &Mechanism,
    base: ObjectHandle,
    extra: &[Attribute],
) -> cryptoki::error::Result<Vec<u8>> {
    let k = s.derive_key(m, base, &readable_template(extra))?;
    Ok(value(s, k))
}

/// SP 800-38A F.1.1 / F.2.1 (AES-128 ECB and CBC encryption, first two blocks).
const SP800_38A_KEY: &str = "2b7e151628aed2a6abf7158809cf4f3c";
const SP800_38A_PT: &str = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51";

#[test]
fn aes_encrypt_data_derivation() {
    let env = Env::new("");
    let s = env.user_session();
    let key = hex::decode(SP800_38A_KEY).unwrap();
    let data = hex::decode(SP800_38A_PT).unwrap();
    let base = secret(&s, KeyType::AES, &key, true);
    let iv: [u8; 16] = hex::decode("000102030405060708090a0b0c0d0e0f")
        .unwrap()
        .try_into()
        .unwrap();
    let cbc = Mechanism::AesCbcEncryptData(AesCbcDeriveParams::new(iv, &data));
    let got = derive(&s, &cbc, base, &[Attribute::KeyType(KeyType::AES)]).unwrap();
    assert_eq!(
        hex::encode(got),
        "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"
    );
    // cryptoki has no variant for CKM_AES_ECB_ENCRYPT_DATA: the raw ABI.
    let mut ecb_params = CK_KEY_DERIVATION_STRING_DATA {
        pData: data.as_ptr() as *mut _,
        ulLen: data.len() as CK_ULONG,
    };
    let mut m = CK_MECHANISM {
        mechanism: CKM_AES_ECB_ENCRYPT_DATA,
        pParameter: &mut ecb_params as *mut _ as *mut std::ffi::c_void,
        ulParameterLen: size_of::<CK_KEY_DERIVATION_STRING_DATA>() as CK_ULONG,
    };
    let mut t = RawTemplate::new(vec![
        (CKA_CLASS, Val::Ulong(CKO_SECRET_KEY)),
        (CKA_VALUE_LEN, Val::Ulong(16)),
        (CKA_SENSITIVE, Val::Bool(false)),
        (CKA_EXTRACTABLE, Val::Bool(true)),
    ]);
    let lib = raw_lib();
    let mut out: CK_OBJECT_HANDLE = 0;
    // SAFETY: the parameter, its data and the template outlive the call; `out` is writable.
    let rv = unsafe {
        lib.0.C_DeriveKey(
            s.handle(),
            &mut m,
            base.handle(),
            t.ptr(),
            t.count(),
            &mut out,
        )
    };
    assert_eq!(rv, CKR_OK);
    // SAFETY: a handle the module just returned for this session.
    let k = unsafe { ObjectHandle::new_from_raw(out) };
    assert_eq!(
        hex::encode(value(&s, k)),
        "3ad77bb40d7a3660a89ecaf32466ef97"
    );

    // Data shorter than the key is a bad parameter (python-pkcs11's negative cases).
    let one = Mechanism::AesCbcEncryptData(AesCbcDeriveParams::new(iv, &data[..16]));
    assert_rv!(
        derive(
            &s,
            &one,
            base,
            &[
                Attribute::KeyType(KeyType::AES),
                Attribute::ValueLen(32.into())
            ]
        ),
        RvError::MechanismParamInvalid
    );
    // Data must be whole blocks.
    let short = Mechanism::AesCbcEncryptData(AesCbcDeriveParams::new(iv, &data[..20]));
    assert_rv!(
        derive(&s, &short, base, &[]),
        RvError::MechanismParamInvalid
    );

    // A sensitive base key gives sensitive keys only.
    let hidden = secret(&s, KeyType::AES, &key, false);
    assert_rv!(derive(&s, &cbc, hidden, &[]), RvError::TemplateInconsistent);
    let k = s
        .derive_key(&cbc, hidden, &[Attribute::KeyType(KeyType::AES)])
        .unwrap();
    let got = s
        .get_attributes(
            k,
            &[AttributeType::Sensitive, AttributeType::AlwaysSensitive],
        )
        .unwrap();
    assert_eq!(
        got,
        [
            Attribute::Sensitive(true),
            Attribute::AlwaysSensitive(false)
        ]
    );
}

#[test]
fn concatenation_xor_and_extraction() {
    let env = Env::new("");
    let s = env.user_session();
    let v = [0x12, 0x34, 0x56, 0x78, 0x90, 0x01];
    let a = secret(&s, KeyType::GENERIC_SECRET, &v[..3], true);
    let b = secret(&s, KeyType::GENERIC_SECRET, &v[3..], true);
    let whole = secret(&s, KeyType::GENERIC_SECRET, &v, true);
    let tail = KeyDerivationStringData::new(&v[3..]);

    let got = derive(&s, &Mechanism::ConcatenateBaseAndKey(b), a, &[]).unwrap();
    assert_eq!(got, v);
    let got = derive(&s, &Mechanism::ConcatenateBaseAndData(tail), a, &[]).unwrap();
    assert_eq!(got, v);
    let got = derive(&s, &Mechanism::ConcatenateDataAndBase(tail), a, &[]).unwrap();
    assert_eq!(got, [0x78, 0x90, 0x01, 0x12, 0x34, 0x56]);
    let same = KeyDerivationStringData::new(&v);
    let got = derive(&s, &Mechanism::XorBaseAndData(same), whole, &[]).unwrap();
    assert_eq!(got, [0; 6]);
    let got = derive(
        &s,
        &Mechanism::ExtractKeyFromKey(ExtractParams::new(3)),
        whole,
        &[Attribute::ValueLen(2.into())],
    )
    .unwrap();
    assert_eq!(got, [0x91, 0xA2]);
    // CKA_VALUE_LEN longer than what the mechanism makes is inconsistent.
    assert_rv!(
        derive(
            &s,
            &Mechanism::ConcatenateBaseAndData(tail),
            a,
            &[Attribute::ValueLen(7.into())]
        ),
        RvError::TemplateInconsistent
    );

    // None of them takes a key the caller cannot read: a sensitive or unextractable base
    // (or other key) would leak its bytes through the derived key.
    let hidden = secret(&s, KeyType::GENERIC_SECRET, &v, false);
    let mechs = [
        Mechanism::ConcatenateBaseAndKey(b),
        Mechanism::ConcatenateBaseAndData(tail),
        Mechanism::ConcatenateDataAndBase(tail),
        Mechanism::XorBaseAndData(same),
        Mechanism::ExtractKeyFromKey(ExtractParams::new(0)),
    ];
    for m in &mechs {
        assert_rv!(
            s.derive_key(m, hidden, &[Attribute::ValueLen(1.into())]),
            RvError::KeyFunctionNotPermitted
        );
    }
    assert_rv!(
        derive(&s, &Mechanism::ConcatenateBaseAndKey(hidden), a, &[]),
        RvError::KeyFunctionNotPermitted
    );
}
