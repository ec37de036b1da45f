//! PINs: PBKDF2-HMAC-SHA256 with a per-PIN salt and iteration count stored beside the
//! verifier. One PBKDF2 run yields a master secret; HMAC splits it into the verifier and the
//! key that wraps the token key, so checking a guess costs an attacker the full iteration
//! count.

use crate::crypto::{HashAlg, Provider, Rng};
use crate::error::{Error, Result};
use crate::store::PinRecord;
use crate::store::seal::{TokenKey, unwrap_token_key, wrap_token_key};
use subtle::ConstantTimeEq;
use zeroize::Zeroizing;

const SALT_LEN: usize = 16;

/// Which PIN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    So,
    User,
}

impl Role {
    fn label(self) -> &'static str {
        match self {
            Role::So => "so",
            Role::User => "user",
        }
    }
}

struct Derived {
    verifier: Zeroizing<Vec<u8>>,
    kek: Zeroizing<Vec<u8>>,
}

fn derive(be: &Provider, pin: &[u8], salt: &[u8], iterations: u32) -> Result<Derived> {
    let mut master = Zeroizing::new([0u8; 32]);
    be.pbkdf2_hmac_sha256(pin, salt, iterations, &mut master[..])?;
    let split = |label: &[u8]| -> Result<Zeroizing<Vec<u8>>> {
        let mut mac = be.hmac(HashAlg::Sha256, &master[..])?;
        mac.update(label);
        Ok(mac.finish())
    };
    Ok(Derived {
        verifier: split(b"craton-hsm pin verifier")?,
        kek: split(b"craton-hsm pin wrapping key")?,
    })
}

/// A new PIN record that wraps `token_key`.
pub(crate) fn new_record(
    be: &Provider,
    rng: &dyn Rng,
    role: Role,
    pin: &[u8],
    iterations: u32,
    token_key: &TokenKey,
) -> Result<PinRecord> {
    let mut salt = vec![0u8; SALT_LEN];
    rng.fill(&mut salt)?;
    let d = derive(be, pin, &salt, iterations)?;
    Ok(PinRecord {
        wrapped_key: wrap_token_key(be, rng, &d.kek, role.label(), token_key)?,
        salt,
        iterations,
        verifier: d.verifier.to_vec(),
    })
}

/// Checks `pin` against the record. `Ok(Some(key))` on a match (the unwrapped token key),
/// `Ok(None)` on a mismatch.
pub(crate) fn check(
    be: &Provider,
    role: Role,
    rec: &PinRecord,
    pin: &[u8],
) -> Result<Option<TokenKey>> {
    let d = derive(be, pin, &rec.salt, rec.iterations)?;
    if !bool::from(d.verifier.as_slice().ct_eq(rec.verifier.as_slice())) {
        return Ok(None);
    }
    unwrap_token_key(be, &d.kek, role.label(), &rec.wrapped_key)
        .map(Some)
        .map_err(|_| Error::device("token key does not unwrap under a verified PIN"))
}
