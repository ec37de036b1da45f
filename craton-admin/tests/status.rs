//! `status`, `self-test`, `mechanisms` and error reporting, run as the operator runs them.

mod common;

use common::*;

#[test]
fn status_in_default_mode() {
    let a = Admin::new("");
    let s = a.json(&["status", "--json"]);
    assert_eq!(s["initialize"], "CKR_OK");
    assert_eq!(s["fips_approved_only"], false);
    assert_eq!(s["approved_services"], false);
    assert_eq!(s["post"]["passed"], true);
    let tests = s["post"]["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 17, "integrity + 16 KATs");
    assert_eq!(tests[0]["name"], "Integrity");
    assert_eq!(
        tests[0]["result"], "skipped",
        "no sidecar next to the built library"
    );
    assert!(
        tests[1..].iter().all(|t| t["result"] == "passed"),
        "{tests:?}"
    );
    assert_eq!(s["integrity"]["result"], "SKIPPED");
    assert_eq!(s["config"]["used"], a.config.to_str().unwrap());
    assert_eq!(s["config"]["considered"][0]["origin"], "CRATON_HSM_CONFIG");
    assert_eq!(s["audit"]["path"], a.log().to_str().unwrap());
    assert_eq!(s["audit"]["on_failure"], "continue");
    assert_eq!(s["slots"].as_array().unwrap().len(), 1);
    assert_eq!(s["slots"][0]["token"]["initialized"], false);
    assert_eq!(
        s["library"]["path"],
        a.lib.canonicalize().unwrap().to_str().unwrap()
    );

    let text = a.ok(&["status"]);
    assert!(text.contains("fips_approved_only: false"), "{text}");
    assert!(text.contains("integrity sidecar:  SKIPPED"), "{text}");
    assert!(text.contains("  DRBG              passed"), "{text}");
}

/// The guide: "The status output includes the active backend (awslc), the fips_approved_only
/// flag, POST state, and whether the integrity sidecar was matched at C_Initialize."
#[test]
fn status_in_approved_mode_is_the_guides_paragraph() {
    let a = Admin::approved();
    let text = a.ok(&["status"]);
    let backend = a.backend();
    assert!(
        text.contains(&format!("backend:            {backend}")),
        "{text}"
    );
    assert!(text.contains("fips_approved_only: true"), "{text}");
    assert!(
        text.contains("POST:               passed (integrity passed; KATs 16/16 passed)"),
        "{text}"
    );
    assert!(
        text.contains("integrity sidecar:  matched at C_Initialize"),
        "{text}"
    );
    let s = a.json(&["status", "--json"]);
    assert_eq!(s["integrity"]["result"], "OK");
    assert_eq!(
        s["audit"]["on_failure"], "refuse",
        "forced in approved-only mode"
    );
    assert_eq!(
        s["audit"]["path"],
        a.store().join("audit.jsonl").to_str().unwrap()
    );
    // Approved services exactly on the FIPS module (the AWS-LC build).
    let fips_module = backend == "awslc";
    assert_eq!(s["fips_module"], fips_module);
    assert_eq!(s["approved_services"], fips_module);
    if fips_module {
        assert!(
            text.contains("backend:            awslc (FIPS module)"),
            "{text}"
        );
    }
}

#[test]
fn mechanisms_carry_their_approved_flag() {
    let a = Admin::new("");
    let m = a.json(&["mechanisms", "--json"]);
    let list = m["mechanisms"].as_array().unwrap();
    let find = |name: &str| list.iter().find(|x| x["name"] == name).cloned();
    assert_eq!(find("CKM_SHA256_RSA_PKCS").unwrap()["approved"], true);
    assert_eq!(find("CKM_AES_GCM").unwrap()["approved"], true);
    let ecb = find("CKM_AES_ECB").unwrap();
    assert_eq!(ecb["approved"], false);
    assert!(ecb["not_approved_because"].is_string());
    let text = a.ok(&["mechanisms"]);
    assert!(text.contains("CKM_SHA256_RSA_PKCS"), "{text}");

    // Approved-only mode lists approved mechanisms only.
    let a = Admin::approved();
    let m = a.json(&["mechanisms", "--json"]);
    let list = m["mechanisms"].as_array().unwrap();
    assert!(!list.is_empty());
    assert!(list.iter().all(|x| x["approved"] == true), "{list:?}");
}

#[test]
fn self_test_shows_each_result() {
    let a = Admin::new("");
    let out = a.ok(&["self-test"]);
    assert!(out.contains("RSA               passed"), "{out}");
    assert!(out.contains("16/17 self-tests passed"), "{out}");

    // A library whose sidecar does not match: the integrity test fails, non-zero exit.
    let lib = library_with_sidecar(a.dir.path());
    std::fs::write(
        a.path("libcraton_hsm.hmac"),
        format!("{}\n", "0".repeat(64)),
    )
    .unwrap();
    let out = a
        .cmd(&["self-test", "--json"])
        .env("CRATON_HSM_MODULE", &lib)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["passed"], false);
    assert_eq!(r["tests"][0]["result"], "failed");
    let err = String::from_utf8_lossy(&out.stderr);
    let last = err.lines().last().unwrap_or("");
    assert!(
        last.starts_with("craton-admin: C_Initialize: CKR_GENERAL_ERROR: "),
        "{err}"
    );
}

#[test]
fn errors_are_one_line_with_the_ckr_name_and_what_to_do() {
    let a = Admin::new("");
    // No module.
    let err = a
        .cmd(&["status"])
        .env("CRATON_HSM_MODULE", a.path("missing.so"))
        .output()
        .unwrap();
    assert_eq!(err.status.code(), Some(1));
    let text = String::from_utf8_lossy(&err.stderr);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("craton-admin: cannot load"), "{text}");

    // A config the module refuses: CKR_FUNCTION_FAILED and what to do.
    std::fs::write(&a.config, "[audit]\npath = \"\"\n").unwrap();
    let err = a.fails(&["token", "info"]);
    let ours: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("craton-admin:"))
        .collect();
    assert_eq!(ours.len(), 1, "{err}");
    assert!(
        ours[0].starts_with("craton-admin: C_Initialize: CKR_FUNCTION_FAILED: "),
        "{err}"
    );
    // The module's own log line names the key.
    assert!(err.contains("audit.path is empty"), "{err}");
}
