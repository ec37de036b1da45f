//! What a backend does not implement. Kept outside the backend modules so that every build
//! can document every build (`docs/mechanisms.md`, `docs/fips.md`).

use cryptoki_sys::*;

/// A mechanism a backend does not offer, and why.
pub struct Gap {
    pub mech: CK_MECHANISM_TYPE,
    pub reason: &'static str,
}

const fn gap(mech: CK_MECHANISM_TYPE, reason: &'static str) -> Gap {
    Gap { mech, reason }
}

const RAW: &str = "aws-lc-rs signs and encrypts only with its own padding and hashing";
const PAIRING: &str = "aws-lc-rs has no signature algorithm for this hash";
const SHA3: &str = "aws-lc-rs has no SHA3-224 and no HMAC over SHA-3";

/// Mechanisms of the registry that aws-lc-rs has no primitive for.
pub static AWSLC_MISSING: &[Gap] = &[
    gap(CKM_RSA_PKCS, RAW),
    gap(CKM_RSA_X_509, RAW),
    gap(CKM_RSA_PKCS_PSS, RAW),
    gap(CKM_ECDSA, RAW),
    gap(CKM_SHA1_RSA_PKCS, PAIRING),
    gap(CKM_SHA224_RSA_PKCS, PAIRING),
    gap(CKM_SHA1_RSA_PKCS_PSS, PAIRING),
    gap(CKM_SHA224_RSA_PKCS_PSS, PAIRING),
    gap(CKM_ECDSA_SHA1, PAIRING),
    gap(CKM_ECDSA_SHA224, PAIRING),
    gap(
        CKM_ECDSA_SHA512,
        "aws-lc-rs pairs P-256 with SHA-256 and P-384 with SHA-384 only",
    ),
    gap(CKM_SHA3_224, SHA3),
    gap(CKM_SHA3_224_HMAC, SHA3),
    gap(CKM_SHA3_256_HMAC, SHA3),
    gap(CKM_SHA3_384_HMAC, SHA3),
    gap(CKM_SHA3_512_HMAC, SHA3),
];

/// The reason aws-lc-rs lacks `mech`, if it does.
pub fn awslc_missing(mech: CK_MECHANISM_TYPE) -> Option<&'static str> {
    AWSLC_MISSING
        .iter()
        .find(|g| g.mech == mech)
        .map(|g| g.reason)
}
