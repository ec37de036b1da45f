//! AES key wrap (KW, RFC 3394) and key wrap with padding (KWP, RFC 5649), SP 800-38F, with 128-,
//! 192- and 256-bit KEKs (aws-lc-rs exposes 128 and 256 only).

use super::err::ErrGuard;
use super::{in_ptr, sys};
use craton_hsm_crypto::error::{Error, Result};
use zeroize::{Zeroize, Zeroizing};

/// An expanded AES key on the stack; the schedule is wiped on drop. (`AES_KEY` is a plain C
/// struct with no AWS-LC free function.)
struct AesKey(sys::AES_KEY);

impl Drop for AesKey {
    fn drop(&mut self) {
        self.0.rd_key.zeroize();
        self.0.rounds.zeroize();
    }
}

fn aes_key(kek: &[u8], encrypt: bool) -> Result<AesKey> {
    if ![16, 24, 32].contains(&kek.len()) {
        return Err(Error::KeySizeRange);
    }
    let mut key = AesKey(sys::AES_KEY {
        rd_key: [0; 60],
        rounds: 0,
    });
    let bits = (kek.len() * 8) as std::os::raw::c_uint;
    let _guard = ErrGuard::new();
    // SAFETY: `kek` holds bits/8 bytes; `key.0` is a writable AES_KEY we own. The set_key
    // functions return 0 on success, negative for a bad length (ruled out above).
    let rc = unsafe {
        if encrypt {
            sys::AES_set_encrypt_key(kek.as_ptr(), bits, &mut key.0)
        } else {
            sys::AES_set_decrypt_key(kek.as_ptr(), bits, &mut key.0)
        }
    };
    if rc != 0 {
        return Err(Error::KeySizeRange);
    }
    Ok(key)
}

/// KW: at least 16 bytes, a multiple of 8 (SP 800-38F §6.2).
pub(crate) fn kw_wrap(kek: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    if data.len() < 16 || !data.len().is_multiple_of(8) {
        return Err(Error::DataLenRange);
    }
    let key = aes_key(kek, true)?;
    let guard = ErrGuard::new();
    let mut out = vec![0u8; data.len() + 8];
    // SAFETY: `key` is an expanded encryption key; a null IV selects RFC 3394's default;
    // `out` has the len + 8 bytes KW writes; `data` is readable. Returns the output length or
    // -1.
    let n = unsafe {
        sys::AES_wrap_key(
            &key.0,
            std::ptr::null(),
            out.as_mut_ptr(),
            data.as_ptr(),
            data.len(),
        )
    };
    if n < 0 || n as usize != out.len() {
        return Err(guard.fail("AES_wrap_key", Error::DataLenRange));
    }
    Ok(out)
}

/// KW unwrap: at least 24 bytes, a multiple of 8; a failed integrity check is
/// `EncryptedDataInvalid`.
pub(crate) fn kw_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    if wrapped.len() < 24 || !wrapped.len().is_multiple_of(8) {
        return Err(Error::EncryptedDataLenRange);
    }
    let key = aes_key(kek, false)?;
    let guard = ErrGuard::new();
    let mut out = Zeroizing::new(vec![0u8; wrapped.len() - 8]);
    // SAFETY: `key` is an expanded decryption key; null IV = RFC 3394 default; `out` has the
    // len − 8 bytes KW unwrap writes; `wrapped` is readable. Returns the length or -1.
    let n = unsafe {
        sys::AES_unwrap_key(
            &key.0,
            std::ptr::null(),
            out.as_mut_ptr(),
            wrapped.as_ptr(),
            wrapped.len(),
        )
    };
    if n < 0 || n as usize != out.len() {
        return Err(guard.fail("AES_unwrap_key", Error::EncryptedDataInvalid));
    }
    Ok(out)
}

/// KWP: 1 byte to 2^32 − 1 bytes.
pub(crate) fn kwp_wrap(kek: &[u8], data: &[u8]) -> Result<Vec<u8>> {
    if data.is_empty() || u32::try_from(data.len()).is_err() {
        return Err(Error::DataLenRange);
    }
    let key = aes_key(kek, true)?;
    let guard = ErrGuard::new();
    let mut out = vec![0u8; data.len().div_ceil(8) * 8 + 8];
    let mut len = 0usize;
    // SAFETY: `key` is an expanded encryption key; `out` has room for the padded length + 8,
    // the most KWP writes (passed as max_out); `data` is readable. 1 = success.
    let ok = unsafe {
        sys::AES_wrap_key_padded(
            &key.0,
            out.as_mut_ptr(),
            &mut len,
            out.len(),
            in_ptr(data),
            data.len(),
        )
    };
    if ok != 1 {
        return Err(guard.fail("AES_wrap_key_padded", Error::DataLenRange));
    }
    out.truncate(len);
    Ok(out)
}

/// KWP unwrap: at least 16 bytes, a multiple of 8; a failed integrity or padding check is
/// `EncryptedDataInvalid`.
pub(crate) fn kwp_unwrap(kek: &[u8], wrapped: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    if wrapped.len() < 16 || !wrapped.len().is_multiple_of(8) {
        return Err(Error::EncryptedDataLenRange);
    }
    let key = aes_key(kek, false)?;
    let guard = ErrGuard::new();
    let mut out = Zeroizing::new(vec![0u8; wrapped.len() - 8]);
    let mut len = 0usize;
    // SAFETY: `key` is an expanded decryption key; `out` has len − 8 bytes, the most KWP
    // unwrap writes (passed as max_out); `wrapped` is readable. 1 = success.
    let ok = unsafe {
        sys::AES_unwrap_key_padded(
            &key.0,
            out.as_mut_ptr(),
            &mut len,
            out.len(),
            wrapped.as_ptr(),
            wrapped.len(),
        )
    };
    if ok != 1 {
        return Err(guard.fail("AES_unwrap_key_padded", Error::EncryptedDataInvalid));
    }
    out.truncate(len);
    Ok(out)
}
