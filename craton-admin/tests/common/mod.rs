//! Runs the real craton-admin binary against the module built beside it, each test with its
//! own store, config and audit log.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub const SO_PIN: &str = "so-secret-1234";
pub const USER_PIN: &str = "user-1234";

/// The craton-admin binary cargo built for these tests.
pub fn admin_bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_craton-admin"))
}

/// The module library: `$CRATON_HSM_TEST_LIB`, else the one `cargo test` built in
/// target/<profile>/deps (or `cargo build` in target/<profile>).
pub fn module_lib() -> PathBuf {
    if let Ok(p) = std::env::var("CRATON_HSM_TEST_LIB") {
        return PathBuf::from(p);
    }
    let profile_dir = admin_bin().parent().expect("target dir").to_path_buf();
    let name = if cfg!(windows) {
        "craton_hsm.dll"
    } else {
        "libcraton_hsm.so"
    };
    let candidates = [profile_dir.join("deps").join(name), profile_dir.join(name)];
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .unwrap_or_else(|| {
            panic!(
                "no module library at {:?}: build the workspace (cargo test at the top)",
                candidates
            )
        })
}

/// A copy of the module with its integrity sidecar (guide step 4), for approved-only mode.
pub fn library_with_sidecar(dir: &Path) -> PathBuf {
    let lib = dir.join("libcraton_hsm.so");
    std::fs::copy(module_lib(), &lib).expect("copy the library");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tools/compute-integrity-hmac.sh");
    let out = Command::new(script)
        .arg(&lib)
        .output()
        .expect("compute-integrity-hmac.sh");
    assert!(out.status.success(), "compute-integrity-hmac.sh failed");
    lib
}

/// The guide's step-3 config for the backend this module was built with.
pub fn guide_config(backend: &str) -> String {
    format!(
        "[algorithms]\ncrypto_backend = \"{backend}\"\nfips_approved_only = true\nenable_pqc = false\n"
    )
}

/// One test's module, store and config.
pub struct Admin {
    pub dir: tempfile::TempDir,
    pub config: PathBuf,
    pub lib: PathBuf,
}

impl Admin {
    /// The module in default mode with an audit log, plus `extra` config.
    pub fn new(extra: &str) -> Admin {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let config = d.join("craton_hsm.toml");
        let text = format!(
            "{}[audit]\npath = {:?}\n{extra}",
            base(d),
            d.join("audit.jsonl")
        );
        std::fs::write(&config, with_backend(text)).expect("config");
        write_pins(d);
        Admin {
            config,
            lib: module_lib(),
            dir,
        }
    }

    /// The module in approved-only mode on AWS-LC with the guide's config (no [audit] section: the log
    /// is audit.jsonl in the store), a library copy with its sidecar.
    pub fn approved() -> Admin {
        let dir = tempfile::tempdir().expect("tempdir");
        let d = dir.path();
        let lib = library_with_sidecar(d);
        let config = d.join("craton_hsm.toml");
        // The FIPS provider: the RustCrypto one refuses approved-only mode.
        std::fs::write(&config, format!("{}{}", base(d), guide_config("awslc"))).expect("config");
        write_pins(d);
        Admin { config, lib, dir }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn store(&self) -> PathBuf {
        self.path("store")
    }

    /// The configured audit log (default mode).
    pub fn log(&self) -> PathBuf {
        self.path("audit.jsonl")
    }

    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(admin_bin());
        c.args(args)
            .env("CRATON_HSM_CONFIG", &self.config)
            .env("CRATON_HSM_MODULE", &self.lib)
            .env_remove("CRATON_HSM_LOG")
            .env_remove("CRATON_HSM_LOG_FORMAT")
            .current_dir(self.dir.path());
        c
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().expect("run craton-admin")
    }

    /// Runs a command that must succeed; returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "craton-admin {args:?} failed: {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).expect("utf-8")
    }

    /// Runs a command that must fail; returns its stderr.
    pub fn fails(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            !out.status.success(),
            "craton-admin {args:?} succeeded: {}",
            String::from_utf8_lossy(&out.stdout)
        );
        String::from_utf8(out.stderr).expect("utf-8")
    }

    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        serde_json::from_str(&self.ok(args)).expect("JSON output")
    }

    pub fn backend(&self) -> String {
        self.json(&["status", "--json"])["backend"]
            .as_str()
            .expect("backend")
            .to_string()
    }

    /// `token init` with the PIN files.
    pub fn init_token(&self) {
        self.ok(&[
            "token",
            "init",
            "--label",
            "admin-test",
            "--so-pin-file",
            "so.pin",
            "--pin-file",
            "user.pin",
        ]);
    }

    /// Every record of a log file.
    pub fn records(path: &Path) -> Vec<serde_json::Value> {
        std::fs::read_to_string(path)
            .expect("read log")
            .lines()
            .map(|l| serde_json::from_str(l).expect("a JSON record"))
            .collect()
    }
}

/// Names the provider `CRATON_TEST_BACKEND` asks for (tools/test.sh runs the tests once per
/// provider of one build), unless the config names one already.
fn with_backend(config: String) -> String {
    let Ok(backend) = std::env::var("CRATON_TEST_BACKEND") else {
        return config;
    };
    if config.contains("crypto_backend") {
        return config;
    }
    let line = format!("crypto_backend = {backend:?}\n");
    match config.find("[algorithms]\n") {
        Some(i) => {
            let at = i + "[algorithms]\n".len();
            format!("{}{line}{}", &config[..at], &config[at..])
        }
        None => format!("{config}\n[algorithms]\n{line}"),
    }
}

fn base(d: &Path) -> String {
    format!(
        "token.storage_path = {:?}\nsecurity.pbkdf2_iterations = 1000\nsecurity.max_failed_logins = 3\n",
        d.join("store")
    )
}

fn write_pins(d: &Path) {
    std::fs::write(d.join("so.pin"), format!("{SO_PIN}\n")).expect("pin file");
    std::fs::write(d.join("user.pin"), format!("{USER_PIN}\n")).expect("pin file");
    std::fs::write(d.join("wrong.pin"), "not-the-pin\n").expect("pin file");
    std::fs::write(d.join("new.pin"), "new-user-5678\n").expect("pin file");
}

/// Writes a key with openssl (`args` after `genpkey`), returning its path.
pub fn openssl_key(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let st = Command::new("openssl")
        .arg("genpkey")
        .args(args)
        .arg("-out")
        .arg(&out)
        .output()
        .expect("openssl");
    assert!(st.status.success(), "openssl genpkey {args:?}");
    out
}
