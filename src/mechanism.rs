//! `CK_MECHANISM` to a typed `Mechanism`, reading the parameter structure its type names.

use super::ptr;
use craton_hsm_core::error::{Error, Result};
use craton_hsm_core::limits::MAX_PARAM_LEN;
use craton_hsm_core::mechanism::{Mechanism, Params};
use cryptoki_sys::*;
use std::mem::size_of;

/// Reads a parameter structure of exactly `size_of::<T>()` bytes.
///
/// # Safety
/// `m.pParameter` must be NULL or point to `m.ulParameterLen` readable bytes.
unsafe fn param<T: Copy>(m: &CK_MECHANISM) -> Result<T> {
    if m.pParameter.is_null() || m.ulParameterLen as usize != size_of::<T>() {
        return Err(Error::MechanismParamInvalid);
    }
    // SAFETY: non-NULL, the right size, and readable by the caller's contract; the read is
    // unaligned-safe.
    Ok(unsafe { std::ptr::read_unaligned(m.pParameter as *const T) })
}

/// A buffer inside a parameter structure, at most `MAX_PARAM_LEN` bytes; a bad pointer or
/// length is a bad parameter, decided before anything is read or allocated.
///
/// # Safety
/// `p` must be NULL or point to `len` readable bytes.
unsafe fn buf(p: *const CK_BYTE, len: CK_ULONG) -> Result<Vec<u8>> {
    // SAFETY: caller's contract.
    unsafe { ptr::bytes_or(p, len, MAX_PARAM_LEN, Error::MechanismParamInvalid) }
        .map(<[u8]>::to_vec)
        .map_err(|_| Error::MechanismParamInvalid)
}

/// Reads a caller's mechanism.
///
/// # Safety
/// `p` must be NULL or a valid `CK_MECHANISM` whose parameter (and any buffers it points
/// to) is readable.
pub(crate) unsafe fn read(p: *const CK_MECHANISM) -> Result<Mechanism> {
    // SAFETY: caller's contract.
    let m = unsafe { p.as_ref() }.ok_or(Error::ArgumentsBad)?;
    let params = match m.mechanism {
        t if craton_hsm_core::mechanism::is_pss(t) => {
            // SAFETY: caller's contract.
            let p: CK_RSA_PKCS_PSS_PARAMS = unsafe { param(m)? };
            Params::Pss {
                hash: p.hashAlg,
                mgf: p.mgf,
                salt_len: p.sLen as u64,
            }
        }
        CKM_RSA_PKCS_OAEP => {
            // SAFETY: caller's contract.
            let p: CK_RSA_PKCS_OAEP_PARAMS = unsafe { param(m)? };
            if p.source != 0 && p.source != CKZ_DATA_SPECIFIED {
                return Err(Error::MechanismParamInvalid);
            }
            Params::Oaep {
                hash: p.hashAlg,
                mgf: p.mgf,
                // SAFETY: the label buffer is readable by the caller's contract.
                label: unsafe { buf(p.pSourceData as *const u8, p.ulSourceDataLen)? },
            }
        }
        CKM_AES_GCM => {
            // SAFETY: caller's contract.
            let p: CK_GCM_PARAMS = unsafe { param(m)? };
            Params::Gcm {
                // SAFETY: the IV and AAD buffers are readable by the caller's contract.
                iv: unsafe { buf(p.pIv, p.ulIvLen)? },
                // SAFETY: as above.
                aad: unsafe { buf(p.pAAD, p.ulAADLen)? },
                tag_bits: p.ulTagBits as u64,
            }
        }
        CKM_AES_CTR => {
            // SAFETY: caller's contract.
            let p: CK_AES_CTR_PARAMS = unsafe { param(m)? };
            Params::Ctr {
                counter_bits: p.ulCounterBits as u64,
                block: p.cb,
            }
        }
        CKM_ECDH1_DERIVE | CKM_ECDH1_COFACTOR_DERIVE => {
            // SAFETY: caller's contract.
            let p: CK_ECDH1_DERIVE_PARAMS = unsafe { param(m)? };
            Params::Ecdh {
                kdf: p.kdf,
                // SAFETY: the buffers are readable by the caller's contract.
                shared_data: unsafe { buf(p.pSharedData, p.ulSharedDataLen)? },
                // SAFETY: as above.
                public_data: unsafe { buf(p.pPublicData, p.ulPublicDataLen)? },
            }
        }
        CKM_HKDF_DERIVE | CKM_HKDF_DATA => {
            // SAFETY: caller's contract.
            let p: CK_HKDF_PARAMS = unsafe { param(m)? };
            Params::Hkdf {
                extract: p.bExtract != CK_FALSE,
                expand: p.bExpand != CK_FALSE,
                prf: p.prfHashMechanism,
                salt_type: p.ulSaltType,
                // SAFETY: the buffers are readable by the caller's contract.
                salt: unsafe { buf(p.pSalt, p.ulSaltLen)? },
                salt_key: p.hSaltKey,
                // SAFETY: as above.
                info: unsafe { buf(p.pInfo, p.ulInfoLen)? },
            }
        }
        CKM_EDDSA if !m.pParameter.is_null() => {
            // SAFETY: caller's contract.
            let p: CK_EDDSA_PARAMS = unsafe { param(m)? };
            Params::Eddsa {
                prehash: p.phFlag != CK_FALSE,
                // SAFETY: the buffer is readable by the caller's contract.
                context: unsafe { buf(p.pContextData, p.ulContextDataLen)? },
            }
        }
        CKM_ML_DSA if !m.pParameter.is_null() => {
            // SAFETY: caller's contract.
            let p: CK_SIGN_ADDITIONAL_CONTEXT = unsafe { param(m)? };
            Params::SignContext {
                hedge: p.hedgeVariant,
                // SAFETY: the buffer is readable by the caller's contract.
                context: unsafe { buf(p.pContext, p.ulContextLen)? },
            }
        }
        _ if m.pParameter.is_null() || m.ulParameterLen == 0 => Params::None,
        // SAFETY: caller's contract.
        _ => Params::Bytes(unsafe { buf(m.pParameter as *const u8, m.ulParameterLen)? }),
    };
    Ok(Mechanism {
        mech: m.mechanism,
        params,
    })
}
