//! SP 800-108 key-based key derivation (PKCS#11 3.x mechanisms 2.42): counter mode and
//! feedback mode over an HMAC or AES-CMAC PRF, with additional derived keys. The double-pipeline
//! mode is not offered.
//!
//! The ABI copies `CK_SP800_108_KDF_PARAMS` / `CK_SP800_108_FEEDBACK_KDF_PARAMS` as it finds
//! them (each data parameter's type and bytes, the IV, each additional key's template); this
//! file decides what they mean. The KDF is composed here from the provider's MACs, outside a
//! validated module's own KDF, so it is never an approved service.

use super::FamilyDef;
use crate::crypto::{HashAlg, MacAlg, Provider};
use crate::error::{Error, Result};
use crate::mechanism::capability::Need;
use crate::mechanism::params::hash_of_mechanism;
use crate::mechanism::raw::{Layout, RawParam};
use crate::mechanism::registry::*;
use crate::mechanism::{Params, params::Kbkdf};
use cryptoki_sys::*;
use zeroize::Zeroizing;

pub static FAMILY: FamilyDef = FamilyDef {
    rows: ROWS,
    layout,
    parse,
    need,
};

const NOT_APPROVED: Approval = No("SP 800-108 composed outside the validated module's own KDF");

#[rustfmt::skip]
static ROWS: &[MechSpec] = &[
    m(CKM_SP800_108_COUNTER_KDF, "CKM_SP800_108_COUNTER_KDF", Kbkdf, CKF_DERIVE, SECRET, None, NOT_APPROVED),
    m(CKM_SP800_108_FEEDBACK_KDF, "CKM_SP800_108_FEEDBACK_KDF", Kbkdf, CKF_DERIVE, SECRET, None, NOT_APPROVED),
];

/// The ABI reads these parameters itself (arrays of structures with templates inside), so
/// there is no flat layout; `parse` only sees what it already built.
fn layout(_: CK_MECHANISM_TYPE) -> Option<Layout> {
    None
}

fn parse(_: CK_MECHANISM_TYPE, raw: RawParam) -> Result<Params> {
    match raw {
        RawParam::Kbkdf(k) => Ok(Params::Kbkdf(k)),
        _ => Err(Error::MechanismParamInvalid),
    }
}

fn need(_: &MechSpec, op: Op) -> Option<Need> {
    // The PRF is a parameter: whether the provider has it is checked at C_DeriveKey.
    (op == Op::Derive).then_some(Need::Bytes)
}

/// How a counter or the DKM length is written: width in bits (a multiple of 8), byte order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Encoding {
    little_endian: bool,
    bits: u64,
}

impl Encoding {
    /// `CK_SP800_108_COUNTER_FORMAT` (`bLittleEndian` at 0, `ulWidthInBits` at 8), widths
    /// 8 to `max` bits.
    fn read(b: &[u8], at: usize, max: u64) -> Result<Encoding> {
        let flag = *b.get(at).ok_or(Error::MechanismParamInvalid)?;
        let bits = ulong(b, at + size_of::<CK_ULONG>())?;
        if bits == 0 || bits % 8 != 0 || bits > max {
            return Err(Error::MechanismParamInvalid);
        }
        Ok(Encoding {
            little_endian: flag != 0,
            bits,
        })
    }

    /// `v` in this encoding; a value that does not fit is a bad parameter.
    fn encode(&self, v: u64) -> Result<Vec<u8>> {
        let n = (self.bits / 8) as usize;
        if n < 8 && v >> self.bits != 0 {
            return Err(Error::MechanismParamInvalid);
        }
        let be = v.to_be_bytes();
        let mut out = vec![0u8; n.saturating_sub(8)];
        out.extend_from_slice(&be[8 - n.min(8)..]);
        if self.little_endian {
            out.reverse();
        }
        Ok(out)
    }
}

fn ulong(b: &[u8], at: usize) -> Result<u64> {
    let raw = b
        .get(at..at + size_of::<CK_ULONG>())
        .and_then(|s| s.try_into().ok())
        .ok_or(Error::MechanismParamInvalid)?;
    Ok(CK_ULONG::from_ne_bytes(raw) as u64)
}

/// One data parameter, interpreted.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Data {
    /// Counter mode: the counter `i`; feedback mode: the previous block (`None`).
    Iteration(Option<Encoding>),
    /// Feedback mode's optional counter.
    Counter(Encoding),
    /// L, as the sum of the keys' lengths or of the PRF blocks made.
    DkmLength {
        segments: bool,
        enc: Encoding,
    },
    Bytes(Vec<u8>),
}

/// Reads and checks the data parameters for a mode (2.42.2): exactly one iteration
/// variable (a counter format in counter mode, none in feedback mode), at most one DKM
/// length, and an optional counter only in feedback mode.
fn data_params(k: &Kbkdf, feedback: bool) -> Result<Vec<Data>> {
    let mut out = Vec::with_capacity(k.data.len());
    for (ty, value) in &k.data {
        let v = value.as_deref();
        out.push(match (*ty as CK_ULONG, v) {
            (CK_SP800_108_ITERATION_VARIABLE, None) if feedback => Data::Iteration(None),
            (CK_SP800_108_ITERATION_VARIABLE, Some(b)) if !feedback => {
                Data::Iteration(Some(Encoding::read(b, 0, 32)?))
            }
            (CK_SP800_108_OPTIONAL_COUNTER, Some(b)) if feedback => {
                Data::Counter(Encoding::read(b, 0, 32)?)
            }
            (CK_SP800_108_DKM_LENGTH, Some(b)) => {
                let segments = match ulong(b, 0)? as CK_ULONG {
                    CK_SP800_108_DKM_LENGTH_SUM_OF_KEYS => false,
                    CK_SP800_108_DKM_LENGTH_SUM_OF_SEGMENTS => true,
                    _ => return Err(Error::MechanismParamInvalid),
                };
                let enc = Encoding::read(b, size_of::<CK_ULONG>(), 64)?;
                Data::DkmLength { segments, enc }
            }
            (CK_SP800_108_BYTE_ARRAY, Some(b)) if !b.is_empty() => Data::Bytes(b.to_vec()),
            _ => return Err(Error::MechanismParamInvalid),
        });
    }
    let count = |f: fn(&Data) -> bool| out.iter().filter(|d| f(d)).count();
    let iterations = count(|d| matches!(d, Data::Iteration(_)));
    let counters = count(|d| matches!(d, Data::Counter(_)));
    let dkm = count(|d| matches!(d, Data::DkmLength { .. }));
    if iterations != 1 || counters > 1 || dkm > 1 {
        return Err(Error::MechanismParamInvalid);
    }
    Ok(out)
}

/// The PRF a `prfType` names, and its output length.
fn prf(p: &Provider, prf_type: CK_MECHANISM_TYPE) -> Result<(MacAlg, usize)> {
    let alg = match prf_type {
        CKM_AES_CMAC => MacAlg::Cmac,
        m => MacAlg::Hmac(hmac_hash(m)?),
    };
    p.mac(alg).ok_or(Error::MechanismParamInvalid)?;
    let len = match alg {
        MacAlg::Cmac => 16,
        MacAlg::Hmac(h) => h.output_len(),
    };
    Ok((alg, len))
}

fn hmac_hash(m: CK_MECHANISM_TYPE) -> Result<HashAlg> {
    let hash = match m {
        CKM_SHA_1_HMAC => CKM_SHA_1,
        CKM_SHA224_HMAC => CKM_SHA224,
        CKM_SHA256_HMAC => CKM_SHA256,
        CKM_SHA384_HMAC => CKM_SHA384,
        CKM_SHA512_HMAC => CKM_SHA512,
        CKM_SHA3_224_HMAC => CKM_SHA3_224,
        CKM_SHA3_256_HMAC => CKM_SHA3_256,
        CKM_SHA3_384_HMAC => CKM_SHA3_384,
        CKM_SHA3_512_HMAC => CKM_SHA3_512,
        _ => return Err(Error::MechanismParamInvalid),
    };
    hash_of_mechanism(hash)
}

/// Whether a base key suits the PRF: an AES key for CMAC, a generic secret (or the hash's
/// HMAC key type) for HMAC. A `prfType` that is neither is a bad parameter.
pub fn prf_key_fits(prf_type: CK_MECHANISM_TYPE, key_type: CK_KEY_TYPE) -> Result<bool> {
    Ok(match prf_type {
        CKM_AES_CMAC => key_type == CKK_AES,
        m => super::secret::hmac_key_fits(key_type, Some(hmac_hash(m)?)),
    })
}

/// SP 800-108 output of `len` bytes under `key` (section 4.1 counter mode, 4.2 feedback mode):
/// every derived key's bytes, the first key's first. A sum-of-keys DKM length is `len`.
pub fn derive(
    p: &Provider,
    mech: CK_MECHANISM_TYPE,
    k: &Kbkdf,
    key: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let feedback = match mech {
        CKM_SP800_108_COUNTER_KDF if k.iv.is_none() => false,
        CKM_SP800_108_FEEDBACK_KDF => true,
        _ => return Err(Error::MechanismParamInvalid),
    };
    let data = data_params(k, feedback)?;
    let (alg, h) = prf(p, k.prf)?;
    if len == 0 {
        return Err(Error::TemplateIncomplete);
    }
    let blocks = len.div_ceil(h) as u64;
    let mut out = Zeroizing::new(Vec::with_capacity(blocks as usize * h));
    let mut previous = Zeroizing::new(k.iv.clone().unwrap_or_default());
    for i in 1..=blocks {
        let mut mac = p.mac(alg).ok_or(Error::MechanismParamInvalid)?.start(key)?;
        for d in &data {
            match d {
                Data::Iteration(Some(enc)) | Data::Counter(enc) => mac.update(&enc.encode(i)?),
                Data::Iteration(None) => mac.update(&previous),
                Data::DkmLength { segments, enc } => {
                    let bytes = if *segments {
                        blocks * h as u64
                    } else {
                        len as u64
                    };
                    let bits = bytes.checked_mul(8).ok_or(Error::MechanismParamInvalid)?;
                    mac.update(&enc.encode(bits)?)
                }
                Data::Bytes(b) => mac.update(b),
            }
        }
        let block = mac.finish();
        out.extend_from_slice(&block);
        previous = block;
    }
    out.truncate(len);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counter_format(little: bool, bits: u64) -> Vec<u8> {
        let mut b = vec![u8::from(little); size_of::<CK_ULONG>()];
        b[1..].fill(0);
        b.extend_from_slice(&(bits as CK_ULONG).to_ne_bytes());
        b
    }

    fn params(data: Vec<(u64, Option<Vec<u8>>)>) -> Kbkdf {
        Kbkdf {
            prf: CKM_SHA256_HMAC,
            data,
            iv: None,
            additional: vec![],
        }
    }

    #[test]
    fn encodings() {
        let e = |little, bits| Encoding {
            little_endian: little,
            bits,
        };
        assert_eq!(e(false, 16).encode(0x0102).unwrap(), [1, 2]);
        assert_eq!(e(true, 24).encode(0x0102).unwrap(), [2, 1, 0]);
        assert!(e(false, 8).encode(256).is_err());
        assert_eq!(e(false, 64).encode(1).unwrap(), [0, 0, 0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn data_parameter_rules() {
        let it = (
            CK_SP800_108_ITERATION_VARIABLE as u64,
            Some(counter_format(false, 16)),
        );
        let bytes = (CK_SP800_108_BYTE_ARRAY as u64, Some(b"label".to_vec()));
        assert!(data_params(&params(vec![it.clone(), bytes.clone()]), false).is_ok());
        // Missing, doubled or format-less iteration variables; counters in counter mode.
        assert!(data_params(&params(vec![bytes.clone()]), false).is_err());
        assert!(data_params(&params(vec![it.clone(), it.clone()]), false).is_err());
        let bare = (CK_SP800_108_ITERATION_VARIABLE as u64, None);
        assert!(data_params(&params(vec![bare.clone()]), false).is_err());
        assert!(data_params(&params(vec![bare]), true).is_ok());
        let counter = (
            CK_SP800_108_OPTIONAL_COUNTER as u64,
            Some(counter_format(false, 8)),
        );
        assert!(data_params(&params(vec![it.clone(), counter]), false).is_err());
        // Widths: multiples of 8, at most 32 bits for counters.
        let odd = (
            CK_SP800_108_ITERATION_VARIABLE as u64,
            Some(counter_format(false, 12)),
        );
        assert!(data_params(&params(vec![odd]), false).is_err());
        let wide = (
            CK_SP800_108_ITERATION_VARIABLE as u64,
            Some(counter_format(false, 40)),
        );
        assert!(data_params(&params(vec![wide]), false).is_err());
    }
}
