//! ML-DSA and ML-KEM over aws-lc-rs (ML-DSA signatures through the wrapper's external μ).

use crate::ffi::{MU_LEN, MlDsaKey};
use aws_lc_rs::kem;
use aws_lc_rs::signature::PqdsaKeyPair;
use aws_lc_rs::signature::{self, KeyPair};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    Hedge, MlDsaSet, MlKemSet, PqKeyPair, PreHash, PrivateKeyOps, PublicKeyOps, Rng, SignInput,
    SignScheme,
};
use std::sync::Arc;
use zeroize::Zeroizing;

fn signing_alg(set: MlDsaSet) -> &'static signature::PqdsaSigningAlgorithm {
    match set {
        MlDsaSet::MlDsa44 => &signature::ML_DSA_44_SIGNING,
        MlDsaSet::MlDsa65 => &signature::ML_DSA_65_SIGNING,
        MlDsaSet::MlDsa87 => &signature::ML_DSA_87_SIGNING,
    }
}

pub(crate) fn ml_dsa_generate(set: MlDsaSet, seed: &[u8]) -> Result<PqKeyPair> {
    use aws_lc_rs::encoding::AsRawBytes;
    let kp = PqdsaKeyPair::from_seed(signing_alg(set), seed)
        .map_err(|_| Error::AttributeValueInvalid)?;
    let raw = kp
        .private_key()
        .as_raw_bytes()
        .map_err(|_| Error::general("AWS-LC: ML-DSA private key encoding"))?;
    Ok(PqKeyPair {
        private: Zeroizing::new(raw.as_ref().to_vec()),
        seed: Some(Zeroizing::new(seed.to_vec())),
        public: kp.public_key().as_ref().to_vec(),
    })
}

/// ML-DSA keys sign and verify FIPS 204's M' through external μ (`ffi::MlDsaKey`): pure
/// ML-DSA with any context and HashML-DSA alike, hedged only.
struct MlDsaPrivate {
    key: MlDsaKey,
    set: MlDsaSet,
}

/// μ for what `scheme` signs. AWS-LC signs hedged only: the deterministic variant is
/// `MechanismParamInvalid`.
fn external_mu(
    key: &MlDsaKey,
    scheme: &SignScheme,
    input: SignInput<'_>,
    signing: bool,
) -> Result<[u8; MU_LEN]> {
    let hedge = match scheme {
        SignScheme::MlDsa { hedge, .. } | SignScheme::HashMlDsa { hedge, .. } => *hedge,
        _ => return Err(Error::MechanismInvalid),
    };
    if signing && hedge == Hedge::Deterministic {
        return Err(Error::MechanismParamInvalid);
    }
    match (scheme, input) {
        (SignScheme::MlDsa { context, .. }, SignInput::Message(msg)) => {
            let ctx_len = u8::try_from(context.len()).map_err(|_| Error::MechanismParamInvalid)?;
            key.mu(&[&[0, ctx_len], context, msg])
        }
        (SignScheme::HashMlDsa { hash, context, .. }, input) => {
            let digest = match (input, hash) {
                (SignInput::Prehashed(d), _) => d.to_vec(),
                (SignInput::Message(m), PreHash::Hash(h)) => crate::ffi::digest(*h, m)?,
                (SignInput::Message(m), PreHash::Shake128) => {
                    crate::ffi::shake(false, m, hash.output_len())?
                }
                (SignInput::Message(m), PreHash::Shake256) => {
                    crate::ffi::shake(true, m, hash.output_len())?
                }
            };
            let m = craton_hsm_crypto::hash_ml_dsa_message(*hash, context, &digest)?;
            key.mu(&[&m])
        }
        _ => Err(Error::MechanismParamInvalid),
    }
}

impl PrivateKeyOps for MlDsaPrivate {
    fn signature_len(&self) -> usize {
        self.set.signature_len()
    }

    fn sign(&self, scheme: &SignScheme, input: SignInput<'_>, _rng: &dyn Rng) -> Result<Vec<u8>> {
        self.key
            .sign_mu(&external_mu(&self.key, scheme, input, true)?)
    }
}

pub(crate) fn ml_dsa_private(
    set: MlDsaSet,
    expanded: Option<&[u8]>,
    seed: Option<&[u8]>,
) -> Result<Arc<dyn PrivateKeyOps>> {
    let key = match (seed, expanded) {
        (Some(seed), _) => {
            let pair = ml_dsa_generate(set, seed)?;
            // A seed and a value given together must describe the same key.
            if expanded.is_some_and(|e| e != pair.private.as_slice()) {
                return Err(Error::TemplateInconsistent);
            }
            MlDsaKey::private(set, &pair.private)?
        }
        (None, Some(e)) => MlDsaKey::private(set, e)?,
        (None, None) => return Err(Error::TemplateIncomplete),
    };
    Ok(Arc::new(MlDsaPrivate { key, set }))
}

struct MlDsaPublic {
    key: MlDsaKey,
    set: MlDsaSet,
}

impl PublicKeyOps for MlDsaPublic {
    fn signature_len(&self) -> usize {
        self.set.signature_len()
    }

    fn verify(&self, scheme: &SignScheme, input: SignInput<'_>, sig: &[u8]) -> Result<()> {
        let mu = external_mu(&self.key, scheme, input, false)?;
        if sig.len() != self.set.signature_len() {
            return Err(Error::SignatureLenRange);
        }
        self.key.verify_mu(&mu, sig)
    }
}

pub(crate) fn ml_dsa_public(set: MlDsaSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
    // Rejects a wrong-size key now rather than at the first verification.
    if public.len() != set.public_key_len() {
        return Err(Error::AttributeValueInvalid);
    }
    Ok(Arc::new(MlDsaPublic {
        key: MlDsaKey::public(set, public)?,
        set,
    }))
}

fn kem_alg(set: MlKemSet) -> &'static kem::Algorithm<kem::AlgorithmId> {
    match set {
        MlKemSet::MlKem512 => &kem::ML_KEM_512,
        MlKemSet::MlKem768 => &kem::ML_KEM_768,
        MlKemSet::MlKem1024 => &kem::ML_KEM_1024,
    }
}

/// Key generation draws on AWS-LC's own approved DRBG; no seed is exposed.
pub(crate) fn ml_kem_generate(set: MlKemSet) -> Result<PqKeyPair> {
    let fail = |_| Error::general("AWS-LC: ML-KEM key generation failed");
    let dk = kem::DecapsulationKey::generate(kem_alg(set)).map_err(fail)?;
    let private = dk.key_bytes().map_err(fail)?;
    let public = dk
        .encapsulation_key()
        .and_then(|ek| ek.key_bytes())
        .map_err(fail)?;
    Ok(PqKeyPair {
        private: Zeroizing::new(private.as_ref().to_vec()),
        seed: None,
        public: public.as_ref().to_vec(),
    })
}

struct MlKemPrivate(kem::DecapsulationKey<kem::AlgorithmId>, MlKemSet);

impl PrivateKeyOps for MlKemPrivate {
    fn signature_len(&self) -> usize {
        0
    }
    fn sign(&self, _: &SignScheme, _: SignInput<'_>, _: &dyn Rng) -> Result<Vec<u8>> {
        Err(Error::KeyTypeInconsistent)
    }
    fn decapsulate(&self, ct: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        if ct.len() != self.1.ciphertext_len() {
            return Err(Error::EncryptedDataLenRange);
        }
        let ss = self
            .0
            .decapsulate(kem::Ciphertext::from(ct))
            .map_err(|_| Error::EncryptedDataInvalid)?;
        Ok(Zeroizing::new(ss.as_ref().to_vec()))
    }
}

pub(crate) fn ml_kem_private(set: MlKemSet, expanded: &[u8]) -> Result<Arc<dyn PrivateKeyOps>> {
    let dk = kem::DecapsulationKey::new(kem_alg(set), expanded)
        .map_err(|_| Error::AttributeValueInvalid)?;
    Ok(Arc::new(MlKemPrivate(dk, set)))
}

struct MlKemPublic(kem::EncapsulationKey<kem::AlgorithmId>);

impl PublicKeyOps for MlKemPublic {
    fn signature_len(&self) -> usize {
        0
    }
    fn verify(&self, _: &SignScheme, _: SignInput<'_>, _: &[u8]) -> Result<()> {
        Err(Error::KeyTypeInconsistent)
    }
    fn encapsulate(&self, _rng: &dyn Rng) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>)> {
        let (ct, ss) = self
            .0
            .encapsulate()
            .map_err(|_| Error::general("AWS-LC: ML-KEM encapsulation failed"))?;
        Ok((ct.as_ref().to_vec(), Zeroizing::new(ss.as_ref().to_vec())))
    }
}

pub(crate) fn ml_kem_public(set: MlKemSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
    let ek = kem::EncapsulationKey::new(kem_alg(set), public)
        .map_err(|_| Error::AttributeValueInvalid)?;
    Ok(Arc::new(MlKemPublic(ek)))
}
