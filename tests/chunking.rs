//! Multi-part operations cut at random places give exactly what the one-shot call gives
//! (proptest: random data, random chunkings, shrunk to a minimal case on failure).

mod common;

use common::keys::*;
use common::*;
use cryptoki::mechanism::Mechanism;
use cryptoki::mechanism::aead::GcmParams;
use cryptoki::object::{Attribute, KeyType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// `data` cut at `cuts` (positions taken modulo the length, in order).
fn chunks<'a>(data: &'a [u8], cuts: &[usize]) -> Vec<&'a [u8]> {
    let mut at: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
    at.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for a in at.into_iter().chain([data.len()]) {
        out.push(&data[start..a]);
        start = a;
    }
    out
}

/// A cipher, its whole input, and that input in chunks.
type Case<'a> = (Mechanism<'a>, &'a [u8], &'a [&'a [u8]]);

fn encrypt_parts(s: &Session, m: &Mechanism, k: ObjectHandle, parts: &[&[u8]]) -> Vec<u8> {
    s.encrypt_init(m, k).unwrap();
    let mut out = Vec::new();
    for p in parts {
        out.extend(s.encrypt_update(p).unwrap());
    }
    out.extend(s.encrypt_final().unwrap());
    out
}

fn decrypt_parts(s: &Session, m: &Mechanism, k: ObjectHandle, parts: &[&[u8]]) -> Vec<u8> {
    s.decrypt_init(m, k).unwrap();
    let mut out = Vec::new();
    for p in parts {
        out.extend(s.decrypt_update(p).unwrap());
    }
    out.extend(s.decrypt_final().unwrap());
    out
}

fn runner() -> TestRunner {
    TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    })
}

fn input() -> impl Strategy<Value = (Vec<u8>, Vec<usize>, Vec<usize>)> {
    (
        prop::collection::vec(any::<u8>(), 0..1200),
        prop::collection::vec(any::<usize>(), 0..8),
        prop::collection::vec(any::<usize>(), 0..8),
    )
}

#[test]
fn digests_and_macs_do_not_depend_on_the_chunking() {
    let env = Env::new("");
    let s = env.user_session();
    let hmac = s
        .create_object(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::KeyType(KeyType::GENERIC_SECRET),
            Attribute::Value(vec![0x11; 32]),
            Attribute::Sign(true),
            Attribute::Verify(true),
        ])
        .unwrap();
    let cmac = aes_key(&s, &[Attribute::Sign(true), Attribute::Verify(true)]);
    runner()
        .run(&input(), |(data, cuts, _)| {
            let parts = chunks(&data, &cuts);
            let whole = s.digest(&Mechanism::Sha256, &data).unwrap();
            s.digest_init(&Mechanism::Sha256).unwrap();
            for p in &parts {
                s.digest_update(p).unwrap();
            }
            prop_assert_eq!(s.digest_final().unwrap(), whole);
            for (m, k) in [(Mechanism::Sha256Hmac, hmac), (Mechanism::AesCMac, cmac)] {
                let whole = s.sign(&m, k, &data).unwrap();
                s.sign_init(&m, k).unwrap();
                for p in &parts {
                    s.sign_update(p).unwrap();
                }
                prop_assert_eq!(s.sign_final().unwrap(), whole.clone());
                s.verify_init(&m, k).unwrap();
                for p in &parts {
                    s.verify_update(p).unwrap();
                }
                s.verify_final(&whole).unwrap();
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn ciphers_do_not_depend_on_the_chunking() {
    let env = Env::new("");
    let s = env.user_session();
    let k = aes_key(&s, &[]);
    runner()
        .run(&input(), |(data, cuts, cuts2)| {
            let parts = chunks(&data, &cuts);
            let mut iv = [9u8; 12];
            let gcm = Mechanism::AesGcm(GcmParams::new(&mut iv, b"aad", 128.into()).unwrap());
            let blocks = &data[..data.len() / 16 * 16];
            let block_parts = chunks(blocks, &cuts);
            let cases: [Case; 4] = [
                (Mechanism::AesCbcPad(CBC_IV), &data, &parts),
                (gcm, &data, &parts),
                (Mechanism::AesCbc(CBC_IV), blocks, &block_parts),
                (Mechanism::AesEcb, blocks, &block_parts),
            ];
            for (m, plain, plain_parts) in cases {
                let whole = s.encrypt(&m, k, plain).unwrap();
                prop_assert_eq!(encrypt_parts(&s, &m, k, plain_parts), whole.clone());
                let ct_parts = chunks(&whole, &cuts2);
                prop_assert_eq!(decrypt_parts(&s, &m, k, &ct_parts), plain.to_vec());
            }
            Ok(())
        })
        .unwrap();
}

#[test]
fn signatures_do_not_depend_on_the_chunking() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = ec_pair(&s, &[Attribute::Sign(true)]);
    let (rsa_pub, rsa_priv) = rsa_pair(&s);
    runner()
        .run(&input(), |(data, cuts, cuts2)| {
            for (m, sk, pk) in [
                (Mechanism::EcdsaSha256, private, public),
                (Mechanism::Sha256RsaPkcs, rsa_priv, rsa_pub),
            ] {
                s.sign_init(&m, sk).unwrap();
                for p in chunks(&data, &cuts) {
                    s.sign_update(p).unwrap();
                }
                let sig = s.sign_final().unwrap();
                s.verify(&m, pk, &data, &sig).unwrap();
                s.verify_init(&m, pk).unwrap();
                for p in chunks(&data, &cuts2) {
                    s.verify_update(p).unwrap();
                }
                s.verify_final(&sig).unwrap();
            }
            // RSA PKCS#1 v1.5 is deterministic: the same bytes either way.
            let whole = s.sign(&Mechanism::Sha256RsaPkcs, rsa_priv, &data).unwrap();
            s.sign_init(&Mechanism::Sha256RsaPkcs, rsa_priv).unwrap();
            for p in chunks(&data, &cuts) {
                s.sign_update(p).unwrap();
            }
            prop_assert_eq!(s.sign_final().unwrap(), whole);
            Ok(())
        })
        .unwrap();
}
