//! Mechanisms: a caller's mechanism with typed parameters, the registry of what the token
//! offers, and the one policy that decides what is registered and what is approved.

pub mod capability;
pub mod docs;
pub mod families;
pub mod params;
pub mod policy;
pub mod raw;
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

pub use families::rsa::is_pss;
