//! The module's lifetime: `C_Initialize` builds a `Module` (config, backend, DRBG, policy,
//! tokens, sessions), `C_Finalize` drops it. A fatal self-test or health-test failure puts the
//! process in the error state for good. A forked child sees "not initialized" until it calls
//! `C_Initialize` itself.

use crate::audit::{AuditLog, Operation};
use crate::config::Config;
use crate::crypto::rng::SharedRng;
use crate::crypto::{Provider, ProviderEntry};
use crate::error::{Error, Result};
use crate::mechanism::Policy;
use crate::service::StateKey;
use crate::session::SessionTable;
use crate::status::{check_error_state, enter_error_state, in_error_state};
use crate::token::{PinPolicy, Token};
use arc_swap::{ArcSwapOption, Guard};
use cryptoki_sys::CK_SLOT_ID;
use std::ops::Deref;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Everything that exists between `C_Initialize` and `C_Finalize`.
pub struct Module {
    pub config: Config,
    pub backend: &'static Provider,
    pub rng: Arc<SharedRng>,
    pub policy: Policy,
    pub pins: PinPolicy,
    /// `security.allow_mixed_key_roles`.
    pub mixed_key_roles: bool,
    pub tokens: Vec<Token>,
    pub sessions: SessionTable,
    pub audit: Option<AuditLog>,
    /// Seals `C_GetOperationState` blobs; drawn at `C_Initialize`.
    pub state_key: StateKey,
    /// The GCM invocation counter of each key (`CKA_UNIQUE_ID`) that sealed a message under a
    /// counter IV: the values this process may still use. It outlives message-based
    /// operations, so a new `C_MessageEncryptInit` does not count from 0 again (SP 800-38D
    /// 8.2.1); a token key's values are reserved in the store, so other processes and later
    /// runs never reuse them.
    pub gcm_invocations: Mutex<std::collections::HashMap<Vec<u8>, std::ops::Range<u64>>>,
    /// The fork generation that initialized it; another one means we are a forked child.
    generation: u64,
}

/// The initialized module. Every call reads it, from any number of threads: an arc-swap
/// load takes no lock and leaves the module's reference count alone (a per-thread debt
/// stands in), so concurrent calls do not fight over one cache line as a `RwLock` read and
/// an `Arc` clone did.
static CURRENT: ArcSwapOption<Module> = ArcSwapOption::const_empty();

/// Serializes `C_Initialize` and `C_Finalize` (readers never take it).
static LIFECYCLE: Mutex<()> = Mutex::new(());

/// The module, held for one call: `C_Finalize` meanwhile lets it go only when the call ends.
pub struct ModuleRef(Guard<Option<Arc<Module>>>);

impl Deref for ModuleRef {
    type Target = Module;
    fn deref(&self) -> &Module {
        self.0
            .as_deref()
            .expect("ModuleRef is made only around a module")
    }
}

/// Bumped in every forked child (the C ABI registers `forked` with `pthread_atfork`). Checked
/// on every call: an atomic load, where asking for the process id is a system call.
static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);

/// Runs in the child right after `fork`: the module it inherited is the parent's.
pub fn forked() {
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

fn generation() -> u64 {
    FORK_GENERATION.load(Ordering::Relaxed)
}

/// The initialized module of this process.
pub fn get() -> Result<ModuleRef> {
    check_error_state()?;
    let g = CURRENT.load();
    match g.as_deref() {
        Some(m) if m.generation == generation() => Ok(ModuleRef(g)),
        _ => Err(Error::NotInitialized),
    }
}

/// `C_Initialize` (argument checks are the ABI's). `library` is the module's own file, for
/// the integrity self-test.
pub fn initialize(library: Option<PathBuf>, providers: &[ProviderEntry]) -> Result<()> {
    initialize_with(None, library, providers)
}

/// `initialize` with the configuration given (`None`: found as the lookup order says) — for
/// callers of the core that are not the C ABI, such as tests.
pub fn initialize_with(
    config: Option<Config>,
    library: Option<PathBuf>,
    providers: &[ProviderEntry],
) -> Result<()> {
    check_error_state()?;
    let _one_at_a_time = LIFECYCLE.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(m) = CURRENT.load().as_deref() {
        if m.generation == generation() {
            return Err(Error::AlreadyInitialized);
        }
        // A forked child: the parent's state (its SQLite handles above all) must not be used
        // or dropped here, so it is leaked.
        std::mem::forget(CURRENT.swap(None));
    }
    let module = Module::new(config, library.as_deref(), providers).inspect_err(|e| {
        // Configuration failures were logged where they were found.
        if !in_error_state() && !matches!(e, Error::FunctionFailed(_)) {
            tracing::error!("C_Initialize failed: {e}");
        }
    })?;
    CURRENT.store(Some(Arc::new(module)));
    Ok(())
}

/// `C_Finalize`.
pub fn finalize() -> Result<()> {
    check_error_state()?;
    let _one_at_a_time = LIFECYCLE.lock().unwrap_or_else(|p| p.into_inner());
    if CURRENT
        .load()
        .as_deref()
        .is_none_or(|m| m.generation != generation())
    {
        return Err(Error::NotInitialized);
    }
    CURRENT.store(None);
    Ok(())
}

/// The provider `algorithms.crypto_backend` names (the build's first when it names none),
/// started; or why there is none.
fn choose_provider(
    providers: &[ProviderEntry],
    name: Option<&str>,
) -> std::result::Result<&'static Provider, String> {
    let entry = match name {
        None => providers.first(),
        Some(n) => providers.iter().find(|p| p.name == n),
    };
    let Some(entry) = entry else {
        let list: Vec<&str> = providers.iter().map(|p| p.name).collect();
        return Err(match name {
            Some(n) => format!(
                "algorithms.crypto_backend = \"{n}\" is not compiled into this build; it has: {}",
                if list.is_empty() {
                    "none".into()
                } else {
                    list.join(", ")
                }
            ),
            None => "this build has no crypto backend compiled in".into(),
        });
    };
    (entry.start)()
}

fn fail(msg: String) -> Error {
    tracing::error!("{msg}");
    Error::FunctionFailed(msg)
}

impl Module {
    fn new(
        config: Option<Config>,
        library: Option<&Path>,
        providers: &[ProviderEntry],
    ) -> Result<Module> {
        crate::logging::init_from_env();
        let config = match config {
            Some(c) => c,
            None => Config::load().map_err(|e| fail(format!("configuration: {e}")))?,
        };
        crate::logging::init_from_config(&config.logging)
            .map_err(|e| fail(format!("configuration: {e}")))?;
        log_lookup(&config);
        let backend = choose_provider(providers, config.algorithms.crypto_backend.as_deref())
            .map_err(fail)?;
        warn_ignored_flags(&config);
        if config.algorithms.fips_approved_only && !backend.fips_module {
            // Approved-only on a provider outside a FIPS module would look like a FIPS build
            // (the same mechanism list) while nothing it does is an approved service.
            let msg = format!(
                "fips_approved_only = true, but the {} backend is not a FIPS module: {}",
                backend.name,
                match providers.iter().find(|p| p.name != backend.name) {
                    Some(other) => format!(
                        "name a FIPS provider in algorithms.crypto_backend (this build also has \
                         \"{}\")",
                        other.name
                    ),
                    None => "this build has no FIPS backend (build with --features awslc-backend: \
                             docs/fips-mode.md)"
                        .into(),
                }
            );
            return Err(Error::General(msg));
        }

        crate::selftest::power_on(backend, &config, library)?;

        let rng =
            Arc::new(SharedRng::new(backend).inspect_err(|e| enter_error_state(&e.to_string()))?);
        let policy = Policy::new(&config.algorithms, backend);
        let pins = PinPolicy {
            min_len: config.security.pin_min_length as usize,
            max_len: config.security.pin_max_length as usize,
            max_failures: config.security.max_failed_logins as u32,
            iterations: config.security.pbkdf2_iterations as u32,
            remember: config.security.remember_pin,
        };
        let dir = config.storage_dir().map_err(|e| fail(e.0))?;
        create_private_dir(&dir)
            .map_err(|e| fail(format!("token.storage_path {}: {e}", dir.display())))?;
        let mut tokens = Vec::new();
        for slot in 0..config.token.slot_count {
            let path = dir.join(format!("token-{slot}.sqlite"));
            let token = Token::open(
                slot as CK_SLOT_ID,
                path.clone(),
                config.token.label.clone(),
                &*rng,
            )
            .and_then(|t| t.load(backend).map(|_| t))
            .map_err(|e| fail(format!("token store {}: {e}", path.display())))?;
            tokens.push(token);
        }
        // Approved-only mode keeps an audit log even when none is configured (the operator's
        // guide inspects it): next to the token stores.
        let audit = match crate::audit::Settings::from_config(&config, &dir) {
            Some(settings) => {
                if config.audit.path.is_none() {
                    tracing::info!(
                        "audit log: {} (approved-only default)",
                        settings.path.display()
                    );
                }
                let path = settings.path.clone();
                let first = Operation::Initialize {
                    backend: backend.name,
                    fips_approved_only: config.algorithms.fips_approved_only,
                };
                Some(
                    AuditLog::open(settings, &dir, backend, &rng, first.into())
                        .map_err(|e| fail(format!("audit.path {}: {e}", path.display())))?,
                )
            }
            None => None,
        };
        tracing::info!(
            "initialized: backend={}, fips_approved_only={}, slots={}, storage={}",
            backend.name,
            config.algorithms.fips_approved_only,
            tokens.len(),
            dir.display()
        );
        let mut state_key = [0u8; 32];
        rng.generate(&mut state_key, b"operation state key")?;
        Ok(Module {
            state_key: StateKey::new(state_key),
            sessions: SessionTable::new(config.token.max_sessions as usize),
            mixed_key_roles: config.security.allow_mixed_key_roles,
            config,
            backend,
            rng,
            policy,
            pins,
            tokens,
            audit,
            gcm_invocations: Mutex::new(std::collections::HashMap::new()),
            generation: generation(),
        })
    }
}

/// Where the config came from, what else the lookup order looked at, and what the system
/// policy overrode.
fn log_lookup(config: &Config) {
    match &config.source {
        Some(src) => tracing::info!("configuration loaded from {}", src.display()),
        None => tracing::info!("configuration: no file found, built-in defaults"),
    }
    for c in &config.considered {
        let state = if c.exists { "present" } else { "absent" };
        tracing::info!(
            "configuration: considered {} ({}, {state})",
            c.path.display(),
            c.origin
        );
    }
    for note in &config.overridden {
        tracing::warn!("configuration: {note}");
    }
}

/// Flags that approved-only mode overrides are reported, not silently dropped.
fn warn_ignored_flags(config: &Config) {
    let a = &config.algorithms;
    if !a.fips_approved_only {
        return;
    }
    for (set, key) in [
        (a.enable_pqc == Some(true), "enable_pqc"),
        (a.allow_weak_rsa, "allow_weak_rsa"),
        (a.allow_sha1_signing, "allow_sha1_signing"),
    ] {
        if set {
            tracing::warn!("algorithms.{key} = true has no effect while fips_approved_only = true");
        }
    }
    if config.audit.on_failure == Some(crate::config::AuditFailure::Continue) {
        tracing::warn!(
            "audit.on_failure = \"continue\" has no effect while fips_approved_only = true: \
             operations are refused while the audit log cannot be written"
        );
    }
}

fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_the_build_lacks_is_named_with_the_list() {
        let e = choose_provider(&[], Some("openssl")).err().unwrap();
        assert!(e.contains("openssl"), "{e}");
        assert!(e.contains("not compiled into this build"), "{e}");
    }
}
