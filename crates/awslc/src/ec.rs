//! ECDSA through AWS-LC's C API (`ffi`): every hash with every curve, hashed inside the module
//! (`EVP_DigestSign`, the path its indicator counts) or over a caller's digest (`CKM_ECDSA`).
//! ECDH on P-256/P-384/P-521, X25519, key generation and Ed25519 over aws-lc-rs.

use crate::ffi;
use aws_lc_rs::agreement;
use aws_lc_rs::encoding::AsBigEndian;
use aws_lc_rs::signature::{self, EcdsaKeyPair, Ed25519KeyPair, KeyPair, UnparsedPublicKey};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    Curve, EcPrivateParts, EcPublicParts, EdDsaMode, HashAlg, PrivateKeyOps, PublicKeyOps, Rng,
    SignInput, SignScheme,
};
use std::sync::OnceLock;
use zeroize::Zeroizing;

pub(crate) fn signing_alg(curve: Curve) -> Result<&'static signature::EcdsaSigningAlgorithm> {
    match curve {
        Curve::P256 => Ok(&signature::ECDSA_P256_SHA256_FIXED_SIGNING),
        Curve::P384 => Ok(&signature::ECDSA_P384_SHA384_FIXED_SIGNING),
        Curve::P521 => Ok(&signature::ECDSA_P521_SHA512_FIXED_SIGNING),
        Curve::Ed25519 | Curve::X25519 => Err(Error::KeyTypeInconsistent),
    }
}

fn agreement_alg(curve: Curve) -> Result<&'static agreement::Algorithm> {
    match curve {
        Curve::P256 => Ok(&agreement::ECDH_P256),
        Curve::P384 => Ok(&agreement::ECDH_P384),
        Curve::P521 => Ok(&agreement::ECDH_P521),
        Curve::X25519 => Ok(&agreement::X25519),
        Curve::Ed25519 => Err(Error::KeyTypeInconsistent),
    }
}

/// The wrapper's curve for a NIST curve.
fn ffi_curve(curve: Curve) -> Result<ffi::EcCurve> {
    ffi::EcCurve::try_from(curve)
}

/// The bytes ECDSA runs on and the hash applied to them inside the module, if any: a message
/// with the scheme's hash, or (for `CKM_ECDSA`, or a digest the core computed) the digest.
fn ecdsa_input<'a>(
    scheme: &SignScheme,
    input: SignInput<'a>,
) -> Result<(Option<HashAlg>, &'a [u8])> {
    let SignScheme::Ecdsa { hash } = scheme else {
        return Err(Error::KeyTypeInconsistent);
    };
    Ok(match (hash, input) {
        (Some(h), SignInput::Message(m)) => (Some(*h), m),
        (_, SignInput::Prehashed(d)) | (None, SignInput::Message(d)) => (None, d),
    })
}

pub(crate) fn generate(curve: Curve) -> Result<EcPrivateParts> {
    if !curve.is_weierstrass() {
        // An Ed25519 seed or an X25519 private key: 32 bytes from AWS-LC's DRBG.
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
    if curve == Curve::X25519 {
        let sk =
            agreement::PrivateKey::from_private_key(&agreement::X25519, scalar).map_err(bad)?;
        let pk = sk
            .compute_public_key()
            .map_err(|_| Error::AttributeValueInvalid)?;
        return Ok(pk.as_ref().to_vec());
    }
    // One scalar multiplication: aws-lc-rs's agreement key would also run AWS-LC's key check
    // and pairwise test (`EC_KEY_check_fips`) on every call.
    ffi::EcPrivateKey::from_scalar(ffi_curve(curve)?, scalar)?.public_point()
}

enum Priv {
    Ecdsa {
        signer: ffi::EcPrivateKey,
        scalar: Zeroizing<Vec<u8>>,
        /// Made at the first ECDH: aws-lc-rs checks the key and runs a pairwise test
        /// (`EC_KEY_check_fips`) when it makes one, which a signing key need not pay for.
        ecdh: OnceLock<agreement::PrivateKey>,
    },
    Ed25519 {
        pair: Ed25519KeyPair,
        /// For Ed25519ctx and Ed25519ph, which go through the wrapper.
        expanded: ffi::Ed25519Private,
    },
    X25519(agreement::PrivateKey),
}

pub(crate) struct EcPrivate {
    curve: Curve,
    key: Priv,
}

pub(crate) struct EcPublic {
    curve: Curve,
    point: Vec<u8>,
    /// The ECDSA key (none for Ed25519 and X25519).
    ecdsa: Option<ffi::EcPublicKey>,
}

pub(crate) fn load_private(parts: &EcPrivateParts) -> Result<EcPrivate> {
    let bad = |_| Error::AttributeValueInvalid;
    let key = match parts.curve {
        Curve::Ed25519 => Priv::Ed25519 {
            pair: Ed25519KeyPair::from_seed_unchecked(&parts.scalar).map_err(bad)?,
            expanded: ffi::ed25519_private(&parts.scalar)?,
        },
        Curve::X25519 => {
            if public_point(Curve::X25519, &parts.scalar)? != parts.point {
                return Err(Error::AttributeValueInvalid);
            }
            Priv::X25519(
                agreement::PrivateKey::from_private_key(&agreement::X25519, &parts.scalar)
                    .map_err(bad)?,
            )
        }
        c => Priv::Ecdsa {
            signer: {
                let key = ffi::EcPrivateKey::from_scalar(ffi_curve(c)?, &parts.scalar)?;
                if key.public_point()? != parts.point {
                    return Err(Error::AttributeValueInvalid);
                }
                key
            },
            scalar: Zeroizing::new(parts.scalar.clone()),
            ecdh: OnceLock::new(),
        },
    };
    Ok(EcPrivate {
        curve: parts.curve,
        key,
    })
}

pub(crate) fn load_public(parts: &EcPublicParts) -> Result<EcPublic> {
    // Parse (and validate) once now so an invalid point is refused at import.
    let ecdsa = match parts.curve {
        Curve::Ed25519 | Curve::X25519 if parts.point.len() == 32 => None,
        Curve::Ed25519 | Curve::X25519 => return Err(Error::AttributeValueInvalid),
        c => Some(ffi::EcPublicKey::from_point(ffi_curve(c)?, &parts.point)?),
    };
    Ok(EcPublic {
        curve: parts.curve,
        point: parts.point.clone(),
        ecdsa,
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
            (Priv::Ed25519 { pair, .. }, SignScheme::EdDsa(EdDsaMode::Pure)) => {
                Ok(pair.sign(message(input)?).as_ref().to_vec())
            }
            (Priv::Ed25519 { expanded, .. }, SignScheme::EdDsa(mode)) => {
                ffi::ed25519_sign(expanded, mode, message(input)?)
            }
            (Priv::Ecdsa { signer, .. }, _) => match ecdsa_input(scheme, input)? {
                (Some(hash), msg) => signer.sign_message(hash, msg),
                (None, digest) => signer.sign_digest(digest),
            },
            _ => Err(Error::KeyTypeInconsistent),
        }
    }

    fn ecdh(&self, peer_point: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let ecdh = match &self.key {
            Priv::X25519(key) => key,
            Priv::Ecdsa { scalar, ecdh, .. } => match ecdh.get() {
                Some(key) => key,
                None => {
                    let key =
                        agreement::PrivateKey::from_private_key(agreement_alg(self.curve)?, scalar)
                            .map_err(|_| Error::AttributeValueInvalid)?;
                    ecdh.get_or_init(|| key)
                }
            },
            Priv::Ed25519 { .. } => return Err(Error::KeyTypeInconsistent),
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
        match (&self.ecdsa, scheme) {
            (None, SignScheme::EdDsa(EdDsaMode::Pure)) if self.curve == Curve::Ed25519 => {
                UnparsedPublicKey::new(&signature::ED25519, &self.point)
                    .verify(message(input)?, sig)
                    .map_err(|_| Error::SignatureInvalid)
            }
            (None, SignScheme::EdDsa(mode)) if self.curve == Curve::Ed25519 => {
                ffi::ed25519_verify(&self.point, mode, message(input)?, sig)
            }
            (Some(key), _) => match ecdsa_input(scheme, input)? {
                (Some(hash), msg) => key.verify_message(hash, msg, sig),
                (None, digest) => key.verify_digest(digest, sig),
            },
            _ => Err(Error::KeyTypeInconsistent),
        }
    }
}
