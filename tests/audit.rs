//! The audit log through the C ABI: what is recorded (refused inits, no length queries, key
//! identity, never secrets), the MAC chain with several processes appending, a log that is
//! deleted, replaced or cannot be written (refuse or continue), the paths approved-only mode
//! refuses, empty paths, file modes whatever the umask, and JSON logs. Verification goes
//! through the vendor function `C_CratonVerifyAuditLog`, as craton-admin does.

mod common;

use common::*;
use cryptoki::error::RvError;
use cryptoki::mechanism::Mechanism;
use cryptoki::object::{Attribute, ObjectHandle};
use cryptoki::session::Session;
use cryptoki_sys::*;
use serde_json::Value;
use std::path::{Path, PathBuf};
#[cfg(feature = "awslc-backend")]
use std::sync::OnceLock;

/// The audit log next to the config.
fn log_of(env: &Env) -> PathBuf {
    env.dir.path().join("audit.jsonl")
}

/// A module in default mode with `[audit]` (path plus `extra` keys).
fn audited(extra: &str) -> Env {
    Env::with_config(|dir| {
        format!(
            "{}[audit]\npath = {:?}\n{extra}",
            base_config(dir),
            dir.join("audit.jsonl")
        )
    })
}

fn records(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect()
}

fn op_name(r: &Value) -> String {
    match &r["operation"] {
        Value::String(s) => s.clone(),
        Value::Object(m) => m.keys().next().unwrap().clone(),
        _ => String::new(),
    }
}

/// `C_CratonVerifyAuditLog` (vendor interface 1.1) on `files` (none: the configured log).
fn verify(files: &[&Path]) -> Value {
    #[repr(C)]
    struct VendorList {
        version: CK_VERSION,
        last_approved: Option<unsafe extern "C" fn(CK_SESSION_HANDLE, *mut CK_BBOOL) -> CK_RV>,
        status: Option<unsafe extern "C" fn(*mut std::ffi::c_void) -> CK_RV>,
        report: Option<unsafe extern "C" fn(*mut CK_UTF8CHAR, *mut CK_ULONG) -> CK_RV>,
        verify: Option<
            unsafe extern "C" fn(
                *const CK_UTF8CHAR,
                CK_ULONG,
                *mut CK_UTF8CHAR,
                *mut CK_ULONG,
            ) -> CK_RV,
        >,
    }
    let lib = raw_lib();
    let mut list = Vec::new();
    for f in files {
        list.extend_from_slice(f.to_str().unwrap().as_bytes());
        list.push(0);
    }
    let mut iface: *mut CK_INTERFACE = std::ptr::null_mut();
    let name = b"Craton HSM\0";
    let mut v = CK_VERSION { major: 1, minor: 1 };
    // SAFETY: valid pointers; the 1.1 list layout is the documented one.
    unsafe {
        let rv = lib
            .0
            .C_GetInterface(name.as_ptr() as *mut _, &mut v, &mut iface, 0);
        assert_eq!(rv, CKR_OK);
        let f = (*((*iface).pFunctionList as *const VendorList))
            .verify
            .unwrap();
        let mut len: CK_ULONG = 0;
        let p = if list.is_empty() {
            std::ptr::null()
        } else {
            list.as_ptr()
        };
        assert_eq!(
            f(p, list.len() as _, std::ptr::null_mut(), &mut len),
            CKR_OK
        );
        let mut out = vec![0u8; len as usize];
        assert_eq!(f(p, list.len() as _, out.as_mut_ptr(), &mut len), CKR_OK);
        out.truncate(len as usize);
        serde_json::from_slice(&out).unwrap()
    }
}

fn labelled_rsa(s: &Session, label: &str) -> (ObjectHandle, ObjectHandle) {
    s.generate_key_pair(
        &Mechanism::RsaPkcsKeyPairGen,
        &[Attribute::ModulusBits(2048.into()), Attribute::Verify(true)],
        &[
            Attribute::Sign(true),
            Attribute::Label(label.as_bytes().to_vec()),
            Attribute::Id(vec![0xab, 0x01]),
        ],
    )
    .unwrap()
}

#[test]
fn a_refused_init_is_a_record_with_its_mechanism_and_code() {
    let env = audited("");
    let s = env.user_session();
    let (_, private) = labelled_rsa(&s, "signer");
    // SHA-1 signing is not offered without allow_sha1_signing.
    assert_rv!(
        s.sign_init(&Mechanism::Sha1RsaPkcs, private),
        RvError::MechanismInvalid
    );
    let recs = records(&log_of(&env));
    let r = recs
        .iter()
        .rev()
        .find(|r| op_name(r) == "Sign")
        .expect("a Sign record for the refused init");
    assert_eq!(
        r["operation"]["Sign"],
        serde_json::json!({"mechanism": CKM_SHA1_RSA_PKCS, "fips_approved": false})
    );
    assert_eq!(
        r["result"],
        serde_json::json!({"Failure": {"rv": "CKR_MECHANISM_INVALID"}})
    );
    assert_eq!(r["session"], s.handle());
    assert_eq!(r["slot"], 0);

    // A successful signature names its key (ID and label), and the sequence has no holes.
    s.sign(&Mechanism::Sha256RsaPkcs, private, b"m").unwrap();
    let recs = records(&log_of(&env));
    let r = recs.last().unwrap();
    assert_eq!(op_name(r), "Sign");
    assert_eq!(r["result"], "Success");
    assert_eq!(
        r["key"],
        serde_json::json!({"id": "ab01", "label": "signer"})
    );
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["seq"], i as u64 + 1);
        assert!(r["mac"].as_str().is_some_and(|m| m.len() == 64));
        assert!(r["pid"].is_u64() && r["timestamp"].is_string());
    }
    let report = verify(&[]);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["from_chain_start"], true);
    assert_eq!(report["head"]["matches"], true);
}

#[test]
fn a_wrap_length_query_is_not_an_operation() {
    let env = audited("");
    let s = env.user_session();
    let kek = s
        .generate_key(
            &Mechanism::AesKeyGen,
            &[
                Attribute::ValueLen(32.into()),
                Attribute::Wrap(true),
                Attribute::Label(b"kek".to_vec()),
            ],
        )
        .unwrap();
    let secret = [0x5au8; 32];
    let target = s
        .create_object(&[
            Attribute::Class(cryptoki::object::ObjectClass::SECRET_KEY),
            Attribute::KeyType(cryptoki::object::KeyType::AES),
            Attribute::Value(secret.to_vec()),
            Attribute::Extractable(true),
            Attribute::Label(b"payload".to_vec()),
        ])
        .unwrap();
    let lib = raw_lib();
    // The C convention: a NULL buffer for the length, then the call.
    let wrapped = lib
        .wrap_key(s.handle(), CKM_AES_KEY_WRAP, kek.handle(), target.handle())
        .unwrap();
    assert_eq!(wrapped.len(), 40);
    let wraps: Vec<Value> = records(&log_of(&env))
        .into_iter()
        .filter(|r| op_name(r) == "WrapKey")
        .collect();
    assert_eq!(wraps.len(), 1, "{wraps:?}");
    assert_eq!(wraps[0]["key"]["label"], "kek");
    assert_eq!(wraps[0]["object"]["label"], "payload");
    // Key material and PINs never reach the log.
    let text = std::fs::read_to_string(log_of(&env)).unwrap();
    assert!(!text.contains(&"5a".repeat(16)));
    assert!(!text.contains(USER_PIN) && !text.contains(SO_PIN));
}

/// Child side of the concurrency test: `CHILD_OPS` digests as fast as it can.
const CHILD_OPS: usize = 150;

#[test]
fn child_appender() {
    let Some(role) = child_role() else { return };
    assert_eq!(role, "append");
    let p11 = child_module();
    let slot = p11.get_all_slots().unwrap()[0];
    let s = p11.open_ro_session(slot).unwrap();
    for _ in 0..CHILD_OPS {
        s.digest(&Mechanism::Sha256, b"concurrent").unwrap();
    }
}

#[test]
fn processes_appending_at_once_keep_one_chain() {
    let env = audited("");
    let before = records(&log_of(&env)).len();
    let children: Vec<_> = (0..3)
        .map(|_| {
            child("child_appender", "append", &env.config)
                .spawn()
                .unwrap()
        })
        .collect();
    // This process appends too, meanwhile.
    let s = env.p11().open_ro_session(env.slot()).unwrap();
    for _ in 0..CHILD_OPS {
        s.digest(&Mechanism::Sha256, b"parent").unwrap();
    }
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let recs = records(&log_of(&env));
    // Each child: Initialize and its digests; the parent: its digests.
    assert_eq!(recs.len(), before + 3 * (CHILD_OPS + 1) + CHILD_OPS);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["seq"], i as u64 + 1, "one sequence, no interleaved lines");
    }
    let pids: std::collections::BTreeSet<u64> =
        recs.iter().map(|r| r["pid"].as_u64().unwrap()).collect();
    assert!(pids.len() >= 4);
    let report = verify(&[]);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["records"], recs.len() as u64);
}

#[test]
fn a_deleted_or_replaced_log_is_noticed_and_recorded() {
    let env = audited("");
    let s = env.user_session();
    let log = log_of(&env);
    let n = records(&log).len() as u64;
    std::fs::remove_file(&log).unwrap();
    s.generate_random_vec(16).unwrap();
    let recs = records(&log);
    assert_eq!(
        recs[0]["operation"]["AuditFileStart"]["noticed"], "deleted",
        "{recs:?}"
    );
    assert_eq!(recs[0]["operation"]["AuditFileStart"]["follows"], n);
    assert_eq!(op_name(&recs[1]), "GenerateRandom");
    let report = verify(&[]);
    assert_eq!(report["ok"], true, "{report}");
    assert_eq!(report["first_seq"], n + 1);

    // Replaced by an older copy: the records since are missing, and the module says so.
    let old = std::fs::read(&log).unwrap();
    s.generate_random_vec(16).unwrap();
    s.generate_random_vec(16).unwrap();
    let tmp = env.dir.path().join("swap");
    std::fs::write(&tmp, &old).unwrap();
    std::fs::rename(&tmp, &log).unwrap();
    s.generate_random_vec(16).unwrap();
    let recs = records(&log);
    let gap = recs
        .iter()
        .find(|r| op_name(r) == "AuditGap")
        .expect("an AuditGap record");
    assert_eq!(gap["operation"]["AuditGap"]["last_found"], n + 2);
    assert_eq!(gap["operation"]["AuditGap"]["last_written"], n + 4);
    let report = verify(&[]);
    assert_eq!(report["ok"], false);
    assert!(
        report["first_bad"]["problem"]
            .as_str()
            .unwrap()
            .contains("are missing"),
        "{report}"
    );
}

/// A second handle on the log holding its lock: the module's writer cannot get in.
struct Blocker {
    _held: std::fs::File,
}

impl Blocker {
    fn hold(path: &Path) -> Blocker {
        let f = std::fs::OpenOptions::new().append(true).open(path).unwrap();
        f.lock().unwrap();
        Blocker { _held: f }
    }
}

#[test]
fn refuse_mode_stops_new_operations_until_records_can_be_written() {
    let env = audited("on_failure = \"refuse\"\nwrite_timeout_ms = 50\n");
    let s = env.user_session();
    let block = Blocker::hold(&log_of(&env));
    // The operation already under way completes (the lock is never released: returning at
    // all shows the wait is bounded); its record waits in memory.
    s.digest(&Mechanism::Sha256, b"while locked").unwrap();
    // New ones are refused with CKR_DEVICE_ERROR.
    assert_rv!(
        s.digest(&Mechanism::Sha256, b"refused"),
        RvError::DeviceError
    );
    assert_rv!(s.generate_random_vec(8), RvError::DeviceError);
    drop(block);
    // Once the lock is free (and the short back-off has passed), service resumes.
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.digest(&Mechanism::Sha256, b"after").unwrap();
    let recs = records(&log_of(&env));
    let digests: Vec<&Value> = recs.iter().filter(|r| op_name(r) == "Digest").collect();
    assert_eq!(digests.len(), 3, "nothing lost: {digests:?}");
    assert_eq!(digests[0]["result"], "Success");
    assert_eq!(
        digests[1]["result"]["Failure"]["rv"], "CKR_DEVICE_ERROR",
        "the refusal is recorded too"
    );
    assert!(recs.iter().any(|r| {
        op_name(r) == "GenerateRandom" && r["result"]["Failure"]["rv"] == "CKR_DEVICE_ERROR"
    }));
    assert_eq!(verify(&[])["ok"], true);
}

#[test]
fn continue_mode_keeps_serving_and_writes_the_records_later() {
    let env = audited("write_timeout_ms = 50\n");
    let s = env.user_session();
    let block = Blocker::hold(&log_of(&env));
    s.digest(&Mechanism::Sha256, b"one").unwrap();
    s.digest(&Mechanism::Sha256, b"two").unwrap();
    drop(block);
    std::thread::sleep(std::time::Duration::from_millis(300));
    s.digest(&Mechanism::Sha256, b"three").unwrap();
    let n = records(&log_of(&env))
        .iter()
        .filter(|r| op_name(r) == "Digest")
        .count();
    assert_eq!(n, 3);
    assert_eq!(verify(&[])["ok"], true);
}

/// Child side: C_Initialize's return code and the module's files' modes.
#[test]
fn child_initializer() {
    let Some(role) = child_role() else { return };
    if role == "umask" {
        // SAFETY: the child has no other thread that creates files.
        unsafe { libc::umask(0) };
    }
    let lib = raw_lib();
    // SAFETY: plain call into the module.
    let rv = unsafe { lib.0.C_Initialize(std::ptr::null_mut()) };
    println!("INIT {rv:#x}");
}

/// Runs `child_initializer` with a config; returns (stdout, stderr).
fn init_child(
    role: &str,
    config_text: &str,
    lib: Option<&Path>,
) -> (String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("craton_hsm.toml");
    std::fs::write(
        &config,
        config_text.replace("@DIR@", dir.path().to_str().unwrap()),
    )
    .unwrap();
    let mut c = child("child_initializer", role, &config);
    if let Some(l) = lib {
        c.env("CRATON_HSM_TEST_LIB", l);
    }
    let out = c.output().unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        dir,
    )
}

#[test]
fn empty_paths_are_refused_naming_the_key() {
    for (table, key) in [
        ("token", "storage_path"),
        ("audit", "path"),
        ("logging", "file"),
    ] {
        let (out, log, _) = init_child("plain", &format!("[{table}]\n{key} = \"\"\n"), None);
        assert!(
            out.contains(&format!("INIT {CKR_FUNCTION_FAILED:#x}")),
            "{out}"
        );
        assert!(log.contains(&format!("{table}.{key} is empty")), "{log}");
    }
}

#[test]
fn files_the_module_creates_are_0600_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let (out, log, dir) = init_child(
        "umask",
        "token.storage_path = \"@DIR@/store\"\nsecurity.pbkdf2_iterations = 1000\n\
         [audit]\npath = \"@DIR@/audit.jsonl\"\n[logging]\nfile = \"@DIR@/module.log\"\n",
        None,
    );
    assert!(out.contains("INIT 0x0"), "{out}{log}");
    for f in [
        "audit.jsonl",
        "module.log",
        "store/audit.key",
        "store/audit.head",
        "store/token-0.sqlite",
    ] {
        let mode = std::fs::metadata(dir.path().join(f))
            .unwrap()
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "{f}: {mode:o}");
    }
}

/// One copy of the library with its sidecar, shared by this build's test processes:
/// approved-only mode needs it. (A temporary directory held in a static is never removed.)
#[cfg(feature = "awslc-backend")]
fn fips_library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| shared_library_with_sidecar("audit-fips-library"))
}

/// Approved-only mode on the provider that allows it (the RustCrypto one refuses the mode).
#[cfg(feature = "awslc-backend")]
fn approved_config(audit_path: &str) -> String {
    format!(
        "token.storage_path = \"@DIR@/store\"\nsecurity.pbkdf2_iterations = 1000\n\
         [algorithms]\ncrypto_backend = \"awslc\"\nfips_approved_only = true\n\
         enable_pqc = false\n[audit]\npath = {audit_path:?}\n"
    )
}

#[test]
#[cfg(feature = "awslc-backend")]
fn approved_only_mode_refuses_a_log_it_cannot_really_append_to() {
    let lib = fips_library();
    for path in ["/dev/null", "@DIR@", "/dev/full"] {
        let (out, log, _) = init_child("plain", &approved_config(path), Some(lib));
        assert!(
            out.contains(&format!("INIT {CKR_FUNCTION_FAILED:#x}")),
            "{path}: {out}"
        );
        assert!(log.contains("audit.path"), "{path}: {log}");
    }
    // A regular file is fine.
    let (out, log, _) = init_child("plain", &approved_config("@DIR@/audit.jsonl"), Some(lib));
    assert!(out.contains("INIT 0x0"), "{out}{log}");
}

#[test]
fn outside_approved_mode_an_unwritable_log_follows_on_failure() {
    // Continue (the default): /dev/full takes nothing, service goes on, the errors are logged.
    let (out, log, _) = init_child(
        "plain",
        "token.storage_path = \"@DIR@/store\"\n[audit]\npath = \"/dev/full\"\n",
        None,
    );
    assert!(out.contains("INIT 0x0"), "{out}{log}");
    assert!(log.contains("cannot write"), "{log}");
    // Refuse: C_Initialize fails, since not even its own record can be written.
    let (out, log, _) = init_child(
        "plain",
        "token.storage_path = \"@DIR@/store\"\n[audit]\npath = \"/dev/full\"\n\
         on_failure = \"refuse\"\n",
        None,
    );
    assert!(
        out.contains(&format!("INIT {CKR_FUNCTION_FAILED:#x}")),
        "{out}"
    );
    assert!(log.contains("audit.path /dev/full"), "{log}");
}

#[test]
fn json_logs_keep_the_post_lines_text() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("craton_hsm.toml");
    std::fs::write(&config, base_config(dir.path())).unwrap();
    let out = child("child_initializer", "plain", &config)
        .env("CRATON_HSM_LOG", "info")
        .env("CRATON_HSM_LOG_FORMAT", "json")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<Value> = stderr
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("not JSON: {l}")))
        .collect();
    let post = lines
        .iter()
        .find(|l| {
            l["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("POST: KATs 16/16 passed ("))
        })
        .unwrap_or_else(|| panic!("no POST line in {stderr}"));
    assert_eq!(post["level"], "INFO");
    assert!(post["timestamp"].is_string());
}

/// A writer that died mid-line leaves a torn line: the next record starts on a line of its own,
/// the chain goes on from the last whole record, and verify names the torn line.
#[test]
fn a_torn_line_is_left_alone_and_named() {
    let env = audited("");
    let s = env.user_session();
    let log = log_of(&env);
    let n = records(&log).len();
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
        f.write_all(br#"{"seq":99,"timestamp":"2026-"#).unwrap();
    }
    s.generate_random_vec(8).unwrap();
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), n + 2);
    let last: Value = serde_json::from_str(lines[n + 1]).unwrap();
    assert_eq!(op_name(&last), "GenerateRandom");
    assert_eq!(
        last["seq"],
        n as u64 + 1,
        "the chain goes on from the last whole record"
    );
    let report = verify(&[]);
    assert_eq!(report["ok"], false);
    assert_eq!(report["first_bad"]["line"], n as u64 + 1);
    assert!(
        report["first_bad"]["problem"]
            .as_str()
            .unwrap()
            .contains("not a sealed record"),
        "{report}"
    );
}
