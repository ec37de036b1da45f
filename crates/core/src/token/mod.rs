//! Slots and their tokens: token state, PINs and lockout, the application-wide login state,
//! and the object table (token objects loaded from the store, session objects in memory).
//!
//! `login` holds PINs and login, `objects` the object table as sessions see it, `sync` its
//! agreement with the store. The token lock is held to look things up, change them and catch
//! up with other processes' commits (which opens the rows they changed); operations take an
//! `Arc<Object>` and let go of it before any key operation runs.

mod login;
mod objects;
pub(crate) mod pin;
mod sync;

use crate::crypto::{Provider, Rng};
use crate::error::{Error, Result};
use crate::object::Object;
use crate::store::seal::TokenKey;
use crate::store::{Store, TokenRecord};
use cryptoki_sys::*;
pub(crate) use pin::Role;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

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

/// How old this process's view of other processes' commits may be on the hot paths: a key
/// used by handle in a cryptographic `C_*Init`, the login state behind template and access
/// checks, and making or destroying a session object. Token objects, login and token calls
/// always ask the store first; a busy caller does not pay a store query per operation.
pub(crate) const KEY_USE_FRESHNESS: Duration = Duration::from_millis(20);

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
    /// When the store was last asked for other processes' commits.
    checked: Option<Instant>,
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
    /// `security.remember_pin`: a right PIN is derived once per process.
    pub remember: bool,
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
    /// One PIN check at a time in this process: each attempt is charged before it is checked,
    /// so concurrent right PINs must not pile up charges that lock the token. It holds the PINs
    /// this process has seen succeed (derived once, `pin::Remembered`).
    attempts: Mutex<pin::Remembered>,
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
                checked: None,
            }),
            attempts: Mutex::new(pin::Remembered::new(rng)?),
        })
    }

    /// Locks the token state, first catching up with other processes' commits.
    fn lock(&self, be: &Provider) -> Result<MutexGuard<'_, State>> {
        self.lock_within(be, Duration::ZERO)
    }

    /// `lock`, asking the store for other processes' commits only when the last answer is
    /// older than `freshness` (the question takes SQLite's WAL read lock, a system call).
    fn lock_within(&self, be: &Provider, freshness: Duration) -> Result<MutexGuard<'_, State>> {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.checked.is_none_or(|t| t.elapsed() >= freshness) {
            st.catch_up(self.slot_id)?;
        }
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
        self.login_within(Duration::ZERO)
    }

    /// `login_state` for the per-operation checks (templates, object access): the store is
    /// asked again only when its last answer is older than `KEY_USE_FRESHNESS`, so a
    /// re-initialization elsewhere is seen within that, and the hot path makes no query.
    pub fn login_state_recent(&self) -> Login {
        self.login_within(KEY_USE_FRESHNESS)
    }

    fn login_within(&self, freshness: Duration) -> Login {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.checked.is_none_or(|t| t.elapsed() >= freshness)
            && let Err(e) = st.catch_up(self.slot_id)
        {
            tracing::error!(slot = self.slot_id, "token store: {e}");
        }
        st.login
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

fn new_uid(rng: &dyn Rng) -> Result<String> {
    use std::fmt::Write;
    let mut raw = [0u8; 16];
    rng.fill(&mut raw)?;
    let mut uid = String::with_capacity(2 * raw.len());
    for b in raw {
        write!(uid, "{b:02x}").expect("writing to a String");
    }
    Ok(uid)
}
