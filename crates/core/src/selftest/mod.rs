//! Power-on self-tests, run by every `C_Initialize` before any service: the software
//! integrity test, then 16 known-answer tests against the active backend. A failure puts
//! the module in the error state for the rest of the process's life.

pub mod integrity;
mod kats;
mod vectors;

use crate::config::Config;
use crate::crypto::Provider;
use crate::error::{Error, Result};
use crate::status::enter_error_state;
use std::path::Path;
use std::sync::Mutex;

pub use kats::KATS;

/// The algorithm families the KAT summary line names, in the guide's words.
pub const KAT_FAMILIES: &str =
    "SHA-2, SHA-3, HMAC, AES-GCM, AES-CBC, AES-CTR, RSA, ECDSA, ML-DSA, ML-KEM, RNG, DRBG";

/// Outcome of the integrity self-test.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Integrity {
    Ok,
    /// No sidecar next to the library (development mode).
    Skipped,
    Failed,
}

impl Integrity {
    pub fn as_str(self) -> &'static str {
        match self {
            Integrity::Ok => "OK",
            Integrity::Skipped => "SKIPPED",
            Integrity::Failed => "FAILED",
        }
    }
}

/// What the last power-on self-test found.
#[derive(Debug, Clone)]
pub struct PostReport {
    pub backend: String,
    pub fips_approved_only: bool,
    pub integrity: Integrity,
    /// Why the integrity test said what it said (the sidecar, or why there is none).
    pub integrity_detail: String,
    pub kats_passed: usize,
    pub kats_total: usize,
    pub passed: bool,
    /// Each self-test in the order it runs: the integrity test, then the KATs.
    pub tests: Vec<TestResult>,
}

/// One self-test's outcome.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TestResult {
    pub name: &'static str,
    /// `passed`, `failed`, `skipped` (integrity without a sidecar) or `not run`.
    pub result: &'static str,
}

static LAST: Mutex<Option<PostReport>> = Mutex::new(None);

/// The report of the last `C_Initialize` in this process, if any ran.
pub fn last_report() -> Option<PostReport> {
    LAST.lock().unwrap_or_else(|p| p.into_inner()).clone()
}

fn publish(report: PostReport) {
    *LAST.lock().unwrap_or_else(|p| p.into_inner()) = Some(report);
}

/// Runs the power-on self-tests. `library` is the loaded module file, when known.
pub fn power_on(backend: &Provider, config: &Config, library: Option<&Path>) -> Result<()> {
    let mut report = PostReport {
        backend: backend.name.to_string(),
        fips_approved_only: config.algorithms.fips_approved_only,
        integrity: Integrity::Failed,
        integrity_detail: String::new(),
        kats_passed: 0,
        kats_total: KATS.len(),
        passed: false,
        tests: std::iter::once("Integrity")
            .chain(KATS.iter().map(|k| k.name))
            .map(|name| TestResult {
                name,
                result: "not run",
            })
            .collect(),
    };
    let result = run(backend, config, library, &mut report);
    report.passed = result.is_ok();
    publish(report);
    result.map_err(|reason| {
        enter_error_state(&reason);
        Error::general(reason)
    })
}

/// The KATs of the algorithm the integrity test uses (HMAC-SHA-256).
const INTEGRITY_ALGORITHMS: [&str; 2] = ["SHA-256", "HMAC-SHA-256"];

fn run(
    backend: &Provider,
    config: &Config,
    library: Option<&Path>,
    report: &mut PostReport,
) -> std::result::Result<(), String> {
    // IG 10.3.A: the integrity test's own algorithm passes its known-answer test before the
    // integrity test relies on it (both run again, and are counted, with the other KATs).
    for kat in KATS
        .iter()
        .filter(|k| INTEGRITY_ALGORITHMS.contains(&k.name))
    {
        if let Err(e) = kat.run(backend) {
            if let Some(t) = report.tests.iter_mut().find(|t| t.name == kat.name) {
                t.result = "failed";
            }
            tracing::error!("POST: KAT {} FAILED: {e}", kat.name);
            return Err(format!("known-answer test {} failed", kat.name));
        }
        if let Some(t) = report.tests.iter_mut().find(|t| t.name == kat.name) {
            t.result = "passed";
        }
    }
    match integrity::check(backend, library) {
        integrity::Outcome::Ok(path) => {
            report.integrity = Integrity::Ok;
            report.tests[0].result = "passed";
            report.integrity_detail = format!(
                "{} matches {}",
                path.display(),
                integrity::sidecar_path(&path).display()
            );
            tracing::info!("POST: integrity=OK");
            tracing::debug!("POST: integrity sidecar matched for {}", path.display());
        }
        integrity::Outcome::Missing(why) if !config.algorithms.fips_approved_only => {
            report.integrity = Integrity::Skipped;
            report.tests[0].result = "skipped";
            report.integrity_detail = why.clone();
            tracing::warn!("POST: integrity=SKIPPED ({why}; development mode)");
        }
        integrity::Outcome::Missing(why) => {
            report.tests[0].result = "failed";
            report.integrity_detail = format!("{why}; required when fips_approved_only = true");
            tracing::error!(
                "POST: integrity=FAILED ({why}; required when fips_approved_only = true)"
            );
            return Err(format!("integrity self-test failed: {why}"));
        }
        integrity::Outcome::Failed(why) => {
            report.tests[0].result = "failed";
            report.integrity_detail = why.clone();
            tracing::error!("POST: integrity=FAILED ({why})");
            return Err(format!("integrity self-test failed: {why}"));
        }
    }
    for (i, kat) in KATS.iter().enumerate() {
        if let Err(e) = kat.run(backend) {
            report.tests[i + 1].result = "failed";
            tracing::error!("POST: KAT {} FAILED: {e}", kat.name);
            tracing::error!(
                "POST: KATs {}/{} passed ({KAT_FAMILIES})",
                report.kats_passed,
                KATS.len()
            );
            return Err(format!("known-answer test {} failed", kat.name));
        }
        report.kats_passed += 1;
        report.tests[i + 1].result = "passed";
    }
    tracing::info!(
        "POST: KATs {}/{} passed ({KAT_FAMILIES})",
        report.kats_passed,
        KATS.len()
    );
    Ok(())
}
