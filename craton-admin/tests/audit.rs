//! The audit log through craton-admin: `audit verify` on intact, edited, deleted, reordered,
//! truncated and rotated logs; many processes appending at once; `show` and `export`; and the
//! guide's audit example.

mod common;

use common::*;
use std::path::Path;

/// A store with an initialized token and a few records.
fn with_records() -> Admin {
    let a = Admin::new("");
    a.init_token();
    a.ok(&["key", "list", "--pin-file", "user.pin"]);
    a.fails(&["key", "list", "--pin-file", "wrong.pin"]);
    a.ok(&["key", "list", "--pin-file", "user.pin"]);
    a
}

/// `audit verify FILES`: (exit status, last line of stdout).
fn verify(a: &Admin, files: &[&Path]) -> (bool, String) {
    let mut args = vec!["audit".to_string(), "verify".to_string()];
    args.extend(files.iter().map(|f| f.to_str().unwrap().to_string()));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = a.run(&args);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let last = stdout.lines().last().unwrap_or("").to_string();
    (out.status.success(), last)
}

/// A copy of the live log with its lines changed by `f`.
fn tampered(a: &Admin, name: &str, f: impl FnOnce(&mut Vec<String>)) -> std::path::PathBuf {
    let mut lines: Vec<String> = std::fs::read_to_string(a.log())
        .unwrap()
        .lines()
        .map(String::from)
        .collect();
    f(&mut lines);
    let p = a.path(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

#[test]
fn verify_finds_the_first_bad_record() {
    let a = with_records();
    let (ok, last) = verify(&a, &[]);
    assert!(ok, "{last}");
    assert!(last.starts_with("OK: "), "{last}");
    assert!(last.ends_with("from the chain's first record"), "{last}");
    let n = Admin::records(&a.log()).len();
    assert!(n >= 12, "{n} records");

    // An intact copy verifies too (its end is not compared with the head).
    let copy = tampered(&a, "copy.jsonl", |_| {});
    assert!(verify(&a, &[&copy]).0);

    // Edited: the failed login made to look like a success.
    let edited = tampered(&a, "edited.jsonl", |l| {
        let i = l
            .iter()
            .position(|x| x.contains("CKR_PIN_INCORRECT"))
            .unwrap();
        l[i] = l[i].replace(r#"{"Failure":{"rv":"CKR_PIN_INCORRECT"}}"#, r#""Success""#);
    });
    let (ok, last) = verify(&a, &[&edited]);
    assert!(!ok);
    assert!(
        last.contains("does not match its MAC: it was edited"),
        "{last}"
    );

    // Deleted: record 6 gone.
    let deleted = tampered(&a, "deleted.jsonl", |l| {
        l.remove(5);
    });
    let (ok, last) = verify(&a, &[&deleted]);
    assert!(!ok);
    assert!(
        last.contains("deleted.jsonl:6: record 7 follows record 5"),
        "{last}"
    );

    // Reordered: records 6 and 7 swapped.
    let reordered = tampered(&a, "reordered.jsonl", |l| l.swap(5, 6));
    let (ok, last) = verify(&a, &[&reordered]);
    assert!(!ok);
    assert!(last.contains("reordered.jsonl:6: "), "{last}");

    // The first record removed: the file no longer starts its chain.
    let headless = tampered(&a, "headless.jsonl", |l| {
        l.remove(0);
    });
    let (ok, last) = verify(&a, &[&headless]);
    assert!(!ok);
    assert!(
        last.contains("headless.jsonl:1: the file begins at record 2"),
        "{last}"
    );

    // A half-written line.
    let torn = tampered(&a, "torn.jsonl", |l| {
        let k = l.len() - 2;
        l[k].truncate(40);
    });
    let (ok, last) = verify(&a, &[&torn]);
    assert!(!ok);
    assert!(last.contains("not a sealed record"), "{last}");
}

#[test]
fn verify_finds_records_cut_off_the_live_log() {
    let a = with_records();
    let text = std::fs::read_to_string(a.log()).unwrap();
    let keep: Vec<&str> = text.lines().take(5).collect();
    std::fs::write(a.log(), keep.join("\n") + "\n").unwrap();
    let (ok, last) = verify(&a, &[]);
    assert!(!ok);
    assert!(
        last.contains("audit.jsonl:6: records 6..=") && last.contains("are missing"),
        "{last}"
    );
}

#[test]
fn rotation_carries_the_chain_into_the_next_file() {
    let a = with_records();
    let old = a.path("audit.jsonl.1");
    std::fs::rename(a.log(), &old).unwrap();
    a.ok(&["key", "list", "--pin-file", "user.pin"]);
    let first = &Admin::records(&a.log())[0];
    assert!(first["operation"]["AuditFileStart"].is_object(), "{first}");

    // Both files, given in either order, make one chain from its first record.
    let (ok, last) = verify(&a, &[&a.log(), &old]);
    assert!(ok, "{last}");
    assert!(last.ends_with("from the chain's first record"), "{last}");
    // The new file alone verifies, and says where the earlier records are.
    let out = a.ok(&["audit", "verify"]);
    assert!(out.contains("records 1..="), "{out}");
    assert!(out.contains("are in earlier files not given"), "{out}");

    // A rotated file missing from the set is a gap.
    std::fs::rename(a.log(), a.path("audit.jsonl.2")).unwrap();
    a.ok(&["token", "info"]);
    let (ok, last) = verify(&a, &[&old, &a.log()]);
    assert!(!ok);
    assert!(
        last.contains("does not continue") || last.contains("follows record"),
        "{last}"
    );
    let (ok, last) = verify(&a, &[&old, &a.path("audit.jsonl.2"), &a.log()]);
    assert!(ok, "{last}");
}

#[test]
fn many_processes_append_to_one_chain() {
    let a = with_records();
    let before = Admin::records(&a.log()).len();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let cmds: Vec<_> = (0..6)
                .map(|_| a.cmd(&["key", "list", "--pin-file", "user.pin"]))
                .collect();
            std::thread::spawn(move || {
                for mut c in cmds {
                    let out = c.output().unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let records = Admin::records(&a.log());
    // Each `key list` wrote Initialize and Login.
    assert_eq!(records.len(), before + 24 * 2);
    for (i, r) in records.iter().enumerate() {
        assert_eq!(r["seq"], i as u64 + 1, "sequence");
    }
    let (ok, last) = verify(&a, &[]);
    assert!(ok, "{last}");
}

#[test]
fn show_and_export_filter_records() {
    let a = with_records();
    let failed = a.ok(&[
        "audit",
        "show",
        "--operation",
        "login",
        "--result",
        "failure",
    ]);
    let lines: Vec<&str> = failed.lines().collect();
    assert_eq!(lines.len(), 2, "{failed}");
    assert!(
        lines[0].contains("Login") && lines[0].contains("CKR_PIN_INCORRECT"),
        "{failed}"
    );
    assert_eq!(lines[1], "1 record(s)");

    let by_code = a.ok(&["audit", "show", "--result", "CKR_PIN_INCORRECT", "--json"]);
    assert_eq!(by_code.lines().count(), 1);
    let none = a.ok(&["audit", "show", "--until", "2000-01-01T00:00:00Z"]);
    assert_eq!(none.trim(), "0 record(s)");
    let recent = a.ok(&["audit", "show", "--since", "1h", "--json"]);
    let all = Admin::records(&a.log()).len();
    assert!(recent.lines().count() >= all - 2, "{recent}");
    let bad = a.fails(&["audit", "show", "--since", "yesterday-ish"]);
    assert!(bad.contains("RFC 3339"), "{bad}");

    let ndjson = a.ok(&[
        "audit",
        "export",
        "--format",
        "ndjson",
        a.log().to_str().unwrap(),
    ]);
    let exported: Vec<serde_json::Value> = ndjson
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(exported, Admin::records(&a.log()));
    // Exactly the lines the module wrote (the bytes the MACs cover).
    let log_text = std::fs::read_to_string(a.log()).unwrap();
    assert!(log_text.starts_with(&ndjson), "export differs from the log");
    let syslog = a.ok(&[
        "audit",
        "export",
        "--format",
        "syslog",
        "--operation",
        "Login",
    ]);
    for line in syslog.lines() {
        assert!(
            line.starts_with("<86>1 ") || line.starts_with("<84>1 "),
            "{line}"
        );
        assert!(
            line.contains(" craton-hsm ") && line.contains(" Login - {"),
            "{line}"
        );
    }
    assert!(
        syslog.lines().any(|l| l.starts_with("<84>1 ")),
        "a failure is a warning"
    );
}

/// The guide's step 5: an RSA-2048 key ("fips-test", ID 01) signs with SHA256-RSA-PKCS, and
/// the audit record of that Sign call is
/// `{"operation": {"Sign": {"mechanism": 64, "fips_approved": true}}, "result": "Success"}`
/// (64 = CKM_SHA256_RSA_PKCS; approved on the AWS-LC build).
#[test]
fn the_guides_audit_example() {
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    use cryptoki::mechanism::Mechanism;
    use cryptoki::object::Attribute;
    use cryptoki::session::UserType;
    use cryptoki::types::AuthPin;

    let a = Admin::approved();
    a.init_token();
    let backend = a.backend();
    {
        // SAFETY: this test binary runs no other thread that reads the environment.
        unsafe { std::env::set_var("CRATON_HSM_CONFIG", &a.config) };
        let p11 = Pkcs11::new(&a.lib).unwrap();
        p11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .unwrap();
        let slot = p11.get_all_slots().unwrap()[0];
        let s = p11.open_rw_session(slot).unwrap();
        s.login(UserType::User, Some(&AuthPin::from(USER_PIN)))
            .unwrap();
        let (public, private) = s
            .generate_key_pair(
                &Mechanism::RsaPkcsKeyPairGen,
                &[
                    Attribute::ModulusBits(2048.into()),
                    Attribute::Token(true),
                    Attribute::Verify(true),
                    Attribute::Label(b"fips-test".to_vec()),
                    Attribute::Id(vec![1]),
                ],
                &[
                    Attribute::Token(true),
                    Attribute::Sign(true),
                    Attribute::Label(b"fips-test".to_vec()),
                    Attribute::Id(vec![1]),
                ],
            )
            .unwrap();
        let sig = s.sign(&Mechanism::Sha256RsaPkcs, private, b"host").unwrap();
        s.verify(&Mechanism::Sha256RsaPkcs, public, b"host", &sig)
            .unwrap();
    }
    let out = a.ok(&["audit", "show", "--operation", "Sign", "--json"]);
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 1, "{out}");
    let r = &records[0];
    assert_eq!(
        r["operation"],
        serde_json::json!({"Sign": {"mechanism": 64, "fips_approved": backend == "awslc"}})
    );
    assert_eq!(r["result"], "Success");
    assert_eq!(
        r["key"],
        serde_json::json!({"id": "01", "label": "fips-test"})
    );
    let (ok, last) = verify(&a, &[]);
    assert!(ok, "{last}");
}
