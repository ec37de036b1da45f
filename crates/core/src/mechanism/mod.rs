//! Mechanisms: a caller's mechanism with typed parameters, the registry of what the token
//! offers, and the one policy that decides what is registered and what is approved.

pub mod capability;
pub mod docs;
pub mod params;
pub mod policy;
pub mod registry;

use cryptoki_sys::*;
pub use params::Params;
pub use policy::Policy;
pub use registry::{MechSpec, Op};

/// A mechanism as a caller asked for it: type plus parsed parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mechanism {
    pub mech: CK_MECHANISM_TYPE,
    pub params: Params,
}

impl Mechanism {
    pub fn new(mech: CK_MECHANISM_TYPE) -> Self {
        Mechanism {
            mech,
            params: Params::None,
        }
    }
}

/// The RSA-PSS mechanisms: their parameter is `CK_RSA_PKCS_PSS_PARAMS`.
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
