//! Attribute values in typed form, the kind each known attribute type has, and an ordered
//! attribute set. The ABI converts between these and `CK_ATTRIBUTE` bytes; storage serializes
//! them with serde.

use crate::error::{Error, Result};
use crate::limits::{MAX_ATTR_VALUE_LEN, MAX_TEMPLATE_ATTRS};
use cryptoki_sys::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use zeroize::Zeroize;

/// The vendor attribute marking keys generated or imported by an approved service.
pub const CKA_VENDOR_FIPS_APPROVED: CK_ATTRIBUTE_TYPE = CKA_VENDOR_DEFINED | 0x0000_0001;

/// How an attribute's value is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttrKind {
    Bool,
    Ulong,
    Bytes,
    /// `CK_DATE`: empty or 8 ASCII digits.
    Date,
    /// An array of attributes (`CKA_WRAP_TEMPLATE` and friends).
    Template,
    /// An array of `CK_MECHANISM_TYPE` (`CKA_ALLOWED_MECHANISMS`).
    MechanismList,
}

/// A typed attribute value. Byte values are wiped when dropped: key material lives here.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttrValue {
    Bool(bool),
    Ulong(u64),
    Bytes(Vec<u8>),
    /// The attributes of a template attribute: plain values only (PKCS#11 nests no further).
    #[serde(deserialize_with = "flat_template")]
    Template(Vec<(u64, AttrValue)>),
    MechanismList(Vec<u64>),
}

/// A stored template entry: `AttrValue`'s encoding without the nesting, so that decoding
/// cannot recurse — a stored row nested thousands of levels deep is a decode error, not a
/// stack overflow in every process that opens the token.
#[derive(Deserialize)]
enum FlatValue {
    Bool(bool),
    Ulong(u64),
    Bytes(Vec<u8>),
    /// Keeps `AttrValue`'s variant numbers; never valid inside a template.
    Template(#[allow(dead_code)] Vec<(u64, Never)>),
    MechanismList(Vec<u64>),
}

/// Nothing decodes as this.
#[derive(Deserialize)]
enum Never {}

fn flat_template<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Vec<(u64, AttrValue)>, D::Error> {
    let flat: Vec<(u64, FlatValue)> = Vec::deserialize(d)?;
    flat.into_iter()
        .map(|(ty, v)| {
            let v = match v {
                FlatValue::Bool(b) => AttrValue::Bool(b),
                FlatValue::Ulong(u) => AttrValue::Ulong(u),
                FlatValue::Bytes(b) => AttrValue::Bytes(b),
                FlatValue::MechanismList(m) => AttrValue::MechanismList(m),
                FlatValue::Template(_) => {
                    return Err(serde::de::Error::custom("template nested in a template"));
                }
            };
            Ok((ty, v))
        })
        .collect()
}

impl Drop for AttrValue {
    fn drop(&mut self) {
        if let AttrValue::Bytes(b) = self {
            b.zeroize();
        }
    }
}

impl AttrValue {
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            AttrValue::Bool(b) => Some(*b),
            _ => None,
        }
    }
    pub fn as_ulong(&self) -> Option<u64> {
        match self {
            AttrValue::Ulong(v) => Some(*v),
            _ => None,
        }
    }
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            AttrValue::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

/// The kind of a known attribute type; `None` for types this token does not know.
pub fn kind_of(ty: CK_ATTRIBUTE_TYPE) -> Option<AttrKind> {
    use AttrKind::*;
    Some(match ty {
        CKA_TOKEN
        | CKA_PRIVATE
        | CKA_MODIFIABLE
        | CKA_COPYABLE
        | CKA_DESTROYABLE
        | CKA_TRUSTED
        | CKA_SENSITIVE
        | CKA_ENCRYPT
        | CKA_DECRYPT
        | CKA_WRAP
        | CKA_UNWRAP
        | CKA_SIGN
        | CKA_SIGN_RECOVER
        | CKA_VERIFY
        | CKA_VERIFY_RECOVER
        | CKA_DERIVE
        | CKA_EXTRACTABLE
        | CKA_LOCAL
        | CKA_NEVER_EXTRACTABLE
        | CKA_ALWAYS_SENSITIVE
        | CKA_WRAP_WITH_TRUSTED
        | CKA_ALWAYS_AUTHENTICATE
        | CKA_ENCAPSULATE
        | CKA_DECAPSULATE
        | CKA_VENDOR_FIPS_APPROVED => Bool,
        CKA_CLASS
        | CKA_KEY_TYPE
        | CKA_CERTIFICATE_TYPE
        | CKA_CERTIFICATE_CATEGORY
        | CKA_JAVA_MIDP_SECURITY_DOMAIN
        | CKA_NAME_HASH_ALGORITHM
        | CKA_MODULUS_BITS
        | CKA_VALUE_LEN
        | CKA_KEY_GEN_MECHANISM
        | CKA_PARAMETER_SET => Ulong,
        CKA_LABEL
        | CKA_APPLICATION
        | CKA_VALUE
        | CKA_OBJECT_ID
        | CKA_ISSUER
        | CKA_SERIAL_NUMBER
        | CKA_SUBJECT
        | CKA_ID
        | CKA_URL
        | CKA_HASH_OF_SUBJECT_PUBLIC_KEY
        | CKA_HASH_OF_ISSUER_PUBLIC_KEY
        | CKA_CHECK_VALUE
        | CKA_PUBLIC_KEY_INFO
        | CKA_MODULUS
        | CKA_PUBLIC_EXPONENT
        | CKA_PRIVATE_EXPONENT
        | CKA_PRIME_1
        | CKA_PRIME_2
        | CKA_EXPONENT_1
        | CKA_EXPONENT_2
        | CKA_COEFFICIENT
        | CKA_EC_PARAMS
        | CKA_EC_POINT
        | CKA_UNIQUE_ID
        | CKA_SEED => Bytes,
        CKA_START_DATE | CKA_END_DATE => Date,
        CKA_WRAP_TEMPLATE
        | CKA_UNWRAP_TEMPLATE
        | CKA_DERIVE_TEMPLATE
        | CKA_ENCAPSULATE_TEMPLATE
        | CKA_DECAPSULATE_TEMPLATE => Template,
        CKA_ALLOWED_MECHANISMS => MechanismList,
        _ => return None,
    })
}

/// Checks a value against the kind of its type (dates: empty or eight ASCII digits).
pub fn check_kind(ty: CK_ATTRIBUTE_TYPE, v: &AttrValue) -> Result<()> {
    let kind = kind_of(ty).ok_or(Error::AttributeTypeInvalid)?;
    let ok = match (kind, v) {
        (AttrKind::Bool, AttrValue::Bool(_)) | (AttrKind::Ulong, AttrValue::Ulong(_)) => true,
        (AttrKind::Bytes, AttrValue::Bytes(b)) => b.len() <= MAX_ATTR_VALUE_LEN,
        (AttrKind::Date, AttrValue::Bytes(b)) => {
            b.is_empty() || (b.len() == 8 && b.iter().all(u8::is_ascii_digit))
        }
        (AttrKind::Template, AttrValue::Template(t)) => {
            t.len() <= MAX_TEMPLATE_ATTRS
                && t.iter().all(|(ty, v)| {
                    !matches!(v, AttrValue::Template(_))
                        && check_kind(*ty as CK_ATTRIBUTE_TYPE, v).is_ok()
                })
        }
        (AttrKind::MechanismList, AttrValue::MechanismList(m)) => {
            m.len() <= MAX_ATTR_VALUE_LEN / size_of::<CK_ULONG>()
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(Error::AttributeValueInvalid)
    }
}

/// A caller's template: attributes in the order given.
pub type Template = Vec<(CK_ATTRIBUTE_TYPE, AttrValue)>;

/// Looks up a type in a template (the last occurrence wins, as most tokens do).
pub fn find(t: &[(CK_ATTRIBUTE_TYPE, AttrValue)], ty: CK_ATTRIBUTE_TYPE) -> Option<&AttrValue> {
    t.iter().rev().find(|(k, _)| *k == ty).map(|(_, v)| v)
}

/// An object's attributes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Attributes(BTreeMap<u64, AttrValue>);

impl Attributes {
    pub fn new() -> Self {
        Attributes(BTreeMap::new())
    }
    pub fn get(&self, ty: CK_ATTRIBUTE_TYPE) -> Option<&AttrValue> {
        self.0.get(&(ty as u64))
    }
    pub fn set(&mut self, ty: CK_ATTRIBUTE_TYPE, v: AttrValue) {
        self.0.insert(ty as u64, v);
    }
    pub fn remove(&mut self, ty: CK_ATTRIBUTE_TYPE) {
        self.0.remove(&(ty as u64));
    }
    pub fn contains(&self, ty: CK_ATTRIBUTE_TYPE) -> bool {
        self.0.contains_key(&(ty as u64))
    }
    pub fn bool(&self, ty: CK_ATTRIBUTE_TYPE) -> bool {
        self.get(ty).and_then(AttrValue::as_bool).unwrap_or(false)
    }
    pub fn ulong(&self, ty: CK_ATTRIBUTE_TYPE) -> Option<u64> {
        self.get(ty).and_then(AttrValue::as_ulong)
    }
    pub fn bytes(&self, ty: CK_ATTRIBUTE_TYPE) -> Option<&[u8]> {
        self.get(ty).and_then(AttrValue::as_bytes)
    }
    pub fn iter(&self) -> impl Iterator<Item = (CK_ATTRIBUTE_TYPE, &AttrValue)> {
        self.0.iter().map(|(k, v)| (*k as CK_ATTRIBUTE_TYPE, v))
    }
    pub fn class(&self) -> CK_OBJECT_CLASS {
        self.ulong(CKA_CLASS)
            .unwrap_or(CK_UNAVAILABLE_INFORMATION as u64) as CK_OBJECT_CLASS
    }
    pub fn key_type(&self) -> Option<CK_KEY_TYPE> {
        self.ulong(CKA_KEY_TYPE).map(|v| v as CK_KEY_TYPE)
    }
    pub fn is_token(&self) -> bool {
        self.bool(CKA_TOKEN)
    }
    pub fn is_private(&self) -> bool {
        self.bool(CKA_PRIVATE)
    }
    /// Whether every attribute of `template` is present here with an equal value.
    pub fn matches(&self, template: &[(CK_ATTRIBUTE_TYPE, AttrValue)]) -> bool {
        template.iter().all(|(ty, v)| self.get(*ty) == Some(v))
    }
    /// Splits off the attributes that satisfy `pred` (used to separate key material).
    pub fn split_off(&mut self, pred: impl Fn(CK_ATTRIBUTE_TYPE) -> bool) -> Attributes {
        let keys: Vec<u64> = self
            .0
            .keys()
            .copied()
            .filter(|k| pred(*k as CK_ATTRIBUTE_TYPE))
            .collect();
        let mut out = Attributes::new();
        for k in keys {
            if let Some(v) = self.0.remove(&k) {
                out.0.insert(k, v);
            }
        }
        out
    }
    /// Checks attributes read back from the store against the rules a caller's template is
    /// held to (known types, kinds, bounds, no nested templates): a row written by an older
    /// version or by hand that breaks them is refused, never loaded.
    pub fn check_stored(&self) -> Result<()> {
        if self.0.len() > MAX_TEMPLATE_ATTRS {
            return Err(Error::AttributeValueInvalid);
        }
        self.iter().try_for_each(|(ty, v)| check_kind(ty, v))
    }

    /// Merges `other` in, its values winning.
    pub fn extend(&mut self, other: Attributes) {
        let Attributes(mut map) = other;
        self.0.append(&mut map);
    }
}
