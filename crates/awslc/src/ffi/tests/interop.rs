//! The wrapper and aws-lc-rs (the provider's other path into the same module) agree, both ways.

use super::super::*;
use super::digest_info;
use aws_lc_rs::encoding::{AsBigEndian, AsDer};
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{
    KeyPair, KeySize, OAEP_SHA256_MGF1SHA256, OaepPrivateDecryptingKey, OaepPublicEncryptingKey,
    PrivateDecryptingKey, PublicEncryptingKey, PublicKeyComponents,
};
use aws_lc_rs::signature::{self, EcdsaKeyPair, KeyPair as _, UnparsedPublicKey};
use aws_lc_rs::{agreement, digest as lc_digest};
use craton_hsm_crypto::HashAlg;

/// An aws-lc-rs RSA-2048 key pair and the same key through the wrapper.
fn rsa_pair() -> (KeyPair, RsaPrivateKey) {
    let kp = KeyPair::generate(KeySize::Rsa2048).unwrap();
    let parts = crate::der::rsa_parts_from_pkcs8(kp.as_der().unwrap().as_ref()).unwrap();
    (kp, RsaPrivateKey::from_parts(&parts).unwrap())
}

fn sha256(msg: &[u8]) -> Vec<u8> {
    lc_digest::digest(&lc_digest::SHA256, msg).as_ref().to_vec()
}

#[test]
fn rsa_pkcs1_raw_recovers_aws_lc_rs_signature_block() {
    let (kp, ours) = rsa_pair();
    let public = ours.public_key().unwrap();
    let msg = b"interop pkcs1";
    let mut sig = vec![0u8; kp.public_modulus_len()];
    kp.sign(
        &signature::RSA_PKCS1_SHA256,
        &SystemRandom::new(),
        msg,
        &mut sig,
    )
    .unwrap();
    let info = digest_info(HashAlg::Sha256, &sha256(msg));
    // Raw RSA on aws-lc-rs's signature yields the EMSA-PKCS1-v1_5 block over our DigestInfo.
    let mut block = vec![0x00, 0x01];
    block.resize(256 - info.len() - 1, 0xff);
    block.push(0x00);
    block.extend_from_slice(&info);
    assert_eq!(public.recover_raw(&sig).unwrap(), block);
    public.verify_pkcs1(&info, &sig).unwrap();
    // Deterministic padding: our CKM_RSA_PKCS signature over the DigestInfo is the same bytes.
    assert_eq!(ours.sign_pkcs1(&info).unwrap(), sig);
}

#[test]
fn rsa_pss_both_ways() {
    let (kp, ours) = rsa_pair();
    let parts = ours.parts();
    let public = ours.public_key().unwrap();
    let msg = b"interop pss";
    let p = PssParams {
        hash: HashAlg::Sha256,
        mgf1_hash: HashAlg::Sha256,
        salt_len: 32,
    };
    let mut sig = vec![0u8; 256];
    kp.sign(
        &signature::RSA_PSS_SHA256,
        &SystemRandom::new(),
        msg,
        &mut sig,
    )
    .unwrap();
    public.verify_pss(&sha256(msg), &sig, &p).unwrap();
    let ours_sig = ours.sign_pss(&sha256(msg), &p).unwrap();
    PublicKeyComponents {
        n: &parts.n[..],
        e: &parts.e[..],
    }
    .verify(&signature::RSA_PSS_2048_8192_SHA256, msg, &ours_sig)
    .unwrap();
}

#[test]
fn rsa_oaep_both_ways() {
    let (kp, ours) = rsa_pair();
    let public = ours.public_key().unwrap();
    let p = OaepParams {
        hash: HashAlg::Sha256,
        mgf1_hash: HashAlg::Sha256,
        label: b"lbl".to_vec(),
    };
    let der = kp.as_der().unwrap();
    let theirs =
        OaepPrivateDecryptingKey::new(PrivateDecryptingKey::from_pkcs8(der.as_ref()).unwrap())
            .unwrap();
    let theirs_pub = OaepPublicEncryptingKey::new(
        PublicEncryptingKey::from_der(
            PublicKeyComponents {
                n: &ours.parts().n[..],
                e: &ours.parts().e[..],
            }
            .as_der()
            .unwrap()
            .as_ref(),
        )
        .unwrap(),
    )
    .unwrap();
    let mut ct = vec![0u8; 256];
    let ct = theirs_pub
        .encrypt(
            &OAEP_SHA256_MGF1SHA256,
            b"to wrapper",
            &mut ct,
            Some(b"lbl"),
        )
        .unwrap()
        .to_vec();
    assert_eq!(*ours.decrypt_oaep(&ct, &p).unwrap(), b"to wrapper");
    let ct = public.encrypt_oaep(b"to aws-lc-rs", &p).unwrap();
    let mut out = vec![0u8; 256];
    let pt = theirs
        .decrypt(&OAEP_SHA256_MGF1SHA256, &ct, &mut out, Some(b"lbl"))
        .unwrap();
    assert_eq!(pt, b"to aws-lc-rs");
}

#[test]
fn ecdsa_both_ways_every_curve() {
    let cases: [(
        EcCurve,
        &'static signature::EcdsaSigningAlgorithm,
        &'static signature::EcdsaVerificationAlgorithm,
        &'static lc_digest::Algorithm,
    ); 3] = [
        (
            EcCurve::P256,
            &signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &signature::ECDSA_P256_SHA256_FIXED,
            &lc_digest::SHA256,
        ),
        (
            EcCurve::P384,
            &signature::ECDSA_P384_SHA384_FIXED_SIGNING,
            &signature::ECDSA_P384_SHA384_FIXED,
            &lc_digest::SHA384,
        ),
        (
            EcCurve::P521,
            &signature::ECDSA_P521_SHA512_FIXED_SIGNING,
            &signature::ECDSA_P521_SHA512_FIXED,
            &lc_digest::SHA512,
        ),
    ];
    for (curve, signing, verifying, hash) in cases {
        let msg = b"interop ecdsa";
        let digest = lc_digest::digest(hash, msg);
        let theirs = EcdsaKeyPair::generate(signing).unwrap();
        let sig = theirs.sign(&SystemRandom::new(), msg).unwrap();
        let their_public = EcPublicKey::from_point(curve, theirs.public_key().as_ref()).unwrap();
        their_public
            .verify_digest(digest.as_ref(), sig.as_ref())
            .unwrap();
        // Their private scalar through the wrapper gives their public point.
        let scalar = theirs.private_key().as_be_bytes().unwrap();
        let ours = EcPrivateKey::from_scalar(curve, scalar.as_ref()).unwrap();
        assert_eq!(ours.public_point().unwrap(), theirs.public_key().as_ref());
        let ours_sig = ours.sign_digest(digest.as_ref()).unwrap();
        UnparsedPublicKey::new(verifying, ours.public_point().unwrap())
            .verify(msg, &ours_sig)
            .unwrap();
    }
}

#[test]
fn ecdh_both_ways_every_curve() {
    for (curve, alg) in [
        (EcCurve::P256, &agreement::ECDH_P256),
        (EcCurve::P384, &agreement::ECDH_P384),
        (EcCurve::P521, &agreement::ECDH_P521),
    ] {
        let theirs = agreement::PrivateKey::generate(alg).unwrap();
        let their_point = theirs.compute_public_key().unwrap();
        let ours = EcPrivateKey::generate(curve).unwrap();
        let ours_secret = ours.ecdh(their_point.as_ref()).unwrap();
        let their_secret = agreement::agree(
            &theirs,
            agreement::UnparsedPublicKey::new(alg, ours.public_point().unwrap()),
            (),
            |z| Ok(z.to_vec()),
        )
        .unwrap();
        assert_eq!(*ours_secret, their_secret);
    }
}

#[test]
fn gcm_and_hmac_match_aws_lc_rs() {
    use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, Nonce, UnboundKey};
    use aws_lc_rs::hmac;
    let key = [9u8; 32];
    let iv = [3u8; 12];
    let theirs = LessSafeKey::new(UnboundKey::new(&AES_256_GCM, &key).unwrap());
    let mut data = b"same bytes".to_vec();
    theirs
        .seal_in_place_append_tag(Nonce::assume_unique_for_key(iv), Aad::from(b"a"), &mut data)
        .unwrap();
    assert_eq!(
        gcm_encrypt(&key, &iv, b"a", b"same bytes", 16).unwrap(),
        data
    );
    let tag = hmac::sign(&hmac::Key::new(hmac::HMAC_SHA224, b"k"), b"m");
    let mut ours = Hmac::new(HashAlg::Sha224, b"k").unwrap();
    ours.update(b"m").unwrap();
    assert_eq!(*ours.finish().unwrap(), tag.as_ref());
}
