//! RSA through AWS-LC's C API (`ffi`): keys of 1024 to 8192 bits (generated with any odd
//! exponent FIPS 186-5 allows), PKCS#1 v1.5 and PSS hashed inside the module (`EVP_DigestSign`,
//! the path its indicator counts) or over a caller's digest or DigestInfo, raw RSA
//! (`CKM_RSA_X_509`), OAEP with any hash, MGF1 hash and label, and PKCS#1 v1.5 encryption.
//! PKCS#8 export stays on aws-lc-rs.

use crate::ffi::{self, OaepParams, PssParams};
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{KeyPair, KeyPairComponents, PublicKeyComponents};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::key::strip_leading_zeros;
use craton_hsm_crypto::{
    AsymEncScheme, HashAlg, PrivateKeyOps, PublicKeyOps, Rng, RsaPrivateParts, RsaPublicParts,
    SignInput, SignScheme,
};
use zeroize::Zeroizing;

pub(crate) fn generate(bits: usize, e: &[u8]) -> Result<RsaPrivateParts> {
    Ok(ffi::RsaPrivateKey::generate(bits, e)?.parts())
}

/// The key as PKCS#8 DER (for C_WrapKey), through aws-lc-rs, which needs the CRT form.
pub(crate) fn pkcs8(parts: &RsaPrivateParts) -> Result<Vec<u8>> {
    if [&parts.p, &parts.q, &parts.dp, &parts.dq, &parts.qinv]
        .iter()
        .any(|v| v.is_empty())
    {
        return Err(Error::TemplateIncomplete);
    }
    let components = KeyPairComponents {
        public_key: PublicKeyComponents {
            n: strip_leading_zeros(&parts.n),
            e: strip_leading_zeros(&parts.e),
        },
        d: strip_leading_zeros(&parts.d),
        p: strip_leading_zeros(&parts.p),
        q: strip_leading_zeros(&parts.q),
        dP: strip_leading_zeros(&parts.dp),
        dQ: strip_leading_zeros(&parts.dq),
        qInv: strip_leading_zeros(&parts.qinv),
    };
    let key = KeyPair::from_components(&components).map_err(|_| Error::AttributeValueInvalid)?;
    let der = key.as_der().map_err(|_| Error::general("RSA export"))?;
    Ok(der.as_ref().to_vec())
}

pub(crate) struct RsaPrivate {
    key: ffi::RsaPrivateKey,
}

pub(crate) struct RsaPublic {
    key: ffi::RsaPublicKey,
}

/// A private key from the full CRT set or from n, e, d.
pub(crate) fn load_private(parts: &RsaPrivateParts) -> Result<RsaPrivate> {
    Ok(RsaPrivate {
        key: ffi::RsaPrivateKey::from_parts(parts)?,
    })
}

pub(crate) fn load_public(parts: &RsaPublicParts) -> Result<RsaPublic> {
    Ok(RsaPublic {
        key: ffi::RsaPublicKey::from_parts(parts)?,
    })
}

/// What a signature scheme runs on: a message for the module to hash, or bytes the caller
/// prepared (a digest, a DigestInfo or a raw block).
enum Input<'a> {
    Message(HashAlg, &'a [u8]),
    Prepared(&'a [u8]),
}

fn input<'a>(hash: Option<HashAlg>, input: SignInput<'a>) -> Input<'a> {
    match (hash, input) {
        (Some(h), SignInput::Message(m)) => Input::Message(h, m),
        (_, SignInput::Prehashed(b)) | (None, SignInput::Message(b)) => Input::Prepared(b),
    }
}

fn pss(hash: HashAlg, mgf_hash: HashAlg, salt_len: usize) -> PssParams {
    PssParams {
        hash,
        mgf1_hash: mgf_hash,
        salt_len,
    }
}

fn oaep(hash: HashAlg, mgf_hash: HashAlg, label: &[u8]) -> OaepParams {
    OaepParams {
        hash,
        mgf1_hash: mgf_hash,
        label: label.to_vec(),
    }
}

impl PrivateKeyOps for RsaPrivate {
    fn signature_len(&self) -> usize {
        self.key.bits().div_ceil(8)
    }

    fn sign(&self, scheme: &SignScheme, data: SignInput<'_>, _rng: &dyn Rng) -> Result<Vec<u8>> {
        match scheme {
            SignScheme::RsaPkcs1 { hash } => match input(*hash, data) {
                Input::Message(h, m) => self.key.sign_pkcs1_message(h, m),
                Input::Prepared(b) => match hash {
                    Some(h) => self.key.sign_pkcs1(&crate::der::digest_info(*h, b)?),
                    None => self.key.sign_pkcs1(b),
                },
            },
            SignScheme::RsaPss {
                hash,
                mgf_hash,
                salt_len,
            } => {
                let p = pss(*hash, *mgf_hash, *salt_len);
                match input(Some(*hash), data) {
                    Input::Message(_, m) => self.key.sign_pss_message(m, &p),
                    Input::Prepared(d) => self.key.sign_pss(d, &p),
                }
            }
            SignScheme::RsaRaw => match data {
                SignInput::Message(b) | SignInput::Prehashed(b) => self.key.sign_raw(b),
            },
            _ => Err(Error::KeyTypeInconsistent),
        }
    }

    fn decrypt(
        &self,
        scheme: &AsymEncScheme,
        ct: &[u8],
        _rng: &dyn Rng,
    ) -> Result<Zeroizing<Vec<u8>>> {
        match scheme {
            AsymEncScheme::RsaPkcs1 => self.key.decrypt_pkcs1(ct),
            AsymEncScheme::RsaRaw => self.key.decrypt_raw(ct),
            AsymEncScheme::RsaOaep {
                hash,
                mgf_hash,
                label,
            } => self.key.decrypt_oaep(ct, &oaep(*hash, *mgf_hash, label)),
        }
    }
}

impl PublicKeyOps for RsaPublic {
    fn signature_len(&self) -> usize {
        self.key.bits().div_ceil(8)
    }

    fn verify(&self, scheme: &SignScheme, data: SignInput<'_>, sig: &[u8]) -> Result<()> {
        match scheme {
            SignScheme::RsaPkcs1 { hash } => match input(*hash, data) {
                Input::Message(h, m) => self.key.verify_pkcs1_message(h, m, sig),
                Input::Prepared(b) => match hash {
                    Some(h) => self.key.verify_pkcs1(&crate::der::digest_info(*h, b)?, sig),
                    None => self.key.verify_pkcs1(b, sig),
                },
            },
            SignScheme::RsaPss {
                hash,
                mgf_hash,
                salt_len,
            } => {
                let p = pss(*hash, *mgf_hash, *salt_len);
                match input(Some(*hash), data) {
                    Input::Message(_, m) => self.key.verify_pss_message(m, sig, &p),
                    Input::Prepared(d) => self.key.verify_pss(d, sig, &p),
                }
            }
            SignScheme::RsaRaw => match data {
                SignInput::Message(b) | SignInput::Prehashed(b) => self.key.verify_raw(b, sig),
            },
            _ => Err(Error::KeyTypeInconsistent),
        }
    }

    fn encrypt(&self, scheme: &AsymEncScheme, pt: &[u8], _rng: &dyn Rng) -> Result<Vec<u8>> {
        match scheme {
            AsymEncScheme::RsaPkcs1 => self.key.encrypt_pkcs1(pt),
            AsymEncScheme::RsaRaw => self.key.encrypt_raw(pt),
            AsymEncScheme::RsaOaep {
                hash,
                mgf_hash,
                label,
            } => self.key.encrypt_oaep(pt, &oaep(*hash, *mgf_hash, label)),
        }
    }
}
