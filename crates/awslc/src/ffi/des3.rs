//! Three-key Triple DES (TDEA, SP 800-67) in ECB and CBC through `EVP_des_ede3` and
//! `EVP_des_ede3_cbc`: whole blocks, AWS-LC's padding off (the core's block mode pads). A legacy
//! cipher AWS-LC keeps outside its approved services.

use super::err::ErrGuard;
use super::handle::CipherCtx;
use super::{c_int, sys};
use craton_hsm_crypto::cipher::DES3_BLOCK;
use craton_hsm_crypto::error::{Error, Result};

/// Three 8-byte DES keys.
const KEY_LEN: usize = 24;

/// A Triple DES key schedule in one direction, with the CBC chaining value when `iv` is given.
pub(crate) struct Des3 {
    ctx: CipherCtx,
}

impl Des3 {
    pub(crate) fn new(key: &[u8], iv: Option<&[u8; DES3_BLOCK]>, encrypt: bool) -> Result<Des3> {
        if key.len() != KEY_LEN {
            return Err(Error::KeySizeRange);
        }
        let guard = ErrGuard::new();
        // SAFETY: EVP_CIPHER_CTX_new takes no arguments; null on allocation failure;
        // `from_raw` takes over its one reference.
        let ctx = unsafe { CipherCtx::from_raw(sys::EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")? };
        // SAFETY: `ctx` is fresh and ours; the EVP_CIPHERs are static; the key is 24 readable
        // bytes and the IV (if any) 8, both copied into the context; no ENGINE.
        let ok = unsafe {
            let cipher = if iv.is_some() {
                sys::EVP_des_ede3_cbc()
            } else {
                sys::EVP_des_ede3()
            };
            sys::EVP_CipherInit_ex(
                ctx.as_ptr(),
                cipher,
                std::ptr::null_mut(),
                key.as_ptr(),
                iv.map_or(std::ptr::null(), |v| v.as_ptr()),
                std::os::raw::c_int::from(encrypt),
            ) == 1
                && sys::EVP_CIPHER_CTX_set_padding(ctx.as_ptr(), 0) == 1
        };
        if !ok {
            return Err(guard.fail("EVP_CipherInit_ex", Error::general("Triple DES key setup")));
        }
        Ok(Des3 { ctx })
    }

    /// Transforms whole blocks in place, carrying the CBC state to the next call.
    pub(crate) fn process(&mut self, data: &mut [u8]) -> Result<()> {
        if !data.len().is_multiple_of(DES3_BLOCK) {
            return Err(Error::DataLenRange);
        }
        let len = c_int(data.len())?;
        let mut written: std::os::raw::c_int = 0;
        let guard = ErrGuard::new();
        let buf = data.as_mut_ptr();
        // SAFETY: `ctx` is initialised; `buf` is readable and writable for `len` bytes, which
        // with padding off and whole blocks is all EVP_CipherUpdate writes; in place (input
        // and output the same buffer exactly) is allowed, partial overlap is not.
        let ok = unsafe { sys::EVP_CipherUpdate(self.ctx.as_ptr(), buf, &mut written, buf, len) };
        if ok != 1 || written != len {
            return Err(guard.fail("EVP_CipherUpdate", Error::general("Triple DES")));
        }
        Ok(())
    }
}
