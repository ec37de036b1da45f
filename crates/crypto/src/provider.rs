//! A crypto provider as a value: tables of what it can do (rustls' `CryptoProvider` is the
//! model). Algorithms that run on bytes (hashes, MACs, ciphers, key wraps, KDFs) are objects
//! with an identity, a FIPS flag and fallible operations; signature, encryption, agreement and
//! KEM schemes, whose operations run on parsed keys, are descriptors with the constraints the
//! provider holds them to. The core checks each request against these tables at `C_*Init`, and
//! derives the mechanism list, `C_GetMechanismInfo` and the docs from them.

use crate::cipher::{CipherCtx, CipherMode, Direction};
use crate::error::{Error, Result};
use crate::key::{
    Curve, EcPrivateParts, EcPublicParts, PrivateKeyMaterial, RsaPrivateParts, RsaPublicParts,
};
use crate::pqc::{MlDsaSet, MlKemSet, PqKeyPair};
use crate::{Digest, HashAlg, Mac, PrivateKeyOps, PublicKeyOps, Rng, Streaming};
use std::sync::Arc;
use zeroize::Zeroizing;

/// A hash function.
pub trait HashAlgorithm: Sync {
    fn alg(&self) -> HashAlg;
    fn fips(&self) -> bool;
    fn start(&self) -> Box<dyn Digest>;
    /// A running hash from `Digest::save` output (`CKR_SAVED_STATE_INVALID` where the provider
    /// cannot restore one).
    fn resume(&self, _saved: &[u8]) -> Result<Box<dyn Digest>> {
        Err(Error::SavedStateInvalid)
    }
}

/// MACs the token offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacAlg {
    Hmac(HashAlg),
    /// AES-CMAC (SP 800-38B).
    Cmac,
}

pub trait MacAlgorithm: Sync {
    fn alg(&self) -> MacAlg;
    fn fips(&self) -> bool;
    /// The key lengths it takes (`None`: any).
    fn key_bytes(&self) -> Option<&'static [usize]> {
        None
    }
    fn start(&self, key: &[u8]) -> Result<Box<dyn Mac>>;
}

/// AES modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CipherKind {
    Ecb,
    Cbc,
    CbcPad,
    Ctr,
    Gcm,
    /// Three-key Triple DES, ECB and CBC (with or without padding): legacy, never approved.
    Des3Ecb,
    Des3Cbc,
}

impl CipherKind {
    pub fn of(mode: &CipherMode) -> CipherKind {
        match mode {
            CipherMode::Ecb => CipherKind::Ecb,
            CipherMode::Cbc { .. } => CipherKind::Cbc,
            CipherMode::CbcPad { .. } => CipherKind::CbcPad,
            CipherMode::Ctr { .. } => CipherKind::Ctr,
            CipherMode::Gcm { .. } => CipherKind::Gcm,
            CipherMode::Des3Ecb => CipherKind::Des3Ecb,
            CipherMode::Des3Cbc { .. } => CipherKind::Des3Cbc,
        }
    }
}

/// The parameters an AES mode takes here: key sizes, and for GCM the IV and tag lengths (bytes).
#[derive(Debug, Clone, Copy)]
pub struct CipherRules {
    pub key_bytes: &'static [usize],
    pub iv_bytes: (usize, usize),
    pub tag_bytes: &'static [usize],
}

impl CipherRules {
    /// Checks a request: `CKR_KEY_SIZE_RANGE` for the key, `CKR_MECHANISM_PARAM_INVALID` for
    /// the IV and tag.
    pub fn check(&self, mode: &CipherMode, key_len: usize) -> Result<()> {
        if !self.key_bytes.contains(&key_len) {
            return Err(Error::KeySizeRange);
        }
        if let CipherMode::Gcm { iv, tag_len, .. } = mode {
            let (lo, hi) = self.iv_bytes;
            if iv.len() < lo || iv.len() > hi || !self.tag_bytes.contains(tag_len) {
                return Err(Error::MechanismParamInvalid);
            }
        }
        Ok(())
    }
}

pub trait CipherAlgorithm: Sync {
    fn kind(&self) -> CipherKind;
    fn rules(&self) -> CipherRules;
    fn fips(&self) -> bool;
    fn start(&self, mode: &CipherMode, key: &[u8], dir: Direction) -> Result<Box<dyn CipherCtx>>;
}

/// Three-key Triple DES (ECB or CBC) as a provider offers it: 24-byte keys, an 8-byte CBC IV,
/// legacy and never approved; the provider supplies the mode and its own set-up.
pub struct Des3Cipher {
    pub kind: CipherKind,
    pub start: CipherStart,
}

/// A provider's set-up of a cipher mode under a key.
pub type CipherStart = fn(&CipherMode, &[u8], Direction) -> Result<Box<dyn CipherCtx>>;

impl CipherAlgorithm for Des3Cipher {
    fn kind(&self) -> CipherKind {
        self.kind
    }
    fn rules(&self) -> CipherRules {
        CipherRules {
            key_bytes: &[24],
            iv_bytes: (8, 8),
            tag_bytes: &[],
        }
    }
    fn fips(&self) -> bool {
        false
    }
    fn start(&self, mode: &CipherMode, key: &[u8], dir: Direction) -> Result<Box<dyn CipherCtx>> {
        (self.start)(mode, key, dir)
    }
}

/// AES key wrap (SP 800-38F).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrapKind {
    Kw,
    Kwp,
}

pub trait WrapAlgorithm: Sync {
    fn kind(&self) -> WrapKind;
    fn key_bytes(&self) -> &'static [usize];
    fn fips(&self) -> bool;
    fn wrap(&self, key: &[u8], data: &[u8]) -> Result<Vec<u8>>;
    fn unwrap(&self, key: &[u8], data: &[u8]) -> Result<Zeroizing<Vec<u8>>>;
}

/// Key derivation functions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KdfAlg {
    /// RFC 5869 (SP 800-56C two-step).
    Hkdf(HashAlg),
    /// ANSI X9.63, behind `CKD_SHA*_KDF`.
    X963(HashAlg),
    /// SP 800-56C Rev. 2 §4.1's one-step KDF with a hash (option 1), behind
    /// `CKD_SHA*_KDF_SP800`.
    OneStep(HashAlg),
    /// PBKDF2 with HMAC over the hash (the token's PIN derivation).
    Pbkdf2(HashAlg),
}

pub trait KdfAlgorithm: Sync {
    fn alg(&self) -> KdfAlg;
    fn fips(&self) -> bool;
    /// HKDF-Extract: the pseudorandom key.
    fn extract(&self, _salt: &[u8], _ikm: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        Err(Error::MechanismInvalid)
    }
    /// HKDF-Expand, X9.63 or the one-step KDF (`input` is Z, `info` the shared or fixed
    /// info), or PBKDF2 (`input` is the secret, `info` the salt, `iterations` its count).
    fn derive(
        &self,
        input: &[u8],
        info: &[u8],
        iterations: u32,
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>>;
}

/// Signature scheme families (key type and padding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigKind {
    RsaPkcs1,
    RsaPss,
    RsaRaw,
    Ecdsa,
    EdDsa,
    MlDsa,
    /// HashML-DSA: `SigInput::Digest` for `CKM_HASH_ML_DSA`, `Hashed` for the named hashes.
    HashMlDsa,
}

/// What a signature scheme is applied to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SigInput {
    /// The message, hashed by the scheme with this hash.
    Hashed(HashAlg),
    /// A digest (or, for PKCS#1 v1.5, a DigestInfo) the caller computed.
    Digest,
    /// The message itself (EdDSA, ML-DSA, raw RSA).
    Pure,
}

/// Which keys a scheme takes.
#[derive(Debug, Clone, Copy)]
pub enum KeyRule {
    /// RSA moduli in this range of bits.
    Rsa {
        min_bits: u64,
        max_bits: u64,
    },
    Curves(&'static [Curve]),
    MlDsa(&'static [MlDsaSet]),
    MlKem(&'static [MlKemSet]),
}

impl KeyRule {
    /// Whether a key of `bits` (RSA) or on `curve` is taken.
    pub fn takes(&self, bits: Option<usize>, curve: Option<Curve>) -> bool {
        match self {
            KeyRule::Rsa { min_bits, max_bits } => {
                bits.is_none_or(|b| (*min_bits..=*max_bits).contains(&(b as u64)))
            }
            KeyRule::Curves(c) => curve.is_none_or(|k| c.contains(&k)),
            KeyRule::MlDsa(_) | KeyRule::MlKem(_) => true,
        }
    }
}

/// PSS and OAEP parameter rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParamRule {
    /// Any value the standard allows.
    Any,
    /// The salt is as long as the hash, or the MGF1 hash is the message hash.
    SameAsHash,
}

/// A signature scheme the provider offers, and the constraints it holds it to.
#[derive(Debug, Clone, Copy)]
pub struct SignatureScheme {
    pub kind: SigKind,
    pub input: SigInput,
    /// Which keys: a provider that pairs curves with hashes lists each pairing as its own
    /// scheme.
    pub keys: KeyRule,
    /// PSS: salt length and MGF1 hash.
    pub salt: ParamRule,
    pub mgf: ParamRule,
    /// A context string is taken (Ed25519ctx, ML-DSA and HashML-DSA).
    pub context: bool,
    /// ML-DSA: the deterministic variant is taken.
    pub deterministic: bool,
    /// How multi-part input is fed.
    pub streaming: Streaming,
    pub fips: bool,
}

/// RSA encryption schemes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncKind {
    Pkcs1,
    Raw,
    Oaep,
}

/// An RSA encryption scheme the provider offers.
#[derive(Debug, Clone, Copy)]
pub struct EncryptionScheme {
    pub kind: EncKind,
    pub keys: KeyRule,
    /// OAEP hashes, and whether the MGF1 hash may differ from it.
    pub hashes: &'static [HashAlg],
    pub mgf: ParamRule,
    pub fips: bool,
}

/// Key generation the provider offers.
#[derive(Debug, Clone, Copy)]
pub struct Generation {
    pub rsa_bits: (u64, u64),
    pub curves: &'static [Curve],
    pub ml_dsa: &'static [MlDsaSet],
    pub ml_kem: &'static [MlKemSet],
}

/// What the provider does not offer, and why (for the docs).
#[derive(Debug, Clone, Copy)]
pub struct Note {
    pub what: &'static str,
    pub why: &'static str,
}

/// Keys: parsing PKCS#11 key material into provider objects, generation, conversions.
pub trait KeyFactory: Sync {
    fn rsa_private(&self, parts: &RsaPrivateParts) -> Result<Arc<dyn PrivateKeyOps>>;
    fn rsa_public(&self, parts: &RsaPublicParts) -> Result<Arc<dyn PublicKeyOps>>;
    fn ec_private(&self, parts: &EcPrivateParts) -> Result<Arc<dyn PrivateKeyOps>>;
    fn ec_public(&self, parts: &EcPublicParts) -> Result<Arc<dyn PublicKeyOps>>;
    /// The public point of a private scalar (uncompressed SEC1, or raw for Edwards curves).
    fn ec_public_point(&self, curve: Curve, scalar: &[u8]) -> Result<Vec<u8>>;
    fn generate_rsa(
        &self,
        bits: usize,
        public_exponent: &[u8],
        rng: &dyn Rng,
    ) -> Result<RsaPrivateParts>;
    fn generate_ec(&self, curve: Curve, rng: &dyn Rng) -> Result<EcPrivateParts>;
    /// A private key as PKCS#8 `PrivateKeyInfo` DER (what `C_WrapKey` wraps).
    fn to_pkcs8(&self, key: &PrivateKeyMaterial) -> Result<Zeroizing<Vec<u8>>>;
    fn parse_pkcs8(&self, der: &[u8]) -> Result<PrivateKeyMaterial>;
    /// ML-DSA (FIPS 204) key pair from a 32-byte seed.
    fn ml_dsa_generate(&self, set: MlDsaSet, seed: &[u8]) -> Result<PqKeyPair>;
    /// An ML-DSA private key from its seed, or else from its expanded encoding.
    fn ml_dsa_private(
        &self,
        set: MlDsaSet,
        expanded: Option<&[u8]>,
        seed: Option<&[u8]>,
    ) -> Result<Arc<dyn PrivateKeyOps>>;
    fn ml_dsa_public(&self, set: MlDsaSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>>;
    /// ML-KEM (FIPS 203) key pair.
    fn ml_kem_generate(&self, set: MlKemSet, rng: &dyn Rng) -> Result<PqKeyPair>;
    fn ml_kem_private(&self, set: MlKemSet, expanded: &[u8]) -> Result<Arc<dyn PrivateKeyOps>>;
    fn ml_kem_public(&self, set: MlKemSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>>;
}

/// The entropy source that seeds the module's DRBG (the OS, or the validated module's own).
pub trait Entropy: Sync {
    fn fill(&self, buf: &mut [u8]) -> Result<()>;
}

/// A crypto provider.
pub struct Provider {
    /// The name `algorithms.crypto_backend` selects it by.
    pub name: &'static str,
    /// A validated module running in its approved mode: its approved algorithms are approved
    /// services.
    pub fips_module: bool,
    /// What `CK_TOKEN_INFO.model` says of a token running on this provider.
    pub token_model: &'static str,
    pub entropy: &'static dyn Entropy,
    /// `entropy` is this validated module's approved DRBG: the module serves every random
    /// byte straight from it (with its continuous output test) instead of running its own
    /// DRBG on top, so no random value comes from outside the module boundary.
    pub approved_drbg: bool,
    pub hashes: &'static [&'static dyn HashAlgorithm],
    pub macs: &'static [&'static dyn MacAlgorithm],
    pub ciphers: &'static [&'static dyn CipherAlgorithm],
    pub wraps: &'static [&'static dyn WrapAlgorithm],
    pub kdfs: &'static [&'static dyn KdfAlgorithm],
    pub signatures: &'static [SignatureScheme],
    pub encryptions: &'static [EncryptionScheme],
    /// ECDH curves.
    pub agreement: &'static [Curve],
    /// ML-KEM parameter sets it encapsulates and decapsulates.
    pub kems: &'static [MlKemSet],
    pub generation: Generation,
    pub keys: &'static dyn KeyFactory,
    pub notes: &'static [Note],
}

/// A provider a build carries, by name, and how to start it (AWS-LC refuses when its FIPS
/// module is not in FIPS mode).
#[derive(Clone, Copy)]
pub struct ProviderEntry {
    pub name: &'static str,
    pub start: fn() -> std::result::Result<&'static Provider, String>,
}

impl Provider {
    pub fn hash(&self, alg: HashAlg) -> Option<&'static dyn HashAlgorithm> {
        self.hashes.iter().copied().find(|h| h.alg() == alg)
    }

    pub fn mac(&self, alg: MacAlg) -> Option<&'static dyn MacAlgorithm> {
        self.macs.iter().copied().find(|m| m.alg() == alg)
    }

    pub fn cipher_of(&self, kind: CipherKind) -> Option<&'static dyn CipherAlgorithm> {
        self.ciphers.iter().copied().find(|c| c.kind() == kind)
    }

    pub fn wrap_of(&self, kind: WrapKind) -> Option<&'static dyn WrapAlgorithm> {
        self.wraps.iter().copied().find(|w| w.kind() == kind)
    }

    pub fn kdf(&self, alg: KdfAlg) -> Option<&'static dyn KdfAlgorithm> {
        self.kdfs.iter().copied().find(|k| k.alg() == alg)
    }

    /// The signature schemes of a kind applied to `input`.
    pub fn signature(&self, kind: SigKind, input: SigInput) -> Option<&SignatureScheme> {
        self.signatures
            .iter()
            .find(|s| s.kind == kind && s.input == input)
    }

    pub fn encryption(&self, kind: EncKind) -> Option<&EncryptionScheme> {
        self.encryptions.iter().find(|e| e.kind == kind)
    }

    // ---- shorthands for the operations the core runs on bytes -----------------------------

    pub fn digest(&self, alg: HashAlg) -> Result<Box<dyn Digest>> {
        Ok(self.hash(alg).ok_or(Error::MechanismInvalid)?.start())
    }

    pub fn digest_restore(&self, alg: HashAlg, saved: &[u8]) -> Result<Box<dyn Digest>> {
        self.hash(alg).ok_or(Error::MechanismInvalid)?.resume(saved)
    }

    pub fn hmac(&self, alg: HashAlg, key: &[u8]) -> Result<Box<dyn Mac>> {
        self.mac(MacAlg::Hmac(alg))
            .ok_or(Error::MechanismInvalid)?
            .start(key)
    }

    pub fn cmac(&self, key: &[u8]) -> Result<Box<dyn Mac>> {
        let m = self.mac(MacAlg::Cmac).ok_or(Error::MechanismInvalid)?;
        if m.key_bytes().is_some_and(|k| !k.contains(&key.len())) {
            return Err(Error::KeySizeRange);
        }
        m.start(key)
    }

    /// An AES mode, checked against the provider's rules for it.
    pub fn cipher(
        &self,
        mode: &CipherMode,
        key: &[u8],
        dir: Direction,
    ) -> Result<Box<dyn CipherCtx>> {
        let c = self
            .cipher_of(CipherKind::of(mode))
            .ok_or(Error::MechanismInvalid)?;
        c.rules().check(mode, key.len())?;
        c.start(mode, key, dir)
    }

    fn wrapper(&self, pad: bool, key: &[u8]) -> Result<&'static dyn WrapAlgorithm> {
        let kind = if pad { WrapKind::Kwp } else { WrapKind::Kw };
        let w = self.wrap_of(kind).ok_or(Error::MechanismInvalid)?;
        if !w.key_bytes().contains(&key.len()) {
            return Err(Error::KeySizeRange);
        }
        Ok(w)
    }

    /// AES key wrap: KW, or KWP when `pad`.
    pub fn aes_key_wrap(&self, key: &[u8], data: &[u8], pad: bool) -> Result<Vec<u8>> {
        self.wrapper(pad, key)?.wrap(key, data)
    }

    pub fn aes_key_unwrap(&self, key: &[u8], data: &[u8], pad: bool) -> Result<Zeroizing<Vec<u8>>> {
        self.wrapper(pad, key)?.unwrap(key, data)
    }

    fn kdf_or_param(&self, alg: KdfAlg) -> Result<&'static dyn KdfAlgorithm> {
        self.kdf(alg).ok_or(Error::MechanismParamInvalid)
    }

    pub fn hkdf_extract(
        &self,
        hash: HashAlg,
        salt: &[u8],
        ikm: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.kdf_or_param(KdfAlg::Hkdf(hash))?.extract(salt, ikm)
    }

    pub fn hkdf_expand(
        &self,
        hash: HashAlg,
        prk: &[u8],
        info: &[u8],
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.kdf_or_param(KdfAlg::Hkdf(hash))?
            .derive(prk, info, 0, len)
    }

    /// The KDF applied to an agreed secret Z: X9.63 or the one-step KDF.
    pub fn agreement_kdf(
        &self,
        alg: KdfAlg,
        z: &[u8],
        shared_info: &[u8],
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>> {
        self.kdf_or_param(alg)?.derive(z, shared_info, 0, len)
    }

    pub fn pbkdf2_hmac_sha256(
        &self,
        secret: &[u8],
        salt: &[u8],
        iterations: u32,
        out: &mut [u8],
    ) -> Result<()> {
        let k = self
            .kdf(KdfAlg::Pbkdf2(HashAlg::Sha256))
            .ok_or_else(|| Error::general("no PBKDF2-HMAC-SHA256"))?;
        out.copy_from_slice(&k.derive(secret, salt, iterations, out.len())?);
        Ok(())
    }

    /// AES-256-GCM with a 96-bit nonce and a 128-bit tag: the store's sealing.
    pub fn aes_gcm_seal(&self, key: &[u8], nonce: &[u8], aad: &[u8], pt: &[u8]) -> Result<Vec<u8>> {
        let mode = CipherMode::Gcm {
            iv: nonce.to_vec(),
            aad: aad.to_vec(),
            tag_len: 16,
        };
        let mut c = self.cipher(&mode, key, Direction::Encrypt)?;
        let mut out = c.update(pt)?;
        out.extend_from_slice(&c.finish()?);
        Ok(out)
    }

    pub fn aes_gcm_open(
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
        let mut c = self.cipher(&mode, key, Direction::Decrypt)?;
        let mut out = Zeroizing::new(c.update(ct)?);
        out.extend_from_slice(&c.finish()?);
        Ok(out)
    }

    pub fn entropy(&self, buf: &mut [u8]) -> Result<()> {
        self.entropy.fill(buf)
    }
}
