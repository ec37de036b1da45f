//! ECDSA (P-256 with SHA-256, P-384 with SHA-384: the pairs aws-lc-rs signs through its
//! approved message interface), ECDH on P-256/P-384, and Ed25519, over aws-lc-rs.

use aws_lc_rs::agreement;
use aws_lc_rs::encoding::AsBigEndian;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    Curve, EcPrivateParts, EcPublicParts, HashAlg, PrivateKeyOps, PublicKeyOps, Rng, SignInput,
    SignScheme,
};
use zeroize::Zeroizing;

fn signing_alg(curve: Curve) -> Result<&'static signature::EcdsaSigningAlgorithm> {
    match curve {
        Curve::P256 => Ok(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
        Curve::P384 => Ok(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
        Curve::Ed25519 => Err(Error::KeyTypeInconsistent),
    }
}

fn agreement_alg(curve: Curve) -> Result<&'static agreement::Algorithm> {
    match curve {
        Curve::P256 => Ok(&agreement::ECDH_P256),
        Curve::P384 => Ok(&agreement::ECDH_P384),
        Curve::Ed25519 => Err(Error::KeyTypeInconsistent),
    }
}

/// The one hash aws-lc pairs with each curve for fixed-size ECDSA signatures.
fn curve_hash(curve: Curve) -> Option<HashAlg> {
    match curve {
        Curve::P256 => Some(HashAlg::Sha256),
        Curve::P384 => Some(HashAlg::Sha384),
        Curve::Ed25519 => None,
    }
}

fn check_pairing(curve: Curve, scheme: &SignScheme) -> Result<()> {
    match scheme {
        SignScheme::Ecdsa { hash } if *hash == curve_hash(curve) && hash.is_some() => Ok(()),
        SignScheme::Ecdsa { .. } => Err(Error::MechanismInvalid),
        _ => Err(Error::KeyTypeInconsistent),
    }
}

pub(crate) fn generate(curve: Curve) -> Result<EcPrivateParts> {
    if curve == Curve::Ed25519 {
        let mut seed = Zeroizing::new([0u8; 32]);
        aws_lc_rs::rand::fill(&mut seed[..]).map_err(|_| Error::general("random"))?;
        let point = public_point(curve, &seed[..])?;
        return Ok(EcPrivateParts {
            curve,
            scalar: seed.to_vec(),
            point,
        });
    }
    let kp = EcdsaKeyPair::generate(signing_alg(curve)?)
        .map_err(|_| Error::general("EC key generation"))?;
    let scalar = kp
        .private_key()
        .as_be_bytes()
        .map_err(|_| Error::general("EC export"))?;
    Ok(EcPrivateParts {
        curve,
        scalar: scalar.as_ref().to_vec(),
        point: kp.public_key().as_ref().to_vec(),
    })
}

pub(crate) fn public_point(curve: Curve, scalar: &[u8]) -> Result<Vec<u8>> {
    let bad = |_| Error::AttributeValueInvalid;
    if curve == Curve::Ed25519 {
        let kp = Ed25519KeyPair::from_seed_unchecked(scalar).map_err(bad)?;
        return Ok(kp.public_key().as_ref().to_vec());
    }
    let sk = agreement::PrivateKey::from_private_key(agreement_alg(curve)?, scalar).map_err(bad)?;
    let pk = sk
        .compute_public_key()
        .map_err(|_| Error::AttributeValueInvalid)?;
    Ok(pk.as_ref().to_vec())
}

enum Priv {
    Ecdsa {
        signer: EcdsaKeyPair,
        ecdh: agreement::PrivateKey,
    },
    Ed25519(Ed25519KeyPair),
}

pub(crate) struct EcPrivate {
    curve: Curve,
    key: Priv,
}

pub(crate) struct EcPublic {
    curve: Curve,
    point: Vec<u8>,
}

pub(crate) fn load_private(parts: &EcPrivateParts) -> Result<EcPrivate> {
    let bad = |_| Error::AttributeValueInvalid;
    let key = match parts.curve {
        Curve::Ed25519 => {
            Priv::Ed25519(Ed25519KeyPair::from_seed_unchecked(&parts.scalar).map_err(bad)?)
        }
        c => Priv::Ecdsa {
            signer: EcdsaKeyPair::from_private_key_and_public_key(
                signing_alg(c)?,
                &parts.scalar,
                &parts.point,
            )
            .map_err(bad)?,
            ecdh: agreement::PrivateKey::from_private_key(agreement_alg(c)?, &parts.scalar)
                .map_err(bad)?,
        },
    };
    Ok(EcPrivate {
        curve: parts.curve,
        key,
    })
}

pub(crate) fn load_public(parts: &EcPublicParts) -> Result<EcPublic> {
    // Parse once now so an invalid point is refused at import.
    let ok = match parts.curve {
        Curve::Ed25519 => parts.point.len() == 32,
        c => agreement::ParsedPublicKey::try_from(agreement::UnparsedPublicKey::new(
            agreement_alg(c)?,
            &parts.point,
        ))
        .is_ok(),
    };
    if !ok {
        return Err(Error::AttributeValueInvalid);
    }
    Ok(EcPublic {
        curve: parts.curve,
        point: parts.point.clone(),
    })
}

fn message(input: SignInput<'_>) -> Result<&[u8]> {
    match input {
        SignInput::Message(m) => Ok(m),
        SignInput::Prehashed(_) => Err(Error::MechanismInvalid),
    }
}

impl PrivateKeyOps for EcPrivate {
    fn signature_len(&self) -> usize {
        self.curve.signature_len()
    }

    fn sign(&self, scheme: &SignScheme, input: SignInput<'_>, _rng: &dyn Rng) -> Result<Vec<u8>> {
        match (&self.key, scheme) {
            (Priv::Ed25519(k), SignScheme::EdDsa) => Ok(k.sign(message(input)?).as_ref().to_vec()),
            (Priv::Ecdsa { signer, .. }, _) => {
                check_pairing(self.curve, scheme)?;
                let rng = aws_lc_rs::rand::SystemRandom::new();
                let sig = signer
                    .sign(&rng, message(input)?)
                    .map_err(|_| Error::general("ECDSA sign"))?;
                Ok(sig.as_ref().to_vec())
            }
            _ => Err(Error::KeyTypeInconsistent),
        }
    }

    fn ecdh(&self, peer_point: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let Priv::Ecdsa { ecdh, .. } = &self.key else {
            return Err(Error::KeyTypeInconsistent);
        };
        let peer = agreement::UnparsedPublicKey::new(agreement_alg(self.curve)?, peer_point);
        agreement::agree(ecdh, peer, Error::MechanismParamInvalid, |z| {
            Ok(Zeroizing::new(z.to_vec()))
        })
    }
}

impl PublicKeyOps for EcPublic {
    fn signature_len(&self) -> usize {
        self.curve.signature_len()
    }

    fn verify(&self, scheme: &SignScheme, input: SignInput<'_>, sig: &[u8]) -> Result<()> {
        if sig.len() != self.curve.signature_len() {
            return Err(Error::SignatureLenRange);
        }
        let alg: &'static dyn signature::VerificationAlgorithm = match (self.curve, scheme) {
            (Curve::Ed25519, SignScheme::EdDsa) => &signature::ED25519,
            (Curve::P256, _) => {
                check_pairing(self.curve, scheme)?;
                &signature::ECDSA_P256_SHA256_FIXED
            }
            (Curve::P384, _) => {
                check_pairing(self.curve, scheme)?;
                &signature::ECDSA_P384_SHA384_FIXED
            }
            _ => return Err(Error::KeyTypeInconsistent),
        };
        UnparsedPublicKey::new(alg, &self.point)
            .verify(message(input)?, sig)
            .map_err(|_| Error::SignatureInvalid)
    }
}
