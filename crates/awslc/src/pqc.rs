//! ML-DSA and ML-KEM over aws-lc-rs.

use aws_lc_rs::kem;
use aws_lc_rs::signature::PqdsaKeyPair;
use aws_lc_rs::signature::{self, KeyPair, UnparsedPublicKey};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    Hedge, MlDsaSet, MlKemSet, PqKeyPair, PrivateKeyOps, PublicKeyOps, Rng, SignInput, SignScheme,
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
    key: PqdsaKeyPair,
    set: MlDsaSet,
}

/// aws-lc-rs signs pure ML-DSA, hedged, with an empty context string only.
fn check_scheme<'a>(scheme: &SignScheme, input: SignInput<'a>) -> Result<&'a [u8]> {
    match (scheme, input) {
        (SignScheme::MlDsa { context, hedge }, SignInput::Message(msg))
            if context.is_empty() && *hedge == Hedge::Hedged =>
        {
            Ok(msg)
        }
        (SignScheme::MlDsa { .. }, _) => Err(Error::MechanismParamInvalid),
        _ => Err(Error::MechanismInvalid),
    }
}

impl PrivateKeyOps for MlDsaPrivate {
    fn signature_len(&self) -> usize {
        self.set.signature_len()
    }

    fn sign(&self, scheme: &SignScheme, input: SignInput<'_>, _rng: &dyn Rng) -> Result<Vec<u8>> {
        let msg = check_scheme(scheme, input)?;
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
    let key = match (seed, expanded) {
        (Some(seed), _) => {
            let pair = ml_dsa_generate(set, seed)?;
            // A seed and a value given together must describe the same key.
            if expanded.is_some_and(|e| e != pair.private.as_slice()) {
                return Err(Error::TemplateInconsistent);
            }
            PqdsaKeyPair::from_seed(alg, seed)
        }
        (None, Some(e)) => PqdsaKeyPair::from_raw_private_key(alg, e),
        (None, None) => return Err(Error::TemplateIncomplete),
    }
    .map_err(|_| Error::AttributeValueInvalid)?;
    Ok(Arc::new(MlDsaPrivate { key, set }))
}

struct MlDsaPublic {
    key: Vec<u8>,
    set: MlDsaSet,
}

impl PublicKeyOps for MlDsaPublic {
    fn signature_len(&self) -> usize {
        self.set.signature_len()
    }

    fn verify(&self, scheme: &SignScheme, input: SignInput<'_>, sig: &[u8]) -> Result<()> {
        let msg = match (scheme, input) {
            (SignScheme::MlDsa { context, .. }, SignInput::Message(m)) if context.is_empty() => m,
            (SignScheme::MlDsa { .. }, _) => return Err(Error::MechanismParamInvalid),
            _ => return Err(Error::MechanismInvalid),
        };
        if sig.len() != self.set.signature_len() {
            return Err(Error::SignatureLenRange);
        }
        UnparsedPublicKey::new(dsa(self.set).1, &self.key)
            .verify(msg, sig)
            .map_err(|_| Error::SignatureInvalid)
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
