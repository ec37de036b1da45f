//! Backend-neutral key material: the big-endian components PKCS#11 attributes carry, and the
//! curves the token supports with their `CKA_EC_PARAMS` encodings.

use crate::error::{Error, Result};
use cryptoki_sys::{CK_KEY_TYPE, CKK_EC, CKK_EC_EDWARDS, CKK_EC_MONTGOMERY};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// Curves for ECDSA/ECDH, EdDSA and X25519.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Curve {
    P256,
    P384,
    P521,
    Ed25519,
    /// Curve25519 in Montgomery form, for X25519 key agreement (RFC 7748).
    X25519,
}

/// Every curve, in the order `CKA_EC_PARAMS` is matched.
const CURVES: [Curve; 5] = [
    Curve::P256,
    Curve::P384,
    Curve::P521,
    Curve::Ed25519,
    Curve::X25519,
];

// DER of the namedCurve OIDs (RFC 5480, RFC 8410).
const OID_P256: &[u8] = &[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07];
const OID_P384: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x22];
const OID_P521: &[u8] = &[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x23];
const OID_ED25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x70];
const OID_X25519: &[u8] = &[0x06, 0x03, 0x2b, 0x65, 0x6e];
const DER_PRINTABLE_STRING: u8 = 0x13;

impl Curve {
    /// The `CKA_EC_PARAMS` value the token writes: the namedCurve OID.
    pub fn ec_params(self) -> &'static [u8] {
        match self {
            Curve::P256 => OID_P256,
            Curve::P384 => OID_P384,
            Curve::P521 => OID_P521,
            Curve::Ed25519 => OID_ED25519,
            Curve::X25519 => OID_X25519,
        }
    }

    /// Reads `CKA_EC_PARAMS`: a namedCurve OID or a PrintableString curve name.
    pub fn from_ec_params(der: &[u8]) -> Result<Curve> {
        for c in CURVES {
            if der == c.ec_params() {
                return Ok(c);
            }
        }
        match der {
            [DER_PRINTABLE_STRING, len, name @ ..] if *len as usize == name.len() => match name {
                b"prime256v1" | b"secp256r1" | b"P-256" => Ok(Curve::P256),
                b"secp384r1" | b"P-384" => Ok(Curve::P384),
                b"secp521r1" | b"P-521" => Ok(Curve::P521),
                b"edwards25519" | b"Ed25519" => Ok(Curve::Ed25519),
                b"curve25519" | b"X25519" => Ok(Curve::X25519),
                _ => Err(Error::CurveNotSupported),
            },
            [0x06, ..] => Err(Error::CurveNotSupported),
            _ => Err(Error::DomainParamsInvalid),
        }
    }

    /// Size of the group order (and of a private scalar) in bytes.
    pub fn scalar_len(self) -> usize {
        match self {
            Curve::P256 | Curve::Ed25519 | Curve::X25519 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }

    /// Key size in bits as `C_GetMechanismInfo` and policy count it.
    pub fn bits(self) -> usize {
        match self {
            Curve::P256 => 256,
            Curve::P384 => 384,
            Curve::P521 => 521,
            Curve::Ed25519 | Curve::X25519 => 255,
        }
    }

    /// Whether this is a Weierstrass curve (ECDSA/ECDH) rather than an Edwards or Montgomery
    /// curve.
    pub fn is_weierstrass(self) -> bool {
        self.key_type() == CKK_EC
    }

    /// The `CKA_KEY_TYPE` of keys on this curve.
    pub fn key_type(self) -> CK_KEY_TYPE {
        match self {
            Curve::P256 | Curve::P384 | Curve::P521 => CKK_EC,
            Curve::Ed25519 => CKK_EC_EDWARDS,
            Curve::X25519 => CKK_EC_MONTGOMERY,
        }
    }

    /// The length of a public key: an uncompressed SEC1 point, or the raw 32 bytes of an
    /// Edwards or Montgomery key.
    pub fn point_len(self) -> usize {
        if self.is_weierstrass() {
            1 + 2 * self.scalar_len()
        } else {
            32
        }
    }

    /// Signature length: r‖s, or R‖S for EdDSA.
    pub fn signature_len(self) -> usize {
        2 * self.scalar_len()
    }

    pub fn name(self) -> &'static str {
        match self {
            Curve::P256 => "P-256",
            Curve::P384 => "P-384",
            Curve::P521 => "P-521",
            Curve::Ed25519 => "Ed25519",
            Curve::X25519 => "X25519",
        }
    }
}

/// An RSA private key as PKCS#11 holds it (big-endian, no leading-zero requirement).
#[derive(Clone, Default, Zeroize, ZeroizeOnDrop)]
pub struct RsaPrivateParts {
    pub n: Vec<u8>,
    pub e: Vec<u8>,
    pub d: Vec<u8>,
    pub p: Vec<u8>,
    pub q: Vec<u8>,
    pub dp: Vec<u8>,
    pub dq: Vec<u8>,
    pub qinv: Vec<u8>,
}

impl RsaPrivateParts {
    pub fn public(&self) -> RsaPublicParts {
        RsaPublicParts {
            n: self.n.clone(),
            e: self.e.clone(),
        }
    }
}

/// An RSA public key.
#[derive(Clone, Debug, Default)]
pub struct RsaPublicParts {
    pub n: Vec<u8>,
    pub e: Vec<u8>,
}

impl RsaPublicParts {
    /// Modulus size in bits, ignoring leading zero bytes.
    pub fn bits(&self) -> usize {
        modulus_bits(&self.n)
    }
}

/// Bit length of a big-endian integer.
pub fn modulus_bits(n: &[u8]) -> usize {
    let n = strip_leading_zeros(n);
    match n.first() {
        Some(&b) => n.len() * 8 - b.leading_zeros() as usize,
        None => 0,
    }
}

/// The integer without its leading zero bytes.
pub fn strip_leading_zeros(v: &[u8]) -> &[u8] {
    let i = v.iter().position(|&b| b != 0).unwrap_or(v.len());
    &v[i..]
}

/// An EC, Edwards or Montgomery private key: the scalar (the Ed25519 seed, the X25519 private
/// key) and its public point.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct EcPrivateParts {
    #[zeroize(skip)]
    pub curve: Curve,
    pub scalar: Vec<u8>,
    /// Uncompressed SEC1 point, or the 32-byte Ed25519 or X25519 public key.
    pub point: Vec<u8>,
}

/// An EC, Edwards or Montgomery public key.
#[derive(Clone, Debug)]
pub struct EcPublicParts {
    pub curve: Curve,
    /// Uncompressed SEC1 point, or the 32-byte Ed25519 or X25519 public key.
    pub point: Vec<u8>,
}

/// A private key of any supported type.
#[derive(Clone)]
pub enum PrivateKeyMaterial {
    Rsa(RsaPrivateParts),
    Ec(EcPrivateParts),
}

/// Wraps a raw point in the DER OCTET STRING that `CKA_EC_POINT` holds.
pub fn ec_point_to_der(point: &[u8]) -> Vec<u8> {
    let mut out = vec![0x04];
    if point.len() < 0x80 {
        out.push(point.len() as u8);
    } else {
        out.extend([0x81, point.len() as u8]);
    }
    out.extend_from_slice(point);
    out
}

/// Accepts `CKA_EC_POINT` as a DER OCTET STRING (the spec's form) or, as many clients send,
/// the raw point; returns the raw point.
pub fn ec_point_from_der(curve: Curve, value: &[u8]) -> Result<Vec<u8>> {
    let raw_len = curve.point_len();
    let inner = match value {
        [0x04, len, rest @ ..] if (*len as usize) < 0x80 && *len as usize == rest.len() => rest,
        [0x04, 0x81, len, rest @ ..] if *len as usize == rest.len() => rest,
        _ => value,
    };
    if inner.len() == raw_len {
        Ok(inner.to_vec())
    } else if value.len() == raw_len {
        Ok(value.to_vec())
    } else {
        Err(Error::AttributeValueInvalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn curve_params_round_trip() {
        for c in CURVES {
            assert_eq!(Curve::from_ec_params(c.ec_params()).unwrap(), c);
        }
        let mut name = vec![0x13, 10];
        name.extend_from_slice(b"curve25519");
        assert_eq!(Curve::from_ec_params(&name).unwrap(), Curve::X25519);
        let mut name = vec![0x13, 12];
        name.extend_from_slice(b"edwards25519");
        assert_eq!(Curve::from_ec_params(&name).unwrap(), Curve::Ed25519);
        // secp224r1: a curve we do not support.
        assert_eq!(
            Curve::from_ec_params(&[0x06, 0x05, 0x2b, 0x81, 0x04, 0x00, 0x21]),
            Err(Error::CurveNotSupported)
        );
        assert_eq!(
            Curve::from_ec_params(&[0x30, 0x00]),
            Err(Error::DomainParamsInvalid)
        );
    }

    #[test]
    fn point_der() {
        let p = vec![4u8; 65];
        let der = ec_point_to_der(&p);
        assert_eq!(&der[..2], &[0x04, 65]);
        assert_eq!(ec_point_from_der(Curve::P256, &der).unwrap(), p);
        assert_eq!(ec_point_from_der(Curve::P256, &p).unwrap(), p);
        let p384 = vec![4u8; 97];
        assert_eq!(
            ec_point_from_der(Curve::P384, &ec_point_to_der(&p384)).unwrap(),
            p384
        );
        // 133 bytes: the long-form length.
        let p521 = vec![4u8; 133];
        let der = ec_point_to_der(&p521);
        assert_eq!(&der[..3], &[0x04, 0x81, 133]);
        assert_eq!(ec_point_from_der(Curve::P521, &der).unwrap(), p521);
    }

    #[test]
    fn bits() {
        assert_eq!(modulus_bits(&[0, 0x80, 0]), 16);
        assert_eq!(modulus_bits(&[0x01]), 1);
        assert_eq!(modulus_bits(&[]), 0);
    }
}
