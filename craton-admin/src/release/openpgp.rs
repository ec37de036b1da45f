//! Detached OpenPGP signatures (RFC 9580) of SHA256SUMS and release.json, checked with rpgp
//! against the keys the user names: the convention apt and rpm users already trust.

use pgp::composed::{Deserializable, DetachedSignature, SignedPublicKey};
use pgp::types::KeyDetails;
use std::io::Cursor;
use std::path::Path;

pub struct Keyring {
    keys: Vec<SignedPublicKey>,
}

impl Keyring {
    /// Every public key of an armored or binary keyring file (`gpg --export [--armor]`).
    pub fn load(path: &Path) -> Result<Keyring, String> {
        let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
        Self::parse(&bytes)
    }

    pub fn parse(bytes: &[u8]) -> Result<Keyring, String> {
        let armored = bytes.starts_with(b"-----BEGIN");
        let keys: Vec<SignedPublicKey> = if armored {
            let (it, _) = SignedPublicKey::from_armor_many(Cursor::new(bytes))
                .map_err(|e| format!("not an OpenPGP keyring: {e}"))?;
            it.collect::<Result<_, _>>()
        } else {
            SignedPublicKey::from_bytes_many(Cursor::new(bytes))
                .map_err(|e| format!("not an OpenPGP keyring: {e}"))?
                .collect::<Result<_, _>>()
        }
        .map_err(|e| format!("not an OpenPGP keyring: {e}"))?;
        // A key whose own binding signatures do not hold is not a key of anyone.
        let keys: Vec<SignedPublicKey> = keys
            .into_iter()
            .filter(|k| k.verify_bindings().is_ok())
            .collect();
        if keys.is_empty() {
            return Err("holds no valid OpenPGP public key".into());
        }
        Ok(Keyring { keys })
    }

    /// Checks the detached signature `sig` (armored or binary) of `data`; returns who signed.
    pub fn verify(&self, data: &[u8], sig: &[u8]) -> Result<String, String> {
        let sig = if sig.starts_with(b"-----BEGIN") {
            DetachedSignature::from_armor_single(Cursor::new(sig)).map(|x| x.0)
        } else {
            DetachedSignature::from_bytes(Cursor::new(sig))
        }
        .map_err(|e| format!("not an OpenPGP signature: {e}"))?;
        let issuers: Vec<String> = sig
            .signature
            .issuer_fingerprint()
            .iter()
            .map(|f| hex::encode_upper(f.as_bytes()))
            .chain(
                sig.signature
                    .issuer_key_id()
                    .iter()
                    .map(|k| hex::encode_upper(k.as_ref())),
            )
            .collect();
        for k in &self.keys {
            let uid = k
                .details
                .users
                .first()
                .map(|u| String::from_utf8_lossy(u.id.id()).into_owned())
                .unwrap_or_default();
            let primary = hex::encode_upper(k.primary_key.fingerprint().as_bytes());
            if sig.verify(&k.primary_key, data).is_ok() {
                return Ok(format!("{uid} ({primary})"));
            }
            for sub in &k.public_subkeys {
                if sig.verify(&sub.key, data).is_ok() {
                    return Ok(format!(
                        "{uid} (subkey {} of {primary})",
                        hex::encode_upper(sub.key.fingerprint().as_bytes())
                    ));
                }
            }
            let known = std::iter::once(&k.primary_key.fingerprint())
                .chain(
                    k.public_subkeys
                        .iter()
                        .map(|s| s.key.fingerprint())
                        .collect::<Vec<_>>()
                        .iter(),
                )
                .any(|f| {
                    let fp = hex::encode_upper(f.as_bytes());
                    issuers.iter().any(|i| fp.ends_with(i.as_str()))
                });
            if known {
                return Err(format!(
                    "BAD signature: made by key {} of the keyring, but not over these bytes",
                    issuers.first().cloned().unwrap_or_default()
                ));
            }
        }
        Err(format!(
            "signed by an unknown key ({}): none of the keyring's keys made this signature",
            if issuers.is_empty() {
                "no issuer".to_string()
            } else {
                issuers.join(", ")
            }
        ))
    }
}
