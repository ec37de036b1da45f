//! ML-KEM (FIPS 203; PKCS#11 3.2 mechanisms 6.68): key generation, encapsulation and
//! decapsulation.

use super::{FamilyDef, no_layout, plain};
use crate::mechanism::capability::{KeyGen, Need};
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
    m(CKM_ML_KEM_KEY_PAIR_GEN, "CKM_ML_KEM_KEY_PAIR_GEN", MlKem, CKF_GENERATE_KEY_PAIR, ML_KEM, None, PQC),
    m(CKM_ML_KEM, "CKM_ML_KEM", MlKem, KEM, ML_KEM, None, PQC),
];

fn need(_: &MechSpec, op: Op) -> Option<Need> {
    Some(match op {
        Op::GenerateKeyPair => Need::Generate(KeyGen::MlKem),
        _ => Need::Kem,
    })
}
