//! ML-DSA with a context string, and HashML-DSA (FIPS 204 §5.4), which aws-lc-rs does not
//! expose. Both sign FIPS 204's M' (0 or 1 ‖ |ctx| ‖ ctx ‖ …); AWS-LC takes it as "external μ":
//! μ = SHAKE256(tr ‖ M', 64 bytes), computed here with AWS-LC's SHAKE256, then signed or
//! verified by `EVP_PKEY_sign`/`EVP_PKEY_verify` on an ML-DSA `EVP_PKEY` (AWS-LC 0.14.4
//! `p_pqdsa.c`: those two calls take μ; `ml_dsa_extmu_*_sign` signs it hedged).

use super::err::ErrGuard;
use super::handle::{MdCtx, Pkey, PkeyCtx};
use super::{in_ptr, sys};
use craton_hsm_crypto::MlDsaSet;
use craton_hsm_crypto::error::{Error, Result};
use std::os::raw::c_int;

/// Bytes in μ and in tr (FIPS 204: both 64).
pub(crate) const MU_LEN: usize = 64;

/// Where tr sits in an expanded private key (skEncode: ρ ‖ K ‖ tr ‖ …).
const TR_IN_SK: std::ops::Range<usize> = 64..128;

fn nid(set: MlDsaSet) -> c_int {
    match set {
        MlDsaSet::MlDsa44 => sys::NID_MLDSA44,
        MlDsaSet::MlDsa65 => sys::NID_MLDSA65,
        MlDsaSet::MlDsa87 => sys::NID_MLDSA87,
    }
}

/// SHAKE128 (`shake256 = false`) or SHAKE256 over `data`, `len` bytes out (HashML-DSA's
/// XOF pre-hashes).
pub(crate) fn shake(shake256: bool, data: &[u8], len: usize) -> Result<Vec<u8>> {
    let mut out = vec![0u8; len];
    xof(shake256, &[data], &mut out)?;
    Ok(out)
}

/// SHAKE256 over the concatenation of `parts`, 64 bytes out.
fn shake256(parts: &[&[u8]]) -> Result<[u8; MU_LEN]> {
    let mut out = [0u8; MU_LEN];
    xof(true, parts, &mut out)?;
    Ok(out)
}

/// SHAKE128 or SHAKE256 over the concatenation of `parts`, filling `out`.
fn xof(shake256: bool, parts: &[&[u8]], out: &mut [u8]) -> Result<()> {
    let guard = ErrGuard::new();
    // SAFETY: EVP_MD_CTX_new takes no arguments; null on allocation failure; `from_raw` takes
    // over its one reference.
    let ctx = unsafe { MdCtx::from_raw(sys::EVP_MD_CTX_new(), "EVP_MD_CTX_new")? };
    // SAFETY: both accessors take no arguments and return a static EVP_MD.
    let md = unsafe {
        if shake256 {
            sys::EVP_shake256()
        } else {
            sys::EVP_shake128()
        }
    };
    // SAFETY: `ctx` is fresh and ours; `md` is static; no ENGINE.
    if unsafe { sys::EVP_DigestInit_ex(ctx.as_ptr(), md, std::ptr::null_mut()) } != 1 {
        return Err(guard.fail("EVP_DigestInit_ex(SHAKE)", Error::general("SHAKE")));
    }
    for part in parts {
        // SAFETY: `ctx` is initialised and ours; `part` is readable for its length.
        if unsafe { sys::EVP_DigestUpdate(ctx.as_ptr(), in_ptr(part).cast(), part.len()) } != 1 {
            return Err(guard.fail("EVP_DigestUpdate(SHAKE)", Error::general("SHAKE")));
        }
    }
    // SAFETY: `out` is writable for its length; the context is ours and freed on drop.
    if unsafe { sys::EVP_DigestFinalXOF(ctx.as_ptr(), out.as_mut_ptr(), out.len()) } != 1 {
        return Err(guard.fail("EVP_DigestFinalXOF", Error::general("SHAKE")));
    }
    Ok(())
}

/// An ML-DSA key as AWS-LC's `EVP_PKEY`, with the tr its μ starts from.
pub(crate) struct MlDsaKey {
    pkey: Pkey,
    tr: [u8; MU_LEN],
    set: MlDsaSet,
}

impl MlDsaKey {
    /// From the expanded private key (FIPS 204 skEncode), whose bytes carry tr.
    pub(crate) fn private(set: MlDsaSet, sk: &[u8]) -> Result<MlDsaKey> {
        let tr = sk
            .get(TR_IN_SK)
            .and_then(|t| <[u8; MU_LEN]>::try_from(t).ok())
            .ok_or(Error::AttributeValueInvalid)?;
        let guard = ErrGuard::new();
        // SAFETY: `sk` is readable for its length; AWS-LC copies it (checking the length for
        // the parameter set) into a new EVP_PKEY whose one reference `from_raw` takes over.
        let pkey = unsafe {
            Pkey::from_raw(
                sys::EVP_PKEY_pqdsa_new_raw_private_key(nid(set), in_ptr(sk), sk.len()),
                "EVP_PKEY_pqdsa_new_raw_private_key",
            )
        }
        .map_err(|e| guard.fail("ML-DSA private key", e))?;
        Ok(MlDsaKey { pkey, tr, set })
    }

    /// From the encoded public key; tr = SHAKE256(pk, 64).
    pub(crate) fn public(set: MlDsaSet, pk: &[u8]) -> Result<MlDsaKey> {
        let guard = ErrGuard::new();
        // SAFETY: as in `private`, for the public key.
        let pkey = unsafe {
            Pkey::from_raw(
                sys::EVP_PKEY_pqdsa_new_raw_public_key(nid(set), in_ptr(pk), pk.len()),
                "EVP_PKEY_pqdsa_new_raw_public_key",
            )
        }
        .map_err(|_| guard.fail("ML-DSA public key", Error::AttributeValueInvalid))?;
        Ok(MlDsaKey {
            pkey,
            tr: shake256(&[pk])?,
            set,
        })
    }

    /// μ for M' given in parts.
    pub(crate) fn mu(&self, m_prime: &[&[u8]]) -> Result<[u8; MU_LEN]> {
        let mut parts = Vec::with_capacity(m_prime.len() + 1);
        parts.push(&self.tr[..]);
        parts.extend_from_slice(m_prime);
        shake256(&parts)
    }

    /// A new operation context on this key.
    fn ctx(&self) -> Result<PkeyCtx> {
        // SAFETY: `self.pkey` is valid; the new context takes its own reference to it and is
        // owned by the returned value.
        unsafe {
            PkeyCtx::from_raw(
                sys::EVP_PKEY_CTX_new(self.pkey.as_ptr(), std::ptr::null_mut()),
                "EVP_PKEY_CTX_new",
            )
        }
    }

    /// Signs μ (hedged: AWS-LC draws rnd from its DRBG).
    pub(crate) fn sign_mu(&self, mu: &[u8; MU_LEN]) -> Result<Vec<u8>> {
        let ctx = self.ctx()?;
        let guard = ErrGuard::new();
        let mut sig = vec![0u8; self.set.signature_len()];
        let mut len = sig.len();
        // AWS-LC copies the given μ length into a 64-byte buffer unchecked: `mu` stays [u8; 64].
        // SAFETY: `ctx` is a fresh private-key context, ours; `sig` is writable for `len` bytes
        // (the set's signature length AWS-LC requires); `mu` is readable for 64. 1 = success.
        let ok = unsafe {
            sys::EVP_PKEY_sign_init(ctx.as_ptr()) == 1
                && sys::EVP_PKEY_sign(
                    ctx.as_ptr(),
                    sig.as_mut_ptr(),
                    &mut len,
                    mu.as_ptr(),
                    MU_LEN,
                ) == 1
        };
        if !ok {
            return Err(guard.fail("EVP_PKEY_sign(ML-DSA μ)", Error::general("ML-DSA signing")));
        }
        sig.truncate(len);
        Ok(sig)
    }

    /// Verifies `sig` over μ; a mismatch (or a wrong-length signature) is `SignatureInvalid`.
    pub(crate) fn verify_mu(&self, mu: &[u8; MU_LEN], sig: &[u8]) -> Result<()> {
        let ctx = self.ctx()?;
        let guard = ErrGuard::new();
        // SAFETY: `ctx` is a fresh context on a public key, ours; `sig` and `mu` are readable
        // for their lengths (`mu` stays a `[u8; MU_LEN]`, as in `sign_mu`). 1 = valid.
        let ok = unsafe {
            sys::EVP_PKEY_verify_init(ctx.as_ptr()) == 1
                && sys::EVP_PKEY_verify(ctx.as_ptr(), in_ptr(sig), sig.len(), mu.as_ptr(), MU_LEN)
                    == 1
        };
        if !ok {
            return Err(guard.fail("EVP_PKEY_verify(ML-DSA μ)", Error::SignatureInvalid));
        }
        Ok(())
    }
}
