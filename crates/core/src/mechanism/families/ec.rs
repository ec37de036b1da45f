//! Elliptic curves over prime fields (PKCS#11 3.x mechanisms 2.3): key generation, ECDSA
//! (over the message or a caller's digest), ECDH (also on X25519 keys) with `CKD_NULL`, an X9.63
//! KDF or SP 800-56C's one-step KDF.

use super::{FamilyDef, no_layout};
use crate::crypto::{HashAlg, KdfAlg, SigInput, SigKind, SignScheme};
use crate::error::{Error, Result};
use crate::mechanism::Params;
use crate::mechanism::capability::{KeyGen, Need};
use crate::mechanism::raw::{Layout, RawParam};
use crate::mechanism::registry::*;
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
    m(CKM_EC_KEY_PAIR_GEN, "CKM_EC_KEY_PAIR_GEN", Ec, CKF_GENERATE_KEY_PAIR | EC_FLAGS, EC, None, Approved),
    m(CKM_ECDSA, "CKM_ECDSA", Ec, SV | EC_FLAGS, EC, None, RAW_SIGN),
    sha1_sign(m(CKM_ECDSA_SHA1, "CKM_ECDSA_SHA1", Ec, SV | EC_FLAGS, EC, Some(H::Sha1), SHA1_SIG)),
    m(CKM_ECDSA_SHA224, "CKM_ECDSA_SHA224", Ec, SV | EC_FLAGS, EC, Some(H::Sha224), NOT_IN_POLICY),
    m(CKM_ECDSA_SHA256, "CKM_ECDSA_SHA256", Ec, SV | EC_FLAGS, EC, Some(H::Sha256), Approved),
    m(CKM_ECDSA_SHA384, "CKM_ECDSA_SHA384", Ec, SV | EC_FLAGS, EC, Some(H::Sha384), Approved),
    m(CKM_ECDSA_SHA512, "CKM_ECDSA_SHA512", Ec, SV | EC_FLAGS, EC, Some(H::Sha512), Approved),
    m(CKM_ECDH1_DERIVE, "CKM_ECDH1_DERIVE", Ec, CKF_DERIVE | EC_FLAGS, ECDH, None, Approved),
    m(CKM_ECDH1_COFACTOR_DERIVE, "CKM_ECDH1_COFACTOR_DERIVE", Ec, CKF_DERIVE | EC_FLAGS, ECDH, None, Approved),
];

type P = CK_ECDH1_DERIVE_PARAMS;

fn layout(mech: CK_MECHANISM_TYPE) -> Option<Layout> {
    match mech {
        CKM_ECDH1_DERIVE | CKM_ECDH1_COFACTOR_DERIVE => Some(Layout {
            size: size_of::<P>(),
            buffers: &[
                (offset_of!(P, pSharedData), offset_of!(P, ulSharedDataLen)),
                (offset_of!(P, pPublicData), offset_of!(P, ulPublicDataLen)),
            ],
            optional: false,
        }),
        m => no_layout(m),
    }
}

fn parse(mech: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Params> {
    Ok(match mech {
        CKM_ECDH1_DERIVE | CKM_ECDH1_COFACTOR_DERIVE => Params::Ecdh {
            kdf: raw.ulong(offset_of!(P, kdf))? as CK_EC_KDF_TYPE,
            shared_data: raw.buffer(0)?,
            public_data: raw.buffer(1)?,
        },
        m => super::plain(m, raw)?,
    })
}

fn need(spec: &MechSpec, op: Op) -> Option<Need> {
    Some(match op {
        Op::GenerateKeyPair => Need::Generate(KeyGen::Ec),
        Op::Derive => Need::Agreement,
        _ => Need::Signature(
            SigKind::Ecdsa,
            spec.hash.map_or(SigInput::Digest, SigInput::Hashed),
        ),
    })
}

/// The ECDSA scheme of a signing mechanism: over the message with its hash, or a digest.
pub fn sign_scheme(spec: &MechSpec) -> SignScheme {
    SignScheme::Ecdsa { hash: spec.hash }
}

/// The KDF an ECDH KDF type names (`None` for `CKD_NULL`): X9.63 (`CKD_SHA*_KDF`) or
/// SP 800-56C's one-step KDF (`CKD_SHA*_KDF_SP800`).
pub fn kdf_of(kdf: CK_EC_KDF_TYPE) -> Result<Option<KdfAlg>> {
    use HashAlg::*;
    Ok(Some(match kdf {
        CKD_NULL => return Ok(None),
        CKD_SHA1_KDF => KdfAlg::X963(Sha1),
        CKD_SHA224_KDF => KdfAlg::X963(Sha224),
        CKD_SHA256_KDF => KdfAlg::X963(Sha256),
        CKD_SHA384_KDF => KdfAlg::X963(Sha384),
        CKD_SHA512_KDF => KdfAlg::X963(Sha512),
        CKD_SHA3_224_KDF => KdfAlg::X963(Sha3_224),
        CKD_SHA3_256_KDF => KdfAlg::X963(Sha3_256),
        CKD_SHA3_384_KDF => KdfAlg::X963(Sha3_384),
        CKD_SHA3_512_KDF => KdfAlg::X963(Sha3_512),
        CKD_SHA1_KDF_SP800 => KdfAlg::OneStep(Sha1),
        CKD_SHA224_KDF_SP800 => KdfAlg::OneStep(Sha224),
        CKD_SHA256_KDF_SP800 => KdfAlg::OneStep(Sha256),
        CKD_SHA384_KDF_SP800 => KdfAlg::OneStep(Sha384),
        CKD_SHA512_KDF_SP800 => KdfAlg::OneStep(Sha512),
        CKD_SHA3_224_KDF_SP800 => KdfAlg::OneStep(Sha3_224),
        CKD_SHA3_256_KDF_SP800 => KdfAlg::OneStep(Sha3_256),
        CKD_SHA3_384_KDF_SP800 => KdfAlg::OneStep(Sha3_384),
        CKD_SHA3_512_KDF_SP800 => KdfAlg::OneStep(Sha3_512),
        _ => return Err(Error::MechanismParamInvalid),
    }))
}
