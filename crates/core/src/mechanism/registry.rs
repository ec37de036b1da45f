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
    Encapsulate,
    Decapsulate,
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
            Op::Encapsulate => CKF_ENCAPSULATE,
            Op::Decapsulate => CKF_DECAPSULATE,
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
    /// HKDF over a generic secret.
    Hkdf,
    /// ML-DSA (FIPS 204), registered only with `enable_pqc`.
    MlDsa,
    /// ML-KEM (FIPS 203), registered only with `enable_pqc`.
    MlKem,
}

impl Family {
    /// Post-quantum: offered only when `enable_pqc` is on and outside approved-only mode.
    pub fn is_pqc(self) -> bool {
        matches!(self, Family::MlDsa | Family::MlKem)
    }
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
    /// Key-size range in the mechanism's unit (bytes for AES, bits for everything else).
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
const WU: CK_FLAGS = CKF_WRAP | CKF_UNWRAP;
const AES: (u64, u64) = (16, 32);
const EC_FLAGS: CK_FLAGS = CKF_EC_F_P | CKF_EC_OID | CKF_EC_UNCOMPRESS;
/// Key-size ranges in each family's unit.
const RSA: (u64, u64) = (2048, 4096);
const EC: (u64, u64) = (256, 384);
const ED25519: (u64, u64) = (255, 255);
/// Generic secrets (keys for HMAC and HKDF): in bits, as the spec counts them for
/// CKM_GENERIC_SECRET_KEY_GEN.
const SECRET: (u64, u64) = (8, 4096);
const NONE: (u64, u64) = (0, 0);
/// Post-quantum key sizes: public-key bytes, as PKCS#11 3.2 counts them (ML-DSA-44..87,
/// ML-KEM-512..1024).
const ML_DSA: (u64, u64) = (1312, 2592);
const ML_KEM: (u64, u64) = (800, 1568);

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
const EDDSA: Approval = No("EdDSA is outside this module's approved set");
const PQC: Approval = No("post-quantum mechanisms are not in this module's approved set yet");
const KEM: CK_FLAGS = CKF_ENCAPSULATE | CKF_DECAPSULATE;

/// Every mechanism the token implements.
#[rustfmt::skip]
pub static MECHANISMS: &[MechSpec] = &[
    // RSA (PKCS#11 3.x mechanisms, section 2.1)
    m(CKM_RSA_PKCS_KEY_PAIR_GEN, "CKM_RSA_PKCS_KEY_PAIR_GEN", Rsa, CKF_GENERATE_KEY_PAIR, RSA, None, Approved),
    m(CKM_RSA_PKCS, "CKM_RSA_PKCS", Rsa, SV | ED | WU, RSA, None,
        No("PKCS#1 v1.5 encryption is disallowed and raw signing takes a caller-made digest")),
    m(CKM_RSA_X_509, "CKM_RSA_X_509", Rsa, SV | ED, RSA, None, No("raw RSA has no padding")),
    sha1_sign(m(CKM_SHA1_RSA_PKCS, "CKM_SHA1_RSA_PKCS", Rsa, SV, RSA, Some(H::Sha1), SHA1_SIG)),
    m(CKM_SHA224_RSA_PKCS, "CKM_SHA224_RSA_PKCS", Rsa, SV, RSA, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_SHA256_RSA_PKCS, "CKM_SHA256_RSA_PKCS", Rsa, SV, RSA, Some(H::Sha256), Approved),
    m(CKM_SHA384_RSA_PKCS, "CKM_SHA384_RSA_PKCS", Rsa, SV, RSA, Some(H::Sha384), Approved),
    m(CKM_SHA512_RSA_PKCS, "CKM_SHA512_RSA_PKCS", Rsa, SV, RSA, Some(H::Sha512), Approved),
    m(CKM_RSA_PKCS_PSS, "CKM_RSA_PKCS_PSS", Rsa, SV, RSA, None, RAW_SIGN),
    sha1_sign(m(CKM_SHA1_RSA_PKCS_PSS, "CKM_SHA1_RSA_PKCS_PSS", Rsa, SV, RSA, Some(H::Sha1), SHA1_SIG)),
    m(CKM_SHA224_RSA_PKCS_PSS, "CKM_SHA224_RSA_PKCS_PSS", Rsa, SV, RSA, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_SHA256_RSA_PKCS_PSS, "CKM_SHA256_RSA_PKCS_PSS", Rsa, SV, RSA, Some(H::Sha256), Approved),
    m(CKM_SHA384_RSA_PKCS_PSS, "CKM_SHA384_RSA_PKCS_PSS", Rsa, SV, RSA, Some(H::Sha384), Approved),
    m(CKM_SHA512_RSA_PKCS_PSS, "CKM_SHA512_RSA_PKCS_PSS", Rsa, SV, RSA, Some(H::Sha512), Approved),
    m(CKM_RSA_PKCS_OAEP, "CKM_RSA_PKCS_OAEP", Rsa, ED | WU, RSA, None, Approved),
    // EC (section 2.3)
    m(CKM_EC_KEY_PAIR_GEN, "CKM_EC_KEY_PAIR_GEN", Ec, CKF_GENERATE_KEY_PAIR | EC_FLAGS, EC, None, Approved),
    m(CKM_ECDSA, "CKM_ECDSA", Ec, SV | EC_FLAGS, EC, None, RAW_SIGN),
    sha1_sign(m(CKM_ECDSA_SHA1, "CKM_ECDSA_SHA1", Ec, SV | EC_FLAGS, EC, Some(H::Sha1), SHA1_SIG)),
    m(CKM_ECDSA_SHA224, "CKM_ECDSA_SHA224", Ec, SV | EC_FLAGS, EC, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_ECDSA_SHA256, "CKM_ECDSA_SHA256", Ec, SV | EC_FLAGS, EC, Some(H::Sha256), Approved),
    m(CKM_ECDSA_SHA384, "CKM_ECDSA_SHA384", Ec, SV | EC_FLAGS, EC, Some(H::Sha384), Approved),
    m(CKM_ECDSA_SHA512, "CKM_ECDSA_SHA512", Ec, SV | EC_FLAGS, EC, Some(H::Sha512), Approved),
    m(CKM_ECDH1_DERIVE, "CKM_ECDH1_DERIVE", Ec, CKF_DERIVE | EC_FLAGS, EC, None, Approved),
    m(CKM_ECDH1_COFACTOR_DERIVE, "CKM_ECDH1_COFACTOR_DERIVE", Ec, CKF_DERIVE | EC_FLAGS, EC, None, Approved),
    // EdDSA (section 2.3.14)
    m(CKM_EC_EDWARDS_KEY_PAIR_GEN, "CKM_EC_EDWARDS_KEY_PAIR_GEN", EdDsa, CKF_GENERATE_KEY_PAIR, ED25519, None, EDDSA),
    m(CKM_EDDSA, "CKM_EDDSA", EdDsa, SV, ED25519, None, EDDSA),
    // AES (sections 2.8-2.14)
    m(CKM_AES_KEY_GEN, "CKM_AES_KEY_GEN", Aes, CKF_GENERATE, AES, None, Approved),
    m(CKM_AES_ECB, "CKM_AES_ECB", Aes, ED, AES, None, No("ECB is outside this module's approved set")),
    m(CKM_AES_CBC, "CKM_AES_CBC", Aes, ED, AES, None, Approved),
    m(CKM_AES_CBC_PAD, "CKM_AES_CBC_PAD", Aes, ED | WU, AES, None, Approved),
    m(CKM_AES_CTR, "CKM_AES_CTR", Aes, ED, AES, None, Approved),
    m(CKM_AES_GCM, "CKM_AES_GCM", Aes, ED | WU, AES, None, Approved),
    m(CKM_AES_KEY_WRAP, "CKM_AES_KEY_WRAP", Aes, ED | WU, AES, None, Approved),
    m(CKM_AES_KEY_WRAP_KWP, "CKM_AES_KEY_WRAP_KWP", Aes, ED | WU, AES, None, Approved),
    m(CKM_AES_CMAC, "CKM_AES_CMAC", Aes, SV, AES, None, No("CMAC is outside this module's approved set")),
    // Digests (sections 2.16-2.20)
    m(CKM_SHA_1, "CKM_SHA_1", Digest, CKF_DIGEST, NONE, Some(H::Sha1), Approved),
    m(CKM_SHA224, "CKM_SHA224", Digest, CKF_DIGEST, NONE, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_SHA256, "CKM_SHA256", Digest, CKF_DIGEST, NONE, Some(H::Sha256), Approved),
    m(CKM_SHA384, "CKM_SHA384", Digest, CKF_DIGEST, NONE, Some(H::Sha384), Approved),
    m(CKM_SHA512, "CKM_SHA512", Digest, CKF_DIGEST, NONE, Some(H::Sha512), Approved),
    m(CKM_SHA3_224, "CKM_SHA3_224", Digest, CKF_DIGEST, NONE, Some(H::Sha3_224), NOT_IN_POLICY),
    m(CKM_SHA3_256, "CKM_SHA3_256", Digest, CKF_DIGEST, NONE, Some(H::Sha3_256), Approved),
    m(CKM_SHA3_384, "CKM_SHA3_384", Digest, CKF_DIGEST, NONE, Some(H::Sha3_384), Approved),
    m(CKM_SHA3_512, "CKM_SHA3_512", Digest, CKF_DIGEST, NONE, Some(H::Sha3_512), Approved),
    // HMAC and generic secrets
    m(CKM_GENERIC_SECRET_KEY_GEN, "CKM_GENERIC_SECRET_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, None, Approved),
    m(CKM_SHA_1_HMAC, "CKM_SHA_1_HMAC", Hmac, SV, SECRET, Some(H::Sha1), NOT_IN_POLICY),
    m(CKM_SHA224_HMAC, "CKM_SHA224_HMAC", Hmac, SV, SECRET, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_SHA256_HMAC, "CKM_SHA256_HMAC", Hmac, SV, SECRET, Some(H::Sha256), Approved),
    m(CKM_SHA384_HMAC, "CKM_SHA384_HMAC", Hmac, SV, SECRET, Some(H::Sha384), Approved),
    m(CKM_SHA512_HMAC, "CKM_SHA512_HMAC", Hmac, SV, SECRET, Some(H::Sha512), Approved),
    m(CKM_SHA3_224_HMAC, "CKM_SHA3_224_HMAC", Hmac, SV, SECRET, Some(H::Sha3_224), NOT_IN_POLICY),
    m(CKM_SHA3_256_HMAC, "CKM_SHA3_256_HMAC", Hmac, SV, SECRET, Some(H::Sha3_256), NOT_IN_POLICY),
    m(CKM_SHA3_384_HMAC, "CKM_SHA3_384_HMAC", Hmac, SV, SECRET, Some(H::Sha3_384), NOT_IN_POLICY),
    m(CKM_SHA3_512_HMAC, "CKM_SHA3_512_HMAC", Hmac, SV, SECRET, Some(H::Sha3_512), NOT_IN_POLICY),
    // HKDF (section 2.43)
    m(CKM_HKDF_DERIVE, "CKM_HKDF_DERIVE", Hkdf, CKF_DERIVE, SECRET, None, NOT_IN_POLICY),
    // Post-quantum (PKCS#11 3.2, sections 6.67 and 6.68)
    m(CKM_ML_DSA_KEY_PAIR_GEN, "CKM_ML_DSA_KEY_PAIR_GEN", MlDsa, CKF_GENERATE_KEY_PAIR, ML_DSA, None, PQC),
    m(CKM_ML_DSA, "CKM_ML_DSA", MlDsa, SV, ML_DSA, None, PQC),
    m(CKM_ML_KEM_KEY_PAIR_GEN, "CKM_ML_KEM_KEY_PAIR_GEN", MlKem, CKF_GENERATE_KEY_PAIR, ML_KEM, None, PQC),
    m(CKM_ML_KEM, "CKM_ML_KEM", MlKem, KEM, ML_KEM, None, PQC),
];

/// Looks a mechanism up in the registry.
pub fn lookup(mech: CK_MECHANISM_TYPE) -> Option<&'static MechSpec> {
    MECHANISMS.iter().find(|s| s.mech == mech)
}
