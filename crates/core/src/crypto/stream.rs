//! Multi-part input for sign and verify: hashed as it arrives where the backend signs digests,
//! kept whole where it signs only messages (or where the mechanism takes raw input).

use super::{Digest, HashAlg, Provider, SignInput, Streaming};
use crate::error::{Error, Result};
use zeroize::Zeroizing;

/// Largest message kept for a buffered multi-part operation.
pub const MAX_BUFFERED: usize = 64 << 20;

enum Acc {
    /// The message hash so far.
    Digest(Box<dyn Digest>),
    /// The whole message, to be hashed by the backend with the signature.
    Message(Zeroizing<Vec<u8>>),
    /// Raw input (hash value, DigestInfo, EdDSA message) passed through unchanged.
    Raw(Zeroizing<Vec<u8>>),
}

/// The accumulated input of a saved operation state (see `service::state`).
#[derive(Clone, serde::Serialize, serde::Deserialize)]
pub enum SavedInput {
    Digest(Vec<u8>),
    Message(Vec<u8>),
    Raw(Vec<u8>),
}

/// Input of a sign or verify operation, single- or multi-part.
pub struct SignData {
    acc: Acc,
}

/// What the accumulated input turns into at the end.
pub enum SignDataOut {
    Message(Zeroizing<Vec<u8>>),
    Prehashed(Zeroizing<Vec<u8>>),
}

impl SignDataOut {
    pub fn as_input(&self) -> SignInput<'_> {
        match self {
            SignDataOut::Message(m) => SignInput::Message(m),
            SignDataOut::Prehashed(h) => SignInput::Prehashed(h),
        }
    }

    /// Frees the input, wiping it in bulk (a buffered message may be megabytes).
    pub fn wipe(self) {
        match self {
            SignDataOut::Message(m) | SignDataOut::Prehashed(m) => super::wipe(m),
        }
    }
}

impl SignData {
    /// `message_hash` is the hash the mechanism applies to the caller's data (None for raw
    /// mechanisms); `pure` marks schemes that sign the message itself (EdDSA); `streaming` is
    /// how the provider's scheme takes multi-part input.
    pub fn new(
        be: &Provider,
        message_hash: Option<HashAlg>,
        pure: bool,
        streaming: Streaming,
    ) -> Result<Self> {
        let acc = match message_hash {
            Some(h) if streaming == Streaming::Prehash => Acc::Digest(be.digest(h)?),
            Some(_) => Acc::Message(Zeroizing::new(Vec::new())),
            None if pure => Acc::Message(Zeroizing::new(Vec::new())),
            None => Acc::Raw(Zeroizing::new(Vec::new())),
        };
        Ok(SignData { acc })
    }

    pub fn update(&mut self, data: &[u8]) -> Result<()> {
        match &mut self.acc {
            Acc::Digest(d) => d.update(data),
            Acc::Message(buf) | Acc::Raw(buf) => {
                if buf.len() + data.len() > MAX_BUFFERED {
                    return Err(Error::DataLenRange);
                }
                buf.extend_from_slice(data);
            }
        }
        Ok(())
    }

    /// The input so far, for `C_GetOperationState`.
    pub fn save(&self) -> Result<SavedInput> {
        Ok(match &self.acc {
            Acc::Digest(d) => SavedInput::Digest(d.save().ok_or(Error::StateUnsaveable)?),
            Acc::Message(m) => SavedInput::Message(m.to_vec()),
            Acc::Raw(r) => SavedInput::Raw(r.to_vec()),
        })
    }

    /// Rebuilds saved input; the arguments are those `new` took, and the saved kind must be
    /// the one they select.
    pub fn restore(
        be: &Provider,
        message_hash: Option<HashAlg>,
        pure: bool,
        streaming: Streaming,
        saved: SavedInput,
    ) -> Result<Self> {
        let acc = match (Self::new(be, message_hash, pure, streaming)?.acc, saved) {
            (Acc::Digest(_), SavedInput::Digest(s)) => {
                let alg = message_hash.ok_or(Error::SavedStateInvalid)?;
                Acc::Digest(be.digest_restore(alg, &s)?)
            }
            (Acc::Message(_), SavedInput::Message(m)) if m.len() <= MAX_BUFFERED => {
                Acc::Message(Zeroizing::new(m))
            }
            (Acc::Raw(_), SavedInput::Raw(r)) if r.len() <= MAX_BUFFERED => {
                Acc::Raw(Zeroizing::new(r))
            }
            _ => return Err(Error::SavedStateInvalid),
        };
        Ok(SignData { acc })
    }

    pub fn finish(self) -> SignDataOut {
        match self.acc {
            Acc::Digest(d) => SignDataOut::Prehashed(Zeroizing::new(d.finish())),
            Acc::Message(m) => SignDataOut::Message(m),
            Acc::Raw(r) => SignDataOut::Prehashed(r),
        }
    }
}
