//! The module's one sealing format for its own secrets (stored objects, the token key under a
//! PIN, saved operation states): AES-256-GCM under a random 96-bit nonce, the blob being
//! nonce ‖ ciphertext ‖ tag.

use super::{Provider, Rng};
use crate::error::{Error, Result};
use zeroize::Zeroizing;

const NONCE_LEN: usize = 12;
const TAG_LEN: usize = 16;

/// Seals `pt` with `aad` under `key`.
pub fn seal(p: &Provider, rng: &dyn Rng, key: &[u8], aad: &[u8], pt: &[u8]) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    rng.fill(&mut nonce)?;
    let mut out = nonce.to_vec();
    out.extend(p.aes_gcm_seal(key, &nonce, aad, pt)?);
    Ok(out)
}

/// Opens a sealed blob; `bad` is the error for a blob that is short or fails authentication.
pub fn open(
    p: &Provider,
    key: &[u8],
    aad: &[u8],
    blob: &[u8],
    bad: Error,
) -> Result<Zeroizing<Vec<u8>>> {
    if blob.len() < NONCE_LEN + TAG_LEN {
        return Err(bad);
    }
    let (nonce, ct) = blob.split_at(NONCE_LEN);
    p.aes_gcm_open(key, nonce, aad, ct).map_err(|_| bad)
}
