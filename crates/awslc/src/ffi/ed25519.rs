//! Ed25519ctx and Ed25519ph (RFC 8032 §5.1), which aws-lc-rs does not expose, through AWS-LC's
//! `ED25519ctx_*` and `ED25519ph_*` calls; the private key is the 64 bytes AWS-LC's own seed
//! expansion makes.

use super::err::ErrGuard;
use super::{in_ptr, sys};
use craton_hsm_crypto::EdDsaMode;
use craton_hsm_crypto::error::{Error, Result};
use std::os::raw::c_int;
use zeroize::Zeroizing;

const SEED_LEN: usize = 32;
const PUBLIC_LEN: usize = 32;
const SIGNATURE_LEN: usize = 64;

type SignFn = unsafe extern "C" fn(*mut u8, *const u8, usize, *const u8, *const u8, usize) -> c_int;
type VerifyFn =
    unsafe extern "C" fn(*const u8, usize, *const u8, *const u8, *const u8, usize) -> c_int;

/// The variant's sign and verify calls and its context. Pure Ed25519 goes through aws-lc-rs,
/// not here.
fn calls(mode: &EdDsaMode) -> Result<(SignFn, VerifyFn, &[u8])> {
    match mode {
        EdDsaMode::Ctx(c) => Ok((sys::ED25519ctx_sign, sys::ED25519ctx_verify, c)),
        EdDsaMode::Ph(c) => Ok((sys::ED25519ph_sign, sys::ED25519ph_verify, c)),
        EdDsaMode::Pure => Err(Error::MechanismParamInvalid),
    }
}

/// The 64-byte private key AWS-LC's `ED25519*_sign` take, expanded once from the 32-byte seed.
pub(crate) type Ed25519Private = Zeroizing<[u8; 2 * SEED_LEN]>;

/// Expands `seed` into the private key the sign calls take.
pub(crate) fn ed25519_private(seed: &[u8]) -> Result<Ed25519Private> {
    let seed: &[u8; SEED_LEN] = seed.try_into().map_err(|_| Error::AttributeValueInvalid)?;
    let mut public = [0u8; PUBLIC_LEN];
    let mut private = Zeroizing::new([0u8; 2 * SEED_LEN]);
    // SAFETY: the outputs are writable for 32 and 64 bytes, the seed readable for 32.
    unsafe {
        sys::ED25519_keypair_from_seed(public.as_mut_ptr(), private.as_mut_ptr(), seed.as_ptr())
    };
    Ok(private)
}

/// Signs `msg` with `private` in `mode` (the core keeps contexts to 255 bytes and
/// Ed25519ctx's non-empty; AWS-LC refuses anything else).
pub(crate) fn ed25519_sign(
    private: &Ed25519Private,
    mode: &EdDsaMode,
    msg: &[u8],
) -> Result<Vec<u8>> {
    let (sign, _, ctx) = calls(mode)?;
    let mut sig = vec![0u8; SIGNATURE_LEN];
    let guard = ErrGuard::new();
    // SAFETY: `sig` is writable for 64 bytes; the message and context are readable for their
    // lengths and never null (`in_ptr`); the private key is the 64 bytes AWS-LC expanded.
    let ok = unsafe {
        sign(
            sig.as_mut_ptr(),
            in_ptr(msg),
            msg.len(),
            private.as_ptr(),
            in_ptr(ctx),
            ctx.len(),
        )
    };
    if ok != 1 {
        return Err(guard.fail("ED25519 sign", Error::MechanismParamInvalid));
    }
    Ok(sig)
}

/// Verifies an Ed25519 signature in `mode` with the 32-byte public key.
pub(crate) fn ed25519_verify(
    public: &[u8],
    mode: &EdDsaMode,
    msg: &[u8],
    sig: &[u8],
) -> Result<()> {
    if public.len() != PUBLIC_LEN {
        return Err(Error::AttributeValueInvalid);
    }
    if sig.len() != SIGNATURE_LEN {
        return Err(Error::SignatureLenRange);
    }
    let (_, verify, ctx) = calls(mode)?;
    let _guard = ErrGuard::new();
    // SAFETY: the message and context are readable for their lengths and never null; the
    // signature and public key are 64 and 32 readable bytes (checked above). Only read.
    let ok = unsafe {
        verify(
            in_ptr(msg),
            msg.len(),
            sig.as_ptr(),
            public.as_ptr(),
            in_ptr(ctx),
            ctx.len(),
        )
    };
    if ok == 1 {
        Ok(())
    } else {
        Err(Error::SignatureInvalid)
    }
}
