//! The mechanism tables of `docs/mechanisms.md` and `docs/fips.md`, rendered from the registry
//! and the tables of every provider a build carries. The `craton-hsm` crate's docs test (built
//! with every provider) fails when a document differs; run it with `CRATON_HSM_BLESS_DOCS=1` to
//! rewrite the generated blocks.

use super::Policy;
use super::registry::{self, Approval, Family, MechSpec};
use crate::config::Algorithms;
use crate::crypto::{Curve, Provider};
use cryptoki_sys::*;
use std::fmt::Write;
use std::path::Path;

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
        (CKF_MESSAGE_ENCRYPT, "message encrypt"),
        (CKF_MESSAGE_DECRYPT, "message decrypt"),
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
        Family::Ec if s.ops & CKF_DERIVE != 0 => "P-256, P-384, P-521, X25519".into(),
        Family::Ec => "P-256, P-384, P-521".into(),
        Family::EdDsa => "Ed25519".into(),
        Family::Montgomery => "X25519".into(),
        Family::MlDsa => "ML-DSA-44, -65, -87".into(),
        Family::MlKem => "ML-KEM-512, -768, -1024".into(),
        Family::Aes => "128, 192, 256 bits".into(),
        Family::Des3 => "192 bits (three keys)".into(),
        Family::Digest => "—".into(),
        Family::Hmac | Family::GenericSecret | Family::Hkdf | Family::SimpleKdf | Family::Kbkdf => {
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
        Family::EdDsa
        | Family::Montgomery
        | Family::MlDsa
        | Family::MlKem
        | Family::SimpleKdf
        | Family::Kbkdf
        | Family::Des3 => "never",
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
        CKM_DES3_CBC | CKM_DES3_CBC_PAD => "8-byte IV",
        CKM_AES_CTR => "`CK_AES_CTR_PARAMS`: counter bits (1–128), counter block",
        CKM_AES_GCM => {
            "`CK_GCM_PARAMS`: IV (1–256 bytes), AAD, tag bits (32, 64, 96–128); per message \
             `CK_GCM_MESSAGE_PARAMS` (IV, fixed bits, `CKG_*` generator, tag)"
        }
        CKM_CONCATENATE_BASE_AND_KEY => "the other key's handle (`CK_OBJECT_HANDLE`)",
        CKM_CONCATENATE_BASE_AND_DATA | CKM_CONCATENATE_DATA_AND_BASE | CKM_XOR_BASE_AND_DATA => {
            "`CK_KEY_DERIVATION_STRING_DATA`: data"
        }
        CKM_EXTRACT_KEY_FROM_KEY => "`CK_EXTRACT_PARAMS`: first bit",
        CKM_SP800_108_COUNTER_KDF => {
            "`CK_SP800_108_KDF_PARAMS`: PRF (`CKM_*_HMAC`, `CKM_AES_CMAC`), data parameters \
             (counter, byte arrays, DKM length), additional derived keys"
        }
        CKM_SP800_108_FEEDBACK_KDF => {
            "`CK_SP800_108_FEEDBACK_KDF_PARAMS`: as counter mode, plus IV and optional counter"
        }
        CKM_AES_ECB_ENCRYPT_DATA => "`CK_KEY_DERIVATION_STRING_DATA`: data (whole blocks)",
        CKM_AES_CBC_ENCRYPT_DATA => "`CK_AES_CBC_ENCRYPT_DATA_PARAMS`: IV, data (whole blocks)",
        CKM_ECDH1_DERIVE | CKM_ECDH1_COFACTOR_DERIVE => {
            "`CK_ECDH1_DERIVE_PARAMS`: `CKD_NULL`, `CKD_SHA{1,224,256,384,512}_KDF`/`CKD_SHA3_{224,256,384,512}_KDF` \
             (X9.63) or \
             `CKD_SHA{1,224,256,384,512}_KDF_SP800`/`CKD_SHA3_{224,256,384,512}_KDF_SP800` \
             (SP 800-56C one-step), shared data, peer point (raw or DER OCTET STRING)"
        }
        CKM_HKDF_DERIVE => {
            "`CK_HKDF_PARAMS`: extract and/or expand, PRF hash, salt (null, data or key), info"
        }
        CKM_EDDSA => {
            "none (Ed25519), or `CK_EDDSA_PARAMS`: a context of up to 255 bytes (Ed25519ctx) \
             and/or the prehash flag (Ed25519ph)"
        }
        CKM_ML_DSA => {
            "none, or `CK_SIGN_ADDITIONAL_CONTEXT`: hedge type (deterministic: RustCrypto \
             provider only), context (≤ 255 bytes)"
        }
        CKM_HASH_ML_DSA => {
            "`CK_HASH_SIGN_ADDITIONAL_CONTEXT`: hedge type, context (≤ 255 bytes), the hash \
             (`CKM_SHA224`…`CKM_SHA512`, `CKM_SHA3_*`) that made the data; single-part only"
        }
        CKM_HASH_ML_DSA_SHA224
        | CKM_HASH_ML_DSA_SHA256
        | CKM_HASH_ML_DSA_SHA384
        | CKM_HASH_ML_DSA_SHA512
        | CKM_HASH_ML_DSA_SHA3_224
        | CKM_HASH_ML_DSA_SHA3_256
        | CKM_HASH_ML_DSA_SHA3_384
        | CKM_HASH_ML_DSA_SHA3_512
        | CKM_HASH_ML_DSA_SHAKE128
        | CKM_HASH_ML_DSA_SHAKE256 => "as `CKM_ML_DSA`",
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

/// The policy a provider gets in the default configuration, SHA-1 signing allowed so its
/// rows show what the provider itself implements.
fn policy_of(p: &'static Provider) -> Policy {
    let alg = Algorithms {
        allow_sha1_signing: true,
        ..Algorithms::default()
    };
    Policy::new(&alg, p)
}

/// Whether and how far a provider implements a mechanism.
fn support(s: &MechSpec, p: &'static Provider) -> String {
    let policy = policy_of(p);
    if !policy.offers(s) {
        return "no".into();
    }
    let missing = s.ops & !policy.flags(s) & ALL_OPS;
    let (lo, hi) = policy.key_range(s);
    let mut how = Vec::new();
    if missing != 0 {
        how.push(format!("not {}", operations(missing)));
    }
    if (lo, hi) != (s.min_key, s.max_key) {
        match s.family {
            Family::Ec => {
                let curves: Vec<&str> = [Curve::P256, Curve::P384, Curve::P521]
                    .iter()
                    .filter(|c| (lo..=hi).contains(&(c.bits() as u64)))
                    .map(|c| c.name())
                    .collect();
                how.push(format!("{} only", curves.join(", ")));
            }
            Family::Rsa => how.push(format!("{lo}–{hi} bits")),
            _ => {}
        }
    }
    if how.is_empty() {
        "yes".into()
    } else {
        format!("yes ({})", how.join("; "))
    }
}

const ALL_OPS: CK_FLAGS = CKF_ENCRYPT
    | CKF_DECRYPT
    | CKF_DIGEST
    | CKF_SIGN
    | CKF_VERIFY
    | CKF_GENERATE
    | CKF_GENERATE_KEY_PAIR
    | CKF_WRAP
    | CKF_UNWRAP
    | CKF_DERIVE
    | CKF_ENCAPSULATE
    | CKF_DECAPSULATE;

/// Each provider's own column heading.
fn heading(p: &Provider) -> String {
    format!("`{}` provider", p.name)
}

/// What each provider says it does not offer.
fn notes(providers: &[&'static Provider]) -> String {
    let mut out = String::new();
    for p in providers.iter().filter(|p| !p.notes.is_empty()) {
        let _ = writeln!(out, "\nNot offered by the `{}` provider:\n", p.name);
        for n in p.notes {
            let _ = writeln!(out, "- {}: {}.", n.what, n.why);
        }
    }
    out
}

/// The table of `docs/mechanisms.md`: a column per provider.
pub fn mechanisms_table(providers: &[&'static Provider]) -> String {
    let mut out =
        String::from("| Mechanism | Value | Operations | Key sizes | Parameters | FIPS approved |");
    for p in providers {
        let _ = write!(out, " {} |", heading(p));
    }
    out.push_str("\n|---|---|---|---|---|---|");
    out.push_str(&"---|".repeat(providers.len()));
    out.push('\n');
    for s in registry::all() {
        let _ = write!(
            out,
            "| `{}` | `{:#06x}` | {} | {} | {} | {} |",
            s.name,
            s.mech,
            operations(s.ops),
            key_sizes(s),
            parameters(s),
            approval(s),
        );
        for p in providers {
            let _ = write!(out, " {} |", support(s, p));
        }
        out.push('\n');
    }
    out.push_str(&notes(providers));
    out
}

/// The approved and non-approved tables of `docs/fips.md`: for the approved rows, whether each
/// validated provider has them.
pub fn fips_tables(providers: &[&'static Provider]) -> String {
    let validated: Vec<&'static Provider> = providers
        .iter()
        .copied()
        .filter(|p| p.fips_module)
        .collect();
    let mut out = String::from(
        "Approved (registered when `fips_approved_only = true` and the provider has them):\n\n\
         | Mechanism | Operations | Approved key sizes |",
    );
    for p in &validated {
        let _ = write!(out, " {} |", heading(p));
    }
    out.push_str("\n|---|---|---|");
    out.push_str(&"---|".repeat(validated.len()));
    out.push('\n');
    for s in registry::all().filter(|s| s.approval == Approval::Approved) {
        let _ = write!(
            out,
            "| `{}` | {} | {} |",
            s.name,
            operations(s.ops),
            approved_sizes(s),
        );
        for p in &validated {
            let _ = write!(out, " {} |", support(s, p));
        }
        out.push('\n');
    }
    out.push_str("\nNot approved (never registered when `fips_approved_only = true`):\n\n");
    out.push_str("| Mechanism | Why |\n|---|---|\n");
    for s in registry::all() {
        if let Approval::No(why) = s.approval {
            let _ = writeln!(out, "| `{}` | {} |", s.name, why);
        }
    }
    out
}

/// Checks the generated block of the document at `root/path` against `body`, or rewrites it
/// when `CRATON_HSM_BLESS_DOCS` is set.
pub fn check_or_bless(root: &Path, path: &str, body: &str) -> Result<(), String> {
    let file = root.join(path);
    let doc = std::fs::read_to_string(&file).map_err(|e| format!("{path}: {e}"))?;
    let start = doc.find(BEGIN).ok_or(format!("{path}: no {BEGIN}"))?;
    let start = start + doc[start..].find('\n').ok_or("marker line")? + 1;
    let end = doc.find(END).ok_or(format!("{path}: no {END}"))?;
    if doc[start..end] == *body {
        return Ok(());
    }
    if std::env::var_os("CRATON_HSM_BLESS_DOCS").is_some() {
        let updated = format!("{}{}{}", &doc[..start], body, &doc[end..]);
        return std::fs::write(&file, updated).map_err(|e| format!("{path}: {e}"));
    }
    Err(format!(
        "{path} is out of date with the mechanism registry and the providers' tables; rerun \
         the docs test with CRATON_HSM_BLESS_DOCS=1 to regenerate it"
    ))
}
