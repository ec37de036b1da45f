//! SP 800-108 KBKDF through the C ABI (`CKM_SP800_108_COUNTER_KDF`,
//! `CKM_SP800_108_FEEDBACK_KDF`): NIST CAVP counter and feedback vectors
//! (tests/vectors/kbkdf.json), additional derived keys, and the data-parameter rules.

mod common;

use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::kbkdf::{
    DerivedKey, Endianness, KbkdfCounterFormat, KbkdfDkmLengthFormat, KbkdfDkmLengthMethod,
    KbkdfFeedbackParams, KbkdfParams, PrfDataParam, PrfDataParamType,
};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use serde_json::Value;
use std::num::NonZeroUsize;

fn hx(c: &Value, f: &str) -> Vec<u8> {
    hex::decode(c[f].as_str().unwrap_or_else(|| panic!("{f} in {c}"))).unwrap()
}

fn base_key(s: &Session, kt: KeyType, value: Vec<u8>) -> ObjectHandle {
    s.create_object(&[
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(kt),
        Attribute::Value(value),
        Attribute::Derive(true),
    ])
    .unwrap()
}

fn readable(len: usize) -> Vec<Attribute> {
    vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::GENERIC_SECRET),
        Attribute::ValueLen((len as u64).into()),
        Attribute::Sensitive(false),
        Attribute::Extractable(true),
    ]
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

fn prf(name: &str) -> (MechanismType, KeyType) {
    match name {
        "HMAC_SHA1" => (MechanismType::SHA1_HMAC, KeyType::GENERIC_SECRET),
        "HMAC_SHA224" => (MechanismType::SHA224_HMAC, KeyType::GENERIC_SECRET),
        "HMAC_SHA256" => (MechanismType::SHA256_HMAC, KeyType::GENERIC_SECRET),
        "HMAC_SHA384" => (MechanismType::SHA384_HMAC, KeyType::GENERIC_SECRET),
        "HMAC_SHA512" => (MechanismType::SHA512_HMAC, KeyType::GENERIC_SECRET),
        "CMAC_AES128" | "CMAC_AES192" | "CMAC_AES256" => (MechanismType::AES_CMAC, KeyType::AES),
        other => panic!("PRF {other}"),
    }
}

fn counter(bits: usize) -> KbkdfCounterFormat {
    KbkdfCounterFormat::new(Endianness::Big, NonZeroUsize::new(bits).unwrap())
}

#[test]
fn cavp_vectors() {
    let env = Env::new("");
    let s = env.user_session();
    let path = format!("{}/tests/vectors/kbkdf.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let (mut counter_cases, mut feedback_cases) = (0, 0);
    for c in v["cases"].as_array().unwrap() {
        let (prf_type, kt) = prf(c["prf"].as_str().unwrap());
        let base = base_key(&s, kt, hx(c, "key"));
        let fixed = hx(c, "fixed");
        let len = c["l_bits"].as_u64().unwrap() as usize / 8;
        let rlen = c["rlen_bits"].as_u64().unwrap() as usize;
        let fmt = (rlen > 0).then(|| counter(rlen));
        let fixed_param = PrfDataParam::new(PrfDataParamType::ByteArray(&fixed));
        let got = match c["mode"].as_str().unwrap() {
            "counter" => {
                let it = PrfDataParam::new(PrfDataParamType::IterationVariable(fmt.as_ref()));
                let data = match c["ctr_location"].as_str().unwrap() {
                    "before_fixed" => [it, fixed_param],
                    "after_fixed" => [fixed_param, it],
                    other => panic!("{other}"),
                };
                let params = KbkdfParams::new(prf_type, &data, None);
                let k = s
                    .derive_key(&Mechanism::KbkdfCounter(params), base, &readable(len))
                    .unwrap();
                counter_cases += 1;
                value(&s, k)
            }
            "feedback" => {
                let iv = hx(c, "iv");
                let it = PrfDataParam::new(PrfDataParamType::IterationVariable(None));
                let mut data = vec![it];
                let ctr = fmt
                    .as_ref()
                    .map(|f| PrfDataParam::new(PrfDataParamType::Counter(f)));
                match (c["ctr_location"].as_str().unwrap(), ctr) {
                    ("none", None) => data.push(fixed_param),
                    ("after_iter", Some(ctr)) => data.extend([ctr, fixed_param]),
                    ("after_fixed", Some(ctr)) => data.extend([fixed_param, ctr]),
                    ("before_iter", Some(ctr)) => {
                        data.insert(0, ctr);
                        data.push(fixed_param);
                    }
                    other => panic!("{other:?}"),
                }
                let iv = (!iv.is_empty()).then_some(iv.as_slice());
                let params = KbkdfFeedbackParams::new(prf_type, &data, iv, None);
                let k = s
                    .derive_key(&Mechanism::KbkdfFeedback(params), base, &readable(len))
                    .unwrap();
                feedback_cases += 1;
                value(&s, k)
            }
            other => panic!("mode {other}"),
        };
        assert_eq!(hex::encode(got), c["ko"].as_str().unwrap(), "{}", c["id"]);
    }
    assert!(
        counter_cases >= 20 && feedback_cases >= 4,
        "{counter_cases} {feedback_cases}"
    );
}

/// The additional keys take the bytes after the first key's, in order: three keys from one
/// call equal one long key cut in three; a DKM length counts them all.
#[test]
fn additional_keys_continue_the_output() {
    let env = Env::new("");
    let s = env.user_session();
    let base = base_key(&s, KeyType::GENERIC_SECRET, vec![0x5c; 32]);
    let dkm = KbkdfDkmLengthFormat::new(
        KbkdfDkmLengthMethod::SumOfKeys,
        Endianness::Big,
        NonZeroUsize::new(32).unwrap(),
    );
    let fmt = counter(32);
    let data = [
        PrfDataParam::new(PrfDataParamType::IterationVariable(Some(&fmt))),
        PrfDataParam::new(PrfDataParamType::ByteArray(b"label")),
        PrfDataParam::new(PrfDataParamType::DkmLength(&dkm)),
    ];
    let whole = s
        .derive_key(
            &Mechanism::KbkdfCounter(KbkdfParams::new(MechanismType::SHA256_HMAC, &data, None)),
            base,
            &readable(80),
        )
        .unwrap();
    let whole = value(&s, whole);

    // DerivedKey points into its template's values: they must outlive the call.
    let (t1, t2) = (readable(32), readable(32));
    let mut extra = [DerivedKey::new(&t1), DerivedKey::new(&t2)];
    let params = KbkdfParams::new(MechanismType::SHA256_HMAC, &data, Some(&mut extra));
    let first = s
        .derive_key(&Mechanism::KbkdfCounter(params), base, &readable(16))
        .unwrap();
    let mut got = value(&s, first);
    for k in &extra {
        got.extend(value(&s, k.handle().expect("additional key made")));
    }
    assert_eq!(got, whole);

    // An additional key's template is checked like the first's: no length, no key.
    let mut bad = [DerivedKey::new(&[Attribute::Class(
        ObjectClass::SECRET_KEY,
    )])];
    let params = KbkdfParams::new(MechanismType::SHA256_HMAC, &data, Some(&mut bad));
    assert_rv!(
        s.derive_key(&Mechanism::KbkdfCounter(params), base, &readable(16)),
        RvError::TemplateIncomplete
    );
    assert!(bad[0].handle().is_none());
}

#[test]
fn parameter_and_key_rules() {
    let env = Env::new("");
    let s = env.user_session();
    let base = base_key(&s, KeyType::GENERIC_SECRET, vec![1; 32]);
    let fmt = counter(16);
    let it = PrfDataParam::new(PrfDataParamType::IterationVariable(Some(&fmt)));
    let label = PrfDataParam::new(PrfDataParamType::ByteArray(b"x"));
    let derive = |prf, data: &[PrfDataParam], key| {
        let params = KbkdfParams::new(prf, data, None);
        s.derive_key(&Mechanism::KbkdfCounter(params), key, &readable(16))
    };
    assert!(derive(MechanismType::SHA256_HMAC, &[it, label], base).is_ok());
    // No iteration variable, or two.
    assert_rv!(
        derive(MechanismType::SHA256_HMAC, &[label], base),
        RvError::MechanismParamInvalid
    );
    assert_rv!(
        derive(MechanismType::SHA256_HMAC, &[it, it], base),
        RvError::MechanismParamInvalid
    );
    // A PRF that is no MAC; a key of the wrong type for the PRF.
    assert_rv!(
        derive(MechanismType::SHA256, &[it, label], base),
        RvError::MechanismParamInvalid
    );
    assert_rv!(
        derive(MechanismType::AES_CMAC, &[it, label], base),
        RvError::KeyTypeInconsistent
    );
    // An 8-bit counter counts 255 blocks: 256 SHA-1 blocks (5120 bytes) do not fit it.
    let small = counter(8);
    let it8 = PrfDataParam::new(PrfDataParamType::IterationVariable(Some(&small)));
    let one = [it8];
    let params = KbkdfParams::new(MechanismType::SHA1_HMAC, &one, None);
    assert!(
        s.derive_key(&Mechanism::KbkdfCounter(params), base, &readable(5100))
            .is_ok()
    );
    let params = KbkdfParams::new(MechanismType::SHA1_HMAC, &one, None);
    assert_rv!(
        s.derive_key(&Mechanism::KbkdfCounter(params), base, &readable(5120)),
        RvError::MechanismParamInvalid
    );
}
