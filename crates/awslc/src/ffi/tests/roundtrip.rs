//! Round trips over the parameter space the wrapper opens up, and its refusals.

use super::super::*;
use super::{ALL_HASHES, digest_info, rsa2048, rsa8192};
use craton_hsm_crypto::HashAlg;
use craton_hsm_crypto::error::Error;

#[test]
fn pss_every_hash_mgf_and_salt() {
    let key = RsaPrivateKey::from_parts(&rsa2048()).unwrap();
    let public = key.public_key().unwrap();
    let em_len = (key.bits() - 1).div_ceil(8);
    let mut checked = 0;
    for hash in ALL_HASHES {
        let digest = digest(hash, b"pss round trip").unwrap();
        let h = hash.output_len();
        for mgf1_hash in ALL_HASHES {
            for salt_len in [0, 1, h, em_len - h - 2] {
                let p = PssParams {
                    hash,
                    mgf1_hash,
                    salt_len,
                };
                let sig = key.sign_pss(&digest, &p).unwrap();
                assert_eq!(sig.len(), 256);
                public.verify_pss(&digest, &sig, &p).unwrap();
                // Another salt length, MGF hash or digest must not verify.
                let other_salt = PssParams {
                    salt_len: salt_len + 1,
                    ..p
                };
                assert!(public.verify_pss(&digest, &sig, &other_salt).is_err());
                if mgf1_hash != hash {
                    let other_mgf = PssParams {
                        mgf1_hash: hash,
                        ..p
                    };
                    assert_eq!(
                        public.verify_pss(&digest, &sig, &other_mgf),
                        Err(Error::SignatureInvalid)
                    );
                }
                let mut bad = digest.clone();
                bad[0] ^= 1;
                assert_eq!(
                    public.verify_pss(&bad, &sig, &p),
                    Err(Error::SignatureInvalid)
                );
                checked += 1;
            }
        }
        // A salt one byte too long for the key is a parameter error, not a failed signature.
        let too_long = PssParams {
            hash,
            mgf1_hash: hash,
            salt_len: em_len - h - 1,
        };
        assert_eq!(
            key.sign_pss(&digest, &too_long),
            Err(Error::MechanismParamInvalid)
        );
        // The digest must be the hash's length.
        assert_eq!(
            key.sign_pss(
                &digest[1..],
                &PssParams {
                    salt_len: 0,
                    ..too_long
                }
            ),
            Err(Error::DataLenRange)
        );
    }
    assert_eq!(checked, 9 * 9 * 4);
}

#[test]
fn oaep_every_hash_and_mgf_with_labels() {
    let key = RsaPrivateKey::from_parts(&rsa2048()).unwrap();
    let public = key.public_key().unwrap();
    for hash in ALL_HASHES {
        for mgf1_hash in [hash, HashAlg::Sha1, HashAlg::Sha3_512] {
            for label in [&b""[..], b"label", &[0u8; 300][..]] {
                let p = OaepParams {
                    hash,
                    mgf1_hash,
                    label: label.to_vec(),
                };
                let max = 256 - 2 * hash.output_len() - 2;
                for msg in [&b""[..], b"secret", &vec![0x5a; max][..]] {
                    let ct = public.encrypt_oaep(msg, &p).unwrap();
                    assert_eq!(*key.decrypt_oaep(&ct, &p).unwrap(), msg);
                    let wrong_label = OaepParams {
                        label: [label, b"x"].concat(),
                        ..p.clone()
                    };
                    assert_eq!(
                        key.decrypt_oaep(&ct, &wrong_label),
                        Err(Error::EncryptedDataInvalid)
                    );
                }
                assert_eq!(
                    public.encrypt_oaep(&vec![0; max + 1], &p),
                    Err(Error::DataLenRange)
                );
            }
        }
    }
}

#[test]
fn pkcs1_and_raw_rsa() {
    let key = RsaPrivateKey::from_parts(&rsa2048()).unwrap();
    let public = key.public_key().unwrap();
    for hash in ALL_HASHES {
        let info = digest_info(hash, &digest(hash, b"pkcs1").unwrap());
        let sig = key.sign_pkcs1(&info).unwrap();
        public.verify_pkcs1(&info, &sig).unwrap();
        assert_eq!(
            public.verify_pkcs1(&info[1..], &sig),
            Err(Error::SignatureInvalid)
        );
        // The raw public operation recovers the EMSA-PKCS1-v1_5 block.
        let block = public.recover_raw(&sig).unwrap();
        let ps = 256 - 3 - info.len();
        assert_eq!(block[..2], [0x00, 0x01]);
        assert!(block[2..2 + ps].iter().all(|b| *b == 0xff));
        assert_eq!(block[2 + ps], 0);
        assert_eq!(block[3 + ps..], info[..]);
        // ...and the raw private operation on that block is the same signature.
        assert_eq!(key.sign_raw(&block).unwrap(), sig);
        public.verify_raw(&block, &sig).unwrap();
    }
    // Up to k − 11 bytes of anything may be signed; one more is refused.
    assert!(key.sign_pkcs1(&[7; 245]).is_ok());
    assert_eq!(key.sign_pkcs1(&[7; 246]), Err(Error::DataLenRange));
    assert_eq!(
        public.verify_pkcs1(b"x", &[0; 255]),
        Err(Error::SignatureLenRange)
    );

    // X.509: short input is left-padded; ≥ n is refused; k bytes out both ways.
    let ct = public.encrypt_raw(b"\x01\x02\x03").unwrap();
    assert_eq!(ct.len(), 256);
    let pt = key.decrypt_raw(&ct).unwrap();
    assert_eq!(pt[..253], [0; 253]);
    assert_eq!(pt[253..], [1, 2, 3]);
    assert_eq!(public.encrypt_raw(&[0xff; 256]), Err(Error::DataInvalid));
    assert_eq!(key.sign_raw(&[0xff; 256]), Err(Error::DataInvalid));
    assert_eq!(
        key.decrypt_raw(&[0xff; 256]),
        Err(Error::EncryptedDataInvalid)
    );
    assert_eq!(public.encrypt_raw(&[1; 257]), Err(Error::DataLenRange));
    let sig = key.sign_raw(b"abc").unwrap();
    public.verify_raw(b"abc", &sig).unwrap();
    assert_eq!(
        public.verify_raw(b"abd", &sig),
        Err(Error::SignatureInvalid)
    );

    // PKCS#1 v1.5 encryption; a corrupted ciphertext is an error (see the module docs).
    let ct = public.encrypt_pkcs1(b"premaster").unwrap();
    assert_eq!(*key.decrypt_pkcs1(&ct).unwrap(), b"premaster");
    assert_ne!(
        public.encrypt_pkcs1(b"premaster").unwrap(),
        ct,
        "type 2 padding is random"
    );
    let mut bad = ct.clone();
    bad[10] ^= 0x40;
    assert_eq!(key.decrypt_pkcs1(&bad), Err(Error::EncryptedDataInvalid));
    assert_eq!(public.encrypt_pkcs1(&[0; 246]), Err(Error::DataLenRange));
    assert_eq!(
        key.decrypt_pkcs1(&ct[1..]),
        Err(Error::EncryptedDataLenRange)
    );
}

#[test]
fn rsa_parts_round_trip_with_and_without_crt() {
    let parts = rsa2048();
    let key = RsaPrivateKey::from_parts(&parts).unwrap();
    let back = key.parts();
    for (got, want) in [
        (&back.n, &parts.n),
        (&back.e, &parts.e),
        (&back.d, &parts.d),
        (&back.p, &parts.p),
        (&back.q, &parts.q),
        (&back.dp, &parts.dp),
        (&back.dq, &parts.dq),
        (&back.qinv, &parts.qinv),
    ] {
        assert_eq!(got, want);
    }
    let mut no_crt = parts.clone();
    for v in [
        &mut no_crt.p,
        &mut no_crt.q,
        &mut no_crt.dp,
        &mut no_crt.dq,
        &mut no_crt.qinv,
    ] {
        v.clear();
    }
    let plain = RsaPrivateKey::from_parts(&no_crt).unwrap();
    assert_eq!(
        plain.sign_pkcs1(b"same").unwrap(),
        key.sign_pkcs1(b"same").unwrap()
    );
    assert!(plain.parts().p.is_empty());
    // Half a CRT set is incomplete; a wrong d is refused by AWS-LC's key check.
    let mut half = parts.clone();
    half.q.clear();
    assert_eq!(
        RsaPrivateKey::from_parts(&half).err(),
        Some(Error::TemplateIncomplete)
    );
    let mut wrong = parts.clone();
    *wrong.d.last_mut().unwrap() ^= 2;
    assert_eq!(
        RsaPrivateKey::from_parts(&wrong).err(),
        Some(Error::AttributeValueInvalid)
    );
}

#[test]
fn rsa_generation_sizes_and_exponents() {
    for bits in [896, 1100, 2047, 2100, 8320] {
        assert_eq!(
            RsaPrivateKey::generate(bits, &[1, 0, 1]).err(),
            Some(Error::KeySizeRange),
            "{bits}"
        );
    }
    for e in [&[3u8][..], &[1, 0, 0], &[1, 0, 0, 0, 0], &[1, 0, 2]] {
        assert_eq!(
            RsaPrivateKey::generate(2048, e).err(),
            Some(Error::TemplateInconsistent),
            "{e:?}"
        );
    }
    let k = RsaPrivateKey::generate(2176, &[1, 0, 1]).unwrap();
    assert_eq!(k.bits(), 2176);
    let odd_e = RsaPrivateKey::generate(2048, &[0, 1, 0, 3]).unwrap();
    assert_eq!(odd_e.bits(), 2048);
    assert_eq!(odd_e.parts().e, [1, 0, 3]);
    let info = digest_info(HashAlg::Sha256, &[9; 32]);
    let sig = odd_e.sign_pkcs1(&info).unwrap();
    odd_e
        .public_key()
        .unwrap()
        .verify_pkcs1(&info, &sig)
        .unwrap();
}

/// Below FIPS 186-5's 2048 bits (the core allows it with `allow_weak_rsa` outside approved
/// mode): AWS-LC's non-FIPS generator makes the key, and the key signs, verifies and decrypts.
#[test]
fn rsa_1024_generation_and_use() {
    for e in [&[1u8, 0, 1][..], &[1, 0, 3]] {
        let key = RsaPrivateKey::generate(1024, e).unwrap();
        assert_eq!(key.bits(), 1024);
        let public = key.public_key().unwrap();
        let info = digest_info(HashAlg::Sha256, &[7; 32]);
        let sig = key.sign_pkcs1(&info).unwrap();
        assert_eq!(sig.len(), 128);
        public.verify_pkcs1(&info, &sig).unwrap();
        assert!(
            public
                .verify_pkcs1(&digest_info(HashAlg::Sha256, &[8; 32]), &sig)
                .is_err()
        );
        let p = PssParams {
            hash: HashAlg::Sha256,
            mgf1_hash: HashAlg::Sha256,
            salt_len: 32,
        };
        let sig = key.sign_pss(&[5; 32], &p).unwrap();
        public.verify_pss(&[5; 32], &sig, &p).unwrap();
        let params = OaepParams {
            hash: HashAlg::Sha1,
            mgf1_hash: HashAlg::Sha1,
            label: vec![],
        };
        let ct = public.encrypt_oaep(b"weak", &params).unwrap();
        assert_eq!(*key.decrypt_oaep(&ct, &params).unwrap(), b"weak");
        // The key survives the trip through PKCS#11 attributes.
        let again = RsaPrivateKey::from_parts(&key.parts()).unwrap();
        assert_eq!(again.bits(), 1024);
    }
}

#[test]
fn rsa_8192_sign_verify() {
    let key = rsa8192();
    assert_eq!(key.bits(), 8192);
    let public = key.public_key().unwrap();
    let digest = digest(HashAlg::Sha512, b"big key").unwrap();
    let p = PssParams {
        hash: HashAlg::Sha512,
        mgf1_hash: HashAlg::Sha512,
        salt_len: 64,
    };
    let sig = key.sign_pss(&digest, &p).unwrap();
    assert_eq!(sig.len(), 1024);
    public.verify_pss(&digest, &sig, &p).unwrap();
    let info = digest_info(HashAlg::Sha512, &digest);
    let sig = key.sign_pkcs1(&info).unwrap();
    public.verify_pkcs1(&info, &sig).unwrap();
    let params = OaepParams {
        hash: HashAlg::Sha512,
        mgf1_hash: HashAlg::Sha256,
        label: vec![],
    };
    let ct = public.encrypt_oaep(b"8192", &params).unwrap();
    assert_eq!(*key.decrypt_oaep(&ct, &params).unwrap(), b"8192");
}

#[test]
fn ec_every_curve_any_digest_length() {
    for curve in [EcCurve::P256, EcCurve::P384, EcCurve::P521] {
        let key = EcPrivateKey::generate(curve).unwrap();
        let public = key.public_key().unwrap();
        assert_eq!(public.point().unwrap(), key.public_point().unwrap());
        assert_eq!((key.curve(), public.curve()), (curve, curve));
        // Rebuilt from its scalar, the key has the same public point.
        let scalar = key.scalar().unwrap();
        assert_eq!(scalar.len(), curve.len());
        let again = EcPrivateKey::from_scalar(curve, &scalar).unwrap();
        assert_eq!(again.public_point().unwrap(), key.public_point().unwrap());
        for hash in ALL_HASHES {
            let digest = digest(hash, b"ecdsa").unwrap();
            let sig = key.sign_digest(&digest).unwrap();
            assert_eq!(sig.len(), 2 * curve.len());
            public.verify_digest(&digest, &sig).unwrap();
            let mut bad = sig.clone();
            bad[3] ^= 1;
            assert_eq!(
                public.verify_digest(&digest, &bad),
                Err(Error::SignatureInvalid)
            );
        }
        // Raw digests of odd lengths (CKM_ECDSA takes any length).
        for len in [1, 20, 65, 100] {
            let sig = key.sign_digest(&vec![0xa5; len]).unwrap();
            public.verify_digest(&vec![0xa5; len], &sig).unwrap();
        }
        assert_eq!(key.sign_digest(&[]), Err(Error::DataLenRange));
        assert_eq!(
            public.verify_digest(&[1], &[0; 10]),
            Err(Error::SignatureLenRange)
        );
        // ECDH both ways.
        let other = EcPrivateKey::generate(curve).unwrap();
        let a = key.ecdh(&other.public_point().unwrap()).unwrap();
        let b = other.ecdh(&key.public_point().unwrap()).unwrap();
        assert_eq!(*a, *b);
        assert_eq!(a.len(), curve.len());
    }
}

#[test]
fn ec_refusals() {
    let n_p256 =
        hex::decode("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551").unwrap();
    assert_eq!(
        EcPrivateKey::from_scalar(EcCurve::P256, &n_p256).err(),
        Some(Error::AttributeValueInvalid)
    );
    assert_eq!(
        EcPrivateKey::from_scalar(EcCurve::P256, &[0; 32]).err(),
        Some(Error::AttributeValueInvalid)
    );
    assert_eq!(
        EcPrivateKey::from_scalar(EcCurve::P256, &[1; 33]).err(),
        Some(Error::AttributeValueInvalid)
    );
    let p384 = EcPrivateKey::generate(EcCurve::P384).unwrap();
    let p256 = EcPrivateKey::generate(EcCurve::P256).unwrap();
    // A point of another curve, a compressed point, a point off the curve.
    assert_eq!(
        p384.ecdh(&p256.public_point().unwrap()).err(),
        Some(Error::MechanismParamInvalid)
    );
    let mut point = p256.public_point().unwrap();
    let compressed = [&[2 + (point[64] & 1)][..], &point[1..33]].concat();
    assert_eq!(
        p256.ecdh(&compressed).err(),
        Some(Error::MechanismParamInvalid)
    );
    point[64] ^= 1;
    assert_eq!(p256.ecdh(&point).err(), Some(Error::MechanismParamInvalid));
    assert_eq!(
        EcPublicKey::from_point(EcCurve::P256, &point).err(),
        Some(Error::AttributeValueInvalid)
    );
    assert_eq!(
        EcCurve::try_from(craton_hsm_crypto::Curve::P384),
        Ok(EcCurve::P384)
    );
    assert_eq!(
        EcCurve::try_from(craton_hsm_crypto::Curve::Ed25519),
        Err(Error::KeyTypeInconsistent)
    );
}

#[test]
fn gcm_iv_and_tag_lengths() {
    for key_len in [16, 24, 32] {
        let key = vec![0x42; key_len];
        for iv_len in [1, 8, 12, 13, 16, 64, 256] {
            let iv = vec![0x17; iv_len];
            for tag_len in [4, 8, 12, 13, 14, 15, 16] {
                let ct = gcm_encrypt(&key, &iv, b"aad", b"message", tag_len).unwrap();
                assert_eq!(ct.len(), 7 + tag_len);
                assert_eq!(
                    *gcm_decrypt(&key, &iv, b"aad", &ct, tag_len).unwrap(),
                    b"message"
                );
                assert_eq!(
                    gcm_decrypt(&key, &iv, b"aaD", &ct, tag_len),
                    Err(Error::EncryptedDataInvalid)
                );
                // The short tag is the full tag truncated.
                let full = gcm_encrypt(&key, &iv, b"aad", b"message", 16).unwrap();
                assert_eq!(ct, full[..7 + tag_len]);
            }
        }
        for tag_len in [0, 1, 3, 5, 9, 11, 17] {
            assert_eq!(
                gcm_encrypt(&key, &[0; 12], b"", b"m", tag_len),
                Err(Error::MechanismParamInvalid),
                "{tag_len}"
            );
        }
        assert_eq!(
            gcm_encrypt(&key, &[], b"", b"m", 16),
            Err(Error::MechanismParamInvalid)
        );
        assert_eq!(
            gcm_decrypt(&key, &[0; 12], b"", &[0; 5], 4).map(|_| ()),
            Err(Error::EncryptedDataInvalid)
        );
        assert_eq!(
            gcm_decrypt(&key, &[0; 12], b"", &[0; 3], 16),
            Err(Error::EncryptedDataLenRange)
        );
    }
    assert_eq!(
        gcm_encrypt(&[0; 20], &[0; 12], b"", b"m", 16),
        Err(Error::KeySizeRange)
    );
}

#[test]
fn gcm_generated_iv() {
    for key_len in [16, 32] {
        let key = vec![0x24; key_len];
        for tag_len in [4, 8, 12, 16] {
            let (iv, ct) = gcm_encrypt_generated_iv(&key, b"hdr", b"payload", tag_len).unwrap();
            assert_eq!(iv.len(), 12);
            assert_eq!(ct.len(), 7 + tag_len);
            assert_eq!(
                *gcm_decrypt(&key, &iv, b"hdr", &ct, tag_len).unwrap(),
                b"payload"
            );
            // Same key, same input: the module never repeats an IV.
            let (iv2, _) = gcm_encrypt_generated_iv(&key, b"hdr", b"payload", tag_len).unwrap();
            assert_ne!(iv, iv2);
        }
    }
    // AWS-LC has no module-IV GCM for 192-bit keys.
    assert_eq!(
        gcm_encrypt_generated_iv(&[0; 24], b"", b"m", 16),
        Err(Error::KeySizeRange)
    );
}

#[test]
fn gcm_decryptor_releases_nothing_before_the_tag() {
    let key = [7u8; 32];
    let ct = gcm_encrypt(&key, &[1; 12], b"", &[0x33; 100], 16).unwrap();
    let mut dec = GcmDecryptor::new(&key, &[1; 12], b"", 16).unwrap();
    dec.update(&ct[..50]);
    dec.update(&ct[50..]);
    assert_eq!(dec.held(), 116);
    assert_eq!(*dec.finish().unwrap(), [0x33; 100]);
    let mut forged = ct.clone();
    forged[115] ^= 1;
    let mut dec = GcmDecryptor::new(&key, &[1; 12], b"", 16).unwrap();
    dec.update(&forged);
    assert_eq!(dec.finish(), Err(Error::EncryptedDataInvalid));
}

#[test]
fn key_wrap_every_kek_size() {
    for kek_len in [16, 24, 32] {
        let kek = vec![0x5c; kek_len];
        for len in [16, 24, 32, 64] {
            let data = vec![0xa1; len];
            let wrapped = kw_wrap(&kek, &data).unwrap();
            assert_eq!(wrapped.len(), len + 8);
            assert_eq!(*kw_unwrap(&kek, &wrapped).unwrap(), data);
            let mut bad = wrapped.clone();
            bad[0] ^= 1;
            assert_eq!(kw_unwrap(&kek, &bad), Err(Error::EncryptedDataInvalid));
        }
        for len in [1, 7, 8, 9, 20, 33] {
            let data = vec![0xa2; len];
            let wrapped = kwp_wrap(&kek, &data).unwrap();
            assert_eq!(*kwp_unwrap(&kek, &wrapped).unwrap(), data);
        }
        assert_eq!(kw_wrap(&kek, &[0; 20]), Err(Error::DataLenRange));
        assert_eq!(kw_wrap(&kek, &[0; 8]), Err(Error::DataLenRange));
        assert_eq!(kwp_wrap(&kek, &[]), Err(Error::DataLenRange));
        assert_eq!(kw_unwrap(&kek, &[0; 20]), Err(Error::EncryptedDataLenRange));
    }
    assert_eq!(kw_wrap(&[0; 20], &[0; 16]), Err(Error::KeySizeRange));
}

#[test]
fn hmac_and_digest_every_hash() {
    for hash in ALL_HASHES {
        assert_eq!(digest(hash, b"").unwrap().len(), hash.output_len());
        let tag = {
            let mut m = Hmac::new(hash, b"key").unwrap();
            m.update(b"data").unwrap();
            m.finish().unwrap()
        };
        assert_eq!(tag.len(), hash.output_len());
        let mut m = Hmac::new(hash, b"kez").unwrap();
        m.update(b"data").unwrap();
        assert_ne!(*m.finish().unwrap(), *tag);
        // Empty and long keys.
        Hmac::new(hash, b"").unwrap().finish().unwrap();
        Hmac::new(hash, &[1; 300]).unwrap().finish().unwrap();
    }
}

#[test]
fn random_bytes_fill() {
    let mut a = [0u8; 64];
    let mut b = [0u8; 64];
    random_bytes(&mut a).unwrap();
    random_bytes(&mut b).unwrap();
    assert_ne!(a, b);
    assert_ne!(a, [0; 64]);
    random_bytes(&mut []).unwrap();
}

#[test]
fn hash_inside_the_module_matches_hash_outside() {
    let key = RsaPrivateKey::from_parts(&rsa2048()).unwrap();
    let public = key.public_key().unwrap();
    let msg = b"hashed inside AWS-LC";
    for hash in ALL_HASHES {
        let d = digest(hash, msg).unwrap();
        // PKCS#1 v1.5 is deterministic: both paths give the same bytes.
        let sig = key.sign_pkcs1_message(hash, msg).unwrap();
        assert_eq!(
            sig,
            key.sign_pkcs1(&digest_info(hash, &d)).unwrap(),
            "{hash:?}"
        );
        public.verify_pkcs1_message(hash, msg, &sig).unwrap();
        assert_eq!(
            public.verify_pkcs1_message(hash, b"other", &sig),
            Err(Error::SignatureInvalid)
        );
        for (mgf1_hash, salt_len) in [(hash, hash.output_len()), (HashAlg::Sha1, 0), (hash, 7)] {
            let p = PssParams {
                hash,
                mgf1_hash,
                salt_len,
            };
            let sig = key.sign_pss_message(msg, &p).unwrap();
            public.verify_pss(&d, &sig, &p).unwrap();
            public.verify_pss_message(msg, &sig, &p).unwrap();
            let digest_sig = key.sign_pss(&d, &p).unwrap();
            public.verify_pss_message(msg, &digest_sig, &p).unwrap();
            assert_eq!(
                public.verify_pss_message(b"other", &sig, &p),
                Err(Error::SignatureInvalid)
            );
        }
    }
    for curve in [EcCurve::P256, EcCurve::P384, EcCurve::P521] {
        let key = EcPrivateKey::generate(curve).unwrap();
        let public = key.public_key().unwrap();
        for hash in ALL_HASHES {
            let d = digest(hash, msg).unwrap();
            let sig = key.sign_message(hash, msg).unwrap();
            assert_eq!(sig.len(), 2 * curve.len());
            public.verify_digest(&d, &sig).unwrap();
            public.verify_message(hash, msg, &sig).unwrap();
            let digest_sig = key.sign_digest(&d).unwrap();
            public.verify_message(hash, msg, &digest_sig).unwrap();
            assert_eq!(
                public.verify_message(hash, b"other", &sig),
                Err(Error::SignatureInvalid)
            );
            assert_eq!(
                public.verify_message(hash, msg, &sig[1..]),
                Err(Error::SignatureLenRange)
            );
        }
    }
}
