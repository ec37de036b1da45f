//! Digests and HMACs over aws-lc-rs, and through AWS-LC's C API (`ffi`) the ones aws-lc-rs
//! lacks (SHA3-224, HMAC over SHA-3).

use crate::ffi;
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
    fn try_clone(&self) -> Option<Box<dyn Mac>> {
        Some(Box::new(HmacCtx(self.0.clone())))
    }
}

pub(crate) fn hmac(alg: hmac::Algorithm, key: &[u8]) -> Box<dyn Mac> {
    let key = hmac::Key::new(alg, key);
    Box::new(HmacCtx(hmac::Context::with_key(&key)))
}

// The provider interface's running hashes and MACs cannot fail once started. AWS-LC's update
// and final calls fail only on a context that was never initialised or on allocation failure
// (which Rust treats as fatal anyway), so a failure there is a broken invariant: panic, which
// the C ABI turns into CKR_GENERAL_ERROR.

struct FfiDigest(ffi::Digest);

impl Digest for FfiDigest {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data).expect("AWS-LC digest update");
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        self.0.finish().expect("AWS-LC digest final")
    }
    fn box_clone(&self) -> Box<dyn Digest> {
        Box::new(FfiDigest(self.0.try_clone().expect("AWS-LC digest copy")))
    }
    fn save(&self) -> Option<Vec<u8>> {
        None
    }
}

/// A running hash through the C API (for hashes aws-lc-rs lacks).
pub(crate) fn ffi_digest(alg: HashAlg) -> Box<dyn Digest> {
    Box::new(FfiDigest(
        ffi::Digest::new(alg).expect("AWS-LC digest init"),
    ))
}

struct FfiHmac(ffi::Hmac);

impl Mac for FfiHmac {
    fn update(&mut self, data: &[u8]) {
        self.0.update(data).expect("AWS-LC HMAC update");
    }
    fn finish(self: Box<Self>) -> Zeroizing<Vec<u8>> {
        self.0.finish().expect("AWS-LC HMAC final")
    }
}

/// HMAC through the C API (over the SHA-3 hashes aws-lc-rs lacks).
pub(crate) fn ffi_hmac(alg: HashAlg, key: &[u8]) -> Result<Box<dyn Mac>> {
    Ok(Box::new(FfiHmac(ffi::Hmac::new(alg, key)?)))
}
