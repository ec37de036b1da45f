//! Object management: create, copy, destroy, attributes, search (PKCS#11 3.x section 5.8).

use super::{check_object_access, require_rw};
use crate::audit::Operation;
use crate::crypto::key::modulus_bits;
use crate::error::{Error, Result};
use crate::mechanism::families::{des3, secret};
use crate::module::Module;
use crate::object::schema;
use crate::object::template::{self, Origin, Readout};
use crate::object::{AttrValue, Attributes, Object, Template};
use crate::session::operation::{FindOp, ensure_idle};
use crate::token::Location;
use cryptoki_sys::*;

/// One attribute's answer to `C_GetAttributeValue`.
pub enum AttributeAnswer {
    Value(AttrValue),
    Sensitive,
    Invalid,
}

impl Module {
    pub fn create_object(&self, h: CK_SESSION_HANDLE, tpl: &Template) -> Result<CK_OBJECT_HANDLE> {
        let (s, t) = self.session(h)?;
        self.audited(&s, Operation::CreateObject, |ev| {
            let login = t.login_state_recent();
            let mut attrs = template::build(tpl, Origin::Create, None, self.rights(login))?;
            ev.object = self.key_ref(&attrs);
            check_object_access(&s, login, attrs.is_token(), attrs.is_private())?;
            self.complete_imported_key(&mut attrs)?;
            let approved = self.import_approved(&attrs);
            template::derive_key_attributes(&mut attrs, Origin::Create, approved);
            Object::new(attrs.clone()).validate_key(self.backend)?;
            Ok(t.insert(self.backend, &*self.rng, h, vec![attrs])?[0])
        })
    }

    /// Fills in what the token derives for imported keys (CKA_MODULUS_BITS of an RSA public
    /// key, CKA_VALUE_LEN of a secret key) and checks secret key lengths.
    fn complete_imported_key(&self, attrs: &mut Attributes) -> Result<()> {
        if attrs.class() == CKO_PUBLIC_KEY && attrs.key_type() == Some(CKK_RSA) {
            let bits = attrs.bytes(CKA_MODULUS).map(modulus_bits).unwrap_or(0);
            attrs.set(CKA_MODULUS_BITS, AttrValue::Ulong(bits as u64));
        }
        if attrs.class() != CKO_SECRET_KEY {
            return Ok(());
        }
        let len = attrs
            .bytes(CKA_VALUE)
            .map(<[u8]>::len)
            .ok_or(Error::TemplateIncomplete)?;
        let ok = match attrs.key_type() {
            Some(CKK_AES) => matches!(len, 16 | 24 | 32),
            Some(CKK_DES3) => len == des3::KEY_LEN,
            _ => len > 0,
        };
        if !ok {
            return Err(Error::AttributeValueInvalid);
        }
        attrs.set(CKA_VALUE_LEN, AttrValue::Ulong(len as u64));
        Ok(())
    }

    /// Whether importing this key is an approved service: approved mode, approved backend,
    /// and a key type and size the policy approves.
    pub(super) fn import_approved(&self, attrs: &Attributes) -> bool {
        let p = &self.policy;
        if !p.fips_approved_only || !p.backend_fips {
            return false;
        }
        match attrs.key_type() {
            Some(CKK_RSA) => attrs
                .bytes(CKA_MODULUS)
                .map(modulus_bits)
                .is_some_and(|b| crate::mechanism::policy::APPROVED_RSA_BITS.contains(&b)),
            Some(CKK_EC) => matches!(crate::object::key::bits(attrs), Some(256) | Some(384)),
            Some(CKK_AES) => matches!(attrs.ulong(CKA_VALUE_LEN), Some(16 | 24 | 32)),
            Some(kt) if secret::is_hmac_key_type(kt) => {
                attrs.ulong(CKA_VALUE_LEN).is_some_and(|l| l >= 14)
            }
            _ => false,
        }
    }

    pub fn copy_object(
        &self,
        h: CK_SESSION_HANDLE,
        obj: CK_OBJECT_HANDLE,
        tpl: &Template,
    ) -> Result<CK_OBJECT_HANDLE> {
        let (s, t) = self.session(h)?;
        self.audited(&s, Operation::CopyObject, |ev| {
            let (o, _) = self.object(t, obj)?;
            ev.key = self.key_ref(o.attrs());
            let login = t.login_state_recent();
            let attrs = template::apply_copy(&o, tpl, self.rights(login))?;
            ev.object = self.key_ref(&attrs);
            check_object_access(&s, login, attrs.is_token(), attrs.is_private())?;
            Ok(t.insert(self.backend, &*self.rng, h, vec![attrs])?[0])
        })
    }

    pub fn destroy_object(&self, h: CK_SESSION_HANDLE, obj: CK_OBJECT_HANDLE) -> Result<()> {
        let (s, t) = self.session(h)?;
        self.audited(&s, Operation::DestroyObject, |ev| {
            let (o, loc) = self.object(t, obj)?;
            ev.object = self.key_ref(o.attrs());
            if matches!(loc, Location::Token { .. }) {
                require_rw(&s)?;
            }
            if !o.attrs().bool(CKA_DESTROYABLE) {
                return Err(Error::ActionProhibited);
            }
            t.destroy(self.backend, obj)
        })
    }

    /// `C_GetObjectSize`: the bytes its attribute values occupy.
    pub fn object_size(&self, h: CK_SESSION_HANDLE, obj: CK_OBJECT_HANDLE) -> Result<u64> {
        let (_, t) = self.session(h)?;
        let (o, _) = self.object(t, obj)?;
        let size = o
            .attrs()
            .iter()
            .map(|(_, v)| match v {
                AttrValue::Bool(_) => 1,
                AttrValue::Ulong(_) => 8,
                AttrValue::Bytes(b) => b.len(),
                AttrValue::Template(t) => 24 * t.len(),
                AttrValue::MechanismList(m) => 8 * m.len(),
            })
            .sum::<usize>();
        Ok(size as u64)
    }

    pub fn get_attributes(
        &self,
        h: CK_SESSION_HANDLE,
        obj: CK_OBJECT_HANDLE,
        types: &[CK_ATTRIBUTE_TYPE],
    ) -> Result<Vec<AttributeAnswer>> {
        let (_, t) = self.session(h)?;
        let (o, complete) = t.object_view(self.backend, obj)?;
        Ok(types
            .iter()
            .map(|ty| match template::read(&o, *ty) {
                Readout::Value(v) => AttributeAnswer::Value(v.clone()),
                Readout::Sensitive => AttributeAnswer::Sensitive,
                // Key material still sealed before login cannot be revealed.
                Readout::Invalid if !complete && schema::is_secret(o.class(), *ty) => {
                    AttributeAnswer::Sensitive
                }
                Readout::Invalid => AttributeAnswer::Invalid,
            })
            .collect())
    }

    pub fn set_attributes(
        &self,
        h: CK_SESSION_HANDLE,
        obj: CK_OBJECT_HANDLE,
        tpl: &Template,
    ) -> Result<()> {
        let (s, t) = self.session(h)?;
        self.audited(&s, Operation::SetAttributeValue, |ev| {
            let (o, loc) = self.object(t, obj)?;
            ev.object = self.key_ref(o.attrs());
            if matches!(loc, Location::Token { .. }) {
                require_rw(&s)?;
            }
            let rights = self.rights(t.login_state_recent());
            t.modify(self.backend, &*self.rng, obj, |current| {
                template::apply_set(current, tpl, rights)
            })
        })
    }

    pub fn find_objects_init(&self, h: CK_SESSION_HANDLE, tpl: &Template) -> Result<()> {
        let (s, t) = self.session(h)?;
        let handles = t.find(self.backend, tpl)?;
        let mut st = s.lock();
        ensure_idle(&st.ops.find)?;
        st.ops.find = Some(FindOp { handles, pos: 0 });
        Ok(())
    }

    pub fn find_objects(&self, h: CK_SESSION_HANDLE, max: usize) -> Result<Vec<CK_OBJECT_HANDLE>> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let f = st.ops.find.as_mut().ok_or(Error::OperationNotInitialized)?;
        let end = f.pos.saturating_add(max).min(f.handles.len());
        let out = f.handles[f.pos..end].to_vec();
        f.pos = end;
        Ok(out)
    }

    pub fn find_objects_final(&self, h: CK_SESSION_HANDLE) -> Result<()> {
        let (s, _) = self.session(h)?;
        s.lock()
            .ops
            .find
            .take()
            .ok_or(Error::OperationNotInitialized)?;
        Ok(())
    }
}
