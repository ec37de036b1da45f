//! ML-DSA (FIPS 204; PKCS#11 3.2 mechanisms 6.67): key generation, pure signatures with a
//! context string, hedged or deterministic, and HashML-DSA over a caller's digest
//! (`CKM_HASH_ML_DSA`, single-part) or a hash the module computes (`CKM_HASH_ML_DSA_<hash>`,
//! SHAKE128 and SHAKE256 included).

use super::FamilyDef;
use crate::crypto::{Hedge, PreHash, SigInput, SigKind, SignScheme};
use crate::error::{Error, Result};
use crate::mechanism::capability::{KeyGen, Need};
use crate::mechanism::params::hash_of_mechanism;
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
    // Over a caller's digest: single-part only (PKCS#11 3.2 HashML-DSA table, footnote 1).
    single_part_only(m(CKM_HASH_ML_DSA, "CKM_HASH_ML_DSA", MlDsa, SV, ML_DSA, None, PQC)),
    m(CKM_HASH_ML_DSA_SHA224, "CKM_HASH_ML_DSA_SHA224", MlDsa, SV, ML_DSA, Some(H::Sha224), PQC),
    m(CKM_HASH_ML_DSA_SHA256, "CKM_HASH_ML_DSA_SHA256", MlDsa, SV, ML_DSA, Some(H::Sha256), PQC),
    m(CKM_HASH_ML_DSA_SHA384, "CKM_HASH_ML_DSA_SHA384", MlDsa, SV, ML_DSA, Some(H::Sha384), PQC),
    m(CKM_HASH_ML_DSA_SHA512, "CKM_HASH_ML_DSA_SHA512", MlDsa, SV, ML_DSA, Some(H::Sha512), PQC),
    m(CKM_HASH_ML_DSA_SHA3_224, "CKM_HASH_ML_DSA_SHA3_224", MlDsa, SV, ML_DSA, Some(H::Sha3_224), PQC),
    m(CKM_HASH_ML_DSA_SHA3_256, "CKM_HASH_ML_DSA_SHA3_256", MlDsa, SV, ML_DSA, Some(H::Sha3_256), PQC),
    m(CKM_HASH_ML_DSA_SHA3_384, "CKM_HASH_ML_DSA_SHA3_384", MlDsa, SV, ML_DSA, Some(H::Sha3_384), PQC),
    m(CKM_HASH_ML_DSA_SHA3_512, "CKM_HASH_ML_DSA_SHA3_512", MlDsa, SV, ML_DSA, Some(H::Sha3_512), PQC),
    // The XOF pre-hashes: the provider hashes the whole message.
    m(CKM_HASH_ML_DSA_SHAKE128, "CKM_HASH_ML_DSA_SHAKE128", MlDsa, SV, ML_DSA, None, PQC),
    m(CKM_HASH_ML_DSA_SHAKE256, "CKM_HASH_ML_DSA_SHAKE256", MlDsa, SV, ML_DSA, None, PQC),
];

type P = CK_SIGN_ADDITIONAL_CONTEXT;
type HP = CK_HASH_SIGN_ADDITIONAL_CONTEXT;

/// Whether a mechanism is HashML-DSA (with or without the module's hashing).
fn is_hash_ml_dsa(mech: CK_MECHANISM_TYPE) -> bool {
    mech != CKM_ML_DSA && mech != CKM_ML_DSA_KEY_PAIR_GEN && ROWS.iter().any(|r| r.mech == mech)
}

fn layout(mech: CK_MECHANISM_TYPE) -> Option<Layout> {
    match mech {
        CKM_HASH_ML_DSA => Some(Layout {
            size: size_of::<HP>(),
            buffers: &[(offset_of!(HP, pContext), offset_of!(HP, ulContextLen))],
            optional: false,
        }),
        CKM_ML_DSA => Some(context_layout()),
        m if is_hash_ml_dsa(m) => Some(context_layout()),
        _ => None,
    }
}

fn context_layout() -> Layout {
    Layout {
        size: size_of::<P>(),
        buffers: &[(offset_of!(P, pContext), offset_of!(P, ulContextLen))],
        optional: true,
    }
}

fn parse(mech: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Params> {
    Ok(match (mech, &raw) {
        (CKM_HASH_ML_DSA, RawParam::Struct { .. }) => Params::HashSignContext {
            hedge: raw.ulong(offset_of!(HP, hedgeVariant))? as CK_HEDGE_TYPE,
            context: raw.buffer(0)?,
            hash: raw.ulong(offset_of!(HP, hash))? as CK_MECHANISM_TYPE,
        },
        (CKM_HASH_ML_DSA, _) => return Err(Error::MechanismParamInvalid),
        (m, RawParam::Struct { .. }) if m == CKM_ML_DSA || is_hash_ml_dsa(m) => {
            Params::SignContext {
                hedge: raw.ulong(offset_of!(P, hedgeVariant))? as CK_HEDGE_TYPE,
                context: raw.buffer(0)?,
            }
        }
        _ => super::plain(mech, raw)?,
    })
}

/// The SHAKE pre-hash a mechanism names, if it is one.
fn xof(mech: CK_MECHANISM_TYPE) -> Option<PreHash> {
    match mech {
        CKM_HASH_ML_DSA_SHAKE128 => Some(PreHash::Shake128),
        CKM_HASH_ML_DSA_SHAKE256 => Some(PreHash::Shake256),
        _ => None,
    }
}

fn need(spec: &MechSpec, op: Op) -> Option<Need> {
    let input = match (spec.hash, xof(spec.mech)) {
        (Some(h), _) => SigInput::Hashed(h),
        // ML-DSA, and HashML-DSA with a SHAKE, take the message whole.
        (None, Some(_)) => SigInput::Pure,
        (None, None) if spec.mech == CKM_ML_DSA => SigInput::Pure,
        (None, None) => SigInput::Digest,
    };
    Some(match op {
        Op::GenerateKeyPair => Need::Generate(KeyGen::MlDsa),
        _ if spec.mech == CKM_ML_DSA => Need::Signature(SigKind::MlDsa, input),
        _ => Need::Signature(SigKind::HashMlDsa, input),
    })
}

/// Pure ML-DSA or HashML-DSA with `CK_SIGN_ADDITIONAL_CONTEXT` (or none: hedged, empty
/// context), or `CKM_HASH_ML_DSA` with `CK_HASH_SIGN_ADDITIONAL_CONTEXT`; a context, or the
/// deterministic variant, only where the provider takes it. Verification ignores the hedge
/// type (PKCS#11 3.2 6.67).
pub fn sign_scheme(
    policy: &Policy,
    spec: &MechSpec,
    mech: &Mechanism,
    op: Op,
) -> Result<SignScheme> {
    let (hedge, context, caller_hash) = match &mech.params {
        Params::None => (CKH_HEDGE_PREFERRED, Vec::new(), None),
        Params::SignContext { hedge, context } => (*hedge, context.clone(), None),
        Params::HashSignContext {
            hedge,
            context,
            hash,
        } => (*hedge, context.clone(), Some(*hash)),
        _ => return Err(Error::MechanismParamInvalid),
    };
    let hedge = match hedge {
        CKH_HEDGE_PREFERRED | CKH_HEDGE_REQUIRED => Hedge::Hedged,
        CKH_DETERMINISTIC_REQUIRED => Hedge::Deterministic,
        _ => return Err(Error::MechanismParamInvalid),
    };
    let scheme = policy.signature(spec).ok_or(Error::MechanismInvalid)?;
    let refused = (!context.is_empty() && !scheme.context)
        || (op == Op::Sign && hedge == Hedge::Deterministic && !scheme.deterministic);
    if context.len() > 255 || refused {
        return Err(Error::MechanismParamInvalid);
    }
    if spec.mech == CKM_ML_DSA {
        return Ok(SignScheme::MlDsa { context, hedge });
    }
    let hash = match (spec.hash, xof(spec.mech), caller_hash) {
        (Some(h), None, None) => PreHash::Hash(h),
        (None, Some(x), None) => x,
        (None, None, Some(m)) => PreHash::Hash(hash_of_mechanism(m)?),
        _ => return Err(Error::MechanismParamInvalid),
    };
    // PKCS#11 names no pre-hash weaker than SHA-224 for HashML-DSA; SHA-1 is refused. (FIPS
    // 204 §5.4 wants the hash's strength to match the parameter set's, which SHA-224 and
    // SHAKE128 do not for ML-DSA-65/87; these mechanisms are not approved here.)
    if hash == PreHash::Hash(H::Sha1) {
        return Err(Error::MechanismParamInvalid);
    }
    Ok(SignScheme::HashMlDsa {
        hash,
        context,
        hedge,
    })
}
