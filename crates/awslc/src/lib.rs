//! The AWS-LC crypto provider: aws-lc-rs built with its `fips` feature, i.e. the AWS-LC FIPS
//! 140-3 module. Every cryptographic operation of a provider run here; what aws-lc-rs lacks is
//! absent from the tables (`tables`), whose notes say why.

// CK_ULONG is u64 on Unix but u32 on Windows: the casts clippy calls unnecessary here are
// needed there.
#![allow(clippy::unnecessary_cast)]

mod der;
mod ec;
// The one module with `unsafe`: the audited wrapper over AWS-LC's C API.
#[allow(unsafe_code)]
mod ffi;
mod hash;
mod kdf;
mod pqc;
mod rsa;
mod symmetric;

mod tables;

/// The crate this provider is built on, for benchmarks that set the two side by side.
pub use aws_lc_rs;
pub use tables::PROVIDER;
