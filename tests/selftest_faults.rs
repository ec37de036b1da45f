//! Every power-on self-test can fail: with the test-only `fault-injection` feature, one
//! known answer at a time is corrupted, and the module must refuse to start and stay in the
//! error state. Run with `cargo test --features fault-injection --test selftest_faults`.

mod common;

use common::*;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::Attribute;
use cryptoki::session::UserType;
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

/// Child side: C_Initialize, then a later call, reported as return codes. The "conditional"
/// role also generates a key pair and random bytes after a good start.
#[test]
fn child_entry() {
    let Some(role) = child_role() else { return };
    if role == "conditional" {
        return conditional_child();
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
    let lib = library_with_sidecar(dir.path());
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

/// A token, a user session, then one key pair and one random draw; each result printed.
fn conditional_child() {
    let p11 = child_module();
    let slot = p11.get_all_slots().unwrap()[0];
    p11.init_token(slot, &pin(SO_PIN), "faults").unwrap();
    let s = p11.open_rw_session(slot).unwrap();
    s.login(UserType::So, Some(&pin(SO_PIN))).unwrap();
    s.init_pin(&pin(USER_PIN)).unwrap();
    s.logout().unwrap();
    s.login(UserType::User, Some(&pin(USER_PIN))).unwrap();
    let code = |r: Result<(), cryptoki::error::Error>| match r {
        Ok(()) => "ok".to_string(),
        Err(e) => format!("{:?}", rv(e)),
    };
    // CRATON_TEST_KEYPAIR picks the pair: P-256 (sign/verify test) or ML-KEM (encaps/decaps).
    let pair = if std::env::var("CRATON_TEST_KEYPAIR").as_deref() == Ok("ml-kem") {
        s.generate_key_pair(
            &Mechanism::MlKemKeyPairGen,
            &[Attribute::ParameterSet(
                cryptoki::object::MlKemParameterSetType::ML_KEM_768.into(),
            )],
            &[],
        )
    } else {
        s.generate_key_pair(
            &Mechanism::EccKeyPairGen,
            &[Attribute::EcParams(vec![
                0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07,
            ])],
            &[Attribute::Sign(true)],
        )
    };
    println!("KEYPAIR {}", code(pair.map(|_| ())));
    let mut buf = [0u8; 64];
    println!("RANDOM {}", code(s.generate_random_slice(&mut buf)));
    println!("SLOTS {}", code(p11.get_all_slots().map(|_| ())));
}

#[test]
fn conditional_tests_can_fail_and_lock_the_module() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("craton_hsm.toml");
    std::fs::write(&config, base_config(dir.path())).unwrap();
    let run_with = |fault: Option<&str>, pair: &str| {
        let mut c = child("child_entry", "conditional", &config);
        c.env("CRATON_HSM_LOG", "info")
            .env("CRATON_TEST_KEYPAIR", pair);
        if let Some(f) = fault {
            c.env("CRATON_HSM_FAULT_INJECT", f);
        }
        let out = c.output().unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let run = |fault: Option<&str>| run_with(fault, "ec");
    let (out, log) = run(None);
    for line in ["KEYPAIR ok", "RANDOM ok", "SLOTS ok"] {
        assert!(out.contains(line), "no fault: {line}\n{out}\n{log}");
    }
    // Pairwise consistency: key-pair generation fails, and so does everything after it.
    let (out, log) = run(Some("pairwise"));
    for line in [
        "KEYPAIR GeneralError",
        "RANDOM GeneralError",
        "SLOTS GeneralError",
    ] {
        assert!(out.contains(line), "pairwise: {line}\n{out}\n{log}");
    }
    assert!(log.contains("pairwise consistency test failed"), "{log}");
    // The KEM form of the pairwise test (encapsulate, decapsulate, compare).
    let (out, log) = run_with(None, "ml-kem");
    assert!(out.contains("KEYPAIR ok"), "{out}\n{log}");
    let (out, log) = run_with(Some("pairwise"), "ml-kem");
    for line in ["KEYPAIR GeneralError", "SLOTS GeneralError"] {
        assert!(out.contains(line), "ML-KEM pairwise: {line}\n{out}\n{log}");
    }
    assert!(log.contains("the shared secrets differ"), "{log}");
    // Continuous tests of C_GenerateRandom: stuck entropy (for the module's own DRBG; AWS-LC
    // tests its own entropy inside its DRBG), repeated output blocks (either generator).
    let faults: &[(&str, &str)] = if awslc() {
        &[("drbg-output", "repeated")]
    } else {
        &[("entropy", "repetition count"), ("drbg-output", "repeated")]
    };
    for &(fault, why) in faults {
        let (out, log) = run(Some(fault));
        for line in ["KEYPAIR ok", "RANDOM GeneralError", "SLOTS GeneralError"] {
            assert!(out.contains(line), "{fault}: {line}\n{out}\n{log}");
        }
        assert!(
            log.contains("module entered the error state"),
            "{fault}: {log}"
        );
        assert!(log.contains(why), "{fault}: log must say {why:?}\n{log}");
    }
}
