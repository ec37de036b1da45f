//! Shared test harness: loads the built `libcraton_hsm` through the `cryptoki` crate, the way
//! applications do, with a fresh store and config per test.
//!
//! PKCS#11 state is process-wide, so tests in one binary take a lock and run one at a time
//! (plain `cargo test` runs them on threads); `cargo nextest` runs each in its own process.

#![allow(dead_code)]

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error, RvError};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

pub const SO_PIN: &str = "so-secret-1234";
pub const USER_PIN: &str = "user-1234";

static SERIAL: Mutex<()> = Mutex::new(());

/// The cdylib cargo built next to this test binary.
pub fn lib_path() -> PathBuf {
    if let Ok(p) = std::env::var("CRATON_HSM_TEST_LIB") {
        return PathBuf::from(p);
    }
    // `cargo test` builds the cdylib beside the test binaries in target/<profile>/deps/
    // (only `cargo build` copies it up to target/<profile>/).
    let exe = std::env::current_exe().expect("test binary path");
    let deps = exe.parent().expect("deps dir");
    let name = if cfg!(windows) {
        "craton_hsm.dll"
    } else {
        "libcraton_hsm.so"
    };
    deps.join(name)
}

/// One test's module: a temporary store and config, the library loaded and initialized.
pub struct Env {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub p11: Option<Pkcs11>,
    _serial: MutexGuard<'static, ()>,
}

/// Config every test starts from: its own store, fast PBKDF2. Written as dotted keys so a
/// test can add `token.x = ...` lines or whole `[section]`s after it.
pub fn base_config(dir: &Path) -> String {
    format!(
        "token.storage_path = {:?}\nsecurity.pbkdf2_iterations = 1000\nsecurity.max_failed_logins = 3\n",
        dir.join("store")
    )
}

impl Env {
    /// A module with the base config plus `extra` TOML appended.
    pub fn new(extra: &str) -> Env {
        Self::with_config(|dir| format!("{}{}", base_config(dir), extra))
    }

    pub fn with_config(make: impl FnOnce(&Path) -> String) -> Env {
        let serial = SERIAL.lock().unwrap_or_else(|p| p.into_inner());
        let dir = tempfile::tempdir().expect("tempdir");
        let config = dir.path().join("craton_hsm.toml");
        std::fs::write(&config, make(dir.path())).expect("write config");
        set_config_env(&config);
        let mut env = Env {
            dir,
            config,
            p11: None,
            _serial: serial,
        };
        env.load();
        env
    }

    /// Loads and initializes the library (again).
    pub fn load(&mut self) {
        set_config_env(&self.config);
        let p11 = Pkcs11::new(lib_path()).expect("load libcraton_hsm");
        p11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
            .expect("C_Initialize");
        self.p11 = Some(p11);
    }

    /// Finalizes, as a process exit would.
    pub fn unload(&mut self) {
        if let Some(p) = self.p11.take() {
            p.finalize().expect("C_Finalize");
        }
    }

    pub fn reload(&mut self) {
        self.unload();
        self.load();
    }

    pub fn p11(&self) -> &Pkcs11 {
        self.p11.as_ref().expect("module loaded")
    }

    pub fn slot(&self) -> Slot {
        self.p11().get_all_slots().expect("slots")[0]
    }

    /// Initializes slot 0's token and its user PIN.
    pub fn init_token(&self) -> Slot {
        let slot = self.slot();
        self.p11()
            .init_token(slot, &pin(SO_PIN), "craton-test")
            .expect("C_InitToken");
        let s = self.p11().open_rw_session(slot).expect("session");
        s.login(UserType::So, Some(&pin(SO_PIN))).expect("SO login");
        s.init_pin(&pin(USER_PIN)).expect("C_InitPIN");
        s.logout().expect("logout");
        slot
    }

    /// An initialized token and a logged-in read/write user session.
    pub fn user_session(&self) -> Session {
        let slot = self.init_token();
        let s = self.p11().open_rw_session(slot).expect("session");
        s.login(UserType::User, Some(&pin(USER_PIN)))
            .expect("user login");
        s
    }

    pub fn store_dir(&self) -> PathBuf {
        self.dir.path().join("store")
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(p) = self.p11.take() {
            let _ = p.finalize();
        }
    }
}

pub fn set_config_env(path: &Path) {
    // SAFETY: tests in a binary are serialized by SERIAL, so no other thread reads the
    // environment while it changes.
    unsafe {
        std::env::set_var("CRATON_HSM_CONFIG", path);
        std::env::remove_var("CRATON_HSM_LOG");
    }
}

pub fn pin(s: &str) -> AuthPin {
    AuthPin::from(s)
}

/// The `CK_RV` of a cryptoki error, for assertions.
pub fn rv(e: Error) -> RvError {
    match e {
        Error::Pkcs11(rv, _) => rv,
        other => panic!("expected a PKCS#11 error, got {other:?}"),
    }
}

/// Asserts a call failed with the given return value.
#[macro_export]
macro_rules! assert_rv {
    ($call:expr, $rv:path) => {
        match $call {
            Ok(_) => panic!("expected {:?}, got CKR_OK", $rv),
            Err(e) => assert_eq!($crate::common::rv(e), $rv),
        }
    };
}

/// The environment variable that turns a test binary into a helper child process.
pub const CHILD_ENV: &str = "CRATON_TEST_CHILD";

/// Re-runs this test binary as a child process executing the test `entry` with `role`.
/// The child sees `config` as its `CRATON_HSM_CONFIG`.
pub fn child(entry: &str, role: &str, config: &Path) -> std::process::Command {
    let mut c = std::process::Command::new(std::env::current_exe().expect("test binary"));
    c.args([entry, "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, role)
        .env("CRATON_HSM_CONFIG", config)
        .env_remove("CRATON_HSM_LOG");
    c
}

/// The role this process was started for, if it is a helper child.
pub fn child_role() -> Option<String> {
    std::env::var(CHILD_ENV).ok()
}

/// Loads and initializes the module in a helper child (config from the environment).
pub fn child_module() -> Pkcs11 {
    let p11 = Pkcs11::new(lib_path()).expect("load libcraton_hsm");
    p11.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .expect("C_Initialize");
    p11
}
