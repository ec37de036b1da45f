//! Which entry of a provider's tables each use of a mechanism needs. The policy asks this to
//! decide what is offered (`C_GetMechanismList`, the flags and key sizes of
//! `C_GetMechanismInfo`), what a request is checked against at `C_*Init`, and whether the
//! provider counts it as approved.

use super::registry::{MechSpec, Op};
use crate::crypto::{
    CipherKind, Curve, EncKind, EncryptionScheme, HashAlg, KdfAlg, KeyRule, MacAlg, Provider,
    SigInput, SigKind, SignatureScheme, WrapKind,
};

/// A provider capability.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    Hash(HashAlg),
    Mac(MacAlg),
    Cipher(CipherKind),
    Wrap(WrapKind),
    /// HKDF over any hash (the hash is a parameter, checked at `C_DeriveKey`).
    Hkdf,
    Signature(SigKind, SigInput),
    Encryption(EncKind),
    Agreement,
    Kem,
    Generate(KeyGen),
    /// Random bytes only (secret key generation).
    Random,
    /// Nothing from the provider: byte manipulation inside the module (2.43's derivations).
    Bytes,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyGen {
    Rsa,
    Ec,
    Ed25519,
    X25519,
    MlDsa,
    MlKem,
}

/// What the provider says about a capability it has.
#[derive(Debug, Clone, Copy)]
pub struct Found {
    pub fips: bool,
    /// The keys it takes, where the provider limits them.
    pub keys: Option<KeyRule>,
}

/// The capability one operation of a mechanism needs (its family decides); `None` when the
/// registry does not offer that operation.
pub fn need(spec: &MechSpec, op: Op) -> Option<Need> {
    if spec.ops & op.flag() == 0 {
        return None;
    }
    (super::families::of(spec.mech)?.need)(spec, op)
}

/// Whether and how the provider has a capability.
pub fn find(p: &Provider, need: Need) -> Option<Found> {
    let plain = |fips: bool| Found { fips, keys: None };
    match need {
        Need::Hash(h) => p.hash(h).map(|a| plain(a.fips())),
        Need::Mac(m) => p.mac(m).map(|a| plain(a.fips())),
        Need::Cipher(c) => p.cipher_of(c).map(|a| plain(a.fips())),
        Need::Wrap(w) => p.wrap_of(w).map(|a| plain(a.fips())),
        Need::Hkdf => p
            .kdfs
            .iter()
            .find(|k| matches!(k.alg(), KdfAlg::Hkdf(_)))
            .map(|k| plain(k.fips())),
        Need::Signature(kind, input) => signature(p, kind, input),
        Need::Encryption(kind) => p.encryption(kind).map(|e: &EncryptionScheme| Found {
            fips: e.fips,
            keys: Some(e.keys),
        }),
        Need::Agreement => (!p.agreement.is_empty()).then_some(Found {
            fips: p.fips_module,
            keys: Some(KeyRule::Curves(p.agreement)),
        }),
        Need::Kem => (!p.kems.is_empty()).then(|| plain(false)),
        Need::Generate(g) => generation(p, g),
        Need::Random => Some(plain(p.fips_module)),
        Need::Bytes => Some(plain(false)),
    }
}

/// A signature scheme: for hashed ECDSA, every entry the provider has for that hash (a
/// provider that pairs curves with hashes lists one curve per hash).
fn signature(p: &Provider, kind: SigKind, input: SigInput) -> Option<Found> {
    let s: &SignatureScheme = p.signature(kind, input)?;
    Some(Found {
        fips: s.fips,
        keys: Some(s.keys),
    })
}

fn generation(p: &Provider, g: KeyGen) -> Option<Found> {
    let gen_ = &p.generation;
    let curves = |pred: fn(&Curve) -> bool| -> Option<Found> {
        gen_.curves.iter().any(pred).then_some(Found {
            fips: p.fips_module,
            keys: Some(KeyRule::Curves(gen_.curves)),
        })
    };
    match g {
        KeyGen::Rsa => (gen_.rsa_bits.1 > 0).then_some(Found {
            fips: p.fips_module,
            keys: Some(KeyRule::Rsa {
                min_bits: gen_.rsa_bits.0,
                max_bits: gen_.rsa_bits.1,
            }),
        }),
        KeyGen::Ec => curves(|c| c.is_weierstrass()),
        KeyGen::Ed25519 => curves(|c| *c == Curve::Ed25519),
        KeyGen::X25519 => curves(|c| *c == Curve::X25519),
        KeyGen::MlDsa => (!gen_.ml_dsa.is_empty()).then_some(Found {
            fips: false,
            keys: None,
        }),
        KeyGen::MlKem => (!gen_.ml_kem.is_empty()).then_some(Found {
            fips: false,
            keys: None,
        }),
    }
}

/// The key-size range (bits) a provider rule allows, for the families sized in bits.
pub fn bits_of(rule: &KeyRule) -> Option<(u64, u64)> {
    match rule {
        KeyRule::Rsa { min_bits, max_bits } => Some((*min_bits, *max_bits)),
        KeyRule::Curves(c) => {
            let bits = c.iter().map(|c| c.bits() as u64);
            Some((bits.clone().min()?, bits.max()?))
        }
        KeyRule::MlDsa(_) | KeyRule::MlKem(_) => None,
    }
}
