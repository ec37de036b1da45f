//! Digests and HMACs over the RustCrypto hash crates.

use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{Digest, HashAlg, Mac};
use sha2::digest::common::hazmat::{SerializableState, SerializedState};
use zeroize::Zeroizing;

/// Runs `$body` with `$D` bound to the RustCrypto type of `$alg`.
macro_rules! with_hash {
    ($alg:expr, $D:ident => $body:expr) => {
        match $alg {
            HashAlg::Sha1 => {
                type $D = sha1::Sha1;
                $body
            }
            HashAlg::Sha224 => {
                type $D = sha2::Sha224;
                $body
            }
            HashAlg::Sha256 => {
                type $D = sha2::Sha256;
                $body
            }
            HashAlg::Sha384 => {
                type $D = sha2::Sha384;
                $body
            }
            HashAlg::Sha512 => {
                type $D = sha2::Sha512;
                $body
            }
            HashAlg::Sha3_224 => {
                type $D = sha3::Sha3_224;
                $body
            }
            HashAlg::Sha3_256 => {
                type $D = sha3::Sha3_256;
                $body
            }
            HashAlg::Sha3_384 => {
                type $D = sha3::Sha3_384;
                $body
            }
            HashAlg::Sha3_512 => {
                type $D = sha3::Sha3_512;
                $body
            }
        }
    };
}
pub(crate) use with_hash;

struct DigestCtx<D>(D);

impl<D> Digest for DigestCtx<D>
where
    D: sha2::Digest + SerializableState + Clone + Send + 'static,
{
    fn update(&mut self, data: &[u8]) {
        sha2::Digest::update(&mut self.0, data);
    }
    fn finish(self: Box<Self>) -> Vec<u8> {
        self.0.finalize().to_vec()
    }
    fn box_clone(&self) -> Box<dyn Digest> {
        Box::new(DigestCtx(self.0.clone()))
    }
    fn save(&self) -> Option<Vec<u8>> {
        Some(self.0.serialize().to_vec())
    }
}

pub(crate) fn digest(alg: HashAlg) -> Box<dyn Digest> {
    with_hash!(alg, D => Box::new(DigestCtx(<D as sha2::Digest>::new())))
}

pub(crate) fn digest_restore(alg: HashAlg, state: &[u8]) -> Result<Box<dyn Digest>> {
    with_hash!(alg, D => {
        let s = SerializedState::<D>::try_from(state).map_err(|_| Error::SavedStateInvalid)?;
        let d = D::deserialize(&s).map_err(|_| Error::SavedStateInvalid)?;
        Ok(Box::new(DigestCtx(d)))
    })
}

/// One-shot hash.
pub(crate) fn hash(alg: HashAlg, data: &[u8]) -> Vec<u8> {
    let mut d = digest(alg);
    d.update(data);
    d.finish()
}

/// A running HMAC: `Hmac` (the key's inner and outer blocks hashed once, at keying) for SHA-1
/// and SHA-2, `SimpleHmac` for SHA-3 (its sponge has no eager core).
struct HmacCtx<M>(M);

impl<M> Mac for HmacCtx<M>
where
    M: hmac::Mac + Clone + Send + 'static,
{
    fn update(&mut self, data: &[u8]) {
        hmac::Mac::update(&mut self.0, data);
    }
    fn finish(self: Box<Self>) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(hmac::Mac::finalize(self.0).into_bytes().to_vec())
    }
    fn try_clone(&self) -> Option<Box<dyn Mac>> {
        Some(Box::new(HmacCtx(self.0.clone())))
    }
}

fn keyed<M: hmac::Mac + hmac::KeyInit + Clone + Send + 'static>(
    key: &[u8],
) -> Result<Box<dyn Mac>> {
    let mac = <M as hmac::KeyInit>::new_from_slice(key).map_err(|_| Error::KeySizeRange)?;
    Ok(Box::new(HmacCtx(mac)))
}

pub(crate) fn hmac(alg: HashAlg, key: &[u8]) -> Result<Box<dyn Mac>> {
    match alg {
        HashAlg::Sha1 => keyed::<hmac::Hmac<sha1::Sha1>>(key),
        HashAlg::Sha224 => keyed::<hmac::Hmac<sha2::Sha224>>(key),
        HashAlg::Sha256 => keyed::<hmac::Hmac<sha2::Sha256>>(key),
        HashAlg::Sha384 => keyed::<hmac::Hmac<sha2::Sha384>>(key),
        HashAlg::Sha512 => keyed::<hmac::Hmac<sha2::Sha512>>(key),
        HashAlg::Sha3_224 => keyed::<hmac::SimpleHmac<sha3::Sha3_224>>(key),
        HashAlg::Sha3_256 => keyed::<hmac::SimpleHmac<sha3::Sha3_256>>(key),
        HashAlg::Sha3_384 => keyed::<hmac::SimpleHmac<sha3::Sha3_384>>(key),
        HashAlg::Sha3_512 => keyed::<hmac::SimpleHmac<sha3::Sha3_512>>(key),
    }
}
