//! Keeping a process's view of a token in line with its store: other processes' commits, a
//! re-initialization elsewhere, the first login into a schema-1 store, and logout.

use super::{Entry, Location, Login, State, new_handle};
use crate::crypto::Provider;
use crate::error::Result;
use crate::object::Object;
use crate::store::seal;
use cryptoki_sys::*;
use std::sync::Arc;

impl State {
    /// Reads what other processes committed: the token record and, after a `C_InitToken`
    /// elsewhere, the end of this process's login (its token key belongs to the old token;
    /// nothing may be sealed under it again). Objects are re-read at the next `lock`.
    pub(super) fn catch_up(&mut self, slot: CK_SLOT_ID) -> Result<()> {
        self.checked = Some(std::time::Instant::now());
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
    pub(super) fn authenticate_legacy(&mut self, be: &Provider) -> Result<()> {
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
    pub(super) fn drop_login(&mut self, be: &Provider) -> Result<()> {
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
    pub(super) fn sync_objects(&mut self, be: &Provider, all: bool) -> Result<()> {
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
