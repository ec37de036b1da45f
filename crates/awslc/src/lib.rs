//! The AWS-LC backend: aws-lc-rs built with its `fips` feature, i.e. the AWS-LC FIPS 140-3
//! module. Every cryptographic operation of this build runs here; where aws-lc-rs lacks a
//! primitive the mechanism is not offered (`supports`), and docs/fips.md lists the gaps.

// CK_ULONG is u64 on Unix but u32 on Windows: the casts clippy calls unnecessary here are
// needed there.
#![allow(clippy::unnecessary_cast)]

mod der;
mod ec;
mod hash;
mod kdf;
mod pqc;
mod rsa;
mod symmetric;

use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    CipherCtx, CipherMode, CryptoBackend, Curve, Digest, Direction, EcPrivateParts, EcPublicParts,
    HashAlg, Mac, MlDsaSet, MlKemSet, PqKeyPair, PrivateKeyMaterial, PrivateKeyOps, ProviderEntry,
    PublicKeyOps, Rng, RsaPrivateParts, RsaPublicParts, Streaming,
};
use cryptoki_sys::*;
use std::num::NonZeroU32;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The AWS-LC backend.
pub struct AwsLc;

/// This provider, for the module's list.
pub const PROVIDER: ProviderEntry = ProviderEntry {
    name: "awslc",
    start: || Ok(Arc::new(AwsLc::new()?)),
};

impl AwsLc {
    /// Checks that AWS-LC runs as its FIPS module (it has already run its own power-on tests
    /// and integrity check when the library was loaded).
    pub fn new() -> std::result::Result<AwsLc, String> {
        aws_lc_rs::try_fips_mode().map_err(|e| format!("AWS-LC is not in FIPS mode: {e}"))?;
        Ok(AwsLc)
    }
}

impl CryptoBackend for AwsLc {
    fn name(&self) -> &'static str {
        "awslc"
    }

    fn supports(&self, mech: CK_MECHANISM_TYPE) -> bool {
        craton_hsm_crypto::gaps::awslc_missing(mech).is_none()
    }

    fn is_fips_module(&self) -> bool {
        true
    }

    fn streaming(&self) -> Streaming {
        // AWS-LC's approved signature service hashes the message itself.
        Streaming::Buffer
    }

    fn min_rsa_bits(&self) -> u64 {
        // aws-lc-rs generates 2048, 3072 and 4096-bit keys and verifies from 2048 bits.
        2048
    }

    fn ecdsa_curve_follows_hash(&self) -> bool {
        true
    }

    fn entropy(&self, buf: &mut [u8]) -> Result<()> {
        aws_lc_rs::rand::fill(buf).map_err(|_| Error::general("AWS-LC random generator"))
    }

    fn digest(&self, alg: HashAlg) -> Result<Box<dyn Digest>> {
        hash::digest(alg)
    }

    fn digest_restore(&self, _alg: HashAlg, _state: &[u8]) -> Result<Box<dyn Digest>> {
        // Nothing this backend saves can be restored (see `Digest::save`).
        Err(Error::SavedStateInvalid)
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
        let n = NonZeroU32::new(iterations)
            .ok_or_else(|| Error::general("PBKDF2 with zero iterations"))?;
        aws_lc_rs::pbkdf2::derive(aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256, n, salt, secret, out);
        Ok(())
    }

    fn aes_gcm_seal(&self, key: &[u8], nonce: &[u8], aad: &[u8], pt: &[u8]) -> Result<Vec<u8>> {
        let mode = CipherMode::Gcm {
            iv: nonce.to_vec(),
            aad: aad.to_vec(),
            tag_len: 16,
        };
        let mut c = symmetric::cipher(&mode, key, Direction::Encrypt)?;
        c.update(pt)?;
        Ok(c.finish()?.to_vec())
    }

    fn aes_gcm_open(
        &self,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        ct: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let mode = CipherMode::Gcm {
            iv: nonce.to_vec(),
            aad: aad.to_vec(),
            tag_len: 16,
        };
        let mut c = symmetric::cipher(&mode, key, Direction::Decrypt)?;
        c.update(ct)?;
        c.finish()
    }

    fn generate_rsa(
        &self,
        bits: usize,
        public_exponent: &[u8],
        _rng: &dyn Rng,
    ) -> Result<RsaPrivateParts> {
        // Key generation draws on AWS-LC's own approved DRBG.
        rsa::generate(bits, public_exponent)
    }

    fn generate_ec(&self, curve: Curve, _rng: &dyn Rng) -> Result<EcPrivateParts> {
        ec::generate(curve)
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
        _hash: HashAlg,
        _z: &[u8],
        _shared_info: &[u8],
        _len: usize,
    ) -> Result<Zeroizing<Vec<u8>>> {
        // aws-lc-rs has no ANSI X9.63 KDF: only CKD_NULL is offered on this backend.
        Err(Error::MechanismParamInvalid)
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
        false
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

    fn ml_kem_generate(&self, set: MlKemSet, _rng: &dyn Rng) -> Result<PqKeyPair> {
        pqc::ml_kem_generate(set)
    }

    fn ml_kem_private(&self, set: MlKemSet, expanded: &[u8]) -> Result<Arc<dyn PrivateKeyOps>> {
        pqc::ml_kem_private(set, expanded)
    }

    fn ml_kem_public(&self, set: MlKemSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
        pqc::ml_kem_public(set, public)
    }
}
