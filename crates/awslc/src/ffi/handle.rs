//! One Rust owner per AWS-LC object: each type below holds exactly one reference and frees it on
//! drop with the object's own `*_free` (which also cleanses secret memory), and nothing else
//! frees it. Pointers borrowed from an owner (`as_ptr`) must not outlive it.

use super::err::{ErrGuard, alloc};
use super::{in_ptr, sys};
use craton_hsm_crypto::error::{Error, Result};
use std::ptr::NonNull;
use zeroize::Zeroizing;

macro_rules! owner {
    ($(#[$meta:meta])* $name:ident, $ty:ty, $free:path) => {
        $(#[$meta])*
        pub(super) struct $name(NonNull<$ty>);

        impl $name {
            /// Takes ownership of a pointer an AWS-LC constructor just returned; null means the
            /// constructor failed (allocation), reported as `General`.
            ///
            /// # Safety
            /// `ptr` is null or a valid object of this type whose one reference the caller
            /// hands over: nothing else may free it.
            pub(super) unsafe fn from_raw(ptr: *mut $ty, what: &str) -> Result<Self> {
                NonNull::new(ptr).map(Self).ok_or_else(|| alloc(what))
            }

            /// The object, borrowed for a call while `self` lives.
            pub(super) fn as_ptr(&self) -> *mut $ty {
                self.0.as_ptr()
            }
        }

        impl Drop for $name {
            fn drop(&mut self) {
                // SAFETY: `self.0` is the one reference `from_raw` took over; it is freed once,
                // here, and never used again.
                unsafe { $free(self.0.as_ptr()) }
            }
        }
    };
}

owner!(
    /// A `BIGNUM`; freed with `BN_clear_free` because some hold private values.
    Bn, sys::BIGNUM, sys::BN_clear_free
);
owner!(
    /// An `RSA` key (public, or private with or without CRT parts).
    Rsa, sys::RSA, sys::RSA_free
);
owner!(
    /// An `EC_KEY` (its group is one of AWS-LC's static built-in groups).
    EcKey, sys::EC_KEY, sys::EC_KEY_free
);
owner!(
    /// An `EC_POINT` on a built-in group.
    EcPoint, sys::EC_POINT, sys::EC_POINT_free
);
owner!(
    /// An `ECDSA_SIG`, owning its `r` and `s`.
    EcdsaSig, sys::ECDSA_SIG, sys::ECDSA_SIG_free
);
owner!(
    /// An `EVP_PKEY`, holding its own counted reference to an RSA or EC key.
    Pkey, sys::EVP_PKEY, sys::EVP_PKEY_free
);
owner!(
    /// An `EVP_PKEY_CTX` for one operation.
    PkeyCtx, sys::EVP_PKEY_CTX, sys::EVP_PKEY_CTX_free
);
owner!(
    /// An `EVP_MD_CTX` (a running digest).
    MdCtx, sys::EVP_MD_CTX, sys::EVP_MD_CTX_free
);
owner!(
    /// An `HMAC_CTX` (a running HMAC; freeing cleanses the keyed state).
    HmacCtx, sys::HMAC_CTX, sys::HMAC_CTX_free
);
owner!(
    /// An `EVP_CIPHER_CTX` (streaming GCM encryption; freeing cleanses the key schedule).
    CipherCtx, sys::EVP_CIPHER_CTX, sys::EVP_CIPHER_CTX_free
);
owner!(
    /// An `EVP_AEAD_CTX` (one-shot GCM; freeing cleanses the key schedule).
    AeadCtx, sys::EVP_AEAD_CTX, sys::EVP_AEAD_CTX_free
);

// SAFETY (for the `Send` impls below): each owner is the only handle on its object, and AWS-LC
// objects carry no thread affinity (no thread-locals are tied to them), so moving the owner to
// another thread moves the object whole. Running contexts are never shared between threads
// (no `Sync`): their users take `&mut self`.
macro_rules! send {
    ($($name:ident),*) => {
        $(
            // SAFETY: see the note above this macro.
            unsafe impl Send for $name {}
        )*
    };
}
send!(
    Bn, Rsa, EcKey, EcPoint, Pkey, MdCtx, HmacCtx, CipherCtx, AeadCtx
);

// SAFETY: AWS-LC documents `RSA`, `EC_KEY` and `EVP_PKEY` as usable concurrently from several
// threads by non-mutating functions (rsa.h, ec_key.h, evp.h "Allocation and destruction"); once
// a key is built, this wrapper only calls functions documented as non-mutating on it (signing,
// verification, encryption, decryption, `get0`, `EVP_PKEY_CTX_new`, which takes its own
// reference).
unsafe impl Sync for Rsa {}
// SAFETY: see `Rsa`.
unsafe impl Sync for EcKey {}
// SAFETY: see `Rsa`.
unsafe impl Sync for Pkey {}

impl Bn {
    /// A non-negative integer from big-endian bytes (any leading zeros).
    pub(super) fn from_be(bytes: &[u8]) -> Result<Bn> {
        let _guard = ErrGuard::new();
        // SAFETY: `bytes` is readable for its length; with a null `ret` BN_bin2bn allocates a
        // new BIGNUM whose one reference we take over; null means allocation failure.
        unsafe {
            Bn::from_raw(
                sys::BN_bin2bn(in_ptr(bytes), bytes.len(), std::ptr::null_mut()),
                "BN_bin2bn",
            )
        }
    }

    /// Gives the reference up to a `set0` call that takes ownership on success.
    pub(super) fn into_raw(self) -> *mut sys::BIGNUM {
        let ptr = self.as_ptr();
        std::mem::forget(self);
        ptr
    }
}

/// `bn` as exactly `len` big-endian bytes; `General` if it does not fit (the callers size `len`
/// from the key, so it always should).
///
/// # Safety
/// `bn` is a valid BIGNUM that stays alive for the call.
pub(super) unsafe fn bn_to_padded(
    bn: *const sys::BIGNUM,
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    // SAFETY: `out` has room for `len` bytes; `bn` is valid per this function's contract.
    // BN_bn2bin_padded returns 0 if the value needs more than `len` bytes.
    if unsafe { sys::BN_bn2bin_padded(out.as_mut_ptr(), len, bn) } != 1 {
        return Err(Error::general(
            "BN_bn2bin_padded: value wider than its field",
        ));
    }
    Ok(out)
}

/// `bn` as minimal big-endian bytes (empty for zero), the form PKCS#11 attributes carry.
///
/// # Safety
/// `bn` is a valid BIGNUM that stays alive for the call.
pub(super) unsafe fn bn_to_vec(bn: *const sys::BIGNUM) -> Zeroizing<Vec<u8>> {
    // SAFETY: `bn` is valid per this function's contract; BN_num_bytes only reads it.
    let len = unsafe { sys::BN_num_bytes(bn) } as usize;
    if len == 0 {
        return Zeroizing::new(Vec::new());
    }
    let mut out = Zeroizing::new(vec![0u8; len]);
    // SAFETY: `out` has exactly BN_num_bytes(bn) bytes, which BN_bn2bin fills completely.
    let written = unsafe { sys::BN_bn2bin(bn, out.as_mut_ptr()) };
    debug_assert_eq!(written, len);
    out
}
