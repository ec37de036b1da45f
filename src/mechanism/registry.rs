//! The single registry of mechanisms this token implements: operations, key-size range, the
//! hash it applies, and whether FIPS 140-3 approves it. `C_GetMechanismList/Info`,
//! `docs/mechanisms.md` and `docs/fips.md` all come from this table.

use crate::crypto::HashAlg;
use cryptoki_sys::*;

/// A PKCS#11 operation, as the mechanism-info flags name them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Encrypt,
    Decrypt,
    Digest,
    Sign,
    Verify,
    Generate,
    GenerateKeyPair,
    Wrap,
    Unwrap,
    Derive,
}

impl Op {
    pub fn flag(self) -> CK_FLAGS {
        match self {
            Op::Encrypt => CKF_ENCRYPT,
            Op::Decrypt => CKF_DECRYPT,
            Op::Digest => CKF_DIGEST,
            Op::Sign => CKF_SIGN,
            Op::Verify => CKF_VERIFY,
            Op::Generate => CKF_GENERATE,
            Op::GenerateKeyPair => CKF_GENERATE_KEY_PAIR,
            Op::Wrap => CKF_WRAP,
            Op::Unwrap => CKF_UNWRAP,
            Op::Derive => CKF_DERIVE,
        }
    }
}

/// Key families, for the policy's size rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    Rsa,
    Ec,
    EdDsa,
    Aes,
    Digest,
    Hmac,
    GenericSecret,
}

/// Whether and how FIPS 140-3 approves a mechanism (SP 800-131A Rev. 2, SP 800-140C).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Approval {
    /// Approved, subject to the family's key-size and curve rules.
    Approved,
    /// Not approved (the reason goes in the docs).
    No(&'static str),
}

/// One mechanism.
#[derive(Debug, Clone, Copy)]
pub struct MechSpec {
    pub mech: CK_MECHANISM_TYPE,
    pub name: &'static str,
    pub family: Family,
    /// Operations, as `CKF_*` flags.
    pub ops: CK_FLAGS,
    /// Key-size range in the mechanism's unit (bits for RSA and EC, bytes for AES and HMAC).
    pub min_key: u64,
    pub max_key: u64,
    /// The hash the mechanism applies to the caller's data (hash-and-sign, HMAC, digest).
    pub hash: Option<HashAlg>,
    /// Signs with SHA-1 (subject to `allow_sha1_signing`).
    pub sha1_signing: bool,
    pub approval: Approval,
}

const SV: CK_FLAGS = CKF_SIGN | CKF_VERIFY;
const ED: CK_FLAGS = CKF_ENCRYPT | CKF_DECRYPT;
const EC_FLAGS: CK_FLAGS = CKF_EC_F_P | CKF_EC_OID | CKF_EC_UNCOMPRESS;
const RSA_MIN: u64 = 2048;
const RSA_MAX: u64 = 4096;

const fn m(
    mech: CK_MECHANISM_TYPE,
    name: &'static str,
    family: Family,
    ops: CK_FLAGS,
    keys: (u64, u64),
    hash: Option<HashAlg>,
    approval: Approval,
) -> MechSpec {
    MechSpec {
        mech,
        name,
        family,
        ops,
        min_key: keys.0,
        max_key: keys.1,
        hash,
        sha1_signing: false,
        approval,
    }
}

const fn sha1_sign(mut s: MechSpec) -> MechSpec {
    s.sha1_signing = true;
    s
}

use Approval::{Approved, No};
use Family::*;
use HashAlg as H;

const RAW_SIGN: Approval =
    No("signs a caller-supplied digest; the approved service hashes the message itself");
const SHA1_SIG: Approval = No("SHA-1 signatures are disallowed (SP 800-131A Rev. 2)");
const NOT_IN_POLICY: Approval = No("not in this module's approved set");

/// Every mechanism the token implements.
pub static MECHANISMS: &[MechSpec] = &[
    // RSA (PKCS#11 3.x section 6.1)
    m(
        CKM_RSA_PKCS_KEY_PAIR_GEN,
        "CKM_RSA_PKCS_KEY_PAIR_GEN",
        Rsa,
        CKF_GENERATE_KEY_PAIR,
        (RSA_MIN, RSA_MAX),
        None,
        Approved,
    ),
    m(
        CKM_RSA_PKCS,
        "CKM_RSA_PKCS",
        Rsa,
        SV | ED,
        (RSA_MIN, RSA_MAX),
        None,
        No("PKCS#1 v1.5 encryption is disallowed and raw signing takes a caller-made digest"),
    ),
    m(
        CKM_RSA_X_509,
        "CKM_RSA_X_509",
        Rsa,
        SV | ED,
        (RSA_MIN, RSA_MAX),
        None,
        No("raw RSA has no padding"),
    ),
    sha1_sign(m(
        CKM_SHA1_RSA_PKCS,
        "CKM_SHA1_RSA_PKCS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        Some(H::Sha1),
        SHA1_SIG,
    )),
    m(
        CKM_SHA224_RSA_PKCS,
        "CKM_SHA224_RSA_PKCS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        Some(H::Sha224),
        NOT_IN_POLICY,
    ),
    m(
        CKM_SHA256_RSA_PKCS,
        "CKM_SHA256_RSA_PKCS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        Some(H::Sha256),
        Approved,
    ),
    m(
        CKM_SHA384_RSA_PKCS,
        "CKM_SHA384_RSA_PKCS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        Some(H::Sha384),
        Approved,
    ),
    m(
        CKM_SHA512_RSA_PKCS,
        "CKM_SHA512_RSA_PKCS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        Some(H::Sha512),
        Approved,
    ),
    m(
        CKM_RSA_PKCS_PSS,
        "CKM_RSA_PKCS_PSS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        None,
        RAW_SIGN,
    ),
    sha1_sign(m(
        CKM_SHA1_RSA_PKCS_PSS,
        "CKM_SHA1_RSA_PKCS_PSS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        Some(H::Sha1),
        SHA1_SIG,
    )),
    m(
        CKM_SHA224_RSA_PKCS_PSS,
        "CKM_SHA224_RSA_PKCS_PSS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        Some(H::Sha224),
        NOT_IN_POLICY,
    ),
    m(
        CKM_SHA256_RSA_PKCS_PSS,
        "CKM_SHA256_RSA_PKCS_PSS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        Some(H::Sha256),
        Approved,
    ),
    m(
        CKM_SHA384_RSA_PKCS_PSS,
        "CKM_SHA384_RSA_PKCS_PSS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        Some(H::Sha384),
        Approved,
    ),
    m(
        CKM_SHA512_RSA_PKCS_PSS,
        "CKM_SHA512_RSA_PKCS_PSS",
        Rsa,
        SV,
        (RSA_MIN, RSA_MAX),
        Some(H::Sha512),
        Approved,
    ),
    m(
        CKM_RSA_PKCS_OAEP,
        "CKM_RSA_PKCS_OAEP",
        Rsa,
        ED,
        (RSA_MIN, RSA_MAX),
        None,
        Approved,
    ),
    // EC (section 6.3)
    m(
        CKM_EC_KEY_PAIR_GEN,
        "CKM_EC_KEY_PAIR_GEN",
        Ec,
        CKF_GENERATE_KEY_PAIR | EC_FLAGS,
        (256, 384),
        None,
        Approved,
    ),
    m(
        CKM_ECDSA,
        "CKM_ECDSA",
        Ec,
        SV | EC_FLAGS,
        (256, 384),
        None,
        RAW_SIGN,
    ),
    sha1_sign(m(
        CKM_ECDSA_SHA1,
        "CKM_ECDSA_SHA1",
        Ec,
        SV | EC_FLAGS,
        (256, 384),
        Some(H::Sha1),
        SHA1_SIG,
    )),
    m(
        CKM_ECDSA_SHA224,
        "CKM_ECDSA_SHA224",
        Ec,
        SV | EC_FLAGS,
        (256, 384),
        Some(H::Sha224),
        NOT_IN_POLICY,
    ),
    m(
        CKM_ECDSA_SHA256,
        "CKM_ECDSA_SHA256",
        Ec,
        SV | EC_FLAGS,
        (256, 384),
        Some(H::Sha256),
        Approved,
    ),
    m(
        CKM_ECDSA_SHA384,
        "CKM_ECDSA_SHA384",
        Ec,
        SV | EC_FLAGS,
        (256, 384),
        Some(H::Sha384),
        Approved,
    ),
    m(
        CKM_ECDSA_SHA512,
        "CKM_ECDSA_SHA512",
        Ec,
        SV | EC_FLAGS,
        (256, 384),
        Some(H::Sha512),
        Approved,
    ),
    // EdDSA (section 6.3.5)
    m(
        CKM_EC_EDWARDS_KEY_PAIR_GEN,
        "CKM_EC_EDWARDS_KEY_PAIR_GEN",
        EdDsa,
        CKF_GENERATE_KEY_PAIR,
        (255, 255),
        None,
        No("EdDSA is outside this module's approved set"),
    ),
    m(
        CKM_EDDSA,
        "CKM_EDDSA",
        EdDsa,
        SV,
        (255, 255),
        None,
        No("EdDSA is outside this module's approved set"),
    ),
    // AES (section 6.7)
    m(
        CKM_AES_KEY_GEN,
        "CKM_AES_KEY_GEN",
        Aes,
        CKF_GENERATE,
        (16, 32),
        None,
        Approved,
    ),
    // Digests (section 6.17-6.20)
    m(
        CKM_SHA_1,
        "CKM_SHA_1",
        Digest,
        CKF_DIGEST,
        (0, 0),
        Some(H::Sha1),
        Approved,
    ),
    m(
        CKM_SHA224,
        "CKM_SHA224",
        Digest,
        CKF_DIGEST,
        (0, 0),
        Some(H::Sha224),
        NOT_IN_POLICY,
    ),
    m(
        CKM_SHA256,
        "CKM_SHA256",
        Digest,
        CKF_DIGEST,
        (0, 0),
        Some(H::Sha256),
        Approved,
    ),
    m(
        CKM_SHA384,
        "CKM_SHA384",
        Digest,
        CKF_DIGEST,
        (0, 0),
        Some(H::Sha384),
        Approved,
    ),
    m(
        CKM_SHA512,
        "CKM_SHA512",
        Digest,
        CKF_DIGEST,
        (0, 0),
        Some(H::Sha512),
        Approved,
    ),
    m(
        CKM_SHA3_224,
        "CKM_SHA3_224",
        Digest,
        CKF_DIGEST,
        (0, 0),
        Some(H::Sha3_224),
        NOT_IN_POLICY,
    ),
    m(
        CKM_SHA3_256,
        "CKM_SHA3_256",
        Digest,
        CKF_DIGEST,
        (0, 0),
        Some(H::Sha3_256),
        Approved,
    ),
    m(
        CKM_SHA3_384,
        "CKM_SHA3_384",
        Digest,
        CKF_DIGEST,
        (0, 0),
        Some(H::Sha3_384),
        Approved,
    ),
    m(
        CKM_SHA3_512,
        "CKM_SHA3_512",
        Digest,
        CKF_DIGEST,
        (0, 0),
        Some(H::Sha3_512),
        Approved,
    ),
    // HMAC and generic secrets
    m(
        CKM_GENERIC_SECRET_KEY_GEN,
        "CKM_GENERIC_SECRET_KEY_GEN",
        GenericSecret,
        CKF_GENERATE,
        (1, 512),
        None,
        Approved,
    ),
    m(
        CKM_SHA_1_HMAC,
        "CKM_SHA_1_HMAC",
        Hmac,
        SV,
        (1, 512),
        Some(H::Sha1),
        NOT_IN_POLICY,
    ),
    m(
        CKM_SHA224_HMAC,
        "CKM_SHA224_HMAC",
        Hmac,
        SV,
        (1, 512),
        Some(H::Sha224),
        NOT_IN_POLICY,
    ),
    m(
        CKM_SHA256_HMAC,
        "CKM_SHA256_HMAC",
        Hmac,
        SV,
        (1, 512),
        Some(H::Sha256),
        Approved,
    ),
    m(
        CKM_SHA384_HMAC,
        "CKM_SHA384_HMAC",
        Hmac,
        SV,
        (1, 512),
        Some(H::Sha384),
        Approved,
    ),
    m(
        CKM_SHA512_HMAC,
        "CKM_SHA512_HMAC",
        Hmac,
        SV,
        (1, 512),
        Some(H::Sha512),
        Approved,
    ),
    m(
        CKM_SHA3_224_HMAC,
        "CKM_SHA3_224_HMAC",
        Hmac,
        SV,
        (1, 512),
        Some(H::Sha3_224),
        NOT_IN_POLICY,
    ),
    m(
        CKM_SHA3_256_HMAC,
        "CKM_SHA3_256_HMAC",
        Hmac,
        SV,
        (1, 512),
        Some(H::Sha3_256),
        NOT_IN_POLICY,
    ),
    m(
        CKM_SHA3_384_HMAC,
        "CKM_SHA3_384_HMAC",
        Hmac,
        SV,
        (1, 512),
        Some(H::Sha3_384),
        NOT_IN_POLICY,
    ),
    m(
        CKM_SHA3_512_HMAC,
        "CKM_SHA3_512_HMAC",
        Hmac,
        SV,
        (1, 512),
        Some(H::Sha3_512),
        NOT_IN_POLICY,
    ),
];

/// Looks a mechanism up in the registry.
pub fn lookup(mech: CK_MECHANISM_TYPE) -> Option<&'static MechSpec> {
    MECHANISMS.iter().find(|s| s.mech == mech)
}
