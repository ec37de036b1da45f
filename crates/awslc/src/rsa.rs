//! RSA over aws-lc-rs: FIPS key generation, PKCS#1 v1.5 and PSS signatures (hash-and-sign,
//! salt length = hash length), OAEP with matching hash and MGF1 hash.

use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rsa::{
    KeyPair, KeyPairComponents, KeySize, OAEP_SHA1_MGF1SHA1, OAEP_SHA256_MGF1SHA256,
    OAEP_SHA384_MGF1SHA384, OAEP_SHA512_MGF1SHA512, OaepAlgorithm, OaepPrivateDecryptingKey,
    OaepPublicEncryptingKey, PrivateDecryptingKey, PublicEncryptingKey, PublicKeyComponents,
};
use aws_lc_rs::signature::{self, RsaEncoding, RsaParameters};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::key::strip_leading_zeros;
use craton_hsm_crypto::{
    AsymEncScheme, HashAlg, PrivateKeyOps, PublicKeyOps, Rng, RsaPrivateParts, RsaPublicParts,
    SignInput, SignScheme,
};
use zeroize::Zeroizing;

pub(crate) fn generate(bits: usize, e: &[u8]) -> Result<RsaPrivateParts> {
    if strip_leading_zeros(e) != [0x01, 0x00, 0x01] {
        // aws-lc generates with e = 65537 only.
        return Err(Error::TemplateInconsistent);
    }
    let size = match bits {
        2048 => KeySize::Rsa2048,
        3072 => KeySize::Rsa3072,
        4096 => KeySize::Rsa4096,
        _ => return Err(Error::KeySizeRange),
    };
    let kp = KeyPair::generate(size).map_err(|_| Error::general("RSA key generation"))?;
    let der = kp.as_der().map_err(|_| Error::general("RSA export"))?;
    super::der::rsa_parts_from_pkcs8(der.as_ref())
}

fn components(parts: &RsaPrivateParts) -> Result<KeyPairComponents<&[u8], &[u8]>> {
    if [&parts.p, &parts.q, &parts.dp, &parts.dq, &parts.qinv]
        .iter()
        .any(|v| v.is_empty())
    {
        // aws-lc needs the CRT form; it does not recover primes from (n, e, d).
        return Err(Error::TemplateIncomplete);
    }
    Ok(KeyPairComponents {
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
    })
}

pub(crate) struct RsaPrivate {
    key: KeyPair,
    /// The same key as aws-lc's OAEP decrypting key (built from its PKCS#8).
    oaep: OaepPrivateDecryptingKey,
}

pub(crate) struct RsaPublic {
    n: Vec<u8>,
    e: Vec<u8>,
}

pub(crate) fn load_private(parts: &RsaPrivateParts) -> Result<RsaPrivate> {
    let key =
        KeyPair::from_components(&components(parts)?).map_err(|_| Error::AttributeValueInvalid)?;
    let der = key.as_der().map_err(|_| Error::general("RSA export"))?;
    let decrypting =
        PrivateDecryptingKey::from_pkcs8(der.as_ref()).map_err(|_| Error::AttributeValueInvalid)?;
    let oaep =
        OaepPrivateDecryptingKey::new(decrypting).map_err(|_| Error::AttributeValueInvalid)?;
    Ok(RsaPrivate { key, oaep })
}

impl RsaPrivate {
    /// The key as PKCS#8 DER (for C_WrapKey).
    pub(crate) fn pkcs8(&self) -> Result<Vec<u8>> {
        let der = self
            .key
            .as_der()
            .map_err(|_| Error::general("RSA export"))?;
        Ok(der.as_ref().to_vec())
    }
}

pub(crate) fn load_public(parts: &RsaPublicParts) -> Result<RsaPublic> {
    let n = strip_leading_zeros(&parts.n).to_vec();
    let e = strip_leading_zeros(&parts.e).to_vec();
    if n.is_empty() || e.is_empty() {
        return Err(Error::AttributeValueInvalid);
    }
    Ok(RsaPublic { n, e })
}

fn signing_encoding(scheme: &SignScheme) -> Result<&'static dyn RsaEncoding> {
    Ok(match scheme {
        SignScheme::RsaPkcs1 {
            hash: Some(HashAlg::Sha256),
        } => &signature::RSA_PKCS1_SHA256,
        SignScheme::RsaPkcs1 {
            hash: Some(HashAlg::Sha384),
        } => &signature::RSA_PKCS1_SHA384,
        SignScheme::RsaPkcs1 {
            hash: Some(HashAlg::Sha512),
        } => &signature::RSA_PKCS1_SHA512,
        SignScheme::RsaPss {
            hash,
            mgf_hash,
            salt_len,
        } => {
            pss_supported(*hash, *mgf_hash, *salt_len)?;
            match hash {
                HashAlg::Sha256 => &signature::RSA_PSS_SHA256,
                HashAlg::Sha384 => &signature::RSA_PSS_SHA384,
                _ => &signature::RSA_PSS_SHA512,
            }
        }
        _ => return Err(Error::MechanismInvalid),
    })
}

fn verify_params(scheme: &SignScheme) -> Result<&'static RsaParameters> {
    Ok(match scheme {
        SignScheme::RsaPkcs1 {
            hash: Some(HashAlg::Sha256),
        } => &signature::RSA_PKCS1_2048_8192_SHA256,
        SignScheme::RsaPkcs1 {
            hash: Some(HashAlg::Sha384),
        } => &signature::RSA_PKCS1_2048_8192_SHA384,
        SignScheme::RsaPkcs1 {
            hash: Some(HashAlg::Sha512),
        } => &signature::RSA_PKCS1_2048_8192_SHA512,
        SignScheme::RsaPss {
            hash,
            mgf_hash,
            salt_len,
        } => {
            pss_supported(*hash, *mgf_hash, *salt_len)?;
            match hash {
                HashAlg::Sha256 => &signature::RSA_PSS_2048_8192_SHA256,
                HashAlg::Sha384 => &signature::RSA_PSS_2048_8192_SHA384,
                _ => &signature::RSA_PSS_2048_8192_SHA512,
            }
        }
        _ => return Err(Error::MechanismInvalid),
    })
}

/// aws-lc-rs signs PSS with MGF1 over the same hash and a salt as long as the hash.
fn pss_supported(hash: HashAlg, mgf_hash: HashAlg, salt_len: usize) -> Result<()> {
    let ok = hash == mgf_hash
        && salt_len == hash.output_len()
        && matches!(hash, HashAlg::Sha256 | HashAlg::Sha384 | HashAlg::Sha512);
    if ok {
        Ok(())
    } else {
        Err(Error::MechanismParamInvalid)
    }
}

/// The approved service signs messages; a caller-made digest is refused.
fn message(input: SignInput<'_>) -> Result<&[u8]> {
    match input {
        SignInput::Message(m) => Ok(m),
        SignInput::Prehashed(_) => Err(Error::MechanismInvalid),
    }
}

fn oaep_alg(scheme: &AsymEncScheme) -> Result<(&'static OaepAlgorithm, Option<&[u8]>)> {
    let AsymEncScheme::RsaOaep {
        hash,
        mgf_hash,
        label,
    } = scheme
    else {
        return Err(Error::MechanismInvalid);
    };
    if hash != mgf_hash {
        return Err(Error::MechanismParamInvalid);
    }
    let alg = match hash {
        HashAlg::Sha1 => &OAEP_SHA1_MGF1SHA1,
        HashAlg::Sha256 => &OAEP_SHA256_MGF1SHA256,
        HashAlg::Sha384 => &OAEP_SHA384_MGF1SHA384,
        HashAlg::Sha512 => &OAEP_SHA512_MGF1SHA512,
        _ => return Err(Error::MechanismParamInvalid),
    };
    Ok((alg, (!label.is_empty()).then_some(label.as_slice())))
}

impl PrivateKeyOps for RsaPrivate {
    fn signature_len(&self) -> usize {
        self.key.public_modulus_len()
    }

    fn sign(&self, scheme: &SignScheme, input: SignInput<'_>, _rng: &dyn Rng) -> Result<Vec<u8>> {
        let enc = signing_encoding(scheme)?;
        let mut sig = vec![0u8; self.key.public_modulus_len()];
        let rng = aws_lc_rs::rand::SystemRandom::new();
        self.key
            .sign(enc, &rng, message(input)?, &mut sig)
            .map_err(|_| Error::general("RSA sign"))?;
        Ok(sig)
    }

    fn decrypt(
        &self,
        scheme: &AsymEncScheme,
        ct: &[u8],
        _rng: &dyn Rng,
    ) -> Result<Zeroizing<Vec<u8>>> {
        let (alg, label) = oaep_alg(scheme)?;
        if ct.len() != self.key.public_modulus_len() {
            return Err(Error::EncryptedDataLenRange);
        }
        let mut out = Zeroizing::new(vec![0u8; self.oaep.min_output_size()]);
        let n = self
            .oaep
            .decrypt(alg, ct, &mut out, label)
            .map_err(|_| Error::EncryptedDataInvalid)?
            .len();
        out.truncate(n);
        Ok(out)
    }
}

impl RsaPublic {
    fn components(&self) -> PublicKeyComponents<&[u8]> {
        PublicKeyComponents {
            n: &self.n,
            e: &self.e,
        }
    }
}

impl PublicKeyOps for RsaPublic {
    fn signature_len(&self) -> usize {
        self.n.len()
    }

    fn verify(&self, scheme: &SignScheme, input: SignInput<'_>, sig: &[u8]) -> Result<()> {
        if sig.len() != self.n.len() {
            return Err(Error::SignatureLenRange);
        }
        let params = verify_params(scheme)?;
        self.components()
            .verify(params, message(input)?, sig)
            .map_err(|_| Error::SignatureInvalid)
    }

    fn encrypt(&self, scheme: &AsymEncScheme, pt: &[u8], _rng: &dyn Rng) -> Result<Vec<u8>> {
        let (alg, label) = oaep_alg(scheme)?;
        let der = self
            .components()
            .as_der()
            .map_err(|_| Error::general("RSA public key"))?;
        let key = PublicEncryptingKey::from_der(der.as_ref())
            .map_err(|_| Error::general("RSA public key"))?;
        let key = OaepPublicEncryptingKey::new(key).map_err(|_| Error::general("OAEP key"))?;
        if pt.len() > key.max_plaintext_size(alg) {
            return Err(Error::DataLenRange);
        }
        let mut out = vec![0u8; key.ciphertext_size()];
        let n = key
            .encrypt(alg, pt, &mut out, label)
            .map_err(|_| Error::general("OAEP encrypt"))?
            .len();
        out.truncate(n);
        Ok(out)
    }
}
