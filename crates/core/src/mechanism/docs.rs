//! The mechanism tables of `docs/mechanisms.md` and `docs/fips.md`, rendered from the registry.
//! The tests fail when a document differs from the registry; run them with
//! `CRATON_HSM_BLESS_DOCS=1` to rewrite the generated blocks.

use super::registry::{Approval, Family, MECHANISMS, MechSpec};
use crate::crypto::gaps::awslc_missing;
use cryptoki_sys::*;
use std::fmt::Write;

const BEGIN: &str = "<!-- BEGIN GENERATED";
const END: &str = "<!-- END GENERATED -->";

fn operations(ops: CK_FLAGS) -> String {
    const NAMES: &[(CK_FLAGS, &str)] = &[
        (CKF_ENCRYPT, "encrypt"),
        (CKF_DECRYPT, "decrypt"),
        (CKF_DIGEST, "digest"),
        (CKF_SIGN, "sign"),
        (CKF_VERIFY, "verify"),
        (CKF_GENERATE, "generate"),
        (CKF_GENERATE_KEY_PAIR, "generate key pair"),
        (CKF_WRAP, "wrap"),
        (CKF_UNWRAP, "unwrap"),
        (CKF_DERIVE, "derive"),
        (CKF_ENCAPSULATE, "encapsulate"),
        (CKF_DECAPSULATE, "decapsulate"),
    ];
    let names: Vec<&str> = NAMES
        .iter()
        .filter(|(f, _)| ops & f != 0)
        .map(|(_, n)| *n)
        .collect();
    names.join(", ")
}

/// Key sizes as `C_GetMechanismInfo` reports them in the default policy.
fn key_sizes(s: &MechSpec) -> String {
    match s.family {
        Family::Rsa => format!("{}–{} bits", s.min_key, s.max_key),
        Family::Ec => "P-256, P-384".into(),
        Family::EdDsa => "Ed25519".into(),
        Family::MlDsa => "ML-DSA-44, -65, -87".into(),
        Family::MlKem => "ML-KEM-512, -768, -1024".into(),
        Family::Aes => "128, 192, 256 bits".into(),
        Family::Digest => "—".into(),
        Family::Hmac | Family::GenericSecret | Family::Hkdf => {
            format!("{}–{} bits", s.min_key, s.max_key)
        }
    }
}

/// Key sizes and curves for which a use is an approved service (`Policy::approved`).
fn approved_sizes(s: &MechSpec) -> &'static str {
    match s.family {
        Family::Rsa => "2048–4096 bits",
        Family::Ec => "P-256, P-384",
        Family::Aes => "128, 192, 256 bits",
        Family::Hmac | Family::GenericSecret | Family::Hkdf => "≥ 112 bits",
        Family::Digest => "—",
        Family::EdDsa | Family::MlDsa | Family::MlKem => "never",
    }
}

fn parameters(s: &MechSpec) -> &'static str {
    match s.mech {
        CKM_RSA_PKCS_PSS => "`CK_RSA_PKCS_PSS_PARAMS`: hash, MGF1 hash, salt length",
        CKM_SHA1_RSA_PKCS_PSS
        | CKM_SHA224_RSA_PKCS_PSS
        | CKM_SHA256_RSA_PKCS_PSS
        | CKM_SHA384_RSA_PKCS_PSS
        | CKM_SHA512_RSA_PKCS_PSS => {
            "`CK_RSA_PKCS_PSS_PARAMS`: hash (must be the mechanism's), MGF1 hash, salt length"
        }
        CKM_RSA_PKCS_OAEP => {
            "`CK_RSA_PKCS_OAEP_PARAMS`: hash, MGF1 hash, label (`CKZ_DATA_SPECIFIED`)"
        }
        CKM_AES_CBC | CKM_AES_CBC_PAD => "16-byte IV",
        CKM_AES_CTR => "`CK_AES_CTR_PARAMS`: counter bits (1–128), counter block",
        CKM_AES_GCM => "`CK_GCM_PARAMS`: IV (1–256 bytes), AAD, tag bits (32, 64, 96–128)",
        CKM_ECDH1_DERIVE | CKM_ECDH1_COFACTOR_DERIVE => {
            "`CK_ECDH1_DERIVE_PARAMS`: `CKD_NULL` or `CKD_SHA{1,224,256,384,512}_KDF`, \
             shared data, peer point (raw or DER OCTET STRING)"
        }
        CKM_HKDF_DERIVE => {
            "`CK_HKDF_PARAMS`: extract and/or expand, PRF hash, salt (null, data or key), info"
        }
        CKM_EDDSA => "none, or `CK_EDDSA_PARAMS` without prehash or context (pure Ed25519)",
        CKM_ML_DSA => "none, or `CK_SIGN_ADDITIONAL_CONTEXT`: hedge type, context (≤ 255 bytes)",
        CKM_ML_DSA_KEY_PAIR_GEN | CKM_ML_KEM_KEY_PAIR_GEN => {
            "none; `CKA_PARAMETER_SET` in the public-key template"
        }
        _ => "none",
    }
}

fn approval(s: &MechSpec) -> String {
    match s.approval {
        Approval::Approved => "yes".into(),
        Approval::No(why) => format!("no: {why}"),
    }
}

fn awslc(s: &MechSpec) -> String {
    match (awslc_missing(s.mech), s.mech) {
        (Some(why), _) => format!("no: {why}"),
        (None, CKM_ECDSA_SHA256) => "P-256 only".into(),
        (None, CKM_ECDSA_SHA384) => "P-384 only".into(),
        (None, _) => "yes".into(),
    }
}

/// The table of `docs/mechanisms.md`.
pub(super) fn mechanisms_table() -> String {
    let mut out = String::from(
        "| Mechanism | Value | Operations | Key sizes | Parameters | FIPS approved | \
         AWS-LC build |\n|---|---|---|---|---|---|---|\n",
    );
    for s in MECHANISMS {
        let _ = writeln!(
            out,
            "| `{}` | `{:#06x}` | {} | {} | {} | {} | {} |",
            s.name,
            s.mech,
            operations(s.ops),
            key_sizes(s),
            parameters(s),
            approval(s),
            awslc(s)
        );
    }
    out
}

/// The approved and non-approved tables of `docs/fips.md`.
pub(super) fn fips_tables() -> String {
    let mut out = String::from(
        "Approved (registered when `fips_approved_only = true` and the backend has them):\n\n\
         | Mechanism | Operations | Approved key sizes | In the AWS-LC build |\n\
         |---|---|---|---|\n",
    );
    for s in MECHANISMS
        .iter()
        .filter(|s| s.approval == Approval::Approved)
    {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {} |",
            s.name,
            operations(s.ops),
            approved_sizes(s),
            awslc(s)
        );
    }
    out.push_str("\nNot approved (never registered when `fips_approved_only = true`):\n\n");
    out.push_str("| Mechanism | Why |\n|---|---|\n");
    for s in MECHANISMS {
        if let Approval::No(why) = s.approval {
            let _ = writeln!(out, "| `{}` | {} |", s.name, why);
        }
    }
    out
}

/// Replaces the generated block of a document, or checks it.
fn check_or_bless(path: &str, body: &str) {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path);
    let doc = std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{path}: {e}"));
    let start = doc
        .find(BEGIN)
        .unwrap_or_else(|| panic!("{path}: no {BEGIN}"));
    let start = start + doc[start..].find('\n').expect("marker line") + 1;
    let end = doc.find(END).unwrap_or_else(|| panic!("{path}: no {END}"));
    let current = &doc[start..end];
    if current == body {
        return;
    }
    if std::env::var_os("CRATON_HSM_BLESS_DOCS").is_some() {
        let updated = format!("{}{}{}", &doc[..start], body, &doc[end..]);
        std::fs::write(&file, updated).expect("write doc");
        return;
    }
    panic!(
        "{path} is out of date with crates/core/src/mechanism/registry.rs; rerun with \
         CRATON_HSM_BLESS_DOCS=1 to regenerate it"
    );
}

mod tests {
    use super::*;

    #[test]
    fn mechanisms_md_matches_the_registry() {
        check_or_bless("docs/mechanisms.md", &mechanisms_table());
    }

    #[test]
    fn fips_md_matches_the_registry() {
        check_or_bless("docs/fips.md", &fips_tables());
    }

    #[test]
    fn every_gap_is_a_registered_mechanism() {
        for g in crate::crypto::gaps::AWSLC_MISSING {
            assert!(super::super::registry::lookup(g.mech).is_some());
        }
    }
}
