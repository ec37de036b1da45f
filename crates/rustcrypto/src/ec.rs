//! ECDSA and ECDH on P-256/P-384/P-521 (`p256`, `p384`, `p521`), Ed25519 (`ed25519-dalek`) and X25519
//! (`curve25519-dalek`'s Montgomery ladder). Signatures are the fixed-size r‖s (or R‖S) that
//! PKCS#11 specifies.

use super::RngAdapter;
use super::hash::hash;
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{
    Curve, EcPrivateParts, EcPublicParts, EdDsaMode, HashAlg, PrivateKeyOps, PublicKeyOps, Rng,
    SignInput, SignScheme,
};
use curve25519_dalek::montgomery::MontgomeryPoint;
use ecdsa::signature::hazmat::{PrehashVerifier, RandomizedPrehashSigner};
use ecdsa::signature::{Signer, Verifier};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

/// Runs `$body` with `$C` bound to the `elliptic_curve` type of a Weierstrass curve.
macro_rules! with_curve {
    ($curve:expr, $C:ident => $body:expr) => {
        match $curve {
            Curve::P256 => {
                type $C = p256::NistP256;
                $body
            }
            Curve::P384 => {
                type $C = p384::NistP384;
                $body
            }
            Curve::P521 => {
                type $C = p521::NistP521;
                $body
            }
            Curve::Ed25519 | Curve::X25519 => Err(Error::KeyTypeInconsistent),
        }
    };
}

pub(crate) fn generate(curve: Curve, rng: &dyn Rng) -> Result<EcPrivateParts> {
    let mut seed = zeroize::Zeroizing::new(vec![0u8; curve.scalar_len()]);
    if !curve.is_weierstrass() {
        // An Ed25519 seed, or an X25519 private key (clamped where it is used, RFC 7748 §5).
        rng.fill(&mut seed)?;
        let point = public_point(curve, &seed)?;
        return Ok(EcPrivateParts {
            curve,
            scalar: seed.to_vec(),
            point,
        });
    }
    with_curve!(curve, C => {
        use ecdsa::elliptic_curve::Generate;
        let mut r = RngAdapter::new(rng);
        let sk = ecdsa::SigningKey::<C>::try_generate_from_rng(&mut r)
            .map_err(|_| r.error_or(Error::general("EC key generation")))?;
        let point = sk.verifying_key().to_sec1_bytes().to_vec();
        Ok(EcPrivateParts { curve, scalar: sk.to_bytes().to_vec(), point })
    })
}

pub(crate) fn public_point(curve: Curve, scalar: &[u8]) -> Result<Vec<u8>> {
    if curve == Curve::Ed25519 {
        let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
            scalar
                .try_into()
                .map_err(|_| Error::AttributeValueInvalid)?,
        );
        let sk = ed25519_dalek::SigningKey::from_bytes(&seed);
        return Ok(sk.verifying_key().to_bytes().to_vec());
    }
    if curve == Curve::X25519 {
        // dalek takes the key by value; the copy held here is wiped.
        let key = Zeroizing::new(x25519_key(scalar)?);
        return Ok(MontgomeryPoint::mul_base_clamped(*key).to_bytes().to_vec());
    }
    with_curve!(curve, C => {
        let sk = ecdsa::SigningKey::<C>::from_slice(scalar).map_err(|_| Error::AttributeValueInvalid)?;
        Ok(sk.verifying_key().to_sec1_bytes().to_vec())
    })
}

enum Priv {
    P256(ecdsa::SigningKey<p256::NistP256>),
    P384(ecdsa::SigningKey<p384::NistP384>),
    P521(ecdsa::SigningKey<p521::NistP521>),
    Ed25519(ed25519_dalek::SigningKey),
    X25519(Zeroizing<[u8; 32]>),
}

enum Pub {
    P256(ecdsa::VerifyingKey<p256::NistP256>),
    P384(ecdsa::VerifyingKey<p384::NistP384>),
    P521(ecdsa::VerifyingKey<p521::NistP521>),
    Ed25519(ed25519_dalek::VerifyingKey),
    /// X25519 public keys only take part in agreement, as the peer's bytes.
    X25519,
}

/// An X25519 private key or u-coordinate: 32 bytes (RFC 7748 §5).
fn x25519_key(bytes: &[u8]) -> Result<[u8; 32]> {
    bytes.try_into().map_err(|_| Error::AttributeValueInvalid)
}

pub(crate) struct EcPrivate {
    curve: Curve,
    key: Priv,
}

pub(crate) struct EcPublic {
    curve: Curve,
    key: Pub,
}

pub(crate) fn load_private(parts: &EcPrivateParts) -> Result<EcPrivate> {
    let bad = |_| Error::AttributeValueInvalid;
    let key = match parts.curve {
        Curve::P256 => Priv::P256(ecdsa::SigningKey::from_slice(&parts.scalar).map_err(bad)?),
        Curve::P384 => Priv::P384(ecdsa::SigningKey::from_slice(&parts.scalar).map_err(bad)?),
        Curve::P521 => Priv::P521(ecdsa::SigningKey::from_slice(&parts.scalar).map_err(bad)?),
        Curve::Ed25519 => {
            let seed: Zeroizing<[u8; 32]> = Zeroizing::new(
                parts
                    .scalar
                    .as_slice()
                    .try_into()
                    .map_err(|_| Error::AttributeValueInvalid)?,
            );
            Priv::Ed25519(ed25519_dalek::SigningKey::from_bytes(&seed))
        }
        Curve::X25519 => Priv::X25519(Zeroizing::new(x25519_key(&parts.scalar)?)),
    };
    Ok(EcPrivate {
        curve: parts.curve,
        key,
    })
}

pub(crate) fn load_public(parts: &EcPublicParts) -> Result<EcPublic> {
    let bad = |_| Error::AttributeValueInvalid;
    let key = match parts.curve {
        Curve::P256 => Pub::P256(ecdsa::VerifyingKey::from_sec1_bytes(&parts.point).map_err(bad)?),
        Curve::P384 => Pub::P384(ecdsa::VerifyingKey::from_sec1_bytes(&parts.point).map_err(bad)?),
        Curve::P521 => Pub::P521(ecdsa::VerifyingKey::from_sec1_bytes(&parts.point).map_err(bad)?),
        Curve::Ed25519 => {
            let pk: [u8; 32] = parts
                .point
                .as_slice()
                .try_into()
                .map_err(|_| Error::AttributeValueInvalid)?;
            Pub::Ed25519(ed25519_dalek::VerifyingKey::from_bytes(&pk).map_err(bad)?)
        }
        Curve::X25519 => {
            x25519_key(&parts.point)?;
            Pub::X25519
        }
    };
    Ok(EcPublic {
        curve: parts.curve,
        key,
    })
}

/// The value ECDSA signs: the message hash, or the caller's prehash as given. A hash shorter
/// than half the curve's field (SHA-1 or SHA-256 on P-521) is left-padded with zeros to that
/// length: the same integer (FIPS 186-5 §6.4.1 takes the hash as it is when it is shorter than
/// the order), and the least the `ecdsa` crate takes.
fn ecdsa_input(hash_alg: Option<HashAlg>, input: SignInput<'_>, curve: Curve) -> Result<Vec<u8>> {
    let z = match (hash_alg, input) {
        (Some(h), SignInput::Message(m)) => hash(h, m),
        (_, SignInput::Prehashed(d)) if !d.is_empty() => d.to_vec(),
        _ => return Err(Error::DataLenRange),
    };
    let min = curve.scalar_len().div_ceil(2);
    Ok(if z.len() < min {
        [vec![0; min - z.len()], z].concat()
    } else {
        z
    })
}

fn message(input: SignInput<'_>) -> &[u8] {
    match input {
        SignInput::Message(m) | SignInput::Prehashed(m) => m,
    }
}

impl PrivateKeyOps for EcPrivate {
    fn signature_len(&self) -> usize {
        self.curve.signature_len()
    }

    fn sign(&self, scheme: &SignScheme, input: SignInput<'_>, rng: &dyn Rng) -> Result<Vec<u8>> {
        let mut r = RngAdapter::new(rng);
        let fail = |_| Error::general("ECDSA sign");
        // ECDSA over the value `ecdsa_input` gives, with the curve's signature type.
        macro_rules! sign {
            ($k:expr, $hash:expr, $C:ty) => {{
                let z = ecdsa_input(*$hash, input, self.curve)?;
                let sig: ecdsa::Signature<$C> =
                    $k.sign_prehash_with_rng(&mut r, &z).map_err(fail)?;
                Ok(sig.to_bytes().to_vec())
            }};
        }
        match (scheme, &self.key) {
            (SignScheme::Ecdsa { hash }, Priv::P256(k)) => sign!(k, hash, p256::NistP256),
            (SignScheme::Ecdsa { hash }, Priv::P384(k)) => sign!(k, hash, p384::NistP384),
            (SignScheme::Ecdsa { hash }, Priv::P521(k)) => sign!(k, hash, p521::NistP521),
            (SignScheme::EdDsa(mode), Priv::Ed25519(k)) => ed25519_sign(k, mode, message(input)),
            _ => Err(Error::KeyTypeInconsistent),
        }
    }

    fn ecdh(&self, peer_point: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        self.shared_secret(peer_point)
    }
}

impl EcPrivate {
    fn shared_secret(&self, peer: &[u8]) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        let bad = |_| Error::MechanismParamInvalid;
        // Z, the x-coordinate of the shared point, on the peer's SEC1 point.
        macro_rules! dh {
            ($k:expr, $curve:ident) => {{
                let pk = $curve::PublicKey::from_sec1_bytes(peer).map_err(bad)?;
                let s = $curve::ecdh::diffie_hellman($k.as_nonzero_scalar(), pk.as_affine());
                s.raw_secret_bytes().to_vec()
            }};
        }
        let z = match &self.key {
            Priv::P256(k) => dh!(k, p256),
            Priv::P384(k) => dh!(k, p384),
            Priv::P521(k) => dh!(k, p521),
            Priv::X25519(k) => return x25519(k, peer),
            Priv::Ed25519(_) => return Err(Error::KeyTypeInconsistent),
        };
        Ok(zeroize::Zeroizing::new(z))
    }
}

/// A SHA-512 over the message, for Ed25519ph.
fn sha512(msg: &[u8]) -> sha2::Sha512 {
    let mut h = <sha2::Sha512 as sha2::Digest>::new();
    sha2::Digest::update(&mut h, msg);
    h
}

/// Ed25519, Ed25519ctx (a context, `ed25519ctx`) or Ed25519ph (SHA-512 of the message, a
/// context).
fn ed25519_sign(k: &ed25519_dalek::SigningKey, mode: &EdDsaMode, msg: &[u8]) -> Result<Vec<u8>> {
    match mode {
        EdDsaMode::Pure => Ok(k.sign(msg).to_bytes().to_vec()),
        EdDsaMode::Ph(ctx) => k
            .sign_prehashed(sha512(msg), Some(ctx))
            .map(|s| s.to_bytes().to_vec())
            .map_err(|_| Error::MechanismParamInvalid),
        EdDsaMode::Ctx(ctx) if (1..=255).contains(&ctx.len()) => {
            Ok(crate::ed25519ctx::sign(k, ctx, msg).to_vec())
        }
        EdDsaMode::Ctx(_) => Err(Error::MechanismParamInvalid),
    }
}

/// X25519 (RFC 7748 §5) with a peer's u-coordinate. An all-zero result means the peer sent a
/// point of small order; RFC 7748 §6.1 says to refuse it, and here that is the caller's
/// parameter.
fn x25519(key: &[u8; 32], peer: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let peer = x25519_key(peer).map_err(|_| Error::MechanismParamInvalid)?;
    let z = Zeroizing::new(MontgomeryPoint(peer).mul_clamped(*key).to_bytes());
    if bool::from(z.ct_eq(&[0u8; 32])) {
        return Err(Error::MechanismParamInvalid);
    }
    Ok(Zeroizing::new(z.to_vec()))
}

impl PublicKeyOps for EcPublic {
    fn signature_len(&self) -> usize {
        self.curve.signature_len()
    }

    fn verify(&self, scheme: &SignScheme, input: SignInput<'_>, sig: &[u8]) -> Result<()> {
        if sig.len() != self.curve.signature_len() {
            return Err(Error::SignatureLenRange);
        }
        let invalid = |_| Error::SignatureInvalid;
        macro_rules! verify {
            ($k:expr, $hash:expr, $C:ty) => {{
                let z = ecdsa_input(*$hash, input, self.curve)?;
                let s = ecdsa::Signature::<$C>::from_slice(sig).map_err(invalid)?;
                $k.verify_prehash(&z, &s).map_err(invalid)
            }};
        }
        match (scheme, &self.key) {
            (SignScheme::Ecdsa { hash }, Pub::P256(k)) => verify!(k, hash, p256::NistP256),
            (SignScheme::Ecdsa { hash }, Pub::P384(k)) => verify!(k, hash, p384::NistP384),
            (SignScheme::Ecdsa { hash }, Pub::P521(k)) => verify!(k, hash, p521::NistP521),
            (SignScheme::EdDsa(mode), Pub::Ed25519(k)) => {
                let s = ed25519_dalek::Signature::from_slice(sig).map_err(invalid)?;
                match mode {
                    EdDsaMode::Pure => k.verify(message(input), &s).map_err(invalid),
                    EdDsaMode::Ph(ctx) => k
                        .verify_prehashed(sha512(message(input)), Some(ctx), &s)
                        .map_err(invalid),
                    EdDsaMode::Ctx(ctx) if (1..=255).contains(&ctx.len()) => {
                        if crate::ed25519ctx::verify(k, ctx, message(input), &s) {
                            Ok(())
                        } else {
                            Err(Error::SignatureInvalid)
                        }
                    }
                    EdDsaMode::Ctx(_) => Err(Error::MechanismParamInvalid),
                }
            }
            _ => Err(Error::KeyTypeInconsistent),
        }
    }
}
