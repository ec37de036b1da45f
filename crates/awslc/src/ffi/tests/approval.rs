//! Pins of what AWS-LC's service indicator counts for each wrapper call, so a change in AWS-LC
//! (or in which entry point the wrapper uses) shows up here before it shows up in the registry's
//! approved column. Keys are built outside the measured closure: each measurement is one
//! service.

use super::super::*;
use super::{digest_info, rsa2048};
use craton_hsm_crypto::HashAlg;

fn counted<T>(f: impl FnOnce() -> craton_hsm_crypto::error::Result<T>) -> bool {
    let (out, approved) = approved(f);
    out.unwrap_or_else(|e| panic!("service failed: {e:?}"));
    approved
}

#[test]
fn hashes_macs_random_and_key_wrap_count() {
    for hash in super::ALL_HASHES {
        assert!(counted(|| digest(hash, b"x")), "{hash:?}");
        assert!(
            counted(|| {
                let mut m = Hmac::new(hash, &[1; 32])?;
                m.update(b"x")?;
                m.finish()
            }),
            "HMAC {hash:?}"
        );
    }
    assert!(counted(|| random_bytes(&mut [0; 32])));
    // KW and KWP count for every KEK size, AES-192 included.
    for kek in [&[1u8; 16][..], &[1; 24], &[1; 32]] {
        let wrapped = kw_wrap(kek, &[2; 32]).unwrap();
        assert!(counted(|| kw_wrap(kek, &[2; 32])), "{}", kek.len());
        assert!(counted(|| kw_unwrap(kek, &wrapped)), "{}", kek.len());
        assert!(counted(|| kwp_wrap(kek, &[2; 20])), "{}", kek.len());
    }
    // Not counting anything is reported as such.
    assert!(!approved(|| ()).1);
}

#[test]
fn gcm_counts_decryption_and_module_iv_only() {
    for key in [&[5u8; 16][..], &[5; 32]] {
        let ct = gcm_encrypt(key, &[1; 12], b"", b"m", 16).unwrap();
        // A caller-chosen IV is never approved for encryption (SP 800-38D §8.2.2).
        assert!(!counted(|| gcm_encrypt(key, &[1; 12], b"", b"m", 16)));
        assert!(!counted(|| {
            let mut e = GcmEncryptor::new(key, &[1; 12], b"", 16)?;
            e.update(b"m")?;
            e.finish()
        }));
        // Decryption and module-generated IVs count.
        assert!(counted(|| gcm_decrypt(key, &[1; 12], b"", &ct, 16)));
        assert!(counted(|| {
            let mut d = GcmDecryptor::new(key, &[1; 12], b"", 16)?;
            d.update(&ct);
            d.finish()
        }));
        assert!(counted(|| gcm_encrypt_generated_iv(key, b"", b"m", 16)));
    }
    // AES-192-GCM never counts.
    let key = [5u8; 24];
    let ct = gcm_encrypt(&key, &[1; 12], b"", b"m", 16).unwrap();
    assert!(!counted(|| gcm_decrypt(&key, &[1; 12], b"", &ct, 16)));
}

#[test]
fn rsa_padding_and_raw_operations_do_not_count() {
    let key = RsaPrivateKey::from_parts(&rsa2048()).unwrap();
    let public = key.public_key().unwrap();
    let digest = digest(HashAlg::Sha256, b"m").unwrap();
    let info = digest_info(HashAlg::Sha256, &digest);
    let pss = PssParams {
        hash: HashAlg::Sha256,
        mgf1_hash: HashAlg::Sha256,
        salt_len: 32,
    };
    let oaep = OaepParams {
        hash: HashAlg::Sha256,
        mgf1_hash: HashAlg::Sha256,
        label: vec![],
    };
    let sig_pkcs1 = key.sign_pkcs1(&info).unwrap();
    let sig_pss = key.sign_pss(&digest, &pss).unwrap();
    let ct_oaep = public.encrypt_oaep(b"k", &oaep).unwrap();
    let ct_pkcs1 = public.encrypt_pkcs1(b"k").unwrap();
    // Signatures over caller-supplied digests or bytes: only EVP_DigestSign/Verify count.
    assert!(!counted(|| key.sign_pkcs1(&info)));
    assert!(!counted(|| public.verify_pkcs1(&info, &sig_pkcs1)));
    assert!(!counted(|| key.sign_pss(&digest, &pss)));
    assert!(!counted(|| public.verify_pss(&digest, &sig_pss, &pss)));
    assert!(!counted(|| key.sign_raw(&[1; 200])));
    assert!(!counted(|| public.recover_raw(&sig_pkcs1)));
    assert!(!counted(|| public.encrypt_raw(b"k")));
    assert!(!counted(|| key.decrypt_raw(&ct_pkcs1)));
    assert!(!counted(|| key.decrypt_pkcs1(&ct_pkcs1)));
    // RSA encryption padding lives outside AWS-LC's FIPS module and has no indicator hook, yet
    // these read `true`: the padding code calls the module's SHA-256 (label hash, MGF1) and
    // DRBG (seed, padding string) without locking the indicator, and those inner calls are
    // counted. The indicator cannot be trusted for OAEP or PKCS#1 v1.5 encryption either way;
    // this pin breaks if AWS-LC ever changes it, so the registry's column gets re-read.
    assert!(counted(|| public.encrypt_oaep(b"k", &oaep)));
    assert!(counted(|| key.decrypt_oaep(&ct_oaep, &oaep)));
    assert!(counted(|| public.encrypt_pkcs1(b"k")));
}

#[test]
fn rsa_generation_counts_whatever_the_exponent() {
    // e = 65537 runs RSA_generate_key_fips, the counted service.
    assert!(counted(|| RsaPrivateKey::generate(2048, &[1, 0, 1])));
    // Another exponent runs RSA_generate_key_ex + RSA_check_fips, which AWS-LC does not count
    // as a service, yet the indicator moves: the DRBG draws and the pairwise signature inside
    // are counted on their own. Only the exponent tells the two apart, so the registry decides
    // this one from e, not from the indicator.
    assert!(counted(|| RsaPrivateKey::generate(2048, &[1, 0, 3])));
}

#[test]
fn ec_generation_and_ecdh_count_ecdsa_over_a_digest_does_not() {
    for curve in [EcCurve::P256, EcCurve::P384, EcCurve::P521] {
        assert!(counted(|| EcPrivateKey::generate(curve)), "{curve:?}");
        let key = EcPrivateKey::generate(curve).unwrap();
        let peer = EcPrivateKey::generate(curve)
            .unwrap()
            .public_point()
            .unwrap();
        let public = key.public_key().unwrap();
        let digest = vec![7u8; 32];
        let sig = key.sign_digest(&digest).unwrap();
        // Importing a public point is not itself a counted service, so the ECDH pin below
        // measures the derivation.
        assert!(!counted(|| EcPublicKey::from_point(curve, &peer)));
        assert!(counted(|| key.ecdh(&peer)), "{curve:?}");
        assert!(!counted(|| key.sign_digest(&digest)), "{curve:?}");
        assert!(
            !counted(|| public.verify_digest(&digest, &sig)),
            "{curve:?}"
        );
    }
}

#[test]
fn hash_and_sign_inside_the_module_counts_as_aws_lc_decides() {
    let msg = b"m";
    for curve in [EcCurve::P256, EcCurve::P384, EcCurve::P521] {
        let key = EcPrivateKey::generate(curve).unwrap();
        let public = key.public_key().unwrap();
        // Any SHA-2/SHA-3 with any of the three curves (AWS-LC does not pair them by strength).
        for hash in [
            HashAlg::Sha224,
            HashAlg::Sha256,
            HashAlg::Sha384,
            HashAlg::Sha512,
            HashAlg::Sha3_256,
        ] {
            let sig = key.sign_message(hash, msg).unwrap();
            assert!(
                counted(|| key.sign_message(hash, msg)),
                "{curve:?} {hash:?}"
            );
            assert!(
                counted(|| public.verify_message(hash, msg, &sig)),
                "{curve:?} {hash:?}"
            );
        }
        // SHA-1: verification only.
        let sig = key.sign_message(HashAlg::Sha1, msg).unwrap();
        assert!(
            !counted(|| key.sign_message(HashAlg::Sha1, msg)),
            "{curve:?}"
        );
        assert!(
            counted(|| public.verify_message(HashAlg::Sha1, msg, &sig)),
            "{curve:?}"
        );
    }
    let key = RsaPrivateKey::from_parts(&rsa2048()).unwrap();
    let public = key.public_key().unwrap();
    for hash in [
        HashAlg::Sha224,
        HashAlg::Sha256,
        HashAlg::Sha512,
        HashAlg::Sha3_384,
    ] {
        assert!(counted(|| key.sign_pkcs1_message(hash, msg)), "{hash:?}");
        let standard = PssParams {
            hash,
            mgf1_hash: hash,
            salt_len: hash.output_len(),
        };
        let sig = key.sign_pss_message(msg, &standard).unwrap();
        assert!(counted(|| key.sign_pss_message(msg, &standard)), "{hash:?}");
        assert!(
            counted(|| public.verify_pss_message(msg, &sig, &standard)),
            "{hash:?}"
        );
        // Only salt = hLen with MGF1 over the message hash is counted.
        for other in [
            PssParams {
                salt_len: 0,
                ..standard
            },
            PssParams {
                mgf1_hash: HashAlg::Sha1,
                ..standard
            },
        ] {
            let sig = key.sign_pss_message(msg, &other).unwrap();
            assert!(!counted(|| key.sign_pss_message(msg, &other)), "{other:?}");
            assert!(
                !counted(|| public.verify_pss_message(msg, &sig, &other)),
                "{other:?}"
            );
        }
    }
    let sig = key.sign_pkcs1_message(HashAlg::Sha1, msg).unwrap();
    assert!(!counted(|| key.sign_pkcs1_message(HashAlg::Sha1, msg)));
    assert!(counted(|| public.verify_pkcs1_message(
        HashAlg::Sha1,
        msg,
        &sig
    )));
}
