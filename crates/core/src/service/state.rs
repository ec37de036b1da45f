//! Saving and restoring a session's operations (`C_GetOperationState`,
//! `C_SetOperationState`, PKCS#11 3.x section 5.6).
//!
//! Saveable: digests, and sign/verify with asymmetric keys (the hash state or buffered input).
//! MACs (HMAC, CMAC) hold key-derived state and encryption/decryption hold cipher state:
//! both give `CKR_STATE_UNSAVEABLE`. The blob is sealed with AES-256-GCM under a key drawn at
//! `C_Initialize`, so it is only good in the module instance that made it and cannot be
//! altered: a forged hash state would let a key sign a digest that its
//! `CKA_ALLOWED_MECHANISMS` never allowed. Keys are not in the blob; the caller passes the
//! signing or verification key again as `hAuthenticationKey`.

use super::sign::hashes_message;
use crate::crypto::aead;
use crate::crypto::stream::{SavedInput, SignData};
use crate::crypto::{HashAlg, SignScheme};
use crate::error::{Error, Result};
use crate::mechanism::params::hash_of_mechanism;
use crate::mechanism::{Mechanism, Op};
use crate::module::Module;
use crate::session::operation::{
    DigestOp, OpInfo, OutBuf, Output, SignOp, SignerKind, VerifierKind, VerifyOp,
};
use crate::token::Token;
use cryptoki_sys::*;
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

const AAD: &[u8] = b"craton-hsm operation state v1";

#[derive(Serialize, Deserialize)]
struct Saved {
    slot: CK_SLOT_ID,
    digest: Option<SavedDigest>,
    sign: Option<SavedAsym>,
    verify: Option<SavedAsym>,
}

#[derive(Serialize, Deserialize)]
struct SavedDigest {
    mech: CK_MECHANISM_TYPE,
    alg: HashAlg,
    multi: bool,
    state: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
struct SavedAsym {
    mech: CK_MECHANISM_TYPE,
    key: CK_OBJECT_HANDLE,
    scheme: SignScheme,
    multi: bool,
    input: SavedInput,
}

/// The per-instance key that seals saved states.
pub struct StateKey(Zeroizing<[u8; 32]>);

impl StateKey {
    pub fn new(key: [u8; 32]) -> Self {
        StateKey(Zeroizing::new(key))
    }
}

impl Module {
    /// `C_GetOperationState`.
    pub fn get_operation_state(&self, h: CK_SESSION_HANDLE, out: OutBuf) -> Result<Output> {
        let (s, t) = self.session(h)?;
        let saved = {
            let st = s.lock();
            let ops = &st.ops;
            if ops.encrypt.is_some() || ops.decrypt.is_some() {
                return Err(Error::StateUnsaveable);
            }
            Saved {
                slot: t.slot_id,
                digest: ops.digest.as_ref().map(save_digest).transpose()?,
                sign: ops.sign.as_ref().map(save_sign).transpose()?,
                verify: ops.verify.as_ref().map(save_verify).transpose()?,
            }
        };
        if saved.digest.is_none() && saved.sign.is_none() && saved.verify.is_none() {
            return Err(Error::OperationNotInitialized);
        }
        // One key goes back in at restore, so sign and verify must share it.
        if let (Some(a), Some(b)) = (&saved.sign, &saved.verify)
            && a.key != b.key
        {
            return Err(Error::StateUnsaveable);
        }
        let blob = self.seal_state(&saved)?;
        Ok(match out {
            OutBuf::Query => Output::Length(blob.len()),
            OutBuf::Capacity(c) if c < blob.len() => Output::TooSmall(blob.len()),
            OutBuf::Capacity(_) => Output::Data(blob),
        })
    }

    /// `C_SetOperationState`: replaces the session's operations with the saved ones.
    pub fn set_operation_state(
        &self,
        h: CK_SESSION_HANDLE,
        blob: &[u8],
        enc_key: CK_OBJECT_HANDLE,
        auth_key: CK_OBJECT_HANDLE,
    ) -> Result<()> {
        let (s, t) = self.session(h)?;
        let saved = self.open_state(blob)?;
        if saved.slot != t.slot_id {
            return Err(Error::SavedStateInvalid);
        }
        if enc_key != CK_INVALID_HANDLE {
            return Err(Error::KeyNotNeeded);
        }
        let keys: Vec<CK_OBJECT_HANDLE> = [&saved.sign, &saved.verify]
            .into_iter()
            .flatten()
            .map(|a| a.key)
            .collect();
        let needs_key = !keys.is_empty();
        match (needs_key, auth_key) {
            (true, CK_INVALID_HANDLE) => return Err(Error::KeyNeeded),
            (false, k) if k != CK_INVALID_HANDLE => return Err(Error::KeyNotNeeded),
            _ => {}
        }
        if keys.iter().any(|&k| k != auth_key) {
            return Err(Error::KeyChanged);
        }
        // Build everything before touching the session, so a failure changes nothing.
        let digest = saved.digest.map(|d| self.restore_digest(d)).transpose()?;
        let sign = saved.sign.map(|a| self.restore_sign(t, a)).transpose()?;
        let verify = saved
            .verify
            .map(|a| self.restore_verify(t, a))
            .transpose()?;
        let mut st = s.lock();
        st.ops
            .cancel(CKF_DIGEST | CKF_SIGN | CKF_VERIFY | CKF_ENCRYPT | CKF_DECRYPT);
        st.ops.digest = digest;
        st.ops.sign = sign;
        st.ops.verify = verify;
        Ok(())
    }

    fn seal_state(&self, saved: &Saved) -> Result<Zeroizing<Vec<u8>>> {
        let plain = Zeroizing::new(
            postcard::to_stdvec(saved).map_err(|e| Error::general(format!("state: {e}")))?,
        );
        let blob = aead::seal(self.backend, &*self.rng, &self.state_key.0[..], AAD, &plain)?;
        Ok(Zeroizing::new(blob))
    }

    fn open_state(&self, blob: &[u8]) -> Result<Saved> {
        let key = &self.state_key.0[..];
        let plain = aead::open(self.backend, key, AAD, blob, Error::SavedStateInvalid)?;
        postcard::from_bytes(&plain).map_err(|_| Error::SavedStateInvalid)
    }

    fn restore_digest(&self, d: SavedDigest) -> Result<DigestOp> {
        let spec = self
            .policy
            .lookup(d.mech, Op::Digest)
            .map_err(|_| Error::SavedStateInvalid)?;
        if spec.hash != Some(d.alg) {
            return Err(Error::SavedStateInvalid);
        }
        Ok(DigestOp {
            info: OpInfo {
                mech: d.mech,
                approved: self.policy.approved(spec, Op::Digest, None, None),
                key: None,
            },
            ctx: Some(self.backend.digest_restore(d.alg, &d.state)?),
            len: d.alg.output_len(),
            pending: Default::default(),
            multi: d.multi,
        })
    }

    /// The key checks of `C_SignInit`/`C_VerifyInit` again, then the saved input.
    fn restore_asym(
        &self,
        t: &Token,
        a: &SavedAsym,
        op: Op,
        usage: CK_ATTRIBUTE_TYPE,
    ) -> Result<(super::sign::Prepared, SignData)> {
        let p = self.prepare(t, &Mechanism::new(a.mech), a.key, op, usage)?;
        if self.mac_for(p.spec, &p.obj)?.is_some() {
            return Err(Error::SavedStateInvalid);
        }
        let msg_hash = if hashes_message(p.spec) {
            p.spec.hash
        } else {
            None
        };
        let pure = a.scheme.is_pure();
        let streaming = super::sign::streaming(self, p.spec);
        let input = SignData::restore(self.backend, msg_hash, pure, streaming, a.input.clone())?;
        Ok((p, input))
    }

    fn restore_sign(&self, t: &Token, a: SavedAsym) -> Result<SignOp> {
        let (p, input) = self.restore_asym(t, &a, Op::Sign, CKA_SIGN)?;
        let key = p.obj.private_ops(self.backend)?;
        Ok(SignOp {
            info: p.info,
            key: a.key,
            len: key.signature_len(),
            kind: Some(SignerKind::Asym {
                key,
                scheme: a.scheme,
                input,
            }),
            pending: Default::default(),
            multi: a.multi,
            single_part: p.spec.single_part,
            auth_pending: p.obj.attrs().bool(CKA_ALWAYS_AUTHENTICATE),
        })
    }

    fn restore_verify(&self, t: &Token, a: SavedAsym) -> Result<VerifyOp> {
        let (p, input) = self.restore_asym(t, &a, Op::Verify, CKA_VERIFY)?;
        let key = p.obj.public_ops(self.backend)?;
        Ok(VerifyOp {
            info: p.info,
            key: a.key,
            len: key.signature_len(),
            kind: Some(VerifierKind::Asym {
                key,
                scheme: a.scheme,
                input,
            }),
            multi: a.multi,
            single_part: p.spec.single_part,
            signature: None,
        })
    }
}

fn save_digest(op: &DigestOp) -> Result<SavedDigest> {
    let ctx = op.ctx.as_ref().ok_or(Error::StateUnsaveable)?;
    if !op.pending.is_empty() {
        return Err(Error::StateUnsaveable);
    }
    Ok(SavedDigest {
        mech: op.info.mech,
        alg: hash_of_mechanism(op.info.mech).map_err(|_| Error::StateUnsaveable)?,
        multi: op.multi,
        state: ctx.save().ok_or(Error::StateUnsaveable)?,
    })
}

fn save_sign(op: &SignOp) -> Result<SavedAsym> {
    match &op.kind {
        Some(SignerKind::Asym { scheme, input, .. }) if op.pending.is_empty() => {
            save_asym(&op.info, op.key, op.multi, scheme, input)
        }
        _ => Err(Error::StateUnsaveable),
    }
}

fn save_verify(op: &VerifyOp) -> Result<SavedAsym> {
    match &op.kind {
        Some(VerifierKind::Asym { scheme, input, .. }) => {
            save_asym(&op.info, op.key, op.multi, scheme, input)
        }
        _ => Err(Error::StateUnsaveable),
    }
}

fn save_asym(
    info: &OpInfo,
    key: CK_OBJECT_HANDLE,
    multi: bool,
    scheme: &SignScheme,
    input: &SignData,
) -> Result<SavedAsym> {
    Ok(SavedAsym {
        mech: info.mech,
        key,
        scheme: scheme.clone(),
        multi,
        input: input.save()?,
    })
}
