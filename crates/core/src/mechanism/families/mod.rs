//! Mechanism families, each in its own file: its rows of the registry, the layout and parsing
//! of its parameter structures (from what the ABI hands over, `raw`), the provider capability
//! each of its operations needs, and the set-up its operations share. Adding a mechanism to a
//! family is a row here and, where a provider lacks it, a row in that provider's tables.

pub mod aes;
pub mod des3;
pub mod digest;
pub mod ec;
pub mod eddsa;
pub mod hkdf;
pub mod kbkdf;
pub mod ml_dsa;
pub mod ml_kem;
pub mod montgomery;
pub mod rsa;
pub mod secret;
pub mod simple_kdf;

use super::capability::Need;
use super::raw::{Layout, RawParam};
use super::registry::{MechSpec, Op};
use super::{Mechanism, Params};
use crate::error::{Error, Result};
use cryptoki_sys::*;

/// What the registry, the ABI and the policy ask of a family.
pub struct FamilyDef {
    pub rows: &'static [MechSpec],
    /// The parameter structure a mechanism takes, if it takes one.
    pub layout: fn(CK_MECHANISM_TYPE) -> Option<Layout>,
    /// The typed parameters of one of the family's mechanisms.
    pub parse: fn(CK_MECHANISM_TYPE, RawParam) -> Result<Params>,
    /// The capability one operation of one of its mechanisms needs from a provider.
    pub need: fn(&MechSpec, Op) -> Option<Need>,
}

/// Every family, in the order `C_GetMechanismList` and the docs list them.
pub static FAMILIES: &[&FamilyDef] = &[
    &rsa::FAMILY,
    &ec::FAMILY,
    &eddsa::FAMILY,
    &montgomery::FAMILY,
    &aes::FAMILY,
    &des3::FAMILY,
    &digest::FAMILY,
    &secret::FAMILY,
    &hkdf::FAMILY,
    &simple_kdf::FAMILY,
    &kbkdf::FAMILY,
    &ml_dsa::FAMILY,
    &ml_kem::FAMILY,
];

/// The family that owns a mechanism.
pub fn of(mech: CK_MECHANISM_TYPE) -> Option<&'static FamilyDef> {
    FAMILIES
        .iter()
        .copied()
        .find(|f| f.rows.iter().any(|r| r.mech == mech))
}

/// For families without parameter structures.
pub fn no_layout(_: CK_MECHANISM_TYPE) -> Option<Layout> {
    None
}

/// A block mode's IV: the parameter's bytes, exactly `N` of them.
pub fn iv<const N: usize>(mech: &Mechanism) -> Result<[u8; N]> {
    match &mech.params {
        Params::Bytes(b) => b
            .as_slice()
            .try_into()
            .map_err(|_| Error::MechanismParamInvalid),
        _ => Err(Error::MechanismParamInvalid),
    }
}

/// Parameters for mechanisms that take none or plain bytes (an IV).
pub fn plain(_: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Params> {
    Ok(match raw {
        RawParam::None => Params::None,
        RawParam::Bytes(b) => Params::Bytes(b),
        RawParam::Struct { .. } | RawParam::Kbkdf(_) => return Err(Error::MechanismParamInvalid),
    })
}

/// The typed mechanism for a caller's type and raw parameter. A type no family owns keeps its
/// raw bytes: the operation refuses it with `CKR_MECHANISM_INVALID` in its own order of checks.
pub fn parse(mech: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Mechanism> {
    let params = match of(mech) {
        Some(f) => (f.parse)(mech, raw)?,
        None => plain(mech, raw)?,
    };
    Ok(Mechanism { mech, params })
}

/// The layout of a mechanism's parameter structure, for the ABI.
pub fn layout(mech: CK_MECHANISM_TYPE) -> Option<Layout> {
    of(mech).and_then(|f| (f.layout)(mech))
}
