//! ECDSA over a caller's digest (any length, fixed-width r‖s) and ECDH (x-coordinate) on P-256,
//! P-384 and P-521.

use super::digest::md;
use super::err::ErrGuard;
use super::handle::{Bn, EcKey, EcPoint, EcdsaSig, Pkey, PkeyCtx, bn_to_padded};
use super::sign::{digest_sign, digest_verify};
use super::{in_ptr, sys};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{Curve, HashAlg};
use zeroize::Zeroizing;

/// The NIST prime curves AWS-LC's FIPS module implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EcCurve {
    P256,
    P384,
    P521,
}

impl EcCurve {
    fn nid(self) -> i32 {
        match self {
            EcCurve::P256 => sys::NID_X9_62_prime256v1,
            EcCurve::P384 => sys::NID_secp384r1,
            EcCurve::P521 => sys::NID_secp521r1,
        }
    }

    /// Bytes of a field element, and of the group order (equal for these three curves).
    pub(crate) fn len(self) -> usize {
        match self {
            EcCurve::P256 => 32,
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
        }
    }

    /// Length of an uncompressed SEC1 point `04‖X‖Y`.
    pub(crate) fn point_len(self) -> usize {
        1 + 2 * self.len()
    }
}

impl TryFrom<Curve> for EcCurve {
    type Error = Error;
    fn try_from(curve: Curve) -> Result<EcCurve> {
        match curve {
            Curve::P256 => Ok(EcCurve::P256),
            Curve::P384 => Ok(EcCurve::P384),
            Curve::P521 => Ok(EcCurve::P521),
            Curve::Ed25519 | Curve::X25519 => Err(Error::KeyTypeInconsistent),
        }
    }
}

/// An empty key on `curve`'s built-in group.
fn new_key(curve: EcCurve) -> Result<EcKey> {
    // SAFETY: EC_KEY_new_by_curve_name takes a NID of a built-in curve; null on allocation
    // failure; `from_raw` takes over the one reference.
    unsafe {
        EcKey::from_raw(
            sys::EC_KEY_new_by_curve_name(curve.nid()),
            "EC_KEY_new_by_curve_name",
        )
    }
}

fn group(key: &EcKey) -> *const sys::EC_GROUP {
    // SAFETY: `key` is valid; the group is a static built-in one (never freed).
    unsafe { sys::EC_KEY_get0_group(key.as_ptr()) }
}

/// An `EVP_PKEY` holding its own counted reference to `key` (for `EVP_PKEY_derive`).
fn pkey_of(key: &EcKey) -> Result<Pkey> {
    let guard = ErrGuard::new();
    // SAFETY: EVP_PKEY_new takes no arguments; `from_raw` takes over its reference.
    let pkey = unsafe { Pkey::from_raw(sys::EVP_PKEY_new(), "EVP_PKEY_new")? };
    // SAFETY: both valid and ours; set1 takes its own counted reference to the EC_KEY.
    if unsafe { sys::EVP_PKEY_set1_EC_KEY(pkey.as_ptr(), key.as_ptr()) } != 1 {
        return Err(guard.fail(
            "EVP_PKEY_set1_EC_KEY",
            Error::general("EVP_PKEY_set1_EC_KEY"),
        ));
    }
    Ok(pkey)
}

/// The key's public point, uncompressed.
fn point_bytes(key: &EcKey, curve: EcCurve) -> Result<Vec<u8>> {
    let guard = ErrGuard::new();
    let mut out = vec![0u8; curve.point_len()];
    // SAFETY: `key` is valid with a public point (checked non-null before use); the group is
    // static; `out` has room for the uncompressed encoding, whose length point2oct returns
    // (0 on failure).
    let written = unsafe {
        let point = sys::EC_KEY_get0_public_key(key.as_ptr());
        if point.is_null() {
            return Err(Error::general("EC key without a public point"));
        }
        sys::EC_POINT_point2oct(
            group(key),
            point,
            sys::point_conversion_form_t::POINT_CONVERSION_UNCOMPRESSED,
            out.as_mut_ptr(),
            out.len(),
            std::ptr::null_mut(),
        )
    };
    if written != out.len() {
        return Err(guard.fail("EC_POINT_point2oct", Error::general("EC point encoding")));
    }
    Ok(out)
}

/// r‖s (each `curve.len()` bytes) of an `ECDSA_SIG`.
fn fixed_of(sig: &EcdsaSig, curve: EcCurve) -> Result<Vec<u8>> {
    let (mut r, mut s) = (std::ptr::null(), std::ptr::null());
    // SAFETY: `sig` is valid; get0 writes borrowed pointers to its r and s, which live as long
    // as `sig` (beyond this function's use of them).
    unsafe { sys::ECDSA_SIG_get0(sig.as_ptr(), &mut r, &mut s) };
    let n = curve.len();
    // SAFETY: `r` and `s` are valid BIGNUMs borrowed from `sig`; a signature AWS-LC made or
    // parsed has both below the order, so they fit `n` bytes (else `General`).
    let (r, s) = unsafe { (bn_to_padded(r, n)?, bn_to_padded(s, n)?) };
    Ok([r.as_slice(), s.as_slice()].concat())
}

/// An `ECDSA_SIG` from r‖s; a wrong length is `SignatureLenRange`.
fn sig_of(curve: EcCurve, sig: &[u8]) -> Result<EcdsaSig> {
    let n = curve.len();
    if sig.len() != 2 * n {
        return Err(Error::SignatureLenRange);
    }
    let r = Bn::from_be(&sig[..n])?;
    let s = Bn::from_be(&sig[n..])?;
    let guard = ErrGuard::new();
    // SAFETY: ECDSA_SIG_new takes no arguments; null on allocation failure.
    let esig = unsafe { EcdsaSig::from_raw(sys::ECDSA_SIG_new(), "ECDSA_SIG_new")? };
    let (r_raw, s_raw) = (r.into_raw(), s.into_raw());
    // SAFETY: `esig` is ours; set0 takes ownership of both BIGNUMs on success only.
    if unsafe { sys::ECDSA_SIG_set0(esig.as_ptr(), r_raw, s_raw) } != 1 {
        // SAFETY: set0 failed, so the two BIGNUMs are still ours and freed here, once.
        unsafe {
            sys::BN_free(r_raw);
            sys::BN_free(s_raw);
        }
        return Err(guard.fail("ECDSA_SIG_set0", Error::general("ECDSA_SIG_set0")));
    }
    Ok(esig)
}

/// An EC private key (with its public point).
pub(crate) struct EcPrivateKey {
    key: EcKey,
    pkey: Pkey,
    curve: EcCurve,
}

/// An EC public key, fully validated (SP 800-56A §5.6.2.3.3).
pub(crate) struct EcPublicKey {
    key: EcKey,
    pkey: Pkey,
    curve: EcCurve,
}

impl EcPrivateKey {
    /// From a big-endian private scalar (any width up to the order's); 0 < d < n. The public
    /// point is computed here as d·G, so the pair is consistent by construction: no
    /// `EC_KEY_check_fips`, which would multiply again to compare and run a pairwise signature
    /// test (four more scalar multiplications at every key load; FIPS 140-3 IG 10.3.A asks
    /// for that test when a pair is generated, which `generate` and the module's own pairwise
    /// test do).
    pub(crate) fn from_scalar(curve: EcCurve, scalar: &[u8]) -> Result<EcPrivateKey> {
        if scalar.is_empty() || scalar.len() > curve.len() {
            return Err(Error::AttributeValueInvalid);
        }
        let d = Bn::from_be(scalar)?;
        let key = new_key(curve)?;
        let guard = ErrGuard::new();
        // SAFETY: `key` is a fresh key we own; `d` is valid and copied (not taken).
        // EC_KEY_set_private_key rejects 0 and values ≥ n.
        if unsafe { sys::EC_KEY_set_private_key(key.as_ptr(), d.as_ptr()) } != 1 {
            return Err(guard.fail("EC_KEY_set_private_key", Error::AttributeValueInvalid));
        }
        // SAFETY: EC_POINT_new on the key's static group; null on allocation failure.
        let point = unsafe { EcPoint::from_raw(sys::EC_POINT_new(group(&key)), "EC_POINT_new")? };
        // SAFETY: `point` is ours and on `group`; Q = d·G (generator term only, the other
        // operands null); set_public_key copies the point.
        let ok = unsafe {
            sys::EC_POINT_mul(
                group(&key),
                point.as_ptr(),
                d.as_ptr(),
                std::ptr::null(),
                std::ptr::null(),
                std::ptr::null_mut(),
            ) == 1
                && sys::EC_KEY_set_public_key(key.as_ptr(), point.as_ptr()) == 1
        };
        if !ok {
            return Err(guard.fail("EC private key", Error::AttributeValueInvalid));
        }
        let pkey = pkey_of(&key)?;
        Ok(EcPrivateKey { key, pkey, curve })
    }

    /// A new key pair from AWS-LC's DRBG (`EC_KEY_generate_key_fips`: pairwise-tested, counted
    /// approved; a pairwise failure aborts the process).
    pub(crate) fn generate(curve: EcCurve) -> Result<EcPrivateKey> {
        let key = new_key(curve)?;
        let guard = ErrGuard::new();
        // SAFETY: `key` is a fresh key with a group, ours; 0 = failure.
        if unsafe { sys::EC_KEY_generate_key_fips(key.as_ptr()) } != 1 {
            return Err(guard.fail(
                "EC_KEY_generate_key_fips",
                Error::general("EC key generation"),
            ));
        }
        let pkey = pkey_of(&key)?;
        Ok(EcPrivateKey { key, pkey, curve })
    }

    pub(crate) fn curve(&self) -> EcCurve {
        self.curve
    }

    /// The private scalar, fixed-width big-endian (`CKA_VALUE`).
    pub(crate) fn scalar(&self) -> Result<Zeroizing<Vec<u8>>> {
        // SAFETY: `self.key` is valid; the borrowed scalar lives as long as `self`.
        let d = unsafe { sys::EC_KEY_get0_private_key(self.key.as_ptr()) };
        if d.is_null() {
            return Err(Error::general("EC key without a private scalar"));
        }
        // SAFETY: `d` is a valid BIGNUM borrowed from `self.key` for this call.
        unsafe { bn_to_padded(d, self.curve.len()) }
    }

    /// The public point, uncompressed SEC1.
    pub(crate) fn public_point(&self) -> Result<Vec<u8>> {
        point_bytes(&self.key, self.curve)
    }

    pub(crate) fn public_key(&self) -> Result<EcPublicKey> {
        EcPublicKey::from_point(self.curve, &self.public_point()?)
    }

    /// ECDSA over a caller's digest of any non-zero length (AWS-LC truncates it to the order's
    /// bit length, FIPS 186-5 §6.4.1); r‖s, each as wide as the order.
    pub(crate) fn sign_digest(&self, digest: &[u8]) -> Result<Vec<u8>> {
        if digest.is_empty() {
            return Err(Error::DataLenRange);
        }
        let guard = ErrGuard::new();
        // SAFETY: `digest` is readable for its length; `self.key` is a valid private key
        // (ECDSA_do_sign takes it const: non-mutating); the result is a new signature (null on
        // failure) whose one reference `from_raw` takes over.
        let sig = unsafe { sys::ECDSA_do_sign(digest.as_ptr(), digest.len(), self.key.as_ptr()) };
        if sig.is_null() {
            return Err(guard.fail("ECDSA_do_sign", Error::general("ECDSA sign")));
        }
        // SAFETY: `sig` is non-null and ours from here on.
        let sig = unsafe { EcdsaSig::from_raw(sig, "ECDSA_do_sign")? };
        fixed_of(&sig, self.curve)
    }

    /// ECDSA with the hash computed inside the module (`EVP_DigestSign`, which AWS-LC counts
    /// approved for SHA-2 and SHA-3 on P-256, P-384 and P-521); r‖s.
    pub(crate) fn sign_message(&self, hash: HashAlg, msg: &[u8]) -> Result<Vec<u8>> {
        // SAFETY: pure arithmetic on the order length.
        let max = unsafe { sys::ECDSA_SIG_max_len(self.curve.len()) };
        let der = digest_sign(&self.pkey, md(hash), &|_| true, msg, max)?;
        let guard = ErrGuard::new();
        // SAFETY: `der` is readable for its length; the result is a new signature (null if
        // the DER does not parse) whose one reference `from_raw` takes over.
        let sig = unsafe { sys::ECDSA_SIG_from_bytes(der.as_ptr(), der.len()) };
        if sig.is_null() {
            return Err(guard.fail("ECDSA_SIG_from_bytes", Error::general("ECDSA signature")));
        }
        // SAFETY: non-null, new, ours.
        let sig = unsafe { EcdsaSig::from_raw(sig, "ECDSA_SIG_from_bytes")? };
        fixed_of(&sig, self.curve)
    }

    /// ECDH (SP 800-56A §5.7.1.2, cofactor 1): the x-coordinate of d·Q for an uncompressed
    /// peer point, which is validated in full first (an invalid one is
    /// `MechanismParamInvalid`, as the point arrives in the mechanism parameter).
    pub(crate) fn ecdh(&self, peer_point: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let peer = EcPublicKey::from_point(self.curve, peer_point).map_err(|e| match e {
            Error::AttributeValueInvalid => Error::MechanismParamInvalid,
            other => other,
        })?;
        let guard = ErrGuard::new();
        // SAFETY: `self.pkey` is valid; the new context takes its own reference to it; null on
        // allocation failure; `from_raw` takes over the context.
        let ctx = unsafe {
            PkeyCtx::from_raw(
                sys::EVP_PKEY_CTX_new(self.pkey.as_ptr(), std::ptr::null_mut()),
                "EVP_PKEY_CTX_new",
            )?
        };
        let mut out = Zeroizing::new(vec![0u8; self.curve.len()]);
        let mut len = out.len();
        // SAFETY: `ctx` is ours; set_peer takes its own reference to `peer_pkey`; `out` has
        // `len` bytes of room, the field size, which is what derive writes for these curves.
        let ok = unsafe {
            sys::EVP_PKEY_derive_init(ctx.as_ptr()) == 1
                && sys::EVP_PKEY_derive_set_peer(ctx.as_ptr(), peer.pkey.as_ptr()) == 1
                && sys::EVP_PKEY_derive(ctx.as_ptr(), out.as_mut_ptr(), &mut len) == 1
        };
        if !ok {
            return Err(guard.fail("EVP_PKEY_derive", Error::MechanismParamInvalid));
        }
        if len != self.curve.len() {
            return Err(Error::general("ECDH: short shared secret"));
        }
        Ok(out)
    }
}

impl EcPublicKey {
    /// From an uncompressed SEC1 point, fully validated (SP 800-56A §5.6.2.3.3): coordinates
    /// in [0, p−1] and on the curve (`EC_POINT_oct2point`), not the point at infinity
    /// (`EC_KEY_check_key`; n·Q = O holds on these prime-order curves). `EC_KEY_check_fips`
    /// would do the same but counts as an approved key check on the indicator, which would
    /// blur what `ecdh` reports. Anything else is `AttributeValueInvalid`.
    pub(crate) fn from_point(curve: EcCurve, point: &[u8]) -> Result<EcPublicKey> {
        if point.len() != curve.point_len() || point[0] != 0x04 {
            return Err(Error::AttributeValueInvalid);
        }
        let key = new_key(curve)?;
        let guard = ErrGuard::new();
        // SAFETY: EC_POINT_new on the key's static group; null on allocation failure.
        let p = unsafe { EcPoint::from_raw(sys::EC_POINT_new(group(&key)), "EC_POINT_new")? };
        // SAFETY: `p` is ours and on the group; `point` is readable for its length;
        // oct2point rejects coordinates ≥ p and off-curve points; set_public_key copies the
        // point; check_key only reads the key.
        let ok = unsafe {
            sys::EC_POINT_oct2point(
                group(&key),
                p.as_ptr(),
                in_ptr(point),
                point.len(),
                std::ptr::null_mut(),
            ) == 1
                && sys::EC_KEY_set_public_key(key.as_ptr(), p.as_ptr()) == 1
                && sys::EC_KEY_check_key(key.as_ptr()) == 1
        };
        if !ok {
            return Err(guard.fail("EC public key", Error::AttributeValueInvalid));
        }
        let pkey = pkey_of(&key)?;
        Ok(EcPublicKey { key, pkey, curve })
    }

    pub(crate) fn curve(&self) -> EcCurve {
        self.curve
    }

    pub(crate) fn point(&self) -> Result<Vec<u8>> {
        point_bytes(&self.key, self.curve)
    }

    /// ECDSA verification of r‖s (each as wide as the order) over a caller's digest.
    pub(crate) fn verify_digest(&self, digest: &[u8], sig: &[u8]) -> Result<()> {
        let esig = sig_of(self.curve, sig)?;
        if digest.is_empty() {
            return Err(Error::DataLenRange);
        }
        let guard = ErrGuard::new();
        // SAFETY: `digest` is readable; `esig` and `self.key` are valid and only read.
        // ECDSA_do_verify rejects r or s outside [1, n−1]. 0 = invalid.
        let ok = unsafe {
            sys::ECDSA_do_verify(
                digest.as_ptr(),
                digest.len(),
                esig.as_ptr(),
                self.key.as_ptr(),
            )
        };
        if ok != 1 {
            return Err(guard.fail("ECDSA_do_verify", Error::SignatureInvalid));
        }
        Ok(())
    }

    /// ECDSA verification of r‖s with the hash computed inside the module
    /// (`EVP_DigestVerify`).
    pub(crate) fn verify_message(&self, hash: HashAlg, msg: &[u8], sig: &[u8]) -> Result<()> {
        let esig = sig_of(self.curve, sig)?;
        let guard = ErrGuard::new();
        let mut der: *mut u8 = std::ptr::null_mut();
        let mut len = 0usize;
        // SAFETY: `esig` is valid; on success AWS-LC allocates `der` (OPENSSL_malloc) with
        // `len` bytes, which we free below, once.
        if unsafe { sys::ECDSA_SIG_to_bytes(&mut der, &mut len, esig.as_ptr()) } != 1 {
            return Err(guard.fail("ECDSA_SIG_to_bytes", Error::general("ECDSA signature")));
        }
        // SAFETY: `der` holds `len` initialised bytes until freed; copied out at once.
        let bytes = unsafe { std::slice::from_raw_parts(der, len) }.to_vec();
        // SAFETY: `der` came from OPENSSL_malloc inside ECDSA_SIG_to_bytes and is not used
        // after this.
        unsafe { sys::OPENSSL_free(der.cast()) };
        digest_verify(&self.pkey, md(hash), &|_| true, msg, &bytes)
    }
}
