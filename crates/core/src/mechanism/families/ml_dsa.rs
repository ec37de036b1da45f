//! ML-DSA (FIPS 204; PKCS#11 3.2 mechanisms 6.67): key generation and pure signatures with
//! a context string, hedged or deterministic.

use super::FamilyDef;
use crate::crypto::{Hedge, SigInput, SigKind, SignScheme};
use crate::error::{Error, Result};
use crate::mechanism::capability::{KeyGen, Need};
use crate::mechanism::raw::{Layout, RawParam};
use crate::mechanism::registry::*;
use crate::mechanism::{Mechanism, Params, Policy};
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
    m(CKM_ML_DSA_KEY_PAIR_GEN, "CKM_ML_DSA_KEY_PAIR_GEN", MlDsa, CKF_GENERATE_KEY_PAIR, ML_DSA, None, PQC),
    m(CKM_ML_DSA, "CKM_ML_DSA", MlDsa, SV, ML_DSA, None, PQC),
];

type P = CK_SIGN_ADDITIONAL_CONTEXT;

fn layout(mech: CK_MECHANISM_TYPE) -> Option<Layout> {
    (mech == CKM_ML_DSA).then_some(Layout {
        size: size_of::<P>(),
        buffers: &[(offset_of!(P, pContext), offset_of!(P, ulContextLen))],
        optional: true,
    })
}

fn parse(mech: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Params> {
    Ok(match (mech, &raw) {
        (CKM_ML_DSA, RawParam::Struct { .. }) => Params::SignContext {
            hedge: raw.ulong(offset_of!(P, hedgeVariant))? as CK_HEDGE_TYPE,
            context: raw.buffer(0)?,
        },
        _ => super::plain(mech, raw)?,
    })
}

fn need(_: &MechSpec, op: Op) -> Option<Need> {
    Some(match op {
        Op::GenerateKeyPair => Need::Generate(KeyGen::MlDsa),
        _ => Need::Signature(SigKind::MlDsa, SigInput::Pure),
    })
}

/// Pure ML-DSA with `CK_SIGN_ADDITIONAL_CONTEXT` (or none: hedged, empty context); a context
/// or the deterministic variant only where the provider takes them.
pub fn sign_scheme(policy: &Policy, spec: &MechSpec, mech: &Mechanism) -> Result<SignScheme> {
    let (hedge, context) = match &mech.params {
        Params::None => (CKH_HEDGE_PREFERRED, Vec::new()),
        Params::SignContext { hedge, context } => (*hedge, context.clone()),
        _ => return Err(Error::MechanismParamInvalid),
    };
    let hedge = match hedge {
        CKH_HEDGE_PREFERRED | CKH_HEDGE_REQUIRED => Hedge::Hedged,
        CKH_DETERMINISTIC_REQUIRED => Hedge::Deterministic,
        _ => return Err(Error::MechanismParamInvalid),
    };
    let plain = context.is_empty() && hedge == Hedge::Hedged;
    let takes_context = policy.signature(spec).is_some_and(|s| s.context);
    if context.len() > 255 || (!plain && !takes_context) {
        return Err(Error::MechanismParamInvalid);
    }
    Ok(SignScheme::MlDsa { context, hedge })
}
