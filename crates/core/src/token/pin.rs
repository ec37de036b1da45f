//! PINs: PBKDF2-HMAC-SHA256 with a per-PIN salt and iteration count stored beside the
//! verifier. One PBKDF2 run yields a master secret; HMAC splits it into the verifier and the
//! key that wraps the token key, so checking a guess costs an attacker the full iteration
//! count.
//!
//! The derivation runs once per PIN and process: a right PIN is remembered (`Remembered`), so
//! the same PIN logs in again (after `C_Logout`, or in the next session of a short-lived
//! client) without another PBKDF2 run. A guess that is not the remembered PIN always takes the
//! full count, and every attempt is still charged before it is checked.

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

#[derive(Clone)]
struct Derived {
    verifier: Zeroizing<Vec<u8>>,
    kek: Zeroizing<Vec<u8>>,
}

// PBKDF2 runs on this thread (what `Remembered` saves), for tests; per thread so tests
// running side by side do not count each other's.
#[cfg(test)]
thread_local!(static DERIVATIONS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });

fn derive(be: &Provider, pin: &[u8], salt: &[u8], iterations: u32) -> Result<Derived> {
    #[cfg(test)]
    DERIVATIONS.set(DERIVATIONS.get() + 1);
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

/// A new PIN record that wraps `token_key`; the new PIN is remembered for it.
pub(crate) fn new_record(
    be: &Provider,
    rng: &dyn Rng,
    role: Role,
    pin: &[u8],
    iterations: u32,
    token_key: &TokenKey,
    memo: &mut Remembered,
) -> Result<PinRecord> {
    let mut salt = vec![0u8; SALT_LEN];
    rng.fill(&mut salt)?;
    let d = derive(be, pin, &salt, iterations)?;
    let rec = PinRecord {
        wrapped_key: wrap_token_key(be, rng, &d.kek, role.label(), token_key)?,
        salt,
        iterations,
        verifier: d.verifier.to_vec(),
    };
    memo.remember(be, role, &rec, pin, d)?;
    Ok(rec)
}

/// Checks `pin` against the record. `Ok(Some(key))` on a match (the unwrapped token key),
/// `Ok(None)` on a mismatch. A match is remembered.
pub(crate) fn check(
    be: &Provider,
    role: Role,
    rec: &PinRecord,
    pin: &[u8],
    memo: &mut Remembered,
) -> Result<Option<TokenKey>> {
    let d = match memo.recall(be, role, rec, pin)? {
        Some(d) => d,
        None => derive(be, pin, &rec.salt, rec.iterations)?,
    };
    if !bool::from(d.verifier.as_slice().ct_eq(rec.verifier.as_slice())) {
        return Ok(None);
    }
    let key = unwrap_token_key(be, &d.kek, role.label(), &rec.wrapped_key)
        .map_err(|_| Error::device("token key does not unwrap under a verified PIN"))?;
    memo.remember(be, role, rec, pin, d)?;
    Ok(Some(key))
}

/// The PIN's tag under the process key of `Remembered`.
fn tag(be: &Provider, key: &[u8; 32], pin: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let mut mac = be.hmac(HashAlg::Sha256, &key[..])?;
    mac.update(pin);
    Ok(mac.finish())
}

/// The PINs this process has seen succeed, one per role: a keyed hash of the PIN (under a
/// random key of this process) and what PBKDF2 gave for it, each for the PIN record (salt and
/// verifier) it was checked against. A changed record (`C_SetPIN`, `C_InitPIN`, `C_InitToken`
/// in any process) no longer matches and is derived again. Kept in memory only, dropped with
/// the token at `C_Finalize`. The PIN itself is not kept, but whoever reads this memory can
/// test guesses against the tag at HMAC speed: `security.remember_pin = false` keeps nothing.
pub(crate) struct Remembered {
    key: Zeroizing<[u8; 32]>,
    entries: [Option<Entry>; 2],
    /// `security.remember_pin`: off, nothing is kept.
    enabled: bool,
}

struct Entry {
    salt: Vec<u8>,
    verifier: Vec<u8>,
    tag: Zeroizing<Vec<u8>>,
    derived: Derived,
}

impl Remembered {
    pub(crate) fn new(rng: &dyn Rng) -> Result<Remembered> {
        let mut key = Zeroizing::new([0u8; 32]);
        rng.fill(&mut key[..])?;
        Ok(Remembered {
            key,
            entries: [None, None],
            enabled: true,
        })
    }

    /// Turns remembering on or off (off forgets what was kept).
    pub(crate) fn enable(&mut self, on: bool) {
        self.enabled = on;
        if !on {
            self.forget();
        }
    }

    /// What PBKDF2 gave for `pin`, if it is the PIN remembered for this record.
    fn recall(
        &mut self,
        be: &Provider,
        role: Role,
        rec: &PinRecord,
        pin: &[u8],
    ) -> Result<Option<Derived>> {
        let slot = &mut self.entries[role as usize];
        let Some(e) = slot else {
            return Ok(None);
        };
        if e.salt != rec.salt || e.verifier != rec.verifier {
            *slot = None;
            return Ok(None);
        }
        let tag = tag(be, &self.key, pin)?;
        Ok(bool::from(e.tag.as_slice().ct_eq(tag.as_slice())).then(|| e.derived.clone()))
    }

    fn remember(
        &mut self,
        be: &Provider,
        role: Role,
        rec: &PinRecord,
        pin: &[u8],
        derived: Derived,
    ) -> Result<()> {
        if !self.enabled {
            return Ok(());
        }
        let tag = tag(be, &self.key, pin)?;
        self.entries[role as usize] = Some(Entry {
            salt: rec.salt.clone(),
            verifier: rec.verifier.clone(),
            tag,
            derived,
        });
        Ok(())
    }

    /// Forgets every PIN (`C_InitToken`: a new token).
    pub(crate) fn forget(&mut self) {
        self.entries = [None, None];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU8, Ordering};

    /// Distinct bytes on every call: salts and keys differ, as they must.
    struct Counter(AtomicU8);

    impl Rng for Counter {
        fn fill(&self, buf: &mut [u8]) -> Result<()> {
            for b in buf {
                *b = self.0.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        }
    }

    fn derivations() -> usize {
        DERIVATIONS.get()
    }

    /// Whether the user's `pin` opens `rec`.
    fn opens(be: &Provider, rec: &PinRecord, pin: &[u8], memo: &mut Remembered) -> bool {
        check(be, Role::User, rec, pin, memo).unwrap().is_some()
    }

    #[test]
    fn a_right_pin_is_derived_once_a_wrong_one_every_time() {
        let be = (craton_hsm_rustcrypto::PROVIDER.start)().unwrap();
        let rng = Counter(AtomicU8::new(1));
        let token_key = TokenKey::generate(&rng).unwrap();
        let mut memo = Remembered::new(&rng).unwrap();
        let rec = new_record(be, &rng, Role::User, b"1234", 1000, &token_key, &mut memo).unwrap();

        // The PIN just set, and then again: no derivation either time.
        let before = derivations();
        for _ in 0..2 {
            assert!(opens(be, &rec, b"1234", &mut memo));
        }
        assert_eq!(derivations(), before);
        // A wrong PIN always runs PBKDF2, and the right one stays remembered.
        assert!(!opens(be, &rec, b"4321", &mut memo));
        assert_eq!(derivations(), before + 1);
        assert!(opens(be, &rec, b"1234", &mut memo));
        assert_eq!(derivations(), before + 1);
        // The SO's record is another slot: its PIN is derived.
        assert!(check(be, Role::So, &rec, b"1234", &mut memo).is_err());
        assert_eq!(derivations(), before + 2);

        // A new record for the same PIN (new salt) is derived again, then remembered.
        let mut other = Remembered::new(&rng).unwrap();
        let rec2 = new_record(be, &rng, Role::User, b"1234", 1000, &token_key, &mut other).unwrap();
        assert!(opens(be, &rec2, b"1234", &mut memo));
        assert_eq!(derivations(), before + 4);
        assert!(opens(be, &rec2, b"1234", &mut memo));
        assert_eq!(derivations(), before + 4);
        // Forgotten (a new token): derived again.
        memo.forget();
        assert!(opens(be, &rec2, b"1234", &mut memo));
        assert_eq!(derivations(), before + 5);
        // Turned off (`security.remember_pin = false`): every check derives.
        memo.enable(false);
        for n in [6, 7] {
            assert!(opens(be, &rec2, b"1234", &mut memo));
            assert_eq!(derivations(), before + n);
        }
    }
}
