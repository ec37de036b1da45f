//! Post-quantum mechanisms through cryptoki: ML-DSA (FIPS 204) key generation, signatures with
//! context and hedging, ML-KEM (FIPS 203) key generation with the PKCS#11 3.2
//! C_EncapsulateKey / C_DecapsulateKey calls, ACVP known answers, and `enable_pqc`.

mod common;

use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::dsa::{HashSignAdditionalContext, HedgeType, SignAdditionalContext};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{
    Attribute, AttributeType, KeyType, MlDsaParameterSetType, MlKemParameterSetType, ObjectClass,
    ObjectHandle, ParameterSetType,
};
use cryptoki::session::Session;
use cryptoki::types::Ulong;
use cryptoki_sys::*;
use serde_json::Value;

/// The case of operation `op` in tests/vectors/pqc.json.
fn vector(op: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/vectors/pqc.json");
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all["cases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["op"] == op)
        .unwrap_or_else(|| panic!("no {op} case"))
        .clone()
}

fn hx(v: &Value, k: &str) -> Vec<u8> {
    hex::decode(v[k].as_str().unwrap()).unwrap()
}

fn pure() -> Mechanism<'static> {
    Mechanism::MlDsa(SignAdditionalContext::new(HedgeType::Preferred, None))
}

fn ml_dsa_pair(s: &Session, set: MlDsaParameterSetType) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::MlDsaKeyPairGen,
        &[Attribute::ParameterSet(set.into()), Attribute::Verify(true)],
        &[Attribute::Sign(true)],
    )
    .unwrap()
}

fn ml_kem_pair(s: &Session, set: MlKemParameterSetType) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::MlKemKeyPairGen,
        &[
            Attribute::ParameterSet(set.into()),
            Attribute::Encapsulate(true),
        ],
        &[Attribute::Decapsulate(true)],
    )
    .unwrap()
}

fn value(s: &Session, key: ObjectHandle) -> Vec<u8> {
    match &s.get_attributes(key, &[AttributeType::Value]).unwrap()[..] {
        [Attribute::Value(v)] => v.clone(),
        other => panic!("CKA_VALUE: {other:?}"),
    }
}

/// A template for an extractable, readable generic secret: the shared secret made visible.
fn readable_secret() -> Vec<Attribute> {
    vec![
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::GENERIC_SECRET),
        Attribute::Sensitive(false),
        Attribute::Extractable(true),
    ]
}

#[test]
fn ml_dsa_all_parameter_sets_sign_and_verify() {
    let env = Env::new("");
    let s = env.user_session();
    for (set, sig_len, pk_len) in [
        (MlDsaParameterSetType::ML_DSA_44, 2420, 1312),
        (MlDsaParameterSetType::ML_DSA_65, 3309, 1952),
        (MlDsaParameterSetType::ML_DSA_87, 4627, 2592),
    ] {
        let (public, private) = ml_dsa_pair(&s, set);
        assert_eq!(value(&s, public).len(), pk_len);
        // The private key's value and seed are secret.
        let info = s
            .get_attribute_info(private, &[AttributeType::Value, AttributeType::Seed])
            .unwrap();
        assert!(
            info.iter()
                .all(|i| matches!(i, cryptoki::object::AttributeInfo::Sensitive)),
            "{info:?}"
        );
        let msg = b"post-quantum signatures through PKCS#11 3.2";
        let sig = s.sign(&pure(), private, msg).unwrap();
        assert_eq!(sig.len(), sig_len);
        s.verify(&pure(), public, msg, &sig).unwrap();
        assert_rv!(
            s.verify(&pure(), public, b"another message", &sig),
            RvError::SignatureInvalid
        );
        let mut bad = sig.clone();
        bad[100] ^= 1;
        assert_rv!(
            s.verify(&pure(), public, msg, &bad),
            RvError::SignatureInvalid
        );
        assert_rv!(
            s.verify(&pure(), public, msg, &sig[1..]),
            RvError::SignatureLenRange
        );
        // Multi-part input is the same message.
        s.sign_init(&pure(), private).unwrap();
        s.sign_update(&msg[..7]).unwrap();
        s.sign_update(&msg[7..]).unwrap();
        let multi = s.sign_final().unwrap();
        s.verify(&pure(), public, msg, &multi).unwrap();
    }
}

#[test]
fn ml_dsa_context_and_deterministic_signing() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = ml_dsa_pair(&s, MlDsaParameterSetType::ML_DSA_65);
    let msg = b"context-bound";
    let ctx = Mechanism::MlDsa(SignAdditionalContext::new(
        HedgeType::Preferred,
        Some(b"craton"),
    ));
    let det = Mechanism::MlDsa(SignAdditionalContext::new(
        HedgeType::DeterministicRequired,
        None,
    ));
    let sig = s.sign(&ctx, private, msg).unwrap();
    s.verify(&ctx, public, msg, &sig).unwrap();
    // The context is part of what is signed.
    assert_rv!(
        s.verify(&pure(), public, msg, &sig),
        RvError::SignatureInvalid
    );
    if awslc() {
        // AWS-LC signs hedged only (it takes no caller randomness).
        assert_rv!(s.sign_init(&det, private), RvError::MechanismParamInvalid);
        return;
    }
    // Deterministic signatures repeat; hedged ones do not.
    assert_eq!(
        s.sign(&det, private, msg).unwrap(),
        s.sign(&det, private, msg).unwrap()
    );
    assert_ne!(
        s.sign(&pure(), private, msg).unwrap(),
        s.sign(&pure(), private, msg).unwrap()
    );
    let long = vec![7u8; 256];
    let too_long = Mechanism::MlDsa(SignAdditionalContext::new(
        HedgeType::Preferred,
        Some(&long),
    ));
    assert_rv!(
        s.sign_init(&too_long, private),
        RvError::MechanismParamInvalid
    );
}

#[test]
fn ml_dsa_acvp_known_answers() {
    let env = Env::new("");
    let s = env.user_session();
    // keyGen: a private key imported from its seed signs what the ACVP public key verifies.
    let kg = &vector("ml_dsa_keygen");
    let private = s
        .create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::ML_DSA),
            Attribute::ParameterSet(MlDsaParameterSetType::ML_DSA_44.into()),
            Attribute::Seed(hx(kg, "seed")),
            Attribute::Sign(true),
        ])
        .unwrap();
    let public = s
        .create_object(&[
            Attribute::Class(ObjectClass::PUBLIC_KEY),
            Attribute::KeyType(KeyType::ML_DSA),
            Attribute::ParameterSet(MlDsaParameterSetType::ML_DSA_44.into()),
            Attribute::Value(hx(kg, "pk")),
            Attribute::Verify(true),
        ])
        .unwrap();
    let sig = s.sign(&pure(), private, b"known answer").unwrap();
    s.verify(&pure(), public, b"known answer", &sig).unwrap();

    // sigVer: the ACVP signature verifies, and fails once altered.
    let sv = &vector("ml_dsa_sigver");
    let public = s
        .create_object(&[
            Attribute::Class(ObjectClass::PUBLIC_KEY),
            Attribute::KeyType(KeyType::ML_DSA),
            Attribute::ParameterSet(MlDsaParameterSetType::ML_DSA_44.into()),
            Attribute::Value(hx(sv, "pk")),
            Attribute::Verify(true),
        ])
        .unwrap();
    let (msg, sig) = (hx(sv, "msg"), hx(sv, "sig"));
    s.verify(&pure(), public, &msg, &sig).unwrap();
    let mut bad = msg.clone();
    bad[0] ^= 1;
    assert_rv!(
        s.verify(&pure(), public, &bad, &sig),
        RvError::SignatureInvalid
    );
}

#[test]
fn ml_kem_encapsulate_and_decapsulate_agree() {
    let env = Env::new("");
    let s = env.user_session();
    for (set, ct_len) in [
        (MlKemParameterSetType::ML_KEM_512, 768),
        (MlKemParameterSetType::ML_KEM_768, 1088),
        (MlKemParameterSetType::ML_KEM_1024, 1568),
    ] {
        let (public, private) = ml_kem_pair(&s, set);
        let (ct, sender) = s
            .encapsulate_key(&Mechanism::MlKem, public, &readable_secret())
            .unwrap();
        assert_eq!(ct.len(), ct_len);
        let receiver = s
            .decapsulate_key(&Mechanism::MlKem, private, &readable_secret(), &ct)
            .unwrap();
        let shared = value(&s, sender);
        assert_eq!(shared.len(), 32);
        assert_eq!(shared, value(&s, receiver));
        // Another ciphertext, another secret.
        let (_, again) = s
            .encapsulate_key(&Mechanism::MlKem, public, &readable_secret())
            .unwrap();
        assert_ne!(value(&s, again), shared);
        // ML-KEM rejects implicitly: a changed ciphertext gives an unrelated secret.
        let mut bad = ct.clone();
        bad[5] ^= 1;
        let other = s
            .decapsulate_key(&Mechanism::MlKem, private, &readable_secret(), &bad)
            .unwrap();
        assert_ne!(value(&s, other), shared);
        assert_rv!(
            s.decapsulate_key(&Mechanism::MlKem, private, &readable_secret(), &ct[1..]),
            RvError::EncryptedDataLenRange
        );
    }
}

#[test]
fn ml_kem_shared_secret_as_an_aes_key() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = ml_kem_pair(&s, MlKemParameterSetType::ML_KEM_768);
    let aes = |len: u64| {
        vec![
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::AES),
            Attribute::ValueLen(len.into()),
            Attribute::Encrypt(true),
            Attribute::Decrypt(true),
        ]
    };
    let (ct, k1) = s
        .encapsulate_key(&Mechanism::MlKem, public, &aes(32))
        .unwrap();
    let k2 = s
        .decapsulate_key(&Mechanism::MlKem, private, &aes(32), &ct)
        .unwrap();
    let iv = [9u8; 16];
    let c = s.encrypt(&Mechanism::AesCbcPad(iv), k1, b"sealed").unwrap();
    assert_eq!(
        s.decrypt(&Mechanism::AesCbcPad(iv), k2, &c).unwrap(),
        b"sealed"
    );
    // An AES key cannot be 20 bytes, and nothing is longer than the 32-byte secret.
    assert_rv!(
        s.encapsulate_key(&Mechanism::MlKem, public, &aes(20)),
        RvError::TemplateInconsistent
    );
    let mut long = readable_secret();
    long.push(Attribute::ValueLen(33.into()));
    assert_rv!(
        s.encapsulate_key(&Mechanism::MlKem, public, &long),
        RvError::TemplateInconsistent
    );
}

#[test]
fn ml_kem_acvp_decapsulation() {
    let env = Env::new("");
    let s = env.user_session();
    let v = &vector("ml_kem_decap");
    let private = s
        .create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(KeyType::ML_KEM),
            Attribute::ParameterSet(MlKemParameterSetType::ML_KEM_768.into()),
            Attribute::Value(hx(v, "dk")),
            Attribute::Decapsulate(true),
        ])
        .unwrap();
    let k = s
        .decapsulate_key(&Mechanism::MlKem, private, &readable_secret(), &hx(v, "ct"))
        .unwrap();
    assert_eq!(value(&s, k), hx(v, "ss"));
}

#[test]
fn kem_key_usage_and_types_are_enforced() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = s
        .generate_key_pair(
            &Mechanism::MlKemKeyPairGen,
            &[
                Attribute::ParameterSet(MlKemParameterSetType::ML_KEM_512.into()),
                Attribute::Encapsulate(false),
            ],
            &[Attribute::Decapsulate(false)],
        )
        .unwrap();
    assert_rv!(
        s.encapsulate_key(&Mechanism::MlKem, public, &readable_secret()),
        RvError::KeyFunctionNotPermitted
    );
    assert_rv!(
        s.decapsulate_key(&Mechanism::MlKem, private, &readable_secret(), &[0; 768]),
        RvError::KeyFunctionNotPermitted
    );
    let (dsa_public, _) = ml_dsa_pair(&s, MlDsaParameterSetType::ML_DSA_44);
    assert_rv!(
        s.encapsulate_key(&Mechanism::MlKem, dsa_public, &readable_secret()),
        RvError::KeyTypeInconsistent
    );
    // Generation needs a parameter set, and a known one.
    assert_rv!(
        s.generate_key_pair(&Mechanism::MlKemKeyPairGen, &[], &[]),
        RvError::TemplateIncomplete
    );
    let unknown = ParameterSetType::try_from(Ulong::from(9)).unwrap();
    assert_rv!(
        s.generate_key_pair(
            &Mechanism::MlDsaKeyPairGen,
            &[Attribute::ParameterSet(unknown)],
            &[],
        ),
        RvError::TemplateInconsistent
    );
    // The private template may repeat the parameter set, not contradict it.
    assert_rv!(
        s.generate_key_pair(
            &Mechanism::MlDsaKeyPairGen,
            &[Attribute::ParameterSet(
                MlDsaParameterSetType::ML_DSA_44.into()
            )],
            &[Attribute::ParameterSet(
                MlDsaParameterSetType::ML_DSA_65.into()
            )],
        ),
        RvError::TemplateInconsistent
    );
}

#[test]
fn pqc_keys_persist_across_a_restart() {
    let mut env = Env::new("");
    let s = env.user_session();
    let (public, private) = s
        .generate_key_pair(
            &Mechanism::MlDsaKeyPairGen,
            &[
                Attribute::ParameterSet(MlDsaParameterSetType::ML_DSA_87.into()),
                Attribute::Token(true),
                Attribute::Label(b"pq".to_vec()),
            ],
            &[Attribute::Token(true), Attribute::Label(b"pq".to_vec())],
        )
        .unwrap();
    let sig = s.sign(&pure(), private, b"before").unwrap();
    let pk = value(&s, public);
    drop(s);
    env.reload();
    let s = env.p11().open_rw_session(env.slot()).unwrap();
    s.login(cryptoki::session::UserType::User, Some(&pin(USER_PIN)))
        .unwrap();
    let found = s.find_objects(&[Attribute::Label(b"pq".to_vec())]).unwrap();
    assert_eq!(found.len(), 2);
    let (public, private) = if value_or_none(&s, found[0]).as_deref() == Some(&pk[..]) {
        (found[0], found[1])
    } else {
        (found[1], found[0])
    };
    s.verify(&pure(), public, b"before", &sig).unwrap();
    let sig2 = s.sign(&pure(), private, b"after").unwrap();
    s.verify(&pure(), public, b"after", &sig2).unwrap();
}

fn value_or_none(s: &Session, key: ObjectHandle) -> Option<Vec<u8>> {
    match &s.get_attributes(key, &[AttributeType::Value]).ok()?[..] {
        [Attribute::Value(v)] => Some(v.clone()),
        _ => None,
    }
}

#[test]
fn enable_pqc_off_hides_the_mechanisms() {
    let on = Env::new("");
    let listed = on.p11().get_mechanism_list(on.slot()).unwrap();
    for m in [
        MechanismType::ML_DSA_KEY_PAIR_GEN,
        MechanismType::ML_DSA,
        MechanismType::ML_KEM_KEY_PAIR_GEN,
        MechanismType::ML_KEM,
    ] {
        assert!(listed.contains(&m), "{m} missing with enable_pqc on");
    }
    let info = on
        .p11()
        .get_mechanism_info(on.slot(), MechanismType::ML_KEM)
        .unwrap();
    assert!(info.encapsulate() && info.decapsulate());
    // PKCS#11 3.2 counts ML-KEM and ML-DSA key sizes as public-key bytes.
    assert_eq!((info.min_key_size(), info.max_key_size()), (800, 1568));
    let info = on
        .p11()
        .get_mechanism_info(on.slot(), MechanismType::ML_DSA)
        .unwrap();
    assert_eq!((info.min_key_size(), info.max_key_size()), (1312, 2592));
    drop(on);

    let off = Env::new("[algorithms]\nenable_pqc = false\n");
    let listed = off.p11().get_mechanism_list(off.slot()).unwrap();
    assert!(!listed.iter().any(|m| matches!(
        *m,
        MechanismType::ML_DSA_KEY_PAIR_GEN
            | MechanismType::ML_DSA
            | MechanismType::ML_KEM_KEY_PAIR_GEN
            | MechanismType::ML_KEM
    )));
    let s = off.user_session();
    assert_rv!(
        s.generate_key_pair(
            &Mechanism::MlDsaKeyPairGen,
            &[Attribute::ParameterSet(
                MlDsaParameterSetType::ML_DSA_44.into()
            )],
            &[],
        ),
        RvError::MechanismInvalid
    );
}

/// The 3.2 function list: what it adds beyond 3.0, called raw.
#[test]
fn pkcs11_3_2_function_list() {
    use cryptoki_sys::*;
    use std::ptr::null_mut;
    let env = Env::new("");
    let s = env.user_session();
    let (public, _) = ml_kem_pair(&s, MlKemParameterSetType::ML_KEM_512);
    let lib = raw_lib();
    let h = s.handle();
    // SAFETY: valid pointers for the duration of each call; the list is the 3.2 one.
    unsafe {
        let mut iface: *mut CK_INTERFACE = null_mut();
        let mut v = CK_VERSION { major: 3, minor: 2 };
        let name = b"PKCS 11\0";
        assert_eq!(
            lib.0
                .C_GetInterface(name.as_ptr() as *mut _, &mut v, &mut iface, 0),
            CKR_OK
        );
        let l = &*((*iface).pFunctionList as *const CK_FUNCTION_LIST_3_2);
        assert_eq!((l.version.major, l.version.minor), (3, 2));

        // C_EncapsulateKey: a length query needs no key pointer and makes no key.
        let mut mech = CK_MECHANISM {
            mechanism: CKM_ML_KEM,
            pParameter: null_mut(),
            ulParameterLen: 0,
        };
        let encaps = l.C_EncapsulateKey.unwrap();
        let mut len: CK_ULONG = 0;
        let before = s.find_objects(&[]).unwrap().len();
        assert_eq!(
            encaps(
                h,
                &mut mech,
                public.handle(),
                null_mut(),
                0,
                null_mut(),
                &mut len,
                null_mut()
            ),
            CKR_OK
        );
        assert_eq!(len, 768);
        let mut ct = vec![0u8; 767];
        let mut small = ct.len() as CK_ULONG;
        let mut key: CK_OBJECT_HANDLE = 0;
        assert_eq!(
            encaps(
                h,
                &mut mech,
                public.handle(),
                null_mut(),
                0,
                ct.as_mut_ptr(),
                &mut small,
                &mut key
            ),
            CKR_BUFFER_TOO_SMALL
        );
        assert_eq!(small, 768);
        ct.resize(768, 0);
        assert_eq!(
            encaps(
                h,
                &mut mech,
                public.handle(),
                null_mut(),
                0,
                ct.as_mut_ptr(),
                &mut len,
                null_mut()
            ),
            CKR_ARGUMENTS_BAD
        );
        assert_eq!(
            s.find_objects(&[]).unwrap().len(),
            before,
            "no key made yet"
        );
        assert_eq!(
            encaps(
                h,
                &mut mech,
                public.handle(),
                null_mut(),
                0,
                ct.as_mut_ptr(),
                &mut len,
                &mut key
            ),
            CKR_OK
        );
        assert_ne!(key, 0);

        // The rest of what 3.2 adds, but signature-first verification
        // (tests/signing.rs::signature_first_verification), is not implemented.
        let mut buf = [0u8; 64];
        let b = buf.as_mut_ptr();
        let mut n: CK_ULONG = buf.len() as CK_ULONG;
        let mut flags: CK_FLAGS = 0;
        let got = [
            (l.C_GetSessionValidationFlags.unwrap())(h, 0, &mut flags),
            (l.C_AsyncComplete.unwrap())(h, b, null_mut()),
            (l.C_AsyncGetID.unwrap())(h, b, &mut n),
            (l.C_AsyncJoin.unwrap())(h, b, 0, b, 64),
            (l.C_WrapKeyAuthenticated.unwrap())(h, &mut mech, 0, 0, b, 0, b, &mut n),
            (l.C_UnwrapKeyAuthenticated.unwrap())(
                h,
                &mut mech,
                0,
                b,
                64,
                null_mut(),
                0,
                b,
                0,
                &mut key,
            ),
        ];
        assert!(
            got.iter().all(|&rv| rv == CKR_FUNCTION_NOT_SUPPORTED),
            "{got:x?}"
        );
    }
}

#[test]
fn pqc_private_keys_are_not_wrappable() {
    let env = Env::new("");
    let s = env.user_session();
    let kek = s
        .generate_key(
            &Mechanism::AesKeyGen,
            &[Attribute::ValueLen(32.into()), Attribute::Wrap(true)],
        )
        .unwrap();
    let (_, dsa) = s
        .generate_key_pair(
            &Mechanism::MlDsaKeyPairGen,
            &[Attribute::ParameterSet(
                MlDsaParameterSetType::ML_DSA_44.into(),
            )],
            &[Attribute::Extractable(true)],
        )
        .unwrap();
    let (_, kem) = s
        .generate_key_pair(
            &Mechanism::MlKemKeyPairGen,
            &[Attribute::ParameterSet(
                MlKemParameterSetType::ML_KEM_512.into(),
            )],
            &[Attribute::Extractable(true)],
        )
        .unwrap();
    for key in [dsa, kem] {
        assert_rv!(
            s.wrap_key(&Mechanism::AesCbcPad([3; 16]), kek, key),
            RvError::KeyNotWrappable
        );
    }
}

/// The HashML-DSA mechanisms that hash on the token (deterministic, with a context), the
/// digest mechanism of their hash (none for the SHAKEs), and that hash as `cryptoki` names
/// it (it has no SHA-3 mechanism types, so `CKM_HASH_ML_DSA` is driven with SHA-2 only).
fn hash_ml_dsa_mechanisms(
    ctx: &[u8],
) -> Vec<(Mechanism<'_>, CK_MECHANISM_TYPE, Option<MechanismType>)> {
    let det = || SignAdditionalContext::new(HedgeType::DeterministicRequired, Some(ctx));
    vec![
        (Mechanism::HashMlDsaShake128(det()), 0, None),
        (Mechanism::HashMlDsaShake256(det()), 0, None),
        (
            Mechanism::HashMlDsaSha224(det()),
            CKM_SHA224,
            Some(MechanismType::SHA224),
        ),
        (
            Mechanism::HashMlDsaSha256(det()),
            CKM_SHA256,
            Some(MechanismType::SHA256),
        ),
        (
            Mechanism::HashMlDsaSha384(det()),
            CKM_SHA384,
            Some(MechanismType::SHA384),
        ),
        (
            Mechanism::HashMlDsaSha512(det()),
            CKM_SHA512,
            Some(MechanismType::SHA512),
        ),
        (Mechanism::HashMlDsaSha3_224(det()), CKM_SHA3_224, None),
        (Mechanism::HashMlDsaSha3_256(det()), CKM_SHA3_256, None),
        (Mechanism::HashMlDsaSha3_384(det()), CKM_SHA3_384, None),
        (Mechanism::HashMlDsaSha3_512(det()), CKM_SHA3_512, None),
    ]
}

/// `CKM_HASH_ML_DSA` over a caller's digest made with `hash`.
fn hash_ml_dsa(hedge: HedgeType, ctx: &[u8], hash: MechanismType) -> Mechanism<'_> {
    Mechanism::HashMlDsa(HashSignAdditionalContext::new(hedge, Some(ctx), hash))
}

#[test]
fn hash_ml_dsa_with_every_hash_binds_hash_context_and_message() {
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let (public, private) = ml_dsa_pair(&s, MlDsaParameterSetType::ML_DSA_65);
    let msg: Vec<u8> = (0..300u16).map(|i| i as u8).collect();
    let ctx = b"hash-ml-dsa";
    for (mech, digest_mech, hash) in hash_ml_dsa_mechanisms(ctx) {
        let sig = if awslc() {
            // AWS-LC signs ML-DSA hedged only.
            assert_rv!(s.sign_init(&mech, private), RvError::MechanismParamInvalid);
            let hedged = SignAdditionalContext::new(HedgeType::Required, Some(ctx));
            s.sign(&with_context(&mech, hedged), private, &msg).unwrap()
        } else {
            // Deterministic: one part or several give the same signature.
            let sig = s.sign(&mech, private, &msg).unwrap();
            s.sign_init(&mech, private).unwrap();
            for part in msg.chunks(64) {
                s.sign_update(part).unwrap();
            }
            assert_eq!(s.sign_final().unwrap(), sig);
            sig
        };
        assert_eq!(sig.len(), 3309);
        s.verify(&mech, public, &msg, &sig).unwrap();
        s.verify_signature_init(&mech, public, &sig).unwrap();
        for part in msg.chunks(100) {
            s.verify_signature_update(part).unwrap();
        }
        s.verify_signature_final().unwrap();
        // The caller's digest under the same hash is the same signed message.
        if let Some(hash) = hash {
            let digest = lib.digest(s.handle(), digest_mech, &msg).unwrap();
            let over_digest = hash_ml_dsa(HedgeType::DeterministicRequired, ctx, hash);
            s.verify(&over_digest, public, &digest, &sig).unwrap();
            if !awslc() {
                assert_eq!(s.sign(&over_digest, private, &digest).unwrap(), sig);
            }
            let other_ctx = hash_ml_dsa(HedgeType::Preferred, b"other", hash);
            assert_rv!(
                s.verify(&other_ctx, public, &digest, &sig),
                RvError::SignatureInvalid
            );
        }
        // Pure ML-DSA and an altered message do not verify.
        assert_rv!(
            s.verify(&pure(), public, &msg, &sig),
            RvError::SignatureInvalid
        );
        let mut bad = msg.clone();
        bad[7] ^= 1;
        assert_rv!(
            s.verify(&mech, public, &bad, &sig),
            RvError::SignatureInvalid
        );
    }
    // A digest signed under another hash's OID is another message: a SHA3-256 digest
    // signed as SHA-256 does not verify as SHA3-256.
    let d = lib.digest(s.handle(), CKM_SHA3_256, &msg).unwrap();
    let as_sha256 = hash_ml_dsa(HedgeType::Preferred, b"", MechanismType::SHA256);
    let sig = s.sign(&as_sha256, private, &d).unwrap();
    let sha3 = Mechanism::HashMlDsaSha3_256(SignAdditionalContext::new(HedgeType::Preferred, None));
    assert_rv!(
        s.verify(&sha3, public, &msg, &sig),
        RvError::SignatureInvalid
    );
    s.verify(&as_sha256, public, &d, &sig).unwrap();
}

/// The same module-hashing HashML-DSA mechanism with another parameter.
fn with_context<'a>(mech: &Mechanism<'_>, c: SignAdditionalContext<'a>) -> Mechanism<'a> {
    match mech {
        Mechanism::HashMlDsaSha224(_) => Mechanism::HashMlDsaSha224(c),
        Mechanism::HashMlDsaSha256(_) => Mechanism::HashMlDsaSha256(c),
        Mechanism::HashMlDsaSha384(_) => Mechanism::HashMlDsaSha384(c),
        Mechanism::HashMlDsaSha512(_) => Mechanism::HashMlDsaSha512(c),
        Mechanism::HashMlDsaSha3_224(_) => Mechanism::HashMlDsaSha3_224(c),
        Mechanism::HashMlDsaSha3_256(_) => Mechanism::HashMlDsaSha3_256(c),
        Mechanism::HashMlDsaSha3_384(_) => Mechanism::HashMlDsaSha3_384(c),
        Mechanism::HashMlDsaSha3_512(_) => Mechanism::HashMlDsaSha3_512(c),
        Mechanism::HashMlDsaShake128(_) => Mechanism::HashMlDsaShake128(c),
        Mechanism::HashMlDsaShake256(_) => Mechanism::HashMlDsaShake256(c),
        other => panic!("not a HashML-DSA mechanism: {other:?}"),
    }
}

#[test]
fn hash_ml_dsa_over_a_digest_is_single_part_and_checks_its_input() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = ml_dsa_pair(&s, MlDsaParameterSetType::ML_DSA_44);
    let mech = hash_ml_dsa(HedgeType::Preferred, b"", MechanismType::SHA384);
    let digest = raw_lib()
        .digest(s.handle(), CKM_SHA384, b"single part")
        .unwrap();
    // PKCS#11 3.2: single-part only. An update finds no multi-part operation, and the
    // operation ends, so a new one can start.
    s.sign_init(&mech, private).unwrap();
    assert_rv!(
        s.sign_update(&digest[..10]),
        RvError::OperationNotInitialized
    );
    let sig = s.sign(&mech, private, &digest).unwrap();
    s.verify_init(&mech, public).unwrap();
    assert_rv!(
        s.verify_update(&digest[..10]),
        RvError::OperationNotInitialized
    );
    s.verify(&mech, public, &digest, &sig).unwrap();
    s.verify_signature_init(&mech, public, &sig).unwrap();
    assert_rv!(
        s.verify_signature_update(&digest[..10]),
        RvError::OperationNotInitialized
    );
    s.verify_signature_init(&mech, public, &sig).unwrap();
    s.verify_signature(&digest).unwrap();
    // Nor is there one to finish.
    s.sign_init(&mech, private).unwrap();
    assert_rv!(s.sign_final(), RvError::OperationNotInitialized);
    s.verify_init(&mech, public).unwrap();
    assert_rv!(s.verify_final(&sig), RvError::OperationNotInitialized);
    s.verify_signature_init(&mech, public, &sig).unwrap();
    assert_rv!(s.verify_signature_final(), RvError::OperationNotInitialized);
    s.sign(&mech, private, &digest).unwrap();
    // The input is the hash value: any other length is out of range.
    assert_rv!(s.sign(&mech, private, &digest[1..]), RvError::DataLenRange);
    assert_rv!(
        s.verify(&mech, public, &digest[1..], &sig),
        RvError::DataLenRange
    );
    // The parameter names a hash PKCS#11 allows for HashML-DSA; with no context it still
    // signs.
    let bare = Mechanism::HashMlDsa(HashSignAdditionalContext::new(
        HedgeType::Preferred,
        None,
        MechanismType::SHA256,
    ));
    s.sign(&bare, private, &digest[..32]).unwrap();
    for bad in [
        MechanismType::SHA1,
        MechanismType::AES_ECB,
        MechanismType::SHA256_HMAC,
    ] {
        assert_rv!(
            s.sign_init(&hash_ml_dsa(HedgeType::Preferred, b"", bad), private),
            RvError::MechanismParamInvalid
        );
    }
    let long = vec![1u8; 256];
    assert_rv!(
        s.sign_init(
            &hash_ml_dsa(HedgeType::Preferred, &long, MechanismType::SHA256),
            private
        ),
        RvError::MechanismParamInvalid
    );
    // The mechanisms are listed with their sign/verify flags and key range.
    let info = env
        .p11()
        .get_mechanism_info(env.slot(), MechanismType::HASH_ML_DSA_SHA3_512)
        .unwrap();
    assert!(info.sign() && info.verify());
    assert_eq!((info.min_key_size(), info.max_key_size()), (1312, 2592));
}

/// The module-hashing HashML-DSA mechanism for an ACVP `hashAlg` name.
fn hash_ml_dsa_named<'a>(acvp: &str, c: SignAdditionalContext<'a>) -> Mechanism<'a> {
    match acvp {
        "SHA2-224" => Mechanism::HashMlDsaSha224(c),
        "SHA2-256" => Mechanism::HashMlDsaSha256(c),
        "SHA2-384" => Mechanism::HashMlDsaSha384(c),
        "SHA2-512" => Mechanism::HashMlDsaSha512(c),
        "SHA3-224" => Mechanism::HashMlDsaSha3_224(c),
        "SHA3-256" => Mechanism::HashMlDsaSha3_256(c),
        "SHA3-384" => Mechanism::HashMlDsaSha3_384(c),
        "SHA3-512" => Mechanism::HashMlDsaSha3_512(c),
        "SHAKE-128" => Mechanism::HashMlDsaShake128(c),
        "SHAKE-256" => Mechanism::HashMlDsaShake256(c),
        other => panic!("hash {other}"),
    }
}

fn ml_dsa_set(name: &str) -> MlDsaParameterSetType {
    match name {
        "ML-DSA-44" => MlDsaParameterSetType::ML_DSA_44,
        "ML-DSA-65" => MlDsaParameterSetType::ML_DSA_65,
        "ML-DSA-87" => MlDsaParameterSetType::ML_DSA_87,
        other => panic!("parameter set {other}"),
    }
}

fn ml_dsa_key(s: &Session, class: ObjectClass, set: &str, value: Vec<u8>) -> ObjectHandle {
    let usage = if class == ObjectClass::PRIVATE_KEY {
        Attribute::Sign(true)
    } else {
        Attribute::Verify(true)
    };
    s.create_object(&[
        Attribute::Class(class),
        Attribute::KeyType(KeyType::ML_DSA),
        Attribute::ParameterSet(ml_dsa_set(set).into()),
        Attribute::Value(value),
        usage,
    ])
    .unwrap()
}

/// The cases of an ACVP vector file in tests/vectors.
fn acvp_cases(file: &str) -> Vec<Value> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/vectors")
        .join(file);
    let all: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    all["cases"].as_array().unwrap().clone()
}

/// What an ACVP run checked: signatures reproduced, valid ones verified, invalid ones refused.
#[derive(Debug, Default, PartialEq)]
struct Acvp {
    signed: usize,
    verified: usize,
    rejected: usize,
}

impl Acvp {
    /// Checks the verification of case `c`'s signature against its expected result; true for a
    /// sign case, whose signing the caller checks next.
    fn verified(&mut self, c: &Value, got: cryptoki::error::Result<()>) -> bool {
        let id = c["id"].as_str().unwrap();
        match (c["op"].as_str().unwrap(), c["result"].as_str().unwrap()) {
            ("sign", "valid") => {
                got.unwrap_or_else(|e| panic!("{id}: {e}"));
                self.signed += 1;
                true
            }
            ("verify", "valid") => {
                got.unwrap_or_else(|e| panic!("{id}: {e}"));
                self.verified += 1;
                false
            }
            ("verify", "invalid") => {
                assert_eq!(rv(got.unwrap_err()), RvError::SignatureInvalid, "{id}");
                self.rejected += 1;
                false
            }
            other => panic!("{id}: unexpected case {other:?}"),
        }
    }
}

/// Signs case `c`'s message with its private key: deterministically, reproducing ACVP's
/// signature (RustCrypto), or hedged and checked with `verify` (AWS-LC, which refuses the
/// deterministic variant).
fn acvp_sign<'a>(
    s: &Session,
    c: &Value,
    mech: impl Fn(HedgeType) -> Mechanism<'a>,
    verify: &Mechanism,
    public: ObjectHandle,
) {
    let id = c["id"].as_str().unwrap();
    let private = ml_dsa_key(
        s,
        ObjectClass::PRIVATE_KEY,
        c["set"].as_str().unwrap(),
        hx(c, "sk"),
    );
    let msg = hx(c, "msg");
    let det = mech(HedgeType::DeterministicRequired);
    if awslc() {
        assert_rv!(s.sign_init(&det, private), RvError::MechanismParamInvalid);
        let mine = s.sign(&mech(HedgeType::Required), private, &msg).unwrap();
        s.verify(verify, public, &msg, &mine).unwrap();
    } else {
        assert_eq!(s.sign(&det, private, &msg).unwrap(), hx(c, "sig"), "{id}");
    }
}

#[test]
fn hash_ml_dsa_acvp_known_answers() {
    let env = Env::new("");
    let s = env.user_session();
    let mut run = Acvp::default();
    for c in acvp_cases("hash_ml_dsa.json") {
        let (set, hash) = (c["set"].as_str().unwrap(), c["hash"].as_str().unwrap());
        let ctx = hx(&c, "context");
        let public = ml_dsa_key(&s, ObjectClass::PUBLIC_KEY, set, hx(&c, "pk"));
        let mech = |hedge| hash_ml_dsa_named(hash, SignAdditionalContext::new(hedge, Some(&ctx)));
        let verify = mech(HedgeType::Preferred);
        if run.verified(
            &c,
            s.verify(&verify, public, &hx(&c, "msg"), &hx(&c, "sig")),
        ) {
            acvp_sign(&s, &c, mech, &verify, public);
        }
    }
    let want = Acvp {
        signed: 14,
        verified: 6,
        rejected: 7,
    };
    assert_eq!(run, want);
}

#[test]
fn ml_dsa_acvp_known_answers_with_a_context() {
    let env = Env::new("");
    let s = env.user_session();
    let mut run = Acvp::default();
    for c in acvp_cases("ml_dsa_context.json") {
        let (msg, sig) = (hx(&c, "msg"), hx(&c, "sig"));
        let ctx = hx(&c, "context");
        assert!(!ctx.is_empty(), "{}", c["id"]);
        let public = ml_dsa_key(
            &s,
            ObjectClass::PUBLIC_KEY,
            c["set"].as_str().unwrap(),
            hx(&c, "pk"),
        );
        let mech = |hedge| Mechanism::MlDsa(SignAdditionalContext::new(hedge, Some(&ctx)));
        // The ACVP signature checks through the C ABI (on AWS-LC, through external μ).
        let verify = mech(HedgeType::Preferred);
        if run.verified(&c, s.verify(&verify, public, &msg, &sig)) {
            acvp_sign(&s, &c, mech, &verify, public);
            // Without the context it is another message.
            assert_rv!(
                s.verify(&pure(), public, &msg, &sig),
                RvError::SignatureInvalid
            );
        }
    }
    let want = Acvp {
        signed: 6,
        verified: 2,
        rejected: 2,
    };
    assert_eq!(run, want);
}
