//! The PKCS#11 3.0 message-based functions. Message-based encryption and decryption
//! (AES-GCM, a message in one call or in parts with `C_*MessageBegin/Next`) are implemented;
//! message-based signing and verification return `CKR_FUNCTION_NOT_SUPPORTED` (no mechanism
//! here has `CKF_MESSAGE_SIGN`; listed in docs/pkcs11-coverage.md).

use super::{guard, m, not_supported, ptr};
use craton_hsm_core::crypto::Direction;
use craton_hsm_core::error::{Error, Result};
use craton_hsm_core::service::{GcmMessage, Sealed};
use craton_hsm_core::session::operation::Output;
use cryptoki_sys::*;

/// GCM's IV limit (PKCS#11 3.x `CK_GCM_PARAMS`) and tag limit (128 bits).
const MAX_IV: usize = 256;
const MAX_TAG: usize = 16;

/// A `CK_GCM_MESSAGE_PARAMS` read from the caller, with where its IV and tag live so a
/// generated IV and a computed tag can be written back.
struct CallerParams {
    params: GcmMessage,
    iv: *mut CK_BYTE,
    tag: *mut CK_BYTE,
}

/// Reads the per-message parameter; anything but a `CK_GCM_MESSAGE_PARAMS` with an IV of 1
/// to 256 bytes and a tag buffer of `ulTagBits` (at most 128) is `CKR_MECHANISM_PARAM_INVALID`.
/// The tag's bytes are read only for decryption.
///
/// # Safety
/// `p` must be NULL or point to `len` readable bytes; the IV and tag buffers it names must be
/// valid for their lengths.
unsafe fn read_params(p: CK_VOID_PTR, len: CK_ULONG, dir: Direction) -> Result<CallerParams> {
    if p.is_null() || len as usize != size_of::<CK_GCM_MESSAGE_PARAMS>() {
        return Err(Error::MechanismParamInvalid);
    }
    // SAFETY: non-NULL and exactly one structure long by the caller's contract; every field is
    // a pointer or a CK_ULONG (any bit pattern valid), read unaligned.
    let raw = unsafe { std::ptr::read_unaligned(p as *const CK_GCM_MESSAGE_PARAMS) };
    if raw.ulTagBits % 8 != 0 || raw.ulTagBits as usize > MAX_TAG * 8 || raw.pTag.is_null() {
        return Err(Error::MechanismParamInvalid);
    }
    let bad = Error::MechanismParamInvalid;
    // SAFETY: the IV buffer is readable for ulIvLen bytes by the caller's contract.
    let iv = unsafe { ptr::bytes_or(raw.pIv, raw.ulIvLen, MAX_IV, bad.clone()) }?;
    let tag_len = raw.ulTagBits / 8;
    let tag = match dir {
        // SAFETY: the tag buffer holds ulTagBits / 8 bytes by the caller's contract.
        Direction::Decrypt => unsafe { ptr::bytes_or(raw.pTag, tag_len, MAX_TAG, bad) }?,
        Direction::Encrypt => &[],
    };
    Ok(CallerParams {
        params: GcmMessage {
            iv: iv.to_vec(),
            iv_fixed_bits: raw.ulIvFixedBits as u64,
            generator: raw.ivGenerator,
            tag_bits: raw.ulTagBits as u64,
            tag: tag.to_vec(),
        },
        iv: raw.pIv,
        tag: raw.pTag,
    })
}

impl CallerParams {
    /// Writes the IV used and the tag into the caller's buffers.
    ///
    /// # Safety
    /// The buffers read by `read_params` must still be valid for writes.
    unsafe fn write_back(&self, sealed: &Sealed) -> Result<()> {
        // SAFETY: passed on from this function's contract.
        unsafe { self.write_iv(&sealed.iv)? };
        // SAFETY: passed on from this function's contract.
        unsafe { self.write_tag(&sealed.tag) }
    }

    /// Writes a generated IV into the caller's IV buffer. A caller's own IV (`CKG_NO_GENERATE`,
    /// and every decryption) is left alone: that buffer may be read-only.
    ///
    /// # Safety
    /// The IV buffer read by `read_params` must still be valid for writes.
    unsafe fn write_iv(&self, iv: &[u8]) -> Result<()> {
        if self.params.generator == CKG_NO_GENERATE {
            return Ok(());
        }
        if iv.len() != self.params.iv.len() {
            return Err(Error::general("message parameter lengths changed"));
        }
        if !iv.is_empty() {
            // SAFETY: the IV buffer held ulIvLen bytes when read; the caller keeps it valid.
            unsafe { ptr::bytes_mut(self.iv, iv.len() as CK_ULONG)? }.copy_from_slice(iv);
        }
        Ok(())
    }

    /// Writes the tag into the caller's tag buffer.
    ///
    /// # Safety
    /// The tag buffer read by `read_params` must still be valid for writes.
    unsafe fn write_tag(&self, tag: &[u8]) -> Result<()> {
        if tag.len() * 8 != self.params.tag_bits as usize {
            return Err(Error::general("message parameter lengths changed"));
        }
        // SAFETY: the tag buffer holds ulTagBits / 8 bytes by the caller's contract.
        unsafe { ptr::bytes_mut(self.tag, tag.len() as CK_ULONG)? }.copy_from_slice(tag);
        Ok(())
    }
}

fn init(
    name: &'static str,
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    key: CK_OBJECT_HANDLE,
    dir: Direction,
) -> CK_RV {
    guard(name, || {
        let module = m()?;
        // Only the mechanism type is used: each message brings its own parameter, so the one
        // some callers pass here (cryptoki passes a CK_GCM_MESSAGE_PARAMS) is not read.
        // SAFETY: the exported callers pass the caller's mechanism pointer on.
        let mech = unsafe { p_mechanism.as_ref() }.ok_or(Error::ArgumentsBad)?;
        module.message_init(h, mech.mechanism, key, dir)
    })
}

/// # Safety
/// `p_mechanism` must be NULL or a valid `CK_MECHANISM`.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageEncryptInit(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    init(
        "C_MessageEncryptInit",
        h,
        p_mechanism,
        h_key,
        Direction::Encrypt,
    )
}

/// # Safety
/// `p_mechanism` must be NULL or a valid `CK_MECHANISM`.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageDecryptInit(
    h: CK_SESSION_HANDLE,
    p_mechanism: CK_MECHANISM_PTR,
    h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    init(
        "C_MessageDecryptInit",
        h,
        p_mechanism,
        h_key,
        Direction::Decrypt,
    )
}

/// # Safety
/// The parameter must be a valid `CK_GCM_MESSAGE_PARAMS` whose IV and tag buffers are
/// writable; the other buffers NULL or valid for their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_EncryptMessage(
    h: CK_SESSION_HANDLE,
    p_parameter: CK_VOID_PTR,
    ul_parameter_len: CK_ULONG,
    p_associated_data: CK_BYTE_PTR,
    ul_associated_data_len: CK_ULONG,
    p_plaintext: CK_BYTE_PTR,
    ul_plaintext_len: CK_ULONG,
    p_ciphertext: CK_BYTE_PTR,
    pul_ciphertext_len: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_EncryptMessage", || {
        let module = m()?;
        // SAFETY: caller's contract, for each buffer.
        let params = unsafe { read_params(p_parameter, ul_parameter_len, Direction::Encrypt)? };
        // SAFETY: caller's contract.
        let aad = unsafe { ptr::bytes(p_associated_data, ul_associated_data_len)? };
        // SAFETY: caller's contract.
        let pt = unsafe { ptr::input(p_plaintext, ul_plaintext_len, Error::DataLenRange)? };
        let mut sealed = None;
        // SAFETY: caller's contract.
        unsafe {
            ptr::deliver(p_ciphertext, pul_ciphertext_len, |out| {
                let (o, s) = module.encrypt_message(h, &params.params, aad, pt, out)?;
                sealed = s;
                Ok(o)
            })?
        };
        match sealed {
            // SAFETY: the parameter's buffers are still the caller's.
            Some(s) => unsafe { params.write_back(&s) },
            None => Ok(()),
        }
    })
}

/// # Safety
/// The parameter must be a valid `CK_GCM_MESSAGE_PARAMS`; the other buffers NULL or valid for
/// their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DecryptMessage(
    h: CK_SESSION_HANDLE,
    p_parameter: CK_VOID_PTR,
    ul_parameter_len: CK_ULONG,
    p_associated_data: CK_BYTE_PTR,
    ul_associated_data_len: CK_ULONG,
    p_ciphertext: CK_BYTE_PTR,
    ul_ciphertext_len: CK_ULONG,
    p_plaintext: CK_BYTE_PTR,
    pul_plaintext_len: CK_ULONG_PTR,
) -> CK_RV {
    guard("C_DecryptMessage", || {
        let module = m()?;
        // SAFETY: caller's contract, for each buffer.
        let params = unsafe { read_params(p_parameter, ul_parameter_len, Direction::Decrypt)? };
        // SAFETY: caller's contract.
        let aad = unsafe { ptr::bytes(p_associated_data, ul_associated_data_len)? };
        // SAFETY: caller's contract.
        let ct = unsafe {
            ptr::input(
                p_ciphertext,
                ul_ciphertext_len,
                Error::EncryptedDataLenRange,
            )?
        };
        // SAFETY: caller's contract.
        unsafe {
            ptr::deliver(p_plaintext, pul_plaintext_len, |out| {
                module.decrypt_message(h, &params.params, aad, ct, out)
            })
        }
    })
}

/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageEncryptFinal(h: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_MessageEncryptFinal", || {
        m()?.message_final(h, Direction::Encrypt)
    })
}

/// # Safety
/// No pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageDecryptFinal(h: CK_SESSION_HANDLE) -> CK_RV {
    guard("C_MessageDecryptFinal", || {
        m()?.message_final(h, Direction::Decrypt)
    })
}

/// A `C_*MessageBegin`: the parameter and additional data start a message in parts; the IV it
/// is sealed under goes back into the parameter (a generated one, for encryption).
///
/// # Safety
/// As for the exported callers.
unsafe fn begin(
    name: &'static str,
    h: CK_SESSION_HANDLE,
    p_parameter: CK_VOID_PTR,
    ul_parameter_len: CK_ULONG,
    p_associated_data: CK_BYTE_PTR,
    ul_associated_data_len: CK_ULONG,
    dir: Direction,
) -> CK_RV {
    guard(name, || {
        let module = m()?;
        // SAFETY: caller's contract, for each buffer.
        let params = unsafe { read_params(p_parameter, ul_parameter_len, dir)? };
        // SAFETY: caller's contract.
        let aad = unsafe { ptr::bytes(p_associated_data, ul_associated_data_len)? };
        let iv = module.message_begin(h, dir, &params.params, aad)?;
        // SAFETY: the parameter's IV buffer is still the caller's.
        unsafe { params.write_iv(&iv) }
    })
}

/// A `C_*MessageNext`: one part in, what the cipher releases out; with `CKF_END_OF_MESSAGE`
/// the message ends (the tag written into the parameter, or checked against it).
///
/// # Safety
/// As for the exported callers.
#[allow(clippy::too_many_arguments)]
unsafe fn next(
    name: &'static str,
    h: CK_SESSION_HANDLE,
    p_parameter: CK_VOID_PTR,
    ul_parameter_len: CK_ULONG,
    p_input: CK_BYTE_PTR,
    ul_input_len: CK_ULONG,
    p_output: CK_BYTE_PTR,
    pul_output_len: CK_ULONG_PTR,
    flags: CK_FLAGS,
    dir: Direction,
) -> CK_RV {
    guard(name, || {
        let module = m()?;
        let part = || -> Result<()> {
            if flags & !CKF_END_OF_MESSAGE != 0 {
                return Err(Error::ArgumentsBad);
            }
            let end = flags & CKF_END_OF_MESSAGE != 0;
            // SAFETY: caller's contract, for each buffer.
            let params = unsafe { read_params(p_parameter, ul_parameter_len, dir)? };
            let too_long = match dir {
                Direction::Encrypt => Error::DataLenRange,
                Direction::Decrypt => Error::EncryptedDataLenRange,
            };
            // SAFETY: caller's contract.
            let input = unsafe { ptr::input(p_input, ul_input_len, too_long)? };
            let mut tag = None;
            // SAFETY: caller's contract.
            unsafe {
                ptr::deliver(p_output, pul_output_len, |out| {
                    let (o, t) = module.message_next(h, dir, input, &params.params, out, end)?;
                    tag = t;
                    Ok::<Output, Error>(o)
                })?
            };
            match tag {
                // SAFETY: the parameter's tag buffer is still the caller's.
                Some(t) => unsafe { params.write_tag(&t) },
                None => Ok(()),
            }
        };
        // PKCS#11 3.0: any error but a too-small buffer ends the message, including those
        // found here before the core runs (the core ends it for its own).
        let r = part();
        if let Err(e) = &r
            && *e != Error::BufferTooSmall
        {
            module.message_abort(h, dir, e.rv());
        }
        r
    })
}

/// # Safety
/// The parameter must be a valid `CK_GCM_MESSAGE_PARAMS` whose IV buffer is writable; the
/// additional data NULL or valid for its length.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_EncryptMessageBegin(
    h: CK_SESSION_HANDLE,
    p_parameter: CK_VOID_PTR,
    ul_parameter_len: CK_ULONG,
    p_associated_data: CK_BYTE_PTR,
    ul_associated_data_len: CK_ULONG,
) -> CK_RV {
    // SAFETY: the caller's contract, passed on.
    unsafe {
        begin(
            "C_EncryptMessageBegin",
            h,
            p_parameter,
            ul_parameter_len,
            p_associated_data,
            ul_associated_data_len,
            Direction::Encrypt,
        )
    }
}

/// # Safety
/// The parameter must be a valid `CK_GCM_MESSAGE_PARAMS` whose tag buffer is writable; the
/// other buffers NULL or valid for their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_EncryptMessageNext(
    h: CK_SESSION_HANDLE,
    p_parameter: CK_VOID_PTR,
    ul_parameter_len: CK_ULONG,
    p_plaintext_part: CK_BYTE_PTR,
    ul_plaintext_part_len: CK_ULONG,
    p_ciphertext_part: CK_BYTE_PTR,
    pul_ciphertext_part_len: CK_ULONG_PTR,
    flags: CK_FLAGS,
) -> CK_RV {
    // SAFETY: the caller's contract, passed on.
    unsafe {
        next(
            "C_EncryptMessageNext",
            h,
            p_parameter,
            ul_parameter_len,
            p_plaintext_part,
            ul_plaintext_part_len,
            p_ciphertext_part,
            pul_ciphertext_part_len,
            flags,
            Direction::Encrypt,
        )
    }
}

/// # Safety
/// The parameter must be a valid `CK_GCM_MESSAGE_PARAMS`; the additional data NULL or valid
/// for its length.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DecryptMessageBegin(
    h: CK_SESSION_HANDLE,
    p_parameter: CK_VOID_PTR,
    ul_parameter_len: CK_ULONG,
    p_associated_data: CK_BYTE_PTR,
    ul_associated_data_len: CK_ULONG,
) -> CK_RV {
    // SAFETY: the caller's contract, passed on.
    unsafe {
        begin(
            "C_DecryptMessageBegin",
            h,
            p_parameter,
            ul_parameter_len,
            p_associated_data,
            ul_associated_data_len,
            Direction::Decrypt,
        )
    }
}

/// # Safety
/// The parameter must be a valid `CK_GCM_MESSAGE_PARAMS` whose tag buffer holds the tag (read
/// with the last part); the other buffers NULL or valid for their stated lengths.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_DecryptMessageNext(
    h: CK_SESSION_HANDLE,
    p_parameter: CK_VOID_PTR,
    ul_parameter_len: CK_ULONG,
    p_ciphertext_part: CK_BYTE_PTR,
    ul_ciphertext_part_len: CK_ULONG,
    p_plaintext_part: CK_BYTE_PTR,
    pul_plaintext_part_len: CK_ULONG_PTR,
    flags: CK_FLAGS,
) -> CK_RV {
    // SAFETY: the caller's contract, passed on.
    unsafe {
        next(
            "C_DecryptMessageNext",
            h,
            p_parameter,
            ul_parameter_len,
            p_ciphertext_part,
            ul_ciphertext_part_len,
            p_plaintext_part,
            pul_plaintext_part_len,
            flags,
            Direction::Decrypt,
        )
    }
}
/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageSignInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    not_supported("C_MessageSignInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignMessage(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
    _p_signature: CK_BYTE_PTR,
    _pul_signature_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_SignMessage")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignMessageBegin(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_SignMessageBegin")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_SignMessageNext(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
    _p_signature: CK_BYTE_PTR,
    _pul_signature_len: CK_ULONG_PTR,
) -> CK_RV {
    not_supported("C_SignMessageNext")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageSignFinal(_h: CK_SESSION_HANDLE) -> CK_RV {
    not_supported("C_MessageSignFinal")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageVerifyInit(
    _h: CK_SESSION_HANDLE,
    _p_mechanism: CK_MECHANISM_PTR,
    _h_key: CK_OBJECT_HANDLE,
) -> CK_RV {
    not_supported("C_MessageVerifyInit")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyMessage(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
    _p_signature: CK_BYTE_PTR,
    _ul_signature_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_VerifyMessage")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyMessageBegin(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_VerifyMessageBegin")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_VerifyMessageNext(
    _h: CK_SESSION_HANDLE,
    _p_parameter: CK_VOID_PTR,
    _ul_parameter_len: CK_ULONG,
    _p_data: CK_BYTE_PTR,
    _ul_data_len: CK_ULONG,
    _p_signature: CK_BYTE_PTR,
    _ul_signature_len: CK_ULONG,
) -> CK_RV {
    not_supported("C_VerifyMessageNext")
}

/// # Safety
/// Not implemented; no pointer is read.
#[unsafe(no_mangle)]
pub(crate) unsafe extern "C" fn C_MessageVerifyFinal(_h: CK_SESSION_HANDLE) -> CK_RV {
    not_supported("C_MessageVerifyFinal")
}
