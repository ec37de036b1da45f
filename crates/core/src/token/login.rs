//! PINs and login: `C_InitToken`, `C_Login` (counting every attempt before the PIN is
//! checked), `C_Logout`, `C_InitPIN`, `C_SetPIN`.

use super::pin::{self, Role};
use super::{Login, PinPolicy, Token};
use crate::crypto::{Provider, Rng};
use crate::error::{Error, Result};
use crate::store::seal::TokenKey;
use crate::store::{PinRecord, TokenRecord};

impl Token {
    /// `C_InitToken`: checks the SO PIN of an initialized token, then wipes it and starts over
    /// with a new token key. The caller has checked that no session is open.
    pub fn init_token(
        &self,
        be: &Provider,
        rng: &dyn Rng,
        policy: &PinPolicy,
        so_pin: &[u8],
        label: &str,
    ) -> Result<()> {
        policy.check_len(so_pin)?;
        let mut memo = self.one_attempt(policy);
        let existing = self.lock(be)?.record.so_pin.clone();
        if existing.is_some() {
            self.check_pin(be, policy, Role::So, so_pin, &mut memo)?;
        }
        memo.forget();
        let key = TokenKey::generate(rng)?;
        let so = pin::new_record(
            be,
            rng,
            Role::So,
            so_pin,
            policy.iterations,
            &key,
            &mut memo,
        )?;
        let mut epoch = vec![0u8; 16];
        rng.fill(&mut epoch)?;
        let mut st = self.lock(be)?;
        let record = TokenRecord {
            label: label.to_string(),
            so_pin: Some(so),
            ..TokenRecord::default()
        };
        st.record = st.store.reset(&record, &epoch)?;
        st.epoch = epoch;
        st.login = Login::Public;
        st.key = None;
        st.objects.clear();
        st.handles.clear();
        Ok(())
    }

    /// Checks a PIN with persistent failure counting. Returns the token key on success.
    ///
    /// The attempt is counted as a failure, durably, before the PIN is looked at, and the count
    /// is cleared only after a match: when the count cannot be written (a full disk, a
    /// read-only store) the attempt is refused without checking the PIN, with the same code
    /// whether it was right or wrong, so no guess is ever uncounted.
    pub(super) fn verify_pin(
        &self,
        be: &Provider,
        policy: &PinPolicy,
        role: Role,
        pin: &[u8],
    ) -> Result<TokenKey> {
        self.check_pin(be, policy, role, pin, &mut self.one_attempt(policy))
    }

    /// Holds this process's PIN checks of the token to one at a time, with the PINs it has
    /// seen succeed.
    fn one_attempt(&self, policy: &PinPolicy) -> std::sync::MutexGuard<'_, pin::Remembered> {
        let mut memo = self.attempts.lock().unwrap_or_else(|p| p.into_inner());
        memo.enable(policy.remember);
        memo
    }

    /// `verify_pin` under the caller's `one_attempt` guard.
    fn check_pin(
        &self,
        be: &Provider,
        policy: &PinPolicy,
        role: Role,
        pin: &[u8],
        memo: &mut pin::Remembered,
    ) -> Result<TokenKey> {
        let rec = self.charge_attempt(be, policy, role)?;
        // The slow derivation runs without the token lock.
        let outcome = if pin.len() > policy.max_len.max(255) {
            None
        } else {
            pin::check(be, role, &rec, pin, memo)?
        };
        let key = outcome.ok_or(Error::PinIncorrect)?;
        let mut st = self.lock(be)?;
        match st.store.update_token(|r| {
            *failures_mut(r, role) = 0;
            Ok(())
        }) {
            Ok(((), record)) => st.record = record,
            // The PIN was right and the attempt is on record; the count stays one high.
            Err(e) => tracing::warn!(slot = self.slot_id, "failed-login count not cleared: {e}"),
        }
        Ok(key)
    }

    /// Counts one attempt against `role`'s PIN in the store and returns the PIN record, or
    /// refuses: locked, not set, or the count could not be written.
    fn charge_attempt(&self, be: &Provider, policy: &PinPolicy, role: Role) -> Result<PinRecord> {
        let max = policy.max_failures;
        let mut st = self.lock(be)?;
        let charged = st.store.update_token(|r| {
            let rec = match role {
                Role::So => r.so_pin.clone().ok_or(Error::TokenNotInitialized)?,
                Role::User => r.user_pin.clone().ok_or(Error::UserPinNotInitialized)?,
            };
            let count = failures_mut(r, role);
            if *count >= max {
                return Err(Error::PinLocked);
            }
            *count += 1;
            Ok(rec)
        });
        match charged {
            Ok((rec, record)) => {
                st.record = record;
                Ok(rec)
            }
            Err(
                e @ (Error::PinLocked | Error::TokenNotInitialized | Error::UserPinNotInitialized),
            ) => {
                st.record = st.store.load_token()?;
                Err(e)
            }
            Err(e) => {
                tracing::error!(
                    slot = self.slot_id,
                    "login refused: the attempt could not be counted: {e}"
                );
                Err(e)
            }
        }
    }

    /// `C_Login` for the SO or the user. Session-state conflicts are checked by the caller.
    pub fn login(&self, be: &Provider, policy: &PinPolicy, role: Role, pin: &[u8]) -> Result<()> {
        // A thread that waited for another's check finds it logged in, uncharged.
        let mut memo = self.one_attempt(policy);
        self.check_can_login(be, role)?;
        let key = self.check_pin(be, policy, role, pin, &mut memo)?;
        let mut st = self.lock(be)?;
        // Another thread may have logged in while the PIN was checked.
        if st.login != Login::Public {
            return Err(already(st.login, role));
        }
        st.login = match role {
            Role::So => Login::So,
            Role::User => Login::User,
        };
        st.key = Some(key);
        let synced = st
            .authenticate_legacy(be)
            .and_then(|()| st.sync_objects(be, true));
        if synced.is_err() {
            st.drop_login(be)?;
        }
        synced
    }

    fn check_can_login(&self, be: &Provider, role: Role) -> Result<()> {
        let st = self.lock(be)?;
        if !st.record.initialized() {
            return Err(match role {
                Role::So => Error::TokenNotInitialized,
                Role::User => Error::UserPinNotInitialized,
            });
        }
        if st.login != Login::Public {
            return Err(already(st.login, role));
        }
        Ok(())
    }

    /// `C_Login(CKU_CONTEXT_SPECIFIC)`: re-checks the user PIN without changing login state.
    pub fn reauthenticate(&self, be: &Provider, policy: &PinPolicy, pin: &[u8]) -> Result<()> {
        if self.login_state() != Login::User {
            return Err(Error::UserNotLoggedIn);
        }
        self.verify_pin(be, policy, Role::User, pin).map(|_| ())
    }

    pub fn logout(&self, be: &Provider) -> Result<()> {
        let mut st = self.lock(be)?;
        if st.login == Login::Public {
            return Err(Error::UserNotLoggedIn);
        }
        st.drop_login(be)
    }

    /// Drops the login without a PIN (all sessions closed).
    pub fn reset_login(&self, be: &Provider) -> Result<()> {
        let mut st = self.lock(be)?;
        if st.login != Login::Public {
            st.drop_login(be)?;
        }
        Ok(())
    }

    /// `C_InitPIN`: the SO sets (or resets) the user PIN, clearing its lockout.
    pub fn init_pin(
        &self,
        be: &Provider,
        rng: &dyn Rng,
        policy: &PinPolicy,
        new_pin: &[u8],
    ) -> Result<()> {
        policy.check_len(new_pin)?;
        let key = {
            let st = self.lock(be)?;
            if st.login != Login::So {
                return Err(Error::UserNotLoggedIn);
            }
            st.key
                .clone()
                .ok_or_else(|| Error::general("SO session without token key"))?
        };
        let rec = pin::new_record(
            be,
            rng,
            Role::User,
            new_pin,
            policy.iterations,
            &key,
            &mut self.one_attempt(policy),
        )?;
        let mut st = self.lock(be)?;
        let (_, record) = st.store.update_token(|r| {
            r.user_pin = Some(rec);
            r.user_failures = 0;
            Ok(())
        })?;
        st.record = record;
        Ok(())
    }

    /// `C_SetPIN`: changes the PIN of the logged-in role, or the user's when nobody is.
    pub fn set_pin(
        &self,
        be: &Provider,
        rng: &dyn Rng,
        policy: &PinPolicy,
        old_pin: &[u8],
        new_pin: &[u8],
    ) -> Result<()> {
        policy.check_len(new_pin)?;
        let role = match self.login_state() {
            Login::So => Role::So,
            Login::User | Login::Public => Role::User,
        };
        let mut memo = self.one_attempt(policy);
        let key = self.check_pin(be, policy, role, old_pin, &mut memo)?;
        let rec = pin::new_record(be, rng, role, new_pin, policy.iterations, &key, &mut memo)?;
        let mut st = self.lock(be)?;
        let (_, record) = st.store.update_token(|r| {
            match role {
                Role::So => r.so_pin = Some(rec),
                Role::User => r.user_pin = Some(rec),
            }
            Ok(())
        })?;
        st.record = record;
        Ok(())
    }
}

fn already(current: Login, wanted: Role) -> Error {
    match (current, wanted) {
        (Login::So, Role::So) | (Login::User, Role::User) => Error::UserAlreadyLoggedIn,
        _ => Error::UserAnotherAlreadyLoggedIn,
    }
}

fn failures_mut(r: &mut TokenRecord, role: Role) -> &mut u32 {
    match role {
        Role::So => &mut r.so_failures,
        Role::User => &mut r.user_failures,
    }
}
