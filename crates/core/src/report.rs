//! The module status report behind the vendor function `C_CratonGetStatusReport` and
//! `craton-admin status`: one JSON document with what an operator needs to confirm the
//! module's state (the guide's "craton-admin status" paragraph). Fields are documented in
//! docs/operations.md; `report_version` changes when a field changes meaning.

use crate::mechanism::registry::Approval;
use crate::module;
use crate::selftest;
use serde_json::{Value, json};
use std::path::Path;

/// The report version this module writes.
pub const REPORT_VERSION: u64 = 1;

/// Builds the report. Works before `C_Initialize` and in the error state (the parts that
/// need an initialized module are then `null`). `library` is this module's own file.
pub fn report(library: Option<&Path>) -> Value {
    let post = selftest::last_report();
    let m = module::get().ok();
    let initialized = m.is_some();
    let post_json = post.as_ref().map(|r| {
        json!({
            "passed": r.passed,
            "kats_passed": r.kats_passed,
            "kats_total": r.kats_total,
            "tests": r.tests,
        })
    });
    let integrity = post.as_ref().map(|r| {
        json!({
            "result": r.integrity.as_str(),
            "detail": r.integrity_detail,
        })
    });
    let considered = crate::config::lookup();
    let mut out = json!({
        "report_version": REPORT_VERSION,
        "library": {
            "path": library,
            "version": env!("CARGO_PKG_VERSION"),
            "cryptoki_version": "3.2",
        },
        "initialized": initialized,
        "error_state": crate::status::in_error_state(),
        "error_reason": crate::status::error_reason(),
        "backend": post.as_ref().map(|r| r.backend.clone()),
        "fips_approved_only": post.as_ref().map(|r| r.fips_approved_only),
        "post": post_json,
        "integrity": integrity,
        "config": {
            "used": Value::Null,
            "considered": considered,
        },
        "fips_module": Value::Null,
        "approved_services": Value::Null,
        "storage": Value::Null,
        "audit": Value::Null,
        "logging": Value::Null,
        "mechanisms": Value::Null,
    });
    if let Some(m) = m {
        let approved_services = m.policy.fips_approved_only && m.policy.backend_fips;
        out["config"]["used"] = json!(m.config.source);
        out["config"]["considered"] = json!(m.config.considered);
        out["fips_module"] = json!(m.backend.fips_module);
        out["approved_services"] = json!(approved_services);
        out["storage"] = json!(m.config.storage_dir().ok());
        out["audit"] = json!(m.audit.as_ref().map(|a| a.status()));
        out["logging"] = json!({
            "level": std::env::var(crate::logging::LOG_ENV).ok().filter(|s| !s.is_empty())
                .or(m.config.logging.level.clone())
                .unwrap_or_else(|| "error".into()),
            "format": match crate::logging::format(m.config.logging.format) {
                crate::config::LogFormat::Json => "json",
                crate::config::LogFormat::Text => "text",
            },
            "file": m.config.logging.file,
        });
        let mechs: Vec<Value> = m
            .policy
            .mechanisms()
            .map(|s| {
                let reason = match s.approval {
                    Approval::Approved => Value::Null,
                    Approval::No(why) => json!(why),
                };
                json!({
                    "type": s.mech as u64,
                    "name": s.name,
                    "approved": s.approval == Approval::Approved,
                    "not_approved_because": reason,
                })
            })
            .collect();
        out["mechanisms"] = json!(mechs);
    }
    out
}
