//! The two providers side by side: the same random operations through the RustCrypto and the
//! AWS-LC tables must give the same bytes (or each verify the other's signatures). Runs in a
//! build that carries both, through the provider interface the core uses.

#![cfg(all(feature = "rustcrypto-backend", feature = "awslc-backend"))]

use craton_hsm_crypto::{
    CipherMode, Curve, Direction, HashAlg, Provider, Rng, SignInput, SignScheme,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

fn providers() -> (&'static Provider, &'static Provider) {
    (
        (craton_hsm_rustcrypto::PROVIDER.start)().expect("RustCrypto"),
        (craton_hsm_awslc::PROVIDER.start)().expect("AWS-LC"),
    )
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 64,
        failure_persistence: None,
        ..Config::default()
    })
}

/// Random bytes for key generation, from the test's own seed.
struct Bytes(std::sync::Mutex<u64>);

impl Rng for Bytes {
    fn fill(&self, buf: &mut [u8]) -> craton_hsm_crypto::error::Result<()> {
        let mut s = self.0.lock().unwrap();
        for b in buf {
            *s = s
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            *b = (*s >> 33) as u8;
        }
        Ok(())
    }
}

/// The hashes both providers have.
fn common_hashes(a: &Provider, b: &Provider) -> Vec<HashAlg> {
    a.hashes
        .iter()
        .map(|h| h.alg())
        .filter(|h| b.hash(*h).is_some())
        .collect()
}

#[test]
fn digests_and_macs_agree() {
    let (rc, lc) = providers();
    let hashes = common_hashes(rc, lc);
    assert!(hashes.len() >= 7, "{hashes:?}");
    runner()
        .run(
            &(
                prop::collection::vec(any::<u8>(), 0..600),
                prop::collection::vec(any::<u8>(), 1..100),
                0..hashes.len(),
            ),
            |(data, key, i)| {
                let h = hashes[i];
                let run = |p: &Provider| {
                    let mut d = p.digest(h).unwrap();
                    d.update(&data);
                    d.finish()
                };
                prop_assert_eq!(run(rc), run(lc));
                if rc.mac(craton_hsm_crypto::MacAlg::Hmac(h)).is_some()
                    && lc.mac(craton_hsm_crypto::MacAlg::Hmac(h)).is_some()
                {
                    let mac = |p: &Provider| {
                        let mut m = p.hmac(h, &key).unwrap();
                        m.update(&data);
                        m.finish()
                    };
                    prop_assert_eq!(mac(rc), mac(lc));
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn aes_modes_and_key_wraps_agree() {
    let (rc, lc) = providers();
    runner()
        .run(
            &(
                prop::collection::vec(any::<u8>(), 0..400),
                prop::sample::select(vec![16usize, 24, 32]),
                any::<[u8; 32]>(),
                any::<[u8; 16]>(),
            ),
            |(data, klen, keybytes, iv)| {
                let key = &keybytes[..klen];
                let blocks = &data[..data.len() / 16 * 16];
                let modes = [
                    (CipherMode::Ecb, blocks),
                    (CipherMode::Cbc { iv }, blocks),
                    (CipherMode::CbcPad { iv }, &data[..]),
                    (
                        CipherMode::Ctr {
                            block: iv,
                            counter_bits: 128,
                        },
                        &data[..],
                    ),
                    (
                        CipherMode::Gcm {
                            iv: iv[..12].to_vec(),
                            aad: b"aad".to_vec(),
                            tag_len: 16,
                        },
                        &data[..],
                    ),
                ];
                for (mode, input) in modes {
                    let run = |p: &Provider, dir, input: &[u8]| {
                        let mut c = p.cipher(&mode, key, dir).unwrap();
                        let mut out = c.update(input).unwrap();
                        out.extend_from_slice(&c.finish().unwrap());
                        out
                    };
                    let ct = run(rc, Direction::Encrypt, input);
                    prop_assert_eq!(&ct, &run(lc, Direction::Encrypt, input));
                    prop_assert_eq!(run(lc, Direction::Decrypt, &ct), input.to_vec());
                }
                // AES-KW and KWP under the key sizes both wrap with.
                if klen != 24 && data.len() >= 16 {
                    let k = &data[..data.len() / 8 * 8];
                    for pad in [false, true] {
                        let w = rc.aes_key_wrap(key, k, pad).unwrap();
                        prop_assert_eq!(&w, &lc.aes_key_wrap(key, k, pad).unwrap());
                        prop_assert_eq!(lc.aes_key_unwrap(key, &w, pad).unwrap().to_vec(), k);
                    }
                }
                Ok(())
            },
        )
        .unwrap();
}

#[test]
fn hkdf_agrees() {
    let (rc, lc) = providers();
    runner()
        .run(
            &(
                prop::collection::vec(any::<u8>(), 1..80),
                prop::collection::vec(any::<u8>(), 0..40),
                prop::collection::vec(any::<u8>(), 0..40),
                1usize..200,
            ),
            |(ikm, salt, info, len)| {
                for h in [HashAlg::Sha256, HashAlg::Sha384, HashAlg::Sha512] {
                    let run = |p: &Provider| {
                        let prk = p.hkdf_extract(h, &salt, &ikm).unwrap();
                        p.hkdf_expand(h, &prk, &info, len).unwrap().to_vec()
                    };
                    prop_assert_eq!(run(rc), run(lc));
                }
                Ok(())
            },
        )
        .unwrap();
}

fn ec_public(k: &craton_hsm_crypto::EcPrivateParts) -> craton_hsm_crypto::EcPublicParts {
    craton_hsm_crypto::EcPublicParts {
        curve: k.curve,
        point: k.point.clone(),
    }
}

#[test]
fn signatures_verify_across_providers() {
    let (rc, lc) = providers();
    let rng = Bytes(std::sync::Mutex::new(7));
    let rsa = rc.keys.generate_rsa(2048, &[1, 0, 1], &rng).unwrap();
    let ec = rc.keys.generate_ec(Curve::P256, &rng).unwrap();
    let keys = [
        (
            rc.keys.rsa_private(&rsa).unwrap(),
            lc.keys.rsa_private(&rsa).unwrap(),
            lc.keys.rsa_public(&rsa.public()).unwrap(),
            rc.keys.rsa_public(&rsa.public()).unwrap(),
            SignScheme::RsaPkcs1 {
                hash: Some(HashAlg::Sha256),
            },
        ),
        (
            rc.keys.ec_private(&ec).unwrap(),
            lc.keys.ec_private(&ec).unwrap(),
            lc.keys.ec_public(&ec_public(&ec)).unwrap(),
            rc.keys.ec_public(&ec_public(&ec)).unwrap(),
            SignScheme::Ecdsa {
                hash: Some(HashAlg::Sha256),
            },
        ),
    ];
    runner()
        .run(&prop::collection::vec(any::<u8>(), 0..500), |msg| {
            for (rc_sk, lc_sk, lc_pk, rc_pk, scheme) in &keys {
                let m = SignInput::Message(&msg);
                let a = rc_sk.sign(scheme, m, &rng).unwrap();
                let b = lc_sk.sign(scheme, m, &rng).unwrap();
                prop_assert!(lc_pk.verify(scheme, m, &a).is_ok());
                prop_assert!(rc_pk.verify(scheme, m, &b).is_ok());
                if matches!(scheme, SignScheme::RsaPkcs1 { .. }) {
                    // Deterministic: the same bytes from both.
                    prop_assert_eq!(a, b);
                }
            }
            Ok(())
        })
        .unwrap();
}
