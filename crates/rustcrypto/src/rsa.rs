//! RSA over the `rsa` crate: PKCS#1 v1.5, PSS, OAEP and raw, with the module's DRBG for
//! blinding, salts and padding.

use super::RngAdapter;
use super::hash::{hash, with_hash};
use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::key::strip_leading_zeros;
use craton_hsm_crypto::{
    AsymEncScheme, HashAlg, PrivateKeyOps, PublicKeyOps, Rng, RsaPrivateParts, RsaPublicParts,
    SignInput, SignScheme,
};
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BoxedUint, Oaep, Pkcs1v15Encrypt, Pkcs1v15Sign, Pss};
use zeroize::Zeroizing;

fn uint(bytes: &[u8]) -> BoxedUint {
    BoxedUint::from_be_slice_vartime(strip_leading_zeros(bytes))
}

fn bytes(v: &BoxedUint) -> Vec<u8> {
    v.to_be_bytes_trimmed_vartime().to_vec()
}

pub(crate) fn generate(bits: usize, e: &[u8], rng: &dyn Rng) -> Result<RsaPrivateParts> {
    let mut r = RngAdapter::new(rng);
    let key = rsa::PrivateKey::new_with_exp_unchecked(&mut r, bits, uint(e))
        .map_err(|e| r.error_or(Error::general(format!("RSA key generation: {e}"))))?;
    Ok(parts_of(&key))
}

pub(crate) fn parts_of(key: &rsa::PrivateKey) -> RsaPrivateParts {
    let primes = key.primes();
    let p = primes[0].as_ref();
    let q = primes[1].as_ref();
    let d = key.d();
    let one = BoxedUint::one();
    // d mod (p-1), d mod (q-1), q^-1 mod p: the CRT values PKCS#11 stores.
    let dp = d.rem_vartime(&p.wrapping_sub(&one).to_nz().expect("p > 1"));
    let dq = d.rem_vartime(&q.wrapping_sub(&one).to_nz().expect("q > 1"));
    let qinv = key.crt_coefficient().unwrap_or_else(BoxedUint::zero);
    RsaPrivateParts {
        n: bytes(key.n().as_ref()),
        e: bytes(key.e()),
        d: bytes(d),
        p: bytes(p),
        q: bytes(q),
        dp: bytes(&dp),
        dq: bytes(&dq),
        qinv: bytes(&qinv),
    }
}

pub(crate) struct RsaPrivate {
    key: rsa::PrivateKey,
}

pub(crate) struct RsaPublic {
    key: rsa::PublicKey,
}

impl RsaPrivate {
    pub(crate) fn pkcs8(&self) -> pkcs8::Result<pkcs8::SecretDocument> {
        pkcs8::EncodePrivateKey::to_pkcs8_der(&self.key)
    }
}

pub(crate) fn load_private(parts: &RsaPrivateParts) -> Result<RsaPrivate> {
    let primes = if parts.p.is_empty() || parts.q.is_empty() {
        Vec::new()
    } else {
        vec![uint(&parts.p), uint(&parts.q)]
    };
    let key =
        rsa::PrivateKey::from_components(uint(&parts.n), uint(&parts.e), uint(&parts.d), primes)
            .map_err(|_| Error::AttributeValueInvalid)?;
    Ok(RsaPrivate { key })
}

pub(crate) fn load_public(parts: &RsaPublicParts) -> Result<RsaPublic> {
    let key = rsa::PublicKey::new_with_size_limits(uint(&parts.n), uint(&parts.e), 512..=16384)
        .map_err(|_| Error::AttributeValueInvalid)?;
    Ok(RsaPublic { key })
}

/// The hash of the input: computed for a message, length-checked for a prehash.
fn hashed(alg: HashAlg, input: SignInput<'_>) -> Result<Vec<u8>> {
    match input {
        SignInput::Message(m) => Ok(hash(alg, m)),
        SignInput::Prehashed(h) if h.len() == alg.output_len() => Ok(h.to_vec()),
        SignInput::Prehashed(_) => Err(Error::DataLenRange),
    }
}

fn raw(input: SignInput<'_>) -> &[u8] {
    match input {
        SignInput::Message(m) | SignInput::Prehashed(m) => m,
    }
}

fn pss_checked(hash: HashAlg, mgf_hash: HashAlg) -> Result<()> {
    // The rsa crate uses one hash for both; a mismatched MGF is refused, not silently changed.
    if hash == mgf_hash {
        Ok(())
    } else {
        Err(Error::MechanismParamInvalid)
    }
}

/// Left-pads a big-endian value to the modulus length.
fn pad_to(v: Vec<u8>, len: usize) -> Vec<u8> {
    if v.len() >= len {
        return v;
    }
    let mut out = vec![0u8; len - v.len()];
    out.extend_from_slice(&v);
    out
}

impl PrivateKeyOps for RsaPrivate {
    fn signature_len(&self) -> usize {
        self.key.size()
    }

    fn sign(&self, scheme: &SignScheme, input: SignInput<'_>, rng: &dyn Rng) -> Result<Vec<u8>> {
        let mut r = RngAdapter::new(rng);
        let k = self.key.size();
        let res = match scheme {
            SignScheme::RsaPkcs1 { hash: Some(h) } => {
                let digest = hashed(*h, input)?;
                with_hash!(*h, D => self.key.sign_with_rng(&mut r, Pkcs1v15Sign::new::<D>(), &digest))
            }
            SignScheme::RsaPkcs1 { hash: None } => {
                let data = raw(input);
                if data.len() + 11 > k {
                    return Err(Error::DataLenRange);
                }
                self.key
                    .sign_with_rng(&mut r, Pkcs1v15Sign::new_unprefixed(), data)
            }
            SignScheme::RsaPss {
                hash,
                mgf_hash,
                salt_len,
            } => {
                pss_checked(*hash, *mgf_hash)?;
                let digest = hashed(*hash, input)?;
                if salt_len.saturating_add(hash.output_len() + 2) > k {
                    return Err(Error::MechanismParamInvalid);
                }
                with_hash!(*hash, D => self.key.sign_with_rng(&mut r, Pss::<D>::new_with_salt(*salt_len), &digest))
            }
            SignScheme::RsaRaw => return self.raw_private(raw(input), rng),
            _ => return Err(Error::KeyTypeInconsistent),
        };
        res.map_err(|e| r.error_or(Error::general(format!("RSA sign: {e}"))))
    }

    fn decrypt(
        &self,
        scheme: &AsymEncScheme,
        ct: &[u8],
        rng: &dyn Rng,
    ) -> Result<Zeroizing<Vec<u8>>> {
        if ct.len() != self.key.size() {
            return Err(Error::EncryptedDataLenRange);
        }
        let mut r = RngAdapter::new(rng);
        let res = match scheme {
            AsymEncScheme::RsaRaw => {
                return self
                    .raw_private(ct, rng)
                    .map(Zeroizing::new)
                    .map_err(as_ciphertext_error);
            }
            AsymEncScheme::RsaPkcs1 => self.key.decrypt_blinded(&mut r, Pkcs1v15Encrypt, ct),
            AsymEncScheme::RsaOaep {
                hash,
                mgf_hash,
                label,
            } => {
                // The rsa crate does not check the leading byte Y of the encoded message
                // (RFC 8017 7.1.2 step 3g). Check it here, deciding only after both
                // computations, so this failure looks like any other padding error.
                let em = Zeroizing::new(self.raw_private(ct, rng).map_err(as_ciphertext_error)?);
                let y_is_zero: bool = subtle::ConstantTimeEq::ct_eq(&em[0], &0u8).into();
                let res = with_hash!(*hash, D => with_hash!(*mgf_hash, M => self.key.decrypt_blinded(&mut r, oaep::<D, M>(label), ct)));
                match res {
                    Ok(m) if y_is_zero => Ok(m),
                    _ => Err(rsa::Error::Decryption),
                }
            }
        };
        res.map(Zeroizing::new)
            .map_err(|_| Error::EncryptedDataInvalid)
    }
}

/// An input the raw operation refuses is, for decryption, a bad ciphertext.
fn as_ciphertext_error(e: Error) -> Error {
    match e {
        Error::DataInvalid => Error::EncryptedDataInvalid,
        Error::DataLenRange => Error::EncryptedDataLenRange,
        e => e,
    }
}

impl RsaPrivate {
    /// RSADP/RSASP1 on an input already as long as the modulus (or shorter).
    fn raw_private(&self, input: &[u8], rng: &dyn Rng) -> Result<Vec<u8>> {
        let k = self.key.size();
        if input.len() > k {
            return Err(Error::DataLenRange);
        }
        let n = self.key.n();
        let c = BoxedUint::from_be_slice(input, n.as_ref().bits_precision())
            .map_err(|_| Error::DataInvalid)?;
        if c >= *n.as_ref() {
            return Err(Error::DataInvalid);
        }
        let mut r = RngAdapter::new(rng);
        let m = rsa::hazmat::rsa_decrypt_and_check(&self.key, Some(&mut r), &c)
            .map_err(|e| r.error_or(Error::general(format!("RSA: {e}"))))?;
        Ok(pad_to(bytes(&m), k))
    }
}

/// OAEP padding with label hash `D` and MGF1 hash `M`.
fn oaep<D, M>(label: &[u8]) -> Oaep<D, M>
where
    D: rsa::sha2::digest::Digest + rsa::sha2::digest::FixedOutputReset,
    M: rsa::sha2::digest::Digest + rsa::sha2::digest::FixedOutputReset,
{
    if label.is_empty() {
        Oaep::<D, M>::new_with_mgf_hash()
    } else {
        Oaep::<D, M>::new_with_mgf_hash_and_label(label.to_vec())
    }
}

impl PublicKeyOps for RsaPublic {
    fn signature_len(&self) -> usize {
        self.key.size()
    }

    fn verify(&self, scheme: &SignScheme, input: SignInput<'_>, sig: &[u8]) -> Result<()> {
        let k = self.key.size();
        if sig.len() != k {
            return Err(Error::SignatureLenRange);
        }
        let ok = match scheme {
            SignScheme::RsaPkcs1 { hash: Some(h) } => {
                let digest = hashed(*h, input)?;
                with_hash!(*h, D => self.key.verify(Pkcs1v15Sign::new::<D>(), &digest, sig))
            }
            SignScheme::RsaPkcs1 { hash: None } => {
                let data = raw(input);
                if data.len() + 11 > k {
                    return Err(Error::DataLenRange);
                }
                self.key.verify(Pkcs1v15Sign::new_unprefixed(), data, sig)
            }
            SignScheme::RsaPss {
                hash,
                mgf_hash,
                salt_len,
            } => {
                pss_checked(*hash, *mgf_hash)?;
                let digest = hashed(*hash, input)?;
                with_hash!(*hash, D => self.key.verify(Pss::<D>::new_with_salt(*salt_len), &digest, sig))
            }
            SignScheme::RsaRaw => {
                let data = raw(input);
                if data.len() > k {
                    return Err(Error::DataLenRange);
                }
                // A signature that is no residue mod n is simply an invalid signature.
                let m = self.raw_public(sig).map_err(|_| Error::SignatureInvalid)?;
                let expected = pad_to(data.to_vec(), k);
                return if subtle::ConstantTimeEq::ct_eq(&m[..], &expected[..]).into() {
                    Ok(())
                } else {
                    Err(Error::SignatureInvalid)
                };
            }
            _ => return Err(Error::KeyTypeInconsistent),
        };
        ok.map_err(|_| Error::SignatureInvalid)
    }

    fn encrypt(&self, scheme: &AsymEncScheme, pt: &[u8], rng: &dyn Rng) -> Result<Vec<u8>> {
        let k = self.key.size();
        let mut r = RngAdapter::new(rng);
        let res = match scheme {
            AsymEncScheme::RsaRaw => {
                if pt.len() > k {
                    return Err(Error::DataLenRange);
                }
                return self.raw_public(pt);
            }
            AsymEncScheme::RsaPkcs1 => {
                if pt.len() + 11 > k {
                    return Err(Error::DataLenRange);
                }
                self.key.encrypt(&mut r, Pkcs1v15Encrypt, pt)
            }
            AsymEncScheme::RsaOaep {
                hash,
                mgf_hash,
                label,
            } => {
                if pt.len() + 2 * hash.output_len() + 2 > k {
                    return Err(Error::DataLenRange);
                }
                with_hash!(*hash, D => with_hash!(*mgf_hash, M => self.key.encrypt(&mut r, oaep::<D, M>(label), pt)))
            }
        };
        res.map_err(|e| r.error_or(Error::general(format!("RSA encrypt: {e}"))))
    }
}

impl RsaPublic {
    fn raw_public(&self, input: &[u8]) -> Result<Vec<u8>> {
        let n = self.key.n();
        let m = BoxedUint::from_be_slice(input, n.as_ref().bits_precision())
            .map_err(|_| Error::DataInvalid)?;
        if m >= *n.as_ref() {
            return Err(Error::DataInvalid);
        }
        let c = rsa::hazmat::rsa_encrypt(&self.key, &m).map_err(|_| Error::DataInvalid)?;
        Ok(pad_to(bytes(&c), self.key.size()))
    }
}
