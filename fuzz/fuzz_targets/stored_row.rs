//! What the store hands back: attribute encodings, whole rows (with valid authenticators, so
//! decoding is reached) and token records of both schemas.
#![no_main]

use arbitrary::Arbitrary;
use craton_hsm_core::crypto::Provider;
use craton_hsm_core::fuzzing;
use cryptoki_sys::*;
use std::sync::OnceLock;

#[derive(Arbitrary, Debug)]
struct Input {
    attrs: Vec<u8>,
    class: u8,
    private: bool,
    plain: Option<Vec<u8>>,
    keyed: bool,
    record: Vec<u8>,
}

const CLASSES: &[CK_OBJECT_CLASS] = &[
    CKO_DATA,
    CKO_CERTIFICATE,
    CKO_PUBLIC_KEY,
    CKO_PRIVATE_KEY,
    CKO_SECRET_KEY,
    0x99,
];

/// The provider the rows are authenticated and opened with.
fn backend() -> &'static Provider {
    static B: OnceLock<&'static Provider> = OnceLock::new();
    B.get_or_init(|| (craton_hsm_rustcrypto::PROVIDER.start)().expect("RustCrypto provider"))
}

libfuzzer_sys::fuzz_target!(|input: Input| {
    fuzzing::stored_attributes(&input.attrs);
    let class = CLASSES[input.class as usize % CLASSES.len()] as u64;
    fuzzing::stored_row(
        backend(),
        class,
        input.private,
        input.plain.as_deref(),
        input.keyed,
    );
    fuzzing::token_record(&input.record);
});
