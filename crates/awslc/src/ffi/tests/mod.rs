//! Tests of the AWS-LC wrapper: known answers from `tests/vectors` (`kat`), round trips over the
//! parameter space (`roundtrip`), agreement with aws-lc-rs in both directions (`interop`), and
//! pins of what AWS-LC's service indicator counts (`approval`).

mod approval;
mod interop;
mod kat;
mod roundtrip;

use craton_hsm_crypto::HashAlg;
use craton_hsm_crypto::RsaPrivateParts;
use serde_json::Value;
use std::sync::OnceLock;

pub(super) const ALL_HASHES: [HashAlg; 9] = [
    HashAlg::Sha1,
    HashAlg::Sha224,
    HashAlg::Sha256,
    HashAlg::Sha384,
    HashAlg::Sha512,
    HashAlg::Sha3_224,
    HashAlg::Sha3_256,
    HashAlg::Sha3_384,
    HashAlg::Sha3_512,
];

/// The cases of one file under the workspace's `tests/vectors`.
pub(super) fn cases(file: &str) -> Vec<Value> {
    let path = format!("{}/../../tests/vectors/{file}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let json: Value = serde_json::from_str(&text).unwrap();
    json["cases"].as_array().unwrap().clone()
}

/// A hex field of a case.
pub(super) fn hx(case: &Value, field: &str) -> Vec<u8> {
    hex::decode(case[field].as_str().unwrap_or_else(|| panic!("no {field}"))).unwrap()
}

pub(super) fn s<'a>(case: &'a Value, field: &str) -> &'a str {
    case[field].as_str().unwrap_or_else(|| panic!("no {field}"))
}

/// The vector files' hash names ("SHA-256", "SHA3-512", "HMAC-SHA-1").
pub(super) fn hash_named(name: &str) -> HashAlg {
    let name = name.trim_start_matches("HMAC-");
    *ALL_HASHES
        .iter()
        .find(|h| h.name() == name)
        .unwrap_or_else(|| panic!("hash {name}"))
}

/// The crate's DigestInfo encoder (checked against AWS-LC's own in
/// `roundtrip::hash_inside_the_module_matches_hash_outside`, for every hash).
pub(super) fn digest_info(hash: HashAlg, digest: &[u8]) -> Vec<u8> {
    crate::der::digest_info(hash, digest).unwrap()
}

/// The CRT RSA-2048 key of the OAEP vector file, shared by tests that need any 2048-bit key.
pub(super) fn rsa2048() -> RsaPrivateParts {
    let c = &cases("rsa_oaep.json")[0];
    RsaPrivateParts {
        n: hx(c, "n"),
        e: hx(c, "e"),
        d: hx(c, "d"),
        p: hx(c, "p"),
        q: hx(c, "q"),
        dp: hx(c, "dp"),
        dq: hx(c, "dq"),
        qinv: hx(c, "qinv"),
    }
}

/// One generated RSA-8192 key for the whole test run (generation takes seconds).
pub(super) fn rsa8192() -> &'static super::RsaPrivateKey {
    static KEY: OnceLock<super::RsaPrivateKey> = OnceLock::new();
    KEY.get_or_init(|| super::RsaPrivateKey::generate(8192, &[1, 0, 1]).unwrap())
}
