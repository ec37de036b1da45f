//! Shared test harness: loads the built `libcraton_hsm` through the `cryptoki` crate, the way
//! applications do, with a fresh store and config per test.
//!
//! PKCS#11 state is process-wide, so tests in one binary take a lock and run one at a time
//! (plain `cargo test` runs them on threads); `cargo nextest` runs each in its own process.

#![allow(dead_code, unreachable_pub)]

pub mod keys;
pub mod raw;
pub mod store;

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
        std::fs::write(&config, with_backend(make(dir.path()))).expect("write config");
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

/// The module's raw C entry points, for mechanisms the cryptoki crate has no type for
/// (SHA-3, CKM_AES_KEY_WRAP_KWP, ...). Loading the library again shares the module state.
pub struct RawLib(pub cryptoki_sys::Pkcs11);

pub fn raw_lib() -> RawLib {
    // SAFETY: loading our own module, which has no load-time side effects.
    RawLib(unsafe { cryptoki_sys::Pkcs11::new(lib_path()) }.expect("load libcraton_hsm"))
}

fn mech(ty: cryptoki_sys::CK_MECHANISM_TYPE) -> cryptoki_sys::CK_MECHANISM {
    cryptoki_sys::CK_MECHANISM {
        mechanism: ty,
        pParameter: std::ptr::null_mut(),
        ulParameterLen: 0,
    }
}

/// Runs a length query then the real call, as C callers do.
fn two_call(
    mut f: impl FnMut(*mut u8, *mut cryptoki_sys::CK_ULONG) -> cryptoki_sys::CK_RV,
) -> Result<Vec<u8>, cryptoki_sys::CK_RV> {
    let mut len: cryptoki_sys::CK_ULONG = 0;
    let rv = f(std::ptr::null_mut(), &mut len);
    if rv != cryptoki_sys::CKR_OK {
        return Err(rv);
    }
    let mut out = vec![0u8; len as usize];
    let rv = f(out.as_mut_ptr(), &mut len);
    if rv != cryptoki_sys::CKR_OK {
        return Err(rv);
    }
    out.truncate(len as usize);
    Ok(out)
}

impl RawLib {
    /// `C_GetOperationState` with a length query first.
    pub fn get_state(
        &self,
        h: cryptoki_sys::CK_SESSION_HANDLE,
    ) -> Result<Vec<u8>, cryptoki_sys::CK_RV> {
        // SAFETY: valid pointers for the duration of each call.
        two_call(|out, len| unsafe { self.0.C_GetOperationState(h, out, len) })
    }

    pub fn set_state(
        &self,
        h: cryptoki_sys::CK_SESSION_HANDLE,
        state: &[u8],
        enc_key: cryptoki_sys::CK_OBJECT_HANDLE,
        auth_key: cryptoki_sys::CK_OBJECT_HANDLE,
    ) -> cryptoki_sys::CK_RV {
        // SAFETY: valid pointers for the duration of the call.
        unsafe {
            self.0.C_SetOperationState(
                h,
                state.as_ptr() as *mut _,
                state.len() as _,
                enc_key,
                auth_key,
            )
        }
    }

    pub fn digest(
        &self,
        h: cryptoki_sys::CK_SESSION_HANDLE,
        ty: cryptoki_sys::CK_MECHANISM_TYPE,
        data: &[u8],
    ) -> Result<Vec<u8>, cryptoki_sys::CK_RV> {
        let mut m = mech(ty);
        // SAFETY: valid pointers for the duration of each call.
        unsafe {
            let rv = self.0.C_DigestInit(h, &mut m);
            if rv != cryptoki_sys::CKR_OK {
                return Err(rv);
            }
            two_call(|out, len| {
                self.0
                    .C_Digest(h, data.as_ptr() as *mut _, data.len() as _, out, len)
            })
        }
    }

    pub fn sign(
        &self,
        h: cryptoki_sys::CK_SESSION_HANDLE,
        ty: cryptoki_sys::CK_MECHANISM_TYPE,
        key: cryptoki_sys::CK_OBJECT_HANDLE,
        data: &[u8],
    ) -> Result<Vec<u8>, cryptoki_sys::CK_RV> {
        let mut m = mech(ty);
        // SAFETY: valid pointers for the duration of each call.
        unsafe {
            let rv = self.0.C_SignInit(h, &mut m, key);
            if rv != cryptoki_sys::CKR_OK {
                return Err(rv);
            }
            two_call(|out, len| {
                self.0
                    .C_Sign(h, data.as_ptr() as *mut _, data.len() as _, out, len)
            })
        }
    }

    pub fn verify(
        &self,
        h: cryptoki_sys::CK_SESSION_HANDLE,
        ty: cryptoki_sys::CK_MECHANISM_TYPE,
        key: cryptoki_sys::CK_OBJECT_HANDLE,
        data: &[u8],
        sig: &[u8],
    ) -> cryptoki_sys::CK_RV {
        let mut m = mech(ty);
        // SAFETY: valid pointers for the duration of each call.
        unsafe {
            let rv = self.0.C_VerifyInit(h, &mut m, key);
            if rv != cryptoki_sys::CKR_OK {
                return rv;
            }
            self.0.C_Verify(
                h,
                data.as_ptr() as *mut _,
                data.len() as _,
                sig.as_ptr() as *mut _,
                sig.len() as _,
            )
        }
    }

    /// C_Encrypt / C_Decrypt with a parameterless mechanism.
    pub fn crypt(
        &self,
        h: cryptoki_sys::CK_SESSION_HANDLE,
        ty: cryptoki_sys::CK_MECHANISM_TYPE,
        key: cryptoki_sys::CK_OBJECT_HANDLE,
        data: &[u8],
        encrypt: bool,
    ) -> Result<Vec<u8>, cryptoki_sys::CK_RV> {
        let mut m = mech(ty);
        // SAFETY: valid pointers for the duration of each call.
        unsafe {
            let rv = if encrypt {
                self.0.C_EncryptInit(h, &mut m, key)
            } else {
                self.0.C_DecryptInit(h, &mut m, key)
            };
            if rv != cryptoki_sys::CKR_OK {
                return Err(rv);
            }
            two_call(|out, len| {
                if encrypt {
                    self.0
                        .C_Encrypt(h, data.as_ptr() as *mut _, data.len() as _, out, len)
                } else {
                    self.0
                        .C_Decrypt(h, data.as_ptr() as *mut _, data.len() as _, out, len)
                }
            })
        }
    }

    pub fn wrap_key(
        &self,
        h: cryptoki_sys::CK_SESSION_HANDLE,
        ty: cryptoki_sys::CK_MECHANISM_TYPE,
        kek: cryptoki_sys::CK_OBJECT_HANDLE,
        key: cryptoki_sys::CK_OBJECT_HANDLE,
    ) -> Result<Vec<u8>, cryptoki_sys::CK_RV> {
        let mut m = mech(ty);
        // SAFETY: valid pointers for the duration of each call.
        two_call(|out, len| unsafe { self.0.C_WrapKey(h, &mut m, kek, key, out, len) })
    }

    /// Unwraps into an extractable, non-sensitive AES session key.
    pub fn unwrap_aes(
        &self,
        h: cryptoki_sys::CK_SESSION_HANDLE,
        ty: cryptoki_sys::CK_MECHANISM_TYPE,
        kek: cryptoki_sys::CK_OBJECT_HANDLE,
        wrapped: &[u8],
    ) -> Result<cryptoki_sys::CK_OBJECT_HANDLE, cryptoki_sys::CK_RV> {
        use cryptoki_sys::*;
        use raw::Val;
        let template = vec![
            (CKA_CLASS, Val::Ulong(CKO_SECRET_KEY)),
            (CKA_KEY_TYPE, Val::Ulong(CKK_AES)),
            (CKA_SENSITIVE, Val::Bool(false)),
            (CKA_EXTRACTABLE, Val::Bool(true)),
        ];
        raw::raw_unwrap(self, h, ty, kek, wrapped, template)
    }
}

/// The crypto provider the tests run against. A build may carry both; `tools/test.sh` runs the
/// whole suite once per provider from one build, naming it in `CRATON_TEST_BACKEND`. Without
/// it, the build's default: the first provider compiled in.
pub fn backend() -> &'static str {
    match std::env::var("CRATON_TEST_BACKEND").as_deref() {
        Ok("awslc") => "awslc",
        Ok("rustcrypto") => "rustcrypto",
        Ok(other) => panic!("CRATON_TEST_BACKEND = {other:?}: rustcrypto or awslc"),
        Err(_) if cfg!(feature = "rustcrypto-backend") => "rustcrypto",
        Err(_) => "awslc",
    }
}

/// Whether the tests run against the AWS-LC provider.
pub fn awslc() -> bool {
    backend() == "awslc"
}

/// A test's config text with `algorithms.crypto_backend` naming `backend()`, unless the test
/// names one itself.
pub fn with_backend(config: String) -> String {
    if config.contains("crypto_backend") {
        return config;
    }
    let line = format!("crypto_backend = {:?}\n", backend());
    const SECTION: &str = "[algorithms]\n";
    match config.find(SECTION) {
        Some(i) => {
            let at = i + SECTION.len();
            format!("{}{line}{}", &config[..at], &config[at..])
        }
        None => format!("{config}\n{SECTION}{line}"),
    }
}

/// `library_with_sidecar` in `CARGO_TARGET_TMPDIR/<name>-<build>`, shared by the test processes
/// of one build (`<build>` is the library's size and modification time). Each process makes
/// its copy aside and renames it in, sidecar first; the copies of one build are identical, so
/// a process never sees a library without its matching sidecar.
pub fn shared_library_with_sidecar(name: &str) -> PathBuf {
    let meta = std::fs::metadata(lib_path()).expect("the built library");
    let stamp = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{name}-{}-{stamp}", meta.len()));
    let lib = dir.join("libcraton_hsm.so");
    if lib.is_file() && dir.join("libcraton_hsm.hmac").is_file() {
        return lib;
    }
    let aside = dir.join(format!(".{}", std::process::id()));
    std::fs::create_dir_all(&aside).expect("make the shared library directory");
    library_with_sidecar(&aside);
    for file in ["libcraton_hsm.hmac", "libcraton_hsm.so"] {
        std::fs::rename(aside.join(file), dir.join(file)).expect("move the copy in");
    }
    let _ = std::fs::remove_dir(&aside);
    lib
}

/// A copy of the built library in `dir`, with its integrity sidecar written by
/// tools/compute-integrity-hmac.sh (as an operator would, guide step 4).
pub fn library_with_sidecar(dir: &Path) -> PathBuf {
    let lib = dir.join("libcraton_hsm.so");
    std::fs::copy(lib_path(), &lib).expect("copy the library");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tools/compute-integrity-hmac.sh");
    let out = std::process::Command::new(script)
        .arg(&lib)
        .output()
        .expect("run compute-integrity-hmac.sh");
    assert!(out.status.success(), "compute-integrity-hmac.sh failed");
    assert!(dir.join("libcraton_hsm.hmac").is_file());
    lib
}
