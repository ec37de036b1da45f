//! FIPS-approved mode as the operator guide (fips-mode-guide.txt) describes it: the approved-only
//! mechanism list, the codes of its "What changes operationally" table, and the approved-service
//! indicator per session (vendor interface), per key (CKA_VENDOR_FIPS_APPROVED) and in the audit
//! log. Approved-only mode runs on the AWS-LC provider (the RustCrypto one refuses it:
//! `selftest.rs`); default mode on either provider never reports an approved service.
#![cfg(feature = "awslc-backend")]

mod common;

use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::aead::{GcmMessageParams, GeneratorFunction};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType, MessageParam};
use cryptoki::object::{Attribute, AttributeType, ObjectHandle};
use cryptoki::session::Session;
use cryptoki_sys::*;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const CKA_VENDOR_FIPS_APPROVED: CK_ATTRIBUTE_TYPE = 0x8000_0001;

/// The guide's step-3 config, with the given extra lines after it.
fn guide_config(extra: &str) -> String {
    format!(
        "[algorithms]\ncrypto_backend = \"awslc\"\nfips_approved_only = true\n\
         enable_pqc = false\n{extra}"
    )
}

/// One copy of the library with its sidecar for this build's test processes: approved-only
/// mode refuses to start without it. (A temporary directory held in a static is never removed,
/// and nextest runs each test in a process of its own.)
fn fips_library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| common::shared_library_with_sidecar("fips-library"))
}

/// A module in approved-only mode. `algorithms` lines go into the guide's `[algorithms]`.
fn fips_env(algorithms: &str) -> Env {
    Env::with_config(|dir| {
        let lib = fips_library();
        // SAFETY: Env holds the test binary's lock; no other thread reads the environment.
        unsafe { std::env::set_var("CRATON_HSM_TEST_LIB", lib) };
        format!(
            "{}{}[audit]\npath = {:?}\n",
            base_config(dir),
            guide_config(algorithms),
            dir.join("audit.jsonl")
        )
    })
}

/// The guide's "Allowed" column as mechanisms (SHA-1 stays as a digest).
fn allowed_set() -> BTreeSet<CK_MECHANISM_TYPE> {
    [
        // Symmetric: AES-128/192/256 GCM, CBC, CTR, Key Wrap
        CKM_AES_KEY_GEN,
        CKM_AES_CBC,
        CKM_AES_CBC_PAD,
        CKM_AES_CTR,
        CKM_AES_GCM,
        CKM_AES_KEY_WRAP,
        CKM_AES_KEY_WRAP_KWP,
        // RSA-2048/3072/4096 with PKCS#1 v1.5 and PSS; the guide's OAEP is outside AWS-LC's
        // FIPS module (docs/fips-mode.md)
        CKM_RSA_PKCS_KEY_PAIR_GEN,
        CKM_SHA256_RSA_PKCS,
        CKM_SHA384_RSA_PKCS,
        CKM_SHA512_RSA_PKCS,
        CKM_SHA256_RSA_PKCS_PSS,
        CKM_SHA384_RSA_PKCS_PSS,
        CKM_SHA512_RSA_PKCS_PSS,
        // ECDSA and ECDH on P-256, P-384
        CKM_EC_KEY_PAIR_GEN,
        CKM_ECDSA_SHA256,
        CKM_ECDSA_SHA384,
        CKM_ECDSA_SHA512,
        CKM_ECDH1_DERIVE,
        CKM_ECDH1_COFACTOR_DERIVE,
        // Digest: SHA-256/384/512, SHA3-256/384/512; SHA-1 "digest available"
        CKM_SHA_1,
        CKM_SHA256,
        CKM_SHA384,
        CKM_SHA512,
        CKM_SHA3_256,
        CKM_SHA3_384,
        CKM_SHA3_512,
        // MAC: HMAC-SHA256/384/512 and their keys
        CKM_SHA256_HMAC,
        CKM_SHA384_HMAC,
        CKM_SHA512_HMAC,
        CKM_GENERIC_SECRET_KEY_GEN,
    ]
    .into()
}

#[test]
fn mechanism_list_is_the_guides_allowed_set() {
    // The flags the guide says approved-only mode overrides are set on purpose.
    let env = fips_env("allow_weak_rsa = true\nallow_sha1_signing = true\n");
    // Raw: the cryptoki crate drops mechanism types it has no name for (SHA-3, KWP, ...).
    let lib = raw_lib();
    let slot = env.slot().id();
    let mut n: CK_ULONG = 0;
    let mut list = Vec::new();
    // SAFETY: valid pointers; the list is sized by the first call.
    unsafe {
        assert_eq!(
            lib.0.C_GetMechanismList(slot, std::ptr::null_mut(), &mut n),
            CKR_OK
        );
        list.resize(n as usize, 0);
        assert_eq!(
            lib.0.C_GetMechanismList(slot, list.as_mut_ptr(), &mut n),
            CKR_OK
        );
    }
    let listed: BTreeSet<CK_MECHANISM_TYPE> = list.into_iter().collect();
    assert_eq!(listed.len(), n as usize, "duplicates in C_GetMechanismList");
    let want = allowed_set();
    let extra: Vec<_> = listed
        .difference(&want)
        .map(|m| format!("{m:#x}"))
        .collect();
    let missing: Vec<_> = want
        .difference(&listed)
        .map(|m| format!("{m:#x}"))
        .collect();
    assert!(
        extra.is_empty() && missing.is_empty(),
        "not allowed but listed: {extra:?}; allowed but missing: {missing:?}"
    );
    let info = env
        .p11()
        .get_mechanism_info(env.slot(), MechanismType::RSA_PKCS_KEY_PAIR_GEN)
        .unwrap();
    assert_eq!(info.min_key_size(), 2048, "allow_weak_rsa must be ignored");
    // The EC mechanisms report the guide's curves: P-256 to P-384, not P-521.
    for m in [
        MechanismType::ECC_KEY_PAIR_GEN,
        MechanismType::ECDSA_SHA256,
        MechanismType::ECDH1_DERIVE,
    ] {
        let info = env.p11().get_mechanism_info(env.slot(), m).unwrap();
        assert_eq!(
            (info.min_key_size(), info.max_key_size()),
            (256, 384),
            "{m}"
        );
    }
}

fn rsa_pair(s: &Session, bits: u64) -> cryptoki::error::Result<(ObjectHandle, ObjectHandle)> {
    s.generate_key_pair(
        &Mechanism::RsaPkcsKeyPairGen,
        &[Attribute::ModulusBits(bits.into()), Attribute::Verify(true)],
        &[Attribute::Sign(true)],
    )
}

#[test]
fn blocked_rows_give_the_guides_codes() {
    let env = fips_env("allow_weak_rsa = true\nallow_sha1_signing = true\n");
    let s = env.user_session();
    let (_, rsa) = rsa_pair(&s, 2048).unwrap();

    // SHA-1 signing is rejected; SHA-1 remains a digest.
    assert_rv!(
        s.sign_init(&Mechanism::Sha1RsaPkcs, rsa),
        RvError::MechanismInvalid
    );
    let (_, ec) = s
        .generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &[Attribute::EcParams(vec![
                0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
            ])],
            &[Attribute::Sign(true)],
        )
        .unwrap();
    assert_rv!(
        s.sign_init(&Mechanism::EcdsaSha1, ec),
        RvError::MechanismInvalid
    );
    assert_eq!(s.digest(&Mechanism::Sha1, b"abc").unwrap().len(), 20);

    // Ed25519 is blocked.
    assert_rv!(
        s.generate_key_pair(
            &Mechanism::EccEdwardsKeyPairGen,
            &[Attribute::EcParams(vec![0x06, 0x03, 0x2b, 0x65, 0x70])],
            &[Attribute::Sign(true)],
        ),
        RvError::MechanismInvalid
    );
    let eddsa = Mechanism::Eddsa(cryptoki::mechanism::eddsa::EddsaParams::new(
        cryptoki::mechanism::eddsa::EddsaSignatureScheme::Pure,
    ));
    assert_rv!(s.sign_init(&eddsa, ec), RvError::MechanismInvalid);

    // P-521 is outside the guide's approved curves: no key pairs, no signatures.
    let p521 = vec![0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23];
    assert_rv!(
        s.generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &[Attribute::EcParams(p521.clone())],
            &[Attribute::Sign(true)],
        ),
        RvError::CurveNotSupported
    );
    let p521_public = s
        .create_object(&[
            Attribute::Class(cryptoki::object::ObjectClass::PUBLIC_KEY),
            Attribute::KeyType(cryptoki::object::KeyType::EC),
            Attribute::EcParams(p521),
            Attribute::EcPoint(hex::decode(P521_POINT).unwrap()),
            Attribute::Verify(true),
        ])
        .unwrap();
    assert_rv!(
        s.verify_init(&Mechanism::EcdsaSha512, p521_public),
        RvError::CurveNotSupported
    );

    // X25519 is blocked: no key pairs, and an imported key does not agree.
    let x25519 = vec![0x06, 0x03, 0x2b, 0x65, 0x6e];
    assert_rv!(
        s.generate_key_pair(
            &Mechanism::EccMontgomeryKeyPairGen,
            &[Attribute::EcParams(x25519.clone())],
            &[Attribute::Derive(true)],
        ),
        RvError::MechanismInvalid
    );
    let imported = s
        .create_object(&[
            Attribute::Class(cryptoki::object::ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(cryptoki::object::KeyType::EC_MONTGOMERY),
            Attribute::EcParams(x25519),
            Attribute::Value(vec![0x77; 32]),
            Attribute::Derive(true),
        ])
        .unwrap();
    let ecdh = Mechanism::Ecdh1Derive(cryptoki::mechanism::elliptic_curve::Ecdh1DeriveParams::new(
        cryptoki::mechanism::elliptic_curve::EcKdf::null(),
        &[9; 32],
    ));
    assert_rv!(
        s.derive_key(
            &ecdh,
            imported,
            &[
                Attribute::Class(cryptoki::object::ObjectClass::SECRET_KEY),
                Attribute::KeyType(cryptoki::object::KeyType::GENERIC_SECRET),
                Attribute::ValueLen(32.into()),
            ]
        ),
        RvError::CurveNotSupported
    );

    // PQC mechanisms are blocked.
    let lib = raw_lib();
    for m in [
        CKM_ML_DSA_KEY_PAIR_GEN,
        CKM_ML_DSA,
        CKM_ML_KEM_KEY_PAIR_GEN,
        CKM_ML_KEM,
        CKM_SLH_DSA_KEY_PAIR_GEN,
        CKM_SLH_DSA,
    ] {
        let mut mech = CK_MECHANISM {
            mechanism: m,
            pParameter: std::ptr::null_mut(),
            ulParameterLen: 0,
        };
        // SAFETY: valid pointers for the duration of the call.
        let rv = unsafe { lib.0.C_SignInit(s.handle(), &mut mech, rsa.handle()) };
        assert_eq!(rv, CKR_MECHANISM_INVALID, "{m:#x}");
    }

    // RSA below 2048 bits: at generation and at C_*Init.
    assert_rv!(rsa_pair(&s, 1024), RvError::KeySizeRange);
    let weak = s
        .create_object(&[
            Attribute::Class(cryptoki::object::ObjectClass::PUBLIC_KEY),
            Attribute::KeyType(cryptoki::object::KeyType::RSA),
            Attribute::Modulus(weak_modulus()),
            Attribute::PublicExponent(vec![1, 0, 1]),
            Attribute::Verify(true),
        ])
        .unwrap();
    assert_rv!(
        s.verify_init(&Mechanism::Sha256RsaPkcs, weak),
        RvError::KeySizeRange
    );

    // AES below 128 bits.
    assert_rv!(
        s.generate_key(
            &Mechanism::AesKeyGen,
            &[Attribute::ValueLen(8.into()), Attribute::Encrypt(true)]
        ),
        RvError::KeySizeRange
    );

    // SHA-1 inside PSS parameters.
    let pss = PkcsPssParams {
        hash_alg: MechanismType::SHA1,
        mgf: PkcsMgfType::MGF1_SHA1,
        s_len: 20.into(),
    };
    assert_rv!(
        s.sign_init(&Mechanism::RsaPkcsPss(pss), rsa),
        RvError::MechanismInvalid
    );
    let pss = PkcsPssParams {
        hash_alg: MechanismType::SHA1,
        mgf: PkcsMgfType::MGF1_SHA1,
        s_len: 20.into(),
    };
    assert_rv!(
        s.sign_init(&Mechanism::Sha256RsaPkcsPss(pss), rsa),
        RvError::MechanismParamInvalid
    );
}

/// A P-521 public point (Wycheproof ecdsa_secp521r1_sha512_p1363 case 1, tests/vectors).
const P521_POINT: &str = "04005c6457ec088d532f482093965ae53ccd07e556ed59e2af945cd8c7a95c1c644f8a56a8a8a3cd77392ddd\
    861e8a924dac99c69069093bd52a52fa6c56004a074508007878d6d42e4b4dd1e9c0696cb3e19f63033c3db4\
    e60d473259b3ebe079aaf0a986ee6177f8217a78c68b813f7e149a4e56fd9562c07fed3d895942d7d101cb83\
    f6";

/// A 1024-bit odd modulus with its top bit set: enough for the size check.
fn weak_modulus() -> Vec<u8> {
    let mut n = vec![0xc5u8; 128];
    n[127] |= 1;
    n
}

/// The vendor interface's per-session indicator.
fn last_approved(lib: &RawLib, h: CK_SESSION_HANDLE) -> Result<bool, CK_RV> {
    #[repr(C)]
    struct VendorList {
        version: CK_VERSION,
        last_approved: Option<unsafe extern "C" fn(CK_SESSION_HANDLE, *mut CK_BBOOL) -> CK_RV>,
        status: Option<unsafe extern "C" fn(*mut std::ffi::c_void) -> CK_RV>,
    }
    let mut iface: *mut CK_INTERFACE = std::ptr::null_mut();
    let name = b"Craton HSM\0";
    // SAFETY: valid pointers; the vendor list layout is the documented one.
    unsafe {
        let rv = lib
            .0
            .C_GetInterface(name.as_ptr() as *mut _, std::ptr::null_mut(), &mut iface, 0);
        assert_eq!(rv, CKR_OK);
        let list = &*((*iface).pFunctionList as *const VendorList);
        assert_eq!((list.version.major, list.version.minor), (1, 1));
        let mut b: CK_BBOOL = 0xff;
        match (list.last_approved.unwrap())(h, &mut b) {
            CKR_OK => Ok(b == CK_TRUE),
            rv => Err(rv),
        }
    }
}

fn vendor_fips_approved(s: &Session, key: ObjectHandle) -> bool {
    let attrs = s
        .get_attributes(
            key,
            &[AttributeType::VendorDefined(CKA_VENDOR_FIPS_APPROVED)],
        )
        .unwrap();
    match attrs.first() {
        Some(Attribute::VendorDefined((_, v))) => v.as_slice() == [CK_TRUE],
        other => panic!("CKA_VENDOR_FIPS_APPROVED: {other:?}"),
    }
}

#[test]
fn indicator_per_session_per_key_and_in_the_audit_log() {
    let env = fips_env("");
    let s = env.user_session();
    let lib = raw_lib();
    assert_eq!(
        last_approved(&lib, s.handle()),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );
    // Approved: RSA-2048 generation and a SHA256-RSA-PKCS signature, in the AWS-LC build.
    let (public, private) = rsa_pair(&s, 2048).unwrap();
    assert_eq!(last_approved(&lib, s.handle()), Ok(true));
    assert!(vendor_fips_approved(&s, private));
    assert!(vendor_fips_approved(&s, public));
    let sig = s
        .sign(&Mechanism::Sha256RsaPkcs, private, b"fips-test")
        .unwrap();
    assert_eq!(last_approved(&lib, s.handle()), Ok(true));
    s.verify(&Mechanism::Sha256RsaPkcs, public, b"fips-test", &sig)
        .unwrap();
    assert_eq!(last_approved(&lib, s.handle()), Ok(true));

    // Not approved: HMAC with a 64-bit key (below the 112 bits SP 800-131A allows).
    let short = s
        .generate_key(
            &Mechanism::GenericSecretKeyGen,
            &[Attribute::ValueLen(8.into()), Attribute::Sign(true)],
        )
        .unwrap();
    assert_eq!(last_approved(&lib, s.handle()), Ok(false));
    assert!(!vendor_fips_approved(&s, short));
    s.sign(&Mechanism::Sha256Hmac, short, b"data").unwrap();
    assert_eq!(last_approved(&lib, s.handle()), Ok(false));

    // The same mechanism with a 256-bit key is approved again.
    let long = s
        .generate_key(
            &Mechanism::GenericSecretKeyGen,
            &[Attribute::ValueLen(32.into()), Attribute::Sign(true)],
        )
        .unwrap();
    assert!(vendor_fips_approved(&s, long));
    s.sign(&Mechanism::Sha256Hmac, long, b"data").unwrap();
    assert_eq!(last_approved(&lib, s.handle()), Ok(true));

    // The indicator is per session.
    let other = env.p11().open_ro_session(env.slot()).unwrap();
    assert_eq!(
        last_approved(&lib, other.handle()),
        Err(CKR_OPERATION_NOT_INITIALIZED)
    );

    // The attribute is the module's to set.
    assert_rv!(
        s.update_attributes(
            short,
            &[Attribute::VendorDefined((
                AttributeType::VendorDefined(CKA_VENDOR_FIPS_APPROVED),
                vec![CK_TRUE]
            ))]
        ),
        RvError::AttributeReadOnly
    );

    // The audit record of the SHA256-RSA-PKCS signature, as the guide shows it.
    let log = std::fs::read_to_string(env.dir.path().join("audit.jsonl")).unwrap();
    let sign = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["operation"]["Sign"]["mechanism"] == CKM_SHA256_RSA_PKCS)
        .expect("a Sign record");
    assert_eq!(sign["operation"]["Sign"]["fips_approved"], true);
    assert_eq!(sign["result"], "Success");
    let hmac = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["operation"]["Sign"]["mechanism"] == CKM_SHA256_HMAC)
        .expect("an HMAC record");
    assert_eq!(hmac["operation"]["Sign"]["fips_approved"], false);
}

#[test]
fn default_mode_is_never_approved() {
    // Outside approved-only mode nothing is an approved service, even on AWS-LC.
    let env = Env::new("");
    let s = env.user_session();
    let lib = raw_lib();
    let (_, private) = rsa_pair(&s, 2048).unwrap();
    assert!(!vendor_fips_approved(&s, private));
    s.sign(&Mechanism::Sha256RsaPkcs, private, b"x").unwrap();
    assert_eq!(last_approved(&lib, s.handle()), Ok(false));
}

/// Uses of approved mechanisms that would provide no approved service are refused in
/// approved-only mode: AES-GCM encryption with the caller's IV (IG C.H; the message API
/// generates it), key transport with AES-CBC-PAD (IG D.G). Failed or refused calls, and keys
/// that did not come from an approved service, leave the indicator false.
#[test]
fn indicator_follows_the_use_not_just_the_mechanism() {
    use cryptoki::mechanism::aead::GcmParams;
    let env = fips_env("");
    let s = env.user_session();
    let lib = raw_lib();
    let h = s.handle();
    let approved = |s: &Session| last_approved(&lib, s.handle()).unwrap();
    let key = s
        .generate_key(
            &Mechanism::AesKeyGen,
            &[Attribute::ValueLen(32.into()), Attribute::Extractable(true)],
        )
        .unwrap();
    assert!(approved(&s));
    // A key transports keys or encrypts data, never both (docs/security.md).
    let kek = s
        .generate_key(
            &Mechanism::AesKeyGen,
            &[
                Attribute::ValueLen(32.into()),
                Attribute::Wrap(true),
                Attribute::Unwrap(true),
            ],
        )
        .unwrap();

    // GCM: encryption under a caller's IV is refused (and not listed), decryption is approved.
    let mut iv = [7u8; 12];
    assert_rv!(
        s.encrypt(
            &Mechanism::AesGcm(GcmParams::new(&mut iv, b"aad", 128.into()).unwrap()),
            key,
            b"gcm",
        ),
        RvError::MechanismInvalid
    );
    assert!(!approved(&s));
    let (sealed_iv, ct, tag) =
        gcm_message(&s, key, GeneratorFunction::GenerateCounter, b"gcm").unwrap();
    assert!(approved(&s));
    let mut sealed = ct.clone();
    sealed.extend_from_slice(&tag);
    let mut iv = sealed_iv;
    let pt = s
        .decrypt(
            &Mechanism::AesGcm(GcmParams::new(&mut iv, b"aad", 128.into()).unwrap()),
            key,
            &sealed,
        )
        .unwrap();
    assert_eq!(pt, b"gcm");
    assert!(approved(&s));
    let slot = s.get_session_info().unwrap().slot_id();
    let gcm = env
        .p11()
        .get_mechanism_info(slot, MechanismType::AES_GCM)
        .unwrap();
    assert!(!gcm.encrypt() && !gcm.wrap() && gcm.decrypt() && gcm.unwrap());
    assert!(gcm.message_encrypt() && gcm.message_decrypt());

    // Key transport: AES-KW is approved, AES-CBC-PAD is refused.
    let target = s
        .generate_key(
            &Mechanism::AesKeyGen,
            &[Attribute::ValueLen(16.into()), Attribute::Extractable(true)],
        )
        .unwrap();
    s.wrap_key(&Mechanism::AesKeyWrap, kek, target).unwrap();
    assert!(approved(&s));
    assert_rv!(
        s.wrap_key(&Mechanism::AesCbcPad([1u8; 16]), kek, target),
        RvError::MechanismInvalid
    );
    assert!(!approved(&s));

    // A failed call and a refused C_*Init leave "false", not the last success's value.
    let (public, private) = rsa_pair(&s, 2048).unwrap();
    let sig = s.sign(&Mechanism::Sha256RsaPkcs, private, b"m").unwrap();
    assert!(approved(&s));
    assert_rv!(
        s.verify(&Mechanism::Sha256RsaPkcs, public, b"other", &sig),
        RvError::SignatureInvalid
    );
    assert!(!approved(&s));
    s.sign(&Mechanism::Sha256RsaPkcs, private, b"m").unwrap();
    assert!(approved(&s));
    assert_eq!(
        lib.sign(h, CKM_EDDSA, private.handle(), b"m"),
        Err(CKR_MECHANISM_INVALID)
    );
    assert!(!approved(&s));

    // RSA-OAEP is outside AWS-LC's FIPS module: refused, as key transport too.
    use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
    let oaep = Mechanism::RsaPkcsOaep(PkcsOaepParams::new(
        MechanismType::SHA256,
        PkcsMgfType::MGF1_SHA256,
        PkcsOaepSource::empty(),
    ));
    assert_rv!(s.encrypt(&oaep, public, b"k"), RvError::MechanismInvalid);
    assert_rv!(s.wrap_key(&oaep, public, target), RvError::MechanismInvalid);
    assert!(!approved(&s));
}

/// A key imported outside approved-only mode never makes a later operation approved.
#[test]
fn keys_from_unapproved_services_stay_unapproved() {
    let mut env = fips_env("");
    let s = env.user_session();
    let lib = raw_lib();
    let approved = |s: &Session| last_approved(&lib, s.handle()).unwrap();
    // A token HMAC key of an approved size, imported with the given label.
    let import = |s: &Session, label: &[u8]| {
        s.create_object(&[
            Attribute::Class(cryptoki::object::ObjectClass::SECRET_KEY),
            Attribute::KeyType(cryptoki::object::KeyType::GENERIC_SECRET),
            Attribute::Value(vec![9u8; 32]),
            Attribute::Token(true),
            Attribute::Sign(true),
            Attribute::Label(label.to_vec()),
        ])
        .unwrap()
    };
    // Imported in approved-only mode: approved.
    let imported = import(&s, b"kept");
    assert!(vendor_fips_approved(&s, imported));
    drop(s);
    env.unload();

    // The same store in the default mode: a key made there is marked unapproved ...
    let config = std::fs::read_to_string(&env.config).unwrap();
    std::fs::write(
        &env.config,
        config.replace("fips_approved_only = true", "fips_approved_only = false"),
    )
    .unwrap();
    env.load();
    let s = env.p11().open_rw_session(env.slot()).unwrap();
    s.login(cryptoki::session::UserType::User, Some(&pin(USER_PIN)))
        .unwrap();
    let outside = import(&s, b"outside");
    assert!(!vendor_fips_approved(&s, outside));
    drop(s);
    env.unload();

    // ... and stays so back in approved-only mode, while the approved key still is.
    std::fs::write(&env.config, config).unwrap();
    env.load();
    let s = env.p11().open_rw_session(env.slot()).unwrap();
    s.login(cryptoki::session::UserType::User, Some(&pin(USER_PIN)))
        .unwrap();
    let find = |label: &[u8]| s.find_objects(&[Attribute::Label(label.to_vec())]).unwrap()[0];
    s.sign(&Mechanism::Sha256Hmac, find(b"outside"), b"m")
        .unwrap();
    assert!(!approved(&s));
    s.sign(&Mechanism::Sha256Hmac, find(b"kept"), b"m").unwrap();
    assert!(approved(&s));
}

/// With the guide's step-3 config and no `[audit]` section, approved-only mode still keeps
/// the audit log the guide's step 5 inspects: `audit.jsonl` in the storage directory.
#[test]
fn approved_only_mode_keeps_an_audit_log_by_default() {
    let env = Env::with_config(|dir| {
        let lib = fips_library();
        // SAFETY: Env holds the test binary's lock; no other thread reads the environment.
        unsafe { std::env::set_var("CRATON_HSM_TEST_LIB", lib) };
        format!("{}{}", base_config(dir), guide_config(""))
    });
    let s = env.user_session();
    let (_, private) = rsa_pair(&s, 2048).unwrap();
    s.sign(&Mechanism::Sha256RsaPkcs, private, b"fips-test")
        .unwrap();
    let log = std::fs::read_to_string(env.store_dir().join("audit.jsonl")).unwrap();
    let sign = log
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|r| r["operation"]["Sign"]["mechanism"] == CKM_SHA256_RSA_PKCS)
        .expect("a Sign record");
    assert_eq!(sign["operation"]["Sign"]["fips_approved"], true);
}

/// PSS is approved with a salt no longer than the hash and MGF1 over the message hash
/// (FIPS 186-5 5.4); approved-only mode refuses other parameters at init.
#[test]
fn pss_parameters_decide_approval() {
    let env = fips_env("");
    let s = env.user_session();
    let lib = raw_lib();
    let (public, private) = rsa_pair(&s, 2048).unwrap();
    let pss = |s_len: u64, mgf| {
        Mechanism::Sha256RsaPkcsPss(PkcsPssParams {
            hash_alg: MechanismType::SHA256,
            mgf,
            s_len: s_len.into(),
        })
    };
    for s_len in [0, 20, 32] {
        let m = pss(s_len, PkcsMgfType::MGF1_SHA256);
        let sig = s.sign(&m, private, b"m").unwrap();
        assert_eq!(last_approved(&lib, s.handle()), Ok(true), "salt {s_len}");
        s.verify(&m, public, b"m", &sig).unwrap();
    }
    for m in [
        pss(33, PkcsMgfType::MGF1_SHA256),
        pss(32, PkcsMgfType::MGF1_SHA384),
    ] {
        let r = s.sign(&m, private, b"m");
        assert!(
            matches!(
                r,
                Err(cryptoki::error::Error::Pkcs11(
                    RvError::MechanismParamInvalid,
                    _
                ))
            ),
            "{r:?}"
        );
    }
}

/// A sealed message: the IV used, the ciphertext and the tag.
type Sealed = ([u8; 12], Vec<u8>, [u8; 16]);

/// One AES-GCM message sealed through the 3.0 message API with aad "aad"; (IV, ct, tag).
fn gcm_message(
    s: &Session,
    key: ObjectHandle,
    generator: GeneratorFunction,
    pt: &[u8],
) -> Result<Sealed, cryptoki::error::Error> {
    let (mut iv, mut tag) = ([0x5Au8; 12], [0u8; 16]);
    let p = GcmMessageParams::new(&mut iv, 32.into(), generator, &mut tag)?;
    s.message_encrypt_init(&Mechanism::AesGcmMessage(p), key)?;
    let ct = s.encrypt_message(&MessageParam::AesGcmMessage(p), b"aad", pt);
    s.message_encrypt_final()?;
    Ok((iv, ct?, tag))
}

/// AES-GCM encryption is approved when the module generates the IV (SP 800-38D 8.2): a
/// counter after a 32-bit fixed field, or 96 random bits; a caller's IV, or a generated
/// one with too few free bits, is refused per message in approved-only mode. The audit
/// record of each message says which.
#[test]
fn gcm_messages_are_approved_when_the_module_makes_the_iv() {
    let env = fips_env("");
    let s = env.user_session();
    let lib = raw_lib();
    let approved = |s: &Session| last_approved(&lib, s.handle()).unwrap();
    let key = s
        .generate_key(&Mechanism::AesKeyGen, &[Attribute::ValueLen(32.into())])
        .unwrap();
    for g in [
        GeneratorFunction::GenerateCounter,
        GeneratorFunction::Generate,
    ] {
        let (iv, ct, tag) = gcm_message(&s, key, g, b"approved").unwrap();
        assert!(approved(&s), "{g:?}");
        assert_eq!(iv[..4], [0x5A; 4]);
        let (mut iv, mut tag) = (iv, tag);
        let p = GcmMessageParams::new(&mut iv, 96.into(), GeneratorFunction::NoGenerate, &mut tag)
            .unwrap();
        s.message_decrypt_init(&Mechanism::AesGcmMessage(p), key)
            .unwrap();
        let pt = s
            .decrypt_message(&MessageParam::AesGcmMessage(p), b"aad", &ct)
            .unwrap();
        s.message_decrypt_final().unwrap();
        assert_eq!(pt, b"approved");
        assert!(approved(&s));
    }
    // 64 random bits after a 32-bit fixed field: under SP 800-38D 8.2.2's 96.
    for g in [
        GeneratorFunction::NoGenerate,
        GeneratorFunction::GenerateRandom,
    ] {
        assert_rv!(
            gcm_message(&s, key, g, b"x"),
            RvError::MechanismParamInvalid
        );
        assert!(!approved(&s));
    }
    // A message in parts: approved with a generated IV (decided at C_EncryptMessageBegin,
    // reported when the last part ends it), refused at Begin with the caller's IV.
    for (g, ok) in [
        (GeneratorFunction::GenerateCounter, true),
        (GeneratorFunction::NoGenerate, false),
    ] {
        let (mut iv, mut tag) = ([0x5Au8; 12], [0u8; 16]);
        let p = GcmMessageParams::new(&mut iv, 32.into(), g, &mut tag).unwrap();
        s.message_encrypt_init(&Mechanism::AesGcmMessage(p), key)
            .unwrap();
        let begun = s.encrypt_message_begin(MessageParam::AesGcmMessage(p), b"aad");
        if ok {
            begun.unwrap();
            s.encrypt_message_next(MessageParam::AesGcmMessage(p), b"in ", false)
                .unwrap();
            s.encrypt_message_next(MessageParam::AesGcmMessage(p), b"parts", true)
                .unwrap();
            assert!(approved(&s));
        } else {
            assert_rv!(begun, RvError::MechanismParamInvalid);
            assert!(!approved(&s));
        }
        s.message_encrypt_final().unwrap();
    }
}

/// ECDH's KDF decides with the curve: the SP 800-56C one-step KDF is approved, the X9.63 KDF
/// is outside the approved set and refused in approved-only mode.
#[test]
fn ecdh_kdfs_decide_approval() {
    use cryptoki::mechanism::elliptic_curve::{EcKdf, Ecdh1DeriveParams};
    let env = fips_env("");
    let s = env.user_session();
    let lib = raw_lib();
    let p256 = vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
    let (_, private) = s
        .generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &[Attribute::EcParams(p256.clone())],
            &[Attribute::Derive(true)],
        )
        .unwrap();
    let (peer, _) = s
        .generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &[Attribute::EcParams(p256)],
            &[Attribute::Derive(true)],
        )
        .unwrap();
    let point = match s.get_attributes(peer, &[AttributeType::EcPoint]).unwrap()[..] {
        [Attribute::EcPoint(ref p)] => p.clone(),
        ref other => panic!("CKA_EC_POINT: {other:?}"),
    };
    let template = [
        Attribute::Class(cryptoki::object::ObjectClass::SECRET_KEY),
        Attribute::KeyType(cryptoki::object::KeyType::AES),
        Attribute::ValueLen(32.into()),
        Attribute::Encrypt(true),
    ];
    let derive = |kdf| {
        s.derive_key(
            &Mechanism::Ecdh1Derive(Ecdh1DeriveParams::new(kdf, &point)),
            private,
            &template,
        )
    };
    assert_rv!(
        derive(EcKdf::sha256(b"info")),
        RvError::MechanismParamInvalid
    );
    let key = derive(EcKdf::sha256_sp800(b"info")).unwrap();
    assert!(last_approved(&lib, s.handle()).unwrap());
    assert!(vendor_fips_approved(&s, key));
}
