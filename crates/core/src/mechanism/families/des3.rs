//! Three-key Triple DES (PKCS#11 3.x mechanisms 2.23 "Triple-DES"): key generation, ECB, CBC
//! and CBC-PAD. Legacy: offered in the default mode for existing keys and scripts, never
//! approved (SP 800-131A Rev. 2 ended TDEA encryption), so approved-only mode lists none.
//! Two-key (`CKK_DES2`) and single DES are not offered.

use super::{FamilyDef, no_layout, plain};
use crate::crypto::cipher::DES3_BLOCK;
use crate::crypto::{CipherKind, CipherMode};
use crate::error::{Error, Result};
use crate::mechanism::capability::Need;
use crate::mechanism::registry::*;
use crate::mechanism::{Mechanism, Params};
use cryptoki_sys::*;

pub static FAMILY: FamilyDef = FamilyDef {
    rows: ROWS,
    layout: no_layout,
    parse: plain,
    need,
};

const LEGACY: Approval = No("Triple DES encryption is no longer approved (SP 800-131A Rev. 2)");
/// Three keys of 64 bits (56 effective): the 192 bits `C_GetMechanismInfo` reports.
const DES3: (u64, u64) = (192, 192);
/// The key's length in bytes.
pub const KEY_LEN: usize = 24;

#[rustfmt::skip]
static ROWS: &[MechSpec] = &[
    m(CKM_DES3_KEY_GEN, "CKM_DES3_KEY_GEN", Des3, CKF_GENERATE, DES3, None, LEGACY),
    m(CKM_DES3_ECB, "CKM_DES3_ECB", Des3, ED, DES3, None, LEGACY),
    m(CKM_DES3_CBC, "CKM_DES3_CBC", Des3, ED, DES3, None, LEGACY),
    m(CKM_DES3_CBC_PAD, "CKM_DES3_CBC_PAD", Des3, ED, DES3, None, LEGACY),
];

fn need(spec: &MechSpec, op: Op) -> Option<Need> {
    Some(match (spec.mech, op) {
        (_, Op::Generate) => Need::Random,
        (CKM_DES3_ECB, _) => Need::Cipher(CipherKind::Des3Ecb),
        (CKM_DES3_CBC | CKM_DES3_CBC_PAD, _) => Need::Cipher(CipherKind::Des3Cbc),
        _ => return None,
    })
}

/// The mode a mechanism and its parameter (an 8-byte IV for CBC) name.
pub fn cipher_mode(mech: &Mechanism) -> Result<CipherMode> {
    let iv = || super::iv::<DES3_BLOCK>(mech);
    Ok(match mech.mech {
        CKM_DES3_ECB if mech.params == Params::None => CipherMode::Des3Ecb,
        CKM_DES3_CBC => CipherMode::Des3Cbc {
            iv: iv()?,
            pad: false,
        },
        CKM_DES3_CBC_PAD => CipherMode::Des3Cbc {
            iv: iv()?,
            pad: true,
        },
        _ => return Err(Error::MechanismParamInvalid),
    })
}

/// Sets each byte's low bit so that it has odd parity, as DES keys carry it (FIPS 46-3).
pub fn set_odd_parity(key: &mut [u8]) {
    for b in key {
        *b = (*b & 0xFE) | u8::from((*b >> 1).count_ones() % 2 == 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parity() {
        let mut k = [0x00, 0x01, 0xFE, 0xFF, 0x10];
        set_odd_parity(&mut k);
        assert_eq!(k, [0x01, 0x01, 0xFE, 0xFE, 0x10]);
        assert!(k.iter().all(|b| b.count_ones() % 2 == 1));
    }
}
