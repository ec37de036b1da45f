//! Random numbers (PKCS#11 3.x section 5.19) from the module's one generator.

use super::rv_of;
use crate::audit::Operation;
use crate::error::{Error, Result};
use crate::module::Module;
use crate::status::enter_error_state;
use cryptoki_sys::*;

impl Module {
    pub fn generate_random(&self, h: CK_SESSION_HANDLE, out: &mut [u8]) -> Result<()> {
        let (s, _) = self.session(h)?;
        // A generator failure has already put the module in the error state.
        let r = self.audit_ready().and_then(|_| {
            self.rng
                .generate_for_caller(out)
                .map_err(|_| Error::general("random generator failed"))
        });
        let approved = self.policy.fips_approved_only && self.policy.backend_fips;
        let event = Operation::GenerateRandom {
            length: out.len() as u64,
            fips_approved: approved,
        };
        self.record(&s, event, rv_of(&r));
        r
    }

    /// `C_SeedRandom`: mixed in as additional input to the module's DRBG; it never replaces
    /// the entropy source. A provider's own DRBG takes no seed from the application.
    pub fn seed_random(&self, h: CK_SESSION_HANDLE, seed: &[u8]) -> Result<()> {
        self.session(h)?;
        if !self.rng.accepts_seed() {
            return Err(Error::RandomSeedNotSupported);
        }
        self.rng.mix_in(seed).map_err(|e| {
            enter_error_state(&format!("random generator: {e}"));
            Error::general("random generator failed")
        })
    }
}
