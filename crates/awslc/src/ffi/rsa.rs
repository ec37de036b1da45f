//! RSA: keys from parts or generated (1024..=8192 bits), PKCS#1 v1.5 over caller bytes, PSS
//! over a digest with any salt and MGF1 hash, raw RSA (`CKM_RSA_X_509`), OAEP with any hash,
//! MGF1 hash and label, and PKCS#1 v1.5 encryption.

use super::digest::md;
use super::err::ErrGuard;
use super::handle::{Bn, Pkey, PkeyCtx, Rsa, bn_to_vec};
use super::sign::{digest_sign, digest_verify};
use super::{c_int, in_ptr, sys};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::key::strip_leading_zeros;
use craton_hsm_crypto::{HashAlg, RsaPrivateParts, RsaPublicParts};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Key sizes this wrapper generates, in multiples of 128 (as AWS-LC's generator builds them):
/// FIPS 186-5 §5.1's 2048 bits and up, to 8192; below that, down to 1024, only for the core's
/// `allow_weak_rsa` outside approved mode (never through the FIPS generator).
const GEN_BITS: std::ops::RangeInclusive<usize> = 1024..=8192;
/// The smallest key the FIPS generator makes (FIPS 186-5 §5.1).
const FIPS_GEN_MIN_BITS: usize = 2048;
/// PKCS#1 v1.5 padding overhead (RFC 8017 §8.2.1, §9.2).
const PKCS1_OVERHEAD: usize = 11;

/// PSS parameters (`CK_RSA_PKCS_PSS_PARAMS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PssParams {
    pub(crate) hash: HashAlg,
    pub(crate) mgf1_hash: HashAlg,
    pub(crate) salt_len: usize,
}

/// OAEP parameters (`CK_RSA_PKCS_OAEP_PARAMS`; the label is `pSourceData`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OaepParams {
    pub(crate) hash: HashAlg,
    pub(crate) mgf1_hash: HashAlg,
    pub(crate) label: Vec<u8>,
}

/// An RSA private key.
pub(crate) struct RsaPrivateKey {
    rsa: Rsa,
    pkey: Pkey,
}

/// An RSA public key.
pub(crate) struct RsaPublicKey {
    rsa: Rsa,
    pkey: Pkey,
}

/// An `EVP_PKEY` holding its own reference to `rsa` (for the OAEP calls, which AWS-LC offers
/// through `EVP_PKEY_CTX` only).
fn pkey_of(rsa: &Rsa) -> Result<Pkey> {
    let guard = ErrGuard::new();
    // SAFETY: EVP_PKEY_new takes no arguments; null on allocation failure; `from_raw` takes
    // over its one reference.
    let pkey = unsafe { Pkey::from_raw(sys::EVP_PKEY_new(), "EVP_PKEY_new")? };
    // SAFETY: both objects are valid and owned by us; set1 takes a new counted reference to the
    // RSA (our `Rsa` keeps its own), so each owner frees exactly its own reference.
    if unsafe { sys::EVP_PKEY_set1_RSA(pkey.as_ptr(), rsa.as_ptr()) } != 1 {
        return Err(guard.fail("EVP_PKEY_set1_RSA", Error::general("EVP_PKEY_set1_RSA")));
    }
    Ok(pkey)
}

/// Size of the modulus in bytes (`k` in RFC 8017).
fn size(rsa: &Rsa) -> usize {
    // SAFETY: `rsa` is a valid key we own; RSA_size only reads `n`.
    unsafe { sys::RSA_size(rsa.as_ptr()) as usize }
}

fn bits(rsa: &Rsa) -> usize {
    // SAFETY: as in `size`.
    unsafe { sys::RSA_bits(rsa.as_ptr()) as usize }
}

/// `data` left-padded with zeros to `k` bytes (how `CKM_RSA_X_509` treats short input).
fn left_pad(data: &[u8], k: usize) -> Result<Zeroizing<Vec<u8>>> {
    if data.len() > k {
        return Err(Error::DataLenRange);
    }
    let mut block = Zeroizing::new(vec![0u8; k]);
    block[k - data.len()..].copy_from_slice(data);
    Ok(block)
}

/// The RSA primitive with `padding` through one of AWS-LC's four raw entry points
/// (`RSA_sign_raw`, `RSA_verify_raw`, `RSA_encrypt`, `RSA_decrypt`, which share a signature).
/// A value ≥ n is reported as `too_large`; any other failure as `failed`.
type RawFn = unsafe extern "C" fn(
    *mut sys::RSA,
    *mut usize,
    *mut u8,
    usize,
    *const u8,
    usize,
    std::os::raw::c_int,
) -> std::os::raw::c_int;

fn raw_call(
    rsa: &Rsa,
    f: RawFn,
    what: &str,
    input: &[u8],
    padding: i32,
    too_large: Error,
    failed: Error,
) -> Result<Zeroizing<Vec<u8>>> {
    let guard = ErrGuard::new();
    let k = size(rsa);
    let mut out = Zeroizing::new(vec![0u8; k]);
    let mut len = 0usize;
    // These entry points do not mutate the key (rsa.h "Encryption / Decryption", "Signing /
    // Verification"); failure is a 0 return.
    // SAFETY: `rsa` is a valid key we own; `out` has room for `k` = RSA_size bytes, the most
    // any of them writes; `len` is a valid out-parameter; `input` is readable for its length.
    let ok = unsafe {
        f(
            rsa.as_ptr(),
            &mut len,
            out.as_mut_ptr(),
            k,
            in_ptr(input),
            input.len(),
            padding,
        )
    };
    if ok != 1 {
        if guard.is(sys::ERR_LIB_RSA, sys::RSA_R_DATA_TOO_LARGE_FOR_MODULUS) {
            return Err(too_large);
        }
        return Err(guard.fail(what, failed));
    }
    out.truncate(len);
    Ok(out)
}

/// An OAEP `EVP_PKEY_CTX` for `pkey`, set up for encryption or decryption with `params`.
fn oaep_ctx(pkey: &Pkey, params: &OaepParams, encrypt: bool) -> Result<PkeyCtx> {
    let guard = ErrGuard::new();
    // SAFETY: `pkey` is valid; the new context takes its own reference to it; null on
    // allocation failure; `from_raw` takes over the context's one reference.
    let ctx = unsafe {
        PkeyCtx::from_raw(
            sys::EVP_PKEY_CTX_new(pkey.as_ptr(), std::ptr::null_mut()),
            "EVP_PKEY_CTX_new",
        )?
    };
    let c = ctx.as_ptr();
    // SAFETY: `c` is the fresh context above; the EVP_MD pointers are static. Each call
    // returns 1 on success.
    let ok = unsafe {
        (if encrypt {
            sys::EVP_PKEY_encrypt_init(c)
        } else {
            sys::EVP_PKEY_decrypt_init(c)
        }) == 1
            && sys::EVP_PKEY_CTX_set_rsa_padding(c, sys::RSA_PKCS1_OAEP_PADDING) == 1
            && sys::EVP_PKEY_CTX_set_rsa_oaep_md(c, md(params.hash)) == 1
            && sys::EVP_PKEY_CTX_set_rsa_mgf1_md(c, md(params.mgf1_hash)) == 1
    };
    if !ok {
        return Err(guard.fail("OAEP setup", Error::MechanismParamInvalid));
    }
    if !params.label.is_empty() {
        // AWS-LC takes ownership of the label buffer, which must come from OPENSSL_malloc.
        // SAFETY: OPENSSL_malloc returns null or a buffer of `len` bytes we own until set0.
        let buf = unsafe { sys::OPENSSL_malloc(params.label.len()) }.cast::<u8>();
        if buf.is_null() {
            return Err(super::err::alloc("OPENSSL_malloc"));
        }
        // SAFETY: `buf` has `label.len()` bytes and does not overlap the label.
        unsafe {
            std::ptr::copy_nonoverlapping(params.label.as_ptr(), buf, params.label.len());
        }
        // SAFETY: on success the context owns `buf` (freed with the context); on failure it is
        // still ours and freed here.
        if unsafe { sys::EVP_PKEY_CTX_set0_rsa_oaep_label(c, buf, params.label.len()) } != 1 {
            // SAFETY: `buf` came from OPENSSL_malloc and set0 did not take it.
            unsafe { sys::OPENSSL_free(buf.cast()) };
            return Err(guard.fail("OAEP label", Error::MechanismParamInvalid));
        }
    }
    Ok(ctx)
}

/// OAEP capacity: the longest message for a `k`-byte modulus (RFC 8017 §7.1.1), `None` when the
/// hash is too big for the key at all.
fn oaep_max(k: usize, hash: HashAlg) -> Option<usize> {
    k.checked_sub(2 * hash.output_len() + 2)
}

/// PSS fits when hLen + sLen + 2 ≤ emLen, emLen = ⌈(modBits − 1)/8⌉ (RFC 8017 §9.1.1).
fn check_pss_params(bits: usize, p: &PssParams) -> Result<std::os::raw::c_int> {
    let em_len = (bits - 1).div_ceil(8);
    if p.hash.output_len() + p.salt_len + 2 > em_len {
        return Err(Error::MechanismParamInvalid);
    }
    c_int(p.salt_len).map_err(|_| Error::MechanismParamInvalid)
}

/// As `check_pss_params`, for a digest the caller computed.
fn check_pss(bits: usize, digest: &[u8], p: &PssParams) -> Result<std::os::raw::c_int> {
    if digest.len() != p.hash.output_len() {
        return Err(Error::DataLenRange);
    }
    check_pss_params(bits, p)
}

/// `EVP_PKEY_CTX` set-up for PKCS#1 v1.5 inside `EVP_DigestSign`/`Verify`.
fn pkcs1_setup(pctx: *mut sys::EVP_PKEY_CTX) -> bool {
    // SAFETY: `pctx` is the live context `sign::init` hands over (owned by its EVP_MD_CTX).
    unsafe { sys::EVP_PKEY_CTX_set_rsa_padding(pctx, sys::RSA_PKCS1_PADDING) == 1 }
}

/// `EVP_PKEY_CTX` set-up for PSS with `p` (salt already checked and converted).
fn pss_setup(pctx: *mut sys::EVP_PKEY_CTX, p: &PssParams, salt: std::os::raw::c_int) -> bool {
    // SAFETY: `pctx` is the live context `sign::init` hands over; the EVP_MD is static.
    unsafe {
        sys::EVP_PKEY_CTX_set_rsa_padding(pctx, sys::RSA_PKCS1_PSS_PADDING) == 1
            && sys::EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, salt) == 1
            && sys::EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, md(p.mgf1_hash)) == 1
    }
}

impl RsaPrivateKey {
    /// From PKCS#11 attributes: the full CRT set, or n, e, d only (when p is absent). AWS-LC
    /// runs `RSA_check_key` on them; an inconsistent set is `AttributeValueInvalid`.
    pub(crate) fn from_parts(parts: &RsaPrivateParts) -> Result<RsaPrivateKey> {
        let n = Bn::from_be(&parts.n)?;
        let e = Bn::from_be(&parts.e)?;
        let d = Bn::from_be(&parts.d)?;
        let crt = [&parts.p, &parts.q, &parts.dp, &parts.dq, &parts.qinv];
        let guard = ErrGuard::new();
        let ptr = if crt.iter().all(|v| v.is_empty()) {
            // SAFETY: the three BIGNUMs are valid and only read (AWS-LC copies them); the
            // result is a new key or null (invalid key or allocation failure).
            unsafe { sys::RSA_new_private_key_no_crt(n.as_ptr(), e.as_ptr(), d.as_ptr()) }
        } else if crt.iter().any(|v| v.is_empty()) {
            return Err(Error::TemplateIncomplete);
        } else {
            let [p, q, dp, dq, qinv] = crt.map(|v| Bn::from_be(v));
            let (p, q, dp, dq, qinv) = (p?, q?, dp?, dq?, qinv?);
            // SAFETY: as above, with all eight BIGNUMs valid and only read.
            unsafe {
                sys::RSA_new_private_key(
                    n.as_ptr(),
                    e.as_ptr(),
                    d.as_ptr(),
                    p.as_ptr(),
                    q.as_ptr(),
                    dp.as_ptr(),
                    dq.as_ptr(),
                    qinv.as_ptr(),
                )
            }
        };
        if ptr.is_null() {
            return Err(guard.fail("RSA_new_private_key", Error::AttributeValueInvalid));
        }
        // SAFETY: `ptr` is the new, non-null key just returned; its one reference is ours.
        let rsa = unsafe { Rsa::from_raw(ptr, "RSA_new_private_key")? };
        let pkey = pkey_of(&rsa)?;
        Ok(RsaPrivateKey { rsa, pkey })
    }

    /// A new key of `bits` bits and public exponent `e` (big-endian). e = 65537 with 2048 bits
    /// or more runs AWS-LC's FIPS generator (`RSA_generate_key_fips`, counted approved);
    /// another odd e with 2^16 < e < 2^32 (FIPS 186-5 §A.1.1) runs `RSA_generate_key_ex`
    /// followed by `RSA_check_fips` (not counted approved), and a key under 2048 bits
    /// `RSA_generate_key_ex` followed by `RSA_check_key` (`RSA_check_fips` refuses its size).
    /// A pairwise-test failure inside the FIPS generator aborts the process (the module's
    /// error state).
    pub(crate) fn generate(bits: usize, e: &[u8]) -> Result<RsaPrivateKey> {
        if !GEN_BITS.contains(&bits) || !bits.is_multiple_of(128) {
            return Err(Error::KeySizeRange);
        }
        let e_bytes = strip_leading_zeros(e);
        if e_bytes.len() > 4 {
            return Err(Error::TemplateInconsistent);
        }
        let e_val = e_bytes
            .iter()
            .fold(0u64, |acc, b| (acc << 8) | u64::from(*b));
        let weak = bits < FIPS_GEN_MIN_BITS;
        let fips = e_val == 65537 && !weak;
        if e_val != 65537 && (e_val % 2 == 0 || e_val <= 1 << 16 || e_val >= 1 << 32) {
            return Err(Error::TemplateInconsistent);
        }
        let bits_c = c_int(bits)?;
        let guard = ErrGuard::new();
        // SAFETY: RSA_new takes no arguments; null on allocation failure; `from_raw` takes over.
        let rsa = unsafe { Rsa::from_raw(sys::RSA_new(), "RSA_new")? };
        let ok = if fips {
            // SAFETY: `rsa` is a fresh empty key we own; no progress callback.
            unsafe { sys::RSA_generate_key_fips(rsa.as_ptr(), bits_c, std::ptr::null_mut()) }
        } else {
            let e_bn = Bn::from_be(e_bytes)?;
            // SAFETY: `rsa` is fresh and ours; `e_bn` is valid and only read (copied); no
            // callback. Then RSA_check_fips or RSA_check_key only reads the generated key.
            unsafe {
                (sys::RSA_generate_key_ex(
                    rsa.as_ptr(),
                    bits_c,
                    e_bn.as_ptr(),
                    std::ptr::null_mut(),
                ) == 1
                    && if weak {
                        sys::RSA_check_key(rsa.as_ptr()) == 1
                    } else {
                        sys::RSA_check_fips(rsa.as_ptr()) == 1
                    }) as std::os::raw::c_int
            }
        };
        if ok != 1 {
            return Err(guard.fail("RSA key generation", Error::general("RSA key generation")));
        }
        let pkey = pkey_of(&rsa)?;
        Ok(RsaPrivateKey { rsa, pkey })
    }

    /// The key's components as PKCS#11 attributes carry them (minimal big-endian); the CRT
    /// fields are empty for a key built from n, e, d only.
    pub(crate) fn parts(&self) -> RsaPrivateParts {
        let mut ptrs: [*const sys::BIGNUM; 8] = [std::ptr::null(); 8];
        let [n, e, d, p, q, dp, dq, qinv] = &mut ptrs;
        // SAFETY: `self.rsa` is valid; the get0 calls write borrowed pointers (or null for an
        // absent component) that stay valid while `self` lives and is not mutated.
        unsafe {
            sys::RSA_get0_key(self.rsa.as_ptr(), n, e, d);
            sys::RSA_get0_factors(self.rsa.as_ptr(), p, q);
            sys::RSA_get0_crt_params(self.rsa.as_ptr(), dp, dq, qinv);
        }
        let get = |bn: *const sys::BIGNUM| -> Vec<u8> {
            if bn.is_null() {
                Vec::new()
            } else {
                // SAFETY: `bn` is a borrowed component of `self.rsa`, alive for this call.
                std::mem::take(&mut *unsafe { bn_to_vec(bn) })
            }
        };
        RsaPrivateParts {
            n: get(ptrs[0]),
            e: get(ptrs[1]),
            d: get(ptrs[2]),
            p: get(ptrs[3]),
            q: get(ptrs[4]),
            dp: get(ptrs[5]),
            dq: get(ptrs[6]),
            qinv: get(ptrs[7]),
        }
    }

    pub(crate) fn public_key(&self) -> Result<RsaPublicKey> {
        RsaPublicKey::from_parts(&self.parts().public())
    }

    pub(crate) fn bits(&self) -> usize {
        bits(&self.rsa)
    }

    /// RSASSA-PKCS1-v1_5 with the hash computed inside the module (`EVP_DigestSign`, which
    /// AWS-LC counts approved for SHA-2 and SHA-3 with keys of 2048 bits or more).
    pub(crate) fn sign_pkcs1_message(&self, hash: HashAlg, msg: &[u8]) -> Result<Vec<u8>> {
        digest_sign(&self.pkey, md(hash), &pkcs1_setup, msg, size(&self.rsa))
    }

    /// RSASSA-PSS with the hash computed inside the module (`EVP_DigestSign`; counted
    /// approved only with salt = hash length and MGF1 over the message hash).
    pub(crate) fn sign_pss_message(&self, msg: &[u8], params: &PssParams) -> Result<Vec<u8>> {
        let salt = check_pss_params(self.bits(), params)?;
        let setup = |pctx| pss_setup(pctx, params, salt);
        digest_sign(&self.pkey, md(params.hash), &setup, msg, size(&self.rsa))
    }

    /// `CKM_RSA_PKCS` signing: EMSA-PKCS1-v1_5 padding (type 1) over the caller's bytes (a
    /// DigestInfo, or anything up to k − 11 bytes), then the private-key operation.
    pub(crate) fn sign_pkcs1(&self, data: &[u8]) -> Result<Vec<u8>> {
        if data.len() + PKCS1_OVERHEAD > size(&self.rsa) {
            return Err(Error::DataLenRange);
        }
        let sig = raw_call(
            &self.rsa,
            sys::RSA_sign_raw,
            "RSA_sign_raw",
            data,
            sys::RSA_PKCS1_PADDING,
            Error::DataLenRange,
            Error::general("RSA PKCS#1 v1.5 sign"),
        )?;
        Ok(sig.to_vec())
    }

    /// RSASSA-PSS over a precomputed digest of `params.hash`, any MGF1 hash and any salt length
    /// that fits the key (0 included).
    pub(crate) fn sign_pss(&self, digest: &[u8], params: &PssParams) -> Result<Vec<u8>> {
        let salt = check_pss(self.bits(), digest, params)?;
        let guard = ErrGuard::new();
        let k = size(&self.rsa);
        let mut out = vec![0u8; k];
        let mut len = 0usize;
        // SAFETY: `self.rsa` is a valid private key (non-mutating call); `out` has room for
        // RSA_size bytes; `digest` is readable for its length; EVP_MDs are static. 0 = failure.
        let ok = unsafe {
            sys::RSA_sign_pss_mgf1(
                self.rsa.as_ptr(),
                &mut len,
                out.as_mut_ptr(),
                k,
                digest.as_ptr(),
                digest.len(),
                md(params.hash),
                md(params.mgf1_hash),
                salt,
            )
        };
        if ok != 1 {
            return Err(guard.fail("RSA_sign_pss_mgf1", Error::general("RSA PSS sign")));
        }
        out.truncate(len);
        Ok(out)
    }

    /// `CKM_RSA_X_509` signing: the private-key operation on the input left-padded to k bytes;
    /// a value ≥ n is `DataInvalid`. The output is k bytes.
    pub(crate) fn sign_raw(&self, data: &[u8]) -> Result<Vec<u8>> {
        let block = left_pad(data, size(&self.rsa))?;
        let sig = raw_call(
            &self.rsa,
            sys::RSA_sign_raw,
            "RSA_sign_raw",
            &block,
            sys::RSA_NO_PADDING,
            Error::DataInvalid,
            Error::general("raw RSA sign"),
        )?;
        Ok(sig.to_vec())
    }

    /// `CKM_RSA_X_509` decryption: the private-key operation on a k-byte ciphertext; the
    /// output is k bytes.
    pub(crate) fn decrypt_raw(&self, ct: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if ct.len() != size(&self.rsa) {
            return Err(Error::EncryptedDataLenRange);
        }
        raw_call(
            &self.rsa,
            sys::RSA_decrypt,
            "RSA_decrypt",
            ct,
            sys::RSA_NO_PADDING,
            Error::EncryptedDataInvalid,
            Error::general("raw RSA decrypt"),
        )
    }

    /// RSAES-PKCS1-v1_5 decryption. A padding failure is `EncryptedDataInvalid`: that
    /// difference is a Bleichenbacher oracle unless the caller hides it.
    pub(crate) fn decrypt_pkcs1(&self, ct: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if ct.len() != size(&self.rsa) {
            return Err(Error::EncryptedDataLenRange);
        }
        raw_call(
            &self.rsa,
            sys::RSA_decrypt,
            "RSA_decrypt",
            ct,
            sys::RSA_PKCS1_PADDING,
            Error::EncryptedDataInvalid,
            Error::EncryptedDataInvalid,
        )
    }

    /// RSAES-OAEP decryption with any hash, MGF1 hash and label.
    pub(crate) fn decrypt_oaep(
        &self,
        ct: &[u8],
        params: &OaepParams,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let k = size(&self.rsa);
        if ct.len() != k {
            return Err(Error::EncryptedDataLenRange);
        }
        if oaep_max(k, params.hash).is_none() {
            return Err(Error::MechanismParamInvalid);
        }
        let ctx = oaep_ctx(&self.pkey, params, false)?;
        let guard = ErrGuard::new();
        let mut out = Zeroizing::new(vec![0u8; k]);
        let mut len = k;
        // SAFETY: `ctx` is a decrypt-initialised context we own; `out` has `len` = k bytes of
        // room (the most OAEP can return); `ct` is readable. 0 = failure.
        let ok = unsafe {
            sys::EVP_PKEY_decrypt(
                ctx.as_ptr(),
                out.as_mut_ptr(),
                &mut len,
                ct.as_ptr(),
                ct.len(),
            )
        };
        if ok != 1 {
            return Err(guard.fail("EVP_PKEY_decrypt", Error::EncryptedDataInvalid));
        }
        out.truncate(len);
        Ok(out)
    }
}

impl RsaPublicKey {
    /// From n and e. AWS-LC checks them (`RSA_check_key` on a public key: sizes and e odd).
    pub(crate) fn from_parts(parts: &RsaPublicParts) -> Result<RsaPublicKey> {
        let n = Bn::from_be(&parts.n)?;
        let e = Bn::from_be(&parts.e)?;
        let guard = ErrGuard::new();
        // SAFETY: both BIGNUMs are valid and only read (copied); null = invalid or no memory.
        let ptr = unsafe { sys::RSA_new_public_key(n.as_ptr(), e.as_ptr()) };
        if ptr.is_null() {
            return Err(guard.fail("RSA_new_public_key", Error::AttributeValueInvalid));
        }
        // SAFETY: `ptr` is the new non-null key; its one reference is ours.
        let rsa = unsafe { Rsa::from_raw(ptr, "RSA_new_public_key")? };
        let pkey = pkey_of(&rsa)?;
        Ok(RsaPublicKey { rsa, pkey })
    }

    pub(crate) fn bits(&self) -> usize {
        bits(&self.rsa)
    }

    fn check_sig_len(&self, sig: &[u8]) -> Result<()> {
        if sig.len() != size(&self.rsa) {
            return Err(Error::SignatureLenRange);
        }
        Ok(())
    }

    /// RSASSA-PKCS1-v1_5 verification with the hash computed inside the module.
    pub(crate) fn verify_pkcs1_message(&self, hash: HashAlg, msg: &[u8], sig: &[u8]) -> Result<()> {
        self.check_sig_len(sig)?;
        digest_verify(&self.pkey, md(hash), &pkcs1_setup, msg, sig)
    }

    /// RSASSA-PSS verification with the hash computed inside the module.
    pub(crate) fn verify_pss_message(
        &self,
        msg: &[u8],
        sig: &[u8],
        params: &PssParams,
    ) -> Result<()> {
        let salt = check_pss_params(self.bits(), params)?;
        self.check_sig_len(sig)?;
        let setup = |pctx| pss_setup(pctx, params, salt);
        digest_verify(&self.pkey, md(params.hash), &setup, msg, sig)
    }

    /// `CKM_RSA_PKCS` verification: the recovered EMSA-PKCS1-v1_5 payload must equal `data`.
    pub(crate) fn verify_pkcs1(&self, data: &[u8], sig: &[u8]) -> Result<()> {
        self.check_sig_len(sig)?;
        let recovered = raw_call(
            &self.rsa,
            sys::RSA_verify_raw,
            "RSA_verify_raw",
            sig,
            sys::RSA_PKCS1_PADDING,
            Error::SignatureInvalid,
            Error::SignatureInvalid,
        )?;
        if recovered.len() == data.len() && bool::from(recovered.ct_eq(data)) {
            Ok(())
        } else {
            Err(Error::SignatureInvalid)
        }
    }

    /// RSASSA-PSS verification of a digest of `params.hash`.
    pub(crate) fn verify_pss(&self, digest: &[u8], sig: &[u8], params: &PssParams) -> Result<()> {
        let salt = check_pss(self.bits(), digest, params)?;
        self.check_sig_len(sig)?;
        let guard = ErrGuard::new();
        // SAFETY: `self.rsa` is valid (non-mutating call); `digest` and `sig` are readable for
        // their lengths; EVP_MDs are static. 0 = bad signature (or no memory).
        let ok = unsafe {
            sys::RSA_verify_pss_mgf1(
                self.rsa.as_ptr(),
                digest.as_ptr(),
                digest.len(),
                md(params.hash),
                md(params.mgf1_hash),
                salt,
                sig.as_ptr(),
                sig.len(),
            )
        };
        if ok != 1 {
            return Err(guard.fail("RSA_verify_pss_mgf1", Error::SignatureInvalid));
        }
        Ok(())
    }

    /// `CKM_RSA_X_509` verify-recover: the public-key operation, k bytes out.
    pub(crate) fn recover_raw(&self, sig: &[u8]) -> Result<Vec<u8>> {
        self.check_sig_len(sig)?;
        let block = raw_call(
            &self.rsa,
            sys::RSA_verify_raw,
            "RSA_verify_raw",
            sig,
            sys::RSA_NO_PADDING,
            Error::SignatureInvalid,
            Error::SignatureInvalid,
        )?;
        Ok(block.to_vec())
    }

    /// `CKM_RSA_X_509` verification: the recovered block must equal `data` left-padded to k.
    pub(crate) fn verify_raw(&self, data: &[u8], sig: &[u8]) -> Result<()> {
        let expected = left_pad(data, size(&self.rsa))?;
        let block = self.recover_raw(sig)?;
        if bool::from(block.ct_eq(&expected)) {
            Ok(())
        } else {
            Err(Error::SignatureInvalid)
        }
    }

    /// `CKM_RSA_X_509` encryption: the public-key operation on the input left-padded to k.
    pub(crate) fn encrypt_raw(&self, data: &[u8]) -> Result<Vec<u8>> {
        let block = left_pad(data, size(&self.rsa))?;
        let ct = raw_call(
            &self.rsa,
            sys::RSA_encrypt,
            "RSA_encrypt",
            &block,
            sys::RSA_NO_PADDING,
            Error::DataInvalid,
            Error::general("raw RSA encrypt"),
        )?;
        Ok(ct.to_vec())
    }

    /// RSAES-PKCS1-v1_5 encryption of up to k − 11 bytes.
    pub(crate) fn encrypt_pkcs1(&self, data: &[u8]) -> Result<Vec<u8>> {
        if data.len() + PKCS1_OVERHEAD > size(&self.rsa) {
            return Err(Error::DataLenRange);
        }
        let ct = raw_call(
            &self.rsa,
            sys::RSA_encrypt,
            "RSA_encrypt",
            data,
            sys::RSA_PKCS1_PADDING,
            Error::DataLenRange,
            Error::general("RSA PKCS#1 v1.5 encrypt"),
        )?;
        Ok(ct.to_vec())
    }

    /// RSAES-OAEP encryption with any hash, MGF1 hash and label.
    pub(crate) fn encrypt_oaep(&self, data: &[u8], params: &OaepParams) -> Result<Vec<u8>> {
        let k = size(&self.rsa);
        match oaep_max(k, params.hash) {
            None => return Err(Error::MechanismParamInvalid),
            Some(max) if data.len() > max => return Err(Error::DataLenRange),
            Some(_) => {}
        }
        let ctx = oaep_ctx(&self.pkey, params, true)?;
        let guard = ErrGuard::new();
        let mut out = vec![0u8; k];
        let mut len = k;
        // SAFETY: `ctx` is an encrypt-initialised context we own; `out` has `len` = k bytes of
        // room (an OAEP ciphertext is k bytes); `data` is readable. 0 = failure.
        let ok = unsafe {
            sys::EVP_PKEY_encrypt(
                ctx.as_ptr(),
                out.as_mut_ptr(),
                &mut len,
                in_ptr(data),
                data.len(),
            )
        };
        if ok != 1 {
            return Err(guard.fail("EVP_PKEY_encrypt", Error::general("OAEP encrypt")));
        }
        out.truncate(len);
        Ok(out)
    }
}
