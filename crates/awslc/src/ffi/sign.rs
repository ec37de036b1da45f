//! Hash-and-sign inside the module (`EVP_DigestSign`/`EVP_DigestVerify`): the one signature path
//! AWS-LC's service indicator counts, for any approved hash with any approved curve or RSA key
//! (PSS only with salt = hash length and MGF1 = the message hash).

use super::err::ErrGuard;
use super::handle::{MdCtx, Pkey};
use super::{in_ptr, sys};
use craton_hsm_crypto::error::{Error, Result};

/// Sets padding parameters on the operation's `EVP_PKEY_CTX` (owned by the `EVP_MD_CTX`);
/// returns false when AWS-LC refuses one.
pub(super) type Setup<'a> = &'a dyn Fn(*mut sys::EVP_PKEY_CTX) -> bool;

/// A digest context initialised to sign (or verify) with `pkey` and `md`, set up by `setup`.
fn init(pkey: &Pkey, md: *const sys::EVP_MD, setup: Setup<'_>, sign: bool) -> Result<MdCtx> {
    let guard = ErrGuard::new();
    // SAFETY: EVP_MD_CTX_new takes no arguments; null on allocation failure; `from_raw` takes
    // over its one reference.
    let ctx = unsafe { MdCtx::from_raw(sys::EVP_MD_CTX_new(), "EVP_MD_CTX_new")? };
    let mut pctx: *mut sys::EVP_PKEY_CTX = std::ptr::null_mut();
    // SAFETY: `ctx` is fresh and ours; `md` is static; `pkey` is valid and the context takes
    // its own reference to it; `pctx` receives a pointer owned by `ctx` (freed with it, never
    // by us), valid while `ctx` lives.
    let ok = unsafe {
        if sign {
            sys::EVP_DigestSignInit(
                ctx.as_ptr(),
                &mut pctx,
                md,
                std::ptr::null_mut(),
                pkey.as_ptr(),
            )
        } else {
            sys::EVP_DigestVerifyInit(
                ctx.as_ptr(),
                &mut pctx,
                md,
                std::ptr::null_mut(),
                pkey.as_ptr(),
            )
        }
    };
    if ok != 1 || pctx.is_null() {
        return Err(guard.fail("EVP_Digest{Sign,Verify}Init", Error::MechanismInvalid));
    }
    if !setup(pctx) {
        return Err(guard.fail("signature parameters", Error::MechanismParamInvalid));
    }
    Ok(ctx)
}

/// Signs `msg` whole; `max_len` bounds the signature (RSA: k; ECDSA: its DER bound).
pub(super) fn digest_sign(
    pkey: &Pkey,
    md: *const sys::EVP_MD,
    setup: Setup<'_>,
    msg: &[u8],
    max_len: usize,
) -> Result<Vec<u8>> {
    let ctx = init(pkey, md, setup, true)?;
    let guard = ErrGuard::new();
    let mut out = vec![0u8; max_len];
    let mut len = max_len;
    // SAFETY: `ctx` is a sign-initialised context we own; `out` has `len` bytes of room, at
    // least the key's maximum signature size; `msg` is readable for its length. 1 = success.
    let ok = unsafe {
        sys::EVP_DigestSign(
            ctx.as_ptr(),
            out.as_mut_ptr(),
            &mut len,
            in_ptr(msg),
            msg.len(),
        )
    };
    if ok != 1 {
        return Err(guard.fail("EVP_DigestSign", Error::general("signature")));
    }
    out.truncate(len);
    Ok(out)
}

/// Verifies `sig` over `msg`; a mismatch is `SignatureInvalid`.
pub(super) fn digest_verify(
    pkey: &Pkey,
    md: *const sys::EVP_MD,
    setup: Setup<'_>,
    msg: &[u8],
    sig: &[u8],
) -> Result<()> {
    let ctx = init(pkey, md, setup, false)?;
    let guard = ErrGuard::new();
    // SAFETY: `ctx` is a verify-initialised context we own; `sig` and `msg` are readable for
    // their lengths. 1 = valid.
    let ok = unsafe {
        sys::EVP_DigestVerify(ctx.as_ptr(), in_ptr(sig), sig.len(), in_ptr(msg), msg.len())
    };
    if ok != 1 {
        return Err(guard.fail("EVP_DigestVerify", Error::SignatureInvalid));
    }
    Ok(())
}
