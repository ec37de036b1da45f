//! Generic secrets and HMAC (PKCS#11 3.x mechanisms 2.16–2.20 and 4.10): key generation and
//! the HMACs over SHA-1, SHA-2 and SHA-3.

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
