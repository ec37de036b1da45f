//! Template checks with the spec's return codes: building a new object's attributes (create,
//! generate, unwrap, derive), changing them (set, copy), and reading them.

use super::Object;
use super::attribute::{AttrValue, Attributes, check_kind, kind_of};
use super::schema::{self, Rule};
use crate::error::{Error, Result};
use cryptoki_sys::*;

/// How an object comes into being; decides which rules apply and the derived attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Create,
    Generate(CK_MECHANISM_TYPE),
    Unwrap,
    Derive,
}

/// What the caller may do beyond the template rules: the SO may set `CKA_TRUSTED`; key roles
/// may be mixed only where the configuration allows it (`security.allow_mixed_key_roles`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Rights {
    pub so: bool,
    pub mixed_key_roles: bool,
}

/// The key-transport roles of a secret key, and its data-encryption roles. A hidden key with
/// one of each is a wrap/decrypt or unwrap/encrypt oracle: wrap a sensitive key, then decrypt
/// the blob; or encrypt a chosen value, then unwrap it as a key (docs/security.md).
const TRANSPORT: [CK_ATTRIBUTE_TYPE; 2] = [CKA_WRAP, CKA_UNWRAP];
const DATA: [CK_ATTRIBUTE_TYPE; 2] = [CKA_ENCRYPT, CKA_DECRYPT];

/// Whether a secret key whose value is hidden (sensitive or unextractable) holds both a
/// key-transport and a data-encryption role. A key whose value anyone may read is no oracle:
/// its value already decrypts whatever it wraps.
pub fn mixes_key_roles(attrs: &Attributes) -> bool {
    let hidden = attrs.bool(CKA_SENSITIVE) || !attrs.bool(CKA_EXTRACTABLE);
    attrs.class() == CKO_SECRET_KEY
        && hidden
        && TRANSPORT.iter().any(|t| attrs.bool(*t))
        && DATA.iter().any(|t| attrs.bool(*t))
}

/// Refuses a secret key that would hold both roles, unless the configuration allows it.
fn check_key_roles(attrs: &Attributes, rights: Rights) -> Result<()> {
    if !rights.mixed_key_roles && mixes_key_roles(attrs) {
        return Err(Error::TemplateInconsistent);
    }
    Ok(())
}

/// A secret key's role defaults (PKCS#11 leaves them token-specific): no key-transport role
/// unless asked for, and the data-encryption roles only when no transport role was asked for.
fn role_default(
    class: CK_OBJECT_CLASS,
    ty: CK_ATTRIBUTE_TYPE,
    template: &[(CK_ATTRIBUTE_TYPE, AttrValue)],
) -> Option<AttrValue> {
    if class != CKO_SECRET_KEY {
        return None;
    }
    let asked = |t: &CK_ATTRIBUTE_TYPE| {
        super::attribute::find(template, *t) == Some(&AttrValue::Bool(true))
    };
    if TRANSPORT.contains(&ty) {
        Some(AttrValue::Bool(false))
    } else if DATA.contains(&ty) {
        Some(AttrValue::Bool(!TRANSPORT.iter().any(asked)))
    } else {
        None
    }
}

/// Builds a new object's attributes from a caller's template.
///
/// `expected` is the class and subtype the operation produces (generation, unwrap); the
/// template may repeat them but not contradict them.
pub fn build(
    template: &[(CK_ATTRIBUTE_TYPE, AttrValue)],
    origin: Origin,
    expected: Option<(CK_OBJECT_CLASS, CK_ULONG)>,
    rights: Rights,
) -> Result<Attributes> {
    let class = resolve(template, CKA_CLASS, expected.map(|e| e.0))?;
    let sub_attr = schema::subtype_attr(class);
    let subtype = match sub_attr {
        Some(a) => Some(resolve(template, a, expected.map(|e| e.1))?),
        None => None,
    };
    let rules = schema::rules_for(class, subtype).ok_or(Error::AttributeValueInvalid)?;

    let mut attrs = Attributes::new();
    for (ty, v) in template {
        let rule = rule_for(&rules, *ty)?;
        check_kind(*ty, v)?;
        check_origin(rule, origin)?;
        if rule.has(schema::SO_ONLY_TRUE) && v.as_bool() == Some(true) && !rights.so {
            return Err(Error::AttributeReadOnly);
        }
        if let Some(prev) = attrs.get(*ty)
            && prev != v
        {
            return Err(Error::TemplateInconsistent);
        }
        attrs.set(*ty, v.clone());
    }
    attrs.set(CKA_CLASS, AttrValue::Ulong(class as u64));
    if let (Some(a), Some(s)) = (sub_attr, subtype) {
        attrs.set(a, AttrValue::Ulong(s as u64));
    }
    for rule in &rules {
        if attrs.contains(rule.ty) {
            continue;
        }
        let required = match origin {
            Origin::Create => rule.has(schema::REQ_CREATE),
            Origin::Generate(_) => rule.has(schema::REQ_GEN),
            Origin::Unwrap | Origin::Derive => false,
        };
        if required {
            return Err(Error::TemplateIncomplete);
        }
        let default = match (origin, rule.ty) {
            // 5.18: an unwrapped key's "CKA_EXTRACTABLE attribute is by default set to CK_TRUE".
            (Origin::Unwrap, CKA_EXTRACTABLE) => Some(AttrValue::Bool(true)),
            _ => role_default(class, rule.ty, template).or_else(|| rule.default.value()),
        };
        if let Some(v) = default {
            attrs.set(rule.ty, v);
        }
    }
    check_key_roles(&attrs, rights)?;
    Ok(attrs)
}

/// The class or subtype: from the template, else from the operation; both must agree.
fn resolve(
    template: &[(CK_ATTRIBUTE_TYPE, AttrValue)],
    ty: CK_ATTRIBUTE_TYPE,
    expected: Option<CK_ULONG>,
) -> Result<CK_ULONG> {
    let given = match super::attribute::find(template, ty) {
        Some(AttrValue::Ulong(v)) => Some(*v as CK_ULONG),
        Some(_) => return Err(Error::AttributeValueInvalid),
        None => None,
    };
    match (given, expected) {
        (Some(g), Some(e)) if g != e => Err(Error::TemplateInconsistent),
        (Some(g), _) => Ok(g),
        (None, Some(e)) => Ok(e),
        (None, None) => Err(Error::TemplateIncomplete),
    }
}

fn rule_for(rules: &[Rule], ty: CK_ATTRIBUTE_TYPE) -> Result<&Rule> {
    rules
        .iter()
        .find(|r| r.ty == ty)
        .ok_or(Error::AttributeTypeInvalid)
}

fn check_origin(rule: &Rule, origin: Origin) -> Result<()> {
    let token_set = rule.has(schema::NO_CREATE) && rule.has(schema::NO_GEN);
    match origin {
        Origin::Create if rule.has(schema::NO_CREATE) => Err(Error::AttributeReadOnly),
        Origin::Generate(_) if token_set => Err(Error::AttributeReadOnly),
        Origin::Generate(_) if rule.has(schema::NO_GEN) => Err(Error::TemplateInconsistent),
        Origin::Unwrap | Origin::Derive if token_set => Err(Error::AttributeReadOnly),
        Origin::Unwrap | Origin::Derive if rule.has(schema::NO_UNWRAP) => {
            Err(Error::TemplateInconsistent)
        }
        _ => Ok(()),
    }
}

/// Sets the attributes the token derives for a new key (PKCS#11 4.7, 4.8: CKA_LOCAL,
/// CKA_KEY_GEN_MECHANISM, CKA_ALWAYS_SENSITIVE, CKA_NEVER_EXTRACTABLE).
pub fn derive_key_attributes(attrs: &mut Attributes, origin: Origin, approved: bool) {
    let class = attrs.class();
    if !matches!(class, CKO_PUBLIC_KEY | CKO_PRIVATE_KEY | CKO_SECRET_KEY) {
        return;
    }
    let (local, mech) = match origin {
        Origin::Generate(m) => (true, m as u64),
        _ => (false, CK_UNAVAILABLE_INFORMATION as u64),
    };
    attrs.set(CKA_LOCAL, AttrValue::Bool(local));
    attrs.set(CKA_KEY_GEN_MECHANISM, AttrValue::Ulong(mech));
    attrs.set(
        super::attribute::CKA_VENDOR_FIPS_APPROVED,
        AttrValue::Bool(approved),
    );
    if class != CKO_PUBLIC_KEY {
        // Material that arrived from outside (created or unwrapped) was never "always
        // sensitive"; derived keys are settled by `inherit_from_base`.
        let from_outside = matches!(origin, Origin::Create | Origin::Unwrap);
        let sensitive = attrs.bool(CKA_SENSITIVE);
        let extractable = attrs.bool(CKA_EXTRACTABLE);
        attrs.set(
            CKA_ALWAYS_SENSITIVE,
            AttrValue::Bool(sensitive && !from_outside),
        );
        attrs.set(
            CKA_NEVER_EXTRACTABLE,
            AttrValue::Bool(!extractable && !from_outside),
        );
    }
}

/// The caller's template for a key made with `key` (unwrap, derive), merged with the key's
/// `CKA_UNWRAP_TEMPLATE` or `CKA_DERIVE_TEMPLATE` (`which`): the caller may repeat its values
/// but not contradict them (`CKR_TEMPLATE_INCONSISTENT`), and what it leaves out is taken from
/// it.
pub fn with_key_template(
    given: &[(CK_ATTRIBUTE_TYPE, AttrValue)],
    key: &Attributes,
    which: CK_ATTRIBUTE_TYPE,
) -> Result<Vec<(CK_ATTRIBUTE_TYPE, AttrValue)>> {
    let mut full = given.to_vec();
    if let Some(AttrValue::Template(required)) = key.get(which) {
        for (ty, v) in required {
            let ty = *ty as CK_ATTRIBUTE_TYPE;
            match super::attribute::find(given, ty) {
                Some(g) if g != v => return Err(Error::TemplateInconsistent),
                Some(_) => {}
                None => full.push((ty, v.clone())),
            }
        }
    }
    Ok(full)
}

/// A derived key inherits "always sensitive" and "never extractable" only from base keys
/// that all had them (PKCS#11 3.x 5.18.5, C_DeriveKey; an HKDF salt key counts as a base).
pub fn inherit_from_base(attrs: &mut Attributes, bases: &[&Attributes]) {
    let sensitive = attrs.bool(CKA_SENSITIVE) && bases.iter().all(|b| b.bool(CKA_ALWAYS_SENSITIVE));
    let never_extractable =
        !attrs.bool(CKA_EXTRACTABLE) && bases.iter().all(|b| b.bool(CKA_NEVER_EXTRACTABLE));
    attrs.set(CKA_ALWAYS_SENSITIVE, AttrValue::Bool(sensitive));
    attrs.set(CKA_NEVER_EXTRACTABLE, AttrValue::Bool(never_extractable));
}

/// The rules of an existing object.
fn rules_of(attrs: &Attributes) -> Result<Vec<Rule>> {
    let class = attrs.class();
    let subtype = schema::subtype_attr(class)
        .and_then(|a| attrs.ulong(a))
        .map(|v| v as CK_ULONG);
    schema::rules_for(class, subtype).ok_or_else(|| Error::general("object of unknown class"))
}

/// Checks one change against the object's current value: direction-limited attributes and
/// the SO-only CKA_TRUSTED.
fn check_change(rule: &Rule, current: &Attributes, v: &AttrValue, is_so: bool) -> Result<()> {
    check_kind(rule.ty, v)?;
    let now = current.get(rule.ty).and_then(AttrValue::as_bool);
    let new = v.as_bool();
    if rule.has(schema::TO_TRUE_ONLY) && now == Some(true) && new == Some(false) {
        return Err(Error::AttributeReadOnly);
    }
    if rule.has(schema::TO_FALSE_ONLY) && now == Some(false) && new == Some(true) {
        return Err(Error::AttributeReadOnly);
    }
    if rule.has(schema::SO_ONLY_TRUE) && new == Some(true) && !is_so {
        return Err(Error::AttributeReadOnly);
    }
    Ok(())
}

/// `C_SetAttributeValue`: the object's new attributes.
pub fn apply_set(
    obj: &Object,
    template: &[(CK_ATTRIBUTE_TYPE, AttrValue)],
    rights: Rights,
) -> Result<Attributes> {
    if !obj.attrs().bool(CKA_MODIFIABLE) {
        return Err(Error::ActionProhibited);
    }
    let rules = rules_of(obj.attrs())?;
    for (ty, v) in template {
        let rule = rules.iter().find(|r| r.ty == *ty).ok_or_else(|| {
            if kind_of(*ty).is_some() {
                Error::AttributeReadOnly
            } else {
                Error::AttributeTypeInvalid
            }
        })?;
        if !rule.has(schema::MODIFIABLE) {
            return Err(Error::AttributeReadOnly);
        }
        check_change(rule, obj.attrs(), v, rights.so)?;
    }
    let attrs = obj.with_changes(template);
    check_key_roles(&attrs, rights)?;
    Ok(attrs)
}

/// `C_CopyObject`: the copy's attributes.
pub fn apply_copy(
    obj: &Object,
    template: &[(CK_ATTRIBUTE_TYPE, AttrValue)],
    rights: Rights,
) -> Result<Attributes> {
    if !obj.attrs().bool(CKA_COPYABLE) {
        return Err(Error::ActionProhibited);
    }
    let rules = rules_of(obj.attrs())?;
    for (ty, v) in template {
        let rule = rules.iter().find(|r| r.ty == *ty).ok_or_else(|| {
            if kind_of(*ty).is_some() {
                Error::AttributeReadOnly
            } else {
                Error::AttributeTypeInvalid
            }
        })?;
        if !rule.has(schema::MODIFIABLE) && !rule.has(schema::COPY_CHANGEABLE) {
            return Err(Error::AttributeReadOnly);
        }
        check_change(rule, obj.attrs(), v, rights.so)?;
    }
    let mut attrs = obj.with_changes(template);
    check_key_roles(&attrs, rights)?;
    attrs.remove(CKA_UNIQUE_ID);
    Ok(attrs)
}

/// What `C_GetAttributeValue` may say about one attribute.
pub enum Readout<'a> {
    Value(&'a AttrValue),
    /// Secret material of a sensitive or unextractable key.
    Sensitive,
    /// Not an attribute of this object.
    Invalid,
}

pub fn read<'a>(obj: &'a Object, ty: CK_ATTRIBUTE_TYPE) -> Readout<'a> {
    match obj.attrs().get(ty) {
        None => Readout::Invalid,
        Some(_) if schema::is_secret(obj.class(), ty) && !obj.reveals_secrets() => {
            Readout::Sensitive
        }
        Some(v) => Readout::Value(v),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(items: &[(CK_ATTRIBUTE_TYPE, AttrValue)]) -> Vec<(CK_ATTRIBUTE_TYPE, AttrValue)> {
        items.to_vec()
    }

    #[test]
    fn data_object_defaults() {
        let a = build(
            &t(&[(CKA_CLASS, AttrValue::Ulong(CKO_DATA as u64))]),
            Origin::Create,
            None,
            Rights::default(),
        )
        .unwrap();
        assert!(!a.is_token());
        assert!(!a.is_private());
        assert!(a.bool(CKA_MODIFIABLE));
        assert_eq!(a.bytes(CKA_LABEL), Some(&[][..]));
    }

    #[test]
    fn missing_class_is_incomplete() {
        let e = build(
            &t(&[(CKA_TOKEN, AttrValue::Bool(true))]),
            Origin::Create,
            None,
            Rights::default(),
        );
        assert_eq!(e.unwrap_err(), Error::TemplateIncomplete);
    }

    #[test]
    fn read_only_attribute_on_create() {
        let e = build(
            &t(&[
                (CKA_CLASS, AttrValue::Ulong(CKO_SECRET_KEY as u64)),
                (CKA_KEY_TYPE, AttrValue::Ulong(CKK_AES as u64)),
                (CKA_VALUE, AttrValue::Bytes(vec![0; 16])),
                (CKA_LOCAL, AttrValue::Bool(true)),
            ]),
            Origin::Create,
            None,
            Rights::default(),
        );
        assert_eq!(e.unwrap_err(), Error::AttributeReadOnly);
    }

    #[test]
    fn value_given_to_generate_is_inconsistent() {
        let e = build(
            &t(&[(CKA_VALUE, AttrValue::Bytes(vec![0; 16]))]),
            Origin::Generate(CKM_AES_KEY_GEN),
            Some((CKO_SECRET_KEY, CKK_AES)),
            Rights::default(),
        );
        assert_eq!(e.unwrap_err(), Error::TemplateInconsistent);
    }

    #[test]
    fn contradicting_class_is_inconsistent() {
        let e = build(
            &t(&[(CKA_CLASS, AttrValue::Ulong(CKO_PUBLIC_KEY as u64))]),
            Origin::Generate(CKM_AES_KEY_GEN),
            Some((CKO_SECRET_KEY, CKK_AES)),
            Rights::default(),
        );
        assert_eq!(e.unwrap_err(), Error::TemplateInconsistent);
    }

    #[test]
    fn trusted_needs_the_so() {
        let tpl = t(&[
            (CKA_CLASS, AttrValue::Ulong(CKO_CERTIFICATE as u64)),
            (CKA_CERTIFICATE_TYPE, AttrValue::Ulong(CKC_X_509 as u64)),
            (CKA_SUBJECT, AttrValue::Bytes(vec![0x30, 0])),
            (CKA_VALUE, AttrValue::Bytes(vec![0x30, 0])),
            (CKA_TRUSTED, AttrValue::Bool(true)),
        ]);
        assert_eq!(
            build(&tpl, Origin::Create, None, Rights::default()).unwrap_err(),
            Error::AttributeReadOnly
        );
        let so = Rights {
            so: true,
            ..Rights::default()
        };
        assert!(build(&tpl, Origin::Create, None, so).is_ok());
    }

    #[test]
    fn sensitive_only_goes_one_way() {
        let mut a = build(
            &t(&[
                (CKA_CLASS, AttrValue::Ulong(CKO_SECRET_KEY as u64)),
                (CKA_KEY_TYPE, AttrValue::Ulong(CKK_AES as u64)),
                (CKA_VALUE, AttrValue::Bytes(vec![0; 16])),
                (CKA_SENSITIVE, AttrValue::Bool(true)),
            ]),
            Origin::Create,
            None,
            Rights::default(),
        )
        .unwrap();
        derive_key_attributes(&mut a, Origin::Create, false);
        let obj = Object::new(a);
        assert_eq!(
            apply_set(
                &obj,
                &[(CKA_SENSITIVE, AttrValue::Bool(false))],
                Rights::default()
            )
            .unwrap_err(),
            Error::AttributeReadOnly
        );
        assert_eq!(
            apply_set(
                &obj,
                &[(CKA_VALUE, AttrValue::Bytes(vec![1; 16]))],
                Rights::default()
            )
            .unwrap_err(),
            Error::AttributeReadOnly
        );
        assert!(
            apply_set(
                &obj,
                &[(CKA_LABEL, AttrValue::Bytes(b"x".to_vec()))],
                Rights::default()
            )
            .is_ok()
        );
        assert!(matches!(read(&obj, CKA_VALUE), Readout::Sensitive));
        assert!(matches!(read(&obj, CKA_MODULUS), Readout::Invalid));
        assert!(!obj.attrs().bool(CKA_ALWAYS_SENSITIVE));
    }
}
