//! Post-quantum parameter sets and key material shared by the backends: ML-DSA (FIPS 204) and
//! ML-KEM (FIPS 203), named as PKCS#11 3.2 names them (`CKA_PARAMETER_SET`).

use crate::HashAlg;
use crate::error::{Error, Result};
use cryptoki_sys::*;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

/// ML-DSA parameter sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum MlDsaSet {
    MlDsa44,
    MlDsa65,
    MlDsa87,
}

impl MlDsaSet {
    /// From `CKA_PARAMETER_SET` (`CKP_ML_DSA_*`).
    pub fn from_parameter_set(p: CK_ULONG) -> Result<Self> {
        Ok(match p {
            CKP_ML_DSA_44 => MlDsaSet::MlDsa44,
            CKP_ML_DSA_65 => MlDsaSet::MlDsa65,
            CKP_ML_DSA_87 => MlDsaSet::MlDsa87,
            _ => return Err(Error::AttributeValueInvalid),
        })
    }

    pub fn parameter_set(self) -> CK_ULONG {
        match self {
            MlDsaSet::MlDsa44 => CKP_ML_DSA_44,
            MlDsaSet::MlDsa65 => CKP_ML_DSA_65,
            MlDsaSet::MlDsa87 => CKP_ML_DSA_87,
        }
    }

    /// Bytes in a public key (FIPS 204 table 2): the key size PKCS#11 3.2 counts.
    pub fn public_key_len(self) -> usize {
        match self {
            MlDsaSet::MlDsa44 => 1312,
            MlDsaSet::MlDsa65 => 1952,
            MlDsaSet::MlDsa87 => 2592,
        }
    }

    /// Bytes in a signature (FIPS 204 table 2).
    pub fn signature_len(self) -> usize {
        match self {
            MlDsaSet::MlDsa44 => 2420,
            MlDsaSet::MlDsa65 => 3309,
            MlDsaSet::MlDsa87 => 4627,
        }
    }
}

/// ML-KEM parameter sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MlKemSet {
    MlKem512,
    MlKem768,
    MlKem1024,
}

impl MlKemSet {
    /// From `CKA_PARAMETER_SET` (`CKP_ML_KEM_*`).
    pub fn from_parameter_set(p: CK_ULONG) -> Result<Self> {
        Ok(match p {
            CKP_ML_KEM_512 => MlKemSet::MlKem512,
            CKP_ML_KEM_768 => MlKemSet::MlKem768,
            CKP_ML_KEM_1024 => MlKemSet::MlKem1024,
            _ => return Err(Error::AttributeValueInvalid),
        })
    }

    pub fn parameter_set(self) -> CK_ULONG {
        match self {
            MlKemSet::MlKem512 => CKP_ML_KEM_512,
            MlKemSet::MlKem768 => CKP_ML_KEM_768,
            MlKemSet::MlKem1024 => CKP_ML_KEM_1024,
        }
    }

    /// Bytes in an encapsulation key (FIPS 203 table 3): the key size PKCS#11 3.2 counts.
    pub fn public_key_len(self) -> usize {
        match self {
            MlKemSet::MlKem512 => 800,
            MlKemSet::MlKem768 => 1184,
            MlKemSet::MlKem1024 => 1568,
        }
    }

    /// Bytes in a ciphertext (FIPS 203 table 3).
    pub fn ciphertext_len(self) -> usize {
        match self {
            MlKemSet::MlKem512 => 768,
            MlKemSet::MlKem768 => 1088,
            MlKemSet::MlKem1024 => 1568,
        }
    }
}

/// Bytes in an ML-KEM shared secret.
pub const ML_KEM_SHARED_SECRET_LEN: usize = 32;

/// Where ML-DSA's per-signature randomness comes from (`CK_HEDGE_TYPE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Hedge {
    /// Hedged (fresh randomness) — `CKH_HEDGE_PREFERRED` and `CKH_HEDGE_REQUIRED`.
    Hedged,
    /// The deterministic variant — `CKH_DETERMINISTIC_REQUIRED`.
    Deterministic,
}

/// HashML-DSA's pre-hash (FIPS 204 §5.4): a hash, or SHAKE128/SHAKE256 with 256/512 output
/// bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PreHash {
    Hash(HashAlg),
    Shake128,
    Shake256,
}

impl PreHash {
    /// Bytes of PH(M).
    pub fn output_len(self) -> usize {
        match self {
            PreHash::Hash(h) => h.output_len(),
            PreHash::Shake128 => 32,
            PreHash::Shake256 => 64,
        }
    }

    /// The DER OID FIPS 204 binds into M' (2.16.840.1.101.3.4.2.11 and .12 for the SHAKEs).
    pub fn oid_der(self) -> Vec<u8> {
        match self {
            PreHash::Hash(h) => h.oid_der(),
            PreHash::Shake128 => crate::nist_hash_oid(11),
            PreHash::Shake256 => crate::nist_hash_oid(12),
        }
    }
}

/// FIPS 204 Algorithms 4 and 5's M' for HashML-DSA: 1 ‖ |ctx| ‖ ctx ‖ OID(PH) ‖ PH(M).
/// `digest` is PH(M) and must be the pre-hash's length. SHA-1 is refused: PKCS#11 names no
/// HashML-DSA pre-hash weaker than SHA-224.
pub fn hash_ml_dsa_message(prehash: PreHash, context: &[u8], digest: &[u8]) -> Result<Vec<u8>> {
    if prehash == PreHash::Hash(HashAlg::Sha1) || context.len() > 255 {
        return Err(Error::MechanismParamInvalid);
    }
    if digest.len() != prehash.output_len() {
        return Err(Error::DataLenRange);
    }
    let oid = prehash.oid_der();
    let mut m = Vec::with_capacity(2 + context.len() + oid.len() + digest.len());
    m.extend_from_slice(&[1, context.len() as u8]);
    m.extend_from_slice(context);
    m.extend_from_slice(&oid);
    m.extend_from_slice(digest);
    Ok(m)
}

/// A generated post-quantum key pair in its encoded forms.
pub struct PqKeyPair {
    /// The expanded private key (FIPS 204 skEncode / FIPS 203 dk).
    pub private: Zeroizing<Vec<u8>>,
    /// The seed it came from, when the backend exposes it.
    pub seed: Option<Zeroizing<Vec<u8>>>,
    pub public: Vec<u8>,
}
