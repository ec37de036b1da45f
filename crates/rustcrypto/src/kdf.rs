//! Key derivation: HKDF (`hkdf`), the ANSI X9.63 KDF (`ansi-x963-kdf`), and PKCS#8 private
//! key encoding for wrap/unwrap (`rsa`, `p256`, `p384`, `p521`, `ed25519-dalek`).

use super::hash::with_hash;
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{Curve, EcPrivateParts, HashAlg, PrivateKeyMaterial};
use pkcs8::{DecodePrivateKey, EncodePrivateKey};
use zeroize::Zeroizing;

pub(crate) fn hkdf_extract(hash: HashAlg, salt: &[u8], ikm: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    with_hash!(hash, D => {
        let (prk, _) = hkdf::SimpleHkdf::<D>::extract(Some(salt), ikm);
        Ok(Zeroizing::new(prk.to_vec()))
    })
}

pub(crate) fn hkdf_expand(
    hash: HashAlg,
    prk: &[u8],
    info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut okm = Zeroizing::new(vec![0u8; len]);
    with_hash!(hash, D => {
        let h = hkdf::SimpleHkdf::<D>::from_prk(prk).map_err(|_| Error::KeySizeRange)?;
        h.expand(info, &mut okm).map_err(|_| Error::TemplateInconsistent)?;
    });
    Ok(okm)
}

pub(crate) fn x963_kdf(
    hash: HashAlg,
    z: &[u8],
    shared_info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(vec![0u8; len]);
    with_hash!(hash, D => ansi_x963_kdf::derive_key_into::<D>(z, shared_info, &mut out)
        .map_err(|_| Error::TemplateInconsistent))?;
    Ok(out)
}

/// SP 800-56C Rev. 2 §4.1's one-step KDF with a hash: H(counter ‖ Z ‖ FixedInfo) for
/// counter = 1, 2, ... as a 32-bit big-endian number, concatenated and cut to `len` (the core
/// bounds `len`). Written over the hash here: RustCrypto's `concat-kdf` is on the older
/// `digest` traits these hash crates no longer implement.
pub(crate) fn one_step_kdf(
    hash: HashAlg,
    z: &[u8],
    fixed_info: &[u8],
    len: usize,
) -> Result<Zeroizing<Vec<u8>>> {
    let mut out = Zeroizing::new(Vec::with_capacity(len));
    let mut counter: u32 = 1;
    while out.len() < len {
        let block = with_hash!(hash, D => {
            let mut d = <D as sha2::Digest>::new();
            sha2::Digest::update(&mut d, counter.to_be_bytes());
            sha2::Digest::update(&mut d, z);
            sha2::Digest::update(&mut d, fixed_info);
            Zeroizing::new(sha2::Digest::finalize(d).to_vec())
        });
        let take = block.len().min(len - out.len());
        out.extend_from_slice(&block[..take]);
        counter = counter.checked_add(1).ok_or(Error::TemplateInconsistent)?;
    }
    Ok(out)
}

pub(crate) fn to_pkcs8(key: &PrivateKeyMaterial) -> Result<Zeroizing<Vec<u8>>> {
    let fail = |_| Error::general("PKCS#8 encoding");
    let doc = match key {
        PrivateKeyMaterial::Rsa(parts) => super::rsa::load_private(parts)?.pkcs8().map_err(fail)?,
        PrivateKeyMaterial::Ec(EcPrivateParts { curve, scalar, .. }) => match curve {
            Curve::P256 => p256::SecretKey::from_slice(scalar)
                .map_err(|_| Error::KeyTypeInconsistent)?
                .to_pkcs8_der()
                .map_err(fail)?,
            Curve::P384 => p384::SecretKey::from_slice(scalar)
                .map_err(|_| Error::KeyTypeInconsistent)?
                .to_pkcs8_der()
                .map_err(fail)?,
            Curve::P521 => p521::SecretKey::from_slice(scalar)
                .map_err(|_| Error::KeyTypeInconsistent)?
                .to_pkcs8_der()
                .map_err(fail)?,
            Curve::Ed25519 => {
                let seed: [u8; 32] = scalar
                    .as_slice()
                    .try_into()
                    .map_err(|_| Error::KeyTypeInconsistent)?;
                ed25519_dalek::SigningKey::from_bytes(&seed)
                    .to_pkcs8_der()
                    .map_err(fail)?
            }
            Curve::X25519 => return craton_hsm_crypto::x25519::to_pkcs8(scalar),
        },
    };
    Ok(Zeroizing::new(doc.as_bytes().to_vec()))
}

pub(crate) fn from_pkcs8(der: &[u8]) -> Result<PrivateKeyMaterial> {
    if let Ok(k) = rsa::PrivateKey::from_pkcs8_der(der) {
        return Ok(PrivateKeyMaterial::Rsa(super::rsa::parts_of(&k)));
    }
    if let Ok(k) = p256::SecretKey::from_pkcs8_der(der) {
        return ec(Curve::P256, k.to_bytes().to_vec());
    }
    if let Ok(k) = p384::SecretKey::from_pkcs8_der(der) {
        return ec(Curve::P384, k.to_bytes().to_vec());
    }
    if let Ok(k) = p521::SecretKey::from_pkcs8_der(der) {
        return ec(Curve::P521, k.to_bytes().to_vec());
    }
    if let Ok(k) = ed25519_dalek::SigningKey::from_pkcs8_der(der) {
        return ec(Curve::Ed25519, k.to_bytes().to_vec());
    }
    if let Some(k) = craton_hsm_crypto::x25519::from_pkcs8(der)? {
        return ec(Curve::X25519, k.to_vec());
    }
    Err(Error::WrappedKeyInvalid)
}

fn ec(curve: Curve, scalar: Vec<u8>) -> Result<PrivateKeyMaterial> {
    let point = super::ec::public_point(curve, &scalar)?;
    Ok(PrivateKeyMaterial::Ec(EcPrivateParts {
        curve,
        scalar,
        point,
    }))
}
