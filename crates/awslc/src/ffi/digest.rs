//! Digests (all nine `HashAlg`s, SHA-224 and SHA3 included) and HMAC over any of them.

use super::err::ErrGuard;
use super::handle::{HmacCtx, MdCtx};
use super::{in_ptr, sys};
use craton_hsm_crypto::HashAlg;
use craton_hsm_crypto::error::{Error, Result};
use zeroize::Zeroizing;

/// AWS-LC's `EVP_MD` for a hash: a pointer to a static table, never freed.
pub(super) fn md(alg: HashAlg) -> *const sys::EVP_MD {
    // SAFETY: each accessor takes no arguments and returns a pointer to a static, immutable
    // EVP_MD that lives for the whole program.
    unsafe {
        match alg {
            HashAlg::Sha1 => sys::EVP_sha1(),
            HashAlg::Sha224 => sys::EVP_sha224(),
            HashAlg::Sha256 => sys::EVP_sha256(),
            HashAlg::Sha384 => sys::EVP_sha384(),
            HashAlg::Sha512 => sys::EVP_sha512(),
            HashAlg::Sha3_224 => sys::EVP_sha3_224(),
            HashAlg::Sha3_256 => sys::EVP_sha3_256(),
            HashAlg::Sha3_384 => sys::EVP_sha3_384(),
            HashAlg::Sha3_512 => sys::EVP_sha3_512(),
        }
    }
}

/// A running digest.
pub(crate) struct Digest {
    ctx: MdCtx,
    alg: HashAlg,
}

impl Digest {
    pub(crate) fn new(alg: HashAlg) -> Result<Digest> {
        let guard = ErrGuard::new();
        // SAFETY: EVP_MD_CTX_new takes no arguments and returns a new context (null on
        // allocation failure) whose one reference `from_raw` takes over.
        let ctx = unsafe { MdCtx::from_raw(sys::EVP_MD_CTX_new(), "EVP_MD_CTX_new")? };
        // SAFETY: `ctx` is a fresh context owned above; `md` is a static EVP_MD; no ENGINE.
        if unsafe { sys::EVP_DigestInit_ex(ctx.as_ptr(), md(alg), std::ptr::null_mut()) } != 1 {
            return Err(guard.fail("EVP_DigestInit_ex", Error::general("digest init")));
        }
        Ok(Digest { ctx, alg })
    }

    pub(crate) fn update(&mut self, data: &[u8]) -> Result<()> {
        let guard = ErrGuard::new();
        // SAFETY: `self.ctx` is an initialised context we own exclusively (`&mut self`); `data`
        // is readable for its length.
        if unsafe { sys::EVP_DigestUpdate(self.ctx.as_ptr(), in_ptr(data).cast(), data.len()) } != 1
        {
            return Err(guard.fail("EVP_DigestUpdate", Error::general("digest update")));
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<Vec<u8>> {
        let guard = ErrGuard::new();
        let mut out = vec![0u8; sys::EVP_MAX_MD_SIZE as usize];
        let mut len: std::os::raw::c_uint = 0;
        // SAFETY: `out` holds EVP_MAX_MD_SIZE bytes, the most any digest writes; `len` is a
        // valid out-parameter; the context is ours and is freed when `self` drops.
        if unsafe { sys::EVP_DigestFinal_ex(self.ctx.as_ptr(), out.as_mut_ptr(), &mut len) } != 1 {
            return Err(guard.fail("EVP_DigestFinal_ex", Error::general("digest final")));
        }
        out.truncate(len as usize);
        debug_assert_eq!(out.len(), self.alg.output_len());
        Ok(out)
    }

    /// An independent copy of the running state (`C_DigestUpdate` then two different finals,
    /// or a saved operation).
    pub(crate) fn try_clone(&self) -> Result<Digest> {
        let guard = ErrGuard::new();
        // SAFETY: as in `new`.
        let ctx = unsafe { MdCtx::from_raw(sys::EVP_MD_CTX_new(), "EVP_MD_CTX_new")? };
        // SAFETY: `ctx` is a fresh context we own; `self.ctx` is initialised and only read.
        if unsafe { sys::EVP_MD_CTX_copy_ex(ctx.as_ptr(), self.ctx.as_ptr()) } != 1 {
            return Err(guard.fail("EVP_MD_CTX_copy_ex", Error::general("digest copy")));
        }
        Ok(Digest { ctx, alg: self.alg })
    }
}

/// One-shot digest.
pub(crate) fn digest(alg: HashAlg, data: &[u8]) -> Result<Vec<u8>> {
    let mut d = Digest::new(alg)?;
    d.update(data)?;
    d.finish()
}

/// SP 800-56C Rev. 2 §4.1's one-step KDF with a hash (`SSKDF_digest`): `len` bytes from the
/// secret Z and the fixed info.
pub(crate) fn sskdf_digest(
    alg: HashAlg,
    secret: &[u8],
    info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    let guard = ErrGuard::new();
    // SAFETY: `out` is writable for `len` bytes; `secret` and `info` are readable for their
    // lengths and never null (`in_ptr`); the EVP_MD is static. AWS-LC writes only `out`.
    let ok = unsafe {
        sys::SSKDF_digest(
            out.as_mut_ptr(),
            len,
            md(alg),
            in_ptr(secret),
            secret.len(),
            in_ptr(info),
            info.len(),
        )
    };
    if ok != 1 {
        return Err(guard.fail("SSKDF_digest", Error::TemplateInconsistent));
    }
    Ok(out)
}

/// A running HMAC.
pub(crate) struct Hmac {
    ctx: HmacCtx,
}

impl Hmac {
    /// Any key length (keys longer than the block are hashed, per FIPS 198-1).
    pub(crate) fn new(alg: HashAlg, key: &[u8]) -> Result<Hmac> {
        let guard = ErrGuard::new();
        // SAFETY: HMAC_CTX_new takes no arguments; null on allocation failure; `from_raw`
        // takes over its one reference.
        let ctx = unsafe { HmacCtx::from_raw(sys::HMAC_CTX_new(), "HMAC_CTX_new")? };
        // SAFETY: `ctx` is fresh and ours; `key` is readable for its length and never null
        // (a null key would mean "reuse the previous key"); `md` is static; no ENGINE.
        let ok = unsafe {
            sys::HMAC_Init_ex(
                ctx.as_ptr(),
                in_ptr(key).cast(),
                key.len(),
                md(alg),
                std::ptr::null_mut(),
            )
        };
        if ok != 1 {
            return Err(guard.fail("HMAC_Init_ex", Error::MechanismInvalid));
        }
        Ok(Hmac { ctx })
    }

    pub(crate) fn update(&mut self, data: &[u8]) -> Result<()> {
        let guard = ErrGuard::new();
        // SAFETY: `self.ctx` is initialised and ours (`&mut self`); `data` readable.
        if unsafe { sys::HMAC_Update(self.ctx.as_ptr(), in_ptr(data), data.len()) } != 1 {
            return Err(guard.fail("HMAC_Update", Error::general("HMAC update")));
        }
        Ok(())
    }

    pub(crate) fn finish(self) -> Result<Zeroizing<Vec<u8>>> {
        let guard = ErrGuard::new();
        let mut out = Zeroizing::new(vec![0u8; sys::EVP_MAX_MD_SIZE as usize]);
        let mut len: std::os::raw::c_uint = 0;
        // SAFETY: `out` holds EVP_MAX_MD_SIZE bytes, the most HMAC writes; `len` is a valid
        // out-parameter; the context is freed (and cleansed) when `self` drops.
        if unsafe { sys::HMAC_Final(self.ctx.as_ptr(), out.as_mut_ptr(), &mut len) } != 1 {
            return Err(guard.fail("HMAC_Final", Error::general("HMAC final")));
        }
        out.truncate(len as usize);
        Ok(out)
    }

    pub(crate) fn try_clone(&self) -> Result<Hmac> {
        let guard = ErrGuard::new();
        // SAFETY: as in `new`.
        let ctx = unsafe { HmacCtx::from_raw(sys::HMAC_CTX_new(), "HMAC_CTX_new")? };
        // SAFETY: `ctx` is fresh and ours; `self.ctx` is initialised and only read.
        if unsafe { sys::HMAC_CTX_copy_ex(ctx.as_ptr(), self.ctx.as_ptr()) } != 1 {
            return Err(guard.fail("HMAC_CTX_copy_ex", Error::general("HMAC copy")));
        }
        Ok(Hmac { ctx })
    }
}
