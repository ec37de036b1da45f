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

/// `SimpleHmac` works for every hash here, SHA-3 included (its sponge has no eager core).
struct HmacCtx<D: sha2::Digest + sha2::digest::block_api::BlockSizeUser>(hmac::SimpleHmac<D>);

impl<D> Mac for HmacCtx<D>
where
    D: sha2::Digest + sha2::digest::block_api::BlockSizeUser + Send + 'static,
{
    fn update(&mut self, data: &[u8]) {
        hmac::Mac::update(&mut self.0, data);
    }
    fn finish(self: Box<Self>) -> Zeroizing<Vec<u8>> {
        Zeroizing::new(hmac::Mac::finalize(self.0).into_bytes().to_vec())
    }
}

pub(crate) fn hmac(alg: HashAlg, key: &[u8]) -> Result<Box<dyn Mac>> {
    use hmac::KeyInit;
    with_hash!(alg, D => {
        let mac = hmac::SimpleHmac::<D>::new_from_slice(key).map_err(|_| Error::KeySizeRange)?;
        Ok(Box::new(HmacCtx(mac)))
    })
}
