//! Message digesting (PKCS#11 3.x section 5.12).

use super::rv_of;
use crate::audit::Operation;
use crate::error::{Error, Result};
use crate::mechanism::{Mechanism, Op};
use crate::module::Module;
use crate::session::operation::{DigestOp, OpInfo, OutBuf, Output, ends, ensure_idle};
use crate::session::{Session, SessionState};
use cryptoki_sys::*;
use zeroize::Zeroizing;

impl Module {
    pub fn digest_init(&self, h: CK_SESSION_HANDLE, mech: &Mechanism) -> Result<()> {
        let r = self
            .audit_ready()
            .and_then(|_| self.try_digest_init(h, mech));
        let refused = Operation::Digest {
            mechanism: mech.mech as u64,
            fips_approved: false,
        };
        self.indicate_refusal(h, r, refused)
    }

    fn try_digest_init(&self, h: CK_SESSION_HANDLE, mech: &Mechanism) -> Result<()> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        ensure_idle(&st.ops.digest)?;
        let spec = self.policy.lookup(mech.mech, Op::Digest)?;
        let alg = spec.hash.ok_or(Error::MechanismInvalid)?;
        st.ops.digest = Some(DigestOp {
            info: OpInfo {
                mech: mech.mech,
                approved: self.policy.approved(spec, Op::Digest, None, None),
                key: None,
            },
            ctx: Some(self.backend.digest(alg)?),
            len: alg.output_len(),
            pending: Default::default(),
            multi: false,
        });
        Ok(())
    }

    /// `C_Digest`: single-part.
    pub fn digest(&self, h: CK_SESSION_HANDLE, data: &[u8], out: OutBuf) -> Result<Output> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let op = st
            .ops
            .digest
            .as_mut()
            .ok_or(Error::OperationNotInitialized)?;
        if op.multi {
            // C_Digest after C_DigestUpdate: an error, and like every failed C_Digest it ends
            // the operation.
            return self.end_digest(&s, &mut st, Err(Error::OperationActive));
        }
        let ctx = &mut op.ctx;
        let r = op.pending.deliver(out, op.len, || {
            let mut c = ctx
                .take()
                .ok_or_else(|| Error::general("digest context gone"))?;
            c.update(data);
            Ok(Zeroizing::new(c.finish()))
        });
        self.end_digest(&s, &mut st, r)
    }

    pub fn digest_update(&self, h: CK_SESSION_HANDLE, data: &[u8]) -> Result<()> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let op = st
            .ops
            .digest
            .as_mut()
            .ok_or(Error::OperationNotInitialized)?;
        op.multi = true;
        match op.ctx.as_mut() {
            Some(c) => {
                c.update(data);
                Ok(())
            }
            None => Err(Error::OperationActive),
        }
    }

    /// `C_DigestKey`: hashes a secret key's value into the running digest.
    pub fn digest_key(&self, h: CK_SESSION_HANDLE, key: CK_OBJECT_HANDLE) -> Result<()> {
        let (s, t) = self.session(h)?;
        if s.lock().ops.digest.is_none() {
            return Err(Error::OperationNotInitialized);
        }
        let value = self.key(t, key).and_then(|obj| {
            if obj.class() != CKO_SECRET_KEY {
                return Err(Error::KeyIndigestible);
            }
            let v = obj.attrs().bytes(CKA_VALUE).ok_or(Error::KeyIndigestible)?;
            Ok(zeroize::Zeroizing::new(v.to_vec()))
        });
        let mut st = s.lock();
        let Some(op) = st.ops.digest.as_mut() else {
            return Err(Error::OperationNotInitialized);
        };
        op.multi = true;
        let r = match (value, op.ctx.as_mut()) {
            (Ok(v), Some(c)) => {
                c.update(&v);
                return Ok(());
            }
            (Err(Error::ObjectHandleInvalid), _) => Err(Error::KeyHandleInvalid),
            (Err(e), _) => Err(e),
            (Ok(_), None) => Err(Error::OperationActive),
        };
        // An error ends the digest, as for C_DigestUpdate.
        self.end_digest(&s, &mut st, r.clone().map(|_| Output::Length(0)))?;
        r
    }

    pub fn digest_final(&self, h: CK_SESSION_HANDLE, out: OutBuf) -> Result<Output> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let op = st
            .ops
            .digest
            .as_mut()
            .ok_or(Error::OperationNotInitialized)?;
        let ctx = &mut op.ctx;
        let r = op.pending.deliver(out, op.len, || {
            Ok(Zeroizing::new(
                ctx.take()
                    .ok_or_else(|| Error::general("digest context gone"))?
                    .finish(),
            ))
        });
        self.end_digest(&s, &mut st, r)
    }

    /// Ends the operation when the result was delivered or an error occurred, and records it.
    fn end_digest(&self, s: &Session, st: &mut SessionState, r: Result<Output>) -> Result<Output> {
        let done = r.as_ref().map_or(true, ends);
        if done && let Some(op) = st.ops.digest.take() {
            let event = Operation::Digest {
                mechanism: op.info.mech as u64,
                fips_approved: op.info.approved,
            };
            self.record_locked(s, st, event, rv_of(&r));
        }
        r
    }
}
