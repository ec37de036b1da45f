//! ML-DSA and ML-KEM over aws-lc-rs.

use crate::crypto::{MlDsaSet, MlKemSet};
use crate::error::{Error, Result};
use aws_lc_rs::kem;
use aws_lc_rs::signature::PqdsaKeyPair;
use aws_lc_rs::signature::{self, KeyPair, UnparsedPublicKey};
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

pub fn ml_dsa_public_from_seed(set: MlDsaSet, seed: &[u8]) -> Result<Vec<u8>> {
    let kp = PqdsaKeyPair::from_seed(dsa(set).0, seed).map_err(|_| Error::AttributeValueInvalid)?;
    Ok(kp.public_key().as_ref().to_vec())
}

pub fn ml_dsa_verify(set: MlDsaSet, public: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
    UnparsedPublicKey::new(dsa(set).1, public)
        .verify(msg, sig)
        .map_err(|_| Error::SignatureInvalid)
}

pub fn ml_kem_decapsulate(set: MlKemSet, dk: &[u8], ct: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let alg = match set {
        MlKemSet::MlKem512 => &kem::ML_KEM_512,
        MlKemSet::MlKem768 => &kem::ML_KEM_768,
        MlKemSet::MlKem1024 => &kem::ML_KEM_1024,
    };
    let key = kem::DecapsulationKey::new(alg, dk).map_err(|_| Error::KeyTypeInconsistent)?;
    let ss = key
        .decapsulate(kem::Ciphertext::from(ct))
        .map_err(|_| Error::EncryptedDataInvalid)?;
    Ok(Zeroizing::new(ss.as_ref().to_vec()))
}
