//! Craton HSM: a PKCS#11 3.x software HSM.
//!
//! `abi` is the C surface and the only place `unsafe` code is allowed; everything else is a
//! plain-Rust core that can be tested without it.

#![deny(unsafe_code)]
// CK_ULONG is u64 on Unix but u32 on Windows: the casts clippy calls unnecessary here are
// needed there.
#![allow(clippy::unnecessary_cast)]

#[cfg(not(any(feature = "rustcrypto-backend", feature = "awslc-backend")))]
compile_error!("enable a crypto backend: the rustcrypto-backend or awslc-backend feature");

pub mod abi;
pub mod audit;
pub mod ckr;
pub mod config;
pub mod crypto;
pub mod error;
#[cfg(feature = "fuzzing")]
pub mod fuzzing;
pub mod limits;
pub mod logging;
pub mod mechanism;
pub mod module;
pub mod object;
pub mod selftest;
pub mod service;
pub mod session;
pub mod status;
pub mod store;
pub mod token;
