//! HKDF (PKCS#11 3.x mechanisms 2.43, RFC 5869).

use super::{FamilyDef, no_layout};
use crate::error::Result;
use crate::mechanism::Params;
use crate::mechanism::capability::Need;
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
    m(CKM_HKDF_DERIVE, "CKM_HKDF_DERIVE", Hkdf, CKF_DERIVE, SECRET, None, NOT_IN_POLICY),
];

type P = CK_HKDF_PARAMS;

fn layout(mech: CK_MECHANISM_TYPE) -> Option<Layout> {
    match mech {
        CKM_HKDF_DERIVE | CKM_HKDF_DATA => Some(Layout {
            size: size_of::<P>(),
            buffers: &[
                (offset_of!(P, pSalt), offset_of!(P, ulSaltLen)),
                (offset_of!(P, pInfo), offset_of!(P, ulInfoLen)),
            ],
            optional: false,
        }),
        m => no_layout(m),
    }
}

fn parse(mech: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Params> {
    Ok(match mech {
        CKM_HKDF_DERIVE | CKM_HKDF_DATA => Params::Hkdf {
            extract: raw.flag(offset_of!(P, bExtract))?,
            expand: raw.flag(offset_of!(P, bExpand))?,
            prf: raw.ulong(offset_of!(P, prfHashMechanism))? as CK_MECHANISM_TYPE,
            salt_type: raw.ulong(offset_of!(P, ulSaltType))? as CK_FLAGS,
            salt: raw.buffer(0)?,
            salt_key: raw.ulong(offset_of!(P, hSaltKey))? as CK_OBJECT_HANDLE,
            info: raw.buffer(1)?,
        },
        m => super::plain(m, raw)?,
    })
}

fn need(_: &MechSpec, _: Op) -> Option<Need> {
    Some(Need::Hkdf)
}
