//! Digests and HMACs over aws-lc-rs.

use aws_lc_rs::{digest, hmac};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{Digest, HashAlg, Mac};
use zeroize::Zeroizing;

pub(crate) fn hmac_alg(alg: HashAlg) -> Result<hmac::Algorithm> {
    Ok(match alg {
        HashAlg::Sha1 => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        HashAlg::Sha224 => hmac::HMAC_SHA224,
        HashAlg::Sha256 => hmac::HMAC_SHA256,
        HashAlg::Sha384 => hmac::HMAC_SHA384,
        HashAlg::Sha512 => hmac::HMAC_SHA512,
        // aws-lc-rs has no HMAC over SHA-3.
        _ => return Err(Error::MechanismInvalid),
    })
}

struct DigestCtx(digest::Context);

impl Digest for DigestCtx {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        self.0.finish().as_ref().to_vec()
    }
    fn box_clone(&self) -> Box<dyn Digest> {
        Box::new(DigestCtx(self.0.clone()))
    }
    fn save(&self) -> Option<Vec<u8>> {
        // aws-lc-rs keeps its hash state opaque.
        None
    }
}

pub(crate) fn digest(alg: &'static digest::Algorithm) -> Box<dyn Digest> {
    Box::new(DigestCtx(digest::Context::new(alg)))
}

struct HmacCtx(hmac::Context);

impl Mac for HmacCtx {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data);
    }
    fn finish(self: Box<Self>) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(self.0.sign().as_ref().to_vec())
    }
}

pub(crate) fn hmac(alg: hmac::Algorithm, key: &[u8]) -> Box<dyn Mac> {
    let key = hmac::Key::new(alg, key);
    Box::new(HmacCtx(hmac::Context::with_key(&key)))
}
