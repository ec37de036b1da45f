//! Encryption and decryption (PKCS#11 3.x sections 5.10, 5.11): AES modes as streams, RSA
//! single-part, AES key wrap as a single-part cipher.

use super::rv_of;
use crate::audit::{Event, Operation};
use crate::crypto::Direction;
use crate::error::{Error, Result};
use crate::mechanism::families::{aes::cipher_mode, des3, rsa::enc_scheme};
use crate::mechanism::registry::Family;
use crate::mechanism::{MechSpec, Mechanism, Op, Params};
use crate::module::Module;
use crate::object::Object;
use crate::session::operation::{CryptKind, CryptOp, OpInfo, OutBuf, Output, ends, ensure_idle};
use crate::session::{Session, SessionState};
use cryptoki_sys::*;
use zeroize::Zeroizing;

/// Checks that `obj` is an AES key usable for `usage` with `spec`.
pub(super) fn check_aes_key(
    module: &Module,
    spec: &MechSpec,
    obj: &Object,
    usage: CK_ATTRIBUTE_TYPE,
) -> Result<Zeroizing<Vec<u8>>> {
    check_secret_key(module, spec, obj, usage, CKK_AES)
}

/// Checks that `obj` is a secret key of type `key_type` usable for `usage` with `spec`; its
/// value.
fn check_secret_key(
    module: &Module,
    spec: &MechSpec,
    obj: &Object,
    usage: CK_ATTRIBUTE_TYPE,
    key_type: CK_KEY_TYPE,
) -> Result<Zeroizing<Vec<u8>>> {
    if obj.class() != CKO_SECRET_KEY || obj.attrs().key_type() != Some(key_type) {
        return Err(Error::KeyTypeInconsistent);
    }
    if !obj.permits(usage) {
        return Err(Error::KeyFunctionNotPermitted);
    }
    module.check_key_roles(obj)?;
    if !obj.allows_mechanism(spec.mech) {
        return Err(Error::MechanismInvalid);
    }
    let value = obj
        .attrs()
        .bytes(CKA_VALUE)
        .ok_or(Error::KeyTypeInconsistent)?;
    module.policy.check_key_size(spec, value.len() * 8)?;
    Ok(Zeroizing::new(value.to_vec()))
}

/// Checks that `obj` is an RSA key of the right half for `dir`, permitted for `usage`.
pub(super) fn check_rsa_key(
    module: &Module,
    spec: &MechSpec,
    obj: &Object,
    dir: Direction,
    usage: CK_ATTRIBUTE_TYPE,
) -> Result<()> {
    let class = match dir {
        Direction::Encrypt => CKO_PUBLIC_KEY,
        Direction::Decrypt => CKO_PRIVATE_KEY,
    };
    if obj.class() != class || obj.attrs().key_type() != Some(CKK_RSA) {
        return Err(Error::KeyTypeInconsistent);
    }
    if !obj.permits(usage) {
        return Err(Error::KeyFunctionNotPermitted);
    }
    if !obj.allows_mechanism(spec.mech) {
        return Err(Error::MechanismInvalid);
    }
    module
        .policy
        .check_key_size(spec, obj.key_bits().unwrap_or(0))
}

fn slot(st: &mut SessionState, dir: Direction) -> &mut Option<CryptOp> {
    match dir {
        Direction::Encrypt => &mut st.ops.encrypt,
        Direction::Decrypt => &mut st.ops.decrypt,
    }
}

fn usage(dir: Direction) -> CK_ATTRIBUTE_TYPE {
    match dir {
        Direction::Encrypt => CKA_ENCRYPT,
        Direction::Decrypt => CKA_DECRYPT,
    }
}

/// The audit operation of an encryption or decryption.
pub(super) fn crypt_event(dir: Direction, mechanism: u64, fips_approved: bool) -> Operation {
    match dir {
        Direction::Encrypt => Operation::Encrypt {
            mechanism,
            fips_approved,
        },
        Direction::Decrypt => Operation::Decrypt {
            mechanism,
            fips_approved,
        },
    }
}

fn op(dir: Direction) -> Op {
    match dir {
        Direction::Encrypt => Op::Encrypt,
        Direction::Decrypt => Op::Decrypt,
    }
}

impl Module {
    pub fn crypt_init(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        key: CK_OBJECT_HANDLE,
        dir: Direction,
    ) -> Result<()> {
        let r = self
            .audit_ready()
            .and_then(|_| self.try_crypt_init(h, mech, key, dir));
        let refused = crypt_event(dir, mech.mech as u64, false);
        self.indicate_refusal(h, r, refused)
    }

    fn try_crypt_init(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        key: CK_OBJECT_HANDLE,
        dir: Direction,
    ) -> Result<()> {
        let (s, t) = self.session(h)?;
        ensure_idle(slot(&mut s.lock(), dir))?;
        let spec = self.policy.lookup(mech.mech, op(dir))?;
        let obj = self.key(t, key).map_err(|e| match e {
            Error::ObjectHandleInvalid => Error::KeyHandleInvalid,
            e => e,
        })?;
        let be = self.backend;
        let kind = match spec.family {
            Family::Aes => {
                let value = check_aes_key(self, spec, &obj, usage(dir))?;
                match mech.mech {
                    CKM_AES_KEY_WRAP | CKM_AES_KEY_WRAP_KWP => {
                        if mech.params != Params::None {
                            return Err(Error::MechanismParamInvalid);
                        }
                        CryptKind::KeyWrap {
                            key: value,
                            pad: mech.mech == CKM_AES_KEY_WRAP_KWP,
                        }
                    }
                    _ => CryptKind::Stream(be.cipher(&cipher_mode(mech)?, &value, dir)?),
                }
            }
            Family::Des3 => {
                let value = check_secret_key(self, spec, &obj, usage(dir), CKK_DES3)?;
                CryptKind::Stream(be.cipher(&des3::cipher_mode(mech)?, &value, dir)?)
            }
            Family::Rsa => {
                check_rsa_key(self, spec, &obj, dir, usage(dir))?;
                let scheme = enc_scheme(&self.policy, mech)?;
                match dir {
                    Direction::Encrypt => CryptKind::RsaEncrypt {
                        key: obj.public_ops(be)?,
                        scheme,
                    },
                    Direction::Decrypt => CryptKind::RsaDecrypt {
                        key: obj.private_ops(be)?,
                        scheme,
                    },
                }
            }
            _ => return Err(Error::MechanismInvalid),
        };
        let approved =
            self.policy.approved(spec, op(dir), obj.key_bits(), None) && obj.approved_key();
        let auth_pending = dir == Direction::Decrypt && obj.attrs().bool(CKA_ALWAYS_AUTHENTICATE);
        let mut st = s.lock();
        let slot = slot(&mut st, dir);
        ensure_idle(slot)?;
        *slot = Some(CryptOp {
            info: OpInfo {
                mech: mech.mech,
                approved,
                key: self.key_ref(obj.attrs()),
            },
            dir,
            kind: Some(kind),
            pending: Default::default(),
            multi: false,
            auth_pending,
        });
        Ok(())
    }

    /// `C_Encrypt` / `C_Decrypt`: single-part.
    pub fn crypt(
        &self,
        h: CK_SESSION_HANDLE,
        dir: Direction,
        data: &[u8],
        out: OutBuf,
    ) -> Result<Output> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let op = slot(&mut st, dir)
            .as_mut()
            .ok_or(Error::OperationNotInitialized)?;
        if op.multi {
            // After an update: an error, and like every failed C_Encrypt it ends the operation.
            return self.end_crypt(&s, &mut st, dir, Err(Error::OperationActive));
        }
        if op.auth_pending {
            return self.end_crypt(&s, &mut st, dir, Err(Error::UserNotLoggedIn));
        }
        let hint = match op.kind.as_ref() {
            Some(CryptKind::Stream(c)) => c.single_len(data.len()),
            Some(CryptKind::RsaEncrypt { key, .. }) => key.signature_len(),
            Some(CryptKind::RsaDecrypt { key, .. }) => key.signature_len(),
            Some(CryptKind::KeyWrap { .. }) => data.len() + 16,
            None => 0,
        };
        let kind = &mut op.kind;
        let rng = &*self.rng;
        let be = self.backend;
        let r = op.pending.deliver(out, hint, || {
            match kind.take().ok_or_else(|| Error::general("cipher gone"))? {
                CryptKind::Stream(c) => c.one_shot(data),
                CryptKind::RsaEncrypt { key, scheme } => {
                    key.encrypt(&scheme, data, rng).map(Zeroizing::new)
                }
                CryptKind::RsaDecrypt { key, scheme } => key.decrypt(&scheme, data, rng),
                CryptKind::KeyWrap { key, pad } => match dir {
                    Direction::Encrypt => be.aes_key_wrap(&key, data, pad).map(Zeroizing::new),
                    Direction::Decrypt => be.aes_key_unwrap(&key, data, pad),
                },
            }
        });
        self.end_crypt(&s, &mut st, dir, r)
    }

    /// `C_EncryptUpdate` / `C_DecryptUpdate`: the output length is exact, so a query or a
    /// too-small buffer consumes nothing.
    pub fn crypt_update(
        &self,
        h: CK_SESSION_HANDLE,
        dir: Direction,
        data: &[u8],
        out: OutBuf,
    ) -> Result<Output> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let op = slot(&mut st, dir)
            .as_mut()
            .ok_or(Error::OperationNotInitialized)?;
        let r = match op.kind.as_mut() {
            _ if op.auth_pending => Err(Error::UserNotLoggedIn),
            Some(CryptKind::Stream(c)) => {
                let n = c.update_len(data.len());
                match out {
                    OutBuf::Query => Ok(Output::Length(n)),
                    OutBuf::Capacity(cap) if cap < n => Ok(Output::TooSmall(n)),
                    OutBuf::Capacity(_) => {
                        op.multi = true;
                        c.update(data).map(|v| Output::Data(Zeroizing::new(v)))
                    }
                }
            }
            // RSA and key wrap are single-part only.
            Some(_) => Err(Error::MechanismInvalid),
            None => Err(Error::OperationNotInitialized),
        };
        match r {
            Ok(o) => Ok(o),
            // An error ends the operation.
            Err(e) => self.end_crypt(&s, &mut st, dir, Err(e)),
        }
    }

    /// `C_EncryptFinal` / `C_DecryptFinal`.
    pub fn crypt_final(&self, h: CK_SESSION_HANDLE, dir: Direction, out: OutBuf) -> Result<Output> {
        let (s, _) = self.session(h)?;
        let mut st = s.lock();
        let op = slot(&mut st, dir)
            .as_mut()
            .ok_or(Error::OperationNotInitialized)?;
        if op.auth_pending {
            return self.end_crypt(&s, &mut st, dir, Err(Error::UserNotLoggedIn));
        }
        let hint = match op.kind.as_ref() {
            Some(CryptKind::Stream(c)) => c.finish_len(),
            _ => 0,
        };
        let kind = &mut op.kind;
        let r = op.pending.deliver(out, hint, || match kind.take() {
            Some(CryptKind::Stream(c)) => c.finish(),
            Some(_) => Err(Error::MechanismInvalid),
            None => Err(Error::general("cipher gone")),
        });
        self.end_crypt(&s, &mut st, dir, r)
    }

    fn end_crypt(
        &self,
        s: &Session,
        st: &mut SessionState,
        dir: Direction,
        r: Result<Output>,
    ) -> Result<Output> {
        let done = r.as_ref().map_or(true, ends);
        if done && let Some(op) = slot(st, dir).take() {
            let event = Event::new(crypt_event(dir, op.info.mech as u64, op.info.approved))
                .key(op.info.key);
            self.record_locked(s, st, event, rv_of(&r));
        }
        r
    }
}
