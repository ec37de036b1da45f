//! `craton_hsm.toml`: where it is found, what it holds, and how it is checked.
//!
//! Lookup order: `$CRATON_HSM_CONFIG` (which must then exist), else
//! `$XDG_CONFIG_HOME/craton-hsm/craton_hsm.toml` (per user), else
//! `/etc/craton-hsm/craton_hsm.toml` (system-wide; `%ProgramData%\craton-hsm\craton_hsm.toml`
//! on Windows, where the MSI installs it); no file at all means the documented
//! defaults. Unknown keys, wrong types and out-of-range values are errors that name the key.
//!
//! The system file is a policy as well as a default: when it sets `fips_approved_only = true`,
//! a per-user file or `$CRATON_HSM_CONFIG` chosen ahead of it cannot turn that off (nor pick
//! another provider); the weaker request is logged and ignored.

use serde::Deserialize;
use std::path::{Path, PathBuf};

/// The environment variable naming the config file.
pub const CONFIG_ENV: &str = "CRATON_HSM_CONFIG";
/// File name looked up in the per-user and system config directories.
pub const CONFIG_FILE_NAME: &str = "craton_hsm.toml";
/// The system-wide config path (what the deb and rpm install).
pub const SYSTEM_CONFIG_PATH: &str = "/etc/craton-hsm/craton_hsm.toml";

/// The system-wide config file of this platform.
fn system_config() -> Option<PathBuf> {
    if cfg!(windows) {
        std::env::var_os("ProgramData")
            .map(|d| PathBuf::from(d).join("craton-hsm").join(CONFIG_FILE_NAME))
    } else {
        Some(PathBuf::from(SYSTEM_CONFIG_PATH))
    }
}

/// A config problem, worded for the operator: it always names the key or the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// The whole configuration.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub algorithms: Algorithms,
    pub token: TokenConfig,
    pub security: Security,
    pub audit: Audit,
    pub logging: Logging,
    /// Where this config came from (`None` = built-in defaults).
    #[serde(skip)]
    pub source: Option<PathBuf>,
    /// The files the lookup order considered, in order.
    #[serde(skip)]
    pub considered: Vec<Considered>,
    /// Requests of the chosen file that the system policy overrode, worded for the log.
    #[serde(skip)]
    pub overridden: Vec<String>,
}

/// One place the lookup order looked for a config file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Considered {
    pub path: PathBuf,
    /// `CRATON_HSM_CONFIG`, `user` or `system`.
    pub origin: &'static str,
    pub exists: bool,
}

/// `[algorithms]`: the mechanism policy, named exactly as the FIPS guide names it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Algorithms {
    /// Which of the build's crypto providers to use, by name. Default: the build's first.
    pub crypto_backend: Option<String>,
    pub fips_approved_only: bool,
    /// `None` when the key is absent, so an explicit `true` in approved mode can be reported.
    pub enable_pqc: Option<bool>,
    pub allow_weak_rsa: bool,
    pub allow_sha1_signing: bool,
}

impl Algorithms {
    /// PQC defaults to on outside approved mode.
    pub fn pqc_enabled(&self) -> bool {
        self.enable_pqc.unwrap_or(true)
    }
}

/// `[token]`: slots and where their stores live.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TokenConfig {
    /// Directory holding one database per slot. Default: the per-user data directory.
    pub storage_path: Option<PathBuf>,
    pub slot_count: u64,
    /// Label reported for a token that has not been initialized yet.
    pub label: String,
    pub max_sessions: u64,
}

impl Default for TokenConfig {
    fn default() -> Self {
        TokenConfig {
            storage_path: None,
            slot_count: 1,
            label: "Craton HSM".into(),
            max_sessions: 1024,
        }
    }
}

/// `[security]`: PIN policy and PIN key derivation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Security {
    pub pin_min_length: u64,
    pub pin_max_length: u64,
    pub max_failed_logins: u64,
    pub pbkdf2_iterations: u64,
    /// Lets one secret key both wrap/unwrap keys and encrypt/decrypt data (an oracle; off by
    /// default, docs/security.md).
    pub allow_mixed_key_roles: bool,
    /// Keeps a right PIN's derivation for the process, so the same PIN logs in again without
    /// PBKDF2 (docs/security.md, "PIN derivation, once per process").
    pub remember_pin: bool,
}

impl Default for Security {
    fn default() -> Self {
        Security {
            pin_min_length: 4,
            pin_max_length: 64,
            max_failed_logins: 10,
            pbkdf2_iterations: 600_000,
            allow_mixed_key_roles: false,
            remember_pin: true,
        }
    }
}

/// `[audit]`: the JSON-lines audit log.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Audit {
    pub path: Option<PathBuf>,
    /// What happens while records cannot be written. Approved-only mode always refuses.
    pub on_failure: Option<AuditFailure>,
    /// Longest wait for another process's lock on the log, in milliseconds.
    pub write_timeout_ms: u64,
}

impl Default for Audit {
    fn default() -> Self {
        Audit {
            path: None,
            on_failure: None,
            write_timeout_ms: 2_000,
        }
    }
}

/// `[audit] on_failure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AuditFailure {
    /// New operations fail with `CKR_DEVICE_ERROR` until the records can be written.
    Refuse,
    /// Operations go on; records wait in a bounded queue, and overflow is counted.
    Continue,
}

/// `[logging] format` (and `CRATON_HSM_LOG_FORMAT`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// `[logging]`: `tracing` output.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Logging {
    /// An env-filter string (`info`, `craton_hsm=debug`); `CRATON_HSM_LOG` overrides it.
    pub level: Option<String>,
    /// Append logs to this file instead of stderr.
    pub file: Option<PathBuf>,
    /// `text` (default) or `json`; `CRATON_HSM_LOG_FORMAT` overrides it.
    pub format: Option<LogFormat>,
}

/// Bounds checked after parsing; each names its key.
const RANGES: &[(&str, u64, u64)] = &[
    ("token.slot_count", 1, 64),
    ("token.max_sessions", 1, 65_536),
    ("security.pin_min_length", 1, 255),
    ("security.pin_max_length", 1, 255),
    ("security.max_failed_logins", 1, 1_000),
    ("security.pbkdf2_iterations", 1_000, 10_000_000),
    ("audit.write_timeout_ms", 10, 60_000),
];

impl Config {
    /// Finds and loads the config as the lookup order says.
    pub fn load() -> Result<Config, ConfigError> {
        let (found, considered) = locate()?;
        let mut cfg = Config::load_from(found.as_deref(), system_config().as_deref())?;
        cfg.considered = considered;
        Ok(cfg)
    }

    /// The config in `found` (the defaults when `None`), under the policy of the system file
    /// `system` when that is another file that exists.
    pub fn load_from(found: Option<&Path>, system: Option<&Path>) -> Result<Config, ConfigError> {
        let mut cfg = match found {
            Some(path) => Config::from_file(path)?,
            None => {
                let cfg = Config::default();
                cfg.validate()?;
                cfg
            }
        };
        if let Some(system) = system.filter(|s| s.is_file() && Some(*s) != found) {
            // An unreadable system file is an error, not a reason to drop its policy.
            cfg.hold_system_policy(&Config::from_file(system)?);
        }
        Ok(cfg)
    }

    /// Approved-only mode set by the system file holds, with the system's provider choice.
    fn hold_system_policy(&mut self, system: &Config) {
        let sys = &system.algorithms;
        if !sys.fips_approved_only {
            return;
        }
        let here = self
            .source
            .as_ref()
            .map_or("the built-in defaults".to_string(), |p| {
                p.display().to_string()
            });
        let there = system.source.as_ref().map(|p| p.display().to_string());
        let there = there.as_deref().unwrap_or(SYSTEM_CONFIG_PATH);
        if !self.algorithms.fips_approved_only {
            self.overridden.push(format!(
                "{here} sets algorithms.fips_approved_only = false, but the system policy {there} \
                 sets it to true: ignored (a per-user file or {CONFIG_ENV} cannot weaken it)"
            ));
            self.algorithms.fips_approved_only = true;
        }
        if sys.crypto_backend.is_some() && self.algorithms.crypto_backend != sys.crypto_backend {
            self.overridden.push(format!(
                "{here} sets algorithms.crypto_backend = {:?}, but the system policy {there} is \
                 approved-only with {:?}: ignored",
                self.algorithms
                    .crypto_backend
                    .as_deref()
                    .unwrap_or("(the build's first)"),
                sys.crypto_backend.as_deref().unwrap_or_default()
            ));
            self.algorithms.crypto_backend = sys.crypto_backend.clone();
        }
    }

    /// Loads one file.
    pub fn from_file(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("config {}: cannot read: {e}", path.display())))?;
        let mut cfg = Config::parse(&text)
            .map_err(|e| ConfigError(format!("config {}: {}", path.display(), e.0)))?;
        cfg.source = Some(path.to_path_buf());
        Ok(cfg)
    }

    /// Parses and validates TOML text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let de = toml::Deserializer::parse(text)
            .map_err(|e| ConfigError(describe_toml_error(&e, text)))?;
        let cfg: Config = serde_path_to_error::deserialize(de).map_err(|e| {
            let path = e.path().to_string();
            let inner = describe_toml_error(e.inner(), text);
            ConfigError(if path == "." {
                inner
            } else {
                format!("{path}: {inner}")
            })
        })?;
        cfg.validate()?;
        Ok(cfg)
    }

    fn value_of(&self, key: &str) -> u64 {
        match key {
            "token.slot_count" => self.token.slot_count,
            "token.max_sessions" => self.token.max_sessions,
            "security.pin_min_length" => self.security.pin_min_length,
            "security.pin_max_length" => self.security.pin_max_length,
            "security.max_failed_logins" => self.security.max_failed_logins,
            "security.pbkdf2_iterations" => self.security.pbkdf2_iterations,
            "audit.write_timeout_ms" => self.audit.write_timeout_ms,
            _ => unreachable!("RANGES names only known keys"),
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        for &(key, lo, hi) in RANGES {
            let v = self.value_of(key);
            if !(lo..=hi).contains(&v) {
                return Err(ConfigError(format!(
                    "{key} = {v} is out of range {lo}..={hi}"
                )));
            }
        }
        if self.security.pin_min_length > self.security.pin_max_length {
            return Err(ConfigError(format!(
                "security.pin_min_length = {} is greater than security.pin_max_length = {}",
                self.security.pin_min_length, self.security.pin_max_length
            )));
        }
        if self.token.label.len() > 32 {
            return Err(ConfigError(format!(
                "token.label is {} bytes long; a PKCS#11 token label holds at most 32",
                self.token.label.len()
            )));
        }
        for (key, path) in [
            ("token.storage_path", &self.token.storage_path),
            ("audit.path", &self.audit.path),
            ("logging.file", &self.logging.file),
        ] {
            if path.as_ref().is_some_and(|p| p.as_os_str().is_empty()) {
                return Err(ConfigError(format!(
                    "{key} is empty: name a path, or leave the key out for the default"
                )));
            }
        }
        if let Some(level) = &self.logging.level {
            tracing_subscriber::EnvFilter::try_new(level)
                .map_err(|e| ConfigError(format!("logging.level = {level:?} is invalid: {e}")))?;
        }
        Ok(())
    }

    /// The directory holding the token stores.
    pub fn storage_dir(&self) -> Result<PathBuf, ConfigError> {
        if let Some(p) = &self.token.storage_path {
            return Ok(p.clone());
        }
        dirs::data_dir()
            .map(|d| d.join("craton-hsm"))
            .ok_or_else(|| {
                ConfigError(
                    "token.storage_path is not set and no per-user data directory is known \
                 (set HOME or XDG_DATA_HOME)"
                        .into(),
                )
            })
    }
}

/// The places the lookup order looks at, in order: `$CRATON_HSM_CONFIG` when it is set, else
/// the per-user file; then the system-wide file (read for its policy even when not chosen).
pub fn lookup() -> Vec<Considered> {
    let first = match std::env::var_os(CONFIG_ENV).filter(|p| !p.is_empty()) {
        Some(p) => (Some(PathBuf::from(p)), CONFIG_ENV),
        None => (
            dirs::config_dir().map(|d| d.join("craton-hsm").join(CONFIG_FILE_NAME)),
            "user",
        ),
    };
    [first, (system_config(), "system")]
        .into_iter()
        .filter_map(|(p, origin)| {
            p.map(|path| Considered {
                exists: path.is_file(),
                path,
                origin,
            })
        })
        .collect()
}

/// The config file to read, if any, and every place looked at.
fn locate() -> Result<(Option<PathBuf>, Vec<Considered>), ConfigError> {
    let considered = lookup();
    if let Some(c) = considered
        .iter()
        .find(|c| c.origin == CONFIG_ENV && !c.exists)
    {
        return Err(ConfigError(format!(
            "{CONFIG_ENV} names {}, which is not a readable file",
            c.path.display()
        )));
    }
    let found = considered.iter().find(|c| c.exists).map(|c| c.path.clone());
    Ok((found, considered))
}

/// One line: toml's message plus, where it points into the text, the line it points at.
fn describe_toml_error(e: &toml::de::Error, text: &str) -> String {
    let msg = e.message().trim().replace('\n', " ");
    let Some(span) = e.span() else { return msg };
    let start = span.start.min(text.len());
    let line_no = text[..start].matches('\n').count() + 1;
    let line = text.lines().nth(line_no - 1).unwrap_or("").trim();
    format!("{msg} (line {line_no}: `{line}`)")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid() {
        let cfg = Config::parse("").unwrap();
        assert_eq!(cfg.token.slot_count, 1);
        assert_eq!(cfg.security.pbkdf2_iterations, 600_000);
        assert!(cfg.security.remember_pin);
        assert!(!cfg.algorithms.fips_approved_only);
        assert!(cfg.algorithms.pqc_enabled());
    }

    #[test]
    fn guide_example_parses() {
        let cfg = Config::parse(
            "[algorithms]\ncrypto_backend = \"awslc\"\nfips_approved_only = true\nenable_pqc = false\n",
        )
        .unwrap();
        assert_eq!(cfg.algorithms.crypto_backend.as_deref(), Some("awslc"));
        assert!(cfg.algorithms.fips_approved_only);
        assert!(!cfg.algorithms.pqc_enabled());
    }

    #[test]
    fn unknown_key_is_named() {
        let e = Config::parse("[algorithms]\nfips_only = true\n").unwrap_err();
        assert!(e.0.contains("fips_only"), "{e}");
    }

    #[test]
    fn unknown_section_is_named() {
        let e = Config::parse("[tokens]\nslot_count = 2\n").unwrap_err();
        assert!(e.0.contains("tokens"), "{e}");
    }

    #[test]
    fn wrong_type_is_reported() {
        let e = Config::parse("[algorithms]\nfips_approved_only = \"yes\"\n").unwrap_err();
        assert!(e.0.contains("bool") || e.0.contains("boolean"), "{e}");
    }

    #[test]
    fn out_of_range_names_the_key() {
        let e = Config::parse("[security]\npbkdf2_iterations = 10\n").unwrap_err();
        assert!(e.0.contains("security.pbkdf2_iterations"), "{e}");
        let e = Config::parse("[token]\nslot_count = 0\n").unwrap_err();
        assert!(e.0.contains("token.slot_count"), "{e}");
    }

    #[test]
    fn empty_paths_name_their_key() {
        for key in ["token.storage_path", "audit.path", "logging.file"] {
            let (table, name) = key.split_once('.').unwrap();
            let e = Config::parse(&format!("[{table}]\n{name} = \"\"\n")).unwrap_err();
            assert!(e.0.contains(key), "{e}");
        }
    }

    #[test]
    fn audit_keys_parse() {
        let cfg =
            Config::parse("[audit]\non_failure = \"refuse\"\nwrite_timeout_ms = 50\n").unwrap();
        assert_eq!(cfg.audit.on_failure, Some(AuditFailure::Refuse));
        assert_eq!(cfg.audit.write_timeout_ms, 50);
        let e = Config::parse("[audit]\nwrite_timeout_ms = 0\n").unwrap_err();
        assert!(e.0.contains("audit.write_timeout_ms"), "{e}");
        let e = Config::parse("[audit]\non_failure = \"ignore\"\n").unwrap_err();
        assert!(e.0.contains("ignore"), "{e}");
    }

    fn files(user: &str, system: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let (u, s) = (dir.path().join("user.toml"), dir.path().join("system.toml"));
        std::fs::write(&u, user).unwrap();
        std::fs::write(&s, system).unwrap();
        (dir, u, s)
    }

    const SYSTEM_FIPS: &str =
        "[algorithms]\ncrypto_backend = \"awslc\"\nfips_approved_only = true\n";

    #[test]
    fn a_user_file_cannot_weaken_the_system_policy() {
        let user = "[algorithms]\ncrypto_backend = \"rustcrypto\"\nfips_approved_only = false\n";
        let (_d, u, s) = files(user, SYSTEM_FIPS);
        let cfg = Config::load_from(Some(&u), Some(&s)).unwrap();
        assert!(cfg.algorithms.fips_approved_only);
        assert_eq!(cfg.algorithms.crypto_backend.as_deref(), Some("awslc"));
        assert_eq!(
            cfg.source.as_deref(),
            Some(u.as_path()),
            "the user file stays the source"
        );
        assert_eq!(cfg.overridden.len(), 2, "{:?}", cfg.overridden);
        assert!(cfg.overridden[0].contains("fips_approved_only = false"));
        // No file at all is no way round it either.
        let cfg = Config::load_from(None, Some(&s)).unwrap();
        assert!(cfg.algorithms.fips_approved_only);
    }

    #[test]
    fn the_system_policy_leaves_agreeing_and_other_settings_alone() {
        let user = "token.label = \"mine\"\n[algorithms]\ncrypto_backend = \"awslc\"\nfips_approved_only = true\n";
        let (_d, u, s) = files(user, SYSTEM_FIPS);
        let cfg = Config::load_from(Some(&u), Some(&s)).unwrap();
        assert!(cfg.overridden.is_empty(), "{:?}", cfg.overridden);
        assert_eq!(cfg.token.label, "mine");
        // A system file that is not approved-only is only a default.
        let (_d, u, s) = files(
            "[algorithms]\nenable_pqc = true\n",
            "token.label = \"sys\"\n",
        );
        let cfg = Config::load_from(Some(&u), Some(&s)).unwrap();
        assert!(!cfg.algorithms.fips_approved_only && cfg.overridden.is_empty());
        assert_eq!(cfg.token.label, Config::default().token.label);
        // The system file chosen itself is read once, not overridden by itself.
        let cfg = Config::load_from(Some(&s), Some(&s)).unwrap();
        assert!(cfg.overridden.is_empty());
    }

    #[test]
    fn an_unreadable_system_policy_is_an_error_naming_it() {
        let (_d, u, s) = files("", "[algorithms]\nfips_approved_only = \"yes\"\n");
        let e = Config::load_from(Some(&u), Some(&s)).unwrap_err();
        assert!(e.0.contains(&s.display().to_string()), "{e}");
    }
}
