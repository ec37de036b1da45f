//! Key generation, signatures, digests and random numbers through cryptoki.

mod common;

use common::keys::P256;
use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;

const P384: [u8; 7] = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
const ED25519: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x70];

fn rsa_pair(s: &Session, bits: u64) -> cryptoki::error::Result<(ObjectHandle, ObjectHandle)> {
    s.generate_key_pair(
        &Mechanism::RsaPkcsKeyPairGen,
        &[
            Attribute::ModulusBits(bits.into()),
            Attribute::Verify(true),
            Attribute::Token(true),
        ],
        &[Attribute::Sign(true), Attribute::Token(true)],
    )
}

fn ec_pair(s: &Session, params: &[u8], mech: Mechanism) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &mech,
        &[Attribute::EcParams(params.to_vec())],
        &[Attribute::Sign(true)],
    )
    .unwrap()
}

/// Signs single-part and multi-part, checks both verify and that tampering fails.
fn sign_verify(
    s: &Session,
    mech: &Mechanism,
    private: ObjectHandle,
    public: ObjectHandle,
) -> Vec<u8> {
    let msg = b"The quick brown fox jumps over the lazy dog";
    let sig = s.sign(mech, private, msg).unwrap();
    s.verify(mech, public, msg, &sig).unwrap();
    assert_rv!(
        s.verify(mech, public, b"tampered", &sig),
        RvError::SignatureInvalid
    );
    let mut bad = sig.clone();
    bad[sig.len() / 2] ^= 1;
    assert_rv!(s.verify(mech, public, msg, &bad), RvError::SignatureInvalid);
    assert_rv!(
        s.verify(mech, public, msg, &sig[1..]),
        RvError::SignatureLenRange
    );
    // Multi-part gives a signature the single-part verify accepts, and the reverse.
    s.sign_init(mech, private).unwrap();
    s.sign_update(&msg[..10]).unwrap();
    s.sign_update(&msg[10..]).unwrap();
    let multi = s.sign_final().unwrap();
    s.verify(mech, public, msg, &multi).unwrap();
    s.verify_init(mech, public).unwrap();
    s.verify_update(&msg[..5]).unwrap();
    s.verify_update(&msg[5..]).unwrap();
    s.verify_final(&sig).unwrap();
    sig
}

#[test]
fn rsa_pkcs1_signatures() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = rsa_pair(&s, 2048).unwrap();
    for mech in [
        Mechanism::Sha256RsaPkcs,
        Mechanism::Sha384RsaPkcs,
        Mechanism::Sha512RsaPkcs,
    ] {
        let sig = sign_verify(&s, &mech, private, public);
        assert_eq!(sig.len(), 256);
    }
    // PKCS#1 v1.5 is deterministic: the same message, the same signature.
    let a = s.sign(&Mechanism::Sha256RsaPkcs, private, b"x").unwrap();
    let b = s.sign(&Mechanism::Sha256RsaPkcs, private, b"x").unwrap();
    assert_eq!(a, b);
    // Raw CKM_RSA_PKCS signs a caller-made DigestInfo; it matches SHA256-RSA-PKCS.
    let mut digest_info = hex::decode("3031300d060960864801650304020105000420").unwrap();
    let hash = s.digest(&Mechanism::Sha256, b"x").unwrap();
    digest_info.extend_from_slice(&hash);
    let raw = s.sign(&Mechanism::RsaPkcs, private, &digest_info).unwrap();
    assert_eq!(raw, a);
    s.verify(&Mechanism::RsaPkcs, public, &digest_info, &raw)
        .unwrap();
    assert_rv!(
        s.sign(&Mechanism::RsaPkcs, private, &[0u8; 250]),
        RvError::DataLenRange
    );
    // Public attributes of the generated pair.
    let attrs = s
        .get_attributes(
            public,
            &[AttributeType::ModulusBits, AttributeType::PublicExponent],
        )
        .unwrap();
    assert_eq!(attrs[0], Attribute::ModulusBits(2048.into()));
    assert_eq!(attrs[1], Attribute::PublicExponent(vec![1, 0, 1]));
    let kgm = s
        .get_attributes(private, &[AttributeType::KeyGenMechanism])
        .unwrap();
    assert_eq!(
        kgm[0],
        Attribute::KeyGenMechanism(MechanismType::RSA_PKCS_KEY_PAIR_GEN)
    );
}

#[test]
fn rsa_pss_signatures_follow_their_parameters() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = rsa_pair(&s, 2048).unwrap();
    let params = PkcsPssParams {
        hash_alg: MechanismType::SHA256,
        mgf: PkcsMgfType::MGF1_SHA256,
        s_len: 32.into(),
    };
    sign_verify(&s, &Mechanism::Sha256RsaPkcsPss(params), private, public);
    // A verifier with another salt length rejects it.
    let sig = s
        .sign(&Mechanism::Sha256RsaPkcsPss(params), private, b"m")
        .unwrap();
    let other = PkcsPssParams {
        s_len: 20.into(),
        ..params
    };
    assert_rv!(
        s.verify(&Mechanism::Sha256RsaPkcsPss(other), public, b"m", &sig),
        RvError::SignatureInvalid
    );
    // Salts other than the hash length, and none at all, round-trip on both providers.
    for s_len in [0u64, 20, 64] {
        let p = PkcsPssParams {
            s_len: s_len.into(),
            ..params
        };
        sign_verify(&s, &Mechanism::Sha256RsaPkcsPss(p), private, public);
    }
    // PSS is randomized.
    let sig2 = s
        .sign(&Mechanism::Sha256RsaPkcsPss(params), private, b"m")
        .unwrap();
    assert_ne!(sig, sig2);
    // Parameters naming a different hash than the mechanism are invalid.
    let wrong = PkcsPssParams {
        hash_alg: MechanismType::SHA384,
        ..params
    };
    assert_rv!(
        s.sign(&Mechanism::Sha256RsaPkcsPss(wrong), private, b"m"),
        RvError::MechanismParamInvalid
    );
    let h = s.digest(&Mechanism::Sha256, b"m").unwrap();
    // Raw PSS signs a hash of the parameters' length.
    let raw = s.sign(&Mechanism::RsaPkcsPss(params), private, &h).unwrap();
    s.verify(&Mechanism::Sha256RsaPkcsPss(params), public, b"m", &raw)
        .unwrap();
    assert_rv!(
        s.sign(&Mechanism::RsaPkcsPss(params), private, &h[1..]),
        RvError::DataLenRange
    );
}

#[test]
fn ecdsa_signatures_are_raw_r_s() {
    let env = Env::new("");
    let s = env.user_session();
    let p521 = [0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23];
    for (params, len) in [(&P256[..], 64), (&P384[..], 96), (&p521[..], 132)] {
        let (public, private) = ec_pair(&s, params, Mechanism::EccKeyPairGen);
        let mechs = [
            Mechanism::EcdsaSha256,
            Mechanism::EcdsaSha384,
            Mechanism::EcdsaSha512,
        ];
        // Every hash with either curve, on both providers.
        for mech in mechs.iter() {
            let sig = sign_verify(&s, mech, private, public);
            assert_eq!(sig.len(), len, "r||s, not DER");
        }
        // CKM_ECDSA signs a caller's hash.
        let h = s.digest(&Mechanism::Sha256, b"abc").unwrap();
        let sig = s.sign(&Mechanism::Ecdsa, private, &h).unwrap();
        s.verify(&Mechanism::EcdsaSha256, public, b"abc", &sig)
            .unwrap();
        // CKA_EC_POINT is a DER OCTET STRING holding the uncompressed point (P-521's 133
        // bytes take the long length form).
        let Attribute::EcPoint(point) =
            &s.get_attributes(public, &[AttributeType::EcPoint]).unwrap()[0]
        else {
            panic!()
        };
        let header = if len == 132 {
            &[0x04, 0x81][..]
        } else {
            &[0x04][..]
        };
        assert_eq!(&point[..header.len()], header);
        assert_eq!(point[header.len()] as usize, point.len() - header.len() - 1);
        assert_eq!(point[header.len() + 1], 0x04);
        assert_eq!(point.len() - header.len() - 1, 1 + len);
    }
}

#[test]
fn ed25519_signatures() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = ec_pair(&s, &ED25519, Mechanism::EccEdwardsKeyPairGen);
    let mech = Mechanism::Eddsa(cryptoki::mechanism::eddsa::EddsaParams::new(
        cryptoki::mechanism::eddsa::EddsaSignatureScheme::Pure,
    ));
    let sig = sign_verify(&s, &mech, private, public);
    assert_eq!(sig.len(), 64);
    // EdDSA is deterministic.
    assert_eq!(
        s.sign(
            &mech,
            private,
            b"The quick brown fox jumps over the lazy dog"
        )
        .unwrap(),
        sig
    );
    // Edwards keys do not do ECDSA, Weierstrass curves do not do EdDSA.
    assert_rv!(
        s.sign(&Mechanism::EcdsaSha256, private, b"m"),
        RvError::KeyTypeInconsistent
    );
    assert_rv!(
        s.generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &[Attribute::EcParams(ED25519.to_vec())],
            &[]
        ),
        RvError::CurveNotSupported
    );
}

#[test]
fn hmac_sign_verify() {
    let env = Env::new("");
    let s = env.user_session();
    // RFC 4231 test case 2.
    let key = s
        .create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::Value(b"Jefe".to_vec()),
            Attribute::Sign(true),
            Attribute::Verify(true),
        ])
        .unwrap();
    let msg = b"what do ya want for nothing?";
    let mac = s.sign(&Mechanism::Sha256Hmac, key, msg).unwrap();
    assert_eq!(
        hex::encode(&mac),
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    );
    s.verify(&Mechanism::Sha256Hmac, key, msg, &mac).unwrap();
    assert_rv!(
        s.verify(&Mechanism::Sha256Hmac, key, b"other", &mac),
        RvError::SignatureInvalid
    );
    assert_rv!(
        s.verify(&Mechanism::Sha256Hmac, key, msg, &mac[..31]),
        RvError::SignatureLenRange
    );
}

#[test]
fn key_usage_and_allowed_mechanisms_are_enforced() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = s
        .generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &[Attribute::EcParams(P256.to_vec())],
            &[
                Attribute::Sign(false),
                Attribute::AllowedMechanisms(vec![MechanismType::ECDSA_SHA256]),
            ],
        )
        .unwrap();
    assert_rv!(
        s.sign(&Mechanism::EcdsaSha256, private, b"m"),
        RvError::KeyFunctionNotPermitted
    );
    s.update_attributes(private, &[Attribute::Sign(true)])
        .unwrap();
    s.sign(&Mechanism::EcdsaSha256, private, b"m").unwrap();
    assert_rv!(
        s.sign(&Mechanism::EcdsaSha384, private, b"m"),
        RvError::MechanismInvalid
    );
    s.update_attributes(public, &[Attribute::Verify(false)])
        .unwrap();
    assert_rv!(
        s.verify_init(&Mechanism::EcdsaSha256, public),
        RvError::KeyFunctionNotPermitted
    );
}

#[test]
fn weak_rsa_and_sha1_signing_follow_the_config() {
    let env = Env::new("");
    let s = env.user_session();
    assert_rv!(rsa_pair(&s, 1024), RvError::KeySizeRange);
    let too_big = if awslc() { 16384 } else { 8192 };
    assert_rv!(rsa_pair(&s, too_big), RvError::KeySizeRange);
    let (_, private) = rsa_pair(&s, 2048).unwrap();
    assert_rv!(
        s.sign(&Mechanism::Sha1RsaPkcs, private, b"m"),
        RvError::MechanismInvalid
    );
    let mechs = env.p11().get_mechanism_list(env.slot()).unwrap();
    assert!(!mechs.contains(&MechanismType::SHA1_RSA_PKCS));
    assert!(!mechs.contains(&MechanismType::ECDSA_SHA1));
    drop(s);
    drop(env);

    let env = Env::new("[algorithms]\nallow_weak_rsa = true\nallow_sha1_signing = true\n");
    let s = env.user_session();
    let info = env
        .p11()
        .get_mechanism_info(env.slot(), MechanismType::RSA_PKCS_KEY_PAIR_GEN)
        .unwrap();
    // Both providers make and use 1024-bit keys once the flag is on (AWS-LC outside its FIPS
    // generator, never counted approved).
    let (public, private) = rsa_pair(&s, 1024).unwrap();
    sign_verify(&s, &Mechanism::Sha1RsaPkcs, private, public);
    sign_verify(&s, &Mechanism::Sha256RsaPkcs, private, public);
    assert_eq!(info.min_key_size(), 1024);
    assert_rv!(rsa_pair(&s, 896), RvError::KeySizeRange);
}

#[test]
fn digests_and_digest_key() {
    let env = Env::new("");
    let s = env.user_session();
    let cases = [
        (
            Mechanism::Sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        ),
        (
            Mechanism::Sha384,
            "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7",
        ),
        (
            Mechanism::Sha512,
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f",
        ),
    ];
    for (mech, want) in &cases {
        assert_eq!(hex::encode(s.digest(mech, b"abc").unwrap()), *want);
        s.digest_init(mech).unwrap();
        s.digest_update(b"a").unwrap();
        s.digest_update(b"bc").unwrap();
        assert_eq!(hex::encode(s.digest_final().unwrap()), *want);
    }
    // C_DigestKey hashes a secret key's value.
    let k = s
        .create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::Value(b"abc".to_vec()),
        ])
        .unwrap();
    s.digest_init(&Mechanism::Sha256).unwrap();
    s.digest_key(k).unwrap();
    assert_eq!(hex::encode(s.digest_final().unwrap()), cases[0].1);
}

#[test]
fn random_numbers() {
    let env = Env::new("");
    let s = env.user_session();
    let a = s.generate_random_vec(64).unwrap();
    let b = s.generate_random_vec(64).unwrap();
    assert_ne!(a, b);
    assert!(a.iter().any(|&x| x != 0));
    // The module's own DRBG mixes a seed in; AWS-LC's approved DRBG, which serves every
    // random byte on that provider, takes none from the application.
    let seeded = s.seed_random(b"extra input");
    if awslc() {
        assert!(
            matches!(
                seeded,
                Err(cryptoki::error::Error::Pkcs11(
                    cryptoki::error::RvError::RandomSeedNotSupported,
                    _
                ))
            ),
            "{seeded:?}"
        );
    } else {
        seeded.unwrap();
    }
    // Larger than one DRBG request, and not a whole number of 32-byte blocks.
    assert_eq!(s.generate_random_vec(33).unwrap().len(), 33);
    assert_eq!(s.generate_random_vec(200_000).unwrap().len(), 200_000);
}

#[test]
fn sessions_sign_in_parallel_threads() {
    let env = Env::new("");
    let slot = env.init_token();
    let s = env.p11().open_rw_session(slot).unwrap();
    s.login(cryptoki::session::UserType::User, Some(&pin(USER_PIN)))
        .unwrap();
    let (public, private) = ec_pair(&s, &P256, Mechanism::EccKeyPairGen);
    std::thread::scope(|scope| {
        for t in 0..8 {
            let p11 = env.p11().clone();
            scope.spawn(move || {
                let s = p11.open_ro_session(slot).unwrap();
                for i in 0..20 {
                    let msg = format!("thread {t} message {i}");
                    let sig = s
                        .sign(&Mechanism::EcdsaSha256, private, msg.as_bytes())
                        .unwrap();
                    s.verify(&Mechanism::EcdsaSha256, public, msg.as_bytes(), &sig)
                        .unwrap();
                }
            });
        }
    });
}

#[test]
fn rsa_8192_on_the_awslc_provider() {
    if !awslc() {
        return; // RustCrypto offers RSA up to 4096 bits (the range test above).
    }
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = rsa_pair(&s, 8192).unwrap();
    for mech in [Mechanism::Sha256RsaPkcs, Mechanism::Sha224RsaPkcs] {
        let sig = s.sign(&mech, private, b"an 8192-bit signature").unwrap();
        assert_eq!(sig.len(), 1024);
        s.verify(&mech, public, b"an 8192-bit signature", &sig)
            .unwrap();
        assert_rv!(
            s.verify(&mech, public, b"another message", &sig),
            RvError::SignatureInvalid
        );
    }
}

/// PKCS#11 3.2 signature-first verification: the signature at `C_VerifySignatureInit`, the
/// data in one call or in parts; an operation of its own next to `C_VerifyInit`'s.
#[test]
fn signature_first_verification() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = ec_pair(&s, &P256, Mechanism::EccKeyPairGen);
    let m = Mechanism::EcdsaSha256;
    let sig = s.sign(&m, private, b"signed message").unwrap();

    s.verify_signature_init(&m, public, &sig).unwrap();
    s.verify_signature(b"signed message").unwrap();
    // The operation ended with the call.
    assert_rv!(
        s.verify_signature(b"signed message"),
        RvError::OperationNotInitialized
    );

    s.verify_signature_init(&m, public, &sig).unwrap();
    // A classic verification may run meanwhile.
    s.verify(&m, public, b"signed message", &sig).unwrap();
    s.verify_signature_update(b"signed ").unwrap();
    s.verify_signature_update(b"message").unwrap();
    s.verify_signature_final().unwrap();

    s.verify_signature_init(&m, public, &sig).unwrap();
    assert_rv!(
        s.verify_signature(b"other message"),
        RvError::SignatureInvalid
    );
    assert_rv!(s.verify_signature_final(), RvError::OperationNotInitialized);

    // An HMAC the same way, with a wrong-length tag refused as such.
    let k = s
        .generate_key(
            &Mechanism::GenericSecretKeyGen,
            &[
                Attribute::ValueLen(32.into()),
                Attribute::Sign(true),
                Attribute::Verify(true),
            ],
        )
        .unwrap();
    let tag = s.sign(&Mechanism::Sha256Hmac, k, b"data").unwrap();
    s.verify_signature_init(&Mechanism::Sha256Hmac, k, &tag)
        .unwrap();
    s.verify_signature(b"data").unwrap();
    s.verify_signature_init(&Mechanism::Sha256Hmac, k, &tag[..31])
        .unwrap();
    assert_rv!(s.verify_signature(b"data"), RvError::SignatureLenRange);
    // A key without CKA_VERIFY is refused at init.
    assert_rv!(
        s.verify_signature_init(&m, private, &sig),
        RvError::KeyTypeInconsistent
    );
}
