//! AES-GCM with any IV length (≥ 1 byte) and the tag lengths SP 800-38D §5.2.1.2 allows
//! (4, 8 and 12–16 bytes): streaming encryption, decryption that releases plaintext only after
//! the tag checks, one-shots, and encryption with an IV AWS-LC draws itself (the only GCM
//! encryption its indicator counts approved, and only for 128- and 256-bit keys).

use super::err::ErrGuard;
use super::handle::{AeadCtx, CipherCtx};
use super::{c_int, in_ptr, sys};
use craton_hsm_crypto::error::{Error, Result};
use zeroize::Zeroizing;

/// Tag lengths in bytes: 128, 120, 112, 104, 96 bits, and 64 and 32 bits (SP 800-38D §5.2.1.2
/// and appendix C, which constrain where the short ones may be used).
pub(crate) const TAG_LENS: [usize; 7] = [4, 8, 12, 13, 14, 15, 16];
/// Length of the IV AWS-LC draws in `gcm_encrypt_generated_iv` (96 bits, §8.2.2).
pub(crate) const GENERATED_IV_LEN: usize = 12;

fn check(iv_len: usize, tag_len: usize) -> Result<()> {
    if iv_len == 0 || !TAG_LENS.contains(&tag_len) {
        return Err(Error::MechanismParamInvalid);
    }
    Ok(())
}

fn aead(key: &[u8]) -> Result<*const sys::EVP_AEAD> {
    // SAFETY: each accessor takes no arguments and returns a static method table.
    Ok(unsafe {
        match key.len() {
            16 => sys::EVP_aead_aes_128_gcm(),
            24 => sys::EVP_aead_aes_192_gcm(),
            32 => sys::EVP_aead_aes_256_gcm(),
            _ => return Err(Error::KeySizeRange),
        }
    })
}

/// A keyed one-shot AEAD context.
fn aead_ctx(aead: *const sys::EVP_AEAD, key: &[u8], tag_len: usize) -> Result<AeadCtx> {
    let guard = ErrGuard::new();
    // SAFETY: `aead` is a static method table; `key` is readable for its length (checked by
    // `aead()` to fit it); the result is a new context (null on failure) whose one reference
    // `from_raw` takes over.
    let ctx = unsafe { sys::EVP_AEAD_CTX_new(aead, key.as_ptr(), key.len(), tag_len) };
    if ctx.is_null() {
        return Err(guard.fail("EVP_AEAD_CTX_new", Error::general("GCM key setup")));
    }
    // SAFETY: non-null, new, ours.
    unsafe { AeadCtx::from_raw(ctx, "EVP_AEAD_CTX_new") }
}

/// Seals `pt` and returns ct‖tag. `nonce` empty means the context draws its own (randnonce),
/// in which case AWS-LC appends the 12-byte IV after the tag and `extra` is 12.
fn seal(ctx: &AeadCtx, nonce: &[u8], aad: &[u8], pt: &[u8], tag_room: usize) -> Result<Vec<u8>> {
    let guard = ErrGuard::new();
    let mut out = vec![0u8; pt.len() + tag_room];
    let (ct, tag) = out.split_at_mut(pt.len());
    let mut tag_len = 0usize;
    // SAFETY: `ctx` is a keyed context we own; `ct` has room for `pt.len()` bytes (GCM output
    // is as long as its input) and `tag` for `tag_room` bytes, its largest tag; nonce, input
    // and AAD are readable for their lengths; no extra input. 0 = failure.
    let ok = unsafe {
        sys::EVP_AEAD_CTX_seal_scatter(
            ctx.as_ptr(),
            ct.as_mut_ptr(),
            tag.as_mut_ptr(),
            &mut tag_len,
            tag.len(),
            in_ptr(nonce),
            nonce.len(),
            in_ptr(pt),
            pt.len(),
            std::ptr::null(),
            0,
            in_ptr(aad),
            aad.len(),
        )
    };
    if ok != 1 {
        return Err(guard.fail("EVP_AEAD_CTX_seal_scatter", Error::DataLenRange));
    }
    out.truncate(pt.len() + tag_len);
    Ok(out)
}

/// Opens ct‖tag; the plaintext exists only if the tag matched.
fn open(
    ctx: &AeadCtx,
    iv: &[u8],
    aad: &[u8],
    ct_tag: &[u8],
    tag_len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let Some(ct_len) = ct_tag.len().checked_sub(tag_len) else {
        return Err(Error::EncryptedDataLenRange);
    };
    let (ct, tag) = ct_tag.split_at(ct_len);
    let guard = ErrGuard::new();
    let mut out = Zeroizing::new(vec![0u8; ct_len]);
    // SAFETY: `ctx` is a keyed context we own; `out` has room for `ct_len` bytes (GCM output
    // is as long as its input); IV, ciphertext, tag and AAD are readable for their lengths.
    // 0 = tag mismatch (or bad lengths), and then nothing in `out` is released.
    let ok = unsafe {
        sys::EVP_AEAD_CTX_open_gather(
            ctx.as_ptr(),
            out.as_mut_ptr(),
            in_ptr(iv),
            iv.len(),
            in_ptr(ct),
            ct.len(),
            in_ptr(tag),
            tag.len(),
            in_ptr(aad),
            aad.len(),
        )
    };
    if ok != 1 {
        return Err(guard.fail("EVP_AEAD_CTX_open_gather", Error::EncryptedDataInvalid));
    }
    Ok(out)
}

/// One-shot encryption with the caller's IV (never counted approved): ct‖tag.
pub(crate) fn gcm_encrypt(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    pt: &[u8],
    tag_len: usize,
) -> Result<Vec<u8>> {
    check(iv.len(), tag_len)?;
    let ctx = aead_ctx(aead(key)?, key, tag_len)?;
    seal(&ctx, iv, aad, pt, tag_len)
}

/// One-shot decryption of ct‖tag.
pub(crate) fn gcm_decrypt(
    key: &[u8],
    iv: &[u8],
    aad: &[u8],
    ct_tag: &[u8],
    tag_len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    check(iv.len(), tag_len)?;
    let ctx = aead_ctx(aead(key)?, key, tag_len)?;
    open(&ctx, iv, aad, ct_tag, tag_len)
}

/// Encryption with a 96-bit IV drawn inside AWS-LC from its DRBG (SP 800-38D §8.2.2), the GCM
/// encryption its indicator counts approved. AWS-LC offers it for 128- and 256-bit keys only;
/// a 192-bit key is `KeySizeRange`. Returns (IV, ct‖tag).
pub(crate) fn gcm_encrypt_generated_iv(
    key: &[u8],
    aad: &[u8],
    pt: &[u8],
    tag_len: usize,
) -> Result<(Vec<u8>, Vec<u8>)> {
    check(GENERATED_IV_LEN, tag_len)?;
    // SAFETY: each accessor takes no arguments and returns a static method table.
    let aead = unsafe {
        match key.len() {
            16 => sys::EVP_aead_aes_128_gcm_randnonce(),
            32 => sys::EVP_aead_aes_256_gcm_randnonce(),
            _ => return Err(Error::KeySizeRange),
        }
    };
    // The randnonce AEAD's "tag" is tag‖IV.
    let ctx = aead_ctx(aead, key, tag_len + GENERATED_IV_LEN)?;
    let mut out = seal(&ctx, &[], aad, pt, tag_len + GENERATED_IV_LEN)?;
    if out.len() != pt.len() + tag_len + GENERATED_IV_LEN {
        return Err(Error::general("GCM randnonce: unexpected tag length"));
    }
    let iv = out.split_off(pt.len() + tag_len);
    Ok((iv, out))
}

fn cipher(key: &[u8]) -> Result<*const sys::EVP_CIPHER> {
    // SAFETY: each accessor takes no arguments and returns a static cipher table.
    Ok(unsafe {
        match key.len() {
            16 => sys::EVP_aes_128_gcm(),
            24 => sys::EVP_aes_192_gcm(),
            32 => sys::EVP_aes_256_gcm(),
            _ => return Err(Error::KeySizeRange),
        }
    })
}

/// Streaming encryption with the caller's IV (never counted approved): ciphertext as input
/// arrives, the tag at the end.
pub(crate) struct GcmEncryptor {
    ctx: CipherCtx,
    tag_len: usize,
}

impl GcmEncryptor {
    pub(crate) fn new(key: &[u8], iv: &[u8], aad: &[u8], tag_len: usize) -> Result<GcmEncryptor> {
        check(iv.len(), tag_len)?;
        let cipher = cipher(key)?;
        let iv_len = c_int(iv.len()).map_err(|_| Error::MechanismParamInvalid)?;
        let guard = ErrGuard::new();
        // SAFETY: EVP_CIPHER_CTX_new takes no arguments; null on allocation failure;
        // `from_raw` takes over its one reference.
        let ctx = unsafe { CipherCtx::from_raw(sys::EVP_CIPHER_CTX_new(), "EVP_CIPHER_CTX_new")? };
        let c = ctx.as_ptr();
        // SAFETY: `c` is our fresh context; the cipher is static; first the cipher is set
        // (no key or IV yet), then the IV length (AWS-LC allocates room for IVs longer than
        // its default), then key and IV, each readable for its length. 1 = success.
        let ok = unsafe {
            sys::EVP_EncryptInit_ex(
                c,
                cipher,
                std::ptr::null_mut(),
                std::ptr::null(),
                std::ptr::null(),
            ) == 1
                && sys::EVP_CIPHER_CTX_ctrl(
                    c,
                    sys::EVP_CTRL_GCM_SET_IVLEN,
                    iv_len,
                    std::ptr::null_mut(),
                ) == 1
                && sys::EVP_EncryptInit_ex(
                    c,
                    std::ptr::null(),
                    std::ptr::null_mut(),
                    key.as_ptr(),
                    iv.as_ptr(),
                ) == 1
        };
        if !ok {
            return Err(guard.fail("GCM init", Error::MechanismParamInvalid));
        }
        if !aad.is_empty() {
            let aad_len = c_int(aad.len()).map_err(|_| Error::MechanismParamInvalid)?;
            let mut n: std::os::raw::c_int = 0;
            // SAFETY: a null output buffer makes this an AAD update, which writes nothing;
            // `aad` is readable for its length.
            if unsafe {
                sys::EVP_EncryptUpdate(c, std::ptr::null_mut(), &mut n, aad.as_ptr(), aad_len)
            } != 1
            {
                return Err(guard.fail("GCM AAD", Error::general("GCM AAD")));
            }
        }
        Ok(GcmEncryptor { ctx, tag_len })
    }

    /// Ciphertext for `data` (as long as `data`).
    pub(crate) fn update(&mut self, data: &[u8]) -> Result<Vec<u8>> {
        let len = c_int(data.len())?;
        let guard = ErrGuard::new();
        let mut out = vec![0u8; data.len()];
        let mut n: std::os::raw::c_int = 0;
        // SAFETY: `self.ctx` is initialised and ours (`&mut self`); GCM is a stream mode, so
        // it writes exactly `data.len()` bytes, the room `out` has; `data` is readable.
        let ok = unsafe {
            sys::EVP_EncryptUpdate(
                self.ctx.as_ptr(),
                out.as_mut_ptr(),
                &mut n,
                in_ptr(data),
                len,
            )
        };
        if ok != 1 || n as usize != data.len() {
            return Err(guard.fail("EVP_EncryptUpdate", Error::general("GCM encrypt")));
        }
        Ok(out)
    }

    /// The tag, `tag_len` bytes.
    pub(crate) fn finish(self) -> Result<Vec<u8>> {
        let guard = ErrGuard::new();
        let mut n: std::os::raw::c_int = 0;
        let mut tail = [0u8; 16];
        let mut tag = vec![0u8; self.tag_len];
        // SAFETY: `self.ctx` is initialised and ours; GCM's final writes no bytes (`tail` has
        // a block of room anyway); GET_TAG copies `tag_len` ≤ 16 bytes into `tag`, which has
        // exactly that room.
        let ok = unsafe {
            sys::EVP_EncryptFinal_ex(self.ctx.as_ptr(), tail.as_mut_ptr(), &mut n) == 1
                && sys::EVP_CIPHER_CTX_ctrl(
                    self.ctx.as_ptr(),
                    sys::EVP_CTRL_GCM_GET_TAG,
                    self.tag_len as std::os::raw::c_int,
                    tag.as_mut_ptr().cast(),
                ) == 1
        };
        if !ok || n != 0 {
            return Err(guard.fail("GCM final", Error::general("GCM final")));
        }
        Ok(tag)
    }
}

/// Decryption that holds ciphertext‖tag until `finish`, where the tag (the last `tag_len`
/// bytes) is checked before any plaintext leaves: nothing is released for a forged message.
pub(crate) struct GcmDecryptor {
    ctx: AeadCtx,
    iv: Vec<u8>,
    aad: Vec<u8>,
    held: Vec<u8>,
    tag_len: usize,
}

impl GcmDecryptor {
    pub(crate) fn new(key: &[u8], iv: &[u8], aad: &[u8], tag_len: usize) -> Result<GcmDecryptor> {
        check(iv.len(), tag_len)?;
        let ctx = aead_ctx(aead(key)?, key, tag_len)?;
        Ok(GcmDecryptor {
            ctx,
            iv: iv.to_vec(),
            aad: aad.to_vec(),
            held: Vec::new(),
            tag_len,
        })
    }

    /// Holds more of ciphertext‖tag; releases nothing.
    pub(crate) fn update(&mut self, data: &[u8]) {
        self.held.extend_from_slice(data);
    }

    /// Bytes held so far (the caller enforces its cap on held input).
    pub(crate) fn held(&self) -> usize {
        self.held.len()
    }

    /// The plaintext, if the tag matches.
    pub(crate) fn finish(self) -> Result<Zeroizing<Vec<u8>>> {
        open(&self.ctx, &self.iv, &self.aad, &self.held, self.tag_len)
    }
}
