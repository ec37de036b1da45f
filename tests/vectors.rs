//! Known-answer tests from public vectors (tests/vectors/, sources in its README): NIST
//! CAVP, RFC 4231/5869/3394/5649/4493/8032, SP 800-38A/B, and Wycheproof including its
//! invalid-signature and invalid-ciphertext cases. Every case runs through the C ABI.

mod common;

use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource, PkcsPssParams};
use cryptoki::mechanism::vendor_defined::VendorDefinedMechanism;
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use cryptoki_sys::*;
use serde_json::Value;

fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/vectors/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    v["cases"].as_array().unwrap().clone()
}

fn hx(c: &Value, field: &str) -> Vec<u8> {
    hex::decode(
        c[field]
            .as_str()
            .unwrap_or_else(|| panic!("{field} missing in {c}")),
    )
    .unwrap()
}

fn result(c: &Value) -> &str {
    c["result"].as_str().unwrap_or("valid")
}

/// A mechanism of any type with a raw parameter structure (for types cryptoki has no
/// variant for).
fn raw<T>(ty: CK_MECHANISM_TYPE, params: Option<&T>) -> Mechanism<'_> {
    Mechanism::VendorDefined(VendorDefinedMechanism::new(
        MechanismType::try_from(ty).unwrap(),
        params,
    ))
}

fn hash_mech(name: &str) -> CK_MECHANISM_TYPE {
    match name {
        "SHA-1" => CKM_SHA_1,
        "SHA-224" => CKM_SHA224,
        "SHA-256" => CKM_SHA256,
        "SHA-384" => CKM_SHA384,
        "SHA-512" => CKM_SHA512,
        "SHA3-224" => CKM_SHA3_224,
        "SHA3-256" => CKM_SHA3_256,
        "SHA3-384" => CKM_SHA3_384,
        "SHA3-512" => CKM_SHA3_512,
        other => panic!("hash {other}"),
    }
}

fn mgf(name: &str) -> PkcsMgfType {
    match name {
        "SHA-1" => PkcsMgfType::MGF1_SHA1,
        "SHA-224" => PkcsMgfType::MGF1_SHA224,
        "SHA-256" => PkcsMgfType::MGF1_SHA256,
        "SHA-384" => PkcsMgfType::MGF1_SHA384,
        "SHA-512" => PkcsMgfType::MGF1_SHA512,
        other => panic!("mgf {other}"),
    }
}

/// A secret key for data: encryption, MACs, derivation.
fn secret(s: &Session, kt: KeyType, value: Vec<u8>) -> ObjectHandle {
    s.create_object(&[
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(kt),
        Attribute::Value(value),
        Attribute::Encrypt(true),
        Attribute::Decrypt(true),
        Attribute::Sign(true),
        Attribute::Verify(true),
        Attribute::Derive(true),
        Attribute::Extractable(true),
        Attribute::Sensitive(false),
    ])
    .unwrap()
}

/// A key-encryption key with the same value: a key either transports keys or encrypts data.
fn kek(s: &Session, value: Vec<u8>) -> ObjectHandle {
    s.create_object(&[
        Attribute::Class(ObjectClass::SECRET_KEY),
        Attribute::KeyType(KeyType::AES),
        Attribute::Value(value),
        Attribute::Wrap(true),
        Attribute::Unwrap(true),
    ])
    .unwrap()
}

fn session() -> (Env, Session) {
    let env = Env::new("[algorithms]\nallow_weak_rsa = true\nallow_sha1_signing = true\n");
    let s = env.user_session();
    (env, s)
}

/// Counts what ran so a file that silently matched nothing fails.
#[derive(Default)]
struct Tally {
    valid: usize,
    invalid: usize,
    /// Cases this backend refuses because it does not offer their parameters.
    refused: usize,
}

impl Tally {
    /// Refusals count towards the valid minimum, and only the AWS-LC backend may refuse.
    fn check(&self, min_valid: usize, min_invalid: usize) {
        assert!(
            self.valid + self.refused >= min_valid && self.invalid >= min_invalid,
            "ran {} valid, {} invalid, {} refused",
            self.valid,
            self.invalid,
            self.refused
        );
        if !awslc() {
            assert_eq!(
                self.refused, 0,
                "the RustCrypto backend offers every parameter"
            );
        }
    }
}

#[test]
fn digests_cavp() {
    let (_env, s) = session();
    let lib = raw_lib();
    let mut t = Tally::default();
    for c in load("digest_sha") {
        let m = hash_mech(c["alg"].as_str().unwrap());
        assert_eq!(
            lib.digest(s.handle(), m, &hx(&c, "msg")).unwrap(),
            hx(&c, "md"),
            "{}",
            c["id"]
        );
        t.valid += 1;
    }
    t.check(50, 0);
}

#[test]
fn hmac_rfc4231_rfc2202_and_sha3() {
    let (_env, s) = session();
    let lib = raw_lib();
    let mut t = Tally::default();
    for c in load("hmac") {
        let m = match c["alg"].as_str().unwrap() {
            "HMAC-SHA-1" | "HMAC-SHA1" => CKM_SHA_1_HMAC,
            "HMAC-SHA-224" => CKM_SHA224_HMAC,
            "HMAC-SHA-256" => CKM_SHA256_HMAC,
            "HMAC-SHA-384" => CKM_SHA384_HMAC,
            "HMAC-SHA-512" => CKM_SHA512_HMAC,
            "HMAC-SHA3-224" => CKM_SHA3_224_HMAC,
            "HMAC-SHA3-256" => CKM_SHA3_256_HMAC,
            "HMAC-SHA3-384" => CKM_SHA3_384_HMAC,
            "HMAC-SHA3-512" => CKM_SHA3_512_HMAC,
            other => panic!("{other}"),
        };
        let k = secret(&s, KeyType::GENERIC_SECRET, hx(&c, "key")).handle();
        let mac = lib.sign(s.handle(), m, k, &hx(&c, "msg")).unwrap();
        let want = hx(&c, "tag");
        assert_eq!(&mac[..want.len()], &want[..], "{}", c["id"]);
        if c.get("tag_len").is_none() {
            assert_eq!(lib.verify(s.handle(), m, k, &hx(&c, "msg"), &want), CKR_OK);
            let mut bad = want.clone();
            bad[0] ^= 1;
            assert_eq!(
                lib.verify(s.handle(), m, k, &hx(&c, "msg"), &bad),
                CKR_SIGNATURE_INVALID
            );
        }
        t.valid += 1;
    }
    t.check(40, 0);
}

#[test]
fn hkdf_rfc5869_and_wycheproof() {
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load("hkdf") {
        let prf = hash_mech(c["alg"].as_str().unwrap().trim_start_matches("HKDF-"));
        let ikm = secret(&s, KeyType::GENERIC_SECRET, hx(&c, "ikm"));
        let salt = hx(&c, "salt");
        let info = hx(&c, "info");
        let params = CK_HKDF_PARAMS {
            bExtract: CK_TRUE,
            bExpand: CK_TRUE,
            prfHashMechanism: prf,
            ulSaltType: if salt.is_empty() {
                CKF_HKDF_SALT_NULL
            } else {
                CKF_HKDF_SALT_DATA
            },
            pSalt: salt.as_ptr() as *mut _,
            ulSaltLen: salt.len() as _,
            hSaltKey: 0,
            pInfo: info.as_ptr() as *mut _,
            ulInfoLen: info.len() as _,
        };
        let size = c["size"].as_u64().unwrap();
        let r = s.derive_key(
            &raw(CKM_HKDF_DERIVE, Some(&params)),
            ikm,
            &[
                Attribute::Class(ObjectClass::SECRET_KEY),
                Attribute::KeyType(KeyType::GENERIC_SECRET),
                Attribute::ValueLen(size.into()),
                Attribute::Sensitive(false),
                Attribute::Extractable(true),
            ],
        );
        match result(&c) {
            "valid" => {
                let k = r.unwrap();
                let v = s.get_attributes(k, &[AttributeType::Value]).unwrap();
                assert_eq!(v[0], Attribute::Value(hx(&c, "okm")), "{}", c["id"]);
                t.valid += 1;
            }
            _ => {
                assert!(r.is_err(), "{} must fail", c["id"]);
                t.invalid += 1;
            }
        }
    }
    t.check(40, 5);
}

fn cipher_round_trip(
    s: &Session,
    mech: &Mechanism,
    key: ObjectHandle,
    pt: &[u8],
    ct: &[u8],
    id: &Value,
) {
    assert_eq!(s.encrypt(mech, key, pt).unwrap(), ct, "encrypt {id}");
    assert_eq!(s.decrypt(mech, key, ct).unwrap(), pt, "decrypt {id}");
    // Multi-part in uneven pieces gives the same bytes.
    s.encrypt_init(mech, key).unwrap();
    let mut out = Vec::new();
    for chunk in pt.chunks(7) {
        out.extend(s.encrypt_update(chunk).unwrap());
    }
    out.extend(s.encrypt_final().unwrap());
    assert_eq!(out, ct, "multi-part encrypt {id}");
    s.decrypt_init(mech, key).unwrap();
    let mut back = Vec::new();
    for chunk in ct.chunks(5) {
        back.extend(s.decrypt_update(chunk).unwrap());
    }
    back.extend(s.decrypt_final().unwrap());
    assert_eq!(back, pt, "multi-part decrypt {id}");
}

#[test]
fn aes_ecb_cbc_sp800_38a_and_cavp() {
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load("aes_ecb_cbc") {
        let k = secret(&s, KeyType::AES, hx(&c, "key"));
        let mech = match c["mode"].as_str().unwrap() {
            "ECB" => Mechanism::AesEcb,
            "CBC" => Mechanism::AesCbc(hx(&c, "iv").try_into().unwrap()),
            other => panic!("{other}"),
        };
        cipher_round_trip(&s, &mech, k, &hx(&c, "pt"), &hx(&c, "ct"), &c["id"]);
        t.valid += 1;
    }
    t.check(15, 0);
}

#[test]
fn aes_ctr_sp800_38a_and_rfc3686() {
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load("aes_ctr") {
        let k = secret(&s, KeyType::AES, hx(&c, "key"));
        let params = CK_AES_CTR_PARAMS {
            ulCounterBits: c["counter_bits"].as_u64().unwrap() as _,
            cb: hx(&c, "counter_block").try_into().unwrap(),
        };
        let mech = raw(CKM_AES_CTR, Some(&params));
        cipher_round_trip(&s, &mech, k, &hx(&c, "pt"), &hx(&c, "ct"), &c["id"]);
        t.valid += 1;
    }
    t.check(10, 0);
}

#[test]
fn aes_gcm_wycheproof_and_cavp() {
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load("aes_gcm") {
        let k = secret(&s, KeyType::AES, hx(&c, "key"));
        let iv = hx(&c, "iv");
        let aad = hx(&c, "aad");
        let params = CK_GCM_PARAMS {
            pIv: iv.as_ptr() as *mut _,
            ulIvLen: iv.len() as _,
            ulIvBits: (iv.len() * 8) as _,
            pAAD: aad.as_ptr() as *mut _,
            ulAADLen: aad.len() as _,
            ulTagBits: c["tag_bits"].as_u64().unwrap() as _,
        };
        let mech = raw(CKM_AES_GCM, Some(&params));
        let mut sealed = hx(&c, "ct");
        sealed.extend(hx(&c, "tag"));
        if iv.is_empty() {
            assert_rv!(
                s.encrypt(&mech, k, &hx(&c, "msg")),
                RvError::MechanismParamInvalid
            );
            t.invalid += 1;
            continue;
        }
        match result(&c) {
            "valid" => {
                cipher_round_trip(&s, &mech, k, &hx(&c, "msg"), &sealed, &c["id"]);
                t.valid += 1;
            }
            _ => {
                assert_rv!(s.decrypt(&mech, k, &sealed), RvError::EncryptedDataInvalid);
                t.invalid += 1;
            }
        }
    }
    t.check(60, 10);
}

/// A message in parts for `C_*MessageNext`: 7-byte pieces, the last one with
/// `CKF_END_OF_MESSAGE` (an empty message is one empty last part).
fn in_parts(
    data: &[u8],
    mut next: impl FnMut(&[u8], bool) -> cryptoki::error::Result<Vec<u8>>,
) -> cryptoki::error::Result<Vec<u8>> {
    if data.is_empty() {
        return next(&[], true);
    }
    let mut out = Vec::new();
    let mut parts = data.chunks(7).peekable();
    while let Some(part) = parts.next() {
        out.extend(next(part, parts.peek().is_none())?);
    }
    Ok(out)
}

/// The same AES-GCM vectors through the 3.0 message API (`C_EncryptMessage` with the
/// caller's IV, `C_DecryptMessage` with the tag in `CK_GCM_MESSAGE_PARAMS`), each message
/// also in parts (`C_*MessageBegin`, `C_*MessageNext`): decryption releases nothing before
/// the last part's tag verifies.
#[test]
fn aes_gcm_vectors_through_the_message_api() {
    use cryptoki::mechanism::MessageParam;
    use cryptoki::mechanism::aead::{GcmMessageParams, GeneratorFunction};
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load("aes_gcm") {
        let k = secret(&s, KeyType::AES, hx(&c, "key"));
        let (mut iv, aad, msg) = (hx(&c, "iv"), hx(&c, "aad"), hx(&c, "msg"));
        let (ct, want_tag) = (hx(&c, "ct"), hx(&c, "tag"));
        if iv.is_empty() || want_tag.is_empty() {
            continue;
        }
        let fixed = (iv.len() * 8) as u64;
        let mut tag = want_tag.clone();
        fn params<'a>(iv: &'a mut [u8], tag: &'a mut [u8], fixed: u64) -> GcmMessageParams<'a> {
            GcmMessageParams::new(iv, fixed.into(), GeneratorFunction::NoGenerate, tag).unwrap()
        }
        if result(&c) == "valid" {
            let p = params(&mut iv, &mut tag, fixed);
            s.message_encrypt_init(&Mechanism::AesGcmMessage(p), k)
                .unwrap();
            let got = s
                .encrypt_message(&MessageParam::AesGcmMessage(p), &aad, &msg)
                .unwrap();
            s.message_encrypt_final().unwrap();
            assert_eq!(got, ct, "case {}", c["id"]);
            assert_eq!(tag, want_tag, "case {}", c["id"]);

            let mut parts_tag = vec![0u8; want_tag.len()];
            let p = params(&mut iv, &mut parts_tag, fixed);
            s.message_encrypt_init(&Mechanism::AesGcmMessage(p), k)
                .unwrap();
            s.encrypt_message_begin(MessageParam::AesGcmMessage(p), &aad)
                .unwrap();
            let got = in_parts(&msg, |part, end| {
                s.encrypt_message_next(MessageParam::AesGcmMessage(p), part, end)
            })
            .unwrap();
            s.message_encrypt_final().unwrap();
            assert_eq!(got, ct, "case {} in parts", c["id"]);
            assert_eq!(parts_tag, want_tag, "case {} in parts", c["id"]);
            t.valid += 1;
        }
        let p = params(&mut iv, &mut tag, fixed);
        s.message_decrypt_init(&Mechanism::AesGcmMessage(p), k)
            .unwrap();
        let r = s.decrypt_message(&MessageParam::AesGcmMessage(p), &aad, &ct);
        s.decrypt_message_begin(MessageParam::AesGcmMessage(p), &aad)
            .unwrap();
        let in_parts = in_parts(&ct, |part, end| {
            let pt = s.decrypt_message_next(MessageParam::AesGcmMessage(p), part, end)?;
            assert!(
                end || pt.is_empty(),
                "case {}: released before the tag",
                c["id"]
            );
            Ok(pt)
        });
        s.message_decrypt_final().unwrap();
        match result(&c) {
            "valid" => {
                assert_eq!(r.unwrap(), msg, "case {}", c["id"]);
                assert_eq!(in_parts.unwrap(), msg, "case {} in parts", c["id"]);
            }
            _ => {
                assert_rv!(r, RvError::EncryptedDataInvalid);
                assert_rv!(in_parts, RvError::EncryptedDataInvalid);
                t.invalid += 1;
            }
        }
    }
    t.check(60, 10);
}

/// KW/KWP as single-part C_Encrypt/C_Decrypt, and for key-sized data through
/// C_WrapKey/C_UnwrapKey as well.
fn key_wrap_vectors(file: &str, mech: CK_MECHANISM_TYPE) {
    let (_env, s) = session();
    let lib = raw_lib();
    let h = s.handle();
    let mut t = Tally::default();
    for c in load(file) {
        let k = secret(&s, KeyType::AES, hx(&c, "key")).handle();
        let msg = hx(&c, "msg");
        let ct = hx(&c, "ct");
        match result(&c) {
            "valid" => {
                assert_eq!(
                    lib.crypt(h, mech, k, &msg, true).unwrap(),
                    ct,
                    "{}",
                    c["id"]
                );
                assert_eq!(
                    lib.crypt(h, mech, k, &ct, false).unwrap(),
                    msg,
                    "{}",
                    c["id"]
                );
                if matches!(msg.len(), 16 | 24 | 32) {
                    let target = secret(&s, KeyType::AES, msg.clone()).handle();
                    let k = kek(&s, hx(&c, "key")).handle();
                    assert_eq!(
                        lib.wrap_key(h, mech, k, target).unwrap(),
                        ct,
                        "C_WrapKey {}",
                        c["id"]
                    );
                    // SAFETY: a handle the module just returned.
                    let back = unsafe {
                        ObjectHandle::new_from_raw(lib.unwrap_aes(h, mech, k, &ct).unwrap())
                    };
                    let v = s.get_attributes(back, &[AttributeType::Value]).unwrap();
                    assert_eq!(
                        v[0],
                        Attribute::Value(msg.clone()),
                        "C_UnwrapKey {}",
                        c["id"]
                    );
                }
                t.valid += 1;
            }
            "invalid" => {
                if ct.is_empty() {
                    assert!(
                        lib.crypt(h, mech, k, &msg, true).is_err(),
                        "wrap of {} must be refused",
                        c["id"]
                    );
                } else {
                    assert!(
                        lib.crypt(h, mech, k, &ct, false).is_err(),
                        "unwrap of {} must fail",
                        c["id"]
                    );
                }
                t.invalid += 1;
            }
            _ => {}
        }
    }
    t.check(10, 5);
}

#[test]
fn aes_key_wrap_rfc3394_and_wycheproof() {
    key_wrap_vectors("aes_kw", CKM_AES_KEY_WRAP);
}

#[test]
fn aes_key_wrap_pad_rfc5649_and_wycheproof() {
    key_wrap_vectors("aes_kwp", CKM_AES_KEY_WRAP_KWP);
}

#[test]
fn aes_cmac_rfc4493_and_sp800_38b() {
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load("aes_cmac") {
        let k = secret(&s, KeyType::AES, hx(&c, "key"));
        assert_eq!(
            s.sign(&Mechanism::AesCMac, k, &hx(&c, "msg")).unwrap(),
            hx(&c, "tag"),
            "{}",
            c["id"]
        );
        s.verify(&Mechanism::AesCMac, k, &hx(&c, "msg"), &hx(&c, "tag"))
            .unwrap();
        t.valid += 1;
    }
    t.check(10, 0);
}

fn rsa_public(s: &Session, c: &Value) -> ObjectHandle {
    s.create_object(&[
        Attribute::Class(ObjectClass::PUBLIC_KEY),
        Attribute::KeyType(KeyType::RSA),
        Attribute::Modulus(hx(c, "n")),
        Attribute::PublicExponent(hx(c, "e")),
        Attribute::Verify(true),
    ])
    .unwrap()
}

#[test]
fn rsa_pkcs1_signatures_wycheproof_and_cavp() {
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load("rsa_pkcs1_sign") {
        let m = match c["sha"].as_str().unwrap() {
            "SHA-256" => Mechanism::Sha256RsaPkcs,
            "SHA-384" => Mechanism::Sha384RsaPkcs,
            "SHA-512" => Mechanism::Sha512RsaPkcs,
            other => panic!("{other}"),
        };
        let msg = hx(&c, "msg");
        let sig = hx(&c, "sig");
        if c["op"] == "sign" {
            let k = s.create_object(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::KeyType(KeyType::RSA),
                Attribute::Modulus(hx(&c, "n")),
                Attribute::PublicExponent(hx(&c, "e")),
                Attribute::PrivateExponent(hx(&c, "d")),
                Attribute::Sign(true),
            ]);
            assert_eq!(s.sign(&m, k.unwrap(), &msg).unwrap(), sig, "{}", c["id"]);
            t.valid += 1;
            continue;
        }
        let k = rsa_public(&s, &c);
        let r = s.verify(&m, k, &msg, &sig);
        if awslc() && c["e"] == "03" {
            // aws-lc verifies with public exponents of at least 65537 only.
            assert!(r.is_ok() || rv(r.unwrap_err()) == RvError::SignatureInvalid);
            t.refused += 1;
            continue;
        }
        match result(&c) {
            "valid" => {
                r.unwrap_or_else(|e| panic!("{}: {e:?}", c["id"]));
                t.valid += 1;
            }
            "invalid" => {
                let rv = rv(r.expect_err(&format!("{} must fail", c["id"])));
                assert!(
                    matches!(rv, RvError::SignatureInvalid | RvError::SignatureLenRange),
                    "{}: {rv:?}",
                    c["id"]
                );
                t.invalid += 1;
            }
            _ => {}
        }
    }
    t.check(5, 20);
}

#[test]
fn rsa_pss_wycheproof() {
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load("rsa_pss") {
        let params = PkcsPssParams {
            hash_alg: MechanismType::try_from(hash_mech(c["sha"].as_str().unwrap())).unwrap(),
            mgf: mgf(c["mgf_sha"].as_str().unwrap()),
            s_len: c["slen"].as_u64().unwrap().into(),
        };
        let m = match c["sha"].as_str().unwrap() {
            "SHA-256" => Mechanism::Sha256RsaPkcsPss(params),
            other => panic!("{other}"),
        };
        let k = rsa_public(&s, &c);
        let r = s.verify(&m, k, &hx(&c, "msg"), &hx(&c, "sig"));
        match result(&c) {
            "valid" => {
                r.unwrap_or_else(|e| panic!("{}: {e:?}", c["id"]));
                t.valid += 1;
            }
            "invalid" => {
                assert!(r.is_err(), "{} must fail", c["id"]);
                t.invalid += 1;
            }
            _ => {}
        }
    }
    t.check(5, 10);
}

#[test]
fn rsa_oaep_decryption_wycheproof() {
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load("rsa_oaep") {
        let k = s
            .create_object(&[
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::KeyType(KeyType::RSA),
                Attribute::Modulus(hx(&c, "n")),
                Attribute::PublicExponent(hx(&c, "e")),
                Attribute::PrivateExponent(hx(&c, "d")),
                Attribute::Prime1(hx(&c, "p")),
                Attribute::Prime2(hx(&c, "q")),
                Attribute::Exponent1(hx(&c, "dp")),
                Attribute::Exponent2(hx(&c, "dq")),
                Attribute::Coefficient(hx(&c, "qinv")),
                Attribute::Decrypt(true),
            ])
            .unwrap();
        let label = hx(&c, "label");
        let params = PkcsOaepParams::new(
            MechanismType::try_from(hash_mech(c["sha"].as_str().unwrap())).unwrap(),
            mgf(c["mgf_sha"].as_str().unwrap()),
            if label.is_empty() {
                PkcsOaepSource::empty()
            } else {
                PkcsOaepSource::data_specified(&label)
            },
        );
        let r = s.decrypt(&Mechanism::RsaPkcsOaep(params), k, &hx(&c, "ct"));
        match result(&c) {
            "valid" => {
                assert_eq!(
                    r.unwrap_or_else(|e| panic!("{}: {e:?}", c["id"])),
                    hx(&c, "msg")
                );
                t.valid += 1;
            }
            "invalid" => {
                let rv = rv(r.expect_err(&format!("{} must fail", c["id"])));
                assert!(
                    matches!(
                        rv,
                        RvError::EncryptedDataInvalid | RvError::EncryptedDataLenRange
                    ),
                    "{}: {rv:?}",
                    c["id"]
                );
                t.invalid += 1;
            }
            _ => {}
        }
    }
    t.check(5, 10);
}

/// Ed25519ctx and Ed25519ph (RFC 8032 §7.2, §7.3) through `CK_EDDSA_PARAMS`: signatures are
/// deterministic, so each is reproduced, verified, and refused under another context or
/// variant. Both variants also in parts.
#[test]
fn ed25519ctx_and_ed25519ph_rfc8032() {
    use cryptoki::mechanism::eddsa::{EddsaParams, EddsaSignatureScheme};
    let (_env, s) = session();
    let params = vec![0x06, 0x03, 0x2b, 0x65, 0x70];
    let mut ran = 0;
    for c in load("ed25519_ctx_ph") {
        let key = |class, value: Attribute| {
            s.create_object(&[
                Attribute::Class(class),
                Attribute::KeyType(KeyType::EC_EDWARDS),
                Attribute::EcParams(params.clone()),
                value,
            ])
            .unwrap()
        };
        let private = key(ObjectClass::PRIVATE_KEY, Attribute::Value(hx(&c, "seed")));
        let public = key(
            ObjectClass::PUBLIC_KEY,
            Attribute::EcPoint(octet_string(&hx(&c, "public"))),
        );
        let (ctx, msg, sig) = (hx(&c, "ctx"), hx(&c, "msg"), hx(&c, "sig"));
        let ph = c["ph"].as_bool().unwrap();
        let mech = |ctx: &[u8], ph: bool| {
            Mechanism::Eddsa(EddsaParams::new(if ph {
                EddsaSignatureScheme::Ed25519ph(ctx)
            } else {
                EddsaSignatureScheme::Ed25519ctx(ctx)
            }))
        };
        let m = mech(&ctx, ph);
        assert_eq!(s.sign(&m, private, &msg).unwrap(), sig, "{}", c["id"]);
        s.verify(&m, public, &msg, &sig).unwrap();
        // Another context, or the other variant, does not verify; nor does another message.
        for other in [mech(b"other", ph), mech(b"foo", !ph)] {
            assert_eq!(
                rv(s.verify(&other, public, &msg, &sig).unwrap_err()),
                RvError::SignatureInvalid,
                "{}",
                c["id"]
            );
        }
        let mut bad = msg.clone();
        bad.push(0);
        assert_eq!(
            rv(s.verify(&m, public, &bad, &sig).unwrap_err()),
            RvError::SignatureInvalid
        );
        if !msg.is_empty() {
            // In parts: the whole message is kept, then signed (Ed25519ph hashed once).
            s.sign_init(&m, private).unwrap();
            s.sign_update(&msg[..1]).unwrap();
            s.sign_update(&msg[1..]).unwrap();
            assert_eq!(s.sign_final().unwrap(), sig);
        }
        ran += 1;
    }
    assert_eq!(ran, 5);
}

/// `CKA_EC_PARAMS` of X25519: the id-X25519 OID (RFC 8410).
const X25519_PARAMS: [u8; 5] = [0x06, 0x03, 0x2b, 0x65, 0x6e];

fn ec_params(file: &str) -> Vec<u8> {
    if file.ends_with("p256") {
        vec![0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07]
    } else if file.ends_with("p384") {
        vec![0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22]
    } else {
        vec![0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23]
    }
}

/// DER OCTET STRING around a point, as CKA_EC_POINT holds it.
fn octet_string(p: &[u8]) -> Vec<u8> {
    let mut v = vec![0x04];
    if p.len() >= 0x80 {
        v.push(0x81);
    }
    v.push(p.len() as u8);
    v.extend_from_slice(p);
    v
}

fn ecdsa_vectors(file: &str) {
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load(file) {
        let k = s
            .create_object(&[
                Attribute::Class(ObjectClass::PUBLIC_KEY),
                Attribute::KeyType(KeyType::EC),
                Attribute::EcParams(ec_params(file)),
                Attribute::EcPoint(octet_string(&hx(&c, "public"))),
                Attribute::Verify(true),
            ])
            .unwrap();
        let m = match c["sha"].as_str().unwrap() {
            "SHA-256" => Mechanism::EcdsaSha256,
            "SHA-384" => Mechanism::EcdsaSha384,
            "SHA-512" => Mechanism::EcdsaSha512,
            other => panic!("{other}"),
        };
        let r = s.verify(&m, k, &hx(&c, "msg"), &hx(&c, "sig"));
        match result(&c) {
            "valid" => {
                r.unwrap_or_else(|e| panic!("{}: {e:?}", c["id"]));
                t.valid += 1;
            }
            "invalid" => {
                let rv = rv(r.expect_err(&format!("{} must fail", c["id"])));
                assert!(
                    matches!(rv, RvError::SignatureInvalid | RvError::SignatureLenRange),
                    "{}: {rv:?}",
                    c["id"]
                );
                t.invalid += 1;
            }
            _ => {}
        }
    }
    t.check(3, 10);
}

#[test]
fn ecdsa_p256_wycheproof() {
    ecdsa_vectors("ecdsa_p256");
}

#[test]
fn ecdsa_p384_wycheproof() {
    ecdsa_vectors("ecdsa_p384");
}

#[test]
fn ecdsa_p521_wycheproof() {
    ecdsa_vectors("ecdsa_p521");
}

/// `CKM_ECDH1_DERIVE` with `CKD_NULL` from a new private key to a peer's public data: the
/// derived secret's value.
fn ecdh_null(
    s: &Session,
    key_type: KeyType,
    params: Vec<u8>,
    private: Vec<u8>,
    public: &[u8],
) -> cryptoki::error::Result<Vec<u8>> {
    let k = s
        .create_object(&[
            Attribute::Class(ObjectClass::PRIVATE_KEY),
            Attribute::KeyType(key_type),
            Attribute::EcParams(params),
            Attribute::Value(private),
            Attribute::Derive(true),
        ])
        .unwrap();
    let params = CK_ECDH1_DERIVE_PARAMS {
        kdf: CKD_NULL,
        ulSharedDataLen: 0,
        pSharedData: std::ptr::null_mut(),
        ulPublicDataLen: public.len() as _,
        pPublicData: public.as_ptr() as *mut _,
    };
    let d = s.derive_key(
        &raw(CKM_ECDH1_DERIVE, Some(&params)),
        k,
        &[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::Sensitive(false),
            Attribute::Extractable(true),
        ],
    )?;
    match s.get_attributes(d, &[AttributeType::Value])?.remove(0) {
        Attribute::Value(v) => Ok(v),
        other => panic!("{other:?}"),
    }
}

fn ecdh_vectors(file: &str) {
    let (_env, s) = session();
    let mut t = Tally::default();
    for c in load(file) {
        let r = ecdh_null(
            &s,
            KeyType::EC,
            ec_params(file),
            hx(&c, "private"),
            &hx(&c, "public"),
        );
        match result(&c) {
            "valid" => {
                let v = r.unwrap_or_else(|e| panic!("{}: {e:?}", c["id"]));
                assert_eq!(v, hx(&c, "shared"), "{}", c["id"]);
                t.valid += 1;
            }
            "invalid" => {
                assert!(r.is_err(), "{} must fail", c["id"]);
                t.invalid += 1;
            }
            _ => {}
        }
    }
    t.check(3, 5);
}

/// X25519 (RFC 7748) through `CKM_ECDH1_DERIVE` on `CKK_EC_MONTGOMERY` keys: every valid case
/// gives its shared secret; of the acceptable ones, twist and non-canonical points give theirs
/// (RFC 7748 computes them), and a peer key that makes the output all zeros is refused
/// (`CKR_MECHANISM_PARAM_INVALID`, the check RFC 7748 §6.1 allows).
#[test]
fn x25519_wycheproof() {
    let (_env, s) = session();
    let (mut valid, mut zero, mut other) = (0, 0, 0);
    for c in load("x25519") {
        let id = &c["id"];
        let r = ecdh_null(
            &s,
            KeyType::EC_MONTGOMERY,
            X25519_PARAMS.to_vec(),
            hx(&c, "private"),
            &hx(&c, "public"),
        );
        let zero_shared = c["comment"].as_str().unwrap().contains("ZeroSharedSecret");
        if zero_shared {
            assert_eq!(rv(r.unwrap_err()), RvError::MechanismParamInvalid, "{id}");
            zero += 1;
            continue;
        }
        let v = r.unwrap_or_else(|e| panic!("{id}: {e:?}"));
        assert_eq!(v, hx(&c, "shared"), "{id}");
        if result(&c) == "valid" {
            valid += 1;
        } else {
            other += 1;
        }
    }
    assert_eq!((valid, zero, other), (264, 31, 223));
}

#[test]
fn ecdh_p256_wycheproof() {
    ecdh_vectors("ecdh_p256");
}

#[test]
fn ecdh_p384_wycheproof() {
    ecdh_vectors("ecdh_p384");
}

#[test]
fn ecdh_p521_wycheproof() {
    ecdh_vectors("ecdh_p521");
}

#[test]
fn ed25519_rfc8032_and_wycheproof() {
    let (_env, s) = session();
    let mut t = Tally::default();
    let params = vec![0x06, 0x03, 0x2b, 0x65, 0x70];
    for c in load("ed25519") {
        let public = s
            .create_object(&[
                Attribute::Class(ObjectClass::PUBLIC_KEY),
                Attribute::KeyType(KeyType::EC_EDWARDS),
                Attribute::EcParams(params.clone()),
                Attribute::EcPoint(octet_string(&hx(&c, "public"))),
                Attribute::Verify(true),
            ])
            .unwrap();
        let mech = Mechanism::Eddsa(cryptoki::mechanism::eddsa::EddsaParams::new(
            cryptoki::mechanism::eddsa::EddsaSignatureScheme::Pure,
        ));
        if c["op"] == "sign" {
            let private = s
                .create_object(&[
                    Attribute::Class(ObjectClass::PRIVATE_KEY),
                    Attribute::KeyType(KeyType::EC_EDWARDS),
                    Attribute::EcParams(params.clone()),
                    Attribute::Value(hx(&c, "seed")),
                    Attribute::Sign(true),
                ])
                .unwrap();
            assert_eq!(
                s.sign(&mech, private, &hx(&c, "msg")).unwrap(),
                hx(&c, "sig"),
                "{}",
                c["id"]
            );
        }
        let r = s.verify(&mech, public, &hx(&c, "msg"), &hx(&c, "sig"));
        match result(&c) {
            "valid" => {
                r.unwrap_or_else(|e| panic!("{}: {e:?}", c["id"]));
                t.valid += 1;
            }
            "invalid" => {
                assert!(r.is_err(), "{} must fail", c["id"]);
                t.invalid += 1;
            }
            _ => {}
        }
    }
    t.check(10, 20);
}
