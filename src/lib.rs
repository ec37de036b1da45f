//! Craton HSM, the PKCS#11 module: the C ABI over `craton-hsm-core` — every exported `C_*`
//! function, the function lists and interfaces — and the crypto providers this build carries.
//! This crate is the only one with `unsafe` code: each export checks its pointers, converts to
//! Rust types, calls the typed core under `catch_unwind`, and maps the result to a `CK_RV`.

#![allow(non_snake_case)]
// CK_ULONG is u64 on Unix but u32 on Windows: the casts clippy calls unnecessary here are
// needed there.
#![allow(clippy::unnecessary_cast)]

#[cfg(not(any(feature = "rustcrypto-backend", feature = "awslc-backend")))]
compile_error!("enable a crypto provider: the rustcrypto-backend or awslc-backend feature");

mod attribute;
mod digest;
mod encrypt;
mod general;
mod interface;
mod kbkdf;
mod kem;
mod key;
mod mechanism;
mod message;
mod object;
mod platform;
mod ptr;
mod random;
mod session;
mod sign;
mod slot;
mod v32;
pub mod vendor;

/// The crypto providers this build carries, in preference order (the first is the default
/// when the configuration names none).
const PROVIDERS: &[craton_hsm_crypto::ProviderEntry] = &[
    #[cfg(feature = "rustcrypto-backend")]
    craton_hsm_rustcrypto::PROVIDER,
    #[cfg(feature = "awslc-backend")]
    craton_hsm_awslc::PROVIDER,
];

use craton_hsm_core::error::{Error, Result};
use craton_hsm_core::module::{self, Module};
use cryptoki_sys::*;
use std::panic::{AssertUnwindSafe, catch_unwind};

/// Runs one export: catches panics and maps the result to a `CK_RV`.
fn guard(name: &'static str, f: impl FnOnce() -> Result<()>) -> CK_RV {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(())) => CKR_OK,
        Ok(Err(e)) => {
            match &e {
                Error::General(m) | Error::FunctionFailed(m) | Error::Device(m) => {
                    tracing::warn!("{name}: {m}")
                }
                other => tracing::debug!("{name}: {other}"),
            }
            e.rv()
        }
        Err(_) => {
            tracing::error!("{name}: internal panic caught; returning CKR_GENERAL_ERROR");
            CKR_GENERAL_ERROR
        }
    }
}

/// The initialized module.
fn m() -> Result<module::ModuleRef> {
    module::get()
}

/// The arguments of a call inside an active operation. A bad one ends the operation, as every
/// failure but a too-small buffer does (PKCS#11 3.x 5.2); the core ends it for the failures it
/// finds itself.
fn op_args<T>(
    module: &Module,
    h: CK_SESSION_HANDLE,
    flags: CK_FLAGS,
    args: Result<T>,
) -> Result<T> {
    if args.is_err() {
        // The session may itself be the bad argument; then there is nothing to end.
        let _ = module.session_cancel(h, flags);
    }
    args
}

/// For functions this module does not implement: still "not initialized" before
/// `C_Initialize`, as every function must be.
fn not_supported(name: &'static str) -> CK_RV {
    guard(name, || {
        m()?;
        Err(Error::FunctionNotSupported)
    })
}

/// `docs/mechanisms.md` and `docs/fips.md` against the registry and every provider's tables
/// (only a build with every provider can document them all).
#[cfg(all(test, feature = "rustcrypto-backend", feature = "awslc-backend"))]
mod docs {
    use craton_hsm_core::mechanism::docs;
    use std::path::Path;

    fn providers() -> Vec<&'static craton_hsm_crypto::Provider> {
        super::PROVIDERS
            .iter()
            .map(|p| (p.start)().expect("provider starts"))
            .collect()
    }

    fn check(path: &str, body: String) {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        if let Err(e) = docs::check_or_bless(root, path, &body) {
            panic!("{e}");
        }
    }

    #[test]
    fn mechanisms_md_matches_the_registry() {
        check("docs/mechanisms.md", docs::mechanisms_table(&providers()));
    }

    #[test]
    fn fips_md_matches_the_registry() {
        check("docs/fips.md", docs::fips_tables(&providers()));
    }
}
