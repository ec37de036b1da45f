//! The software integrity test: HMAC-SHA256 of the loaded library file, compared with the
//! `<stem>.hmac` sidecar next to it (written by tools/compute-integrity-hmac.sh). The key is
//! public: the test catches modification, it is not an authenticity check.

use crate::crypto::{HashAlg, Provider};
use std::path::{Path, PathBuf};
use subtle::ConstantTimeEq;

/// The published integrity key (32 ASCII bytes).
pub const INTEGRITY_KEY: &[u8; 32] = b"craton-hsm module integrity v1!!";

/// The sidecar for a library: `libcraton_hsm.so` → `libcraton_hsm.hmac`.
pub fn sidecar_path(lib: &Path) -> PathBuf {
    lib.with_extension("hmac")
}

/// What the integrity test found.
pub enum Outcome {
    Ok(PathBuf),
    /// No sidecar (or the library's path is unknown).
    Missing(String),
    Failed(String),
}

/// Computes the library's HMAC and compares it with the sidecar.
pub fn check(be: &Provider, lib: Option<&Path>) -> Outcome {
    let Some(lib) = lib else {
        return Outcome::Missing("the library's own path is unknown".into());
    };
    let sidecar = sidecar_path(lib);
    let expected = match std::fs::read_to_string(&sidecar) {
        Ok(s) => s.trim().to_ascii_lowercase(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Outcome::Missing(format!("no sidecar at {}", sidecar.display()));
        }
        Err(e) => return Outcome::Failed(format!("cannot read {}: {e}", sidecar.display())),
    };
    let bytes = match std::fs::read(lib) {
        Ok(b) => b,
        Err(e) => return Outcome::Failed(format!("cannot read {}: {e}", lib.display())),
    };
    let mut mac = match be.hmac(HashAlg::Sha256, INTEGRITY_KEY) {
        Ok(m) => m,
        Err(e) => return Outcome::Failed(format!("HMAC: {e}")),
    };
    mac.update(&bytes);
    let mut actual: String = mac.finish().iter().map(|b| format!("{b:02x}")).collect();
    if crate::status::fault::injected("integrity") {
        actual.replace_range(0..1, if actual.starts_with('0') { "1" } else { "0" });
    }
    if bool::from(actual.as_bytes().ct_eq(expected.as_bytes())) {
        Outcome::Ok(lib.to_path_buf())
    } else {
        Outcome::Failed(format!(
            "{} does not match {}: the library was modified or the sidecar is stale",
            lib.display(),
            sidecar.display()
        ))
    }
}
