//! The pure-Rust backend over the RustCrypto crates (the default build).

// CK_ULONG is u64 on Unix but u32 on Windows: the casts clippy calls unnecessary here are
// needed there.
#![allow(clippy::unnecessary_cast)]

mod ec;
pub(crate) mod hash;
mod kdf;
mod pqc;
mod rsa;
mod symmetric;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    CipherCtx, CipherMode, CryptoBackend, Curve, Digest, Direction, EcPrivateParts, EcPublicParts,
    HashAlg, Mac, MlDsaSet, MlKemSet, PqKeyPair, PrivateKeyMaterial, PrivateKeyOps, ProviderEntry,
    PublicKeyOps, Rng, RsaPrivateParts, RsaPublicParts, Streaming,
};
use std::sync::Arc;
use zeroize::Zeroizing;

/// The RustCrypto backend. Stateless: randomness comes from the module's DRBG.
pub struct RustCrypto;

/// This provider, for the module's list.
pub const PROVIDER: ProviderEntry = ProviderEntry {
    name: "rustcrypto",
    start: || Ok(Arc::new(RustCrypto)),
};

/// Lets RustCrypto APIs draw from the module's DRBG; remembers a DRBG failure so it is
/// reported as itself rather than as the crate's generic error.
pub(crate) struct RngAdapter<'a> {
    rng: &'a dyn Rng,
    failure: std::cell::RefCell<Option<Error>>,
}

impl<'a> RngAdapter<'a> {
    pub(crate) fn new(rng: &'a dyn Rng) -> Self {
        RngAdapter {
            rng,
            failure: std::cell::RefCell::new(None),
        }
    }

    /// The error to report: the generator's own failure if it failed, else `fallback`.
    pub(crate) fn error_or(&self, fallback: Error) -> Error {
        self.failure.borrow_mut().take().unwrap_or(fallback)
    }
}

#[derive(Debug)]
pub(crate) struct RngFailed;
impl std::fmt::Display for RngFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("random generator failed")
    }
}
impl std::error::Error for RngFailed {}

impl rand_core::TryRng for RngAdapter<'_> {
    type Error = RngFailed;
    fn try_next_u32(&mut self) -> std::result::Result<u32, RngFailed> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> std::result::Result<u64, RngFailed> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::result::Result<(), RngFailed> {
        self.rng.fill(dst).map_err(|e| {
            *self.failure.borrow_mut() = Some(e);
            RngFailed
        })
    }
}
impl rand_core::TryCryptoRng for RngAdapter<'_> {}

fn gcm_check(key: &[u8], nonce: &[u8]) -> Result<()> {
    if key.len() != 32 || nonce.len() != 12 {
        return Err(Error::general("store AEAD: bad key or nonce length"));
    }
    Ok(())
}

impl CryptoBackend for RustCrypto {
    fn name(&self) -> &'static str {
        "rustcrypto"
    }

    fn supports(&self, _mech: cryptoki_sys::CK_MECHANISM_TYPE) -> bool {
        // Every mechanism in the registry has a RustCrypto implementation.
        true
    }

    fn is_fips_module(&self) -> bool {
        false
    }

    fn streaming(&self) -> Streaming {
        Streaming::Prehash
    }

    fn min_rsa_bits(&self) -> u64 {
        1024
    }

    fn entropy(&self, buf: &mut [u8]) -> Result<()> {
        getrandom::fill(buf).map_err(|e| Error::general(format!("entropy source: {e}")))
    }

    fn digest(&self, alg: HashAlg) -> Result<Box<dyn Digest>> {
        Ok(hash::digest(alg))
    }

    fn digest_restore(&self, alg: HashAlg, state: &[u8]) -> Result<Box<dyn Digest>> {
        hash::digest_restore(alg, state)
    }

    fn hmac(&self, alg: HashAlg, key: &[u8]) -> Result<Box<dyn Mac>> {
        hash::hmac(alg, key)
    }

    fn pbkdf2_hmac_sha256(
        &self,
        secret: &[u8],
        salt: &[u8],
        iterations: u32,
        out: &mut [u8],
    ) -> Result<()> {
        pbkdf2::pbkdf2_hmac::<sha2::Sha256>(secret, salt, iterations, out);
        Ok(())
    }

    fn aes_gcm_seal(&self, key: &[u8], nonce: &[u8], aad: &[u8], pt: &[u8]) -> Result<Vec<u8>> {
        gcm_check(key, nonce)?;
        let cipher =
            aes_gcm::Aes256Gcm::new_from_slice(key).map_err(|_| Error::general("AEAD key"))?;
        let nonce = aes_gcm::Nonce::try_from(nonce).map_err(|_| Error::general("AEAD nonce"))?;
        cipher
            .encrypt(&nonce, Payload { msg: pt, aad })
            .map_err(|_| Error::general("AEAD seal"))
    }

    fn aes_gcm_open(
        &self,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        ct: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        gcm_check(key, nonce)?;
        let cipher =
            aes_gcm::Aes256Gcm::new_from_slice(key).map_err(|_| Error::general("AEAD key"))?;
        let nonce = aes_gcm::Nonce::try_from(nonce).map_err(|_| Error::general("AEAD nonce"))?;
        cipher
            .decrypt(&nonce, Payload { msg: ct, aad })
            .map(Zeroizing::new)
            .map_err(|_| Error::EncryptedDataInvalid)
    }

    fn generate_rsa(
        &self,
        bits: usize,
        public_exponent: &[u8],
        rng: &dyn Rng,
    ) -> Result<RsaPrivateParts> {
        rsa::generate(bits, public_exponent, rng)
    }

    fn generate_ec(&self, curve: Curve, rng: &dyn Rng) -> Result<EcPrivateParts> {
        ec::generate(curve, rng)
    }

    fn rsa_private(&self, parts: &RsaPrivateParts) -> Result<Arc<dyn PrivateKeyOps>> {
        Ok(Arc::new(rsa::load_private(parts)?))
    }

    fn rsa_public(&self, parts: &RsaPublicParts) -> Result<Arc<dyn PublicKeyOps>> {
        Ok(Arc::new(rsa::load_public(parts)?))
    }

    fn ec_private(&self, parts: &EcPrivateParts) -> Result<Arc<dyn PrivateKeyOps>> {
        Ok(Arc::new(ec::load_private(parts)?))
    }

    fn ec_public(&self, parts: &EcPublicParts) -> Result<Arc<dyn PublicKeyOps>> {
        Ok(Arc::new(ec::load_public(parts)?))
    }

    fn ec_public_point(&self, curve: Curve, scalar: &[u8]) -> Result<Vec<u8>> {
        ec::public_point(curve, scalar)
    }

    fn cipher(&self, mode: &CipherMode, key: &[u8], dir: Direction) -> Result<Box<dyn CipherCtx>> {
        symmetric::cipher(mode, key, dir)
    }

    fn cmac(&self, key: &[u8]) -> Result<Box<dyn Mac>> {
        symmetric::cmac(key)
    }

    fn aes_key_wrap(&self, key: &[u8], data: &[u8], pad: bool) -> Result<Vec<u8>> {
        symmetric::key_wrap(key, data, pad)
    }

    fn aes_key_unwrap(&self, key: &[u8], data: &[u8], pad: bool) -> Result<Zeroizing<Vec<u8>>> {
        symmetric::key_unwrap(key, data, pad)
    }

    fn hkdf_extract(&self, hash: HashAlg, salt: &[u8], ikm: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        kdf::hkdf_extract(hash, salt, ikm)
    }

    fn hkdf_expand(
        &self,
        hash: HashAlg,
        prk: &[u8],
        info: &[u8],
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>> {
        kdf::hkdf_expand(hash, prk, info, len)
    }

    fn x963_kdf(
        &self,
        hash: HashAlg,
        z: &[u8],
        shared_info: &[u8],
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>> {
        kdf::x963_kdf(hash, z, shared_info, len)
    }

    fn private_key_to_pkcs8(&self, key: &PrivateKeyMaterial) -> Result<Zeroizing<Vec<u8>>> {
        kdf::to_pkcs8(key)
    }

    fn private_key_from_pkcs8(&self, der: &[u8]) -> Result<PrivateKeyMaterial> {
        kdf::from_pkcs8(der)
    }

    fn ml_dsa_public_from_seed(&self, set: MlDsaSet, seed: &[u8]) -> Result<Vec<u8>> {
        pqc::ml_dsa_public_from_seed(set, seed)
    }

    fn ml_dsa_verify(&self, set: MlDsaSet, public: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
        pqc::ml_dsa_verify(set, public, msg, sig)
    }

    fn ml_kem_decapsulate(
        &self,
        set: MlKemSet,
        dk: &[u8],
        ct: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        pqc::ml_kem_decapsulate(set, dk, ct)
    }
    fn ml_dsa_context_and_deterministic(&self) -> bool {
        true
    }

    fn ml_dsa_generate(&self, set: MlDsaSet, seed: &[u8]) -> Result<PqKeyPair> {
        pqc::ml_dsa_generate(set, seed)
    }

    fn ml_dsa_private(
        &self,
        set: MlDsaSet,
        expanded: Option<&[u8]>,
        seed: Option<&[u8]>,
    ) -> Result<Arc<dyn PrivateKeyOps>> {
        pqc::ml_dsa_private(set, expanded, seed)
    }

    fn ml_dsa_public(&self, set: MlDsaSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
        pqc::ml_dsa_public(set, public)
    }

    fn ml_kem_generate(&self, set: MlKemSet, rng: &dyn Rng) -> Result<PqKeyPair> {
        pqc::ml_kem_generate(set, rng)
    }

    fn ml_kem_private(&self, set: MlKemSet, expanded: &[u8]) -> Result<Arc<dyn PrivateKeyOps>> {
        pqc::ml_kem_private(set, expanded)
    }

    fn ml_kem_public(&self, set: MlKemSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
        pqc::ml_kem_public(set, public)
    }
}
