//! Power-on self-tests as an operator sees them: the POST log lines, the integrity sidecar
//! (written by tools/compute-integrity-hmac.sh), and the error state a failure leaves. The
//! error state lasts for the process, so each scenario runs in a child process.

mod common;

use common::*;
use cryptoki_sys::*;
use std::path::{Path, PathBuf};
use std::process::Output;

/// Child side: initializes through the raw C API and reports every return code.
#[test]
fn child_entry() {
    let Some(role) = child_role() else { return };
    let lib = raw_lib();
    // SAFETY: plain calls into the module with valid (or NULL) pointers.
    unsafe {
        println!("INIT {:#x}", lib.0.C_Initialize(std::ptr::null_mut()));
        let mut n: CK_ULONG = 0;
        println!(
            "SLOTS {:#x}",
            lib.0.C_GetSlotList(CK_FALSE, std::ptr::null_mut(), &mut n)
        );
        if role == "error-state" {
            println!("FINALIZE {:#x}", lib.0.C_Finalize(std::ptr::null_mut()));
            println!("REINIT {:#x}", lib.0.C_Initialize(std::ptr::null_mut()));
        }
        println!("STATUS {}", module_status(&lib));
    }
}

/// The vendor interface's module status, as `key=value` words.
unsafe fn module_status(lib: &RawLib) -> String {
    #[repr(C)]
    struct Status {
        backend: [u8; 16],
        fips_approved_only: CK_BBOOL,
        error_state: CK_BBOOL,
        post_passed: CK_BBOOL,
        integrity: CK_ULONG,
        kats_passed: CK_ULONG,
        kats_total: CK_ULONG,
    }
    #[repr(C)]
    struct VendorList {
        version: CK_VERSION,
        last_approved: Option<unsafe extern "C" fn(CK_SESSION_HANDLE, *mut CK_BBOOL) -> CK_RV>,
        status: Option<unsafe extern "C" fn(*mut Status) -> CK_RV>,
    }
    let mut iface: *mut CK_INTERFACE = std::ptr::null_mut();
    let name = b"Craton HSM\0";
    // SAFETY: valid pointers; the vendor list layout is the documented one.
    unsafe {
        if lib
            .0
            .C_GetInterface(name.as_ptr() as *mut _, std::ptr::null_mut(), &mut iface, 0)
            != CKR_OK
        {
            return "unavailable".into();
        }
        let list = &*((*iface).pFunctionList as *const VendorList);
        let mut st: Status = std::mem::zeroed();
        let rv = (list.status.unwrap())(&mut st);
        format!(
            "rv={rv:#x} backend={} error_state={} post_passed={} integrity={} kats={}/{}",
            String::from_utf8_lossy(&st.backend).trim(),
            st.error_state,
            st.post_passed,
            st.integrity,
            st.kats_passed,
            st.kats_total
        )
    }
}

/// A copy of the built library in its own directory, optionally with its sidecar.
fn library_copy(dir: &Path, sidecar: bool) -> PathBuf {
    if sidecar {
        return library_with_sidecar(dir);
    }
    let lib = dir.join("libcraton_hsm.so");
    std::fs::copy(lib_path(), &lib).unwrap();
    lib
}

/// Flips one byte of the library's read-only data (the library description string), so the
/// file still loads but no longer matches its sidecar.
fn flip_a_byte(lib: &Path) {
    let mut bytes = std::fs::read(lib).unwrap();
    let needle = b"Craton HSM PKCS#11 module";
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("description string");
    bytes[at] ^= 0x20;
    std::fs::write(lib, bytes).unwrap();
}

fn run(lib: &Path, config_extra: &str, role: &str, env: &[(&str, &str)]) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("craton_hsm.toml");
    std::fs::write(
        &config,
        format!("{}{}", base_config(dir.path()), config_extra),
    )
    .unwrap();
    let mut c = child("child_entry", role, &config);
    c.env("CRATON_HSM_TEST_LIB", lib)
        .env("CRATON_HSM_LOG", "info");
    for (k, v) in env {
        c.env(k, v);
    }
    let Output { stdout, stderr, .. } = c.output().unwrap();
    (
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

const KAT_LINE: &str = "POST: KATs 16/16 passed (SHA-2, SHA-3, HMAC, AES-GCM, AES-CBC, AES-CTR, RSA, ECDSA, ML-DSA, ML-KEM, RNG, DRBG)";

#[test]
fn post_passes_with_a_matching_sidecar() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library_copy(dir.path(), true);
    let (out, log) = run(&lib, "", "normal", &[]);
    assert!(out.contains("INIT 0x0"), "{out}\n{log}");
    assert!(log.contains("POST: integrity=OK"), "{log}");
    assert!(log.contains(KAT_LINE), "{log}");
    assert!(
        out.contains("error_state=0 post_passed=1 integrity=1 kats=16/16"),
        "{out}"
    );
}

#[test]
fn a_modified_library_enters_the_error_state_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library_copy(dir.path(), true);
    flip_a_byte(&lib);
    let (out, log) = run(&lib, "", "error-state", &[]);
    assert!(log.contains("POST: integrity=FAILED"), "{log}");
    assert!(
        !log.contains("POST: KATs"),
        "no KAT runs after a failed integrity test: {log}"
    );
    for step in ["INIT", "SLOTS", "FINALIZE", "REINIT"] {
        assert!(
            out.contains(&format!("{step} 0x5")),
            "{step} must be CKR_GENERAL_ERROR: {out}"
        );
    }
    assert!(
        out.contains("error_state=1 post_passed=0 integrity=3"),
        "{out}"
    );
}

#[test]
fn a_stale_sidecar_is_a_failure() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library_copy(dir.path(), true);
    std::fs::write(
        dir.path().join("libcraton_hsm.hmac"),
        format!("{}\n", "00".repeat(32)),
    )
    .unwrap();
    let (out, log) = run(&lib, "", "normal", &[]);
    assert!(out.contains("INIT 0x5"), "{out}");
    assert!(log.contains("POST: integrity=FAILED"), "{log}");
}

#[test]
fn no_sidecar_is_development_mode_outside_approved_mode() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library_copy(dir.path(), false);
    let (out, log) = run(&lib, "", "normal", &[]);
    assert!(out.contains("INIT 0x0"), "{out}");
    assert!(
        log.contains("POST: integrity=SKIPPED") && log.contains("development mode"),
        "{log}"
    );
    assert!(log.contains(KAT_LINE), "{log}");
    assert!(out.contains("integrity=2"), "{out}");
}

#[test]
#[cfg(feature = "awslc-backend")]
fn no_sidecar_fails_in_approved_only_mode() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library_copy(dir.path(), false);
    let (out, log) = run(
        &lib,
        "[algorithms]\ncrypto_backend = \"awslc\"\nfips_approved_only = true\nenable_pqc = false\n",
        "normal",
        &[],
    );
    assert!(out.contains("INIT 0x5"), "{out}");
    assert!(
        log.contains("POST: integrity=FAILED") && log.contains("fips_approved_only"),
        "{log}"
    );
}

/// Approved-only mode on a provider that is not a FIPS module would list the approved set and
/// look like a FIPS build; it refuses to start instead, saying why.
#[test]
#[cfg(feature = "rustcrypto-backend")]
fn approved_only_mode_refuses_a_provider_outside_a_fips_module() {
    let dir = tempfile::tempdir().unwrap();
    let lib = library_copy(dir.path(), true);
    let (out, log) = run(
        &lib,
        "[algorithms]\ncrypto_backend = \"rustcrypto\"\nfips_approved_only = true\n",
        "normal",
        &[],
    );
    assert!(
        out.contains(&format!("INIT {CKR_GENERAL_ERROR:#x}")),
        "{out}"
    );
    assert!(
        log.contains("the rustcrypto backend is not a FIPS module"),
        "{log}"
    );
    // Not the FIPS error state: the same process starts once the config is fixed.
    assert!(!log.contains("POST: integrity=FAILED"), "{log}");
}
