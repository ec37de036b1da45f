//! Key and key-pair generation (PKCS#11 3.x section 5.18), with the pairwise consistency
//! test FIPS 140-3 IG 10.3.A requires on every generated pair.

use super::check_object_access;
use crate::audit::Operation;
use crate::crypto::{
    Curve, EdDsaMode, HashAlg, Hedge, MlDsaSet, MlKemSet, Provider, Rng, SignInput, SignScheme,
};
use crate::error::{Error, Result};
use crate::mechanism::families::{des3, secret};
use crate::mechanism::registry::Family;
use crate::mechanism::{Mechanism, Op, policy};
use crate::module::Module;
use crate::object::template::{self, Origin};
use crate::object::{AttrValue, Attributes, Object, Template, key};
use crate::status::enter_error_state;
use cryptoki_sys::*;
use zeroize::Zeroizing;

/// The usual RSA public exponent, 65537.
const F4: &[u8] = &[0x01, 0x00, 0x01];

impl Module {
    pub fn generate_key(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        tpl: &Template,
    ) -> Result<CK_OBJECT_HANDLE> {
        let (s, t) = self.session(h)?;
        self.audited(
            &s,
            Operation::GenerateKey {
                mechanism: mech.mech as u64,
                fips_approved: false,
            },
            |ev| {
                let spec = self.policy.lookup(mech.mech, Op::Generate)?;
                if mech.params != crate::mechanism::Params::None {
                    return Err(Error::MechanismParamInvalid);
                }
                let key_type = match spec.family {
                    Family::Aes => CKK_AES,
                    Family::GenericSecret => secret::generated_key_type(spec),
                    Family::Des3 => CKK_DES3,
                    _ => return Err(Error::MechanismInvalid),
                };
                let login = t.login_state_recent();
                let origin = Origin::Generate(mech.mech);
                let mut attrs = template::build(
                    tpl,
                    origin,
                    Some((CKO_SECRET_KEY, key_type)),
                    self.rights(login),
                )?;
                // A Triple DES key has one length; the others come from CKA_VALUE_LEN.
                let len = match (spec.family, attrs.ulong(CKA_VALUE_LEN)) {
                    (Family::Des3, None) => des3::KEY_LEN as u64,
                    (Family::Des3, Some(l)) if l != des3::KEY_LEN as u64 => {
                        return Err(Error::TemplateInconsistent);
                    }
                    (_, l) => l.ok_or(Error::TemplateIncomplete)?,
                };
                // Bounded before anything is allocated: the range check covers the length.
                let len = usize::try_from(len)
                    .ok()
                    .filter(|l| l.checked_mul(8).is_some())
                    .ok_or(Error::KeySizeRange)?;
                self.policy.check_key_size(spec, len * 8)?;
                check_object_access(&s, login, attrs.is_token(), attrs.is_private())?;
                let mut value = Zeroizing::new(vec![0u8; len]);
                self.rng.fill(&mut value)?;
                if key_type == CKK_DES3 {
                    des3::set_odd_parity(&mut value);
                    attrs.set(CKA_VALUE_LEN, AttrValue::Ulong(len as u64));
                }
                attrs.set(CKA_VALUE, AttrValue::Bytes(value.to_vec()));
                let approved = self
                    .policy
                    .approved(spec, Op::Generate, Some(len * 8), None);
                ev.approve(approved);
                template::derive_key_attributes(&mut attrs, origin, approved);
                ev.object = self.key_ref(&attrs);
                Ok(t.insert(self.backend, &*self.rng, h, vec![attrs])?[0])
            },
        )
    }

    pub fn generate_key_pair(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        public_tpl: &Template,
        private_tpl: &Template,
    ) -> Result<(CK_OBJECT_HANDLE, CK_OBJECT_HANDLE)> {
        let (s, t) = self.session(h)?;
        self.audited(
            &s,
            Operation::GenerateKeyPair {
                mechanism: mech.mech as u64,
                fips_approved: false,
            },
            |ev| {
                let spec = self.policy.lookup(mech.mech, Op::GenerateKeyPair)?;
                if mech.params != crate::mechanism::Params::None {
                    return Err(Error::MechanismParamInvalid);
                }
                let key_type = match mech.mech {
                    CKM_RSA_PKCS_KEY_PAIR_GEN => CKK_RSA,
                    CKM_EC_KEY_PAIR_GEN => CKK_EC,
                    CKM_EC_EDWARDS_KEY_PAIR_GEN => CKK_EC_EDWARDS,
                    CKM_EC_MONTGOMERY_KEY_PAIR_GEN => CKK_EC_MONTGOMERY,
                    CKM_ML_DSA_KEY_PAIR_GEN => CKK_ML_DSA,
                    CKM_ML_KEM_KEY_PAIR_GEN => CKK_ML_KEM,
                    _ => return Err(Error::MechanismInvalid),
                };
                let login = t.login_state_recent();
                let so = self.rights(login);
                let origin = Origin::Generate(mech.mech);
                let mut public =
                    template::build(public_tpl, origin, Some((CKO_PUBLIC_KEY, key_type)), so)?;
                let mut private =
                    template::build(private_tpl, origin, Some((CKO_PRIVATE_KEY, key_type)), so)?;
                check_object_access(&s, login, public.is_token(), public.is_private())?;
                check_object_access(&s, login, private.is_token(), private.is_private())?;

                let be = self.backend;
                let (bits, curve) = match key_type {
                    CKK_RSA => {
                        let bits = public
                            .ulong(CKA_MODULUS_BITS)
                            .ok_or(Error::TemplateIncomplete)?
                            as usize;
                        self.policy.check_key_size(spec, bits)?;
                        let e = public
                            .bytes(CKA_PUBLIC_EXPONENT)
                            .map(<[u8]>::to_vec)
                            .unwrap_or_else(|| F4.to_vec());
                        check_public_exponent(&e, self.policy.fips_approved_only)?;
                        let parts = be.keys.generate_rsa(bits, &e, &*self.rng)?;
                        let (pa, pr) = key::rsa_attrs(&parts);
                        public.extend(pa);
                        private.extend(pr);
                        (bits, None)
                    }
                    CKK_ML_DSA | CKK_ML_KEM => {
                        let set = public
                            .ulong(CKA_PARAMETER_SET)
                            .ok_or(Error::TemplateIncomplete)?
                            as CK_ULONG;
                        if private
                            .ulong(CKA_PARAMETER_SET)
                            .is_some_and(|p| p as CK_ULONG != set)
                        {
                            return Err(Error::TemplateInconsistent);
                        }
                        let (pair, size) = if key_type == CKK_ML_DSA {
                            let set = MlDsaSet::from_parameter_set(set)
                                .map_err(|_| Error::TemplateInconsistent)?;
                            let mut seed = Zeroizing::new([0u8; 32]);
                            self.rng.fill(&mut seed[..])?;
                            (
                                be.keys.ml_dsa_generate(set, &seed[..])?,
                                set.public_key_len(),
                            )
                        } else {
                            let set = MlKemSet::from_parameter_set(set)
                                .map_err(|_| Error::TemplateInconsistent)?;
                            (
                                be.keys.ml_kem_generate(set, &*self.rng)?,
                                set.public_key_len(),
                            )
                        };
                        self.policy.check_key_size(spec, size)?;
                        let (pa, pr) = key::pq_attrs(set, &pair);
                        public.extend(pa);
                        private.extend(pr);
                        (size, None)
                    }
                    _ => {
                        let params = public
                            .bytes(CKA_EC_PARAMS)
                            .ok_or(Error::TemplateIncomplete)?;
                        let curve = Curve::from_ec_params(params)?;
                        // Approved or refused: approved-only mode makes keys on approved curves.
                        if curve.key_type() != key_type
                            || (self.policy.fips_approved_only && !policy::approved_curve(curve))
                        {
                            return Err(Error::CurveNotSupported);
                        }
                        self.policy.check_key_size(spec, curve.bits())?;
                        let parts = be.keys.generate_ec(curve, &*self.rng)?;
                        let (pa, pr) = key::ec_attrs(&parts);
                        public.set(CKA_EC_PARAMS, AttrValue::Bytes(curve.ec_params().to_vec()));
                        public.extend(pa);
                        private.extend(pr);
                        (curve.bits(), Some(curve))
                    }
                };
                let approved = self
                    .policy
                    .approved(spec, Op::GenerateKeyPair, Some(bits), curve);
                ev.approve(approved);
                template::derive_key_attributes(&mut public, origin, approved);
                template::derive_key_attributes(&mut private, origin, approved);
                pairwise_consistency(be, &*self.rng, &public, &private)?;
                ev.object = self.key_ref(&private).or_else(|| self.key_ref(&public));
                let handles = t.insert(be, &*self.rng, h, vec![public, private])?;
                Ok((handles[0], handles[1]))
            },
        )
    }
}

/// RSA public exponents: odd and at least 3; approved mode requires at least 65537
/// (FIPS 186-5 A.1.1).
fn check_public_exponent(e: &[u8], approved_mode: bool) -> Result<()> {
    let e = crate::crypto::key::strip_leading_zeros(e);
    let odd = e.last().is_some_and(|b| b & 1 == 1);
    let bits = crate::crypto::key::modulus_bits(e);
    let min_bits = if approved_mode { 17 } else { 2 };
    if !odd || bits < min_bits || bits > 64 {
        return Err(Error::TemplateInconsistent);
    }
    Ok(())
}

/// Signs and verifies a fixed message with the new pair (encapsulates and decapsulates for a
/// KEM, agrees with a fresh key pair for X25519). A failure means the generator or the backend
/// is broken: the module enters the error state.
fn pairwise_consistency(
    be: &Provider,
    rng: &dyn Rng,
    public: &Attributes,
    private: &Attributes,
) -> Result<()> {
    let result = match public.key_type() {
        Some(CKK_ML_KEM) => kem_pairwise(be, rng, public, private),
        Some(CKK_EC_MONTGOMERY) => agreement_pairwise(be, rng, public, private),
        _ => signature_pairwise(be, rng, public, private),
    };
    result.map_err(|e| {
        enter_error_state(&format!("pairwise consistency test failed: {e}"));
        Error::general("pairwise consistency test failed")
    })
}

fn signature_pairwise(
    be: &Provider,
    rng: &dyn Rng,
    public: &Attributes,
    private: &Attributes,
) -> Result<()> {
    let scheme = match public.key_type() {
        Some(CKK_RSA) => SignScheme::RsaPkcs1 {
            hash: Some(HashAlg::Sha256),
        },
        // Each curve with the hash of its own strength (the pairs every backend signs).
        Some(CKK_EC) => SignScheme::Ecdsa {
            hash: Some(match key::bits(public) {
                Some(384) => HashAlg::Sha384,
                Some(521) => HashAlg::Sha512,
                _ => HashAlg::Sha256,
            }),
        },
        Some(CKK_ML_DSA) => SignScheme::MlDsa {
            context: Vec::new(),
            hedge: Hedge::Hedged,
        },
        _ => SignScheme::EdDsa(EdDsaMode::Pure),
    };
    let msg = b"Craton HSM pairwise consistency test";
    let sk = Object::new(private.clone()).private_ops(be)?;
    let pk = Object::new(public.clone()).public_ops(be)?;
    let mut sig = sk.sign(&scheme, SignInput::Message(msg), rng)?;
    if crate::status::fault::injected("pairwise") {
        sig[0] ^= 1;
    }
    pk.verify(&scheme, SignInput::Message(msg), &sig)
}

/// The KEM form of the pairwise test: both sides must reach the same shared secret.
fn kem_pairwise(
    be: &Provider,
    rng: &dyn Rng,
    public: &Attributes,
    private: &Attributes,
) -> Result<()> {
    let sk = Object::new(private.clone()).private_ops(be)?;
    let pk = Object::new(public.clone()).public_ops(be)?;
    let (mut ct, ss) = pk.encapsulate(rng)?;
    if crate::status::fault::injected("pairwise") {
        ct[0] ^= 1;
    }
    same_secret(&ss, &sk.decapsulate(&ct)?)
}

/// The key-agreement form (SP 800-56A Rev. 3 §5.6.2.1.4's owner assurance): the new private
/// key with a fresh peer's public key, and the peer's private key with the new public key,
/// must reach the same shared secret.
fn agreement_pairwise(
    be: &Provider,
    rng: &dyn Rng,
    public: &Attributes,
    private: &Attributes,
) -> Result<()> {
    let ours = key::ec_public_parts(public)?;
    let peer = be.keys.generate_ec(ours.curve, rng)?;
    let sk = Object::new(private.clone()).private_ops(be)?;
    let mut z = sk.ecdh(&peer.point)?;
    if crate::status::fault::injected("pairwise") {
        z[0] ^= 1;
    }
    same_secret(&z, &be.keys.ec_private(&peer)?.ecdh(&ours.point)?)
}

fn same_secret(a: &[u8], b: &[u8]) -> Result<()> {
    if bool::from(subtle::ConstantTimeEq::ct_eq(a, b)) {
        Ok(())
    } else {
        Err(Error::general("the shared secrets differ"))
    }
}
