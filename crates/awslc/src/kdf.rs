//! HKDF and PKCS#8 key export/import over aws-lc-rs; the ANSI X9.63 KDF (which aws-lc-rs lacks)
//! over AWS-LC's digests through the wrapper.

use super::hash::hmac_alg;
use aws_lc_rs::encoding::{AsBigEndian, AsDer};
use aws_lc_rs::hkdf;
use aws_lc_rs::signature::{EcdsaKeyPair, Ed25519KeyPair, KeyPair};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{Curve, EcPrivateParts, HashAlg, PrivateKeyMaterial};
use zeroize::Zeroizing;

fn hkdf_alg(hash: HashAlg) -> Result<hkdf::Algorithm> {
    Ok(match hash {
        HashAlg::Sha256 => hkdf::HKDF_SHA256,
        HashAlg::Sha384 => hkdf::HKDF_SHA384,
        HashAlg::Sha512 => hkdf::HKDF_SHA512,
        _ => return Err(Error::MechanismParamInvalid),
    })
}

/// HKDF-Extract is HMAC(salt, IKM) (RFC 5869 2.2); aws-lc-rs keeps its PRK opaque, so the
/// extract step uses aws-lc's HMAC directly.
pub(crate) fn hkdf_extract(hash: HashAlg, salt: &[u8], ikm: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    hkdf_alg(hash)?;
    let key = aws_lc_rs::hmac::Key::new(hmac_alg(hash)?, salt);
    Ok(Zeroizing::new(
        aws_lc_rs::hmac::sign(&key, ikm).as_ref().to_vec(),
    ))
}

struct Len(usize);

impl hkdf::KeyType for Len {
    fn len(&self) -> usize {
        self.0
    }
}

pub(crate) fn hkdf_expand(
    hash: HashAlg,
    prk: &[u8],
    info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let prk = hkdf::Prk::new_less_safe(hkdf_alg(hash)?, prk);
    let info = [info];
    let okm = prk
        .expand(&info, Len(len))
        .map_err(|_| Error::TemplateInconsistent)?;
    let mut out = Zeroizing::new(vec![0u8; len]);
    okm.fill(&mut out)
        .map_err(|_| Error::TemplateInconsistent)?;
    Ok(out)
}

/// ANSI X9.63 KDF (SEC 1 3.6.1): H(Z || counter || SharedInfo) for counter = 1, 2, ... as a
/// 32-bit big-endian number, concatenated and cut to `len`. The core bounds `len`.
pub(crate) fn x963_kdf(
    hash: HashAlg,
    z: &[u8],
    shared_info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    let mut counter: u32 = 1;
    while out.len() < len {
        let mut d = crate::ffi::Digest::new(hash)?;
        d.update(z)?;
        d.update(&counter.to_be_bytes())?;
        d.update(shared_info)?;
        let block = Zeroizing::new(d.finish()?);
        let take = block.len().min(len - out.len());
        out.extend_from_slice(&block[..take]);
        counter = counter.checked_add(1).ok_or(Error::TemplateInconsistent)?;
    }
    Ok(out)
}

fn fail<E>(_: E) -> Error {
    Error::general("PKCS#8 encoding")
}

pub(crate) fn to_pkcs8(key: &PrivateKeyMaterial) -> Result<Zeroizing<Vec<u8>>> {
    let der: Vec<u8> = match key {
        PrivateKeyMaterial::Rsa(parts) => super::rsa::pkcs8(parts)?,
        PrivateKeyMaterial::Ec(EcPrivateParts {
            curve,
            scalar,
            point,
        }) => match curve {
            Curve::Ed25519 => {
                let kp = Ed25519KeyPair::from_seed_unchecked(scalar).map_err(fail)?;
                kp.to_pkcs8v1().map_err(fail)?.as_ref().to_vec()
            }
            Curve::X25519 => return craton_hsm_crypto::x25519::to_pkcs8(scalar),
            c => {
                let kp = EcdsaKeyPair::from_private_key_and_public_key(
                    super::ec::signing_alg(*c)?,
                    scalar,
                    point,
                )
                .map_err(fail)?;
                kp.to_pkcs8v1().map_err(fail)?.as_ref().to_vec()
            }
        },
    };
    Ok(Zeroizing::new(der))
}

pub(crate) fn from_pkcs8(der: &[u8]) -> Result<PrivateKeyMaterial> {
    if let Ok(kp) = aws_lc_rs::rsa::KeyPair::from_pkcs8(der) {
        let exported = kp.as_der().map_err(fail)?;
        return Ok(PrivateKeyMaterial::Rsa(super::der::rsa_parts_from_pkcs8(
            exported.as_ref(),
        )?));
    }
    for curve in [Curve::P256, Curve::P384, Curve::P521] {
        let alg = super::ec::signing_alg(curve)?;
        if let Ok(kp) = EcdsaKeyPair::from_pkcs8(alg, der) {
            let scalar = kp.private_key().as_be_bytes().map_err(fail)?;
            return Ok(PrivateKeyMaterial::Ec(EcPrivateParts {
                curve,
                scalar: scalar.as_ref().to_vec(),
                point: kp.public_key().as_ref().to_vec(),
            }));
        }
    }
    if let Ok(kp) = Ed25519KeyPair::from_pkcs8_maybe_unchecked(der) {
        let seed = kp.seed().map_err(fail)?.as_be_bytes().map_err(fail)?;
        return Ok(PrivateKeyMaterial::Ec(EcPrivateParts {
            curve: Curve::Ed25519,
            scalar: seed.as_ref().to_vec(),
            point: kp.public_key().as_ref().to_vec(),
        }));
    }
    if let Some(key) = craton_hsm_crypto::x25519::from_pkcs8(der)? {
        let point = super::ec::public_point(Curve::X25519, &key)?;
        return Ok(PrivateKeyMaterial::Ec(EcPrivateParts {
            curve: Curve::X25519,
            scalar: key.to_vec(),
            point,
        }));
    }
    Err(Error::WrappedKeyInvalid)
}
