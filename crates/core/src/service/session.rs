//! Sessions and login (PKCS#11 3.x sections 5.6 and 5.7).

use super::{SessionInfo, rv_of};
use crate::audit::Operation;
use crate::crypto::Direction;
use crate::error::{Error, Result};
use crate::module::Module;
use crate::token::{Login, Role};
use cryptoki_sys::*;

impl Module {
    pub fn open_session(&self, slot: CK_SLOT_ID, flags: CK_FLAGS) -> Result<CK_SESSION_HANDLE> {
        let t = self.token(slot)?;
        if flags & CKF_SERIAL_SESSION == 0 {
            return Err(Error::SessionParallelNotSupported);
        }
        let rw = flags & CKF_RW_SESSION != 0;
        if !rw && t.login_state() == Login::So {
            return Err(Error::SessionReadWriteSoExists);
        }
        self.sessions.open(slot, rw)
    }

    pub fn close_session(&self, h: CK_SESSION_HANDLE) -> Result<()> {
        let s = self.sessions.remove(h)?;
        let t = self.token(s.slot)?;
        t.drop_session_objects(h);
        // Closing the application's last session on a token logs it out.
        if self.sessions.count(s.slot).0 == 0 {
            t.reset_login(self.backend)?;
        }
        Ok(())
    }

    pub fn close_all_sessions(&self, slot: CK_SLOT_ID) -> Result<()> {
        let t = self.token(slot)?;
        for h in self.sessions.remove_on_slot(slot) {
            t.drop_session_objects(h);
        }
        t.reset_login(self.backend)
    }

    pub fn session_info(&self, h: CK_SESSION_HANDLE) -> Result<SessionInfo> {
        let (s, t) = self.session(h)?;
        let mut flags = CKF_SERIAL_SESSION;
        if s.rw {
            flags |= CKF_RW_SESSION;
        }
        Ok(SessionInfo {
            slot: s.slot,
            state: s.state(t.login_state()),
            flags,
        })
    }

    /// `C_Login` and `C_LoginUser` (this token has one user, so a username is not used).
    pub fn login(&self, h: CK_SESSION_HANDLE, user_type: CK_USER_TYPE, pin: &[u8]) -> Result<()> {
        let (s, t) = self.session(h)?;
        let r = self.audit_ready().and_then(|_| match user_type {
            CKU_SO => {
                // "Already logged in" outranks the read-only-session check.
                let ro_exists = self.sessions.on_slot(s.slot).iter().any(|(_, rw)| !rw);
                if ro_exists && t.login_state() == Login::Public {
                    Err(Error::SessionReadOnlyExists)
                } else {
                    t.login(self.backend, &self.pins, Role::So, pin)
                }
            }
            CKU_USER => t.login(self.backend, &self.pins, Role::User, pin),
            CKU_CONTEXT_SPECIFIC if !s.lock().ops.awaiting_context_login() => {
                Err(Error::OperationNotInitialized)
            }
            CKU_CONTEXT_SPECIFIC => t.reauthenticate(self.backend, &self.pins, pin).map(|_| {
                s.lock().ops.context_authenticated();
            }),
            _ => Err(Error::UserTypeInvalid),
        });
        self.record(
            &s,
            Operation::Login {
                user_type: user_type as u64,
            },
            rv_of(&r),
        );
        r
    }

    pub fn logout(&self, h: CK_SESSION_HANDLE) -> Result<()> {
        let (s, t) = self.session(h)?;
        let r = t.logout(self.backend);
        self.record(&s, Operation::Logout, rv_of(&r));
        r
    }

    /// `C_SessionCancel`: ends the operations named by `flags`.
    pub fn session_cancel(&self, h: CK_SESSION_HANDLE, flags: CK_FLAGS) -> Result<()> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        for (flag, dir) in [
            (CKF_MESSAGE_ENCRYPT, Direction::Encrypt),
            (CKF_MESSAGE_DECRYPT, Direction::Decrypt),
        ] {
            if flags & flag != 0 {
                self.abandon_message(&s, &mut st, dir, CKR_FUNCTION_CANCELED);
            }
        }
        st.ops.cancel(flags);
        Ok(())
    }
}
