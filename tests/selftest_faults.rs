//! Every power-on self-test can fail: with the test-only `fault-injection` feature, one
//! known answer at a time is corrupted, and the module must refuse to start and stay in the
//! error state. Run with `cargo test --features fault-injection --test selftest_faults`.

mod common;

use common::*;
use cryptoki_sys::*;

const SELF_TESTS: [&str; 17] = [
    "integrity",
    "SHA-256",
    "SHA-384",
    "SHA-512",
    "SHA3-256",
    "HMAC-SHA-256",
    "HMAC-SHA-384",
    "HMAC-SHA-512",
    "AES-GCM",
    "AES-CBC",
    "AES-CTR",
    "RSA",
    "ECDSA",
    "ML-DSA",
    "ML-KEM",
    "RNG",
    "DRBG",
];

/// Child side: C_Initialize, then a later call, reported as return codes.
#[test]
fn child_entry() {
    if child_role().is_none() {
        return;
    }
    let lib = raw_lib();
    // SAFETY: plain calls into the module with valid (or NULL) pointers.
    unsafe {
        println!("INIT {:#x}", lib.0.C_Initialize(std::ptr::null_mut()));
        let mut n: CK_ULONG = 0;
        println!(
            "SLOTS {:#x}",
            lib.0.C_GetSlotList(CK_FALSE, std::ptr::null_mut(), &mut n)
        );
        println!("REINIT {:#x}", lib.0.C_Initialize(std::ptr::null_mut()));
    }
}

#[test]
fn each_self_test_can_fail_and_locks_the_module() {
    let dir = tempfile::tempdir().unwrap();
    // A library copy with its sidecar, so the integrity test runs (and can be made to fail).
    let lib = dir.path().join("libcraton_hsm.so");
    std::fs::copy(lib_path(), &lib).unwrap();
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/compute-integrity-hmac.sh");
    assert!(
        std::process::Command::new(script)
            .arg(&lib)
            .output()
            .unwrap()
            .status
            .success()
    );
    let config = dir.path().join("craton_hsm.toml");
    std::fs::write(&config, base_config(dir.path())).unwrap();

    // Without a fault, everything passes (the switch itself changes nothing).
    let ok = child("child_entry", "run", &config)
        .env("CRATON_HSM_TEST_LIB", &lib)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&ok.stdout).contains("INIT 0x0"));

    for name in SELF_TESTS {
        let out = child("child_entry", "run", &config)
            .env("CRATON_HSM_TEST_LIB", &lib)
            .env("CRATON_HSM_LOG", "info")
            .env("CRATON_HSM_FAULT_INJECT", name)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let log = String::from_utf8_lossy(&out.stderr);
        for step in ["INIT", "SLOTS", "REINIT"] {
            assert!(
                stdout.contains(&format!("{step} 0x5")),
                "{name}: {step} must be CKR_GENERAL_ERROR\n{stdout}\n{log}"
            );
        }
        let named = if name == "integrity" {
            "POST: integrity=FAILED".to_string()
        } else {
            format!("POST: KAT {name} FAILED")
        };
        assert!(
            log.contains(&named),
            "{name}: log must say {named:?}\n{log}"
        );
        assert!(
            log.contains("module entered the error state"),
            "{name}: {log}"
        );
    }
}
