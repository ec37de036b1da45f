//! EdDSA over Ed25519 (PKCS#11 3.x mechanisms 2.3.14): pure signatures only.

use super::FamilyDef;
use crate::crypto::{SigInput, SigKind, SignScheme};
use crate::error::{Error, Result};
use crate::mechanism::capability::{KeyGen, Need};
use crate::mechanism::raw::{Layout, RawParam};
use crate::mechanism::registry::*;
use crate::mechanism::{Mechanism, Params};
use cryptoki_sys::*;
use std::mem::offset_of;

pub static FAMILY: FamilyDef = FamilyDef {
    rows: ROWS,
    layout,
    parse,
    need,
};

#[rustfmt::skip]
static ROWS: &[MechSpec] = &[
    m(CKM_EC_EDWARDS_KEY_PAIR_GEN, "CKM_EC_EDWARDS_KEY_PAIR_GEN", EdDsa, CKF_GENERATE_KEY_PAIR, ED25519, None, EDDSA),
    m(CKM_EDDSA, "CKM_EDDSA", EdDsa, SV, ED25519, None, EDDSA),
];

type P = CK_EDDSA_PARAMS;

fn layout(mech: CK_MECHANISM_TYPE) -> Option<Layout> {
    (mech == CKM_EDDSA).then_some(Layout {
        size: size_of::<P>(),
        buffers: &[(offset_of!(P, pContextData), offset_of!(P, ulContextDataLen))],
        optional: true,
    })
}

fn parse(mech: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Params> {
    Ok(match (mech, &raw) {
        (CKM_EDDSA, RawParam::Struct { .. }) => Params::Eddsa {
            prehash: raw.flag(offset_of!(P, phFlag))?,
            context: raw.buffer(0)?,
        },
        _ => super::plain(mech, raw)?,
    })
}

fn need(_: &MechSpec, op: Op) -> Option<Need> {
    Some(match op {
        Op::GenerateKeyPair => Need::Generate(KeyGen::Ed25519),
        _ => Need::Signature(SigKind::EdDsa, SigInput::Pure),
    })
}

/// Pure Ed25519: no parameter, or `CK_EDDSA_PARAMS` without prehash or context (Ed25519ph and
/// Ed25519ctx are not offered).
pub fn sign_scheme(mech: &Mechanism) -> Result<SignScheme> {
    match &mech.params {
        Params::None => Ok(SignScheme::EdDsa),
        Params::Eddsa {
            prehash: false,
            context,
        } if context.is_empty() => Ok(SignScheme::EdDsa),
        _ => Err(Error::MechanismParamInvalid),
    }
}
