//! AES (PKCS#11 3.x mechanisms 2.8–2.14): key generation, ECB, CBC, CBC-PAD, CTR, GCM, key
//! wrap (KW, KWP), CMAC, and key derivation by encrypting data (`CKM_AES_ECB_ENCRYPT_DATA`,
//! `CKM_AES_CBC_ENCRYPT_DATA`).

use super::{FamilyDef, no_layout};
use crate::crypto::cipher::AES_BLOCK;
use crate::crypto::{CipherKind, CipherMode, MacAlg, WrapKind};
use crate::error::{Error, Result};
use crate::mechanism::capability::Need;
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
    m(CKM_AES_KEY_GEN, "CKM_AES_KEY_GEN", Aes, CKF_GENERATE, AES, None, Approved),
    m(CKM_AES_ECB, "CKM_AES_ECB", Aes, ED, AES, None, No("ECB is outside this module's approved set")),
    m(CKM_AES_CBC, "CKM_AES_CBC", Aes, ED, AES, None, Approved),
    m(CKM_AES_CBC_PAD, "CKM_AES_CBC_PAD", Aes, ED | WU, AES, None, Approved),
    m(CKM_AES_CTR, "CKM_AES_CTR", Aes, ED, AES, None, Approved),
    m(CKM_AES_GCM, "CKM_AES_GCM", Aes, ED | WU | MSG, AES, None, Approved),
    m(CKM_AES_KEY_WRAP, "CKM_AES_KEY_WRAP", Aes, ED | WU, AES, None, Approved),
    m(CKM_AES_KEY_WRAP_KWP, "CKM_AES_KEY_WRAP_KWP", Aes, ED | WU, AES, None, Approved),
    m(CKM_AES_CMAC, "CKM_AES_CMAC", Aes, SV, AES, None, No("CMAC is outside this module's approved set")),
    m(CKM_AES_ECB_ENCRYPT_DATA, "CKM_AES_ECB_ENCRYPT_DATA", Aes, CKF_DERIVE, AES, None, No("key derivation by encryption is not an SP 800-108 KDF")),
    m(CKM_AES_CBC_ENCRYPT_DATA, "CKM_AES_CBC_ENCRYPT_DATA", Aes, CKF_DERIVE, AES, None, No("key derivation by encryption is not an SP 800-108 KDF")),
];

type Gcm = CK_GCM_PARAMS;
type Ctr = CK_AES_CTR_PARAMS;
type EcbData = CK_KEY_DERIVATION_STRING_DATA;
type CbcData = CK_AES_CBC_ENCRYPT_DATA_PARAMS;

fn layout(mech: CK_MECHANISM_TYPE) -> Option<Layout> {
    match mech {
        CKM_AES_GCM => Some(Layout {
            size: size_of::<Gcm>(),
            buffers: &[
                (offset_of!(Gcm, pIv), offset_of!(Gcm, ulIvLen)),
                (offset_of!(Gcm, pAAD), offset_of!(Gcm, ulAADLen)),
            ],
            optional: false,
        }),
        CKM_AES_CTR => Some(Layout {
            size: size_of::<Ctr>(),
            buffers: &[],
            optional: false,
        }),
        CKM_AES_ECB_ENCRYPT_DATA => Some(Layout {
            size: size_of::<EcbData>(),
            buffers: &[(offset_of!(EcbData, pData), offset_of!(EcbData, ulLen))],
            optional: false,
        }),
        CKM_AES_CBC_ENCRYPT_DATA => Some(Layout {
            size: size_of::<CbcData>(),
            buffers: &[(offset_of!(CbcData, pData), offset_of!(CbcData, length))],
            optional: false,
        }),
        m => no_layout(m),
    }
}

fn parse(mech: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Params> {
    Ok(match mech {
        CKM_AES_GCM => Params::Gcm {
            iv: raw.buffer(0)?,
            aad: raw.buffer(1)?,
            tag_bits: raw.ulong(offset_of!(Gcm, ulTagBits))?,
        },
        CKM_AES_CTR => Params::Ctr {
            counter_bits: raw.ulong(offset_of!(Ctr, ulCounterBits))?,
            block: raw.array::<AES_BLOCK>(offset_of!(Ctr, cb))?,
        },
        CKM_AES_ECB_ENCRYPT_DATA => Params::EncryptData {
            iv: None,
            data: raw.buffer(0)?,
        },
        CKM_AES_CBC_ENCRYPT_DATA => Params::EncryptData {
            iv: Some(raw.array::<AES_BLOCK>(offset_of!(CbcData, iv))?),
            data: raw.buffer(0)?,
        },
        m => super::plain(m, raw)?,
    })
}

fn need(spec: &MechSpec, op: Op) -> Option<Need> {
    Some(match (spec.mech, op) {
        (_, Op::Generate) => Need::Random,
        (CKM_AES_CMAC, _) => Need::Mac(MacAlg::Cmac),
        (CKM_AES_KEY_WRAP, _) => Need::Wrap(WrapKind::Kw),
        (CKM_AES_KEY_WRAP_KWP, _) => Need::Wrap(WrapKind::Kwp),
        (CKM_AES_ECB | CKM_AES_ECB_ENCRYPT_DATA, _) => Need::Cipher(CipherKind::Ecb),
        (CKM_AES_CBC | CKM_AES_CBC_ENCRYPT_DATA, _) => Need::Cipher(CipherKind::Cbc),
        (CKM_AES_CBC_PAD, _) => Need::Cipher(CipherKind::CbcPad),
        (CKM_AES_CTR, _) => Need::Cipher(CipherKind::Ctr),
        (CKM_AES_GCM, _) => Need::Cipher(CipherKind::Gcm),
        _ => return None,
    })
}

/// The AES mode a mechanism and its parameters name.
pub fn cipher_mode(mech: &Mechanism) -> Result<CipherMode> {
    let iv = || super::iv::<AES_BLOCK>(mech);
    Ok(match mech.mech {
        CKM_AES_ECB if mech.params == Params::None => CipherMode::Ecb,
        CKM_AES_CBC => CipherMode::Cbc { iv: iv()? },
        CKM_AES_CBC_PAD => CipherMode::CbcPad { iv: iv()? },
        CKM_AES_CTR => match &mech.params {
            Params::Ctr {
                counter_bits,
                block,
            } => CipherMode::Ctr {
                block: *block,
                counter_bits: u32::try_from(*counter_bits)
                    .map_err(|_| Error::MechanismParamInvalid)?,
            },
            _ => return Err(Error::MechanismParamInvalid),
        },
        CKM_AES_GCM => match &mech.params {
            Params::Gcm { iv, aad, tag_bits } if tag_bits % 8 == 0 => CipherMode::Gcm {
                iv: iv.clone(),
                aad: aad.clone(),
                tag_len: (*tag_bits / 8) as usize,
            },
            _ => return Err(Error::MechanismParamInvalid),
        },
        _ => return Err(Error::MechanismParamInvalid),
    })
}

/// The cipher and input of a derivation by encryption: ECB, or CBC under the parameter's IV,
/// over whole blocks of data (2.14's `CKM_AES_*_ENCRYPT_DATA`).
pub fn encrypt_data_mode(mech: &Mechanism) -> Result<(CipherMode, &[u8])> {
    let Params::EncryptData { iv, data } = &mech.params else {
        return Err(Error::MechanismParamInvalid);
    };
    if data.is_empty() || data.len() % AES_BLOCK != 0 {
        return Err(Error::MechanismParamInvalid);
    }
    let mode = match (mech.mech, iv) {
        (CKM_AES_ECB_ENCRYPT_DATA, None) => CipherMode::Ecb,
        (CKM_AES_CBC_ENCRYPT_DATA, Some(iv)) => CipherMode::Cbc { iv: *iv },
        _ => return Err(Error::MechanismParamInvalid),
    };
    Ok((mode, data))
}
