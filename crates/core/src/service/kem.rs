//! Key encapsulation (PKCS#11 3.2 `C_EncapsulateKey` / `C_DecapsulateKey`) with ML-KEM: the
//! shared secret becomes a secret-key object built from the caller's template.

use super::{check_object_access, rv_of};
use crate::audit::{Event, Operation};
use crate::crypto::MlKemSet;
use crate::crypto::pqc::ML_KEM_SHARED_SECRET_LEN;
use crate::error::{Error, Result};
use crate::mechanism::{Mechanism, Op, Params};
use crate::module::Module;
use crate::object::template::{self, Origin};
use crate::object::{AttrValue, Attributes, Object, Template, key};
use crate::session::Session;
use crate::session::operation::{OutBuf, Output};
use crate::token::Token;
use cryptoki_sys::*;
use std::sync::Arc;
use zeroize::Zeroizing;

impl Module {
    /// `C_EncapsulateKey`: the ciphertext, and the new key's handle once it exists. A length
    /// query or a too-small buffer creates nothing.
    pub fn encapsulate_key(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        public: CK_OBJECT_HANDLE,
        tpl: &Template,
        out: OutBuf,
    ) -> Result<(Output, Option<CK_OBJECT_HANDLE>)> {
        let (s, t) = self.session(h)?;
        let mut used = None;
        let r = (|| {
            self.audit_ready()?;
            let (obj, set) = self.kem_key(t, mech, public, CKO_PUBLIC_KEY, Op::Encapsulate)?;
            used = self.key_ref(obj.attrs());
            let ct_len = set.ciphertext_len();
            match out {
                OutBuf::Query => return Ok((Output::Length(ct_len), None)),
                OutBuf::Capacity(c) if c < ct_len => return Ok((Output::TooSmall(ct_len), None)),
                OutBuf::Capacity(_) => {}
            }
            let tpl = template::with_key_template(tpl, obj.attrs(), CKA_ENCAPSULATE_TEMPLATE)?;
            let attrs = self.shared_secret_attrs(&s, t, &tpl)?;
            let (ct, secret) = obj.public_ops(self.backend)?.encapsulate(&*self.rng)?;
            let handle = self.store_secret(t, h, attrs, &secret, None)?;
            Ok((Output::Data(Zeroizing::new(ct)), Some(handle)))
        })();
        // Only a call that made a key (or failed) is a service worth recording.
        if !matches!(r, Ok((Output::Length(_) | Output::TooSmall(_), _))) {
            let event = Event::new(Operation::Encapsulate {
                mechanism: mech.mech as u64,
                fips_approved: false,
            })
            .key(used);
            self.record(&s, event, rv_of(&r));
        }
        r
    }

    /// `C_DecapsulateKey`.
    pub fn decapsulate_key(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        private: CK_OBJECT_HANDLE,
        tpl: &Template,
        ct: &[u8],
    ) -> Result<CK_OBJECT_HANDLE> {
        let (s, t) = self.session(h)?;
        let mut used = None;
        let r = (|| {
            self.audit_ready()?;
            let (obj, set) = self.kem_key(t, mech, private, CKO_PRIVATE_KEY, Op::Decapsulate)?;
            used = self.key_ref(obj.attrs());
            if ct.len() != set.ciphertext_len() {
                return Err(Error::EncryptedDataLenRange);
            }
            let tpl = template::with_key_template(tpl, obj.attrs(), CKA_DECAPSULATE_TEMPLATE)?;
            let attrs = self.shared_secret_attrs(&s, t, &tpl)?;
            let secret = obj.private_ops(self.backend)?.decapsulate(ct)?;
            self.store_secret(t, h, attrs, &secret, Some(obj.attrs()))
        })();
        let event = Event::new(Operation::Decapsulate {
            mechanism: mech.mech as u64,
            fips_approved: false,
        })
        .key(used);
        self.record(&s, event, rv_of(&r));
        r
    }

    /// The ML-KEM key for an encapsulation (`class` public) or decapsulation (private).
    fn kem_key(
        &self,
        t: &Token,
        mech: &Mechanism,
        handle: CK_OBJECT_HANDLE,
        class: CK_OBJECT_CLASS,
        op: Op,
    ) -> Result<(Arc<Object>, MlKemSet)> {
        let spec = self.policy.lookup(mech.mech, op)?;
        if mech.params != Params::None {
            return Err(Error::MechanismParamInvalid);
        }
        let obj = self.key(t, handle).map_err(|e| match e {
            Error::ObjectHandleInvalid => Error::KeyHandleInvalid,
            e => e,
        })?;
        if obj.class() != class || obj.attrs().key_type() != Some(CKK_ML_KEM) {
            return Err(Error::KeyTypeInconsistent);
        }
        let usage = if op == Op::Encapsulate {
            CKA_ENCAPSULATE
        } else {
            CKA_DECAPSULATE
        };
        if !obj.permits(usage) {
            return Err(Error::KeyFunctionNotPermitted);
        }
        if !obj.allows_mechanism(mech.mech) {
            return Err(Error::MechanismInvalid);
        }
        let set = key::ml_kem_set(obj.attrs())?;
        self.policy.check_key_size(spec, set.public_key_len())?;
        Ok((obj, set))
    }

    /// The new secret key's attributes from the caller's template (generic secret unless it
    /// names AES), before its value is known.
    fn shared_secret_attrs(&self, s: &Session, t: &Token, tpl: &Template) -> Result<Attributes> {
        let key_type = match crate::object::attribute::find(tpl, CKA_KEY_TYPE) {
            Some(AttrValue::Ulong(k)) => *k as CK_KEY_TYPE,
            Some(_) => return Err(Error::AttributeValueInvalid),
            None => CKK_GENERIC_SECRET,
        };
        let login = t.login_state_recent();
        let attrs = template::build(
            tpl,
            Origin::Derive,
            Some((CKO_SECRET_KEY, key_type)),
            self.rights(login),
        )?;
        check_object_access(s, login, attrs.is_token(), attrs.is_private())?;
        let len = attrs
            .ulong(CKA_VALUE_LEN)
            .map_or(ML_KEM_SHARED_SECRET_LEN, |l| l as usize);
        let aes_ok = key_type != CKK_AES || matches!(len, 16 | 24 | 32);
        if len == 0 || len > ML_KEM_SHARED_SECRET_LEN || !aes_ok {
            return Err(Error::TemplateInconsistent);
        }
        Ok(attrs)
    }

    /// Stores the key: the shared secret's leading `CKA_VALUE_LEN` bytes (all 32 by default).
    fn store_secret(
        &self,
        t: &Token,
        h: CK_SESSION_HANDLE,
        mut attrs: Attributes,
        secret: &[u8],
        base: Option<&Attributes>,
    ) -> Result<CK_OBJECT_HANDLE> {
        let len = attrs
            .ulong(CKA_VALUE_LEN)
            .map_or(secret.len(), |l| l as usize);
        attrs.set(CKA_VALUE, AttrValue::Bytes(secret[..len].to_vec()));
        attrs.set(CKA_VALUE_LEN, AttrValue::Ulong(len as u64));
        template::derive_key_attributes(&mut attrs, Origin::Derive, false);
        if let Some(base) = base {
            template::inherit_from_base(&mut attrs, &[base]);
        }
        Ok(t.insert(self.backend, &*self.rng, h, vec![attrs])?[0])
    }
}
