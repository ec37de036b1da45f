//! Key derivation (PKCS#11 3.x section 5.18.5): ECDH (`CKM_ECDH1_DERIVE`,
//! `CKM_ECDH1_COFACTOR_DERIVE`, with `CKD_NULL` or an X9.63 KDF), HKDF (`CKM_HKDF_DERIVE`),
//! AES encryption of data (`CKM_AES_ECB/CBC_ENCRYPT_DATA`) and the simple derivations of 2.43
//! (concatenation, XOR, extraction) on keys the caller could read anyway.

use super::check_object_access;
use crate::audit::Operation;
use crate::crypto::key::ec_point_from_der;
use crate::error::{Error, Result};
use crate::limits::MAX_DERIVED_KEY_LEN;
use crate::mechanism::families::ec::kdf_of;
use crate::mechanism::families::{aes, kbkdf, simple_kdf};
use crate::mechanism::params::hash_of_mechanism;
use crate::mechanism::policy;
use crate::mechanism::registry::Family;
use crate::mechanism::{Mechanism, Op, Params};
use crate::module::Module;
use crate::object::template::{self, Origin};
use crate::object::{AttrValue, Object, Template};
use cryptoki_sys::*;
use std::sync::Arc;
use zeroize::Zeroizing;

/// Derived key material.
type Secret = Zeroizing<Vec<u8>>;

impl Module {
    pub fn derive_key(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        base: CK_OBJECT_HANDLE,
        tpl: &Template,
    ) -> Result<CK_OBJECT_HANDLE> {
        Ok(self.derive_keys(h, mech, base, tpl)?[0])
    }

    /// `C_DeriveKey`: the derived key's handle first, then those of any additional derived
    /// keys the mechanism's parameter asked for (SP 800-108), all made or none.
    pub fn derive_keys(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        base: CK_OBJECT_HANDLE,
        tpl: &Template,
    ) -> Result<Vec<CK_OBJECT_HANDLE>> {
        let (s, t) = self.session(h)?;
        self.audited(
            &s,
            Operation::DeriveKey {
                mechanism: mech.mech as u64,
                fips_approved: false,
            },
            |ev| {
                let spec = self.policy.lookup(mech.mech, Op::Derive)?;
                let base_obj = self.key(t, base).map_err(|e| match e {
                    Error::ObjectHandleInvalid => Error::KeyHandleInvalid,
                    e => e,
                })?;
                ev.key = self.key_ref(base_obj.attrs());
                if !base_obj.permits(CKA_DERIVE) {
                    return Err(Error::KeyFunctionNotPermitted);
                }
                if !base_obj.allows_mechanism(mech.mech) {
                    return Err(Error::MechanismInvalid);
                }
                let new = self.derived_attrs(&s, t, tpl, &base_obj)?;
                let (mut attrs, key_type, wanted) = new;
                // A second key the derivation read (an HKDF salt key, the other half of a
                // concatenation): it counts as a base for approval and inheritance.
                let mut extra = Vec::new();
                // Whether the mechanism's parameters (an ECDH KDF) keep it approved.
                let mut params_approved = true;
                let (value, salt_key) = match spec.family {
                    Family::Ec => {
                        let (z, kdf_approved) =
                            self.ecdh_secret(&base_obj, mech, key_type, wanted)?;
                        params_approved = kdf_approved;
                        (z, None)
                    }
                    Family::Hkdf => self.hkdf_secret(t, &base_obj, mech, key_type, wanted)?,
                    Family::SimpleKdf => self.simple_secret(t, &base_obj, mech, wanted)?,
                    Family::Aes => {
                        keep_protection(&attrs, base_obj.attrs())?;
                        (
                            self.encrypt_data_secret(spec, &base_obj, mech, wanted)?,
                            None,
                        )
                    }
                    Family::Kbkdf => {
                        let (value, more) = self.kbkdf_secret(&s, t, &base_obj, mech, wanted)?;
                        extra = more;
                        (value, None)
                    }
                    _ => return Err(Error::MechanismInvalid),
                };
                set_value(&mut attrs, key_type, &value)?;
                let approved =
                    self.policy
                        .approved(spec, Op::Derive, base_obj.key_bits(), base_obj.curve())
                        && params_approved
                        && base_obj.approved_key()
                        && salt_key.as_ref().is_none_or(|k| k.approved_key());
                ev.approve(approved);
                let mut bases = vec![base_obj.attrs()];
                bases.extend(salt_key.as_ref().map(|k| k.attrs()));
                for a in std::iter::once(&mut attrs).chain(extra.iter_mut()) {
                    template::derive_key_attributes(a, Origin::Derive, approved);
                    template::inherit_from_base(a, &bases);
                }
                ev.object = self.key_ref(&attrs);
                let mut all = vec![attrs];
                all.extend(extra);
                t.insert(self.backend, &*self.rng, h, all)
            },
        )
    }

    /// A derived secret key's attributes from a caller's template (with the base key's
    /// `CKA_DERIVE_TEMPLATE`), its key type and the length it asks for.
    fn derived_attrs(
        &self,
        s: &crate::session::Session,
        t: &crate::token::Token,
        tpl: &Template,
        base: &Object,
    ) -> Result<(crate::object::Attributes, CK_KEY_TYPE, Option<usize>)> {
        let login = t.login_state_recent();
        let tpl = template::with_key_template(tpl, base.attrs(), CKA_DERIVE_TEMPLATE)?;
        let key_type = match crate::object::attribute::find(&tpl, CKA_KEY_TYPE) {
            Some(AttrValue::Ulong(k)) => *k as CK_KEY_TYPE,
            Some(_) => return Err(Error::AttributeValueInvalid),
            None => CKK_GENERIC_SECRET,
        };
        let attrs = template::build(
            &tpl,
            Origin::Derive,
            Some((CKO_SECRET_KEY, key_type)),
            self.rights(login),
        )?;
        check_object_access(s, login, attrs.is_token(), attrs.is_private())?;
        // Bounded before any KDF runs: an absurd length is an error, not an allocation.
        let wanted = match attrs.ulong(CKA_VALUE_LEN) {
            Some(l) if l > MAX_DERIVED_KEY_LEN as u64 => return Err(Error::KeySizeRange),
            l => l.map(|l| l as usize),
        };
        Ok((attrs, key_type, wanted))
    }

    /// SP 800-108: the first key's value, and the additional keys' attributes with theirs.
    fn kbkdf_secret(
        &self,
        s: &crate::session::Session,
        t: &crate::token::Token,
        base: &Object,
        mech: &Mechanism,
        wanted: Option<usize>,
    ) -> Result<(Secret, Vec<crate::object::Attributes>)> {
        let Params::Kbkdf(k) = &mech.params else {
            return Err(Error::MechanismParamInvalid);
        };
        let base_type = base.attrs().key_type().unwrap_or(CKK_VENDOR_DEFINED);
        if !kbkdf::prf_key_fits(k.prf, base_type)? || base.class() != CKO_SECRET_KEY {
            return Err(Error::KeyTypeInconsistent);
        }
        let mut more = Vec::with_capacity(k.additional.len());
        let mut lens = vec![wanted.ok_or(Error::TemplateIncomplete)?];
        for tpl in &k.additional {
            let (attrs, key_type, len) = self.derived_attrs(s, t, tpl, base)?;
            lens.push(len.ok_or(Error::TemplateIncomplete)?);
            more.push((attrs, key_type));
        }
        let total: usize = lens.iter().sum();
        if total > MAX_DERIVED_KEY_LEN {
            return Err(Error::KeySizeRange);
        }
        let key = base
            .attrs()
            .bytes(CKA_VALUE)
            .ok_or(Error::KeyTypeInconsistent)?;
        let out = kbkdf::derive(self.backend, mech.mech, k, key, total)?;
        let (first, mut rest) = out.split_at(lens[0]);
        let mut extra = Vec::with_capacity(more.len());
        for ((mut attrs, key_type), len) in more.into_iter().zip(&lens[1..]) {
            let (value, tail) = rest.split_at(*len);
            set_value(&mut attrs, key_type, value)?;
            extra.push(attrs);
            rest = tail;
        }
        Ok((Zeroizing::new(first.to_vec()), extra))
    }

    fn ecdh_secret(
        &self,
        base: &Object,
        mech: &Mechanism,
        key_type: CK_KEY_TYPE,
        wanted: Option<usize>,
    ) -> Result<(Zeroizing<Vec<u8>>, bool)> {
        if base.class() != CKO_PRIVATE_KEY
            || !matches!(base.attrs().key_type(), Some(CKK_EC | CKK_EC_MONTGOMERY))
        {
            return Err(Error::KeyTypeInconsistent);
        }
        let curve = base.curve().ok_or(Error::KeyTypeInconsistent)?;
        // Approved or refused: approved-only mode agrees on the guide's curves only.
        if self.policy.fips_approved_only && !policy::approved_curve(curve) {
            return Err(Error::CurveNotSupported);
        }
        let Params::Ecdh {
            kdf,
            shared_data,
            public_data,
        } = &mech.params
        else {
            return Err(Error::MechanismParamInvalid);
        };
        let peer =
            ec_point_from_der(curve, public_data).map_err(|_| Error::MechanismParamInvalid)?;
        let z = base.private_ops(self.backend)?.ecdh(&peer)?;
        let len = match (wanted, key_type) {
            (Some(l), _) => l,
            (None, CKK_GENERIC_SECRET) => z.len(),
            (None, _) => return Err(Error::TemplateIncomplete),
        };
        match kdf_of(*kdf)? {
            None => {
                // CKD_NULL: no shared data; the key is Z's leading bytes.
                if !shared_data.is_empty() || len > z.len() || len == 0 {
                    return Err(if shared_data.is_empty() {
                        Error::TemplateInconsistent
                    } else {
                        Error::MechanismParamInvalid
                    });
                }
                Ok((Zeroizing::new(z[..len].to_vec()), true))
            }
            Some(alg) => {
                // The KDF decides too: the X9.63 KDF is outside the approved set, so
                // approved-only mode refuses it and elsewhere its keys are not approved.
                let approved = self.backend.kdf(alg).is_some_and(|k| k.fips());
                if self.policy.fips_approved_only && !approved {
                    return Err(Error::MechanismParamInvalid);
                }
                let key = self.backend.agreement_kdf(alg, &z, shared_data, len)?;
                Ok((key, approved))
            }
        }
    }

    fn hkdf_secret(
        &self,
        t: &crate::token::Token,
        base: &Object,
        mech: &Mechanism,
        key_type: CK_KEY_TYPE,
        wanted: Option<usize>,
    ) -> Result<(Secret, Option<Arc<Object>>)> {
        if !is_hkdf_key(base) {
            return Err(Error::KeyTypeInconsistent);
        }
        let Params::Hkdf {
            extract,
            expand,
            prf,
            salt_type,
            salt,
            salt_key,
            info,
        } = &mech.params
        else {
            return Err(Error::MechanismParamInvalid);
        };
        if !extract && !expand {
            return Err(Error::MechanismParamInvalid);
        }
        let hash = hash_of_mechanism(*prf)?;
        let ikm = base
            .attrs()
            .bytes(CKA_VALUE)
            .ok_or(Error::KeyTypeInconsistent)?;
        let mut salt_obj = None;
        let prk = if *extract {
            let salt: Zeroizing<Vec<u8>> = match *salt_type {
                CKF_HKDF_SALT_NULL => Zeroizing::new(vec![0u8; hash.output_len()]),
                CKF_HKDF_SALT_DATA if !salt.is_empty() => Zeroizing::new(salt.clone()),
                CKF_HKDF_SALT_KEY => {
                    let k = self.hkdf_salt_key(t, *salt_key, mech.mech)?;
                    let value = k.attrs().bytes(CKA_VALUE).map(<[u8]>::to_vec);
                    salt_obj = Some(k);
                    Zeroizing::new(value.ok_or(Error::MechanismParamInvalid)?)
                }
                _ => return Err(Error::MechanismParamInvalid),
            };
            self.backend.hkdf_extract(hash, &salt, ikm)?
        } else {
            // Without the extract step the base key is the PRK: at least one hash long (6.62),
            // checked here so that both backends answer alike.
            if ikm.len() < hash.output_len() {
                return Err(Error::KeySizeRange);
            }
            Zeroizing::new(ikm.to_vec())
        };
        if !*expand {
            // Extract only: the key is the PRK itself.
            if wanted.is_some_and(|w| w != prk.len()) {
                return Err(Error::TemplateInconsistent);
            }
            return Ok((prk, salt_obj));
        }
        let len = match (wanted, key_type) {
            (Some(l), _) if l > 0 => l,
            _ => return Err(Error::TemplateIncomplete),
        };
        Ok((self.backend.hkdf_expand(hash, &prk, info, len)?, salt_obj))
    }

    /// The key named by `CKF_HKDF_SALT_KEY`: its value keys the extract step, so it must be
    /// usable for derivation exactly as the base key is (type, CKA_DERIVE, allowed mechanisms).
    fn hkdf_salt_key(
        &self,
        t: &crate::token::Token,
        handle: CK_OBJECT_HANDLE,
        mech: CK_MECHANISM_TYPE,
    ) -> Result<Arc<Object>> {
        let k = self
            .key(t, handle)
            .map_err(|_| Error::MechanismParamInvalid)?;
        if !is_hkdf_key(&k) {
            return Err(Error::MechanismParamInvalid);
        }
        if !k.permits(CKA_DERIVE) {
            return Err(Error::KeyFunctionNotPermitted);
        }
        if !k.allows_mechanism(mech) {
            return Err(Error::MechanismInvalid);
        }
        Ok(k)
    }
}

impl Module {
    /// 2.43's concatenation, XOR and extraction, on base keys that are neither sensitive nor
    /// unextractable (see `families::simple_kdf`).
    fn simple_secret(
        &self,
        t: &crate::token::Token,
        base: &Object,
        mech: &Mechanism,
        wanted: Option<usize>,
    ) -> Result<(Secret, Option<Arc<Object>>)> {
        readable_secret(base)?;
        let other = match mech.params {
            Params::KeyHandle(h) => {
                let k = self.key(t, h).map_err(|_| Error::MechanismParamInvalid)?;
                readable_secret(&k)?;
                if !k.permits(CKA_DERIVE) {
                    return Err(Error::KeyFunctionNotPermitted);
                }
                Some(k)
            }
            _ => None,
        };
        let value = |o: &Object| o.attrs().bytes(CKA_VALUE).map(<[u8]>::to_vec);
        let base_value = Zeroizing::new(value(base).ok_or(Error::KeyTypeInconsistent)?);
        let other_value = other.as_deref().and_then(value).map(Zeroizing::new);
        let secret = simple_kdf::derive(
            mech.mech,
            &mech.params,
            &base_value,
            other_value.as_ref().map(|v| v.as_slice()),
            wanted,
        )?;
        Ok((secret, other))
    }

    /// `CKM_AES_ECB_ENCRYPT_DATA` / `CKM_AES_CBC_ENCRYPT_DATA`: the key is the data encrypted
    /// under the base key (as long as the data, or the template's shorter `CKA_VALUE_LEN`).
    fn encrypt_data_secret(
        &self,
        spec: &crate::mechanism::MechSpec,
        base: &Object,
        mech: &Mechanism,
        wanted: Option<usize>,
    ) -> Result<Secret> {
        let key = super::encrypt::check_aes_key(self, spec, base, CKA_DERIVE)?;
        let (mode, data) = aes::encrypt_data_mode(mech)?;
        let mut c = self
            .backend
            .cipher(&mode, &key, crate::crypto::Direction::Encrypt)?;
        let mut out = Zeroizing::new(c.update(data)?);
        out.extend_from_slice(&c.finish()?);
        // Too little data for the key asked for is the parameter's fault (as SoftHSMv2 says).
        match wanted {
            Some(0) => Err(Error::TemplateInconsistent),
            Some(l) if l > out.len() => Err(Error::MechanismParamInvalid),
            Some(l) => {
                out.truncate(l);
                Ok(out)
            }
            None => Ok(out),
        }
    }
}

/// Puts a derived value into a key's attributes; an AES key must have an AES length.
fn set_value(attrs: &mut crate::object::Attributes, key_type: CK_KEY_TYPE, v: &[u8]) -> Result<()> {
    if key_type == CKK_AES && !matches!(v.len(), 16 | 24 | 32) {
        return Err(Error::TemplateInconsistent);
    }
    attrs.set(CKA_VALUE, AttrValue::Bytes(v.to_vec()));
    attrs.set(CKA_VALUE_LEN, AttrValue::Ulong(v.len() as u64));
    Ok(())
}

/// A secret whose value the caller could read anyway: what 2.43's byte manipulations may
/// take without becoming a key-extraction oracle.
fn readable_secret(k: &Object) -> Result<()> {
    if k.class() != CKO_SECRET_KEY {
        return Err(Error::KeyTypeInconsistent);
    }
    if k.attrs().bool(CKA_SENSITIVE) || !k.attrs().bool(CKA_EXTRACTABLE) {
        return Err(Error::KeyFunctionNotPermitted);
    }
    Ok(())
}

/// A key derived by encrypting data under a sensitive (or unextractable) base key is so too:
/// a template asking otherwise is inconsistent.
fn keep_protection(
    new: &crate::object::Attributes,
    base: &crate::object::Attributes,
) -> Result<()> {
    let exposes = (base.bool(CKA_SENSITIVE) && !new.bool(CKA_SENSITIVE))
        || (!base.bool(CKA_EXTRACTABLE) && new.bool(CKA_EXTRACTABLE));
    if exposes {
        return Err(Error::TemplateInconsistent);
    }
    Ok(())
}

/// A secret key HKDF accepts as input keying material or salt.
fn is_hkdf_key(k: &Object) -> bool {
    k.class() == CKO_SECRET_KEY
        && matches!(k.attrs().key_type(), Some(CKK_GENERIC_SECRET | CKK_HKDF))
}
