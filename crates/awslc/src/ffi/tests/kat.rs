//! Known answers from `tests/vectors` (NIST CAVP, RFCs, Wycheproof) through the wrapper.

use super::super::*;
use super::{cases, digest_info, hash_named, hx, s};
use craton_hsm_crypto::error::Error;
use craton_hsm_crypto::{RsaPrivateParts, RsaPublicParts};

/// Counts of (passed valid, passed invalid) cases, so a loader that skips everything fails.
fn expect_counts(file: &str, got: (usize, usize), min: (usize, usize)) {
    assert!(
        got.0 >= min.0 && got.1 >= min.1,
        "{file}: ran {got:?} (valid, invalid), expected at least {min:?}"
    );
}

#[test]
fn digests_cavp() {
    let mut n = 0;
    for c in cases("digest_sha.json") {
        let alg = hash_named(s(&c, "alg"));
        let msg = hx(&c, "msg");
        assert_eq!(digest(alg, &msg).unwrap(), hx(&c, "md"), "{}", s(&c, "id"));
        // Split input and a clone taken midway give the same answer.
        let mut d = Digest::new(alg).unwrap();
        let (a, b) = msg.split_at(msg.len() / 2);
        d.update(a).unwrap();
        let copy = d.try_clone().unwrap();
        d.update(b).unwrap();
        let mut copy2 = copy.try_clone().unwrap();
        copy2.update(b).unwrap();
        assert_eq!(d.finish().unwrap(), hx(&c, "md"));
        assert_eq!(copy2.finish().unwrap(), hx(&c, "md"));
        n += 1;
    }
    assert_eq!(n, 54);
}

#[test]
fn hmac_rfc_and_nist() {
    let mut n = 0;
    for c in cases("hmac.json") {
        let alg = hash_named(s(&c, "alg"));
        let mut m = Hmac::new(alg, &hx(&c, "key")).unwrap();
        let msg = hx(&c, "msg");
        let (a, b) = msg.split_at(msg.len() / 3);
        m.update(a).unwrap();
        let copy = m.try_clone().unwrap();
        m.update(b).unwrap();
        let tag = m.finish().unwrap();
        let want = hx(&c, "tag");
        assert_eq!(&tag[..want.len()], &want[..], "{}", s(&c, "id"));
        let mut copy = copy;
        copy.update(b).unwrap();
        assert_eq!(&copy.finish().unwrap()[..want.len()], &want[..]);
        n += 1;
    }
    assert_eq!(n, 47);
}

#[test]
fn aes_gcm_wycheproof_and_cavp() {
    let (mut valid, mut invalid) = (0, 0);
    for c in cases("aes_gcm.json") {
        let id = s(&c, "id");
        let (key, iv, aad, msg, ct, tag) = (
            hx(&c, "key"),
            hx(&c, "iv"),
            hx(&c, "aad"),
            hx(&c, "msg"),
            hx(&c, "ct"),
            hx(&c, "tag"),
        );
        let tag_len = c["tag_bits"].as_u64().unwrap() as usize / 8;
        let ct_tag = [ct.as_slice(), tag.as_slice()].concat();
        match s(&c, "result") {
            "valid" => {
                let pt = gcm_decrypt(&key, &iv, &aad, &ct_tag, tag_len).unwrap();
                assert_eq!(*pt, msg, "{id}");
                assert_eq!(
                    gcm_encrypt(&key, &iv, &aad, &msg, tag_len).unwrap(),
                    ct_tag,
                    "{id}"
                );
                // Streaming, in uneven pieces.
                let mut enc = GcmEncryptor::new(&key, &iv, &aad, tag_len).unwrap();
                let mut out = Vec::new();
                for part in msg.chunks(7) {
                    out.extend(enc.update(part).unwrap());
                }
                out.extend(enc.finish().unwrap());
                assert_eq!(out, ct_tag, "{id}");
                let mut dec = GcmDecryptor::new(&key, &iv, &aad, tag_len).unwrap();
                for part in ct_tag.chunks(5) {
                    dec.update(part);
                }
                assert_eq!(*dec.finish().unwrap(), msg, "{id}");
                valid += 1;
            }
            _ if iv.is_empty() => {
                assert_eq!(
                    gcm_decrypt(&key, &iv, &aad, &ct_tag, tag_len),
                    Err(Error::MechanismParamInvalid)
                );
                assert!(GcmEncryptor::new(&key, &iv, &aad, tag_len).is_err());
                invalid += 1;
            }
            _ => {
                assert_eq!(
                    gcm_decrypt(&key, &iv, &aad, &ct_tag, tag_len),
                    Err(Error::EncryptedDataInvalid),
                    "{id}"
                );
                let mut dec = GcmDecryptor::new(&key, &iv, &aad, tag_len).unwrap();
                dec.update(&ct_tag);
                assert_eq!(dec.finish(), Err(Error::EncryptedDataInvalid), "{id}");
                invalid += 1;
            }
        }
    }
    expect_counts("aes_gcm.json", (valid, invalid), (72, 20));
}

type Unwrap = fn(&[u8], &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>>;

fn key_wrap_file(
    file: &str,
    wrap: fn(&[u8], &[u8]) -> Result<Vec<u8>>,
    unwrap: Unwrap,
) -> (usize, usize) {
    let (mut valid, mut invalid) = (0, 0);
    for c in cases(file) {
        let id = s(&c, "id");
        let (key, msg, ct) = (hx(&c, "key"), hx(&c, "msg"), hx(&c, "ct"));
        match s(&c, "result") {
            "valid" => {
                assert_eq!(wrap(&key, &msg).unwrap(), ct, "{file} {id}");
                assert_eq!(*unwrap(&key, &ct).unwrap(), msg, "{file} {id}");
                valid += 1;
            }
            "invalid" if ct.is_empty() => {
                assert!(wrap(&key, &msg).is_err(), "{file} {id}");
                invalid += 1;
            }
            "invalid" => {
                assert!(unwrap(&key, &ct).is_err(), "{file} {id}");
                invalid += 1;
            }
            _ => {
                // acceptable (8-byte key data): SP 800-38F refuses what RFC 3394 allows; we
                // follow SP 800-38F.
                assert_eq!(wrap(&key, &msg), Err(Error::DataLenRange), "{file} {id}");
            }
        }
    }
    (valid, invalid)
}

#[test]
fn aes_kw_rfc3394_and_wycheproof() {
    let got = key_wrap_file("aes_kw.json", kw_wrap, kw_unwrap);
    expect_counts("aes_kw.json", got, (18, 33));
}

#[test]
fn aes_kwp_rfc5649_and_wycheproof() {
    let got = key_wrap_file("aes_kwp.json", kwp_wrap, kwp_unwrap);
    expect_counts("aes_kwp.json", got, (29, 12));
}

#[test]
fn rsa_pkcs1_wycheproof_and_cavp() {
    let (mut valid, mut invalid) = (0, 0);
    for c in cases("rsa_pkcs1_sign.json") {
        let id = s(&c, "id");
        let public = RsaPublicParts {
            n: hx(&c, "n"),
            e: hx(&c, "e"),
        };
        let hash = hash_named(s(&c, "sha"));
        let info = digest_info(hash, &digest(hash, &hx(&c, "msg")).unwrap());
        let sig = hx(&c, "sig");
        let key = RsaPublicKey::from_parts(&public).unwrap();
        let verdict = key.verify_pkcs1(&info, &sig);
        match s(&c, "result") {
            "valid" => {
                assert_eq!(verdict, Ok(()), "{id}");
                valid += 1;
            }
            "invalid" => {
                assert!(verdict.is_err(), "{id}");
                invalid += 1;
            }
            _ => {}
        }
        if s(&c, "op") == "sign" {
            // PKCS#1 v1.5 is deterministic: the CAVP signature is reproduced exactly from the
            // DigestInfo (n, e, d only: this record has no CRT parts).
            let private = RsaPrivateKey::from_parts(&RsaPrivateParts {
                n: public.n.clone(),
                e: public.e.clone(),
                d: hx(&c, "d"),
                p: vec![],
                q: vec![],
                dp: vec![],
                dq: vec![],
                qinv: vec![],
            })
            .unwrap();
            assert_eq!(private.sign_pkcs1(&info).unwrap(), sig, "{id}");
        }
    }
    expect_counts("rsa_pkcs1_sign.json", (valid, invalid), (7, 24));
}

#[test]
fn rsa_pss_wycheproof() {
    let (mut valid, mut invalid) = (0, 0);
    for c in cases("rsa_pss.json") {
        let id = s(&c, "id");
        let key = RsaPublicKey::from_parts(&RsaPublicParts {
            n: hx(&c, "n"),
            e: hx(&c, "e"),
        })
        .unwrap();
        let params = PssParams {
            hash: hash_named(s(&c, "sha")),
            mgf1_hash: hash_named(s(&c, "mgf_sha")),
            salt_len: c["slen"].as_u64().unwrap() as usize,
        };
        let digest = digest(params.hash, &hx(&c, "msg")).unwrap();
        let verdict = key.verify_pss(&digest, &hx(&c, "sig"), &params);
        if s(&c, "result") == "valid" {
            assert_eq!(verdict, Ok(()), "{id}");
            valid += 1;
        } else {
            assert!(verdict.is_err(), "{id}");
            invalid += 1;
        }
    }
    expect_counts("rsa_pss.json", (valid, invalid), (6, 20));
}

#[test]
fn rsa_oaep_wycheproof() {
    let (mut valid, mut invalid) = (0, 0);
    for c in cases("rsa_oaep.json") {
        let id = s(&c, "id");
        let key = RsaPrivateKey::from_parts(&RsaPrivateParts {
            n: hx(&c, "n"),
            e: hx(&c, "e"),
            d: hx(&c, "d"),
            p: hx(&c, "p"),
            q: hx(&c, "q"),
            dp: hx(&c, "dp"),
            dq: hx(&c, "dq"),
            qinv: hx(&c, "qinv"),
        })
        .unwrap();
        let params = OaepParams {
            hash: hash_named(s(&c, "sha")),
            mgf1_hash: hash_named(s(&c, "mgf_sha")),
            label: hx(&c, "label"),
        };
        let out = key.decrypt_oaep(&hx(&c, "ct"), &params);
        if s(&c, "result") == "valid" {
            assert_eq!(*out.unwrap(), hx(&c, "msg"), "{id}");
            valid += 1;
        } else {
            // One answer for every kind of bad ciphertext of the right length.
            let e = out.unwrap_err();
            assert!(
                e == Error::EncryptedDataInvalid || e == Error::EncryptedDataLenRange,
                "{id}: {e:?}"
            );
            invalid += 1;
        }
    }
    expect_counts("rsa_oaep.json", (valid, invalid), (8, 14));
}

fn ecdsa_file(file: &str, curve: EcCurve, min: (usize, usize)) {
    let (mut valid, mut invalid) = (0, 0);
    for c in cases(file) {
        let id = s(&c, "id");
        let key = EcPublicKey::from_point(curve, &hx(&c, "public")).unwrap();
        let digest = digest(hash_named(s(&c, "sha")), &hx(&c, "msg")).unwrap();
        let verdict = key.verify_digest(&digest, &hx(&c, "sig"));
        if s(&c, "result") == "valid" {
            assert_eq!(verdict, Ok(()), "{file} {id}");
            valid += 1;
        } else {
            assert!(verdict.is_err(), "{file} {id}");
            invalid += 1;
        }
    }
    expect_counts(file, (valid, invalid), min);
}

#[test]
fn ecdsa_wycheproof_p256_p384_p521() {
    ecdsa_file("ecdsa_p256.json", EcCurve::P256, (19, 16));
    ecdsa_file("ecdsa_p384.json", EcCurve::P384, (18, 15));
    ecdsa_file("ecdsa_p521.json", EcCurve::P521, (20, 23));
}

fn ecdh_file(file: &str, curve: EcCurve, min: (usize, usize)) {
    let (mut valid, mut invalid) = (0, 0);
    for c in cases(file) {
        let id = s(&c, "id");
        let key = EcPrivateKey::from_scalar(curve, &hx(&c, "private")).unwrap();
        let out = key.ecdh(&hx(&c, "public"));
        match s(&c, "result") {
            "valid" => {
                assert_eq!(*out.unwrap(), hx(&c, "shared"), "{file} {id}");
                valid += 1;
            }
            "invalid" => {
                assert_eq!(out, Err(Error::MechanismParamInvalid), "{file} {id}");
                invalid += 1;
            }
            // Compressed peer points: this wrapper takes uncompressed points only.
            _ => assert_eq!(out, Err(Error::MechanismParamInvalid), "{file} {id}"),
        }
    }
    expect_counts(file, (valid, invalid), min);
}

#[test]
fn ecdh_wycheproof_p256_p384_p521() {
    ecdh_file("ecdh_p256.json", EcCurve::P256, (14, 11));
    ecdh_file("ecdh_p384.json", EcCurve::P384, (12, 9));
    ecdh_file("ecdh_p521.json", EcCurve::P521, (14, 8));
}
