//! Slots and their tokens: token state, PINs and lockout, the application-wide login state,
//! and the object table (token objects loaded from the store, session objects in memory).
//!
//! The token lock is held only to look things up or change them, never around cryptography:
//! operations take an `Arc<Object>` and let go.

pub mod pin;

use crate::crypto::{Provider, Rng};
use crate::error::{Error, Result};
use crate::object::{AttrValue, Attributes, Object};
use crate::store::seal::{self, TokenKey};
use crate::store::{PinRecord, Store, TokenRecord};
use cryptoki_sys::*;
pub use pin::Role;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// Who is logged in to a token (shared by all of the application's sessions on it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Login {
    Public,
    User,
    So,
}

/// Where an object lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    Token { uid: String, generation: i64 },
    Session(CK_SESSION_HANDLE),
}

struct Entry {
    obj: Arc<Object>,
    location: Location,
    /// False while a non-private key's material is still sealed (no token key yet).
    complete: bool,
}

/// Object handles are never reused within a process, so a stale handle cannot alias.
static NEXT_HANDLE: AtomicU64 = AtomicU64::new(1);

fn new_handle() -> CK_OBJECT_HANDLE {
    NEXT_HANDLE.fetch_add(1, Ordering::Relaxed) as CK_OBJECT_HANDLE
}

struct State {
    store: Store,
    record: TokenRecord,
    login: Login,
    key: Option<TokenKey>,
    objects: HashMap<CK_OBJECT_HANDLE, Entry>,
    handles: HashMap<String, CK_OBJECT_HANDLE>,
    /// The store's epoch when `key` was obtained (see `Store::epoch`).
    epoch: Vec<u8>,
    /// Another process committed since the object table was last brought up to date.
    stale_objects: bool,
}

/// A snapshot of what `C_GetTokenInfo` reports.
#[derive(Debug, Clone)]
pub struct TokenStatus {
    pub label: String,
    pub serial: String,
    pub initialized: bool,
    pub user_pin_set: bool,
    pub so_failures: u32,
    pub user_failures: u32,
    pub login: Login,
}

/// Bounds and cost settings for PINs, from `[security]`.
#[derive(Debug, Clone, Copy)]
pub struct PinPolicy {
    pub min_len: usize,
    pub max_len: usize,
    pub max_failures: u32,
    pub iterations: u32,
}

impl PinPolicy {
    pub fn check_len(&self, pin: &[u8]) -> Result<()> {
        if pin.len() < self.min_len || pin.len() > self.max_len {
            return Err(Error::PinLenRange);
        }
        Ok(())
    }
}

/// A slot and its token.
pub struct Token {
    pub slot_id: CK_SLOT_ID,
    pub default_label: String,
    pub path: PathBuf,
    state: Mutex<State>,
}

impl Token {
    pub fn open(
        slot_id: CK_SLOT_ID,
        path: PathBuf,
        default_label: String,
        rng: &dyn Rng,
    ) -> Result<Token> {
        let store = Store::open(&path, || {
            let mut raw = [0u8; 8];
            rng.fill(&mut raw)?;
            Ok(raw.iter().map(|b| format!("{b:02X}")).collect())
        })?;
        let record = store.load_token()?;
        let epoch = store.epoch()?;
        Ok(Token {
            slot_id,
            default_label,
            path,
            state: Mutex::new(State {
                store,
                record,
                login: Login::Public,
                key: None,
                objects: HashMap::new(),
                handles: HashMap::new(),
                epoch,
                stale_objects: false,
            }),
        })
    }

    /// Locks the token state, first catching up with other processes' commits.
    fn lock(&self, be: &Provider) -> Result<MutexGuard<'_, State>> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.catch_up(self.slot_id)?;
        if st.stale_objects || st.objects.is_empty() && !st.handles.is_empty() {
            st.sync_objects(be, false)?;
            st.stale_objects = false;
        }
        Ok(st)
    }

    /// Loads objects on first use (the token is opened before any login).
    pub fn load(&self, be: &Provider) -> Result<()> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.record = st.store.load_token()?;
        st.sync_objects(be, true)
    }

    pub fn status(&self, be: &Provider) -> Result<TokenStatus> {
        let st = self.lock(be)?;
        Ok(TokenStatus {
            label: if st.record.initialized() {
                st.record.label.clone()
            } else {
                self.default_label.clone()
            },
            serial: st.store.serial().to_string(),
            initialized: st.record.initialized(),
            user_pin_set: st.record.user_pin.is_some(),
            so_failures: st.record.so_failures,
            user_failures: st.record.user_failures,
            login: st.login,
        })
    }

    /// The login state, after catching up with other processes (a re-initialization
    /// elsewhere ends the login).
    pub fn login_state(&self) -> Login {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Err(e) = st.catch_up(self.slot_id) {
            tracing::error!(slot = self.slot_id, "token store: {e}");
        }
        st.login
    }

    // ---- PINs and login -------------------------------------------------------------

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
        let existing = self.lock(be)?.record.so_pin.clone();
        if existing.is_some() {
            self.verify_pin(be, policy, Role::So, so_pin)?;
        }
        let key = TokenKey::generate(rng)?;
        let so = pin::new_record(be, rng, Role::So, so_pin, policy.iterations, &key)?;
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
    fn verify_pin(
        &self,
        be: &Provider,
        policy: &PinPolicy,
        role: Role,
        pin: &[u8],
    ) -> Result<TokenKey> {
        let rec = self.charge_attempt(be, policy, role)?;
        // The slow derivation runs without the token lock.
        let outcome = if pin.len() > policy.max_len.max(255) {
            None
        } else {
            pin::check(be, role, &rec, pin)?
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
        self.check_can_login(be, role)?;
        let key = self.verify_pin(be, policy, role, pin)?;
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
        let rec = pin::new_record(be, rng, Role::User, new_pin, policy.iterations, &key)?;
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
        let key = self.verify_pin(be, policy, role, old_pin)?;
        let rec = pin::new_record(be, rng, role, new_pin, policy.iterations, &key)?;
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

    // ---- objects ----------------------------------------------------------------------

    /// An object visible under the current login, with its key material: a public token
    /// key whose material is sealed until login gives `CKR_USER_NOT_LOGGED_IN`.
    pub fn object(
        &self,
        be: &Provider,
        handle: CK_OBJECT_HANDLE,
    ) -> Result<(Arc<Object>, Location)> {
        let st = self.lock(be)?;
        let e = visible(&st, handle)?;
        if !e.complete {
            return Err(Error::UserNotLoggedIn);
        }
        Ok((e.obj.clone(), e.location.clone()))
    }

    /// An object visible under the current login, for reading its attributes: also a public
    /// token key before login, with `false` saying its material is still sealed.
    pub fn object_view(
        &self,
        be: &Provider,
        handle: CK_OBJECT_HANDLE,
    ) -> Result<(Arc<Object>, bool)> {
        let st = self.lock(be)?;
        let e = visible(&st, handle)?;
        Ok((e.obj.clone(), e.complete))
    }

    /// Handles of visible objects matching `template`, in handle order.
    pub fn find(
        &self,
        be: &Provider,
        template: &[(CK_ATTRIBUTE_TYPE, AttrValue)],
    ) -> Result<Vec<CK_OBJECT_HANDLE>> {
        let st = self.lock(be)?;
        let mut found: Vec<CK_OBJECT_HANDLE> = st
            .objects
            .iter()
            .filter(|(_, e)| !e.obj.attrs().is_private() || st.login == Login::User)
            .filter(|(_, e)| e.obj.matches(template))
            .map(|(h, _)| *h)
            .collect();
        found.sort_unstable();
        Ok(found)
    }

    /// Adds objects (one transaction for token objects) and returns their handles.
    pub fn insert(
        &self,
        be: &Provider,
        rng: &dyn Rng,
        session: CK_SESSION_HANDLE,
        objects: Vec<Attributes>,
    ) -> Result<Vec<CK_OBJECT_HANDLE>> {
        let mut st = self.lock(be)?;
        let mut rows = Vec::new();
        let mut entries = Vec::new();
        for mut attrs in objects {
            let uid = new_uid(rng)?;
            attrs.set(CKA_UNIQUE_ID, AttrValue::Bytes(uid.as_bytes().to_vec()));
            let location = if attrs.is_token() {
                rows.push(seal::seal_object(
                    be,
                    rng,
                    st.key.as_ref(),
                    st.store.serial(),
                    &uid,
                    1,
                    &attrs,
                )?);
                Location::Token { uid, generation: 1 }
            } else {
                Location::Session(session)
            };
            entries.push((Arc::new(Object::new(attrs)), location));
        }
        if !rows.is_empty() {
            st.store.insert_objects(&rows)?;
        }
        let mut handles = Vec::new();
        for (obj, location) in entries {
            let h = new_handle();
            if let Location::Token { uid, .. } = &location {
                st.handles.insert(uid.clone(), h);
            }
            st.objects.insert(
                h,
                Entry {
                    obj,
                    location,
                    complete: true,
                },
            );
            handles.push(h);
        }
        Ok(handles)
    }

    /// Replaces an object's attributes (`C_SetAttributeValue`).
    /// Rewrites an object with `change` applied to its current attributes under the token
    /// lock, so that concurrent changes cannot undo each other. When another process changed
    /// the stored object first, it is re-read and the change applied again.
    pub fn modify(
        &self,
        be: &Provider,
        rng: &dyn Rng,
        handle: CK_OBJECT_HANDLE,
        change: impl Fn(&Object) -> Result<Attributes>,
    ) -> Result<()> {
        const ATTEMPTS: usize = 5;
        for _ in 0..ATTEMPTS {
            let mut st = self.lock(be)?;
            let e = visible(&st, handle)?;
            if !e.complete {
                return Err(Error::UserNotLoggedIn);
            }
            let attrs = change(&e.obj)?;
            let location = match e.location.clone() {
                Location::Token { uid, generation } => {
                    let next = generation + 1;
                    let row = seal::seal_object(
                        be,
                        rng,
                        st.key.as_ref(),
                        st.store.serial(),
                        &uid,
                        next,
                        &attrs,
                    )?;
                    if !st.store.update_object(&row)? {
                        // Lost a race with another process: the next lock() reloads.
                        continue;
                    }
                    Location::Token {
                        uid,
                        generation: next,
                    }
                }
                s @ Location::Session(_) => s,
            };
            let entry = Entry {
                obj: Arc::new(Object::new(attrs)),
                location,
                complete: true,
            };
            st.objects.insert(handle, entry);
            return Ok(());
        }
        Err(Error::FunctionFailed(
            "object kept changing in another process".into(),
        ))
    }

    pub fn destroy(&self, be: &Provider, handle: CK_OBJECT_HANDLE) -> Result<()> {
        let mut st = self.lock(be)?;
        let location = st
            .objects
            .get(&handle)
            .ok_or(Error::ObjectHandleInvalid)?
            .location
            .clone();
        if let Location::Token { uid, .. } = &location {
            st.store.delete_object(uid)?;
            st.handles.remove(uid);
        }
        st.objects.remove(&handle);
        Ok(())
    }

    /// Session objects die with their session.
    pub fn drop_session_objects(&self, session: CK_SESSION_HANDLE) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.objects
            .retain(|_, e| e.location != Location::Session(session));
    }
}

/// The entry behind `handle` if the current login may see it (private objects need the user).
fn visible(st: &State, handle: CK_OBJECT_HANDLE) -> Result<&Entry> {
    let e = st.objects.get(&handle).ok_or(Error::ObjectHandleInvalid)?;
    if e.obj.attrs().is_private() && st.login != Login::User {
        return Err(Error::ObjectHandleInvalid);
    }
    Ok(e)
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

fn new_uid(rng: &dyn Rng) -> Result<String> {
    let mut raw = [0u8; 16];
    rng.fill(&mut raw)?;
    Ok(raw.iter().map(|b| format!("{b:02x}")).collect())
}

impl State {
    /// Reads what other processes committed: the token record and, after a `C_InitToken`
    /// elsewhere, the end of this process's login (its token key belongs to the old token;
    /// nothing may be sealed under it again). Objects are re-read at the next `lock`.
    fn catch_up(&mut self, slot: CK_SLOT_ID) -> Result<()> {
        if !self.store.changed_elsewhere()? {
            return Ok(());
        }
        self.stale_objects = true;
        self.record = self.store.load_token()?;
        let epoch = self.store.epoch()?;
        if epoch != self.epoch {
            tracing::warn!(slot, "token re-initialized by another process");
            self.epoch = epoch;
            self.login = Login::Public;
            self.key = None;
            self.objects.clear();
            self.handles.clear();
        }
        Ok(())
    }

    /// The first login into a schema-1 store authenticates its rows (as far as they open
    /// under the token key) and moves it to schema 2.
    fn authenticate_legacy(&mut self, be: &Provider) -> Result<()> {
        if !self.store.legacy() {
            return Ok(());
        }
        let key = self.key.clone();
        let serial = self.store.serial().to_string();
        self.store.authenticate_legacy(|row| {
            match seal::open_object(be, key.as_ref(), &serial, true, row) {
                Ok(Some(_)) => seal::authenticate(be, key.as_ref(), &serial, row).ok(),
                _ => {
                    tracing::error!(uid = %row.uid, "schema-1 row does not open; left unauthenticated");
                    None
                }
            }
        })?;
        tracing::info!(serial = %serial, "token store moved to schema 2: every row authenticated");
        Ok(())
    }

    /// Logs out (4.x C_Logout): private session objects are destroyed, and private token
    /// objects lose their handles, which stay invalid even after the next login.
    fn drop_login(&mut self, be: &Provider) -> Result<()> {
        self.login = Login::Public;
        self.key = None;
        self.objects.retain(|_, e| {
            !(matches!(e.location, Location::Session(_)) && e.obj.attrs().is_private())
        });
        self.sync_objects(be, true)?;
        let objects = &self.objects;
        self.handles.retain(|_, h| objects.contains_key(h));
        Ok(())
    }

    /// Brings the token-object table in line with the store. `all` re-opens every row (the
    /// token key appeared or went away); otherwise only rows whose generation changed.
    fn sync_objects(&mut self, be: &Provider, all: bool) -> Result<()> {
        let rows = self.store.load_objects()?;
        let mut live = std::collections::HashSet::new();
        for row in &rows {
            live.insert(row.uid.clone());
            let handle = self.handles.get(&row.uid).copied();
            let current = handle.and_then(|h| self.objects.get(&h));
            let fresh = matches!(current, Some(e) if !all
                && e.location == Location::Token { uid: row.uid.clone(), generation: row.generation });
            if fresh {
                continue;
            }
            let handle = handle.unwrap_or_else(new_handle);
            self.handles.insert(row.uid.clone(), handle);
            let opened = seal::open_object(
                be,
                self.key.as_ref(),
                self.store.serial(),
                self.store.legacy(),
                row,
            )
            .unwrap_or_else(|e| {
                // One unreadable row must not make the token unusable: leave it out (and in
                // the store, untouched) and say so.
                tracing::error!(uid = %row.uid, "token object cannot be opened, left out: {e}");
                None
            });
            match opened {
                Some(opened) => {
                    self.objects.insert(
                        handle,
                        Entry {
                            obj: Arc::new(Object::new(opened.attrs)),
                            location: Location::Token {
                                uid: row.uid.clone(),
                                generation: row.generation,
                            },
                            complete: opened.complete,
                        },
                    );
                }
                None => {
                    self.objects.remove(&handle);
                }
            }
        }
        // Rows another process deleted.
        self.objects.retain(|_, e| match &e.location {
            Location::Token { uid, .. } => live.contains(uid),
            Location::Session(_) => true,
        });
        self.handles.retain(|uid, _| live.contains(uid));
        Ok(())
    }
}
