//! The pure-Rust crypto provider over the RustCrypto crates (the default build). Its tables
//! are in `tables`; it is not a validated module, so nothing it does is an approved service.

// CK_ULONG is u64 on Unix but u32 on Windows: the casts clippy calls unnecessary here are
// needed there.
#![allow(clippy::unnecessary_cast)]

mod des3;
mod ec;
mod ed25519ctx;
pub(crate) mod hash;
mod kdf;
mod pqc;
mod rsa;
mod symmetric;

mod tables;

use craton_hsm_crypto::Rng;
use craton_hsm_crypto::error::Error;
pub use tables::PROVIDER;

/// Lets RustCrypto APIs draw from the module's DRBG; remembers a DRBG failure so it is
/// reported as itself rather than as the crate's generic error.
pub(crate) struct RngAdapter<'a> {
    rng: &'a dyn Rng,
    failure: std::cell::RefCell<Option<Error>>,
}

impl<'a> RngAdapter<'a> {
    pub(crate) fn new(rng: &'a dyn Rng) -> Self {
        RngAdapter {
            rng,
            failure: std::cell::RefCell::new(None),
        }
    }

    /// The error to report: the generator's own failure if it failed, else `fallback`.
    pub(crate) fn error_or(&self, fallback: Error) -> Error {
        self.failure.borrow_mut().take().unwrap_or(fallback)
    }
}

#[derive(Debug)]
pub(crate) struct RngFailed;
impl std::fmt::Display for RngFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("random generator failed")
    }
}
impl std::error::Error for RngFailed {}

impl rand_core::TryRng for RngAdapter<'_> {
    type Error = RngFailed;
    fn try_next_u32(&mut self) -> std::result::Result<u32, RngFailed> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> std::result::Result<u64, RngFailed> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> std::result::Result<(), RngFailed> {
        self.rng.fill(dst).map_err(|e| {
            *self.failure.borrow_mut() = Some(e);
            RngFailed
        })
    }
}
impl rand_core::TryCryptoRng for RngAdapter<'_> {}
