//! ML-DSA (FIPS 204) and ML-KEM (FIPS 203) over the `ml-dsa` and `ml-kem` crates.

use crate::crypto::{MlDsaSet, MlKemSet};
use crate::error::{Error, Result};
use zeroize::Zeroizing;

macro_rules! with_ml_dsa {
    ($set:expr, $P:ident => $body:expr) => {
        match $set {
            MlDsaSet::MlDsa44 => {
                type $P = ml_dsa::MlDsa44;
                $body
            }
            MlDsaSet::MlDsa65 => {
                type $P = ml_dsa::MlDsa65;
                $body
            }
            MlDsaSet::MlDsa87 => {
                type $P = ml_dsa::MlDsa87;
                $body
            }
        }
    };
}

pub fn ml_dsa_public_from_seed(set: MlDsaSet, seed: &[u8]) -> Result<Vec<u8>> {
    let seed = ml_dsa::Seed::try_from(seed).map_err(|_| Error::AttributeValueInvalid)?;
    with_ml_dsa!(set, P => {
        use ml_dsa::Keypair;
        let sk = ml_dsa::SigningKey::<P>::from_seed(&seed);
        Ok(sk.verifying_key().encode().to_vec())
    })
}

pub fn ml_dsa_verify(set: MlDsaSet, public: &[u8], msg: &[u8], sig: &[u8]) -> Result<()> {
    with_ml_dsa!(set, P => {
        let pk = ml_dsa::EncodedVerifyingKey::<P>::try_from(public).map_err(|_| Error::PublicKeyInvalid)?;
        let pk = ml_dsa::VerifyingKey::<P>::decode(&pk);
        let sig = ml_dsa::EncodedSignature::<P>::try_from(sig).map_err(|_| Error::SignatureLenRange)?;
        let sig = ml_dsa::Signature::<P>::decode(&sig).ok_or(Error::SignatureInvalid)?;
        if pk.verify_with_context(msg, &[], &sig) { Ok(()) } else { Err(Error::SignatureInvalid) }
    })
}

/// Decapsulation with the expanded key encoding (what FIPS 203 test vectors and aws-lc-rs
/// use); `ml-kem` marks that encoding deprecated in favour of seeds.
#[allow(deprecated)]
pub fn ml_kem_decapsulate(set: MlKemSet, dk: &[u8], ct: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    use ml_kem::{Decapsulate, ExpandedKeyEncoding};
    macro_rules! decaps {
        ($K:ty) => {{
            let key =
                <$K>::from_expanded_bytes(dk.try_into().map_err(|_| Error::KeyTypeInconsistent)?)
                    .map_err(|_| Error::KeyTypeInconsistent)?;
            let ct = ct.try_into().map_err(|_| Error::EncryptedDataLenRange)?;
            Ok(Zeroizing::new(key.decapsulate(ct).to_vec()))
        }};
    }
    match set {
        MlKemSet::MlKem512 => decaps!(ml_kem::DecapsulationKey512),
        MlKemSet::MlKem768 => decaps!(ml_kem::DecapsulationKey768),
        MlKemSet::MlKem1024 => decaps!(ml_kem::DecapsulationKey1024),
    }
}
