//! Entry points for the fuzz targets in `fuzz/`, compiled only with the `fuzzing` feature:
//! the decoders that stored rows, token records and config files go through, driven without
//! a token around them. The C ABI targets call the exported functions instead.

use crate::crypto::Provider;
use crate::store::{self, StoredObject, seal};

/// A fixed token key: the fuzzer varies the row, not the key.
fn key() -> seal::TokenKey {
    seal::TokenKey(zeroize::Zeroizing::new([0x5a; seal::KEY_LEN]))
}

/// Stored attribute bytes (a row's plain or sealed part, once decrypted).
pub fn stored_attributes(bytes: &[u8]) {
    let _ = seal::decode(bytes);
}

/// A whole row with a valid authenticator, opened with and without the token key, and as a
/// schema-1 row.
pub fn stored_row(be: &Provider, class: u64, private: bool, plain: Option<&[u8]>, keyed: bool) {
    let mut row = StoredObject {
        uid: "00112233445566778899aabbccddeeff".into(),
        class,
        private,
        generation: 1,
        plain: plain.map(<[u8]>::to_vec),
        sealed: None,
        auth: Vec::new(),
    };
    let k = key();
    let serial = "FUZZ";
    row.auth = seal::authenticate(be, keyed.then_some(&k), serial, &row).unwrap_or_default();
    let _ = seal::open_object(be, Some(&k), serial, false, &row);
    let _ = seal::open_object(be, None, serial, false, &row);
    row.auth.clear();
    let _ = seal::open_object(be, None, serial, true, &row);
}

/// A token record as either schema stores it.
pub fn token_record(bytes: &[u8]) {
    store::fuzz_token_record(bytes);
}

/// A config file's text.
pub fn config(text: &str) {
    let _ = crate::config::Config::parse(text);
}
