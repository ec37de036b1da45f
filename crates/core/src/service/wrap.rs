//! Key wrapping and unwrapping (PKCS#11 3.x section 5.18): secret keys as their value,
//! private keys as PKCS#8, under AES-KW/KWP, AES-GCM, AES-CBC-PAD or RSA (PKCS#1, OAEP),
//! honouring CKA_EXTRACTABLE, CKA_WRAP_WITH_TRUSTED/CKA_TRUSTED and the wrap/unwrap templates.

use super::encrypt::{check_aes_key, check_rsa_key};
use super::{check_object_access, rv_of};
use crate::audit::{Event, Operation};
use crate::crypto::{Direction, PrivateKeyMaterial};
use crate::error::{Error, Result};
use crate::mechanism::families::{aes::cipher_mode, des3, rsa::enc_scheme};
use crate::mechanism::registry::Family;
use crate::mechanism::{MechSpec, Mechanism, Op, Params};
use crate::module::Module;
use crate::object::template::{self, Origin};
use crate::object::{AttrValue, Attributes, Object, Template, key};
use crate::session::operation::{OutBuf, Output};
use cryptoki_sys::*;
use std::sync::Arc;
use zeroize::Zeroizing;

/// The wrapping key's role in one call.
enum Kek {
    Aes(Zeroizing<Vec<u8>>),
    Rsa(Arc<Object>),
}

impl Module {
    /// Finds and checks the wrapping (or unwrapping) key.
    fn kek(
        &self,
        t: &crate::token::Token,
        spec: &MechSpec,
        handle: CK_OBJECT_HANDLE,
        dir: Direction,
    ) -> Result<(Kek, Arc<Object>)> {
        let (usage, invalid, inconsistent, size) = match dir {
            Direction::Encrypt => (
                CKA_WRAP,
                Error::WrappingKeyHandleInvalid,
                Error::WrappingKeyTypeInconsistent,
                Error::WrappingKeySizeRange,
            ),
            Direction::Decrypt => (
                CKA_UNWRAP,
                Error::UnwrappingKeyHandleInvalid,
                Error::UnwrappingKeyTypeInconsistent,
                Error::UnwrappingKeySizeRange,
            ),
        };
        let obj = self.key(t, handle).map_err(|e| match e {
            Error::ObjectHandleInvalid => invalid.clone(),
            e => e,
        })?;
        // The key checks of encryption, with the wrapping key's own codes.
        let retype = |e: Error| match e {
            Error::KeyTypeInconsistent => inconsistent.clone(),
            Error::KeySizeRange => size.clone(),
            e => e,
        };
        let kek = match spec.family {
            Family::Aes => Kek::Aes(check_aes_key(self, spec, &obj, usage).map_err(retype)?),
            Family::Rsa => {
                check_rsa_key(self, spec, &obj, dir, usage).map_err(retype)?;
                Kek::Rsa(obj.clone())
            }
            _ => return Err(Error::MechanismInvalid),
        };
        Ok((kek, obj))
    }

    /// Encrypts or decrypts key material with the wrapping mechanism.
    fn wrap_cipher(
        &self,
        mech: &Mechanism,
        kek: &Kek,
        dir: Direction,
        data: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let be = self.backend;
        match (kek, mech.mech) {
            (Kek::Aes(k), CKM_AES_KEY_WRAP | CKM_AES_KEY_WRAP_KWP) => {
                if mech.params != Params::None {
                    return Err(Error::MechanismParamInvalid);
                }
                let pad = mech.mech == CKM_AES_KEY_WRAP_KWP;
                match dir {
                    Direction::Encrypt => be.aes_key_wrap(k, data, pad).map(Zeroizing::new),
                    Direction::Decrypt => be.aes_key_unwrap(k, data, pad),
                }
            }
            (Kek::Aes(k), _) => {
                let mut c = be.cipher(&cipher_mode(mech)?, k, dir)?;
                let mut out = Zeroizing::new(c.update(data)?);
                out.extend_from_slice(&c.finish()?);
                Ok(out)
            }
            (Kek::Rsa(obj), _) => {
                let scheme = enc_scheme(&self.policy, mech)?;
                match dir {
                    Direction::Encrypt => obj
                        .public_ops(be)?
                        .encrypt(&scheme, data, &*self.rng)
                        .map(Zeroizing::new),
                    Direction::Decrypt => obj.private_ops(be)?.decrypt(&scheme, data, &*self.rng),
                }
            }
        }
    }

    /// The bytes a key is wrapped as: a secret key's value, a private key's PKCS#8.
    fn key_material(&self, obj: &Object) -> Result<Zeroizing<Vec<u8>>> {
        let a = obj.attrs();
        match (obj.class(), a.key_type()) {
            (CKO_SECRET_KEY, _) => Ok(Zeroizing::new(
                a.bytes(CKA_VALUE).ok_or(Error::KeyNotWrappable)?.to_vec(),
            )),
            (CKO_PRIVATE_KEY, Some(CKK_RSA)) => self
                .backend
                .keys
                .to_pkcs8(&PrivateKeyMaterial::Rsa(key::rsa_private_parts(a)?)),
            (CKO_PRIVATE_KEY, Some(CKK_EC | CKK_EC_EDWARDS | CKK_EC_MONTGOMERY)) => self
                .backend
                .keys
                .to_pkcs8(&PrivateKeyMaterial::Ec(key::ec_private_parts(
                    self.backend,
                    a,
                )?)),
            _ => Err(Error::KeyNotWrappable),
        }
    }

    pub fn wrap_key(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        wrapping: CK_OBJECT_HANDLE,
        key: CK_OBJECT_HANDLE,
        out: OutBuf,
    ) -> Result<Output> {
        let (s, t) = self.session(h)?;
        let mut approved = false;
        let (mut used, mut wrapped_key) = (None, None);
        let r = (|| {
            self.audit_ready()?;
            let spec = self.policy.lookup(mech.mech, Op::Wrap)?;
            let (kek, kek_obj) = self.kek(t, spec, wrapping, Direction::Encrypt)?;
            used = self.key_ref(kek_obj.attrs());
            let obj = self.key(t, key).map_err(|e| match e {
                Error::ObjectHandleInvalid => Error::KeyHandleInvalid,
                e => e,
            })?;
            wrapped_key = self.key_ref(obj.attrs());
            if !obj.attrs().bool(CKA_EXTRACTABLE) {
                return Err(Error::KeyUnextractable);
            }
            if obj.attrs().bool(CKA_WRAP_WITH_TRUSTED) && !kek_obj.attrs().bool(CKA_TRUSTED) {
                return Err(Error::KeyNotWrappable);
            }
            if let Some(AttrValue::Template(wt)) = kek_obj.attrs().get(CKA_WRAP_TEMPLATE) {
                let wt: Template = wt
                    .iter()
                    .map(|(t, v)| (*t as CK_ATTRIBUTE_TYPE, v.clone()))
                    .collect();
                // The spec's code for a key outside the wrapping key's CKA_WRAP_TEMPLATE.
                if !obj.attrs().matches(&wt) {
                    return Err(Error::KeyHandleInvalid);
                }
            }
            let mut material = self.key_material(&obj)?;
            if mech.mech == CKM_AES_KEY_WRAP {
                // 6.16: a key of any length, zero padded to whole semiblocks (copied into a
                // buffer of the final size, so no unzeroized reallocation is left behind).
                let len = material.len().next_multiple_of(KW_SEMIBLOCK);
                let mut padded = Zeroizing::new(Vec::with_capacity(len));
                padded.extend_from_slice(&material);
                padded.resize(len, 0);
                material = padded;
            }
            let wrapped = self
                .wrap_cipher(mech, &kek, Direction::Encrypt, &material)
                .map_err(|e| match e {
                    // 5.18: refused "solely because of its length".
                    Error::DataLenRange => Error::KeySizeRange,
                    e => e,
                })?;
            approved = self
                .policy
                .approved(spec, Op::Wrap, kek_obj.key_bits(), None)
                && kek_obj.approved_key();
            Ok(match out {
                OutBuf::Query => Output::Length(wrapped.len()),
                OutBuf::Capacity(c) if c < wrapped.len() => Output::TooSmall(wrapped.len()),
                OutBuf::Capacity(_) => Output::Data(wrapped),
            })
        })();
        // A length query (or a buffer found too small) is not an operation: no key left.
        if !matches!(r, Ok(Output::Length(_) | Output::TooSmall(_))) {
            let event = Event::new(Operation::WrapKey {
                mechanism: mech.mech as u64,
                fips_approved: approved,
            })
            .key(used)
            .object(wrapped_key);
            self.record(&s, event, rv_of(&r));
        }
        r
    }

    pub fn unwrap_key(
        &self,
        h: CK_SESSION_HANDLE,
        mech: &Mechanism,
        unwrapping: CK_OBJECT_HANDLE,
        wrapped: &[u8],
        tpl: &Template,
    ) -> Result<CK_OBJECT_HANDLE> {
        let (s, t) = self.session(h)?;
        let mut approved = false;
        let (mut used, mut made) = (None, None);
        let r = (|| {
            self.audit_ready()?;
            let spec = self.policy.lookup(mech.mech, Op::Unwrap)?;
            let (kek, kek_obj) = self.kek(t, spec, unwrapping, Direction::Decrypt)?;
            used = self.key_ref(kek_obj.attrs());
            let login = t.login_state_recent();
            let full = template::with_key_template(tpl, kek_obj.attrs(), CKA_UNWRAP_TEMPLATE)?;
            let mut attrs = template::build(&full, Origin::Unwrap, None, self.rights(login))?;
            check_object_access(&s, login, attrs.is_token(), attrs.is_private())?;
            let material = self
                .wrap_cipher(mech, &kek, Direction::Decrypt, wrapped)
                .map_err(|e| match e {
                    Error::EncryptedDataInvalid | Error::DataInvalid => Error::WrappedKeyInvalid,
                    Error::EncryptedDataLenRange | Error::DataLenRange => Error::WrappedKeyLenRange,
                    e => e,
                })?;
            let material = if mech.mech == CKM_AES_KEY_WRAP {
                kw_unpad(&attrs, material)?
            } else {
                material
            };
            self.import_material(&mut attrs, &material)?;
            approved = self
                .policy
                .approved(spec, Op::Unwrap, kek_obj.key_bits(), None)
                && kek_obj.approved_key();
            let key_approved = approved && self.import_approved(&attrs);
            template::derive_key_attributes(&mut attrs, Origin::Unwrap, key_approved);
            Object::new(attrs.clone()).validate_key(self.backend)?;
            made = self.key_ref(&attrs);
            Ok(t.insert(self.backend, &*self.rng, h, vec![attrs])?[0])
        })();
        let event = Event::new(Operation::UnwrapKey {
            mechanism: mech.mech as u64,
            fips_approved: approved && r.is_ok(),
        })
        .key(used)
        .object(made);
        self.record(&s, event, rv_of(&r));
        r
    }

    /// Puts unwrapped material into the new key's attributes, checking it fits the template.
    fn import_material(&self, attrs: &mut Attributes, material: &[u8]) -> Result<()> {
        match attrs.class() {
            CKO_SECRET_KEY => {
                let ok = match attrs.key_type() {
                    Some(CKK_AES) => matches!(material.len(), 16 | 24 | 32),
                    Some(CKK_DES3) => material.len() == des3::KEY_LEN,
                    _ => !material.is_empty(),
                };
                // A length that contradicts the key type or CKA_VALUE_LEN (spec 5.18).
                let fits = attrs
                    .ulong(CKA_VALUE_LEN)
                    .is_none_or(|l| l as usize == material.len());
                if !ok || !fits {
                    return Err(Error::WrappedKeyLenRange);
                }
                attrs.set(CKA_VALUE, AttrValue::Bytes(material.to_vec()));
                attrs.set(CKA_VALUE_LEN, AttrValue::Ulong(material.len() as u64));
                Ok(())
            }
            CKO_PRIVATE_KEY => {
                let parts = self.backend.keys.parse_pkcs8(material)?;
                let (kt, private) = match &parts {
                    PrivateKeyMaterial::Rsa(p) => (CKK_RSA, key::rsa_attrs(p).1),
                    PrivateKeyMaterial::Ec(p) => (p.curve.key_type(), key::ec_attrs(p).1),
                };
                if attrs.key_type() != Some(kt) {
                    return Err(Error::TemplateInconsistent);
                }
                attrs.extend(private);
                Ok(())
            }
            _ => Err(Error::TemplateInconsistent),
        }
    }
}

/// AES Key Wrap works on 8-byte semiblocks.
const KW_SEMIBLOCK: usize = 8;

/// Undoes `CKM_AES_KEY_WRAP`'s zero padding (6.16): a secret key is cut to the template's
/// `CKA_VALUE_LEN` (no shorter than the padding allows), a private key's PKCS#8 to its DER
/// length.
fn kw_unpad(attrs: &Attributes, mut material: Zeroizing<Vec<u8>>) -> Result<Zeroizing<Vec<u8>>> {
    let n = material.len();
    let len = match attrs.class() {
        CKO_SECRET_KEY => match attrs.ulong(CKA_VALUE_LEN).map(|l| l as usize) {
            Some(l) if l <= n && l + KW_SEMIBLOCK > n => l,
            Some(_) => return Err(Error::WrappedKeyLenRange),
            None => n,
        },
        CKO_PRIVATE_KEY => der_len(&material)
            .filter(|&l| l <= n)
            .ok_or(Error::WrappedKeyInvalid)?,
        _ => n,
    };
    if material[len..].iter().any(|&b| b != 0) {
        return Err(Error::WrappedKeyInvalid);
    }
    material.truncate(len);
    Ok(material)
}

/// The total length of the DER element at the start of `der` (definite lengths only).
fn der_len(der: &[u8]) -> Option<usize> {
    let first = *der.get(1)? as usize;
    if first < 0x80 {
        return Some(2 + first);
    }
    let count = first & 0x7f;
    if count == 0 || count > 4 {
        return None;
    }
    let body = der
        .get(2..2 + count)?
        .iter()
        .fold(0usize, |acc, &b| (acc << 8) | b as usize);
    Some(2 + count + body)
}
