//! The single registry of mechanisms this token implements: operations, key-size range, the
//! hash it applies, and whether FIPS 140-3 approves it. `C_GetMechanismList/Info`,
//! `docs/mechanisms.md` and `docs/fips.md` all come from this table.

pub(crate) use crate::crypto::HashAlg;
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
    /// Montgomery curves (X25519 key pairs; their agreement is `CKM_ECDH1_DERIVE`, in `Ec`).
    Montgomery,
    Aes,
    Digest,
    Hmac,
    GenericSecret,
    /// HKDF over a generic secret.
    Hkdf,
    /// Concatenation, XOR and extraction of non-sensitive secrets (2.43).
    SimpleKdf,
    /// SP 800-108 counter and feedback modes (2.42).
    Kbkdf,
    /// Three-key Triple DES (legacy, default mode only).
    Des3,
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
    /// Single-part only: its update and final calls are refused.
    pub single_part: bool,
    pub approval: Approval,
}

pub(crate) const SV: CK_FLAGS = CKF_SIGN | CKF_VERIFY;
pub(crate) const ED: CK_FLAGS = CKF_ENCRYPT | CKF_DECRYPT;
pub(crate) const WU: CK_FLAGS = CKF_WRAP | CKF_UNWRAP;
/// The 3.0 message-based encryption and decryption (`C_MessageEncryptInit`...).
pub(crate) const MSG: CK_FLAGS = CKF_MESSAGE_ENCRYPT | CKF_MESSAGE_DECRYPT;
pub(crate) const AES: (u64, u64) = (16, 32);
pub(crate) const EC_FLAGS: CK_FLAGS = CKF_EC_F_P | CKF_EC_OID | CKF_EC_UNCOMPRESS;
/// Key-size ranges in each family's unit.
/// The widest RSA range any provider may offer; each provider's own range narrows it.
pub(crate) const RSA: (u64, u64) = (2048, 8192);
pub(crate) const EC: (u64, u64) = (256, 521);
/// ECDH also agrees on X25519 keys (255 bits).
pub(crate) const ECDH: (u64, u64) = (255, 521);
pub(crate) const ED25519: (u64, u64) = (255, 255);
pub(crate) const X25519: (u64, u64) = (255, 255);
/// Generic secrets (keys for HMAC and HKDF): in bits, as the spec counts them for
/// CKM_GENERIC_SECRET_KEY_GEN.
pub(crate) const SECRET: (u64, u64) = (8, 4096);
pub(crate) const NONE: (u64, u64) = (0, 0);
/// Post-quantum key sizes: public-key bytes, as PKCS#11 3.2 counts them (ML-DSA-44..87,
/// ML-KEM-512..1024).
pub(crate) const ML_DSA: (u64, u64) = (1312, 2592);
pub(crate) const ML_KEM: (u64, u64) = (800, 1568);

pub(crate) const fn m(
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
        single_part: false,
        approval,
    }
}

pub(crate) const fn sha1_sign(mut s: MechSpec) -> MechSpec {
    s.sha1_signing = true;
    s
}

pub(crate) const fn single_part_only(mut s: MechSpec) -> MechSpec {
    s.single_part = true;
    s
}

pub(crate) use crate::crypto::HashAlg as H;
pub(crate) use Approval::{Approved, No};
pub(crate) use Family::*;

pub(crate) const RAW_SIGN: Approval =
    No("signs a caller-supplied digest; the approved service hashes the message itself");
pub(crate) const SHA1_SIG: Approval = No("SHA-1 signatures are disallowed (SP 800-131A Rev. 2)");
pub(crate) const NOT_IN_POLICY: Approval = No("not in this module's approved set");
pub(crate) const EDDSA: Approval = No("EdDSA is outside this module's approved set");
pub(crate) const MONTGOMERY: Approval = No("X25519 is not an SP 800-56A Rev. 3 curve");
pub(crate) const PQC: Approval =
    No("post-quantum mechanisms are not in this module's approved set yet");
pub(crate) const KEM: CK_FLAGS = CKF_ENCAPSULATE | CKF_DECAPSULATE;

/// Every mechanism the token implements, family by family (`families`).
pub fn all() -> impl Iterator<Item = &'static MechSpec> {
    super::families::FAMILIES.iter().flat_map(|f| f.rows.iter())
}

/// Looks a mechanism up in the registry.
pub fn lookup(mech: CK_MECHANISM_TYPE) -> Option<&'static MechSpec> {
    all().find(|s| s.mech == mech)
}
