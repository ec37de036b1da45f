//! Montgomery curves (PKCS#11 3.x mechanisms 2.3.8): X25519 key pairs (`CKK_EC_MONTGOMERY`,
//! RFC 7748). Their agreement is `CKM_ECDH1_DERIVE`, which the `ec` family owns.

use super::{FamilyDef, no_layout};
use crate::mechanism::capability::{KeyGen, Need};
use crate::mechanism::registry::*;
use cryptoki_sys::*;

pub static FAMILY: FamilyDef = FamilyDef {
    rows: ROWS,
    layout: no_layout,
    parse: super::plain,
    need,
};

#[rustfmt::skip]
static ROWS: &[MechSpec] = &[
    m(CKM_EC_MONTGOMERY_KEY_PAIR_GEN, "CKM_EC_MONTGOMERY_KEY_PAIR_GEN", Montgomery, CKF_GENERATE_KEY_PAIR, X25519, None, MONTGOMERY),
];

fn need(_: &MechSpec, _: Op) -> Option<Need> {
    Some(Need::Generate(KeyGen::X25519))
}
