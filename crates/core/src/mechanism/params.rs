//! Mechanism parameters in typed form. The ABI reads the C structures into these; the core
//! validates their values against the mechanism (PKCS#11 3.x mechanism specification).

use crate::crypto::HashAlg;
use crate::error::{Error, Result};
use cryptoki_sys::*;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Params {
    None,
    /// `CK_RSA_PKCS_PSS_PARAMS`.
    Pss {
        hash: CK_MECHANISM_TYPE,
        mgf: CK_RSA_PKCS_MGF_TYPE,
        salt_len: u64,
    },
    /// `CK_RSA_PKCS_OAEP_PARAMS` (source is always CKZ_DATA_SPECIFIED or none).
    Oaep {
        hash: CK_MECHANISM_TYPE,
        mgf: CK_RSA_PKCS_MGF_TYPE,
        label: Vec<u8>,
    },
    /// `CK_GCM_PARAMS`.
    Gcm {
        iv: Vec<u8>,
        aad: Vec<u8>,
        tag_bits: u64,
    },
    /// `CK_AES_CTR_PARAMS`.
    Ctr {
        counter_bits: u64,
        block: [u8; 16],
    },
    /// `CK_ECDH1_DERIVE_PARAMS`.
    Ecdh {
        kdf: CK_EC_KDF_TYPE,
        shared_data: Vec<u8>,
        public_data: Vec<u8>,
    },
    /// `CK_HKDF_PARAMS`.
    Hkdf {
        extract: bool,
        expand: bool,
        prf: CK_MECHANISM_TYPE,
        salt_type: CK_FLAGS,
        salt: Vec<u8>,
        salt_key: CK_OBJECT_HANDLE,
        info: Vec<u8>,
    },
    /// `CK_EDDSA_PARAMS`.
    Eddsa {
        prehash: bool,
        context: Vec<u8>,
    },
    /// `CK_SIGN_ADDITIONAL_CONTEXT` (ML-DSA): `CKH_*` hedge type and context string.
    SignContext {
        hedge: CK_HEDGE_TYPE,
        context: Vec<u8>,
    },
    /// `CK_HASH_SIGN_ADDITIONAL_CONTEXT` (`CKM_HASH_ML_DSA`): as `SignContext`, and the
    /// mechanism of the hash the caller applied.
    HashSignContext {
        hedge: CK_HEDGE_TYPE,
        context: Vec<u8>,
        hash: CK_MECHANISM_TYPE,
    },
    /// A key handle (`CKM_CONCATENATE_BASE_AND_KEY`).
    KeyHandle(CK_OBJECT_HANDLE),
    /// `CK_EXTRACT_PARAMS`: the first bit to extract.
    Extract(u64),
    /// `CK_AES_CBC_ENCRYPT_DATA_PARAMS` (with an IV) or `CK_KEY_DERIVATION_STRING_DATA`
    /// (`CKM_AES_ECB_ENCRYPT_DATA`).
    EncryptData {
        iv: Option<[u8; 16]>,
        data: Vec<u8>,
    },
    /// `CK_SP800_108_KDF_PARAMS` / `CK_SP800_108_FEEDBACK_KDF_PARAMS`.
    Kbkdf(Box<Kbkdf>),
    /// Any other parameter, as raw bytes (IVs and the like).
    Bytes(Vec<u8>),
}

/// SP 800-108 parameters as the caller gave them: the family (`families::kbkdf`) decides what
/// the data parameters mean.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kbkdf {
    /// `prfType`: `CKM_*_HMAC` or `CKM_AES_CMAC`.
    pub prf: CK_MECHANISM_TYPE,
    /// Each `CK_PRF_DATA_PARAM`: its type and the bytes `pValue` points to (`None` for NULL).
    pub data: Vec<(u64, Option<Vec<u8>>)>,
    /// The feedback mode's IV (`None` in counter mode).
    pub iv: Option<Vec<u8>>,
    /// The templates of the additional derived keys, in order.
    pub additional: Vec<crate::object::Template>,
}

/// The hash a `CKM_SHA*` mechanism names (as used in PSS/OAEP parameters).
pub fn hash_of_mechanism(m: CK_MECHANISM_TYPE) -> Result<HashAlg> {
    Ok(match m {
        CKM_SHA_1 => HashAlg::Sha1,
        CKM_SHA224 => HashAlg::Sha224,
        CKM_SHA256 => HashAlg::Sha256,
        CKM_SHA384 => HashAlg::Sha384,
        CKM_SHA512 => HashAlg::Sha512,
        CKM_SHA3_224 => HashAlg::Sha3_224,
        CKM_SHA3_256 => HashAlg::Sha3_256,
        CKM_SHA3_384 => HashAlg::Sha3_384,
        CKM_SHA3_512 => HashAlg::Sha3_512,
        _ => return Err(Error::MechanismParamInvalid),
    })
}

/// The hash an MGF1 type names.
pub fn hash_of_mgf(m: CK_RSA_PKCS_MGF_TYPE) -> Result<HashAlg> {
    Ok(match m {
        CKG_MGF1_SHA1 => HashAlg::Sha1,
        CKG_MGF1_SHA224 => HashAlg::Sha224,
        CKG_MGF1_SHA256 => HashAlg::Sha256,
        CKG_MGF1_SHA384 => HashAlg::Sha384,
        CKG_MGF1_SHA512 => HashAlg::Sha512,
        CKG_MGF1_SHA3_224 => HashAlg::Sha3_224,
        CKG_MGF1_SHA3_256 => HashAlg::Sha3_256,
        CKG_MGF1_SHA3_384 => HashAlg::Sha3_384,
        CKG_MGF1_SHA3_512 => HashAlg::Sha3_512,
        _ => return Err(Error::MechanismParamInvalid),
    })
}
