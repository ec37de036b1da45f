//! The one mechanism policy: what is registered (offered at all), which key sizes and curves
//! are accepted, and whether a use of a mechanism is an approved service.

use super::capability::{self, Found};
use super::registry::{self, Approval, Family, MechSpec, Op};
use crate::config::Algorithms;
use crate::crypto::{Curve, EncryptionScheme, HashAlg, ParamRule, Provider, SignatureScheme};
use crate::error::{Error, Result};
use cryptoki_sys::*;

/// The policy in force, fixed at `C_Initialize`.
#[derive(Clone)]
pub struct Policy {
    pub fips_approved_only: bool,
    pub pqc: bool,
    pub weak_rsa: bool,
    pub sha1_signing: bool,
    /// The provider is a validated module in its approved mode.
    pub backend_fips: bool,
    /// The provider whose tables say what is supported.
    pub provider: &'static Provider,
}

/// Smallest RSA modulus when `allow_weak_rsa` is on outside approved mode.
const WEAK_RSA_MIN: u64 = 1024;
/// RSA moduli whose use is an approved service: the operator's guide lists 2048, 3072 and 4096
/// bits; larger keys (the AWS-LC provider goes to 8192) are offered but not approved.
pub(crate) const APPROVED_RSA_BITS: std::ops::RangeInclusive<usize> = 2048..=4096;
/// The approved curves' sizes (P-256 to P-384): what approved-only mode reports for EC
/// mechanisms (ECDH's X25519 and P-521 are outside).
const APPROVED_EC_MIN_BITS: u64 = 256;
const APPROVED_EC_BITS: u64 = 384;
/// Smallest HMAC key FIPS approves (SP 800-131A Rev. 2: 112 bits).
const HMAC_MIN_APPROVED_BITS: usize = 112;

/// Every operation a mechanism can have, in flag order.
const OPS: [Op; 12] = [
    Op::Encrypt,
    Op::Decrypt,
    Op::Digest,
    Op::Sign,
    Op::Verify,
    Op::Generate,
    Op::GenerateKeyPair,
    Op::Wrap,
    Op::Unwrap,
    Op::Derive,
    Op::Encapsulate,
    Op::Decapsulate,
];

impl Policy {
    pub fn new(alg: &Algorithms, provider: &'static Provider) -> Policy {
        let fips = alg.fips_approved_only;
        Policy {
            fips_approved_only: fips,
            pqc: alg.pqc_enabled() && !fips,
            weak_rsa: alg.allow_weak_rsa && !fips,
            sha1_signing: alg.allow_sha1_signing && !fips,
            backend_fips: provider.fips_module,
            provider,
        }
    }

    /// What the provider says about one operation of a mechanism, if it has what it needs.
    pub fn found(&self, spec: &MechSpec, op: Op) -> Option<Found> {
        capability::find(self.provider, capability::need(spec, op)?)
    }

    /// The mechanism's flags for `C_GetMechanismInfo`: the registry's, less the operations
    /// the provider lacks and those approved-only mode refuses.
    pub fn flags(&self, spec: &MechSpec) -> CK_FLAGS {
        OPS.iter()
            .filter(|op| spec.ops & op.flag() != 0 && !self.allows(spec, **op))
            .fold(spec.ops, |flags, op| flags & !op.flag())
    }

    /// Whether `op` of a registered mechanism may run: the provider has it and, in
    /// approved-only mode, it is an approved use (approved or refused, never run unapproved).
    fn allows(&self, spec: &MechSpec, op: Op) -> bool {
        self.found(spec, op).is_some() && (!self.fips_approved_only || approved_use(spec.mech, op))
    }

    /// Whether the provider implements any operation of the mechanism.
    pub fn offers(&self, spec: &MechSpec) -> bool {
        OPS.iter().any(|op| self.found(spec, *op).is_some())
    }

    /// Whether the mechanism is offered at all (`C_GetMechanismList`).
    pub fn registered(&self, spec: &MechSpec) -> bool {
        if !self.offers(spec) {
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
        registry::all().filter(|s| self.registered(s))
    }

    /// The spec of a registered mechanism that may run `op` (see `allows`).
    pub fn lookup(&self, mech: CK_MECHANISM_TYPE, op: Op) -> Result<&'static MechSpec> {
        let spec = registry::lookup(mech)
            .filter(|s| self.registered(s))
            .ok_or(Error::MechanismInvalid)?;
        if !self.allows(spec, op) {
            return Err(Error::MechanismInvalid);
        }
        Ok(spec)
    }

    /// The spec of a registered message-based AEAD mechanism (`CKF_MESSAGE_ENCRYPT` /
    /// `CKF_MESSAGE_DECRYPT`) whose provider has the cipher. Whether a message is approved
    /// depends on its IV, so approved-only mode decides per message.
    pub fn lookup_message(&self, mech: CK_MECHANISM_TYPE, op: Op) -> Result<&'static MechSpec> {
        let flag = match op {
            Op::Encrypt => CKF_MESSAGE_ENCRYPT,
            Op::Decrypt => CKF_MESSAGE_DECRYPT,
            _ => return Err(Error::MechanismInvalid),
        };
        registry::lookup(mech)
            .filter(|s| self.registered(s) && s.ops & flag != 0 && self.found(s, op).is_some())
            .ok_or(Error::MechanismInvalid)
    }

    /// The key-size range reported and enforced, in the mechanism's unit: the registry's,
    /// narrowed to the keys the provider takes for it.
    pub fn key_range(&self, spec: &MechSpec) -> (u64, u64) {
        let (mut lo, mut hi) = (spec.min_key, spec.max_key);
        if spec.family == Family::Rsa && self.weak_rsa {
            lo = WEAK_RSA_MIN;
        }
        let provider = OPS
            .iter()
            .filter_map(|op| self.found(spec, *op)?.keys)
            .filter_map(|k| capability::bits_of(&k))
            .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
        if let (Some((plo, phi)), Family::Rsa | Family::Ec | Family::EdDsa | Family::Montgomery) =
            (provider, spec.family)
        {
            lo = lo.max(plo);
            hi = hi.min(phi);
        }
        if spec.family == Family::Ec && self.fips_approved_only {
            lo = lo.max(APPROVED_EC_MIN_BITS);
            hi = hi.min(APPROVED_EC_BITS);
        }
        (lo, hi)
    }

    /// The signature scheme the provider offers for a signing mechanism.
    pub fn signature(&self, spec: &MechSpec) -> Option<&'static SignatureScheme> {
        match capability::need(spec, Op::Sign).or_else(|| capability::need(spec, Op::Verify))? {
            capability::Need::Signature(kind, input) => self.provider.signature(kind, input),
            _ => None,
        }
    }

    /// The RSA encryption scheme the provider offers for an encryption mechanism.
    pub fn encryption(&self, spec: &MechSpec) -> Option<&'static EncryptionScheme> {
        match capability::need(spec, Op::Encrypt)? {
            capability::Need::Encryption(kind) => self.provider.encryption(kind),
            _ => None,
        }
    }

    /// PSS parameters against the provider's rules for the scheme.
    pub fn check_pss(
        &self,
        spec: &MechSpec,
        hash: HashAlg,
        mgf: HashAlg,
        salt: usize,
    ) -> Result<()> {
        let s = self.signature(spec).ok_or(Error::MechanismInvalid)?;
        let salt_ok = s.salt == ParamRule::Any || salt == hash.output_len();
        let mgf_ok = s.mgf == ParamRule::Any || mgf == hash;
        let hash_ok = self.provider.hash(hash).is_some();
        if salt_ok && mgf_ok && hash_ok {
            Ok(())
        } else {
            Err(Error::MechanismParamInvalid)
        }
    }

    /// OAEP parameters against the provider's rules.
    pub fn check_oaep(&self, spec: &MechSpec, hash: HashAlg, mgf: HashAlg) -> Result<()> {
        let e = self.encryption(spec).ok_or(Error::MechanismInvalid)?;
        if !e.hashes.contains(&hash) || (e.mgf == ParamRule::SameAsHash && mgf != hash) {
            return Err(Error::MechanismParamInvalid);
        }
        Ok(())
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
        if !self.found(spec, op).is_some_and(|f| f.fips) {
            return false;
        }
        if !approved_use(spec.mech, op) {
            return false;
        }
        match spec.family {
            Family::Rsa => key_bits.is_none_or(|b| APPROVED_RSA_BITS.contains(&b)),
            Family::Ec => curve.is_none_or(approved_curve),
            Family::Aes => key_bits.is_none_or(|b| matches!(b, 128 | 192 | 256)),
            Family::Hmac | Family::GenericSecret | Family::Hkdf => {
                key_bits.is_none_or(|b| b >= HMAC_MIN_APPROVED_BITS)
            }
            Family::Digest => true,
            Family::EdDsa
            | Family::Montgomery
            | Family::MlDsa
            | Family::MlKem
            | Family::SimpleKdf
            | Family::Kbkdf
            | Family::Des3 => false,
        }
    }
}

/// The curves whose use is an approved service here: the operator's guide's P-256 and P-384.
/// P-521 is offered outside approved-only mode; X25519 and Ed25519 are not SP 800-56A Rev. 3
/// or FIPS 186-5 ECDSA curves.
pub fn approved_curve(curve: Curve) -> bool {
    matches!(curve, Curve::P256 | Curve::P384)
}

/// Uses of approved mechanisms that are still not approved services: AES-GCM encryption (and
/// wrapping) with an IV the caller chose (IG C.H wants it generated inside the module; the
/// message-based calls generate it), and key transport with AES-CBC-PAD, which authenticates
/// nothing (IG D.G). In the default mode they run with the indicator false; approved-only
/// mode refuses them at `C_*Init` (`CKR_MECHANISM_INVALID`).
pub fn approved_use(mech: CK_MECHANISM_TYPE, op: Op) -> bool {
    !matches!(
        (mech, op),
        (CKM_AES_GCM, Op::Encrypt | Op::Wrap) | (CKM_AES_CBC_PAD, Op::Wrap | Op::Unwrap)
    )
}
