//! The typed core API: one method on `Module` per PKCS#11 function, in files by family. The
//! ABI converts C arguments to these types and maps the `Result` to a `CK_RV`.

mod derive;
mod digest;
mod encrypt;
mod kem;
mod keygen;
mod message;
mod object;
mod random;
mod session;
mod sign;
mod slot;
mod state;
mod wrap;

use crate::audit::{Event, KeyRef, Operation};
use crate::error::{Error, Result};
use crate::module::Module;
use crate::object::template::{self, Rights};
use crate::object::{Attributes, Object};
use crate::session::{Session, SessionState};
use crate::token::{Location, Login, Token};
use cryptoki_sys::*;
pub use message::{GcmMessage, Sealed};
pub use object::AttributeAnswer;
pub use slot::{MechanismInfo, SessionInfo, SlotInfo, TokenInfo};
pub use state::StateKey;
use std::sync::Arc;

/// Manufacturer string reported everywhere.
pub const MANUFACTURER: &str = "Craton HSM";
/// Library version reported by `C_GetInfo` (major, minor).
pub const LIBRARY_VERSION: (u8, u8) = (0, 1);

impl Module {
    pub fn token(&self, slot: CK_SLOT_ID) -> Result<&Token> {
        self.tokens.get(slot as usize).ok_or(Error::SlotIdInvalid)
    }

    /// A session and its token.
    pub fn session(&self, h: CK_SESSION_HANDLE) -> Result<(Arc<Session>, &Token)> {
        let s = self.sessions.get(h)?;
        let t = self.token(s.slot)?;
        Ok((s, t))
    }

    /// An object visible to the session.
    pub fn object(&self, token: &Token, h: CK_OBJECT_HANDLE) -> Result<(Arc<Object>, Location)> {
        token.object(self.backend, h)
    }

    /// The key identity an audit record names: `None` without an audit log, so no call
    /// formats one for nothing.
    fn key_ref(&self, attrs: &Attributes) -> Option<KeyRef> {
        self.audit.as_ref().and_then(|_| KeyRef::of(attrs))
    }

    /// A key the session uses by handle in a cryptographic operation.
    pub fn key(&self, token: &Token, h: CK_OBJECT_HANDLE) -> Result<Arc<Object>> {
        token.key(self.backend, h)
    }

    /// What a caller logged in as `login` may do beyond the template rules.
    fn rights(&self, login: Login) -> Rights {
        Rights {
            so: login == Login::So,
            mixed_key_roles: self.mixed_key_roles,
        }
    }

    /// Refuses a stored secret key that mixes key-transport and data-encryption roles (made
    /// before the rule, or while the configuration allowed it) for either role.
    pub(super) fn check_key_roles(&self, key: &Object) -> Result<()> {
        if !self.mixed_key_roles && template::mixes_key_roles(key.attrs()) {
            return Err(Error::KeyFunctionNotPermitted);
        }
        Ok(())
    }

    /// One audited call: the audit log's readiness first, then `body`, which fills in the
    /// record (its approval, the key used, the object made); the record is written whatever
    /// the outcome, and says "not approved" for a failure.
    fn audited<T>(
        &self,
        s: &Session,
        op: Operation,
        body: impl FnOnce(&mut Event) -> Result<T>,
    ) -> Result<T> {
        let mut event = Event::new(op);
        let r = self.audit_ready().and_then(|()| body(&mut event));
        self.record(s, event, rv_of(&r));
        r
    }

    /// Records the approved-service indicator on the session and in the audit log.
    fn record(&self, session: &Session, event: impl Into<Event>, rv: CK_RV) {
        let mut st = session.lock();
        self.record_locked(session, &mut st, event, rv);
    }

    /// `record` for a caller that already holds the session lock.
    fn record_locked(
        &self,
        session: &Session,
        st: &mut SessionState,
        event: impl Into<Event>,
        rv: CK_RV,
    ) {
        let mut event = event.into();
        if rv != CKR_OK {
            event.op = event.op.unapproved();
        }
        if let Some(a) = event.op.fips_approved() {
            st.last_approved = Some(a);
        }
        self.audit_event(Some(session.slot), Some(session.handle), event, rv);
    }

    /// Writes an audit record if auditing is on.
    fn audit_event(
        &self,
        slot: Option<CK_SLOT_ID>,
        session: Option<CK_SESSION_HANDLE>,
        event: impl Into<Event>,
        rv: CK_RV,
    ) {
        if let Some(a) = &self.audit {
            a.record(slot, session, event.into(), rv);
        }
    }

    /// Whether a new operation may start as far as the audit log is concerned: refused with
    /// `CKR_DEVICE_ERROR` while its records cannot be written (`[audit] on_failure`).
    fn audit_ready(&self) -> Result<()> {
        self.audit.as_ref().map_or(Ok(()), |a| a.ready())
    }

    /// A refused `C_*Init` is a cryptographic call that provided no approved service: the
    /// indicator must not keep saying what the previous operation was, and the audit log
    /// records it (mechanism, `fips_approved: false`, the `CKR_*` code).
    fn indicate_refusal<T>(&self, h: CK_SESSION_HANDLE, r: Result<T>, op: Operation) -> Result<T> {
        if let Err(e) = &r {
            let session = self.session(h).ok();
            if let Some((s, _)) = &session {
                s.lock().last_approved = Some(false);
            }
            let slot = session.map(|(s, _)| s.slot);
            self.audit_event(slot, Some(h), op.unapproved(), e.rv());
        }
        r
    }

    /// The approved-service indicator of the session's last cryptographic operation.
    pub fn last_operation_fips_approved(&self, h: CK_SESSION_HANDLE) -> Result<Option<bool>> {
        let (s, _) = self.session(h)?;
        let approved = s.lock().last_approved;
        Ok(approved)
    }
}

/// Fails unless the session may write token objects.
fn require_rw(session: &Session) -> Result<()> {
    if session.rw {
        Ok(())
    } else {
        Err(Error::SessionReadOnly)
    }
}

/// Checks that the login state allows creating or changing an object with these attributes
/// in this session (PKCS#11 3.x 5.7 table: session states and object access).
fn check_object_access(
    session: &Session,
    login: Login,
    is_token: bool,
    is_private: bool,
) -> Result<()> {
    if is_token && !session.rw {
        return Err(Error::SessionReadOnly);
    }
    if is_private && login != Login::User {
        return Err(Error::UserNotLoggedIn);
    }
    Ok(())
}

/// The `CK_RV` of a result, for audit records.
fn rv_of<T>(r: &Result<T>) -> CK_RV {
    match r {
        Ok(_) => CKR_OK,
        Err(e) => e.rv(),
    }
}
