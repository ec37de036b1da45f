//! RSA key containers in DER, with the RustCrypto encoding crates (`pkcs8`, `pkcs1`):
//! parsing and writing ASN.1 only, no cryptography. aws-lc-rs exports keys as PKCS#8 and
//! PKCS#11 stores their components.

use craton_hsm_crypto::RsaPrivateParts;
use craton_hsm_crypto::error::{Error, Result};
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
