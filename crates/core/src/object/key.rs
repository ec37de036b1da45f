//! Key material read from attributes and written back as attributes.

use super::KeyOps;
use super::attribute::{AttrValue, Attributes};
use crate::crypto::key::{ec_point_from_der, ec_point_to_der, modulus_bits};
use crate::crypto::{
    Curve, EcPrivateParts, EcPublicParts, MlDsaSet, MlKemSet, PqKeyPair, Provider, RsaPrivateParts,
    RsaPublicParts,
};
use crate::error::{Error, Result};
use crate::mechanism::families::secret;
use cryptoki_sys::*;

fn need(attrs: &Attributes, ty: CK_ATTRIBUTE_TYPE) -> Result<Vec<u8>> {
    attrs
        .bytes(ty)
        .map(<[u8]>::to_vec)
        .ok_or(Error::TemplateIncomplete)
}

fn opt(attrs: &Attributes, ty: CK_ATTRIBUTE_TYPE) -> Vec<u8> {
    attrs.bytes(ty).map(<[u8]>::to_vec).unwrap_or_default()
}

pub fn rsa_private_parts(attrs: &Attributes) -> Result<RsaPrivateParts> {
    Ok(RsaPrivateParts {
        n: need(attrs, CKA_MODULUS)?,
        e: opt(attrs, CKA_PUBLIC_EXPONENT),
        d: need(attrs, CKA_PRIVATE_EXPONENT)?,
        p: opt(attrs, CKA_PRIME_1),
        q: opt(attrs, CKA_PRIME_2),
        dp: opt(attrs, CKA_EXPONENT_1),
        dq: opt(attrs, CKA_EXPONENT_2),
        qinv: opt(attrs, CKA_COEFFICIENT),
    })
}

pub fn rsa_public_parts(attrs: &Attributes) -> Result<RsaPublicParts> {
    Ok(RsaPublicParts {
        n: need(attrs, CKA_MODULUS)?,
        e: need(attrs, CKA_PUBLIC_EXPONENT)?,
    })
}

fn curve_of(attrs: &Attributes) -> Result<Curve> {
    let params = attrs
        .bytes(CKA_EC_PARAMS)
        .ok_or(Error::TemplateIncomplete)?;
    let curve = Curve::from_ec_params(params)?;
    if attrs.key_type() != Some(curve.key_type()) {
        return Err(Error::TemplateInconsistent);
    }
    Ok(curve)
}

pub fn ec_private_parts(be: &Provider, attrs: &Attributes) -> Result<EcPrivateParts> {
    let curve = curve_of(attrs)?;
    let scalar = need(attrs, CKA_VALUE)?;
    if scalar.len() > curve.scalar_len() || scalar.is_empty() {
        return Err(Error::AttributeValueInvalid);
    }
    // Ed25519 seeds and X25519 keys are little-endian byte strings (RFC 8032, RFC 7748): a
    // short one is not a stripped integer, and padding it would name another key.
    if matches!(curve, Curve::Ed25519 | Curve::X25519) && scalar.len() != curve.scalar_len() {
        return Err(Error::AttributeValueInvalid);
    }
    // Left-pad: clients may strip leading zeros from a big-endian scalar.
    let mut padded = vec![0u8; curve.scalar_len() - scalar.len()];
    padded.extend_from_slice(&scalar);
    let point = be.keys.ec_public_point(curve, &padded)?;
    Ok(EcPrivateParts {
        curve,
        scalar: padded,
        point,
    })
}

pub fn ec_public_parts(attrs: &Attributes) -> Result<EcPublicParts> {
    let curve = curve_of(attrs)?;
    let point = ec_point_from_der(
        curve,
        attrs.bytes(CKA_EC_POINT).ok_or(Error::TemplateIncomplete)?,
    )?;
    Ok(EcPublicParts { curve, point })
}

/// Parses the object's key into backend form.
pub fn parse(be: &Provider, attrs: &Attributes) -> Result<KeyOps> {
    let invalid = |e: Error| match e {
        Error::TemplateIncomplete | Error::TemplateInconsistent | Error::CurveNotSupported => e,
        Error::DomainParamsInvalid => e,
        _ => Error::AttributeValueInvalid,
    };
    match (attrs.class(), attrs.key_type()) {
        (CKO_PRIVATE_KEY, Some(CKK_RSA)) => Ok(KeyOps::Private(
            be.keys
                .rsa_private(&rsa_private_parts(attrs)?)
                .map_err(invalid)?,
        )),
        (CKO_PUBLIC_KEY, Some(CKK_RSA)) => Ok(KeyOps::Public(
            be.keys
                .rsa_public(&rsa_public_parts(attrs)?)
                .map_err(invalid)?,
        )),
        (CKO_PRIVATE_KEY, Some(CKK_EC | CKK_EC_EDWARDS | CKK_EC_MONTGOMERY)) => {
            Ok(KeyOps::Private(
                be.keys
                    .ec_private(&ec_private_parts(be, attrs).map_err(invalid)?)
                    .map_err(invalid)?,
            ))
        }
        (CKO_PUBLIC_KEY, Some(CKK_EC | CKK_EC_EDWARDS | CKK_EC_MONTGOMERY)) => Ok(KeyOps::Public(
            be.keys
                .ec_public(&ec_public_parts(attrs)?)
                .map_err(invalid)?,
        )),
        (CKO_PRIVATE_KEY, Some(CKK_ML_DSA)) => {
            let (value, seed) = (attrs.bytes(CKA_VALUE), attrs.bytes(CKA_SEED));
            Ok(KeyOps::Private(
                be.keys
                    .ml_dsa_private(ml_dsa_set(attrs)?, value, seed)
                    .map_err(invalid)?,
            ))
        }
        (CKO_PUBLIC_KEY, Some(CKK_ML_DSA)) => Ok(KeyOps::Public(
            be.keys
                .ml_dsa_public(ml_dsa_set(attrs)?, &need(attrs, CKA_VALUE)?)
                .map_err(invalid)?,
        )),
        (CKO_PRIVATE_KEY, Some(CKK_ML_KEM)) => Ok(KeyOps::Private(
            be.keys
                .ml_kem_private(ml_kem_set(attrs)?, &need(attrs, CKA_VALUE)?)
                .map_err(invalid)?,
        )),
        (CKO_PUBLIC_KEY, Some(CKK_ML_KEM)) => Ok(KeyOps::Public(
            be.keys
                .ml_kem_public(ml_kem_set(attrs)?, &need(attrs, CKA_VALUE)?)
                .map_err(invalid)?,
        )),
        _ => Err(Error::KeyTypeInconsistent),
    }
}

fn parameter_set(attrs: &Attributes) -> Result<CK_ULONG> {
    attrs
        .ulong(CKA_PARAMETER_SET)
        .map(|p| p as CK_ULONG)
        .ok_or(Error::TemplateIncomplete)
}

pub fn ml_dsa_set(attrs: &Attributes) -> Result<MlDsaSet> {
    MlDsaSet::from_parameter_set(parameter_set(attrs)?)
}

pub fn ml_kem_set(attrs: &Attributes) -> Result<MlKemSet> {
    MlKemSet::from_parameter_set(parameter_set(attrs)?)
}

/// Key size as the mechanism policy counts it.
pub fn bits(attrs: &Attributes) -> Option<usize> {
    match attrs.key_type()? {
        CKK_RSA => attrs.bytes(CKA_MODULUS).map(modulus_bits),
        CKK_EC | CKK_EC_EDWARDS | CKK_EC_MONTGOMERY => attrs
            .bytes(CKA_EC_PARAMS)
            .and_then(|p| Curve::from_ec_params(p).ok())
            .map(Curve::bits),
        CKK_ML_DSA => ml_dsa_set(attrs).ok().map(MlDsaSet::public_key_len),
        CKK_ML_KEM => ml_kem_set(attrs).ok().map(MlKemSet::public_key_len),
        kt if kt == CKK_AES || kt == CKK_DES3 || secret::is_hmac_key_type(kt) => attrs
            .ulong(CKA_VALUE_LEN)
            .map(|l| l as usize * 8)
            .or_else(|| attrs.bytes(CKA_VALUE).map(|v| v.len() * 8)),
        _ => None,
    }
}

fn b(v: &[u8]) -> AttrValue {
    AttrValue::Bytes(v.to_vec())
}

/// Attributes for a generated RSA pair: (public additions, private additions).
pub fn rsa_attrs(parts: &RsaPrivateParts) -> (Attributes, Attributes) {
    let mut public = Attributes::new();
    public.set(CKA_MODULUS, b(&parts.n));
    public.set(CKA_PUBLIC_EXPONENT, b(&parts.e));
    public.set(
        CKA_MODULUS_BITS,
        AttrValue::Ulong(modulus_bits(&parts.n) as u64),
    );
    let mut private = Attributes::new();
    for (ty, v) in [
        (CKA_MODULUS, &parts.n),
        (CKA_PUBLIC_EXPONENT, &parts.e),
        (CKA_PRIVATE_EXPONENT, &parts.d),
        (CKA_PRIME_1, &parts.p),
        (CKA_PRIME_2, &parts.q),
        (CKA_EXPONENT_1, &parts.dp),
        (CKA_EXPONENT_2, &parts.dq),
        (CKA_COEFFICIENT, &parts.qinv),
    ] {
        private.set(ty, b(v));
    }
    (public, private)
}

/// Attributes for a generated EC or Edwards pair: (public additions, private additions).
pub fn ec_attrs(parts: &EcPrivateParts) -> (Attributes, Attributes) {
    let mut public = Attributes::new();
    public.set(
        CKA_EC_POINT,
        AttrValue::Bytes(ec_point_to_der(&parts.point)),
    );
    let mut private = Attributes::new();
    private.set(CKA_EC_PARAMS, b(parts.curve.ec_params()));
    private.set(CKA_VALUE, b(&parts.scalar));
    (public, private)
}

/// Attributes for a generated ML-DSA or ML-KEM pair: (public additions, private additions).
pub fn pq_attrs(parameter_set: CK_ULONG, pair: &PqKeyPair) -> (Attributes, Attributes) {
    let mut public = Attributes::new();
    public.set(CKA_VALUE, b(&pair.public));
    let mut private = Attributes::new();
    private.set(CKA_PARAMETER_SET, AttrValue::Ulong(parameter_set as u64));
    private.set(CKA_VALUE, b(&pair.private));
    if let Some(seed) = &pair.seed {
        private.set(CKA_SEED, b(seed));
    }
    (public, private)
}
