//! EdDSA over Ed25519 (PKCS#11 3.x mechanisms 2.3.14): Ed25519, Ed25519ctx and Ed25519ph.

use super::FamilyDef;
use crate::crypto::{EdDsaMode, SigInput, SigKind, SignScheme};
use crate::error::{Error, Result};
use crate::mechanism::capability::{KeyGen, Need};
use crate::mechanism::policy::Policy;
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

/// Ed25519 from `CK_EDDSA_PARAMS` (PKCS#11 3.x 2.3.14): no parameter, or no prehash and no
/// context, is Ed25519; a context without prehash Ed25519ctx; prehash Ed25519ph. Contexts are
/// at most 255 bytes (RFC 8032 §5.1); Ed25519ctx only where the provider takes contexts.
pub fn sign_scheme(policy: &Policy, spec: &MechSpec, mech: &Mechanism) -> Result<SignScheme> {
    let mode = match &mech.params {
        Params::None => EdDsaMode::Pure,
        Params::Eddsa { prehash, context } if context.len() <= 255 => match (prehash, context) {
            (false, c) if c.is_empty() => EdDsaMode::Pure,
            (false, c) => EdDsaMode::Ctx(c.clone()),
            (true, c) => EdDsaMode::Ph(c.clone()),
        },
        _ => return Err(Error::MechanismParamInvalid),
    };
    let takes_context = policy.signature(spec).is_some_and(|s| s.context);
    if matches!(mode, EdDsaMode::Ctx(_)) && !takes_context {
        return Err(Error::MechanismParamInvalid);
    }
    Ok(SignScheme::EdDsa(mode))
}
