//! ML-DSA (FIPS 204) and ML-KEM (FIPS 203) over the `ml-dsa` and `ml-kem` crates.
//!
//! Private keys are held expanded (the FIPS encodings that PKCS#11 keeps in `CKA_VALUE`); the
//! crates mark those encodings deprecated in favour of seeds, hence the `allow(deprecated)`s.

use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    Hedge, MlDsaSet, MlKemSet, PqKeyPair, PreHash, PrivateKeyOps, PublicKeyOps, Rng, SignInput,
    SignScheme,
};
use ml_dsa::MlDsaParams;
use std::sync::Arc;
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

#[allow(deprecated)]
pub(crate) fn ml_dsa_generate(set: MlDsaSet, seed: &[u8]) -> Result<PqKeyPair> {
    let seed = ml_dsa::Seed::try_from(seed).map_err(|_| Error::AttributeValueInvalid)?;
    with_ml_dsa!(set, P => {
        let sk = ml_dsa::ExpandedSigningKey::<P>::from_seed(&seed);
        Ok(PqKeyPair {
            private: Zeroizing::new(sk.to_expanded().to_vec()),
            seed: Some(Zeroizing::new(seed.to_vec())),
            public: sk.verifying_key().encode().to_vec(),
        })
    })
}

struct MlDsaPrivate<P: MlDsaParams> {
    key: ml_dsa::ExpandedSigningKey<P>,
    set: MlDsaSet,
}

/// What ML-DSA's internal algorithms sign (FIPS 204's M'), and the hedge.
enum MPrime<'a> {
    /// Pure ML-DSA: 0 ‖ |ctx| ‖ ctx ‖ M, kept in parts so the message is not copied.
    Pure { ctx: &'a [u8], msg: &'a [u8] },
    /// HashML-DSA: 1 ‖ |ctx| ‖ ctx ‖ OID ‖ PH(M).
    Hash(Vec<u8>),
}

fn m_prime<'a>(scheme: &'a SignScheme, input: SignInput<'a>) -> Result<(MPrime<'a>, Hedge)> {
    match (scheme, input) {
        (SignScheme::MlDsa { context, hedge }, SignInput::Message(msg)) => {
            if context.len() > 255 {
                return Err(Error::MechanismParamInvalid);
            }
            Ok((MPrime::Pure { ctx: context, msg }, *hedge))
        }
        (
            SignScheme::HashMlDsa {
                hash,
                context,
                hedge,
            },
            input,
        ) => {
            let digest = match input {
                SignInput::Prehashed(d) => d.to_vec(),
                SignInput::Message(m) => prehash(*hash, m),
            };
            let m = craton_hsm_crypto::hash_ml_dsa_message(*hash, context, &digest)?;
            Ok((MPrime::Hash(m), *hedge))
        }
        _ => Err(Error::MechanismInvalid),
    }
}

/// PH(M) for HashML-DSA.
fn prehash(prehash: PreHash, m: &[u8]) -> Vec<u8> {
    match prehash {
        PreHash::Hash(h) => crate::hash::hash(h, m),
        PreHash::Shake128 => xof::<shake::Shake128>(m, prehash.output_len()),
        PreHash::Shake256 => xof::<shake::Shake256>(m, prehash.output_len()),
    }
}

fn xof<X: Default + shake::Update + shake::ExtendableOutput>(m: &[u8], len: usize) -> Vec<u8> {
    let mut x = X::default();
    x.update(m);
    let mut out = vec![0u8; len];
    x.finalize_xof_into(&mut out);
    out
}

impl<P: MlDsaParams + Send + Sync + 'static> PrivateKeyOps for MlDsaPrivate<P> {
    fn signature_len(&self) -> usize {
        self.set.signature_len()
    }

    fn sign(&self, scheme: &SignScheme, input: SignInput<'_>, rng: &dyn Rng) -> Result<Vec<u8>> {
        let (m, hedge) = m_prime(scheme, input)?;
        // FIPS 204 Algorithm 2: rnd is fresh randomness, or 32 zero bytes when deterministic.
        let mut rnd = Zeroizing::new([0u8; 32]);
        if hedge == Hedge::Hedged {
            rng.fill(&mut rnd[..])?;
        }
        let rnd = ml_dsa::B32::from(*rnd);
        let sig = match m {
            MPrime::Pure { ctx, msg } => {
                let prefix = [0u8, ctx.len() as u8];
                self.key.sign_internal(&[&prefix, ctx, msg], &rnd)
            }
            MPrime::Hash(m) => self.key.sign_internal(&[&m], &rnd),
        };
        Ok(sig.encode().to_vec())
    }
}

struct MlDsaPublic<P: MlDsaParams> {
    key: ml_dsa::VerifyingKey<P>,
    set: MlDsaSet,
}

impl<P: MlDsaParams + Send + Sync + 'static> PublicKeyOps for MlDsaPublic<P> {
    fn signature_len(&self) -> usize {
        self.set.signature_len()
    }

    fn verify(&self, scheme: &SignScheme, input: SignInput<'_>, sig: &[u8]) -> Result<()> {
        let (m, _) = m_prime(scheme, input)?;
        if sig.len() != self.set.signature_len() {
            return Err(Error::SignatureLenRange);
        }
        let sig = ml_dsa::Signature::<P>::try_from(sig).map_err(|_| Error::SignatureInvalid)?;
        let ok = match m {
            MPrime::Pure { ctx, msg } => self.key.verify_with_context(msg, ctx, &sig),
            MPrime::Hash(m) => self.key.verify_internal(&m, &sig),
        };
        if ok {
            Ok(())
        } else {
            Err(Error::SignatureInvalid)
        }
    }
}

#[allow(deprecated)]
pub(crate) fn ml_dsa_private(
    set: MlDsaSet,
    expanded: Option<&[u8]>,
    seed: Option<&[u8]>,
) -> Result<Arc<dyn PrivateKeyOps>> {
    with_ml_dsa!(set, P => {
        let key = match (seed, expanded) {
            (Some(seed), _) => {
                let seed = ml_dsa::Seed::try_from(seed).map_err(|_| Error::AttributeValueInvalid)?;
                let key = ml_dsa::ExpandedSigningKey::<P>::from_seed(&seed);
                // A seed and a value given together must describe the same key.
                if expanded.is_some_and(|e| e != key.to_expanded().as_slice()) {
                    return Err(Error::TemplateInconsistent);
                }
                key
            }
            (None, Some(e)) => {
                let bytes = ml_dsa::ExpandedSigningKeyBytes::<P>::try_from(e)
                    .map_err(|_| Error::AttributeValueInvalid)?;
                // The crate does not validate expanded keys and may panic on malformed ones.
                std::panic::catch_unwind(|| ml_dsa::ExpandedSigningKey::<P>::from_expanded(&bytes))
                    .map_err(|_| Error::AttributeValueInvalid)?
            }
            (None, None) => return Err(Error::TemplateIncomplete),
        };
        Ok(Arc::new(MlDsaPrivate::<P> { key, set }))
    })
}

pub(crate) fn ml_dsa_public(set: MlDsaSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
    with_ml_dsa!(set, P => {
        let enc = ml_dsa::EncodedVerifyingKey::<P>::try_from(public)
            .map_err(|_| Error::AttributeValueInvalid)?;
        let key = ml_dsa::VerifyingKey::<P>::decode(&enc);
        Ok(Arc::new(MlDsaPublic::<P> { key, set }))
    })
}

/// Runs `$body` with `$Dk` and `$Ek` bound to the ML-KEM key types of `$set`.
macro_rules! with_ml_kem {
    ($set:expr, $Dk:ident, $Ek:ident => $body:expr) => {
        match $set {
            MlKemSet::MlKem512 => {
                #[allow(dead_code)]
                type $Dk = ml_kem::DecapsulationKey512;
                #[allow(dead_code)]
                type $Ek = ml_kem::EncapsulationKey512;
                $body
            }
            MlKemSet::MlKem768 => {
                #[allow(dead_code)]
                type $Dk = ml_kem::DecapsulationKey768;
                #[allow(dead_code)]
                type $Ek = ml_kem::EncapsulationKey768;
                $body
            }
            MlKemSet::MlKem1024 => {
                #[allow(dead_code)]
                type $Dk = ml_kem::DecapsulationKey1024;
                #[allow(dead_code)]
                type $Ek = ml_kem::EncapsulationKey1024;
                $body
            }
        }
    };
}

#[allow(deprecated)]
pub(crate) fn ml_kem_generate(set: MlKemSet, rng: &dyn Rng) -> Result<PqKeyPair> {
    use ml_kem::{ExpandedKeyEncoding, KeyExport};
    let mut seed = Zeroizing::new([0u8; 64]);
    rng.fill(&mut seed[..])?;
    with_ml_kem!(set, Dk, Ek => {
        let dk = Dk::from_seed(ml_kem::Seed::from(*seed));
        Ok(PqKeyPair {
            private: Zeroizing::new(dk.to_expanded_bytes().to_vec()),
            seed: Some(Zeroizing::new(seed.to_vec())),
            public: dk.encapsulation_key().to_bytes().to_vec(),
        })
    })
}

struct MlKemPrivate<Dk>(Dk);

macro_rules! kem_private_ops {
    ($($Dk:ty),*) => {$(
        impl PrivateKeyOps for MlKemPrivate<$Dk> {
            fn signature_len(&self) -> usize {
                0
            }
            fn sign(&self, _: &SignScheme, _: SignInput<'_>, _: &dyn Rng) -> Result<Vec<u8>> {
                Err(Error::KeyTypeInconsistent)
            }
            fn decapsulate(&self, ct: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
                use ml_kem::Decapsulate;
                let ct = ct.try_into().map_err(|_| Error::EncryptedDataLenRange)?;
                Ok(Zeroizing::new(self.0.decapsulate(ct).to_vec()))
            }
        }
    )*};
}
kem_private_ops!(
    ml_kem::DecapsulationKey512,
    ml_kem::DecapsulationKey768,
    ml_kem::DecapsulationKey1024
);

#[allow(deprecated)]
pub(crate) fn ml_kem_private(set: MlKemSet, expanded: &[u8]) -> Result<Arc<dyn PrivateKeyOps>> {
    use ml_kem::ExpandedKeyEncoding;
    with_ml_kem!(set, Dk, Ek => {
        let bytes = expanded.try_into().map_err(|_| Error::AttributeValueInvalid)?;
        let dk = Dk::from_expanded_bytes(bytes).map_err(|_| Error::AttributeValueInvalid)?;
        Ok(Arc::new(MlKemPrivate(dk)))
    })
}

struct MlKemPublic<Ek>(Ek);

macro_rules! kem_public_ops {
    ($($Ek:ty),*) => {$(
        impl PublicKeyOps for MlKemPublic<$Ek> {
            fn signature_len(&self) -> usize {
                0
            }
            fn verify(&self, _: &SignScheme, _: SignInput<'_>, _: &[u8]) -> Result<()> {
                Err(Error::KeyTypeInconsistent)
            }
            fn encapsulate(&self, rng: &dyn Rng) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>)> {
                // FIPS 203 Algorithm 20 with m from the module's DRBG.
                let mut m = Zeroizing::new([0u8; 32]);
                rng.fill(&mut m[..])?;
                let (ct, ss) = self.0.encapsulate_deterministic(&ml_kem::B32::from(*m));
                Ok((ct.to_vec(), Zeroizing::new(ss.to_vec())))
            }
        }
    )*};
}
kem_public_ops!(
    ml_kem::EncapsulationKey512,
    ml_kem::EncapsulationKey768,
    ml_kem::EncapsulationKey1024
);

pub(crate) fn ml_kem_public(set: MlKemSet, public: &[u8]) -> Result<Arc<dyn PublicKeyOps>> {
    with_ml_kem!(set, Dk, Ek => {
        let bytes = public.try_into().map_err(|_| Error::AttributeValueInvalid)?;
        let ek = Ek::new(bytes).map_err(|_| Error::AttributeValueInvalid)?;
        Ok(Arc::new(MlKemPublic(ek)))
    })
}
