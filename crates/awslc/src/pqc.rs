//! ML-DSA and ML-KEM over aws-lc-rs.

use crate::ffi::{MU_LEN, MlDsaKey};
use aws_lc_rs::kem;
use aws_lc_rs::signature::PqdsaKeyPair;
use aws_lc_rs::signature::{self, KeyPair, UnparsedPublicKey};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    Hedge, MlDsaSet, MlKemSet, PqKeyPair, PreHash, PrivateKeyOps, PublicKeyOps, Rng, SignInput,
    SignScheme,
};
use std::sync::Arc;
use zeroize::Zeroizing;

fn dsa(
    set: MlDsaSet,
) -> (
    &'static signature::PqdsaSigningAlgorithm,
    &'static signature::PqdsaVerificationAlgorithm,
) {
    match set {
        MlDsaSet::MlDsa44 => (&signature::ML_DSA_44_SIGNING, &signature::ML_DSA_44),
        MlDsaSet::MlDsa65 => (&signature::ML_DSA_65_SIGNING, &signature::ML_DSA_65),
        MlDsaSet::MlDsa87 => (&signature::ML_DSA_87_SIGNING, &signature::ML_DSA_87),
    }
}

pub(crate) fn ml_dsa_generate(set: MlDsaSet, seed: &[u8]) -> Result<PqKeyPair> {
    use aws_lc_rs::encoding::AsRawBytes;
    let kp = PqdsaKeyPair::from_seed(dsa(set).0, seed).map_err(|_| Error::AttributeValueInvalid)?;
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

struct MlDsaPrivate {
    /// Pure ML-DSA with an empty context goes through aws-lc-rs.
    key: PqdsaKeyPair,
    /// Contexts and HashML-DSA go through external μ.
    ext: MlDsaKey,
    set: MlDsaSet,
}

/// μ for what `scheme` signs, or `None` for pure ML-DSA with an empty context (aws-lc-rs
/// signs and verifies that itself). AWS-LC signs hedged only: the deterministic variant is
/// `MechanismParamInvalid`.
fn external_mu(
    key: &MlDsaKey,
    scheme: &SignScheme,
    input: SignInput<'_>,
    signing: bool,
) -> Result<Option<[u8; MU_LEN]>> {
    let hedge = match scheme {
        SignScheme::MlDsa { hedge, .. } | SignScheme::HashMlDsa { hedge, .. } => *hedge,
        _ => return Err(Error::MechanismInvalid),
    };
    if signing && hedge == Hedge::Deterministic {
        return Err(Error::MechanismParamInvalid);
    }
    match (scheme, input) {
        (SignScheme::MlDsa { context, .. }, SignInput::Message(_)) if context.is_empty() => {
            Ok(None)
        }
        (SignScheme::MlDsa { context, .. }, SignInput::Message(msg)) => {
            let ctx_len = u8::try_from(context.len()).map_err(|_| Error::MechanismParamInvalid)?;
            key.mu(&[&[0, ctx_len], context, msg]).map(Some)
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
            key.mu(&[&m]).map(Some)
        }
        _ => Err(Error::MechanismParamInvalid),
    }
}

impl PrivateKeyOps for MlDsaPrivate {
    fn signature_len(&self) -> usize {
        self.set.signature_len()
    }

    fn sign(&self, scheme: &SignScheme, input: SignInput<'_>, _rng: &dyn Rng) -> Result<Vec<u8>> {
        if let Some(mu) = external_mu(&self.ext, scheme, input, true)? {
            return self.ext.sign_mu(&mu);
        }
        let SignInput::Message(msg) = input else {
            return Err(Error::MechanismParamInvalid);
        };
        let mut sig = vec![0u8; self.set.signature_len()];
        let n = self
            .key
            .sign(msg, &mut sig)
            .map_err(|_| Error::general("AWS-LC: ML-DSA signing failed"))?;
        sig.truncate(n);
        Ok(sig)
    }
}

pub(crate) fn ml_dsa_private(
    set: MlDsaSet,
    expanded: Option<&[u8]>,
    seed: Option<&[u8]>,
) -> Result<Arc<dyn PrivateKeyOps>> {
    let alg = dsa(set).0;
    let (key, raw) = match (seed, expanded) {
        (Some(seed), _) => {
            let pair = ml_dsa_generate(set, seed)?;
            // A seed and a value given together must describe the same key.
            if expanded.is_some_and(|e| e != pair.private.as_slice()) {
                return Err(Error::TemplateInconsistent);
            }
            (PqdsaKeyPair::from_seed(alg, seed), pair.private)
        }
        (None, Some(e)) => (
            PqdsaKeyPair::from_raw_private_key(alg, e),
            Zeroizing::new(e.to_vec()),
        ),
        (None, None) => return Err(Error::TemplateIncomplete),
    };
    let key = key.map_err(|_| Error::AttributeValueInvalid)?;
    let ext = MlDsaKey::private(set, &raw)?;
    Ok(Arc::new(MlDsaPrivate { key, ext, set }))
}

struct MlDsaPublic {
    key: Vec<u8>,
    ext: MlDsaKey,
    set: MlDsaSet,
}

impl PublicKeyOps for MlDsaPublic {
    fn signature_len(&self) -> usize {
        self.set.signature_len()
    }

    fn verify(&self, scheme: &SignScheme, input: SignInput<'_>, sig: &[u8]) -> Result<()> {
        let mu = external_mu(&self.ext, scheme, input, false)?;
        if sig.len() != self.set.signature_len() {
            return Err(Error::SignatureLenRange);
        }
        match (mu, input) {
            (Some(mu), _) => self.ext.verify_mu(&mu, sig),
            (None, SignInput::Message(msg)) => UnparsedPublicKey::new(dsa(self.set).1, &self.key)
                .verify(msg, sig)
                .map_err(|_| Error::SignatureInvalid),
            (None, _) => Err(Error::MechanismParamInvalid),
        }
    }
}

pub(crate) fn ml_dsa_public(set: MlDsaSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
    // Rejects a wrong-size key now rather than at the first verification.
    let expected = match set {
        MlDsaSet::MlDsa44 => 1312,
        MlDsaSet::MlDsa65 => 1952,
        MlDsaSet::MlDsa87 => 2592,
    };
    if public.len() != expected {
        return Err(Error::AttributeValueInvalid);
    }
    Ok(Arc::new(MlDsaPublic {
        key: public.to_vec(),
        ext: MlDsaKey::public(set, public)?,
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
