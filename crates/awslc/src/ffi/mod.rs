//! The one place this crate calls AWS-LC's C API (`aws-lc-fips-sys`, the same FIPS module
//! aws-lc-rs links) for what aws-lc-rs does not expose: raw RSA (PKCS#1 v1.5 over caller bytes,
//! `CKM_RSA_X_509`), PSS over a digest with any salt and MGF1 hash, OAEP with any hash, MGF1 hash
//! and label, RSA up to 8192 bits, ECDSA over a caller digest of any length, P-521, GCM with any
//! IV length and the SP 800-38D tag lengths, AES-KW/KWP with 192-bit keys, HMAC over SHA-3, SP 800-56C's
//! one-step KDF, Ed25519ctx and Ed25519ph, ML-DSA and HashML-DSA signatures (external μ),
//! three-key Triple DES (legacy, never approved).
//!
//! Rules every file here follows:
//! - Each AWS-LC object has one Rust owner that frees it on drop (`handle.rs`, and the key and
//!   context types); borrowed pointers (`get0`) never outlive their owner.
//! - Every call runs inside an [`ErrGuard`], which clears AWS-LC's thread-local error queue
//!   before and after, so a failure is judged from this call's return value and, where a more
//!   precise code is needed, this call's queue entry. Allocation and internal failures become
//!   `Error::General`; everything else a spec-meaningful `CKR_*`.
//! - Secrets (private scalars, CRT parts, decrypted data, unwrapped keys) come back in
//!   `Zeroizing` buffers; AWS-LC frees its own copies with `*_free`, which cleanses them.
//!
//! What AWS-LC's service indicator counts (read from the AWS-LC 0.14.4 FIPS sources this links,
//! `crypto/fipsmodule/service_indicator/service_indicator.c` and its callers, and pinned by
//! `tests/approval.rs`):
//! - RSA encryption padding (OAEP, PKCS#1 v1.5 type 2) is implemented outside the FIPS module
//!   (`crypto/rsa_extra/rsa_crypt.c`) and has no indicator hook, so OAEP "approved" claims do
//!   not hold for this AWS-LC. Worse, OAEP encryption and decryption and PKCS#1 v1.5
//!   encryption read `true`: that padding code calls the module's SHA-2 and DRBG without
//!   locking the indicator, and those inner calls are counted. A table must decide OAEP from
//!   this note, never from the indicator.
//! - AES-192-GCM is never counted approved (only 128- and 256-bit keys are), and AWS-LC has no
//!   module-generated-IV ("randnonce") variant for 192-bit keys.
//! - AES-GCM encryption with a caller-chosen IV is never counted (SP 800-38D §8.2.2); only the
//!   randnonce seal ([`gcm_encrypt_generated_iv`]) and GCM decryption are.
//! - Signatures over caller-supplied digests or bytes are not counted: ECDSA over a digest,
//!   PKCS#1 v1.5 over a DigestInfo, PSS over a digest and raw RSA. Only `EVP_DigestSign`/
//!   `EVP_DigestVerify` (hash inside the module) count, which aws-lc-rs already uses.
//! - RSA key generation is a counted service only through `RSA_generate_key_fips`
//!   (e = 65537); with another e the indicator still moves (inner DRBG draws and the pairwise
//!   signature are counted), so the exponent, not the indicator, decides.
//! - Digests, HMAC (SHA-1, SHA-2, SHA-3), AES-KW/KWP (any KEK size, 192 included), ECDH through
//!   `EVP_PKEY_derive`, EC key generation and `RAND_bytes` count.
//!
//! Hence [`approved`]'s `true` is necessary, not sufficient: the registry's approved column is
//! decided per service from SP 800-131A / FIPS 186-5 / SP 800-38D and AWS-LC's certificate;
//! the indicator is a run-time cross-check that can only veto.
//!
//! Failure behaviour worth knowing:
//! - A failed PKCS#1 v1.5 decryption is an error (`EncryptedDataInvalid`): a Bleichenbacher
//!   padding oracle unless the caller hides the difference.
//! - A failed pairwise-consistency test inside `RSA_generate_key_fips` or
//!   `EC_KEY_generate_key_fips` calls `AWS_LC_FIPS_failure`, which aborts the process: that is
//!   the module's designed error state, not something this wrapper can report.

// The capability tables use RSA, ECDSA, GCM and key wrap through this API; the rest (the
// indicator reader, RAND_bytes, module-IV and streaming GCM, P-521, EC generation and ECDH) is
// wired next (issue 11). Until then the tests below are their only users, so outside tests
// those items and re-exports are unused.
#![cfg_attr(not(test), allow(dead_code, unused_imports))]

mod des3;
mod digest;
mod ec;
mod ed25519;
mod err;
mod gcm;
mod handle;
mod kw;
mod ml_dsa;
mod rsa;
mod sign;

#[cfg(test)]
mod tests;

pub(crate) use des3::Des3;
pub(crate) use digest::{Digest, Hmac, digest, sskdf_digest};
pub(crate) use ec::{EcCurve, EcPrivateKey, EcPublicKey};
pub(crate) use ed25519::{Ed25519Private, ed25519_private, ed25519_sign, ed25519_verify};
pub(crate) use gcm::{
    GcmDecryptor, GcmEncryptor, gcm_decrypt, gcm_encrypt, gcm_encrypt_generated_iv,
};
pub(crate) use kw::{kw_unwrap, kw_wrap, kwp_unwrap, kwp_wrap};
pub(crate) use ml_dsa::{MU_LEN, MlDsaKey, shake};
pub(crate) use rsa::{OaepParams, PssParams, RsaPrivateKey, RsaPublicKey};

use aws_lc_fips_sys as sys;
use craton_hsm_crypto::error::{Error, Result};
use err::ErrGuard;

/// Fills `out` from AWS-LC's approved DRBG (CTR_DRBG with its own entropy source).
pub(crate) fn random_bytes(out: &mut [u8]) -> Result<()> {
    if out.is_empty() {
        return Ok(());
    }
    let guard = ErrGuard::new();
    // SAFETY: `out` is a valid writable buffer of `out.len()` bytes owned by the caller for the
    // whole call. RAND_bytes always returns 1 (it aborts on an internal DRBG failure, the
    // module's error state), but the return value is still checked.
    let ok = unsafe { sys::RAND_bytes(out.as_mut_ptr(), out.len()) };
    if ok != 1 {
        return Err(guard.fail("RAND_bytes", Error::general("random")));
    }
    Ok(())
}

/// Runs `f` and reports whether AWS-LC's service indicator counted an approved service during
/// it. The indicator is thread-local, so `f` must do its AWS-LC calls on this thread.
///
/// `true` is necessary, not sufficient: it means at least one call inside `f` completed as an
/// approved service; it does not prove every step of `f` was approved (a non-approved call does
/// not lower the count), nor that the surrounding protocol is. Callers pass one service.
pub(crate) fn approved<T>(f: impl FnOnce() -> T) -> (T, bool) {
    // SAFETY: both calls take no arguments and only read this thread's indicator counter
    // (lazily allocated by AWS-LC; 0 if that allocation failed, which reads as not approved).
    let before = unsafe { sys::FIPS_service_indicator_before_call() };
    let out = f();
    // SAFETY: as above.
    let after = unsafe { sys::FIPS_service_indicator_after_call() };
    (out, after != before)
}

/// A pointer for a possibly empty input: C functions may read through `ptr` even when the
/// length is 0, so an empty slice's dangling pointer is never passed.
fn in_ptr(data: &[u8]) -> *const u8 {
    static EMPTY: [u8; 1] = [0];
    if data.is_empty() {
        EMPTY.as_ptr()
    } else {
        data.as_ptr()
    }
}

/// An `int` length for the C APIs that take one.
fn c_int(len: usize) -> Result<std::os::raw::c_int> {
    std::os::raw::c_int::try_from(len).map_err(|_| Error::DataLenRange)
}
