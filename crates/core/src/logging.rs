//! `tracing` output for the module: off but for errors unless `CRATON_HSM_LOG` or `[logging]`
//! asks for more; to stderr unless the config names a file (created mode 0600); plain text
//! unless `CRATON_HSM_LOG_FORMAT=json` or `[logging] format = "json"` asks for one JSON object
//! a line (the message, such as the POST lines, keeps its text in `"message"`).
//!
//! A subscriber can be installed only once per process, but `C_Initialize` may run many times
//! with different configs, so the filter and the sink are reloadable.

use crate::config::{LogFormat, Logging};
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tracing_subscriber::{EnvFilter, Layer, Registry, filter, fmt, layer::SubscriberExt, reload};

/// The environment variable holding an env-filter string.
pub(crate) const LOG_ENV: &str = "CRATON_HSM_LOG";
/// The environment variable choosing the format: `text` or `json`.
pub(crate) const FORMAT_ENV: &str = "CRATON_HSM_LOG_FORMAT";

/// Whether lines are JSON; both layers exist and this picks the one that writes.
static JSON: AtomicBool = AtomicBool::new(false);
/// What is shown when nothing asks for more: failures the operator must see.
const DEFAULT_FILTER: &str = "error";

enum Sink {
    Stderr,
    File(File),
}

struct Handle {
    filter: reload::Handle<EnvFilter, Registry>,
    sink: Arc<Mutex<Sink>>,
}

static HANDLE: OnceLock<Option<Handle>> = OnceLock::new();

#[derive(Clone)]
struct SinkWriter(Arc<Mutex<Sink>>);

impl Write for SinkWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut *self.0.lock().unwrap_or_else(|p| p.into_inner()) {
            Sink::Stderr => io::stderr().write(buf),
            Sink::File(f) => f.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match &mut *self.0.lock().unwrap_or_else(|p| p.into_inner()) {
            Sink::Stderr => io::stderr().flush(),
            Sink::File(f) => f.flush(),
        }
    }
}

impl<'a> fmt::MakeWriter<'a> for SinkWriter {
    type Writer = SinkWriter;
    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn handle() -> Option<&'static Handle> {
    HANDLE
        .get_or_init(|| {
            let (filter, filter_handle) = reload::Layer::new(EnvFilter::new(DEFAULT_FILTER));
            let sink = Arc::new(Mutex::new(Sink::Stderr));
            let text = fmt::layer()
                .with_writer(SinkWriter(sink.clone()))
                .with_ansi(false)
                .with_target(false)
                .with_filter(filter::filter_fn(|_| !JSON.load(Ordering::Relaxed)));
            let json = fmt::layer()
                .json()
                .flatten_event(true)
                .with_writer(SinkWriter(sink.clone()))
                .with_target(false)
                .with_filter(filter::filter_fn(|_| JSON.load(Ordering::Relaxed)));
            let subscriber = tracing_subscriber::registry()
                .with(filter)
                .with(text)
                .with(json);
            // A host that installed its own subscriber keeps it and receives our events.
            tracing::subscriber::set_global_default(subscriber).ok()?;
            Some(Handle {
                filter: filter_handle,
                sink,
            })
        })
        .as_ref()
}

/// Applies the environment only: used before the config is read, so a config error is logged.
pub(crate) fn init_from_env() {
    apply(None, None, None);
}

/// Applies `[logging]` (the environment still wins for the filter).
pub(crate) fn init_from_config(cfg: &Logging) -> Result<(), String> {
    let file = match &cfg.file {
        Some(path) => {
            let mut o = OpenOptions::new();
            o.create(true).append(true);
            // Logs name paths and failures: readable by the owner only, whatever the umask.
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut o, 0o600);
            Some(
                o.open(path)
                    .map_err(|e| format!("logging.file = {}: cannot open: {e}", path.display()))?,
            )
        }
        None => None,
    };
    apply(cfg.level.as_deref(), cfg.format, file);
    Ok(())
}

/// The format in force: `CRATON_HSM_LOG_FORMAT` (if valid), else the config, else text.
pub(crate) fn format(configured: Option<LogFormat>) -> LogFormat {
    match std::env::var(FORMAT_ENV).ok().as_deref() {
        Some("json") => LogFormat::Json,
        Some("text") => LogFormat::Text,
        _ => configured.unwrap_or(LogFormat::Text),
    }
}

fn apply(level: Option<&str>, configured: Option<LogFormat>, file: Option<File>) {
    JSON.store(format(configured) == LogFormat::Json, Ordering::Relaxed);
    let Some(h) = handle() else { return };
    let env = std::env::var(LOG_ENV).ok().filter(|s| !s.is_empty());
    let wanted = env.as_deref().or(level).unwrap_or(DEFAULT_FILTER);
    let filter = EnvFilter::try_new(wanted).unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let _ = h.filter.reload(filter);
    let mut sink = h.sink.lock().unwrap_or_else(|p| p.into_inner());
    *sink = match file {
        Some(f) => Sink::File(f),
        None => Sink::Stderr,
    };
}
