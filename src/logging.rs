//! `tracing` output for the module: off but for errors unless `CRATON_HSM_LOG` or `[logging]`
//! asks for more; to stderr unless the config names a file.
//!
//! A subscriber can be installed only once per process, but `C_Initialize` may run many times
//! with different configs, so the filter and the sink are reloadable.

use crate::config::Logging;
use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::sync::{Arc, Mutex, OnceLock};
use tracing_subscriber::{EnvFilter, Registry, fmt, layer::SubscriberExt, reload};

/// The environment variable holding an env-filter string.
pub const LOG_ENV: &str = "CRATON_HSM_LOG";
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
            let layer = fmt::layer()
                .with_writer(SinkWriter(sink.clone()))
                .with_ansi(false)
                .with_target(false);
            let subscriber = tracing_subscriber::registry().with(filter).with(layer);
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
pub fn init_from_env() {
    apply(None, None);
}

/// Applies `[logging]` (the environment still wins for the filter).
pub fn init_from_config(cfg: &Logging) -> Result<(), String> {
    let file = match &cfg.file {
        Some(path) => Some(
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("logging.file = {}: cannot open: {e}", path.display()))?,
        ),
        None => None,
    };
    apply(cfg.level.as_deref(), file);
    Ok(())
}

fn apply(level: Option<&str>, file: Option<File>) {
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
