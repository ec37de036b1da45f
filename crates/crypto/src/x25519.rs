//! X25519 private keys in PKCS#8 (RFC 8410 §7): `PrivateKeyInfo` with id-X25519 and the
//! 32-byte key inside an OCTET STRING (`CurvePrivateKey`). What `C_WrapKey` wraps and
//! `C_UnwrapKey` reads for a `CKK_EC_MONTGOMERY` key, the same on every provider.

use crate::error::{Error, Result};
use pkcs8::der::asn1::OctetStringRef;
use pkcs8::der::{Decode, Encode};
use pkcs8::{AlgorithmIdentifierRef, ObjectIdentifier, PrivateKeyInfoRef};
use zeroize::Zeroizing;

/// id-X25519 (RFC 8410 §3).
const ID_X25519: ObjectIdentifier = ObjectIdentifier::new_unwrap("1.3.101.110");
/// An X25519 private key's length (RFC 7748 §5).
const KEY_LEN: usize = 32;

/// The PKCS#8 DER of an X25519 private key.
pub fn to_pkcs8(key: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
    let fail = |_| Error::general("X25519 PKCS#8 encoding");
    if key.len() != KEY_LEN {
        return Err(Error::KeyTypeInconsistent);
    }
    let inner = Zeroizing::new(
        OctetStringRef::new(key)
            .map_err(fail)?
            .to_der()
            .map_err(fail)?,
    );
    let algorithm = AlgorithmIdentifierRef {
        oid: ID_X25519,
        parameters: None,
    };
    let info = PrivateKeyInfoRef::new(algorithm, OctetStringRef::new(&inner).map_err(fail)?);
    Ok(Zeroizing::new(info.to_der().map_err(fail)?))
}

/// The private key in a PKCS#8 DER, if it is an X25519 key (`None` for another algorithm,
/// `CKR_WRAPPED_KEY_INVALID` for a malformed X25519 key).
pub fn from_pkcs8(der: &[u8]) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let Ok(info) = PrivateKeyInfoRef::from_der(der) else {
        return Ok(None);
    };
    if info.algorithm.oid != ID_X25519 {
        return Ok(None);
    }
    if info.algorithm.parameters.is_some() {
        return Err(Error::WrappedKeyInvalid);
    }
    let key = <&OctetStringRef>::from_der(info.private_key.as_bytes())
        .map_err(|_| Error::WrappedKeyInvalid)?;
    if key.as_bytes().len() != KEY_LEN {
        return Err(Error::WrappedKeyInvalid);
    }
    Ok(Some(Zeroizing::new(key.as_bytes().to_vec())))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8410 §10.3's example private key.
    const RFC8410_EXAMPLE: &str = "302e020100300506032b656e04220420\
        d4ee72dbf913584ad5b6d8f1f769f8ad3afe7c28cbf1d4fbe097a88f44755842";

    #[test]
    fn rfc8410_example_round_trips() {
        let der = hex(RFC8410_EXAMPLE);
        let key = from_pkcs8(&der).unwrap().unwrap();
        assert_eq!(key.as_slice(), &der[16..]);
        assert_eq!(to_pkcs8(&key).unwrap().as_slice(), der.as_slice());
    }

    #[test]
    fn other_algorithms_and_bad_keys() {
        // An Ed25519 key (id-Ed25519, 1.3.101.112) is not ours to read.
        let mut ed = hex(RFC8410_EXAMPLE);
        ed[11] = 0x70;
        assert_eq!(from_pkcs8(&ed).unwrap(), None);
        assert_eq!(from_pkcs8(b"not DER").unwrap(), None);
        // A 31-byte key inside the right structure.
        let mut short = hex(RFC8410_EXAMPLE);
        short.truncate(short.len() - 1);
        for length in [1, 13, 15] {
            short[length] -= 1;
        }
        assert_eq!(from_pkcs8(&short), Err(Error::WrappedKeyInvalid));
        assert_eq!(to_pkcs8(&[1; 31]).err(), Some(Error::KeyTypeInconsistent));
    }

    fn hex(s: &str) -> Vec<u8> {
        hex::decode(s).unwrap()
    }
}
