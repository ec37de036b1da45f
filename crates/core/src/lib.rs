//! The core of Craton HSM: module state, slots and tokens, sessions and their operations,
//! objects and attributes, the store, the mechanism registry and its one approval policy — in
//! safe Rust, testable without the C ABI. The `craton-hsm` crate puts the PKCS#11 C functions
//! in front of it; crypto comes from the providers it is given (`craton-hsm-crypto`).

#![forbid(unsafe_code)]
// CK_ULONG is u64 on Unix but u32 on Windows: the casts clippy calls unnecessary here are
// needed there.
#![allow(clippy::unnecessary_cast)]

pub(crate) mod audit;
pub use craton_hsm_crypto::ckr;
pub mod config;
pub mod crypto;
pub use craton_hsm_crypto::error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod limits;
pub(crate) mod logging;
pub mod mechanism;
pub mod module;
pub mod object;
pub mod report;
pub mod selftest;
pub mod service;
pub mod session;
pub mod status;
pub(crate) mod store;
pub(crate) mod token;
