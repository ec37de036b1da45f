//! craton-admin: the operator's command-line tool for Craton HSM. It drives the module only
//! through the module's own PKCS#11 interface (the library, `C_GetInterface`, the vendor
//! interface "Craton HSM"), so it sees exactly what an application sees.

#![deny(unsafe_code)]
// CK_ULONG is u64 on Unix but u32 on Windows: casts clippy calls unnecessary are needed there.
#![allow(clippy::unnecessary_cast)]

mod audit;
use craton_hsm_crypto::ckr;
mod fail;
mod keyfile;
mod keys;
mod p11;
mod pin;
mod release;
mod status;
mod token;

use clap::{Parser, Subcommand};
use fail::Failure;
use std::path::PathBuf;
use std::process::ExitCode;

/// The environment variable naming the module library.
const MODULE_ENV: &str = "CRATON_HSM_MODULE";

#[derive(Parser)]
#[command(
    name = "craton-admin",
    version,
    about = "Administer Craton HSM through its PKCS#11 interface",
    long_about = "Administer Craton HSM through its PKCS#11 interface.\n\nPINs are read from a \
                  file (--*-pin-file), an environment variable (--*-pin-env) or a prompt with \
                  echo off; never from the command line."
)]
struct Cli {
    /// The module library (default: $CRATON_HSM_MODULE, else the installed library).
    #[arg(long, global = true, value_name = "PATH")]
    module: Option<PathBuf>,
    /// The module's config file (sets CRATON_HSM_CONFIG for the module).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Library, backend, fips_approved_only, POST and each self-test, integrity sidecar,
    /// config, audit log, slots and tokens.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Run the power-on self-tests (a fresh C_Initialize) and show each result.
    SelfTest {
        #[arg(long)]
        json: bool,
    },
    /// The mechanisms a slot offers, with the approved flag of each.
    Mechanisms {
        #[arg(long, default_value_t = 0)]
        slot: u64,
        #[arg(long)]
        json: bool,
    },
    /// Initialize a token or show its information.
    Token {
        #[command(subcommand)]
        command: token::TokenCommand,
    },
    /// Change a PIN, or unlock (reset) the user PIN with the SO PIN.
    Pin {
        #[command(subcommand)]
        command: token::PinCommand,
    },
    /// List, delete or import keys.
    Key {
        #[command(subcommand)]
        command: keys::KeyCommand,
    },
    /// Verify, show or export the audit log.
    Audit {
        #[command(subcommand)]
        command: audit::AuditCommand,
    },
    /// Check a release directory before deployment: every package's complete contents
    /// against release.json and the release policy, SHA256SUMS, signatures, the commit.
    VerifyRelease(release::VerifyReleaseArgs),
    /// Check that this host runs exactly a verified release: the installed package's files
    /// (dpkg/rpm) and the p11-kit module files loading Craton HSM.
    VerifyInstall(release::install::VerifyInstallArgs),
    /// The release's in-toto provenance statement (SLSA v1) as builder ID made it; sign it
    /// (gpg --armor --detach-sign) to publish it as a rebuilder attestation.
    ReleaseProvenance {
        dir: PathBuf,
        #[arg(long, value_name = "ID")]
        builder_id: String,
    },
    /// The contents of packages as release.json declares them (used by the release build).
    #[command(hide = true)]
    ReleaseContents {
        #[arg(required = true)]
        packages: Vec<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Release checks never load the module.
    match &cli.command {
        Command::VerifyRelease(args) => return release::verify_release_cmd(args),
        Command::VerifyInstall(args) => return release::install::verify_install_cmd(args),
        Command::ReleaseProvenance { dir, builder_id } => {
            return match release::provenance_cmd(dir, builder_id) {
                Ok(json) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("craton-admin: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        Command::ReleaseContents { packages } => {
            return match release::contents_cmd(packages) {
                Ok(json) => {
                    println!("{json}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("craton-admin: {e}");
                    ExitCode::FAILURE
                }
            };
        }
        _ => {}
    }
    if let Some(c) = &cli.config {
        // SAFETY: single-threaded here, before the module is loaded.
        unsafe_set_env("CRATON_HSM_CONFIG", c);
    }
    let module = cli.module.clone();
    let r = match cli.command {
        Command::Status { json } => status::status(module, json),
        Command::SelfTest { json } => status::self_test(module, json),
        Command::Mechanisms { slot, json } => status::mechanisms(module, slot, json),
        Command::Token { command } => token::token(module, command),
        Command::Pin { command } => token::pin(module, command),
        Command::Key { command } => keys::key(module, command),
        Command::Audit { command } => audit::audit(module, command),
        Command::VerifyRelease(_)
        | Command::VerifyInstall(_)
        | Command::ReleaseProvenance { .. }
        | Command::ReleaseContents { .. } => {
            unreachable!("handled above")
        }
    };
    match r {
        Ok(code) => code,
        Err(f) => {
            eprintln!("craton-admin: {f}");
            ExitCode::FAILURE
        }
    }
}

#[allow(unsafe_code)]
fn unsafe_set_env(key: &str, value: &std::path::Path) {
    // SAFETY: called before any other thread exists.
    unsafe { std::env::set_var(key, value) };
}

/// The module library: `--module`, else `$CRATON_HSM_MODULE`, else where the packages
/// install it, else next to this program.
pub fn module_path(given: Option<PathBuf>) -> Result<PathBuf, Failure> {
    if let Some(p) = given {
        return Ok(p);
    }
    if let Some(p) = std::env::var_os(MODULE_ENV).filter(|p| !p.is_empty()) {
        return Ok(PathBuf::from(p));
    }
    let candidates = installed_candidates();
    candidates
        .iter()
        .find(|p| p.is_file())
        .cloned()
        .ok_or_else(|| {
            Failure::msg(format!(
                "no Craton HSM module found (looked at {}): give --module PATH or set {MODULE_ENV}",
                candidates
                    .iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })
}

fn installed_candidates() -> Vec<PathBuf> {
    let file = if cfg!(windows) {
        "craton_hsm.dll"
    } else if cfg!(target_os = "macos") {
        "libcraton_hsm.dylib"
    } else {
        "libcraton_hsm.so"
    };
    let mut v = Vec::new();
    if cfg!(target_os = "linux") {
        let multiarch = format!("{}-linux-gnu", std::env::consts::ARCH);
        v.push(PathBuf::from(format!("/usr/lib/{multiarch}/pkcs11/{file}")));
        v.push(PathBuf::from(format!("/usr/lib64/pkcs11/{file}")));
        v.push(PathBuf::from(format!("/usr/lib/pkcs11/{file}")));
    }
    if let Some(dir) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(PathBuf::from))
    {
        v.push(dir.join(file));
    }
    v
}

/// Loads and initializes the module.
pub fn open(module: Option<PathBuf>) -> Result<p11::Module, Failure> {
    let path = module_path(module)?;
    let mut m = p11::Module::load(&path).map_err(Failure::msg)?;
    m.initialize()?;
    Ok(m)
}
