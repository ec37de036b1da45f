//! Random number functions.

use super::{guard, m, ptr};
use cryptoki_sys::*;

/// # Safety
/// `p_seed` must be NULL or hold `ul_seed_len` bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SeedRandom(
    h: CK_SESSION_HANDLE,
    p_seed: CK_BYTE_PTR,
    ul_seed_len: CK_ULONG,
) -> CK_RV {
    guard("C_SeedRandom", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let seed = unsafe { ptr::bytes(p_seed, ul_seed_len)? };
        module.seed_random(h, seed)
    })
}

/// # Safety
/// `p_random` must be NULL or hold `ul_random_len` writable bytes.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_GenerateRandom(
    h: CK_SESSION_HANDLE,
    p_random: CK_BYTE_PTR,
    ul_random_len: CK_ULONG,
) -> CK_RV {
    guard("C_GenerateRandom", || {
        let module = m()?;
        // SAFETY: caller's contract.
        let out = unsafe { ptr::bytes_mut(p_random, ul_random_len)? };
        module.generate_random(h, out)
    })
}
