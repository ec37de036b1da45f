//! Crypto as the core uses it: the provider interface (`craton-hsm-crypto`, re-exported here),
//! and what the core builds on top of any provider — the module's DRBG with its health tests,
//! and multi-part input for signatures.

pub mod aead;
pub mod drbg;
pub mod rng;
pub mod stream;

pub use craton_hsm_crypto::*;
