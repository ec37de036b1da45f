//! Objects: attributes plus, for keys, the backend's parsed key (parsed once, on first use or
//! when the object is created, and wiped by the backend type's own drop).

pub mod attribute;
pub mod key;
pub mod schema;
pub mod template;

use crate::crypto::{Curve, PrivateKeyOps, Provider, PublicKeyOps};
use crate::error::{Error, Result};
pub use attribute::{AttrValue, Attributes, Template};
use cryptoki_sys::*;
use std::sync::{Arc, OnceLock};

/// A key parsed into backend form.
#[derive(Clone)]
pub enum KeyOps {
    Private(Arc<dyn PrivateKeyOps>),
    Public(Arc<dyn PublicKeyOps>),
}

/// A PKCS#11 object.
pub struct Object {
    attrs: Attributes,
    parsed: OnceLock<KeyOps>,
}

impl std::fmt::Debug for Object {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Object")
            .field("class", &self.attrs.class())
            .field("token", &self.attrs.is_token())
            .finish_non_exhaustive()
    }
}

impl Object {
    pub fn new(attrs: Attributes) -> Self {
        Object {
            attrs,
            parsed: OnceLock::new(),
        }
    }

    pub fn attrs(&self) -> &Attributes {
        &self.attrs
    }

    pub fn class(&self) -> CK_OBJECT_CLASS {
        self.attrs.class()
    }

    pub fn is_key(&self) -> bool {
        matches!(
            self.class(),
            CKO_PUBLIC_KEY | CKO_PRIVATE_KEY | CKO_SECRET_KEY
        )
    }

    /// The parsed key, parsing it on first use.
    fn ops(&self, be: &Provider) -> Result<KeyOps> {
        if let Some(k) = self.parsed.get() {
            return Ok(k.clone());
        }
        let k = key::parse(be, &self.attrs)?;
        Ok(self.parsed.get_or_init(|| k).clone())
    }

    /// Parses now, so a bad key is refused when it is created, not when it is used.
    pub fn validate_key(&self, be: &Provider) -> Result<()> {
        match self.class() {
            CKO_PRIVATE_KEY | CKO_PUBLIC_KEY => self.ops(be).map(|_| ()),
            _ => Ok(()),
        }
    }

    pub fn private_ops(&self, be: &Provider) -> Result<Arc<dyn PrivateKeyOps>> {
        match self.ops(be)? {
            KeyOps::Private(k) => Ok(k),
            KeyOps::Public(_) => Err(Error::KeyTypeInconsistent),
        }
    }

    pub fn public_ops(&self, be: &Provider) -> Result<Arc<dyn PublicKeyOps>> {
        match self.ops(be)? {
            KeyOps::Public(k) => Ok(k),
            KeyOps::Private(_) => Err(Error::KeyTypeInconsistent),
        }
    }

    /// Key size as policy counts it: modulus bits, curve bits, or secret length in bits.
    pub fn key_bits(&self) -> Option<usize> {
        key::bits(&self.attrs)
    }

    pub fn curve(&self) -> Option<Curve> {
        self.attrs
            .bytes(CKA_EC_PARAMS)
            .and_then(|p| Curve::from_ec_params(p).ok())
    }

    /// A copy of the attributes with `changes` applied, sharing nothing mutable.
    pub fn with_changes(&self, changes: &[(CK_ATTRIBUTE_TYPE, AttrValue)]) -> Attributes {
        let mut attrs = self.attrs.clone();
        for (ty, v) in changes {
            attrs.set(*ty, v.clone());
        }
        attrs
    }

    /// Whether the key's usage attribute permits `usage` (CKA_SIGN, CKA_ENCRYPT, ...).
    pub fn permits(&self, usage: CK_ATTRIBUTE_TYPE) -> bool {
        self.attrs.bool(usage)
    }

    /// Whether `mech` is in CKA_ALLOWED_MECHANISMS (an empty or absent list allows all).
    pub fn allows_mechanism(&self, mech: CK_MECHANISM_TYPE) -> bool {
        match self.attrs.get(CKA_ALLOWED_MECHANISMS) {
            Some(AttrValue::MechanismList(list)) if !list.is_empty() => {
                list.contains(&(mech as u64))
            }
            _ => true,
        }
    }

    /// Whether a secret attribute may be revealed (not sensitive and extractable).
    pub fn reveals_secrets(&self) -> bool {
        !self.attrs.bool(CKA_SENSITIVE) && self.attrs.bool(CKA_EXTRACTABLE)
    }

    /// Whether the key came from an approved service (`CKA_VENDOR_FIPS_APPROVED`): a key made
    /// outside approved mode never makes a later operation an approved service.
    pub fn approved_key(&self) -> bool {
        self.attrs.bool(attribute::CKA_VENDOR_FIPS_APPROVED)
    }

    /// Whether the object matches a search template. A secret attribute of a key that does
    /// not reveal its secrets never matches, so a search cannot confirm a guessed key value.
    pub fn matches(&self, template: &[(CK_ATTRIBUTE_TYPE, AttrValue)]) -> bool {
        let hidden = |ty| !self.reveals_secrets() && schema::is_secret(self.class(), ty);
        template
            .iter()
            .all(|(ty, v)| !hidden(*ty) && self.attrs.get(*ty) == Some(v))
    }
}
