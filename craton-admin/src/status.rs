//! `status`, `self-test` and `mechanisms`.

use crate::fail::Failure;
use crate::p11::{Module, P11Error};
use cryptoki_sys::*;
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;

/// Loads the module and initializes it, keeping the module even when `C_Initialize` fails
/// (the status report still answers then).
fn load(module: Option<PathBuf>) -> Result<(Module, Result<(), P11Error>), Failure> {
    let path = crate::module_path(module)?;
    let mut m = Module::load(&path).map_err(Failure::msg)?;
    let init = m.initialize();
    Ok((m, init))
}

/// The slots and their tokens, as JSON.
fn slots(m: &Module) -> Result<Vec<Value>, Failure> {
    let mut out = Vec::new();
    for slot in m.slots()? {
        let token = m.token_info(slot)?;
        out.push(json!({
            "slot": slot as u64,
            "description": m.slot_description(slot)?,
            "token": token,
        }));
    }
    Ok(out)
}

fn s(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "-".into(),
        other => other.to_string(),
    }
}

fn yes(v: &Value) -> &'static str {
    match v.as_bool() {
        Some(true) => "yes",
        Some(false) => "no",
        None => "-",
    }
}

pub fn status(module: Option<PathBuf>, as_json: bool) -> Result<ExitCode, Failure> {
    let (m, init) = load(module)?;
    let report = m.status_report()?;
    let slots = if init.is_ok() { slots(&m)? } else { Vec::new() };
    if as_json {
        let mut doc = report.clone();
        doc["slots"] = json!(slots);
        doc["initialize"] = json!(match &init {
            Ok(()) => "CKR_OK".to_string(),
            Err(e) => crate::ckr::rv_name(e.rv),
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        print_status(&report, &slots);
    }
    match init {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(e) => Err(e.into()),
    }
}

fn print_status(r: &Value, slots: &[Value]) {
    let lib = &r["library"];
    println!(
        "library:            {} (version {}, PKCS#11 {})",
        s(&lib["path"]),
        s(&lib["version"]),
        s(&lib["cryptoki_version"])
    );
    let fips_module = match r["fips_module"].as_bool() {
        Some(true) => " (FIPS module)",
        Some(false) => " (not a FIPS module)",
        None => "",
    };
    println!("backend:            {}{fips_module}", s(&r["backend"]));
    println!("fips_approved_only: {}", s(&r["fips_approved_only"]));
    println!("approved services:  {}", yes(&r["approved_services"]));
    let post = &r["post"];
    let state = if r["error_state"].as_bool() == Some(true) {
        format!("FAILED, error state ({})", s(&r["error_reason"]))
    } else if post.is_null() {
        "not run".into()
    } else if post["passed"].as_bool() == Some(true) {
        "passed".into()
    } else {
        "FAILED".into()
    };
    let tests = post["tests"].as_array().cloned().unwrap_or_default();
    let integrity = tests.first().map_or("-".to_string(), |t| s(&t["result"]));
    println!(
        "POST:               {state} (integrity {integrity}; KATs {}/{} passed)",
        s(&post["kats_passed"]),
        s(&post["kats_total"])
    );
    for t in &tests {
        println!("  {:<18}{}", s(&t["name"]), s(&t["result"]));
    }
    let integ = &r["integrity"];
    println!(
        "integrity sidecar:  {} ({})",
        match integ["result"].as_str() {
            Some("OK") => "matched at C_Initialize",
            Some("SKIPPED") => "SKIPPED: no sidecar (development mode)",
            Some("FAILED") => "FAILED",
            _ => "not checked",
        },
        s(&integ["detail"])
    );
    let cfg = &r["config"];
    println!(
        "config:             {}",
        match &cfg["used"] {
            Value::Null => "built-in defaults (no file found)".to_string(),
            v => s(v),
        }
    );
    for c in cfg["considered"].as_array().into_iter().flatten() {
        println!(
            "  considered        {} ({}{})",
            s(&c["path"]),
            s(&c["origin"]),
            if c["exists"].as_bool() == Some(true) {
                ""
            } else {
                ", absent"
            }
        );
    }
    println!("storage:            {}", s(&r["storage"]));
    let audit = &r["audit"];
    if audit.is_null() {
        println!("audit log:          none");
    } else {
        println!(
            "audit log:          {} ({}; on failure: {})",
            s(&audit["path"]),
            if audit["writable"].as_bool() == Some(true) {
                "writable".to_string()
            } else {
                format!("NOT WRITABLE: {}", s(&audit["failure"]))
            },
            s(&audit["on_failure"])
        );
    }
    let log = &r["logging"];
    if !log.is_null() {
        println!(
            "logging:            level {}, format {}, to {}",
            s(&log["level"]),
            s(&log["format"]),
            match &log["file"] {
                Value::Null => "stderr".into(),
                v => s(v),
            }
        );
    }
    println!("slots:              {}", slots.len());
    for sl in slots {
        let t = &sl["token"];
        let state = if t["initialized"].as_bool() != Some(true) {
            "not initialized".to_string()
        } else {
            let mut v = vec!["initialized"];
            v.push(if t["user_pin_initialized"].as_bool() == Some(true) {
                "user PIN set"
            } else {
                "no user PIN"
            });
            if t["user_pin_locked"].as_bool() == Some(true) {
                v.push("USER PIN LOCKED");
            }
            if t["so_pin_locked"].as_bool() == Some(true) {
                v.push("SO PIN LOCKED");
            }
            v.join(", ")
        };
        println!(
            "  slot {}: token {:?} ({state}), model {}, serial {}",
            s(&sl["slot"]),
            s(&t["label"]),
            s(&t["model"]),
            s(&t["serial"])
        );
    }
}

pub fn self_test(module: Option<PathBuf>, as_json: bool) -> Result<ExitCode, Failure> {
    let (m, init) = load(module)?;
    let report = m.status_report()?;
    let post = &report["post"];
    let tests = post["tests"].as_array().cloned().unwrap_or_default();
    let passed = post["passed"].as_bool() == Some(true) && init.is_ok();
    if as_json {
        let doc = json!({
            "passed": passed,
            "tests": tests,
            "integrity": report["integrity"],
            "error_reason": report["error_reason"],
        });
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
    } else {
        for t in &tests {
            println!("{:<18}{}", s(&t["name"]), s(&t["result"]));
        }
        let n = tests.iter().filter(|t| t["result"] == "passed").count();
        println!(
            "{n}/{} self-tests passed{}",
            tests.len(),
            if passed {
                String::new()
            } else {
                format!(": FAILED ({})", s(&report["error_reason"]))
            }
        );
    }
    match init {
        Err(e) => Err(e.into()),
        Ok(()) if !passed => Err(Failure::msg("the self-tests did not pass")),
        Ok(()) => Ok(ExitCode::SUCCESS),
    }
}

/// The `CKF_*` operation flags, as words.
fn operations(flags: u64) -> String {
    [
        (CKF_ENCRYPT, "encrypt"),
        (CKF_DECRYPT, "decrypt"),
        (CKF_DIGEST, "digest"),
        (CKF_SIGN, "sign"),
        (CKF_VERIFY, "verify"),
        (CKF_GENERATE, "generate"),
        (CKF_GENERATE_KEY_PAIR, "generate-key-pair"),
        (CKF_WRAP, "wrap"),
        (CKF_UNWRAP, "unwrap"),
        (CKF_DERIVE, "derive"),
        (CKF_ENCAPSULATE, "encapsulate"),
        (CKF_DECAPSULATE, "decapsulate"),
    ]
    .iter()
    .filter(|(f, _)| flags & *f as u64 != 0)
    .map(|(_, n)| *n)
    .collect::<Vec<_>>()
    .join(",")
}

pub fn mechanisms(module: Option<PathBuf>, slot: u64, as_json: bool) -> Result<ExitCode, Failure> {
    let m = crate::open(module)?;
    let report = m.status_report()?;
    let known: Vec<Value> = report["mechanisms"].as_array().cloned().unwrap_or_default();
    let approved_services = report["approved_services"].as_bool() == Some(true);
    let mut rows = Vec::new();
    for mech in m.mechanisms(slot as CK_SLOT_ID)? {
        let (min, max, flags) = m.mechanism_info(slot as CK_SLOT_ID, mech)?;
        let entry = known
            .iter()
            .find(|k| k["type"].as_u64() == Some(mech as u64));
        rows.push(json!({
            "type": mech as u64,
            "name": entry.map(|e| e["name"].clone()).unwrap_or(json!(format!("0x{:X}", mech as u64))),
            "approved": entry.map(|e| e["approved"].clone()).unwrap_or(Value::Null),
            "not_approved_because": entry.map(|e| e["not_approved_because"].clone()).unwrap_or(Value::Null),
            "min_key": min,
            "max_key": max,
            "operations": operations(flags),
        }));
    }
    if as_json {
        let doc = json!({"slot": slot, "approved_services": approved_services, "mechanisms": rows});
        println!("{}", serde_json::to_string_pretty(&doc).unwrap_or_default());
        return Ok(ExitCode::SUCCESS);
    }
    println!(
        "{:<30} {:<9} {:<13} {:<9} operations",
        "mechanism", "approved", "key sizes", "type"
    );
    for r in &rows {
        let sizes = match (r["min_key"].as_u64(), r["max_key"].as_u64()) {
            (Some(0), Some(0)) => "-".to_string(),
            (Some(a), Some(b)) => format!("{a}-{b}"),
            _ => "-".into(),
        };
        println!(
            "{:<30} {:<9} {:<13} {:<9} {}",
            s(&r["name"]),
            yes(&r["approved"]),
            sizes,
            format!("0x{:X}", r["type"].as_u64().unwrap_or(0)),
            s(&r["operations"])
        );
    }
    println!(
        "{} mechanisms; approved = a FIPS-approved algorithm; approved services: {}",
        rows.len(),
        if approved_services {
            "yes (approved-only mode on the FIPS module)"
        } else {
            "no (approved-only mode on the AWS-LC build is needed)"
        }
    );
    Ok(ExitCode::SUCCESS)
}
