//! Sessions: their handles, read/write flag, active operations and the approved-service
//! indicator of their last operation. Each session has its own lock, so sessions on different
//! threads run their cryptography in parallel.

pub mod operation;

use crate::error::{Error, Result};
use crate::token::Login;
use arc_swap::ArcSwap;
use cryptoki_sys::*;
pub use operation::Operations;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// One session. Its identity is immutable; what changes sits behind its own lock, so
/// looking sessions up never waits for another session's operation.
pub struct Session {
    pub handle: CK_SESSION_HANDLE,
    pub slot: CK_SLOT_ID,
    pub rw: bool,
    state: Mutex<SessionState>,
}

/// A session's mutable part.
#[derive(Default)]
pub struct SessionState {
    pub ops: Operations,
    /// Whether the last cryptographic operation was an approved service.
    pub last_approved: Option<bool>,
}

impl Session {
    pub fn lock(&self) -> MutexGuard<'_, SessionState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `CKS_*` for this session under the token's login state.
    pub fn state(&self, login: Login) -> CK_STATE {
        match (login, self.rw) {
            (Login::Public, false) => CKS_RO_PUBLIC_SESSION,
            (Login::Public, true) => CKS_RW_PUBLIC_SESSION,
            (Login::User, false) => CKS_RO_USER_FUNCTIONS,
            (Login::User, true) => CKS_RW_USER_FUNCTIONS,
            (Login::So, _) => CKS_RW_SO_FUNCTIONS,
        }
    }
}

/// Session handles are never reused within a process, not even across `C_Finalize` and
/// `C_Initialize`, so a stale handle cannot reach a new session.
static NEXT_SESSION: AtomicU64 = AtomicU64::new(1);

/// All open sessions of the application. Every call looks its session up, so lookups read an
/// immutable map through arc-swap (no lock, no shared counter touched); opening and closing,
/// which are rare, copy the map under `writer` and swap it in.
pub struct SessionTable {
    map: ArcSwap<HashMap<CK_SESSION_HANDLE, Arc<Session>>>,
    writer: Mutex<()>,
    max: usize,
}

impl SessionTable {
    pub fn new(max: usize) -> Self {
        SessionTable {
            map: ArcSwap::from_pointee(HashMap::new()),
            writer: Mutex::new(()),
            max,
        }
    }

    /// Applies `change` to a copy of the map and publishes it.
    fn update<T>(
        &self,
        change: impl FnOnce(&mut HashMap<CK_SESSION_HANDLE, Arc<Session>>) -> Result<T>,
    ) -> Result<T> {
        let _one_writer = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = HashMap::clone(&self.map.load());
        let r = change(&mut map)?;
        self.map.store(Arc::new(map));
        Ok(r)
    }

    pub fn open(&self, slot: CK_SLOT_ID, rw: bool) -> Result<CK_SESSION_HANDLE> {
        self.update(|map| {
            if map.len() >= self.max {
                return Err(Error::SessionCount);
            }
            let handle = NEXT_SESSION.fetch_add(1, Ordering::Relaxed) as CK_SESSION_HANDLE;
            map.insert(
                handle,
                Arc::new(Session {
                    handle,
                    slot,
                    rw,
                    state: Mutex::new(SessionState::default()),
                }),
            );
            Ok(handle)
        })
    }

    pub fn get(&self, handle: CK_SESSION_HANDLE) -> Result<Arc<Session>> {
        self.map
            .load()
            .get(&handle)
            .cloned()
            .ok_or(Error::SessionHandleInvalid)
    }

    pub fn remove(&self, handle: CK_SESSION_HANDLE) -> Result<Arc<Session>> {
        self.update(|map| map.remove(&handle).ok_or(Error::SessionHandleInvalid))
    }

    /// Removes every session on `slot` in one copy of the map (`C_CloseAllSessions`).
    pub fn remove_on_slot(&self, slot: CK_SLOT_ID) -> Vec<CK_SESSION_HANDLE> {
        self.update(|map| {
            let gone: Vec<CK_SESSION_HANDLE> = map
                .values()
                .filter(|s| s.slot == slot)
                .map(|s| s.handle)
                .collect();
            for h in &gone {
                map.remove(h);
            }
            Ok(gone)
        })
        .unwrap_or_default()
    }

    /// Handles of the sessions on `slot`, each with its read/write flag.
    pub fn on_slot(&self, slot: CK_SLOT_ID) -> Vec<(CK_SESSION_HANDLE, bool)> {
        self.map
            .load()
            .values()
            .filter(|s| s.slot == slot)
            .map(|s| (s.handle, s.rw))
            .collect()
    }

    pub fn count(&self, slot: CK_SLOT_ID) -> (usize, usize) {
        let all = self.on_slot(slot);
        let rw = all.iter().filter(|(_, rw)| *rw).count();
        (all.len(), rw)
    }

    pub fn max(&self) -> usize {
        self.max
    }
}
