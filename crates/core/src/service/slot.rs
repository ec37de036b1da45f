//! Slots and tokens: lists, information, mechanisms, and the token-administration calls
//! (`C_InitToken`, `C_InitPIN`, `C_SetPIN`).

use super::{MANUFACTURER, require_rw, rv_of};
use crate::audit::Operation;
use crate::error::{Error, Result};
use crate::module::Module;
use crate::token::Login;
use cryptoki_sys::*;

/// What `C_GetSlotInfo` reports.
#[derive(Debug, Clone)]
pub struct SlotInfo {
    pub description: String,
    pub manufacturer: String,
    pub flags: CK_FLAGS,
}

/// What `C_GetTokenInfo` reports.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    pub label: String,
    pub manufacturer: String,
    pub model: String,
    pub serial: String,
    pub flags: CK_FLAGS,
    pub max_sessions: u64,
    pub sessions: u64,
    pub max_rw_sessions: u64,
    pub rw_sessions: u64,
    pub max_pin_len: u64,
    pub min_pin_len: u64,
}

/// What `C_GetMechanismInfo` reports.
#[derive(Debug, Clone, Copy)]
pub struct MechanismInfo {
    pub min_key: u64,
    pub max_key: u64,
    pub flags: CK_FLAGS,
}

/// What `C_GetSessionInfo` reports.
#[derive(Debug, Clone, Copy)]
pub struct SessionInfo {
    pub slot: CK_SLOT_ID,
    pub state: CK_STATE,
    pub flags: CK_FLAGS,
}

impl Module {
    /// Every slot has a token, so `token_present` does not filter.
    pub fn slot_list(&self) -> Vec<CK_SLOT_ID> {
        self.tokens.iter().map(|t| t.slot_id).collect()
    }

    pub fn slot_info(&self, slot: CK_SLOT_ID) -> Result<SlotInfo> {
        let t = self.token(slot)?;
        Ok(SlotInfo {
            description: format!("Craton HSM slot {}", t.slot_id),
            manufacturer: MANUFACTURER.into(),
            flags: CKF_TOKEN_PRESENT,
        })
    }

    pub fn token_info(&self, slot: CK_SLOT_ID) -> Result<TokenInfo> {
        let t = self.token(slot)?;
        let st = t.status(self.backend)?;
        let max = self.pins.max_failures;
        let mut flags = CKF_RNG | CKF_LOGIN_REQUIRED;
        if st.initialized {
            flags |= CKF_TOKEN_INITIALIZED;
        }
        if st.user_pin_set {
            flags |= CKF_USER_PIN_INITIALIZED;
        }
        flags |= pin_flags(
            st.user_failures,
            max,
            [
                CKF_USER_PIN_COUNT_LOW,
                CKF_USER_PIN_FINAL_TRY,
                CKF_USER_PIN_LOCKED,
            ],
        );
        flags |= pin_flags(
            st.so_failures,
            max,
            [
                CKF_SO_PIN_COUNT_LOW,
                CKF_SO_PIN_FINAL_TRY,
                CKF_SO_PIN_LOCKED,
            ],
        );
        let (sessions, rw) = self.sessions.count(slot);
        Ok(TokenInfo {
            label: st.label,
            manufacturer: MANUFACTURER.into(),
            model: self.backend.token_model.into(),
            serial: st.serial,
            flags,
            max_sessions: self.sessions.max() as u64,
            sessions: sessions as u64,
            max_rw_sessions: self.sessions.max() as u64,
            rw_sessions: rw as u64,
            max_pin_len: self.pins.max_len as u64,
            min_pin_len: self.pins.min_len as u64,
        })
    }

    pub fn mechanism_list(&self, slot: CK_SLOT_ID) -> Result<Vec<CK_MECHANISM_TYPE>> {
        self.token(slot)?;
        Ok(self.policy.mechanisms().map(|s| s.mech).collect())
    }

    pub fn mechanism_info(
        &self,
        slot: CK_SLOT_ID,
        mech: CK_MECHANISM_TYPE,
    ) -> Result<MechanismInfo> {
        self.token(slot)?;
        let spec = self
            .policy
            .mechanisms()
            .find(|s| s.mech == mech)
            .ok_or(Error::MechanismInvalid)?;
        let (min_key, max_key) = self.policy.key_range(spec);
        Ok(MechanismInfo {
            min_key,
            max_key,
            flags: self.policy.flags(spec),
        })
    }

    /// `C_InitToken`.
    pub fn init_token(&self, slot: CK_SLOT_ID, so_pin: &[u8], label: &str) -> Result<()> {
        let t = self.token(slot)?;
        let r = if self.sessions.count(slot).0 > 0 {
            Err(Error::SessionExists)
        } else {
            self.audit_ready()
                .and_then(|_| t.init_token(self.backend, &*self.rng, &self.pins, so_pin, label))
        };
        if r.is_ok() {
            tracing::info!("slot {slot}: token initialized with label {label:?}");
        }
        self.audit_event(Some(slot), None, Operation::InitToken, rv_of(&r));
        r
    }

    /// `C_InitPIN`: needs a read/write SO session.
    pub fn init_pin(&self, h: CK_SESSION_HANDLE, pin: &[u8]) -> Result<()> {
        let (s, t) = self.session(h)?;
        let r = (|| {
            self.audit_ready()?;
            if t.login_state() != Login::So {
                return Err(Error::UserNotLoggedIn);
            }
            require_rw(&s)?;
            t.init_pin(self.backend, &*self.rng, &self.pins, pin)
        })();
        self.record(&s, Operation::InitPin, rv_of(&r));
        r
    }

    /// `C_SetPIN`: needs a read/write session.
    pub fn set_pin(&self, h: CK_SESSION_HANDLE, old: &[u8], new: &[u8]) -> Result<()> {
        let (s, t) = self.session(h)?;
        let r = require_rw(&s)
            .and_then(|_| self.audit_ready())
            .and_then(|_| t.set_pin(self.backend, &*self.rng, &self.pins, old, new));
        self.record(&s, Operation::SetPin, rv_of(&r));
        r
    }
}

/// The COUNT_LOW / FINAL_TRY / LOCKED flags for a failure count.
fn pin_flags(failures: u32, max: u32, [low, final_try, locked]: [CK_FLAGS; 3]) -> CK_FLAGS {
    if failures >= max {
        locked
    } else if failures + 1 == max {
        low | final_try
    } else if failures > 0 {
        low
    } else {
        0
    }
}
