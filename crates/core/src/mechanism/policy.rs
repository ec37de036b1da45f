//! The one mechanism policy: what is registered (offered at all), which key sizes and curves
//! are accepted, and whether a use of a mechanism is an approved service.

use super::registry::{self, Approval, Family, MechSpec, Op};
use crate::config::Algorithms;
use crate::crypto::{CryptoBackend, Curve, HashAlg};
use crate::error::{Error, Result};
use cryptoki_sys::*;

/// The policy in force, fixed at `C_Initialize`.
#[derive(Debug, Clone)]
pub struct Policy {
    pub fips_approved_only: bool,
    pub pqc: bool,
    pub weak_rsa: bool,
    pub sha1_signing: bool,
    /// The backend is a validated module in its approved mode.
    pub backend_fips: bool,
    supported: Vec<CK_MECHANISM_TYPE>,
    backend_min_rsa: u64,
    /// ECDSA with SHA-256 only on P-256 and with SHA-384 only on P-384 (the AWS-LC build).
    ecdsa_curve_follows_hash: bool,
}

/// Smallest RSA modulus when `allow_weak_rsa` is on outside approved mode.
const WEAK_RSA_MIN: u64 = 1024;
/// Smallest HMAC key FIPS approves (SP 800-131A Rev. 2: 112 bits).
const HMAC_MIN_APPROVED_BITS: usize = 112;

impl Policy {
    pub fn new(alg: &Algorithms, backend: &dyn CryptoBackend) -> Policy {
        let fips = alg.fips_approved_only;
        let supported = registry::MECHANISMS
            .iter()
            .map(|s| s.mech)
            .filter(|m| backend.supports(*m))
            .collect();
        Policy {
            fips_approved_only: fips,
            pqc: alg.pqc_enabled() && !fips,
            weak_rsa: alg.allow_weak_rsa && !fips,
            sha1_signing: alg.allow_sha1_signing && !fips,
            backend_fips: backend.is_fips_module(),
            supported,
            backend_min_rsa: backend.min_rsa_bits(),
            ecdsa_curve_follows_hash: backend.ecdsa_curve_follows_hash(),
        }
    }

    /// Whether the mechanism is offered at all (`C_GetMechanismList`).
    pub fn registered(&self, spec: &MechSpec) -> bool {
        if !self.supported.contains(&spec.mech) {
            return false;
        }
        if spec.sha1_signing && !self.sha1_signing {
            return false;
        }
        if spec.family.is_pqc() && !self.pqc {
            return false;
        }
        !(self.fips_approved_only && spec.approval != Approval::Approved)
    }

    /// The registered mechanisms, in registry order.
    pub fn mechanisms(&self) -> impl Iterator<Item = &'static MechSpec> + '_ {
        registry::MECHANISMS.iter().filter(|s| self.registered(s))
    }

    /// The spec of a registered mechanism that supports `op`.
    pub fn lookup(&self, mech: CK_MECHANISM_TYPE, op: Op) -> Result<&'static MechSpec> {
        let spec = registry::lookup(mech)
            .filter(|s| self.registered(s))
            .ok_or(Error::MechanismInvalid)?;
        if spec.ops & op.flag() == 0 {
            return Err(Error::MechanismInvalid);
        }
        Ok(spec)
    }

    /// The key-size range reported and enforced, in the mechanism's unit.
    pub fn key_range(&self, spec: &MechSpec) -> (u64, u64) {
        match spec.family {
            Family::Rsa if self.weak_rsa => (WEAK_RSA_MIN.max(self.backend_min_rsa), spec.max_key),
            // Reported and refused at C_SignInit, not discovered at C_Sign.
            Family::Ec if self.ecdsa_curve_follows_hash => match spec.hash {
                Some(HashAlg::Sha256) => (256, 256),
                Some(HashAlg::Sha384) => (384, 384),
                _ => (spec.min_key, spec.max_key),
            },
            _ => (spec.min_key, spec.max_key),
        }
    }

    /// Enforces the key-size range; `bits` is the key's size in bits.
    pub fn check_key_size(&self, spec: &MechSpec, bits: usize) -> Result<()> {
        let (lo, hi) = self.key_range(spec);
        let size = match spec.family {
            Family::Aes => bits.div_ceil(8) as u64,
            Family::Digest => return Ok(()),
            _ => bits as u64,
        };
        let aes_ok = spec.family != Family::Aes || matches!(size, 16 | 24 | 32);
        if size < lo || size > hi || !aes_ok {
            return Err(Error::KeySizeRange);
        }
        Ok(())
    }

    /// Hashes allowed inside PSS/OAEP parameters.
    pub fn check_param_hash(&self, h: HashAlg) -> Result<()> {
        let approved = matches!(
            h,
            HashAlg::Sha256
                | HashAlg::Sha384
                | HashAlg::Sha512
                | HashAlg::Sha3_256
                | HashAlg::Sha3_384
                | HashAlg::Sha3_512
        );
        if self.fips_approved_only && !approved {
            return Err(Error::MechanismParamInvalid);
        }
        Ok(())
    }

    /// The approved-service indicator for one use of a mechanism: approved algorithm, key
    /// size and curve, on a validated backend, in approved-only mode.
    pub fn approved(
        &self,
        spec: &MechSpec,
        op: Op,
        key_bits: Option<usize>,
        curve: Option<Curve>,
    ) -> bool {
        if !self.fips_approved_only || !self.backend_fips || spec.approval != Approval::Approved {
            return false;
        }
        if !approved_use(spec.mech, op) {
            return false;
        }
        match spec.family {
            Family::Rsa => key_bits.is_none_or(|b| (2048..=4096).contains(&b)),
            Family::Ec => matches!(curve, None | Some(Curve::P256) | Some(Curve::P384)),
            Family::Aes => key_bits.is_none_or(|b| matches!(b, 128 | 192 | 256)),
            Family::Hmac | Family::GenericSecret | Family::Hkdf => {
                key_bits.is_none_or(|b| b >= HMAC_MIN_APPROVED_BITS)
            }
            Family::Digest => true,
            Family::EdDsa | Family::MlDsa | Family::MlKem => false,
        }
    }
}

/// Uses of approved mechanisms that are still not approved services: AES-GCM encryption (and
/// wrapping) with an IV the caller chose (IG C.H wants it generated inside the module), and
/// key transport with AES-CBC-PAD, which authenticates nothing (IG D.G). The mechanisms stay
/// offered; the indicator says false for these uses.
pub fn approved_use(mech: CK_MECHANISM_TYPE, op: Op) -> bool {
    !matches!(
        (mech, op),
        (CKM_AES_GCM, Op::Encrypt | Op::Wrap) | (CKM_AES_CBC_PAD, Op::Wrap | Op::Unwrap)
    )
}
