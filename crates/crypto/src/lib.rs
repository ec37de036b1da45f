//! The crypto provider interface of Craton HSM: algorithm identifiers, key material, the
//! `Provider` tables a provider fills in, and the one error type. Keys are parsed once
//! into provider objects (`PrivateKeyOps`, `PublicKeyOps`) that live beside the object's
//! attributes.

// CK_ULONG is u64 on Unix but u32 on Windows: the casts clippy calls unnecessary here are
// needed there.
#![allow(clippy::unnecessary_cast)]

pub mod cipher;
pub mod ckr;
pub mod error;
pub mod key;
pub mod pqc;
pub mod provider;
mod wipe;
pub mod x25519;

use crate::error::{Error, Result};
pub use cipher::{CipherCtx, CipherMode, Direction};
pub use key::{
    Curve, EcPrivateParts, EcPublicParts, PrivateKeyMaterial, RsaPrivateParts, RsaPublicParts,
};
pub use pqc::{Hedge, MlDsaSet, MlKemSet, PqKeyPair, PreHash, hash_ml_dsa_message};
pub use provider::*;
pub use wipe::wipe;
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

    /// The hash's OBJECT IDENTIFIER, DER-encoded with its tag and length (1.3.14.3.2.26 for
    /// SHA-1, 2.16.840.1.101.3.4.2.n for the others), as DigestInfo and HashML-DSA embed it.
    pub fn oid_der(self) -> Vec<u8> {
        nist_hash_oid(match self {
            HashAlg::Sha1 => return vec![0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a],
            HashAlg::Sha256 => 1,
            HashAlg::Sha384 => 2,
            HashAlg::Sha512 => 3,
            HashAlg::Sha224 => 4,
            HashAlg::Sha3_224 => 7,
            HashAlg::Sha3_256 => 8,
            HashAlg::Sha3_384 => 9,
            HashAlg::Sha3_512 => 10,
        })
    }
}

/// The DER OID 2.16.840.1.101.3.4.2.`n` (NIST's hash algorithms arc: SHA-2, SHA-3, SHAKE).
pub(crate) fn nist_hash_oid(n: u8) -> Vec<u8> {
    vec![
        0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, n,
    ]
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
    /// A copy of the running state, where the provider can make one: a keyed HMAC copied
    /// before any data serves several messages under one key, hashing the key's blocks once.
    fn try_clone(&self) -> Option<Box<dyn Mac>> {
        None
    }
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
    /// EdDSA over Ed25519 (RFC 8032 §5.1): pure, Ed25519ctx or Ed25519ph.
    EdDsa(EdDsaMode),
    /// Pure ML-DSA with a context string (at most 255 bytes).
    MlDsa { context: Vec<u8>, hedge: Hedge },
    /// HashML-DSA (FIPS 204 §5.4): the input is the message's `hash` (a caller's digest, or
    /// the module's), or for the SHAKE pre-hashes the message, which the provider hashes; the
    /// signature binds the pre-hash's OID and the context string.
    HashMlDsa {
        hash: PreHash,
        context: Vec<u8>,
        hedge: Hedge,
    },
}

impl SignScheme {
    /// The hash a caller's message goes through before the private-key step, if any.
    pub fn message_hash(&self) -> Option<HashAlg> {
        match self {
            SignScheme::RsaPkcs1 { hash } | SignScheme::Ecdsa { hash } => *hash,
            SignScheme::RsaPss { .. }
            | SignScheme::RsaRaw
            | SignScheme::EdDsa(_)
            | SignScheme::MlDsa { .. }
            | SignScheme::HashMlDsa { .. } => None,
        }
    }

    /// Signs the message itself, never a hash of it: multi-part input is kept whole (also
    /// for Ed25519ph and the SHAKE pre-hashes of HashML-DSA, which the provider applies).
    pub fn is_pure(&self) -> bool {
        match self {
            SignScheme::EdDsa(_) | SignScheme::MlDsa { .. } => true,
            SignScheme::HashMlDsa { hash, .. } => !matches!(hash, PreHash::Hash(_)),
            _ => false,
        }
    }
}

/// The Ed25519 variants of RFC 8032 §5.1.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum EdDsaMode {
    /// Ed25519 itself: no domain separation.
    Pure,
    /// Ed25519ctx: a context string of 1 to 255 bytes.
    Ctx(Vec<u8>),
    /// Ed25519ph: SHA-512 of the message, with a context string of 0 to 255 bytes.
    Ph(Vec<u8>),
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
