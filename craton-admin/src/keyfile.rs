//! Key files for `key import`: PKCS#8 (RSA, EC P-256/P-384, Ed25519), SEC1 EC keys, PKCS#1
//! RSA keys, each as DER or PEM, and raw AES keys (16, 24 or 32 bytes). Only containers are
//! decoded here; the module checks the key itself.

use const_oid::ObjectIdentifier;
use der::Encode;
use zeroize::Zeroizing;

const RSA: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.113549.1.1.1");
const EC_PUBLIC_KEY: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.2.1");
const ED25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.112");
const P256: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.2.840.10045.3.1.7");
const P384: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.132.0.34");

type Secret = Zeroizing<Vec<u8>>;

/// What a key file holds, as PKCS#11 attribute values.
pub enum KeyMaterial {
    Rsa {
        modulus: Vec<u8>,
        public_exponent: Vec<u8>,
        private_exponent: Secret,
        prime1: Secret,
        prime2: Secret,
        exponent1: Secret,
        exponent2: Secret,
        coefficient: Secret,
    },
    Ec {
        /// DER of the curve's OID (CKA_EC_PARAMS).
        params: Vec<u8>,
        curve: &'static str,
        value: Secret,
        /// DER OCTET STRING of the public point (CKA_EC_POINT), when the file has it.
        point: Option<Vec<u8>>,
    },
    Ed25519 {
        params: Vec<u8>,
        value: Secret,
    },
    Aes {
        value: Secret,
    },
}

impl KeyMaterial {
    pub fn describe(&self) -> String {
        match self {
            KeyMaterial::Rsa { modulus, .. } => {
                let lead = modulus
                    .iter()
                    .position(|&b| b != 0)
                    .unwrap_or(modulus.len());
                let bytes = &modulus[lead..];
                let bits =
                    bytes.len() * 8 - bytes.first().map_or(8, |b| b.leading_zeros() as usize);
                format!("RSA-{bits} key pair")
            }
            KeyMaterial::Ec { curve, point, .. } => format!(
                "EC {curve} {}",
                if point.is_some() {
                    "key pair"
                } else {
                    "private key (the file has no public key)"
                }
            ),
            KeyMaterial::Ed25519 { .. } => {
                "Ed25519 private key (PKCS#8 v1 carries no public key)".into()
            }
            KeyMaterial::Aes { value } => format!("AES-{} key", value.len() * 8),
        }
    }
}

/// The file formats `--format` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Detect: PEM by its label, DER by trying PKCS#8, SEC1 and PKCS#1 (a raw AES key is
    /// never guessed: any 16 bytes would pass for one).
    Auto,
    Pkcs8,
    Sec1,
    Pkcs1,
    RawAes,
}

/// Reads a key file.
pub fn parse(data: &[u8], format: Format) -> Result<KeyMaterial, String> {
    if format == Format::RawAes {
        return raw_aes(data);
    }
    if data.starts_with(b"-----BEGIN") {
        let (label, der) =
            pem_rfc7468::decode_vec(data).map_err(|e| format!("not a valid PEM file: {e}"))?;
        let der = Zeroizing::new(der);
        return match label {
            "PRIVATE KEY" => pkcs8(&der),
            "EC PRIVATE KEY" => sec1(&der, None),
            "RSA PRIVATE KEY" => pkcs1(&der),
            "ENCRYPTED PRIVATE KEY" => Err(
                "the key is encrypted: decrypt it first (openssl pkcs8 -in KEY -out PLAIN.pem), \
                 import, then delete the plain copy"
                    .into(),
            ),
            other => Err(format!(
                "a PEM file labelled {other:?} holds no private key"
            )),
        };
    }
    match format {
        Format::Pkcs8 => pkcs8(data),
        Format::Sec1 => sec1(data, None),
        Format::Pkcs1 => pkcs1(data),
        _ => pkcs8(data)
            .or_else(|_| sec1(data, None))
            .or_else(|_| pkcs1(data))
            .map_err(|_| {
                "not a PKCS#8, SEC1 or PKCS#1 key (DER or PEM); for a raw AES key add \
                 --format raw-aes"
                    .to_string()
            }),
    }
}

fn raw_aes(data: &[u8]) -> Result<KeyMaterial, String> {
    if !matches!(data.len(), 16 | 24 | 32) {
        return Err(format!(
            "a raw AES key has 16, 24 or 32 bytes; this file has {}",
            data.len()
        ));
    }
    Ok(KeyMaterial::Aes {
        value: Zeroizing::new(data.to_vec()),
    })
}

fn pkcs8(der: &[u8]) -> Result<KeyMaterial, String> {
    let info = pkcs8::PrivateKeyInfoRef::try_from(der).map_err(|e| format!("PKCS#8: {e}"))?;
    let inner = info.private_key.as_bytes();
    match info.algorithm.oid {
        RSA => pkcs1(inner),
        EC_PUBLIC_KEY => {
            let curve = info
                .algorithm
                .parameters_oid()
                .map_err(|e| format!("PKCS#8 EC key without a named curve: {e}"))?;
            sec1(inner, Some(curve))
        }
        ED25519 => {
            // The private key is an OCTET STRING holding the 32-byte seed (RFC 8410).
            let seed = der::asn1::OctetStringRef::new(inner)
                .ok()
                .and_then(|_| der::Decode::from_der(inner).ok())
                .map(|o: &der::asn1::OctetStringRef| o.as_bytes().to_vec())
                .ok_or("PKCS#8 Ed25519 key: the private key is not an OCTET STRING")?;
            if seed.len() != 32 {
                return Err("PKCS#8 Ed25519 key: the seed is not 32 bytes".into());
            }
            Ok(KeyMaterial::Ed25519 {
                params: oid_der(ED25519)?,
                value: Zeroizing::new(seed),
            })
        }
        other => Err(format!(
            "PKCS#8 key of algorithm {other}: only RSA, EC (P-256, P-384) and Ed25519 keys import"
        )),
    }
}

fn pkcs1(der: &[u8]) -> Result<KeyMaterial, String> {
    let k = pkcs1::RsaPrivateKeyRef::try_from(der).map_err(|e| format!("PKCS#1: {e}"))?;
    if k.other_prime_infos.is_some() {
        return Err("multi-prime RSA keys are not supported".into());
    }
    let s = |u: &der::asn1::UintRef| Zeroizing::new(u.as_bytes().to_vec());
    Ok(KeyMaterial::Rsa {
        modulus: k.modulus.as_bytes().to_vec(),
        public_exponent: k.public_exponent.as_bytes().to_vec(),
        private_exponent: s(&k.private_exponent),
        prime1: s(&k.prime1),
        prime2: s(&k.prime2),
        exponent1: s(&k.exponent1),
        exponent2: s(&k.exponent2),
        coefficient: s(&k.coefficient),
    })
}

fn sec1(der: &[u8], outer_curve: Option<ObjectIdentifier>) -> Result<KeyMaterial, String> {
    let k = sec1::EcPrivateKey::try_from(der).map_err(|e| format!("SEC1: {e}"))?;
    let inner_curve = k.parameters.as_ref().and_then(|p| p.named_curve());
    let curve = match (outer_curve, inner_curve) {
        (Some(a), Some(b)) if a != b => {
            return Err("the key names two different curves".into());
        }
        (Some(c), _) | (None, Some(c)) => c,
        (None, None) => return Err("SEC1 key without a named curve".into()),
    };
    let (name, len) = match curve {
        P256 => ("P-256", 32),
        P384 => ("P-384", 48),
        other => return Err(format!("curve {other}: only P-256 and P-384 keys import")),
    };
    // Leading zero bytes may have been dropped; CKA_VALUE is the scalar at full length.
    if k.private_key.len() > len {
        return Err("the private key is longer than the curve allows".into());
    }
    let mut value = Zeroizing::new(vec![0u8; len - k.private_key.len()]);
    value.extend_from_slice(k.private_key);
    let point = k
        .public_key
        .map(|p| {
            der::asn1::OctetString::new(p.to_vec())
                .and_then(|o| o.to_der())
                .map_err(|e| format!("public point: {e}"))
        })
        .transpose()?;
    Ok(KeyMaterial::Ec {
        params: oid_der(curve)?,
        curve: name,
        value,
        point,
    })
}

fn oid_der(oid: ObjectIdentifier) -> Result<Vec<u8>, String> {
    oid.to_der().map_err(|e| e.to_string())
}
