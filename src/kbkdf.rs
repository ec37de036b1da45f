//! SP 800-108 parameters (`CK_SP800_108_KDF_PARAMS`, `CK_SP800_108_FEEDBACK_KDF_PARAMS`): the
//! one mechanism parameter with arrays of structures and templates inside, copied whole here
//! (every count bounded before anything is read) and interpreted by the core's
//! `families::kbkdf`. Also where the additional derived keys' handles are written back.

use super::{attribute, ptr};
use craton_hsm_core::error::{Error, Result};
use craton_hsm_core::limits::MAX_PARAM_LEN;
use craton_hsm_core::mechanism::params::Kbkdf;
use craton_hsm_core::mechanism::raw::RawParam;
use cryptoki_sys::*;

/// More data parameters or additional keys than any real derivation uses.
const MAX_DATA_PARAMS: usize = 64;
const MAX_ADDITIONAL_KEYS: usize = 32;

/// Whether a mechanism takes SP 800-108 parameters.
pub(crate) fn takes(mech: CK_MECHANISM_TYPE) -> bool {
    matches!(mech, CKM_SP800_108_COUNTER_KDF | CKM_SP800_108_FEEDBACK_KDF)
}

/// The fields the two structures share, and the feedback mode's IV.
struct Fields {
    prf: CK_MECHANISM_TYPE,
    data: (*mut CK_PRF_DATA_PARAM, CK_ULONG),
    iv: Option<(*mut CK_BYTE, CK_ULONG)>,
    keys: (*mut CK_DERIVED_KEY, CK_ULONG),
}

/// # Safety
/// `m.pParameter` must be NULL or point to `m.ulParameterLen` readable bytes.
unsafe fn fields(m: &CK_MECHANISM) -> Result<Fields> {
    let bad = Error::MechanismParamInvalid;
    if m.pParameter.is_null() {
        return Err(bad);
    }
    let len = m.ulParameterLen as usize;
    Ok(match m.mechanism {
        CKM_SP800_108_COUNTER_KDF if len == size_of::<CK_SP800_108_KDF_PARAMS>() => {
            // SAFETY: non-NULL and one structure long; pointers and CK_ULONGs only.
            let p =
                // SAFETY: caller's contract: the parameter's pointers are readable for their lengths.
                unsafe { std::ptr::read_unaligned(m.pParameter as *const CK_SP800_108_KDF_PARAMS) };
            Fields {
                prf: p.prfType,
                data: (p.pDataParams, p.ulNumberOfDataParams),
                iv: None,
                keys: (p.pAdditionalDerivedKeys, p.ulAdditionalDerivedKeys),
            }
        }
        CKM_SP800_108_FEEDBACK_KDF if len == size_of::<CK_SP800_108_FEEDBACK_KDF_PARAMS>() => {
            // SAFETY: as above.
            let p = unsafe {
                std::ptr::read_unaligned(m.pParameter as *const CK_SP800_108_FEEDBACK_KDF_PARAMS)
            };
            Fields {
                prf: p.prfType,
                data: (p.pDataParams, p.ulNumberOfDataParams),
                iv: Some((p.pIV, p.ulIVLen)),
                keys: (p.pAdditionalDerivedKeys, p.ulAdditionalDerivedKeys),
            }
        }
        _ => return Err(bad),
    })
}

/// Any bad pointer or count in the parameter is the parameter's fault.
fn param<T>(r: Result<T>) -> Result<T> {
    r.map_err(|_| Error::MechanismParamInvalid)
}

/// Copies the parameter.
///
/// # Safety
/// The parameter and everything it points to must be readable for their stated lengths.
pub(crate) unsafe fn read(m: &CK_MECHANISM) -> Result<RawParam> {
    // SAFETY: caller's contract, for every pointer followed below.
    let f = unsafe { fields(m)? };
    // SAFETY: caller's contract: the parameter's pointers are readable for their lengths.
    let data = param(unsafe { ptr::array(f.data.0, f.data.1, MAX_DATA_PARAMS) })?;
    let data = data
        .iter()
        .map(|d| {
            let value = if d.pValue.is_null() && d.ulValueLen == 0 {
                None
            } else {
                let p = d.pValue as *const CK_BYTE;
                // SAFETY: caller's contract: the parameter's pointers are readable for their lengths.
                let b = param(unsafe {
                    ptr::bytes_or(p, d.ulValueLen, MAX_PARAM_LEN, Error::ArgumentsBad)
                })?;
                Some(b.to_vec())
            };
            Ok((d.type_ as u64, value))
        })
        .collect::<Result<Vec<_>>>()?;
    let iv = match f.iv {
        Some((p, len)) => Some(
            // SAFETY: caller's contract: the parameter's pointers are readable for their lengths.
            param(unsafe { ptr::bytes_or(p, len, MAX_PARAM_LEN, Error::ArgumentsBad) })?.to_vec(),
        ),
        None => None,
    };
    // SAFETY: caller's contract: the parameter's pointers are readable for their lengths.
    let keys = param(unsafe { ptr::array(f.keys.0, f.keys.1, MAX_ADDITIONAL_KEYS) })?;
    let additional = keys
        .iter()
        .map(|k| {
            if k.phKey.is_null() {
                return Err(Error::MechanismParamInvalid);
            }
            // SAFETY: caller's contract: the parameter's pointers are readable for their lengths.
            unsafe { attribute::read_template(k.pTemplate, k.ulAttributeCount) }
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(RawParam::Kbkdf(Box::new(Kbkdf {
        prf: f.prf,
        data,
        iv,
        additional,
    })))
}

/// Where the additional derived keys' handles go, each set to `CK_INVALID_HANDLE` until
/// the derivation succeeds (as the spec asks of a failed call). Empty for other mechanisms.
///
/// # Safety
/// As for `read`; each `phKey` must be writable.
pub(crate) unsafe fn outputs(m: &CK_MECHANISM) -> Result<Vec<*mut CK_OBJECT_HANDLE>> {
    if !takes(m.mechanism) {
        return Ok(Vec::new());
    }
    // SAFETY: caller's contract.
    let f = unsafe { fields(m)? };
    // SAFETY: caller's contract: the parameter's pointers are readable for their lengths.
    let keys = param(unsafe { ptr::array(f.keys.0, f.keys.1, MAX_ADDITIONAL_KEYS) })?;
    let outs: Vec<_> = keys.iter().map(|k| k.phKey).collect();
    for &p in &outs {
        // SAFETY: a non-NULL phKey is writable by the caller's contract (read() refused NULL).
        unsafe { *ptr::out(p)? = CK_INVALID_HANDLE };
    }
    Ok(outs)
}
