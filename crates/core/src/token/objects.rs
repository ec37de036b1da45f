//! The token's objects as sessions see them: lookup under the login's visibility, search,
//! and changes written through to the store.

use super::{Entry, Location, Login, State, Token, new_handle, new_uid, visible};
use crate::crypto::{Provider, Rng};
use crate::error::{Error, Result};
use crate::object::{AttrValue, Attributes, Object};
use crate::store::seal;
use cryptoki_sys::*;
use std::sync::Arc;

impl Token {
    /// An object visible under the current login, with its key material: a public token
    /// key whose material is sealed until login gives `CKR_USER_NOT_LOGGED_IN`.
    pub fn object(
        &self,
        be: &Provider,
        handle: CK_OBJECT_HANDLE,
    ) -> Result<(Arc<Object>, Location)> {
        let st = self.lock(be)?;
        let e = usable(&st, handle)?;
        Ok((e.obj.clone(), e.location.clone()))
    }

    /// A key used by handle in a cryptographic operation: as `object`, with other processes'
    /// commits seen within `KEY_USE_FRESHNESS`.
    pub fn key(&self, be: &Provider, handle: CK_OBJECT_HANDLE) -> Result<Arc<Object>> {
        let st = self.lock_within(be, super::KEY_USE_FRESHNESS)?;
        Ok(usable(&st, handle)?.obj.clone())
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
        // Session objects are this process's alone: the store's news may be as old as
        // KEY_USE_FRESHNESS. A token object is written against the store as it is now.
        let mut st = if objects.iter().any(|a| a.is_token()) {
            self.lock(be)?
        } else {
            self.lock_within(be, super::KEY_USE_FRESHNESS)?
        };
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
        // A session object goes without asking the store for other processes' commits.
        {
            let mut st = self.lock_within(be, super::KEY_USE_FRESHNESS)?;
            let session = st
                .objects
                .get(&handle)
                .is_some_and(|e| matches!(e.location, Location::Session(_)));
            if session {
                st.objects.remove(&handle);
                return Ok(());
            }
        }
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

    /// Reserves `n` values of a token key's GCM invocation counter (`Store::reserve_invocations`).
    pub fn reserve_invocations(&self, be: &Provider, uid: &str, n: u64) -> Result<u64> {
        let mut st = self.lock(be)?;
        st.store.reserve_invocations(uid, n)
    }

    /// Session objects die with their session.
    pub fn drop_session_objects(&self, session: CK_SESSION_HANDLE) {
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        st.objects
            .retain(|_, e| e.location != Location::Session(session));
    }
}

/// The entry behind `handle` if the login may see it and its key material is open.
fn usable(st: &State, handle: CK_OBJECT_HANDLE) -> Result<&Entry> {
    let e = visible(st, handle)?;
    if !e.complete {
        return Err(Error::UserNotLoggedIn);
    }
    Ok(e)
}
