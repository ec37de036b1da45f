//! RSA key containers in DER, with the RustCrypto encoding crates (`pkcs8`, `pkcs1`):
//! parsing and writing ASN.1 only, no cryptography. aws-lc-rs exports keys as PKCS#8 and
//! PKCS#11 stores their components.

use craton_hsm_crypto::error::{Error, Result};
use craton_hsm_crypto::{HashAlg, RsaPrivateParts};
use der::Decode;

fn bytes(u: pkcs1::UintRef<'_>) -> Vec<u8> {
    u.as_bytes().to_vec()
}

/// RSA components from a PKCS#8 `PrivateKeyInfo`.
pub(crate) fn rsa_parts_from_pkcs8(der: &[u8]) -> Result<RsaPrivateParts> {
    let info = pkcs8::PrivateKeyInfoRef::from_der(der).map_err(|_| Error::WrappedKeyInvalid)?;
    if info.algorithm.oid != pkcs1::ALGORITHM_OID {
        return Err(Error::WrappedKeyInvalid);
    }
    let k = pkcs1::RsaPrivateKey::from_der(info.private_key.as_bytes())
        .map_err(|_| Error::WrappedKeyInvalid)?;
    Ok(RsaPrivateParts {
        n: bytes(k.modulus),
        e: bytes(k.public_exponent),
        d: bytes(k.private_exponent),
        p: bytes(k.prime1),
        q: bytes(k.prime2),
        dp: bytes(k.exponent1),
        dq: bytes(k.exponent2),
        qinv: bytes(k.coefficient),
    })
}

/// The DER `DigestInfo` PKCS#1 v1.5 signs (RFC 8017 §9.2): the hash's AlgorithmIdentifier
/// (NULL parameters) and the digest, which must be the hash's length.
pub(crate) fn digest_info(hash: HashAlg, digest: &[u8]) -> Result<Vec<u8>> {
    if digest.len() != hash.output_len() {
        return Err(Error::DataLenRange);
    }
    let oid = hash.oid_der();
    // Every length here is below 128, so each is one byte.
    let alg_id_len = oid.len() + 2;
    let mut out = vec![
        0x30,
        (2 + alg_id_len + 2 + digest.len()) as u8,
        0x30,
        alg_id_len as u8,
    ];
    out.extend_from_slice(&oid);
    out.extend_from_slice(&[0x05, 0x00, 0x04, digest.len() as u8]);
    out.extend_from_slice(digest);
    Ok(out)
}
