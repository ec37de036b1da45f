//! The operations a session can have active, and the output-buffer convention they share.

use crate::crypto::stream::SignData;
use crate::crypto::{
    AsymEncScheme, CipherCtx, Digest, Direction, Mac, PrivateKeyOps, PublicKeyOps, SignScheme,
};
use crate::error::{Error, Result};
use cryptoki_sys::*;
use std::sync::Arc;
use zeroize::Zeroizing;

/// What a finishing call returns to the ABI.
#[derive(Debug)]
pub enum Output {
    /// A length query was answered; the operation stays active.
    Length(usize),
    /// The caller's buffer is too small for this many bytes; the operation stays active.
    TooSmall(usize),
    /// The result; the operation has ended.
    Data(Zeroizing<Vec<u8>>),
}

/// The caller's output buffer: absent (a length query) or its capacity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutBuf {
    Query,
    Capacity(usize),
}

/// A result computed but not yet delivered, kept so a retry with a larger buffer gets the
/// same bytes (signatures with random salts and nonces must not change between calls).
#[derive(Default)]
pub struct Pending(Option<Zeroizing<Vec<u8>>>);

impl Pending {
    /// No result is waiting for a larger buffer.
    pub fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// Applies the output convention. `hint` is the length reported to a query before the
    /// result exists; `compute` runs at most once.
    pub fn deliver(
        &mut self,
        out: OutBuf,
        hint: usize,
        compute: impl FnOnce() -> Result<Zeroizing<Vec<u8>>>,
    ) -> Result<Output> {
        let cap = match out {
            OutBuf::Query => return Ok(Output::Length(self.0.as_ref().map_or(hint, |d| d.len()))),
            OutBuf::Capacity(c) => c,
        };
        let data = match self.0.take() {
            Some(d) => d,
            None => compute()?,
        };
        if data.len() > cap {
            let n = data.len();
            self.0 = Some(data);
            return Ok(Output::TooSmall(n));
        }
        Ok(Output::Data(data))
    }
}

/// Whether a `deliver` result ends the operation.
pub fn ends(out: &Output) -> bool {
    matches!(out, Output::Data(_))
}

/// The approved-service indicator an operation will record when it completes, and the key
/// its audit record names.
#[derive(Debug, Clone)]
pub struct OpInfo {
    pub mech: CK_MECHANISM_TYPE,
    pub approved: bool,
    pub key: Option<crate::audit::KeyRef>,
}

pub struct DigestOp {
    pub info: OpInfo,
    /// Taken when the result is computed.
    pub ctx: Option<Box<dyn Digest>>,
    pub len: usize,
    pub pending: Pending,
    /// Set once C_DigestUpdate/C_DigestKey ran: C_Digest may no longer be used.
    pub multi: bool,
}

pub enum SignerKind {
    Asym {
        key: Arc<dyn PrivateKeyOps>,
        scheme: SignScheme,
        input: SignData,
    },
    Mac {
        mac: Box<dyn Mac>,
    },
}

pub struct SignOp {
    pub info: OpInfo,
    pub key: CK_OBJECT_HANDLE,
    /// Taken when the signature is computed.
    pub kind: Option<SignerKind>,
    pub len: usize,
    pub pending: Pending,
    pub multi: bool,
    /// The mechanism is single-part only: update and final calls are refused.
    pub single_part: bool,
    /// The key has CKA_ALWAYS_AUTHENTICATE and the user has not re-entered the PIN yet.
    pub auth_pending: bool,
}

pub enum VerifierKind {
    Asym {
        key: Arc<dyn PublicKeyOps>,
        scheme: SignScheme,
        input: SignData,
    },
    Mac {
        mac: Box<dyn Mac>,
    },
}

pub struct VerifyOp {
    pub info: OpInfo,
    pub key: CK_OBJECT_HANDLE,
    pub kind: Option<VerifierKind>,
    pub len: usize,
    pub multi: bool,
    /// The mechanism is single-part only: update and final calls are refused.
    pub single_part: bool,
    /// The signature given up front (3.2 `C_VerifySignatureInit`).
    pub signature: Option<Vec<u8>>,
}

/// What an encryption or decryption runs on.
pub enum CryptKind {
    /// A symmetric mode, multi-part capable.
    Stream(Box<dyn CipherCtx>),
    RsaEncrypt {
        key: Arc<dyn PublicKeyOps>,
        scheme: AsymEncScheme,
    },
    RsaDecrypt {
        key: Arc<dyn PrivateKeyOps>,
        scheme: AsymEncScheme,
    },
    /// AES key wrap used as a cipher (single-part).
    KeyWrap { key: Zeroizing<Vec<u8>>, pad: bool },
}

pub struct CryptOp {
    pub info: OpInfo,
    pub dir: Direction,
    /// Taken when the operation finishes.
    pub kind: Option<CryptKind>,
    pub pending: Pending,
    pub multi: bool,
    /// A decryption with a `CKA_ALWAYS_AUTHENTICATE` key waits for `C_Login(CKU_CONTEXT_SPECIFIC)`.
    pub auth_pending: bool,
}

/// A message-based encryption or decryption (`C_MessageEncryptInit`): the key, until
/// `C_Message*Final`; each message brings its own parameters.
pub struct MessageOp {
    pub info: OpInfo,
    pub key: Zeroizing<Vec<u8>>,
    /// The key's `CKA_UNIQUE_ID`: its counter in `Module::gcm_invocations`.
    pub key_uid: Vec<u8>,
    /// The slot of a token key, whose counter values are reserved in the store.
    pub key_slot: Option<CK_SLOT_ID>,
    /// The message being processed in parts, from `C_*MessageBegin` to the `C_*MessageNext`
    /// with `CKF_END_OF_MESSAGE` (or an error, or `C_Message*Final`).
    pub part: Option<MessagePart>,
}

/// One message in parts: its running cipher, its tag length and its indicator.
pub struct MessagePart {
    pub ctx: Box<dyn CipherCtx>,
    pub tag_len: usize,
    pub approved: bool,
}

pub struct FindOp {
    pub handles: Vec<CK_OBJECT_HANDLE>,
    pub pos: usize,
}

/// A session's active operations (at most one of each kind, as the spec allows).
#[derive(Default)]
pub struct Operations {
    pub find: Option<FindOp>,
    pub digest: Option<DigestOp>,
    pub sign: Option<SignOp>,
    pub verify: Option<VerifyOp>,
    /// 3.2 signature-first verification, an operation of its own.
    pub verify_signature: Option<VerifyOp>,
    pub encrypt: Option<CryptOp>,
    pub decrypt: Option<CryptOp>,
    pub message_encrypt: Option<MessageOp>,
    pub message_decrypt: Option<MessageOp>,
}

impl Operations {
    /// Whether an operation waits for `C_Login(CKU_CONTEXT_SPECIFIC)`; otherwise that login
    /// is improper use (`CKR_OPERATION_NOT_INITIALIZED`).
    pub fn awaiting_context_login(&self) -> bool {
        self.sign.as_ref().is_some_and(|op| op.auth_pending)
            || self.decrypt.as_ref().is_some_and(|op| op.auth_pending)
    }

    /// `C_Login(CKU_CONTEXT_SPECIFIC)` succeeded: the pending signature or decryption may
    /// proceed.
    pub fn context_authenticated(&mut self) {
        if let Some(op) = self.sign.as_mut() {
            op.auth_pending = false;
        }
        if let Some(op) = self.decrypt.as_mut() {
            op.auth_pending = false;
        }
    }

    /// `C_SessionCancel` / `C_CloseSession`: ends the operations named by `flags`.
    pub fn cancel(&mut self, flags: CK_FLAGS) {
        if flags & CKF_FIND_OBJECTS != 0 {
            self.find = None;
        }
        if flags & CKF_DIGEST != 0 {
            self.digest = None;
        }
        if flags & CKF_SIGN != 0 {
            self.sign = None;
        }
        if flags & CKF_VERIFY != 0 {
            self.verify = None;
            self.verify_signature = None;
        }
        if flags & CKF_ENCRYPT != 0 {
            self.encrypt = None;
        }
        if flags & CKF_DECRYPT != 0 {
            self.decrypt = None;
        }
        if flags & CKF_MESSAGE_ENCRYPT != 0 {
            self.message_encrypt = None;
        }
        if flags & CKF_MESSAGE_DECRYPT != 0 {
            self.message_decrypt = None;
        }
    }
}

/// Fails with `OperationActive` when an operation of this kind is already running.
pub fn ensure_idle<T>(slot: &Option<T>) -> Result<()> {
    if slot.is_some() {
        Err(Error::OperationActive)
    } else {
        Ok(())
    }
}
