//! HMAC_DRBG with SHA-256 (NIST SP 800-90A Rev. 1, section 10.1.2), built on the active
//! backend's HMAC so the same generator runs, and is known-answer tested, on every backend.

use super::{HashAlg, Mac, Provider};
use crate::error::{Error, Result};
use zeroize::Zeroizing;

const OUTLEN: usize = 32;
/// SP 800-90A Table 2 allows 2^48 requests between reseeds; we reseed far more often.
pub const RESEED_INTERVAL: u64 = 1 << 12;
/// SP 800-90A Table 2: at most 2^19 bits per request.
pub const MAX_REQUEST_BYTES: usize = 1 << 16;

/// The DRBG's working state. It holds no backend; each call is given one.
pub struct HmacDrbg {
    k: Zeroizing<[u8; OUTLEN]>,
    v: Zeroizing<[u8; OUTLEN]>,
    reseed_counter: u64,
}

impl HmacDrbg {
    /// Instantiate (10.1.2.3) from entropy input, nonce and personalization string.
    pub fn instantiate(
        be: &Provider,
        entropy: &[u8],
        nonce: &[u8],
        personalization: &[u8],
    ) -> Result<Self> {
        let mut drbg = HmacDrbg {
            k: Zeroizing::new([0u8; OUTLEN]),
            v: Zeroizing::new([1u8; OUTLEN]),
            reseed_counter: 1,
        };
        drbg.update(be, &[entropy, nonce, personalization])?;
        Ok(drbg)
    }

    /// Reseed (10.1.2.4).
    pub fn reseed(&mut self, be: &Provider, entropy: &[u8], additional: &[u8]) -> Result<()> {
        self.update(be, &[entropy, additional])?;
        self.reseed_counter = 1;
        Ok(())
    }

    /// Whether the next generate call needs a reseed first.
    pub fn needs_reseed(&self) -> bool {
        self.reseed_counter > RESEED_INTERVAL
    }

    /// Generate (10.1.2.5). `on_block` sees every V block produced, for the continuous test.
    pub fn generate(
        &mut self,
        be: &Provider,
        out: &mut [u8],
        additional: &[u8],
        mut on_block: impl FnMut(&[u8; OUTLEN]) -> Result<()>,
    ) -> Result<()> {
        if out.len() > MAX_REQUEST_BYTES {
            return Err(Error::DataLenRange);
        }
        if self.needs_reseed() {
            return Err(Error::general("HMAC_DRBG: reseed required"));
        }
        if !additional.is_empty() {
            self.update(be, &[additional])?;
        }
        // Every V block and the update's first new K are HMACs under this K: keyed once.
        let keyed = self.keyed(be)?;
        for chunk in out.chunks_mut(OUTLEN) {
            let v = self.hmac(be, &*keyed, &[&self.v[..]])?;
            self.v.copy_from_slice(&v);
            on_block(&self.v)?;
            chunk.copy_from_slice(&self.v[..chunk.len()]);
        }
        self.update_keyed(be, keyed, &[additional])?;
        self.reseed_counter += 1;
        Ok(())
    }

    /// HMAC_DRBG_Update (10.1.2.2); `provided` is the concatenation of its parts.
    fn update(&mut self, be: &Provider, provided: &[&[u8]]) -> Result<()> {
        let keyed = self.keyed(be)?;
        self.update_keyed(be, keyed, provided)
    }

    /// HMAC_DRBG_Update with an HMAC already keyed with the current K.
    fn update_keyed(
        &mut self,
        be: &Provider,
        mut keyed: Box<dyn Mac>,
        provided: &[&[u8]],
    ) -> Result<()> {
        let empty = provided.iter().all(|p| p.is_empty());
        for round in [0u8, 1u8] {
            if round == 1 && empty {
                break;
            }
            let mut parts: Vec<&[u8]> = vec![&self.v[..], std::slice::from_ref(&round)];
            parts.extend_from_slice(provided);
            let k = self.hmac(be, &*keyed, &parts)?;
            self.k.copy_from_slice(&k);
            keyed = self.keyed(be)?;
            let v = self.hmac(be, &*keyed, &[&self.v[..]])?;
            self.v.copy_from_slice(&v);
        }
        Ok(())
    }

    /// An HMAC-SHA256 keyed with the current K.
    fn keyed(&self, be: &Provider) -> Result<Box<dyn Mac>> {
        be.hmac(HashAlg::Sha256, &self.k[..])
    }

    /// HMAC(K, parts) from `keyed` (keyed with the current K), copied where the provider can;
    /// otherwise keyed again.
    fn hmac(&self, be: &Provider, keyed: &dyn Mac, parts: &[&[u8]]) -> Result<Zeroizing<Vec<u8>>> {
        let mut mac = match keyed.try_clone() {
            Some(mac) => mac,
            None => self.keyed(be)?,
        };
        for p in parts {
            mac.update(p);
        }
        Ok(mac.finish())
    }
}
