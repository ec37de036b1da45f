//! RSA (PKCS#11 3.x mechanisms 2.1): key generation, PKCS#1 v1.5, PSS and raw signatures,
//! PKCS#1 v1.5, OAEP and raw encryption.

use super::{FamilyDef, no_layout};
use crate::crypto::{AsymEncScheme, SignScheme};
use crate::crypto::{EncKind, SigInput, SigKind};
use crate::error::{Error, Result};
use crate::mechanism::capability::Need;
use crate::mechanism::params::{hash_of_mechanism, hash_of_mgf};
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
    m(CKM_RSA_PKCS_KEY_PAIR_GEN, "CKM_RSA_PKCS_KEY_PAIR_GEN", Rsa, CKF_GENERATE_KEY_PAIR, RSA, None, Approved),
    m(CKM_RSA_PKCS, "CKM_RSA_PKCS", Rsa, SV | ED | WU, RSA, None,
        No("PKCS#1 v1.5 encryption is disallowed and raw signing takes a caller-made digest")),
    m(CKM_RSA_X_509, "CKM_RSA_X_509", Rsa, SV | ED, RSA, None, No("raw RSA has no padding")),
    sha1_sign(m(CKM_SHA1_RSA_PKCS, "CKM_SHA1_RSA_PKCS", Rsa, SV, RSA, Some(H::Sha1), SHA1_SIG)),
    m(CKM_SHA224_RSA_PKCS, "CKM_SHA224_RSA_PKCS", Rsa, SV, RSA, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_SHA256_RSA_PKCS, "CKM_SHA256_RSA_PKCS", Rsa, SV, RSA, Some(H::Sha256), Approved),
    m(CKM_SHA384_RSA_PKCS, "CKM_SHA384_RSA_PKCS", Rsa, SV, RSA, Some(H::Sha384), Approved),
    m(CKM_SHA512_RSA_PKCS, "CKM_SHA512_RSA_PKCS", Rsa, SV, RSA, Some(H::Sha512), Approved),
    m(CKM_RSA_PKCS_PSS, "CKM_RSA_PKCS_PSS", Rsa, SV, RSA, None, RAW_SIGN),
    sha1_sign(m(CKM_SHA1_RSA_PKCS_PSS, "CKM_SHA1_RSA_PKCS_PSS", Rsa, SV, RSA, Some(H::Sha1), SHA1_SIG)),
    m(CKM_SHA224_RSA_PKCS_PSS, "CKM_SHA224_RSA_PKCS_PSS", Rsa, SV, RSA, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_SHA256_RSA_PKCS_PSS, "CKM_SHA256_RSA_PKCS_PSS", Rsa, SV, RSA, Some(H::Sha256), Approved),
    m(CKM_SHA384_RSA_PKCS_PSS, "CKM_SHA384_RSA_PKCS_PSS", Rsa, SV, RSA, Some(H::Sha384), Approved),
    m(CKM_SHA512_RSA_PKCS_PSS, "CKM_SHA512_RSA_PKCS_PSS", Rsa, SV, RSA, Some(H::Sha512), Approved),
    m(CKM_RSA_PKCS_OAEP, "CKM_RSA_PKCS_OAEP", Rsa, ED | WU, RSA, None,
        No("RSA key transport (SP 800-56B KTS-OAEP) is not a service of the validated AWS-LC module: its OAEP padding sits outside the FIPS boundary")),
];

/// The PSS mechanisms: their parameter is `CK_RSA_PKCS_PSS_PARAMS`.
pub const PSS: &[CK_MECHANISM_TYPE] = &[
    CKM_RSA_PKCS_PSS,
    CKM_SHA1_RSA_PKCS_PSS,
    CKM_SHA224_RSA_PKCS_PSS,
    CKM_SHA256_RSA_PKCS_PSS,
    CKM_SHA384_RSA_PKCS_PSS,
    CKM_SHA512_RSA_PKCS_PSS,
];

pub fn is_pss(m: CK_MECHANISM_TYPE) -> bool {
    PSS.contains(&m)
}

const OAEP_LAYOUT: Layout = Layout {
    size: size_of::<CK_RSA_PKCS_OAEP_PARAMS>(),
    buffers: &[(
        offset_of!(CK_RSA_PKCS_OAEP_PARAMS, pSourceData),
        offset_of!(CK_RSA_PKCS_OAEP_PARAMS, ulSourceDataLen),
    )],
    optional: false,
};

const PSS_LAYOUT: Layout = Layout {
    size: size_of::<CK_RSA_PKCS_PSS_PARAMS>(),
    buffers: &[],
    optional: false,
};

fn layout(mech: CK_MECHANISM_TYPE) -> Option<Layout> {
    match mech {
        CKM_RSA_PKCS_OAEP => Some(OAEP_LAYOUT),
        m if is_pss(m) => Some(PSS_LAYOUT),
        m => no_layout(m),
    }
}

fn parse(mech: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Params> {
    Ok(match mech {
        CKM_RSA_PKCS_OAEP => {
            type P = CK_RSA_PKCS_OAEP_PARAMS;
            let source = raw.ulong(offset_of!(P, source))?;
            if source != 0 && source != CKZ_DATA_SPECIFIED as u64 {
                return Err(Error::MechanismParamInvalid);
            }
            Params::Oaep {
                hash: raw.ulong(offset_of!(P, hashAlg))? as CK_MECHANISM_TYPE,
                mgf: raw.ulong(offset_of!(P, mgf))? as CK_RSA_PKCS_MGF_TYPE,
                label: raw.buffer(0)?,
            }
        }
        m if is_pss(m) => {
            type P = CK_RSA_PKCS_PSS_PARAMS;
            Params::Pss {
                hash: raw.ulong(offset_of!(P, hashAlg))? as CK_MECHANISM_TYPE,
                mgf: raw.ulong(offset_of!(P, mgf))? as CK_RSA_PKCS_MGF_TYPE,
                salt_len: raw.ulong(offset_of!(P, sLen))?,
            }
        }
        m => super::plain(m, raw)?,
    })
}

fn need(spec: &MechSpec, op: Op) -> Option<Need> {
    let input = spec.hash.map_or(SigInput::Digest, SigInput::Hashed);
    Some(match op {
        Op::GenerateKeyPair => Need::Generate(crate::mechanism::capability::KeyGen::Rsa),
        Op::Sign | Op::Verify => match spec.mech {
            CKM_RSA_X_509 => Need::Signature(SigKind::RsaRaw, SigInput::Pure),
            m if is_pss(m) => Need::Signature(SigKind::RsaPss, input),
            _ => Need::Signature(SigKind::RsaPkcs1, input),
        },
        _ => Need::Encryption(match spec.mech {
            CKM_RSA_X_509 => EncKind::Raw,
            CKM_RSA_PKCS_OAEP => EncKind::Oaep,
            _ => EncKind::Pkcs1,
        }),
    })
}

/// Whether PSS parameters are those FIPS 186-5 (5.4) approves: a salt no longer than the hash
/// and MGF1 over the message hash. Other mechanisms' parameters are not judged here.
pub fn params_approved(mech: &Mechanism) -> bool {
    let Params::Pss {
        hash,
        mgf,
        salt_len,
    } = &mech.params
    else {
        return true;
    };
    match (hash_of_mechanism(*hash), hash_of_mgf(*mgf)) {
        (Ok(h), Ok(m)) => h == m && *salt_len <= h.output_len() as u64,
        _ => false,
    }
}

/// The signature scheme an RSA signing mechanism and its parameters name, checked against
/// the policy and the provider's rules.
pub fn sign_scheme(policy: &Policy, spec: &MechSpec, mech: &Mechanism) -> Result<SignScheme> {
    Ok(match mech.mech {
        CKM_RSA_X_509 => SignScheme::RsaRaw,
        m if is_pss(m) => {
            let Params::Pss {
                hash,
                mgf,
                salt_len,
            } = &mech.params
            else {
                return Err(Error::MechanismParamInvalid);
            };
            let hash = hash_of_mechanism(*hash)?;
            // A hash-and-sign PSS mechanism's parameters must name its own hash.
            if spec.hash.is_some_and(|h| h != hash) {
                return Err(Error::MechanismParamInvalid);
            }
            let mgf_hash = hash_of_mgf(*mgf)?;
            policy.check_param_hash(hash)?;
            policy.check_param_hash(mgf_hash)?;
            let salt_len = usize::try_from(*salt_len).map_err(|_| Error::MechanismParamInvalid)?;
            policy.check_pss(spec, hash, mgf_hash, salt_len)?;
            // Approved-only mode runs approved services or none.
            if policy.fips_approved_only && !params_approved(mech) {
                return Err(Error::MechanismParamInvalid);
            }
            SignScheme::RsaPss {
                hash,
                mgf_hash,
                salt_len,
            }
        }
        _ => SignScheme::RsaPkcs1 { hash: spec.hash },
    })
}

/// The RSA encryption scheme a mechanism and its parameters name.
pub fn enc_scheme(policy: &Policy, mech: &Mechanism) -> Result<AsymEncScheme> {
    Ok(match (mech.mech, &mech.params) {
        (CKM_RSA_PKCS, Params::None) => AsymEncScheme::RsaPkcs1,
        (CKM_RSA_X_509, Params::None) => AsymEncScheme::RsaRaw,
        (CKM_RSA_PKCS_OAEP, Params::Oaep { hash, mgf, label }) => {
            let hash = hash_of_mechanism(*hash)?;
            let mgf_hash = hash_of_mgf(*mgf)?;
            policy.check_param_hash(hash)?;
            policy.check_param_hash(mgf_hash)?;
            let spec = lookup(mech.mech).ok_or(Error::MechanismInvalid)?;
            policy.check_oaep(spec, hash, mgf_hash)?;
            AsymEncScheme::RsaOaep {
                hash,
                mgf_hash,
                label: label.clone(),
            }
        }
        _ => return Err(Error::MechanismParamInvalid),
    })
}
