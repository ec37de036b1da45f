//! Where a PIN comes from: a file, an environment variable, or a prompt on the terminal with
//! echo off. Never the command line (other users can read it in the process list).

use clap::Args;
use std::path::PathBuf;
use zeroize::Zeroizing;

/// A PIN, wiped from memory when dropped.
pub type Pin = Zeroizing<Vec<u8>>;

/// The two ways to give one PIN without a prompt.
#[derive(Debug, Clone, Default)]
pub struct Source {
    pub file: Option<PathBuf>,
    pub env: Option<String>,
}

impl Source {
    /// Reads the PIN; prompts (`what`, twice when `confirm`) when neither source is given.
    pub fn read(&self, what: &str, confirm: bool) -> Result<Pin, String> {
        if let Some(path) = &self.file {
            let text = Zeroizing::new(
                std::fs::read(path)
                    .map_err(|e| format!("{what}: cannot read {}: {e}", path.display()))?,
            );
            // One line; a trailing newline (as `echo` writes) is not part of the PIN.
            let end = text
                .iter()
                .position(|&b| b == b'\n' || b == b'\r')
                .unwrap_or(text.len());
            return non_empty(what, Zeroizing::new(text[..end].to_vec()));
        }
        if let Some(var) = &self.env {
            let v = std::env::var_os(var)
                .ok_or_else(|| format!("{what}: the environment variable {var} is not set"))?;
            let bytes = Zeroizing::new(v.into_encoded_bytes());
            return non_empty(what, bytes);
        }
        let first = prompt(&format!("{what}: "))?;
        if confirm {
            let again = prompt(&format!("{what} (again): "))?;
            if *first != *again {
                return Err(format!("{what}: the two entries differ"));
            }
        }
        non_empty(what, first)
    }
}

fn non_empty(what: &str, pin: Pin) -> Result<Pin, String> {
    if pin.is_empty() {
        return Err(format!("{what} is empty"));
    }
    Ok(pin)
}

fn prompt(text: &str) -> Result<Pin, String> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(
            "no terminal to prompt for the PIN: give it with a --*-pin-file or --*-pin-env option"
                .into(),
        );
    }
    rpassword::prompt_password(text)
        .map(|s| Zeroizing::new(s.into_bytes()))
        .map_err(|e| {
            format!(
                "cannot prompt for the PIN ({e}): no terminal? Give it with a --*-pin-file or \
                 --*-pin-env option"
            )
        })
}

/// `--pin-file` / `--pin-env`: the user PIN (or the PIN a command needs).
#[derive(Debug, Clone, Args, Default)]
pub struct UserPin {
    /// Read the user PIN from this file (first line).
    #[arg(long, value_name = "PATH", global = false)]
    pub pin_file: Option<PathBuf>,
    /// Read the user PIN from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "pin_file")]
    pub pin_env: Option<String>,
}

impl UserPin {
    pub fn source(&self) -> Source {
        Source {
            file: self.pin_file.clone(),
            env: self.pin_env.clone(),
        }
    }
}

/// `--so-pin-file` / `--so-pin-env`.
#[derive(Debug, Clone, Args, Default)]
pub struct SoPin {
    /// Read the SO PIN from this file (first line).
    #[arg(long, value_name = "PATH")]
    pub so_pin_file: Option<PathBuf>,
    /// Read the SO PIN from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "so_pin_file")]
    pub so_pin_env: Option<String>,
}

impl SoPin {
    pub fn source(&self) -> Source {
        Source {
            file: self.so_pin_file.clone(),
            env: self.so_pin_env.clone(),
        }
    }
}

/// `--new-pin-file` / `--new-pin-env`.
#[derive(Debug, Clone, Args, Default)]
pub struct NewPin {
    /// Read the new PIN from this file (first line).
    #[arg(long, value_name = "PATH")]
    pub new_pin_file: Option<PathBuf>,
    /// Read the new PIN from this environment variable.
    #[arg(long, value_name = "VAR", conflicts_with = "new_pin_file")]
    pub new_pin_env: Option<String>,
}

impl NewPin {
    pub fn source(&self) -> Source {
        Source {
            file: self.new_pin_file.clone(),
            env: self.new_pin_env.clone(),
        }
    }
}
