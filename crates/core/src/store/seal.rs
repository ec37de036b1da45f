//! Object protection at rest. Encryption: AES-256-GCM under the token key, with the object's
//! id, class and part bound as associated data so blobs cannot be swapped between objects.
//! Integrity: every row carries an authenticator over all of its columns and the token's
//! serial — a SHA-256 digest, checked on every load, and, when the row was written with the
//! token key at hand, an HMAC-SHA256 under a key split from it, checked whenever the token key
//! is (docs/security.md says what each protects against). The token key itself is wrapped
//! under keys derived from the user and SO PINs.

use super::StoredObject;
use crate::crypto::aead;
use crate::crypto::{HashAlg, Provider, Rng};
use crate::error::{Error, Result};
use crate::object::Attributes;
use crate::object::schema::is_secret;
use cryptoki_sys::{CK_OBJECT_CLASS, CKA_TRUSTED, CKO_PRIVATE_KEY, CKO_SECRET_KEY};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

pub(crate) const KEY_LEN: usize = 32;

/// The random key that encrypts a token's private objects and key material.
#[derive(Clone)]
pub(crate) struct TokenKey(pub Zeroizing<[u8; KEY_LEN]>);

impl TokenKey {
    pub(crate) fn generate(rng: &dyn Rng) -> Result<TokenKey> {
        let mut k = Zeroizing::new([0u8; KEY_LEN]);
        rng.fill(&mut k[..])?;
        Ok(TokenKey(k))
    }
}

/// Which part of an object a blob holds; part of the associated data.
#[derive(Clone, Copy)]
enum Part {
    /// Every attribute of a private object.
    Whole,
    /// Only the key material of a non-private key.
    Material,
}

fn aad(uid: &str, class: u64, part: Part) -> Vec<u8> {
    let mut a = b"craton-hsm object v1\0".to_vec();
    a.extend_from_slice(uid.as_bytes());
    a.push(0);
    a.extend_from_slice(&class.to_le_bytes());
    a.push(match part {
        Part::Whole => b'W',
        Part::Material => b'M',
    });
    a
}

fn encode(attrs: &Attributes) -> Result<Zeroizing<Vec<u8>>> {
    postcard::to_allocvec(attrs)
        .map(Zeroizing::new)
        .map_err(|e| Error::general(format!("encode object: {e}")))
}

/// Decodes stored attributes and holds them to the rules a caller's template meets.
pub(crate) fn decode(bytes: &[u8]) -> Result<Attributes> {
    let attrs: Attributes =
        postcard::from_bytes(bytes).map_err(|e| Error::device(format!("decode object: {e}")))?;
    attrs
        .check_stored()
        .map_err(|_| Error::device("stored attributes break the template rules"))?;
    Ok(attrs)
}

fn seal(be: &Provider, rng: &dyn Rng, key: &[u8], aad: &[u8], pt: &[u8]) -> Result<Vec<u8>> {
    aead::seal(be, rng, key, aad, pt)
}

fn open(be: &Provider, key: &[u8], aad: &[u8], blob: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    aead::open(
        be,
        key,
        aad,
        blob,
        Error::device("sealed blob failed authentication"),
    )
}

const DIGEST_LEN: usize = 32;
const MAC_LEN: usize = 32;

/// The bytes a row's authenticator covers: every column, and the token it belongs to.
fn row_bytes(serial: &str, row: &StoredObject) -> Vec<u8> {
    fn field(b: &mut Vec<u8>, x: &[u8]) {
        b.extend_from_slice(&(x.len() as u64).to_le_bytes());
        b.extend_from_slice(x);
    }
    fn optional(b: &mut Vec<u8>, x: Option<&[u8]>) {
        match x {
            None => b.push(0),
            Some(x) => {
                b.push(1);
                field(b, x);
            }
        }
    }
    let mut b = b"craton-hsm row v2\0".to_vec();
    field(&mut b, serial.as_bytes());
    field(&mut b, row.uid.as_bytes());
    b.extend_from_slice(&row.class.to_le_bytes());
    b.push(u8::from(row.private));
    b.extend_from_slice(&row.generation.to_le_bytes());
    optional(&mut b, row.plain.as_deref());
    optional(&mut b, row.sealed.as_deref());
    b
}

fn row_digest(be: &Provider, bytes: &[u8]) -> Result<Vec<u8>> {
    let mut d = be.digest(HashAlg::Sha256)?;
    d.update(bytes);
    Ok(d.finish())
}

/// HMAC-SHA256 under a key of its own, split from the token key.
fn row_mac(be: &Provider, key: &TokenKey, bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut split = be.hmac(HashAlg::Sha256, &key.0[..])?;
    split.update(b"craton-hsm row mac key v1");
    let mut mac = be.hmac(HashAlg::Sha256, &split.finish())?;
    mac.update(bytes);
    Ok(mac.finish())
}

/// The authenticator a row is stored with: its digest, then its MAC when `key` is given.
pub(crate) fn authenticate(
    be: &Provider,
    key: Option<&TokenKey>,
    serial: &str,
    row: &StoredObject,
) -> Result<Vec<u8>> {
    let bytes = row_bytes(serial, row);
    let mut auth = row_digest(be, &bytes)?;
    if let Some(k) = key {
        auth.extend_from_slice(&row_mac(be, k, &bytes)?);
    }
    Ok(auth)
}

/// How far a row's authenticator vouches for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Trust {
    /// Its MAC checked out under the token key.
    Keyed,
    /// It has a MAC, but the token key is not at hand to check it (before login).
    Pending,
    /// Written without the token key (a public session): only what such a session may write.
    Unkeyed,
    /// A schema-1 row, not yet authenticated.
    Legacy,
}

/// Checks a row's authenticator before anything in it is decoded.
fn verify(
    be: &Provider,
    key: Option<&TokenKey>,
    serial: &str,
    legacy: bool,
    row: &StoredObject,
) -> Result<Trust> {
    if row.auth.is_empty() && legacy {
        return Ok(Trust::Legacy);
    }
    let bad = || Error::device("row failed authentication");
    let (digest, mac) = match row.auth.len() {
        DIGEST_LEN => (&row.auth[..], None),
        n if n == DIGEST_LEN + MAC_LEN => (&row.auth[..DIGEST_LEN], Some(&row.auth[DIGEST_LEN..])),
        _ => return Err(bad()),
    };
    let bytes = row_bytes(serial, row);
    if !bool::from(row_digest(be, &bytes)?.ct_eq(digest)) {
        return Err(bad());
    }
    match (mac, key) {
        (Some(mac), Some(k)) if bool::from(row_mac(be, k, &bytes)?.ct_eq(mac)) => Ok(Trust::Keyed),
        (Some(_), Some(_)) => Err(bad()),
        (Some(_), None) => Ok(Trust::Pending),
        // Sealed parts are only ever written with the token key, hence with a MAC.
        (None, _) if row.sealed.is_some() || row.private => Err(bad()),
        (None, _) => Ok(Trust::Unkeyed),
    }
}

/// Prepares an object for the store. Private objects are sealed whole; other objects keep
/// their non-secret attributes readable and seal only key material. Either way the row is
/// authenticated (`authenticate`).
pub(crate) fn seal_object(
    be: &Provider,
    rng: &dyn Rng,
    key: Option<&TokenKey>,
    serial: &str,
    uid: &str,
    generation: i64,
    attrs: &Attributes,
) -> Result<StoredObject> {
    let class = attrs.class() as u64;
    let private = attrs.is_private();
    let mut plain = attrs.clone();
    let secret = if private {
        std::mem::take(&mut plain)
    } else {
        plain.split_off(|ty| is_secret(class as _, ty))
    };
    let sealed = if private || secret.iter().next().is_some() {
        let key = key.ok_or(Error::UserNotLoggedIn)?;
        let part = if private { Part::Whole } else { Part::Material };
        Some(seal(
            be,
            rng,
            &key.0[..],
            &aad(uid, class, part),
            &encode(&secret)?,
        )?)
    } else {
        None
    };
    let mut row = StoredObject {
        uid: uid.to_string(),
        class,
        private,
        generation,
        plain: if private {
            None
        } else {
            Some(encode(&plain)?.to_vec())
        },
        sealed,
        auth: Vec::new(),
    };
    row.auth = authenticate(be, key, serial, &row)?;
    Ok(row)
}

/// An object read back from the store.
pub(crate) struct Opened {
    pub attrs: Attributes,
    /// False when key material stayed sealed because no token key was available.
    pub complete: bool,
}

/// Reads a stored object, its authenticator first; `None` for a private object while the
/// token key is unavailable. `legacy`: the store is at schema 1, its rows not yet
/// authenticated.
pub(crate) fn open_object(
    be: &Provider,
    key: Option<&TokenKey>,
    serial: &str,
    legacy: bool,
    row: &StoredObject,
) -> Result<Option<Opened>> {
    let trust = verify(be, key, serial, legacy, row)?;
    let part = if row.private {
        Part::Whole
    } else {
        Part::Material
    };
    let secret = match (&row.sealed, key) {
        (Some(blob), Some(k)) => Some(decode(&open(
            be,
            &k.0[..],
            &aad(&row.uid, row.class, part),
            blob,
        )?)?),
        (Some(_), None) if row.private => return Ok(None),
        (Some(_), None) => None,
        (None, _) => Some(Attributes::new()),
    };
    let mut attrs = match &row.plain {
        Some(p) => decode(p)?,
        None => Attributes::new(),
    };
    // Key material only ever lives in the sealed part: a row that says otherwise was not
    // written by this module (a damaged or doctored store) and must not become a key.
    let is_key = matches!(
        row.class as CK_OBJECT_CLASS,
        CKO_SECRET_KEY | CKO_PRIVATE_KEY
    );
    if is_key && row.sealed.is_none() || attrs.iter().any(|(ty, _)| is_secret(row.class as _, ty)) {
        return Err(Error::device("key material outside the sealed part"));
    }
    let complete = secret.is_some();
    if let Some(s) = secret {
        attrs.extend(s);
    }
    if attrs.class() as u64 != row.class {
        return Err(Error::device("stored object class mismatch"));
    }
    // Only the SO marks objects trusted, and the SO writes with the token key.
    if trust == Trust::Unkeyed && attrs.bool(CKA_TRUSTED) {
        return Err(Error::device(
            "trusted object written without the token key",
        ));
    }
    Ok(Some(Opened { attrs, complete }))
}

/// Wraps the token key under a PIN-derived key (AAD names the role).
pub(crate) fn wrap_token_key(
    be: &Provider,
    rng: &dyn Rng,
    kek: &[u8],
    role: &str,
    key: &TokenKey,
) -> Result<Vec<u8>> {
    seal(
        be,
        rng,
        kek,
        format!("craton-hsm token key v1 {role}").as_bytes(),
        &key.0[..],
    )
}

pub(crate) fn unwrap_token_key(
    be: &Provider,
    kek: &[u8],
    role: &str,
    blob: &[u8],
) -> Result<TokenKey> {
    let k = open(
        be,
        kek,
        format!("craton-hsm token key v1 {role}").as_bytes(),
        blob,
    )?;
    let arr: [u8; KEY_LEN] = k[..]
        .try_into()
        .map_err(|_| Error::device("token key length"))?;
    Ok(TokenKey(Zeroizing::new(arr)))
}
