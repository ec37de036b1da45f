//! `token init|info` and `pin change|unlock`.

use crate::fail::Failure;
use crate::pin::{NewPin, SoPin, UserPin};
use clap::Subcommand;
use cryptoki_sys::*;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Subcommand)]
pub enum TokenCommand {
    /// Initialize (or re-initialize, destroying its objects) a token, then set its user PIN.
    Init {
        #[arg(long, default_value_t = 0)]
        slot: u64,
        /// The token label (at most 32 bytes).
        #[arg(long)]
        label: String,
        /// Do not set a user PIN (do it later with `pin unlock`).
        #[arg(long)]
        no_user_pin: bool,
        #[command(flatten)]
        so: SoPin,
        #[command(flatten)]
        user: UserPin,
    },
    /// Token information and PIN state.
    Info {
        #[arg(long, default_value_t = 0)]
        slot: u64,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Subcommand)]
pub enum PinCommand {
    /// Change the user PIN (or, with --so, the SO PIN).
    Change {
        #[arg(long, default_value_t = 0)]
        slot: u64,
        /// Change the SO PIN instead of the user PIN.
        #[arg(long)]
        so: bool,
        /// The current PIN (the SO PIN's with --so).
        #[command(flatten)]
        current: UserPin,
        #[command(flatten)]
        new: NewPin,
    },
    /// Set a new user PIN with the SO PIN: unlocks a user PIN locked by wrong attempts.
    Unlock {
        #[arg(long, default_value_t = 0)]
        slot: u64,
        #[command(flatten)]
        so: SoPin,
        #[command(flatten)]
        new: NewPin,
    },
}

pub fn token(module: Option<PathBuf>, cmd: TokenCommand) -> Result<ExitCode, Failure> {
    match cmd {
        TokenCommand::Init {
            slot,
            label,
            no_user_pin,
            so,
            user,
        } => {
            if label.len() > 32 {
                return Err(Failure::msg(
                    "--label: a token label holds at most 32 bytes",
                ));
            }
            let m = crate::open(module)?;
            let slot = slot as CK_SLOT_ID;
            let so_pin = so.source().read("new SO PIN", true).map_err(Failure::msg)?;
            let user_pin = if no_user_pin {
                None
            } else {
                Some(
                    user.source()
                        .read("new user PIN", true)
                        .map_err(Failure::msg)?,
                )
            };
            m.init_token(slot, &so_pin, &label)?;
            if let Some(pin) = user_pin {
                let s = m.open_session(slot, true)?;
                s.login(CKU_SO, &so_pin)?;
                s.init_pin(&pin)?;
                s.logout()?;
            }
            println!(
                "slot {slot}: token initialized, label {label:?}{}",
                if no_user_pin { "" } else { ", user PIN set" }
            );
            Ok(ExitCode::SUCCESS)
        }
        TokenCommand::Info { slot, json } => {
            let m = crate::open(module)?;
            let t = m.token_info(slot as CK_SLOT_ID)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&t).unwrap_or_default());
                return Ok(ExitCode::SUCCESS);
            }
            println!("slot:              {slot}");
            println!("label:             {}", t.label);
            println!("manufacturer:      {}", t.manufacturer);
            println!("model:             {}", t.model);
            println!("serial:            {}", t.serial);
            println!("initialized:       {}", t.initialized);
            println!("user PIN set:      {}", t.user_pin_initialized);
            println!(
                "user PIN:          {}",
                if t.user_pin_locked {
                    "LOCKED (run `craton-admin pin unlock`)"
                } else if t.user_pin_count_low {
                    "wrong PINs were entered since the last login"
                } else {
                    "ok"
                }
            );
            println!(
                "SO PIN:            {}",
                if t.so_pin_locked { "LOCKED" } else { "ok" }
            );
            println!("PIN length:        {}..={}", t.min_pin_len, t.max_pin_len);
            println!("sessions:          {} of {}", t.sessions, t.max_sessions);
            Ok(ExitCode::SUCCESS)
        }
    }
}

pub fn pin(module: Option<PathBuf>, cmd: PinCommand) -> Result<ExitCode, Failure> {
    match cmd {
        PinCommand::Change {
            slot,
            so,
            current,
            new,
        } => {
            let m = crate::open(module)?;
            let who = if so { "SO" } else { "user" };
            let old = current
                .source()
                .read(&format!("current {who} PIN"), false)
                .map_err(Failure::msg)?;
            let new_pin = new
                .source()
                .read(&format!("new {who} PIN"), true)
                .map_err(Failure::msg)?;
            let s = m.open_session(slot as CK_SLOT_ID, true)?;
            s.login(if so { CKU_SO } else { CKU_USER }, &old)?;
            s.set_pin(&old, &new_pin)?;
            s.logout()?;
            println!("slot {slot}: {who} PIN changed");
            Ok(ExitCode::SUCCESS)
        }
        PinCommand::Unlock { slot, so, new } => {
            let m = crate::open(module)?;
            let so_pin = so.source().read("SO PIN", false).map_err(Failure::msg)?;
            let new_pin = new
                .source()
                .read("new user PIN", true)
                .map_err(Failure::msg)?;
            let s = m.open_session(slot as CK_SLOT_ID, true)?;
            s.login(CKU_SO, &so_pin)?;
            s.init_pin(&new_pin)?;
            s.logout()?;
            println!("slot {slot}: user PIN set; the user PIN is unlocked");
            Ok(ExitCode::SUCCESS)
        }
    }
}
