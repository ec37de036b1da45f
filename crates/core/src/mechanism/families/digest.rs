//! Message digests (PKCS#11 3.x mechanisms 2.16–2.20): SHA-1, SHA-2 and SHA-3.

use super::{FamilyDef, no_layout, plain};
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
    m(CKM_SHA_1, "CKM_SHA_1", Digest, CKF_DIGEST, NONE, Some(H::Sha1), Approved),
    m(CKM_SHA224, "CKM_SHA224", Digest, CKF_DIGEST, NONE, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_SHA256, "CKM_SHA256", Digest, CKF_DIGEST, NONE, Some(H::Sha256), Approved),
    m(CKM_SHA384, "CKM_SHA384", Digest, CKF_DIGEST, NONE, Some(H::Sha384), Approved),
    m(CKM_SHA512, "CKM_SHA512", Digest, CKF_DIGEST, NONE, Some(H::Sha512), Approved),
    m(CKM_SHA3_224, "CKM_SHA3_224", Digest, CKF_DIGEST, NONE, Some(H::Sha3_224), NOT_IN_POLICY),
    m(CKM_SHA3_256, "CKM_SHA3_256", Digest, CKF_DIGEST, NONE, Some(H::Sha3_256), Approved),
    m(CKM_SHA3_384, "CKM_SHA3_384", Digest, CKF_DIGEST, NONE, Some(H::Sha3_384), Approved),
    m(CKM_SHA3_512, "CKM_SHA3_512", Digest, CKF_DIGEST, NONE, Some(H::Sha3_512), Approved),
];

fn need(spec: &MechSpec, _: Op) -> Option<Need> {
    Some(Need::Hash(spec.hash?))
}
