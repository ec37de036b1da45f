//! The crypto provider interface of Craton HSM: algorithm identifiers, key material, the
//! `CryptoBackend` trait a provider implements, and the one error type. Keys are parsed once
//! into provider objects (`PrivateKeyOps`, `PublicKeyOps`) that live beside the object's
//! attributes.

// CK_ULONG is u64 on Unix but u32 on Windows: the casts clippy calls unnecessary here are
// needed there.
#![allow(clippy::unnecessary_cast)]

pub mod cipher;
pub mod ckr;
pub mod error;
pub mod gaps;
pub mod key;
pub mod pqc;

use crate::error::{Error, Result};
pub use cipher::{CipherCtx, CipherMode, Direction};
pub use key::{
    Curve, EcPrivateParts, EcPublicParts, PrivateKeyMaterial, RsaPrivateParts, RsaPublicParts,
};
pub use pqc::{Hedge, MlDsaSet, MlKemSet, PqKeyPair};
use std::sync::Arc;
use zeroize::Zeroizing;

/// Hash functions the token knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum HashAlg {
    Sha1,
    Sha224,
    Sha256,
    Sha384,
    Sha512,
    Sha3_224,
    Sha3_256,
    Sha3_384,
    Sha3_512,
}

impl HashAlg {
    /// Output length in bytes.
    pub fn output_len(self) -> usize {
        match self {
            HashAlg::Sha1 => 20,
            HashAlg::Sha224 | HashAlg::Sha3_224 => 28,
            HashAlg::Sha256 | HashAlg::Sha3_256 => 32,
            HashAlg::Sha384 | HashAlg::Sha3_384 => 48,
            HashAlg::Sha512 | HashAlg::Sha3_512 => 64,
        }
    }

    /// Name used in logs and docs.
    pub fn name(self) -> &'static str {
        match self {
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha224 => "SHA-224",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
            HashAlg::Sha3_224 => "SHA3-224",
            HashAlg::Sha3_256 => "SHA3-256",
            HashAlg::Sha3_384 => "SHA3-384",
            HashAlg::Sha3_512 => "SHA3-512",
        }
    }
}

/// A running hash.
pub trait Digest: Send {
    fn update(&mut self, data: &[u8]);
    fn finish(self: Box<Self>) -> Vec<u8>;
    fn box_clone(&self) -> Box<dyn Digest>;
    /// The running state as bytes for `C_GetOperationState`; `None` when the backend cannot
    /// export it.
    fn save(&self) -> Option<Vec<u8>>;
}

/// A running MAC.
pub trait Mac: Send {
    fn update(&mut self, data: &[u8]);
    fn finish(self: Box<Self>) -> Zeroizing<Vec<u8>>;
}

/// How a signature is formed. `hash` is the hash applied to the message (or, for a prehashed
/// input, the hash that produced it); `None` means the mechanism takes its input as is.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum SignScheme {
    /// PKCS#1 v1.5. With `hash: None` the input is a DigestInfo (or any data) to be padded.
    RsaPkcs1 { hash: Option<HashAlg> },
    /// PSS with its full parameter set.
    RsaPss {
        hash: HashAlg,
        mgf_hash: HashAlg,
        salt_len: usize,
    },
    /// Raw RSA (`CKM_RSA_X_509`).
    RsaRaw,
    /// ECDSA; the signature is r‖s. With `hash: None` the input is the hash value.
    Ecdsa { hash: Option<HashAlg> },
    /// Pure EdDSA (Ed25519).
    EdDsa,
    /// Pure ML-DSA with a context string (at most 255 bytes).
    MlDsa { context: Vec<u8>, hedge: Hedge },
}

impl SignScheme {
    /// The hash a caller's message goes through before the private-key step, if any.
    pub fn message_hash(&self) -> Option<HashAlg> {
        match self {
            SignScheme::RsaPkcs1 { hash } | SignScheme::Ecdsa { hash } => *hash,
            SignScheme::RsaPss { .. }
            | SignScheme::RsaRaw
            | SignScheme::EdDsa
            | SignScheme::MlDsa { .. } => None,
        }
    }

    /// Signs the message itself, never a hash of it: multi-part input is kept whole.
    pub fn is_pure(&self) -> bool {
        matches!(self, SignScheme::EdDsa | SignScheme::MlDsa { .. })
    }
}

/// What a sign or verify call receives.
#[derive(Debug, Clone, Copy)]
pub enum SignInput<'a> {
    /// The message; the backend applies the scheme's hash.
    Message(&'a [u8]),
    /// The already-computed hash (or, for schemes without a hash, the raw input).
    Prehashed(&'a [u8]),
}

/// Asymmetric encryption schemes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AsymEncScheme {
    RsaPkcs1,
    RsaRaw,
    RsaOaep {
        hash: HashAlg,
        mgf_hash: HashAlg,
        label: Vec<u8>,
    },
}

/// A parsed private key.
pub trait PrivateKeyOps: Send + Sync {
    /// Bytes in a signature made by this key.
    fn signature_len(&self) -> usize;
    fn sign(&self, scheme: &SignScheme, input: SignInput<'_>, rng: &dyn Rng) -> Result<Vec<u8>>;
    fn decrypt(
        &self,
        _scheme: &AsymEncScheme,
        _ct: &[u8],
        _rng: &dyn Rng,
    ) -> Result<Zeroizing<Vec<u8>>> {
        Err(Error::KeyTypeInconsistent)
    }
    /// ECDH: the shared secret Z (the x-coordinate) with a peer's uncompressed point.
    fn ecdh(&self, _peer_point: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        Err(Error::KeyTypeInconsistent)
    }
    /// KEM decapsulation: the shared secret in a ciphertext.
    fn decapsulate(&self, _ct: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        Err(Error::KeyTypeInconsistent)
    }
}

/// A parsed public key.
pub trait PublicKeyOps: Send + Sync {
    /// Bytes in a signature this key verifies.
    fn signature_len(&self) -> usize;
    fn verify(&self, scheme: &SignScheme, input: SignInput<'_>, sig: &[u8]) -> Result<()>;
    fn encrypt(&self, _scheme: &AsymEncScheme, _pt: &[u8], _rng: &dyn Rng) -> Result<Vec<u8>> {
        Err(Error::KeyTypeInconsistent)
    }
    /// KEM encapsulation: (ciphertext, shared secret).
    fn encapsulate(&self, _rng: &dyn Rng) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        Err(Error::KeyTypeInconsistent)
    }
}

/// A source of random bytes handed to the backend (the module's DRBG).
pub trait Rng: Send + Sync {
    fn fill(&self, buf: &mut [u8]) -> Result<()>;
}

/// How multi-part signatures are fed to the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Streaming {
    /// Hash as data arrives, then sign the digest.
    Prehash,
    /// Keep the message and sign it whole (the backend's approved path takes messages only).
    Buffer,
}

/// Everything the token needs from a cryptographic library.
pub trait CryptoBackend: Send + Sync {
    /// The name `algorithms.crypto_backend` selects it by.
    fn name(&self) -> &'static str;
    /// Whether this backend implements the mechanism (the policy then decides if it is offered).
    fn supports(&self, mech: cryptoki_sys::CK_MECHANISM_TYPE) -> bool;
    /// Whether this backend is a validated module running in its approved mode.
    fn is_fips_module(&self) -> bool;
    /// How multi-part hash-and-sign operations should be fed.
    fn streaming(&self) -> Streaming;
    /// Smallest RSA modulus the backend generates and uses, in bits.
    fn min_rsa_bits(&self) -> u64;
    /// Whether hash-and-sign ECDSA needs the curve of the hash's strength (P-256 with SHA-256,
    /// P-384 with SHA-384), as aws-lc-rs does; otherwise any pairing works.
    fn ecdsa_curve_follows_hash(&self) -> bool {
        false
    }

    /// Raw entropy for seeding the DRBG (the OS, or the validated module's own source).
    fn entropy(&self, buf: &mut [u8]) -> Result<()>;

    fn digest(&self, alg: HashAlg) -> Result<Box<dyn Digest>>;
    /// A running hash rebuilt from `Digest::save` output.
    fn digest_restore(&self, alg: HashAlg, state: &[u8]) -> Result<Box<dyn Digest>>;
    fn hmac(&self, alg: HashAlg, key: &[u8]) -> Result<Box<dyn Mac>>;
    fn pbkdf2_hmac_sha256(
        &self,
        secret: &[u8],
        salt: &[u8],
        iterations: u32,
        out: &mut [u8],
    ) -> Result<()>;

    /// AES-GCM with a 96-bit nonce and 128-bit tag: the store's object encryption.
    fn aes_gcm_seal(&self, key: &[u8], nonce: &[u8], aad: &[u8], pt: &[u8]) -> Result<Vec<u8>>;
    fn aes_gcm_open(
        &self,
        key: &[u8],
        nonce: &[u8],
        aad: &[u8],
        ct: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>>;

    fn generate_rsa(
        &self,
        bits: usize,
        public_exponent: &[u8],
        rng: &dyn Rng,
    ) -> Result<RsaPrivateParts>;
    fn generate_ec(&self, curve: Curve, rng: &dyn Rng) -> Result<EcPrivateParts>;

    fn rsa_private(&self, parts: &RsaPrivateParts) -> Result<Arc<dyn PrivateKeyOps>>;
    fn rsa_public(&self, parts: &RsaPublicParts) -> Result<Arc<dyn PublicKeyOps>>;
    fn ec_private(&self, parts: &EcPrivateParts) -> Result<Arc<dyn PrivateKeyOps>>;
    fn ec_public(&self, parts: &EcPublicParts) -> Result<Arc<dyn PublicKeyOps>>;
    /// The public point of a private scalar (uncompressed SEC1, or raw for Edwards curves).
    fn ec_public_point(&self, curve: Curve, scalar: &[u8]) -> Result<Vec<u8>>;

    /// AES in a mode, as a stream.
    fn cipher(&self, mode: &CipherMode, key: &[u8], dir: Direction) -> Result<Box<dyn CipherCtx>>;
    /// AES-CMAC (SP 800-38B).
    fn cmac(&self, key: &[u8]) -> Result<Box<dyn Mac>>;
    /// AES key wrap (SP 800-38F): KW, or KWP when `pad`.
    fn aes_key_wrap(&self, key: &[u8], data: &[u8], pad: bool) -> Result<Vec<u8>>;
    fn aes_key_unwrap(&self, key: &[u8], data: &[u8], pad: bool) -> Result<Zeroizing<Vec<u8>>>;
    /// HKDF-Extract (RFC 5869): the pseudorandom key.
    fn hkdf_extract(&self, hash: HashAlg, salt: &[u8], ikm: &[u8]) -> Result<Zeroizing<Vec<u8>>>;
    /// HKDF-Expand (RFC 5869).
    fn hkdf_expand(
        &self,
        hash: HashAlg,
        prk: &[u8],
        info: &[u8],
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>>;
    /// The ANSI X9.63 KDF behind `CKD_SHA*_KDF`.
    fn x963_kdf(
        &self,
        hash: HashAlg,
        z: &[u8],
        shared_info: &[u8],
        len: usize,
    ) -> Result<Zeroizing<Vec<u8>>>;
    /// A private key as PKCS#8 `PrivateKeyInfo` DER (what `C_WrapKey` wraps).
    fn private_key_to_pkcs8(&self, key: &PrivateKeyMaterial) -> Result<Zeroizing<Vec<u8>>>;
    fn private_key_from_pkcs8(&self, der: &[u8]) -> Result<PrivateKeyMaterial>;

    /// ML-DSA (FIPS 204) key generation from a 32-byte seed: the encoded public key.
    fn ml_dsa_public_from_seed(&self, set: MlDsaSet, seed: &[u8]) -> Result<Vec<u8>>;
    /// ML-DSA pure verification with an empty context string.
    fn ml_dsa_verify(&self, set: MlDsaSet, public: &[u8], msg: &[u8], sig: &[u8]) -> Result<()>;
    /// ML-KEM (FIPS 203) decapsulation with an expanded decapsulation key.
    fn ml_kem_decapsulate(&self, set: MlKemSet, dk: &[u8], ct: &[u8])
    -> Result<Zeroizing<Vec<u8>>>;

    /// Whether ML-DSA takes a context string and the deterministic variant here (aws-lc-rs
    /// signs hedged with an empty context only).
    fn ml_dsa_context_and_deterministic(&self) -> bool;
    /// An ML-DSA key pair from a 32-byte seed (FIPS 204 ML-DSA.KeyGen_internal).
    fn ml_dsa_generate(&self, set: MlDsaSet, seed: &[u8]) -> Result<PqKeyPair>;
    /// An ML-DSA private key from its seed, or else from its expanded encoding.
    fn ml_dsa_private(
        &self,
        set: MlDsaSet,
        expanded: Option<&[u8]>,
        seed: Option<&[u8]>,
    ) -> Result<Arc<dyn PrivateKeyOps>>;
    fn ml_dsa_public(&self, set: MlDsaSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>>;
    /// A fresh ML-KEM key pair (FIPS 203 ML-KEM.KeyGen).
    fn ml_kem_generate(&self, set: MlKemSet, rng: &dyn Rng) -> Result<PqKeyPair>;
    /// An ML-KEM decapsulation key from its expanded encoding.
    fn ml_kem_private(&self, set: MlKemSet, expanded: &[u8]) -> Result<Arc<dyn PrivateKeyOps>>;
    fn ml_kem_public(&self, set: MlKemSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>>;
}

/// A provider a build carries: its name and how to start it (a provider may refuse, e.g.
/// AWS-LC when its FIPS module is not in FIPS mode).
#[derive(Clone, Copy)]
pub struct ProviderEntry {
    pub name: &'static str,
    pub start: fn() -> std::result::Result<Arc<dyn CryptoBackend>, String>,
}
