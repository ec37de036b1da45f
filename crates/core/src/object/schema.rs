//! Which attributes each object class and key type has, and the spec's rules for each: required
//! or forbidden at creation and generation, secret, modifiable, and defaults (PKCS#11 3.x
//! section 4, "Objects", tables of common attributes and their footnotes).

use super::attribute::{AttrValue, CKA_VENDOR_FIPS_APPROVED};
use crate::mechanism::families::secret;
use cryptoki_sys::*;

/// Footnote 1: must be given to `C_CreateObject`.
pub const REQ_CREATE: u32 = 1;
/// Footnote 2: must not be given to `C_CreateObject` (the token sets it).
pub const NO_CREATE: u32 = 1 << 1;
/// Footnote 3: must be given to `C_GenerateKey(Pair)`.
pub const REQ_GEN: u32 = 1 << 2;
/// Footnote 4: must not be given to `C_GenerateKey(Pair)`.
pub const NO_GEN: u32 = 1 << 3;
/// Footnote 6: key material, never revealed while sensitive or unextractable.
pub const SECRET: u32 = 1 << 4;
/// May be changed by `C_SetAttributeValue` (and `C_CopyObject`).
pub const MODIFIABLE: u32 = 1 << 5;
/// Footnote 11 (CKA_SENSITIVE, CKA_WRAP_WITH_TRUSTED): may only change from false to true.
pub const TO_TRUE_ONLY: u32 = 1 << 6;
/// CKA_EXTRACTABLE, CKA_COPYABLE: may only change from true to false.
pub const TO_FALSE_ONLY: u32 = 1 << 7;
/// Footnote 10 (CKA_TRUSTED): only the SO may set it to true.
pub const SO_ONLY_TRUE: u32 = 1 << 8;
/// May be changed when copying even though `C_SetAttributeValue` may not change it.
pub const COPY_CHANGEABLE: u32 = 1 << 9;
/// Footnote 8: must not be given to `C_UnwrapKey` (the material comes from the wrapped blob).
pub const NO_UNWRAP: u32 = 1 << 10;

/// Default applied when an attribute is absent from the template.
#[derive(Debug, Clone, Copy)]
pub enum Fallback {
    /// No default: absent stays absent.
    None,
    Bool(bool),
    Empty,
    Ulong(u64),
    EmptyTemplate,
    EmptyMechanisms,
}

impl Fallback {
    pub fn value(self) -> Option<AttrValue> {
        match self {
            Fallback::None => None,
            Fallback::Bool(b) => Some(AttrValue::Bool(b)),
            Fallback::Empty => Some(AttrValue::Bytes(Vec::new())),
            Fallback::Ulong(v) => Some(AttrValue::Ulong(v)),
            Fallback::EmptyTemplate => Some(AttrValue::Template(Vec::new())),
            Fallback::EmptyMechanisms => Some(AttrValue::MechanismList(Vec::new())),
        }
    }
}

/// One attribute's rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    pub ty: CK_ATTRIBUTE_TYPE,
    pub flags: u32,
    pub default: Fallback,
}

impl Rule {
    pub fn has(&self, flag: u32) -> bool {
        self.flags & flag != 0
    }
}

const fn r(ty: CK_ATTRIBUTE_TYPE, flags: u32, default: Fallback) -> Rule {
    Rule { ty, flags, default }
}

use Fallback as D;

const UNAVAILABLE: u64 = CK_UNAVAILABLE_INFORMATION as u64;

/// Every object (storage objects, 4.4).
const STORAGE: &[Rule] = &[
    r(CKA_CLASS, REQ_CREATE, D::None),
    r(CKA_TOKEN, COPY_CHANGEABLE, D::Bool(false)),
    // 4.4: CKA_MODIFIABLE "can be changed in the process of copying an object".
    r(CKA_MODIFIABLE, COPY_CHANGEABLE, D::Bool(true)),
    r(CKA_LABEL, MODIFIABLE, D::Empty),
    r(CKA_COPYABLE, MODIFIABLE | TO_FALSE_ONLY, D::Bool(true)),
    r(CKA_DESTROYABLE, MODIFIABLE, D::Bool(true)),
    r(CKA_UNIQUE_ID, NO_CREATE | NO_GEN, D::None),
];

const DATA: &[Rule] = &[
    r(CKA_PRIVATE, COPY_CHANGEABLE, D::Bool(false)),
    r(CKA_APPLICATION, MODIFIABLE, D::Empty),
    r(CKA_OBJECT_ID, MODIFIABLE, D::Empty),
    r(CKA_VALUE, MODIFIABLE, D::Empty),
];

const CERTIFICATE: &[Rule] = &[
    r(CKA_PRIVATE, COPY_CHANGEABLE, D::Bool(false)),
    r(CKA_CERTIFICATE_TYPE, REQ_CREATE, D::None),
    r(CKA_TRUSTED, MODIFIABLE | SO_ONLY_TRUE, D::Bool(false)),
    r(CKA_CERTIFICATE_CATEGORY, MODIFIABLE, D::Ulong(0)),
    r(CKA_CHECK_VALUE, 0, D::None),
    r(CKA_START_DATE, MODIFIABLE, D::Empty),
    r(CKA_END_DATE, MODIFIABLE, D::Empty),
    r(CKA_PUBLIC_KEY_INFO, 0, D::Empty),
];

const X509: &[Rule] = &[
    r(CKA_SUBJECT, REQ_CREATE, D::None),
    r(CKA_ID, MODIFIABLE, D::Empty),
    r(CKA_ISSUER, MODIFIABLE, D::Empty),
    r(CKA_SERIAL_NUMBER, MODIFIABLE, D::Empty),
    r(CKA_VALUE, REQ_CREATE, D::None),
    r(CKA_URL, 0, D::Empty),
    r(CKA_HASH_OF_SUBJECT_PUBLIC_KEY, 0, D::Empty),
    r(CKA_HASH_OF_ISSUER_PUBLIC_KEY, 0, D::Empty),
    r(CKA_JAVA_MIDP_SECURITY_DOMAIN, 0, D::Ulong(0)),
    r(CKA_NAME_HASH_ALGORITHM, 0, D::Ulong(CKM_SHA_1 as u64)),
];

const KEY: &[Rule] = &[
    r(CKA_KEY_TYPE, REQ_CREATE, D::None),
    r(CKA_ID, MODIFIABLE, D::Empty),
    r(CKA_START_DATE, MODIFIABLE, D::Empty),
    r(CKA_END_DATE, MODIFIABLE, D::Empty),
    r(CKA_DERIVE, MODIFIABLE, D::Bool(false)),
    r(CKA_LOCAL, NO_CREATE | NO_GEN, D::None),
    r(
        CKA_KEY_GEN_MECHANISM,
        NO_CREATE | NO_GEN,
        D::Ulong(UNAVAILABLE),
    ),
    // Fixed at creation (no footnote 8 in the common key attributes table).
    r(CKA_ALLOWED_MECHANISMS, 0, D::EmptyMechanisms),
    r(CKA_VENDOR_FIPS_APPROVED, NO_CREATE | NO_GEN, D::None),
];

const PUBLIC_KEY: &[Rule] = &[
    r(CKA_PRIVATE, COPY_CHANGEABLE, D::Bool(false)),
    r(CKA_SUBJECT, MODIFIABLE, D::Empty),
    r(CKA_ENCRYPT, MODIFIABLE, D::Bool(true)),
    r(CKA_VERIFY, MODIFIABLE, D::Bool(true)),
    r(CKA_VERIFY_RECOVER, MODIFIABLE, D::Bool(true)),
    r(CKA_WRAP, MODIFIABLE, D::Bool(true)),
    r(CKA_TRUSTED, MODIFIABLE | SO_ONLY_TRUE, D::Bool(false)),
    r(CKA_WRAP_TEMPLATE, 0, D::EmptyTemplate),
    r(CKA_PUBLIC_KEY_INFO, 0, D::Empty),
];

const PRIVATE_KEY: &[Rule] = &[
    r(CKA_PRIVATE, COPY_CHANGEABLE, D::Bool(true)),
    r(CKA_SUBJECT, MODIFIABLE, D::Empty),
    r(CKA_SENSITIVE, MODIFIABLE | TO_TRUE_ONLY, D::Bool(true)),
    r(CKA_DECRYPT, MODIFIABLE, D::Bool(true)),
    r(CKA_SIGN, MODIFIABLE, D::Bool(true)),
    r(CKA_SIGN_RECOVER, MODIFIABLE, D::Bool(true)),
    r(CKA_UNWRAP, MODIFIABLE, D::Bool(true)),
    r(CKA_EXTRACTABLE, MODIFIABLE | TO_FALSE_ONLY, D::Bool(false)),
    r(CKA_ALWAYS_SENSITIVE, NO_CREATE | NO_GEN, D::None),
    r(CKA_NEVER_EXTRACTABLE, NO_CREATE | NO_GEN, D::None),
    r(
        CKA_WRAP_WITH_TRUSTED,
        MODIFIABLE | TO_TRUE_ONLY,
        D::Bool(false),
    ),
    r(CKA_UNWRAP_TEMPLATE, 0, D::EmptyTemplate),
    r(CKA_DERIVE_TEMPLATE, 0, D::EmptyTemplate),
    r(CKA_ALWAYS_AUTHENTICATE, 0, D::Bool(false)),
    r(CKA_PUBLIC_KEY_INFO, 0, D::Empty),
];

const SECRET_KEY: &[Rule] = &[
    r(CKA_PRIVATE, COPY_CHANGEABLE, D::Bool(true)),
    r(CKA_SENSITIVE, MODIFIABLE | TO_TRUE_ONLY, D::Bool(true)),
    r(CKA_ENCRYPT, MODIFIABLE, D::Bool(true)),
    r(CKA_DECRYPT, MODIFIABLE, D::Bool(true)),
    r(CKA_SIGN, MODIFIABLE, D::Bool(true)),
    r(CKA_VERIFY, MODIFIABLE, D::Bool(true)),
    r(CKA_WRAP, MODIFIABLE, D::Bool(true)),
    r(CKA_UNWRAP, MODIFIABLE, D::Bool(true)),
    r(CKA_EXTRACTABLE, MODIFIABLE | TO_FALSE_ONLY, D::Bool(false)),
    r(CKA_ALWAYS_SENSITIVE, NO_CREATE | NO_GEN, D::None),
    r(CKA_NEVER_EXTRACTABLE, NO_CREATE | NO_GEN, D::None),
    r(CKA_CHECK_VALUE, 0, D::None),
    r(
        CKA_WRAP_WITH_TRUSTED,
        MODIFIABLE | TO_TRUE_ONLY,
        D::Bool(false),
    ),
    r(CKA_TRUSTED, MODIFIABLE | SO_ONLY_TRUE, D::Bool(false)),
    r(CKA_WRAP_TEMPLATE, 0, D::EmptyTemplate),
    r(CKA_UNWRAP_TEMPLATE, 0, D::EmptyTemplate),
    r(CKA_DERIVE_TEMPLATE, 0, D::EmptyTemplate),
];

const RSA_PUBLIC: &[Rule] = &[
    r(CKA_MODULUS, REQ_CREATE | NO_GEN, D::None),
    r(CKA_MODULUS_BITS, NO_CREATE | REQ_GEN, D::None),
    r(CKA_PUBLIC_EXPONENT, REQ_CREATE, D::None),
];

const RSA_PRIVATE: &[Rule] = &[
    r(CKA_MODULUS, REQ_CREATE | NO_GEN | NO_UNWRAP, D::None),
    r(CKA_PUBLIC_EXPONENT, NO_GEN | NO_UNWRAP, D::None),
    r(
        CKA_PRIVATE_EXPONENT,
        REQ_CREATE | NO_GEN | NO_UNWRAP | SECRET,
        D::None,
    ),
    r(CKA_PRIME_1, NO_GEN | NO_UNWRAP | SECRET, D::None),
    r(CKA_PRIME_2, NO_GEN | NO_UNWRAP | SECRET, D::None),
    r(CKA_EXPONENT_1, NO_GEN | NO_UNWRAP | SECRET, D::None),
    r(CKA_EXPONENT_2, NO_GEN | NO_UNWRAP | SECRET, D::None),
    r(CKA_COEFFICIENT, NO_GEN | NO_UNWRAP | SECRET, D::None),
];

const EC_PUBLIC: &[Rule] = &[
    r(CKA_EC_PARAMS, REQ_CREATE | REQ_GEN, D::None),
    r(CKA_EC_POINT, REQ_CREATE | NO_GEN, D::None),
];

const EC_PRIVATE: &[Rule] = &[
    r(CKA_EC_PARAMS, REQ_CREATE | NO_GEN | NO_UNWRAP, D::None),
    r(CKA_VALUE, REQ_CREATE | NO_GEN | NO_UNWRAP | SECRET, D::None),
];

/// ML-DSA and ML-KEM public keys (PKCS#11 3.2): parameter set and encoded key.
const PQ_PUBLIC: &[Rule] = &[
    r(CKA_PARAMETER_SET, REQ_CREATE | REQ_GEN, D::None),
    r(CKA_VALUE, REQ_CREATE | NO_GEN, D::None),
];

/// ML-DSA and ML-KEM private keys: the expanded key in CKA_VALUE and, when known, its seed
/// (an import needs one of them). The parameter set may repeat the public template's.
const PQ_PRIVATE: &[Rule] = &[
    r(CKA_PARAMETER_SET, REQ_CREATE | NO_UNWRAP, D::None),
    r(CKA_VALUE, NO_GEN | NO_UNWRAP | SECRET, D::None),
    r(CKA_SEED, NO_GEN | NO_UNWRAP | SECRET, D::None),
];

const KEM_PUBLIC: &[Rule] = &[
    r(CKA_ENCAPSULATE, MODIFIABLE, D::Bool(true)),
    r(CKA_ENCAPSULATE_TEMPLATE, 0, D::EmptyTemplate),
];

const KEM_PRIVATE: &[Rule] = &[
    r(CKA_DECAPSULATE, MODIFIABLE, D::Bool(true)),
    r(CKA_DECAPSULATE_TEMPLATE, 0, D::EmptyTemplate),
];

const SECRET_VALUE: &[Rule] = &[
    r(CKA_VALUE, REQ_CREATE | NO_GEN | NO_UNWRAP | SECRET, D::None),
    r(CKA_VALUE_LEN, NO_CREATE, D::None),
];

/// The rules that apply to an object of `class` with the given key or certificate type.
/// `None` when the class or subtype is one this token does not support.
pub fn rules_for(class: CK_OBJECT_CLASS, subtype: Option<CK_ULONG>) -> Option<Vec<Rule>> {
    let layers: &[&[Rule]] = match (class, subtype) {
        (CKO_DATA, _) => &[STORAGE, DATA],
        (CKO_CERTIFICATE, Some(CKC_X_509)) => &[STORAGE, CERTIFICATE, X509],
        (CKO_PUBLIC_KEY, Some(CKK_RSA)) => &[STORAGE, KEY, PUBLIC_KEY, RSA_PUBLIC],
        (CKO_PUBLIC_KEY, Some(CKK_EC | CKK_EC_EDWARDS | CKK_EC_MONTGOMERY)) => {
            &[STORAGE, KEY, PUBLIC_KEY, EC_PUBLIC]
        }
        (CKO_PRIVATE_KEY, Some(CKK_RSA)) => &[STORAGE, KEY, PRIVATE_KEY, RSA_PRIVATE],
        (CKO_PRIVATE_KEY, Some(CKK_EC | CKK_EC_EDWARDS | CKK_EC_MONTGOMERY)) => {
            &[STORAGE, KEY, PRIVATE_KEY, EC_PRIVATE]
        }
        (CKO_PUBLIC_KEY, Some(CKK_ML_DSA)) => &[STORAGE, KEY, PUBLIC_KEY, PQ_PUBLIC],
        (CKO_PRIVATE_KEY, Some(CKK_ML_DSA)) => &[STORAGE, KEY, PRIVATE_KEY, PQ_PRIVATE],
        (CKO_PUBLIC_KEY, Some(CKK_ML_KEM)) => &[STORAGE, KEY, PUBLIC_KEY, PQ_PUBLIC, KEM_PUBLIC],
        (CKO_PRIVATE_KEY, Some(CKK_ML_KEM)) => {
            &[STORAGE, KEY, PRIVATE_KEY, PQ_PRIVATE, KEM_PRIVATE]
        }
        (CKO_SECRET_KEY, Some(CKK_AES | CKK_GENERIC_SECRET | CKK_DES3)) => {
            &[STORAGE, KEY, SECRET_KEY, SECRET_VALUE]
        }
        (CKO_SECRET_KEY, Some(kt)) if secret::is_hash_bound(kt) => {
            &[STORAGE, KEY, SECRET_KEY, SECRET_VALUE]
        }
        _ => return None,
    };
    // Later layers refine earlier ones (e.g. CKA_VALUE is required for certificates).
    let mut out: Vec<Rule> = Vec::new();
    for layer in layers {
        for rule in *layer {
            match out.iter_mut().find(|x| x.ty == rule.ty) {
                Some(existing) => *existing = *rule,
                None => out.push(*rule),
            }
        }
    }
    Some(out)
}

/// The subtype attribute for a class: key type, certificate type, or none.
pub fn subtype_attr(class: CK_OBJECT_CLASS) -> Option<CK_ATTRIBUTE_TYPE> {
    match class {
        CKO_PUBLIC_KEY | CKO_PRIVATE_KEY | CKO_SECRET_KEY => Some(CKA_KEY_TYPE),
        CKO_CERTIFICATE => Some(CKA_CERTIFICATE_TYPE),
        _ => None,
    }
}

/// Whether `ty` holds secret key material for objects of `class`.
pub fn is_secret(class: CK_OBJECT_CLASS, ty: CK_ATTRIBUTE_TYPE) -> bool {
    match class {
        CKO_PRIVATE_KEY => matches!(
            ty,
            CKA_PRIVATE_EXPONENT
                | CKA_PRIME_1
                | CKA_PRIME_2
                | CKA_EXPONENT_1
                | CKA_EXPONENT_2
                | CKA_COEFFICIENT
                | CKA_VALUE
                | CKA_SEED
        ),
        CKO_SECRET_KEY => ty == CKA_VALUE,
        _ => false,
    }
}
