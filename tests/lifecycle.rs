//! Module lifecycle: fork, configuration errors, logging.

mod common;

use common::*;
use cryptoki::error::RvError;
use cryptoki::object::{Attribute, ObjectClass};
use std::process::Output;

/// A forked child sees "not initialized" until it calls C_Initialize, which then works.
#[test]
fn forked_child_must_initialize_again() {
    let env = Env::new("");
    let s = env.user_session();
    s.create_object(&[
        Attribute::Class(ObjectClass::DATA),
        Attribute::Token(true),
        Attribute::Label(b"pre-fork".to_vec()),
    ])
    .unwrap();
    let p11 = env.p11().clone();
    // SAFETY: the child only calls into the module and then _exit()s.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = (|| {
            match p11.get_all_slots() {
                Err(cryptoki::error::Error::Pkcs11(RvError::CryptokiNotInitialized, _)) => {}
                _ => return 2,
            }
            if p11
                .initialize(cryptoki::context::CInitializeArgs::new(
                    cryptoki::context::CInitializeFlags::OS_LOCKING_OK,
                ))
                .is_err()
            {
                return 3;
            }
            let slot = p11.get_all_slots().unwrap()[0];
            let s = p11.open_ro_session(slot).unwrap();
            match s.find_objects(&[Attribute::Label(b"pre-fork".to_vec())]) {
                Ok(v) if v.len() == 1 => 0,
                _ => 4,
            }
        })();
        // SAFETY: leave the child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waiting for our own child.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    assert!(libc::WIFEXITED(status), "child crashed");
    assert_eq!(
        libc::WEXITSTATUS(status),
        0,
        "child failed at step {}",
        libc::WEXITSTATUS(status)
    );
    // The parent is unaffected.
    assert_eq!(
        s.find_objects(&[Attribute::Label(b"pre-fork".to_vec())])
            .unwrap()
            .len(),
        1
    );
}

/// Child side: tries C_Initialize and reports the return value on stdout.
#[test]
fn child_entry() {
    if child_role().is_none() {
        return;
    }
    let p11 = cryptoki::context::Pkcs11::new(lib_path()).unwrap();
    match p11.initialize(cryptoki::context::CInitializeArgs::new(
        cryptoki::context::CInitializeFlags::OS_LOCKING_OK,
    )) {
        Ok(()) => println!("RESULT ok"),
        Err(e) => println!("RESULT {:?}", rv(e)),
    }
}

fn init_with(config: &str, log: Option<&str>) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("craton_hsm.toml");
    std::fs::write(
        &path,
        with_backend(format!("{}{}", base_config(dir.path()), config)),
    )
    .unwrap();
    let mut c = child("child_entry", "init", &path);
    if let Some(l) = log {
        c.env("CRATON_HSM_LOG", l);
    }
    c.output().unwrap()
}

fn text(o: &[u8]) -> String {
    String::from_utf8_lossy(o).into_owned()
}

#[test]
fn config_errors_fail_initialize_and_name_the_key() {
    let cases = [
        ("[algorithms]\nfips_only = true\n", "fips_only"),
        (
            "[algorithms]\nfips_approved_only = \"yes\"\n",
            "fips_approved_only",
        ),
        ("security.pin_min_length = 0\n", "security.pin_min_length"),
        (
            "security.max_failed_logins = 7\n",
            "security.max_failed_logins = 7",
        ),
        ("token.slot_count = 0\n", "token.slot_count"),
        ("[sessions]\nmax = 3\n", "sessions"),
    ];
    for (config, key) in cases {
        // (The base config already sets security.max_failed_logins: a duplicate key.)
        let out = init_with(config, None);
        let stdout = text(&out.stdout);
        let stderr = text(&out.stderr);
        assert!(
            stdout.contains("RESULT FunctionFailed"),
            "{config}: {stdout}"
        );
        assert!(stderr.contains(key), "the log line names {key}: {stderr}");
    }
}

#[test]
fn a_backend_not_compiled_in_is_refused_with_the_list() {
    // A provider this build does not carry.
    let other = match (
        cfg!(feature = "rustcrypto-backend"),
        cfg!(feature = "awslc-backend"),
    ) {
        (true, true) => "openssl",
        (true, false) => "awslc",
        _ => "rustcrypto",
    };
    let out = init_with(
        &format!("[algorithms]\ncrypto_backend = \"{other}\"\n"),
        None,
    );
    assert!(text(&out.stdout).contains("RESULT FunctionFailed"));
    let err = text(&out.stderr);
    assert!(err.contains("not compiled into this build"), "{err}");
    assert!(err.contains("it has:"), "{err}");
}

#[test]
fn info_logs_go_to_stderr_when_asked() {
    let quiet = init_with("", None);
    assert!(text(&quiet.stdout).contains("RESULT ok"));
    assert!(!text(&quiet.stderr).contains("INFO"), "silent by default");
    let loud = init_with("", Some("info"));
    assert!(
        text(&loud.stderr).contains("initialized: backend="),
        "{}",
        text(&loud.stderr)
    );
}

#[test]
fn logging_file_from_config() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("module.log");
    let out = init_with(
        &format!("[logging]\nlevel = \"info\"\nfile = {log:?}\n"),
        None,
    );
    assert!(text(&out.stdout).contains("RESULT ok"));
    let written = std::fs::read_to_string(&log).unwrap();
    assert!(written.contains("initialized: backend="), "{written}");
}
