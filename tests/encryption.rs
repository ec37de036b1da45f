//! Asymmetric encryption: RSA-OAEP with and without a label, cross-checked both ways.

mod common;

use common::keys::*;
use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsOaepParams, PkcsOaepSource};
use cryptoki::mechanism::{Mechanism, MechanismType};

#[test]
fn rsa_oaep_encryption_with_and_without_a_label() {
    let env = Env::new("");
    let s = env.user_session();
    let (public, private) = rsa_pair(&s);
    let msg = b"attack at dawn";

    for label in [&b""[..], b"a label", &[0u8; 64][..]] {
        let ct = s.encrypt(&oaep(label), public, msg).unwrap();
        assert_eq!(ct.len(), 256);
        assert_eq!(s.decrypt(&oaep(label), private, &ct).unwrap(), msg);
        // OAEP is randomized.
        assert_ne!(s.encrypt(&oaep(label), public, msg).unwrap(), ct);
        // Any other label fails the padding check.
        let other: &[u8] = if label == b"a label" {
            b"b label"
        } else {
            b"a label"
        };
        assert_rv!(
            s.decrypt(&oaep(other), private, &ct),
            RvError::EncryptedDataInvalid
        );
        // So does a tampered ciphertext.
        let mut bad = ct.clone();
        bad[100] ^= 0x01;
        assert_rv!(
            s.decrypt(&oaep(label), private, &bad),
            RvError::EncryptedDataInvalid
        );
        assert_rv!(
            s.decrypt(&oaep(label), private, &ct[1..]),
            RvError::EncryptedDataLenRange
        );
    }
    // The labelled ciphertext does not decrypt without the label.
    let ct = s.encrypt(&oaep(b"a label"), public, msg).unwrap();
    assert_rv!(
        s.decrypt(&oaep(b""), private, &ct),
        RvError::EncryptedDataInvalid
    );

    // SHA-256 OAEP carries at most 256 - 2*32 - 2 = 190 bytes in a 2048-bit modulus.
    let ct = s.encrypt(&oaep(b""), public, &[7u8; 190]).unwrap();
    assert_eq!(s.decrypt(&oaep(b""), private, &ct).unwrap(), [7u8; 190]);
    assert_rv!(
        s.encrypt(&oaep(b""), public, &[7u8; 191]),
        RvError::DataLenRange
    );
    // Encryption takes the public key, decryption the private one.
    assert_rv!(
        s.encrypt(&oaep(b""), private, msg),
        RvError::KeyTypeInconsistent
    );
    assert_rv!(
        s.decrypt(&oaep(b""), public, &ct),
        RvError::KeyTypeInconsistent
    );

    // A different MGF1 hash from the OAEP hash.
    let mixed = Mechanism::RsaPkcsOaep(PkcsOaepParams::new(
        MechanismType::SHA256,
        PkcsMgfType::MGF1_SHA1,
        PkcsOaepSource::empty(),
    ));
    let ct = s.encrypt(&mixed, public, msg).unwrap();
    assert_eq!(s.decrypt(&mixed, private, &ct).unwrap(), msg);
    assert_rv!(
        s.decrypt(&oaep(b""), private, &ct),
        RvError::EncryptedDataInvalid
    );
}
