//! Generic secrets and HMAC (PKCS#11 3.x mechanisms 2.16–2.20 and 4.10): key generation, the
//! 3.0 per-hash HMAC key types and their generators (`CKM_SHA256_KEY_GEN` makes a
//! `CKK_SHA256_HMAC` key), and the HMACs over SHA-1, SHA-2 and SHA-3.

use super::{FamilyDef, no_layout, plain};
use crate::crypto::MacAlg;
use crate::mechanism::capability::Need;
use crate::mechanism::registry::*;
use cryptoki_sys::*;

pub static FAMILY: FamilyDef = FamilyDef {
    rows: ROWS,
    layout: no_layout,
    parse: plain,
    need,
};

#[rustfmt::skip]
static ROWS: &[MechSpec] = &[
    m(CKM_GENERIC_SECRET_KEY_GEN, "CKM_GENERIC_SECRET_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, None, Approved),
    m(CKM_SHA_1_KEY_GEN, "CKM_SHA_1_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, Some(H::Sha1), NOT_IN_POLICY),
    m(CKM_SHA224_KEY_GEN, "CKM_SHA224_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_SHA256_KEY_GEN, "CKM_SHA256_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, Some(H::Sha256), NOT_IN_POLICY),
    m(CKM_SHA384_KEY_GEN, "CKM_SHA384_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, Some(H::Sha384), NOT_IN_POLICY),
    m(CKM_SHA512_KEY_GEN, "CKM_SHA512_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, Some(H::Sha512), NOT_IN_POLICY),
    m(CKM_SHA3_224_KEY_GEN, "CKM_SHA3_224_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, Some(H::Sha3_224), NOT_IN_POLICY),
    m(CKM_SHA3_256_KEY_GEN, "CKM_SHA3_256_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, Some(H::Sha3_256), NOT_IN_POLICY),
    m(CKM_SHA3_384_KEY_GEN, "CKM_SHA3_384_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, Some(H::Sha3_384), NOT_IN_POLICY),
    m(CKM_SHA3_512_KEY_GEN, "CKM_SHA3_512_KEY_GEN", GenericSecret, CKF_GENERATE, SECRET, Some(H::Sha3_512), NOT_IN_POLICY),
    m(CKM_SHA_1_HMAC, "CKM_SHA_1_HMAC", Hmac, SV, SECRET, Some(H::Sha1), NOT_IN_POLICY),
    m(CKM_SHA224_HMAC, "CKM_SHA224_HMAC", Hmac, SV, SECRET, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_SHA256_HMAC, "CKM_SHA256_HMAC", Hmac, SV, SECRET, Some(H::Sha256), Approved),
    m(CKM_SHA384_HMAC, "CKM_SHA384_HMAC", Hmac, SV, SECRET, Some(H::Sha384), Approved),
    m(CKM_SHA512_HMAC, "CKM_SHA512_HMAC", Hmac, SV, SECRET, Some(H::Sha512), Approved),
    m(CKM_SHA3_224_HMAC, "CKM_SHA3_224_HMAC", Hmac, SV, SECRET, Some(H::Sha3_224), NOT_IN_POLICY),
    m(CKM_SHA3_256_HMAC, "CKM_SHA3_256_HMAC", Hmac, SV, SECRET, Some(H::Sha3_256), NOT_IN_POLICY),
    m(CKM_SHA3_384_HMAC, "CKM_SHA3_384_HMAC", Hmac, SV, SECRET, Some(H::Sha3_384), NOT_IN_POLICY),
    m(CKM_SHA3_512_HMAC, "CKM_SHA3_512_HMAC", Hmac, SV, SECRET, Some(H::Sha3_512), NOT_IN_POLICY),
];

fn need(spec: &MechSpec, op: Op) -> Option<Need> {
    Some(match op {
        Op::Generate => Need::Random,
        _ => Need::Mac(MacAlg::Hmac(spec.hash?)),
    })
}

/// The 3.0 HMAC key type bound to one hash (`CKK_SHA256_HMAC` for SHA-256, ...).
pub fn hmac_key_type(hash: H) -> CK_KEY_TYPE {
    match hash {
        H::Sha1 => CKK_SHA_1_HMAC,
        H::Sha224 => CKK_SHA224_HMAC,
        H::Sha256 => CKK_SHA256_HMAC,
        H::Sha384 => CKK_SHA384_HMAC,
        H::Sha512 => CKK_SHA512_HMAC,
        H::Sha3_224 => CKK_SHA3_224_HMAC,
        H::Sha3_256 => CKK_SHA3_256_HMAC,
        H::Sha3_384 => CKK_SHA3_384_HMAC,
        H::Sha3_512 => CKK_SHA3_512_HMAC,
    }
}

/// Whether a key type holds a secret for an HMAC: a generic secret or a per-hash HMAC key.
pub fn is_hmac_key_type(kt: CK_KEY_TYPE) -> bool {
    kt == CKK_GENERIC_SECRET || is_hash_bound(kt)
}

/// A per-hash HMAC key type (`CKK_SHA*_HMAC`).
pub fn is_hash_bound(kt: CK_KEY_TYPE) -> bool {
    matches!(
        kt,
        CKK_SHA_1_HMAC
            | CKK_SHA224_HMAC
            | CKK_SHA256_HMAC
            | CKK_SHA384_HMAC
            | CKK_SHA512_HMAC
            | CKK_SHA3_224_HMAC
            | CKK_SHA3_256_HMAC
            | CKK_SHA3_384_HMAC
            | CKK_SHA3_512_HMAC
    )
}

/// The key type a generator makes: a generic secret, or the HMAC key type of its hash.
pub fn generated_key_type(spec: &MechSpec) -> CK_KEY_TYPE {
    match spec.hash {
        Some(h) if spec.mech != CKM_GENERIC_SECRET_KEY_GEN => hmac_key_type(h),
        _ => CKK_GENERIC_SECRET,
    }
}

/// Whether an HMAC over `hash` may use a key of type `kt`: a generic secret, or the HMAC key
/// type of that same hash (a `CKK_SHA256_HMAC` key is for `CKM_SHA256_HMAC` only).
pub fn hmac_key_fits(kt: CK_KEY_TYPE, hash: Option<H>) -> bool {
    kt == CKK_GENERIC_SECRET || hash.map(hmac_key_type) == Some(kt)
}
