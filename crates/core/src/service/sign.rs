//! Signing and verification with asymmetric keys and MACs (PKCS#11 3.x sections 5.13, 5.15).

use super::rv_of;
use crate::audit::{Event, Operation};
use crate::crypto::stream::SignData;
use crate::crypto::{Curve, SignScheme, Streaming};
use crate::error::{Error, Result};
use crate::mechanism::families;
use crate::mechanism::families::secret;
use crate::mechanism::params::hash_of_mechanism;
use crate::mechanism::registry::Family;
use crate::mechanism::{MechSpec, Mechanism, Op, Params, policy};
use crate::module::Module;
use crate::object::Object;
use crate::session::operation::{
    OpInfo, OutBuf, Output, SignOp, SignerKind, VerifierKind, VerifyOp, ends, ensure_idle,
};
use crate::session::{Session, SessionState};
use crate::token::Token;
use cryptoki_sys::*;
use std::sync::Arc;
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// What a key must be for a mechanism family, and the usage attribute an operation needs.
fn check_key(
    spec: &MechSpec,
    obj: &Object,
    private_side: bool,
    usage: CK_ATTRIBUTE_TYPE,
) -> Result<()> {
    let class = obj.class();
    let kt = obj.attrs().key_type();
    let asym_class = if private_side {
        CKO_PRIVATE_KEY
    } else {
        CKO_PUBLIC_KEY
    };
    let ok = match spec.family {
        Family::Rsa => class == asym_class && kt == Some(CKK_RSA),
        Family::Ec => class == asym_class && kt == Some(CKK_EC),
        Family::EdDsa => class == asym_class && kt == Some(CKK_EC_EDWARDS),
        Family::MlDsa => class == asym_class && kt == Some(CKK_ML_DSA),
        Family::Hmac => {
            class == CKO_SECRET_KEY && kt.is_some_and(|kt| secret::hmac_key_fits(kt, spec.hash))
        }
        Family::Aes => class == CKO_SECRET_KEY && kt == Some(CKK_AES),
        _ => false,
    };
    if !ok {
        return Err(Error::KeyTypeInconsistent);
    }
    if !obj.permits(usage) {
        return Err(Error::KeyFunctionNotPermitted);
    }
    if !obj.allows_mechanism(spec.mech) {
        return Err(Error::MechanismInvalid);
    }
    Ok(())
}

/// The signature scheme a mechanism and its parameters name for `op`: its family's to say.
fn scheme_for(module: &Module, spec: &MechSpec, mech: &Mechanism, op: Op) -> Result<SignScheme> {
    let policy = &module.policy;
    match spec.family {
        Family::Rsa => families::rsa::sign_scheme(policy, spec, mech),
        Family::Ec => Ok(families::ec::sign_scheme(spec)),
        Family::EdDsa => families::eddsa::sign_scheme(policy, spec, mech),
        Family::MlDsa => families::ml_dsa::sign_scheme(policy, spec, mech, op),
        _ => Err(Error::MechanismInvalid),
    }
}

/// Key size and curve checks; returns them for the approved-service indicator.
fn check_size(
    module: &Module,
    spec: &MechSpec,
    obj: &Object,
) -> Result<(Option<usize>, Option<Curve>)> {
    let bits = obj.key_bits();
    let curve = obj.curve();
    match spec.family {
        // Approved or refused: approved-only mode signs on approved curves only (P-521 is
        // offered, outside the operator's guide's approved set).
        Family::Ec
            if !curve.is_some_and(Curve::is_weierstrass)
                || (module.policy.fips_approved_only
                    && !curve.is_some_and(policy::approved_curve)) =>
        {
            return Err(Error::CurveNotSupported);
        }
        Family::EdDsa if curve != Some(Curve::Ed25519) => return Err(Error::CurveNotSupported),
        _ => {}
    }
    if let Some(b) = bits {
        module.policy.check_key_size(spec, b)?;
    }
    Ok((bits, curve))
}

/// Parameter checks that need the key: mechanisms without a parameter refuse one, and a PSS
/// salt must fit the modulus (sLen <= emLen - hLen - 2, PKCS#11 2.1.14).
fn check_params(spec: &MechSpec, mech: &Mechanism, key_bits: Option<usize>) -> Result<()> {
    match (&mech.params, spec.family) {
        (Params::Pss { hash, salt_len, .. }, Family::Rsa) => {
            let h_len = hash_of_mechanism(*hash)?.output_len() as u64;
            let em_len = key_bits.map_or(0, |b| b.saturating_sub(1).div_ceil(8)) as u64;
            if salt_len.saturating_add(h_len + 2) > em_len {
                return Err(Error::MechanismParamInvalid);
            }
            Ok(())
        }
        (Params::None, _) => Ok(()),
        // RSA PKCS#1 v1.5 and raw, ECDSA, HMAC and CMAC have no parameter.
        (_, Family::Rsa | Family::Ec | Family::Hmac | Family::Aes) => {
            Err(Error::MechanismParamInvalid)
        }
        _ => Ok(()),
    }
}

/// How the provider's scheme for a signing mechanism takes multi-part input.
pub(super) fn streaming(module: &Module, spec: &MechSpec) -> Streaming {
    module
        .policy
        .signature(spec)
        .map_or(Streaming::Prehash, |s| s.streaming)
}

/// Whether the mechanism hashes the caller's data itself (the input is the message).
pub(super) fn hashes_message(spec: &MechSpec) -> bool {
    spec.hash.is_some() && spec.family != Family::Hmac
}

/// Everything an init needs about a key.
pub(super) struct Prepared {
    pub spec: &'static MechSpec,
    pub obj: Arc<Object>,
    pub info: OpInfo,
}

impl Module {
    pub(super) fn prepare(
        &self,
        t: &Token,
        mech: &Mechanism,
        key: CK_OBJECT_HANDLE,
        op: Op,
        usage: CK_ATTRIBUTE_TYPE,
    ) -> Result<Prepared> {
        let spec = self.policy.lookup(mech.mech, op)?;
        let obj = self.key(t, key).map_err(|e| match e {
            Error::ObjectHandleInvalid => Error::KeyHandleInvalid,
            e => e,
        })?;
        check_key(spec, &obj, op == Op::Sign, usage)?;
        let (bits, curve) = check_size(self, spec, &obj)?;
        check_params(spec, mech, bits)?;
        Ok(Prepared {
            spec,
            info: OpInfo {
                mech: mech.mech,
                approved: self.policy.approved(spec, op, bits, curve)
                    && obj.approved_key()
                    && families::rsa::params_approved(mech),
                key: self.key_ref(obj.attrs()),
            },
            obj,
        })
    }

    /// The MAC for a MAC mechanism (HMAC, AES-CMAC) and its output length; `None` for
    /// signature mechanisms.
    pub(super) fn mac_for(
        &self,
        spec: &MechSpec,
        obj: &Object,
    ) -> Result<Option<(Box<dyn crate::crypto::Mac>, usize)>> {
        let value = || {
            obj.attrs()
                .bytes(CKA_VALUE)
                .ok_or(Error::KeyTypeInconsistent)
        };
        Ok(match spec.family {
            Family::Hmac => {
                let alg = spec.hash.ok_or(Error::MechanismInvalid)?;
                Some((self.backend.hmac(alg, value()?)?, alg.output_len()))
            }
            Family::Aes => Some((
                self.backend.cmac(value()?)?,
                crate::crypto::cipher::AES_BLOCK,
            )),
            _ => None,
        })
    }

    pub fn sign_init(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        key: CK_OBJECT_HANDLE,
    ) -> Result<()> {
        let r = self
            .audit_ready()
            .and_then(|_| self.try_sign_init(h, mech, key));
        let refused = Operation::Sign {
            mechanism: mech.mech as u64,
            fips_approved: false,
        };
        self.indicate_refusal(h, r, refused)
    }

    fn try_sign_init(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        key: CK_OBJECT_HANDLE,
    ) -> Result<()> {
        let (s, t) = self.session(h)?;
        ensure_idle(&s.lock().ops.sign)?;
        let p = self.prepare(t, mech, key, Op::Sign, CKA_SIGN)?;
        let be = self.backend;
        let (kind, len) = if let Some((mac, len)) = self.mac_for(p.spec, &p.obj)? {
            (SignerKind::Mac { mac }, len)
        } else {
            let scheme = scheme_for(self, p.spec, mech, Op::Sign)?;
            let key = p.obj.private_ops(be)?;
            let msg_hash = if hashes_message(p.spec) {
                p.spec.hash
            } else {
                None
            };
            let data = SignData::new(be, msg_hash, scheme.is_pure(), streaming(self, p.spec))?;
            let len = key.signature_len();
            (
                SignerKind::Asym {
                    key,
                    scheme,
                    input: data,
                },
                len,
            )
        };
        let mut st = s.lock();
        ensure_idle(&st.ops.sign)?;
        st.ops.sign = Some(SignOp {
            info: p.info,
            key,
            kind: Some(kind),
            len,
            pending: Default::default(),
            multi: false,
            single_part: p.spec.single_part,
            auth_pending: p.obj.attrs().bool(CKA_ALWAYS_AUTHENTICATE),
        });
        Ok(())
    }

    /// `C_Sign`, or `C_SignFinal` when `data` is `None`.
    pub fn sign(&self, h: CK_SESSION_HANDLE, data: Option<&[u8]>, out: OutBuf) -> Result<Output> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let op = st.ops.sign.as_mut().ok_or(Error::OperationNotInitialized)?;
        let r = if data.is_some() && op.multi {
            Err(Error::OperationActive)
        } else if data.is_none() && op.single_part {
            // A single-part mechanism has no multi-part operation to finish.
            Err(Error::OperationNotInitialized)
        } else if op.auth_pending {
            Err(Error::UserNotLoggedIn)
        } else {
            let kind = &mut op.kind;
            let rng = &*self.rng;
            op.pending.deliver(out, op.len, || {
                match kind.take().ok_or_else(|| Error::general("signer gone"))? {
                    SignerKind::Asym {
                        key,
                        scheme,
                        mut input,
                    } => {
                        if let Some(d) = data {
                            input.update(d)?;
                        }
                        let input = input.finish();
                        let sig = key.sign(&scheme, input.as_input(), rng);
                        input.wipe();
                        sig.map(Zeroizing::new)
                    }
                    SignerKind::Mac { mut mac } => {
                        if let Some(d) = data {
                            mac.update(d);
                        }
                        Ok(mac.finish())
                    }
                }
            })
        };
        self.end_sign(&s, &mut st, r)
    }

    pub fn sign_update(&self, h: CK_SESSION_HANDLE, data: &[u8]) -> Result<()> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let op = st.ops.sign.as_mut().ok_or(Error::OperationNotInitialized)?;
        op.multi = true;
        let r = match op.kind.as_mut() {
            _ if op.auth_pending => Err(Error::UserNotLoggedIn),
            // A single-part mechanism has no multi-part operation to continue.
            _ if op.single_part => Err(Error::OperationNotInitialized),
            Some(SignerKind::Asym { input, .. }) => input.update(data),
            Some(SignerKind::Mac { mac }) => {
                mac.update(data);
                Ok(())
            }
            None => Err(Error::OperationActive),
        };
        if r.is_err() {
            // An error in an update ends the operation.
            self.end_sign(&s, &mut st, r.clone().map(|_| Output::Length(0)))?;
        }
        r
    }

    fn end_sign(&self, s: &Session, st: &mut SessionState, r: Result<Output>) -> Result<Output> {
        let done = r.as_ref().map_or(true, ends);
        if done && let Some(op) = st.ops.sign.take() {
            let event = Event::new(Operation::Sign {
                mechanism: op.info.mech as u64,
                fips_approved: op.info.approved,
            })
            .key(op.info.key);
            self.record_locked(s, st, event, rv_of(&r));
        }
        r
    }

    pub fn verify_init(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        key: CK_OBJECT_HANDLE,
    ) -> Result<()> {
        self.start_verify(h, mech, key, None)
    }

    /// `C_VerifySignatureInit` (3.2): the signature comes first; `C_VerifySignature` or
    /// `C_VerifySignatureUpdate`/`Final` then give the data.
    pub fn verify_signature_init(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        key: CK_OBJECT_HANDLE,
        signature: &[u8],
    ) -> Result<()> {
        self.start_verify(h, mech, key, Some(signature.to_vec()))
    }

    fn start_verify(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        key: CK_OBJECT_HANDLE,
        signature: Option<Vec<u8>>,
    ) -> Result<()> {
        let r = self
            .audit_ready()
            .and_then(|_| self.try_verify_init(h, mech, key, signature));
        let refused = Operation::Verify {
            mechanism: mech.mech as u64,
            fips_approved: false,
        };
        self.indicate_refusal(h, r, refused)
    }

    fn try_verify_init(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        key: CK_OBJECT_HANDLE,
        signature: Option<Vec<u8>>,
    ) -> Result<()> {
        let which = Verifying::of(signature.is_some());
        let (s, t) = self.session(h)?;
        ensure_idle(which.slot(&mut s.lock()))?;
        let p = self.prepare(t, mech, key, Op::Verify, CKA_VERIFY)?;
        let be = self.backend;
        let (kind, len) = if let Some((mac, len)) = self.mac_for(p.spec, &p.obj)? {
            (VerifierKind::Mac { mac }, len)
        } else {
            let scheme = scheme_for(self, p.spec, mech, Op::Verify)?;
            let key = p.obj.public_ops(be)?;
            let msg_hash = if hashes_message(p.spec) {
                p.spec.hash
            } else {
                None
            };
            let data = SignData::new(be, msg_hash, scheme.is_pure(), streaming(self, p.spec))?;
            let len = key.signature_len();
            (
                VerifierKind::Asym {
                    key,
                    scheme,
                    input: data,
                },
                len,
            )
        };
        let mut st = s.lock();
        let slot = which.slot(&mut st);
        ensure_idle(slot)?;
        *slot = Some(VerifyOp {
            info: p.info,
            key,
            kind: Some(kind),
            len,
            multi: false,
            single_part: p.spec.single_part,
            signature,
        });
        Ok(())
    }

    /// `C_Verify`, or `C_VerifyFinal` when `data` is `None`. Always ends the operation.
    pub fn verify(&self, h: CK_SESSION_HANDLE, data: Option<&[u8]>, sig: &[u8]) -> Result<()> {
        self.finish_verify(h, Verifying::Data, data, Some(sig))
    }

    /// `C_VerifySignature`, or `C_VerifySignatureFinal` when `data` is `None`, against the
    /// signature given at init. Always ends the operation.
    pub fn verify_signature(&self, h: CK_SESSION_HANDLE, data: Option<&[u8]>) -> Result<()> {
        self.finish_verify(h, Verifying::SignatureFirst, data, None)
    }

    fn finish_verify(
        &self,
        h: CK_SESSION_HANDLE,
        which: Verifying,
        data: Option<&[u8]>,
        sig: Option<&[u8]>,
    ) -> Result<()> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let op = which
            .slot(&mut st)
            .as_mut()
            .ok_or(Error::OperationNotInitialized)?;
        let given = op.signature.take();
        let sig = sig.or(given.as_deref()).unwrap_or_default();
        let r = match op.kind.take() {
            // C_Verify after C_VerifyUpdate: an error that still ends the operation.
            _ if data.is_some() && op.multi => Err(Error::OperationActive),
            _ if data.is_none() && op.single_part => Err(Error::OperationNotInitialized),
            Some(VerifierKind::Asym {
                key,
                scheme,
                mut input,
            }) => (|| {
                if let Some(d) = data {
                    input.update(d)?;
                }
                let input = input.finish();
                let r = key.verify(&scheme, input.as_input(), sig);
                input.wipe();
                r
            })(),
            Some(VerifierKind::Mac { mut mac }) => {
                if let Some(d) = data {
                    mac.update(d);
                }
                let tag = mac.finish();
                if sig.len() != tag.len() {
                    Err(Error::SignatureLenRange)
                } else if bool::from(tag.as_slice().ct_eq(sig)) {
                    Ok(())
                } else {
                    Err(Error::SignatureInvalid)
                }
            }
            None => Err(Error::general("verifier gone")),
        };
        self.end_verify(&s, &mut st, which, &r);
        r
    }

    pub fn verify_update(&self, h: CK_SESSION_HANDLE, data: &[u8]) -> Result<()> {
        self.update_verify(h, Verifying::Data, data)
    }

    /// `C_VerifySignatureUpdate`.
    pub fn verify_signature_update(&self, h: CK_SESSION_HANDLE, data: &[u8]) -> Result<()> {
        self.update_verify(h, Verifying::SignatureFirst, data)
    }

    fn update_verify(&self, h: CK_SESSION_HANDLE, which: Verifying, data: &[u8]) -> Result<()> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let op = which
            .slot(&mut st)
            .as_mut()
            .ok_or(Error::OperationNotInitialized)?;
        op.multi = true;
        let r = match op.kind.as_mut() {
            _ if op.single_part => Err(Error::OperationNotInitialized),
            Some(VerifierKind::Asym { input, .. }) => input.update(data),
            Some(VerifierKind::Mac { mac }) => {
                mac.update(data);
                Ok(())
            }
            None => Err(Error::general("verifier gone")),
        };
        if r.is_err() {
            self.end_verify(&s, &mut st, which, &r);
        }
        r
    }

    fn end_verify(&self, s: &Session, st: &mut SessionState, which: Verifying, r: &Result<()>) {
        if let Some(op) = which.slot(st).take() {
            let event = Event::new(Operation::Verify {
                mechanism: op.info.mech as u64,
                fips_approved: op.info.approved,
            })
            .key(op.info.key);
            self.record_locked(s, st, event, rv_of(r));
        }
    }
}

/// Which verification a call continues: `C_VerifyInit`'s, or 3.2's signature-first one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verifying {
    Data,
    SignatureFirst,
}

impl Verifying {
    fn of(signature_first: bool) -> Verifying {
        if signature_first {
            Verifying::SignatureFirst
        } else {
            Verifying::Data
        }
    }

    fn slot(self, st: &mut SessionState) -> &mut Option<VerifyOp> {
        match self {
            Verifying::Data => &mut st.ops.verify,
            Verifying::SignatureFirst => &mut st.ops.verify_signature,
        }
    }
}
