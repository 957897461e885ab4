//! What the app keeps between commands: the engine (or why it could not start) and the
//! per-window job watchers.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use orgfleet_engine::Engine;
use tokio::task::AbortHandle;

use crate::error::IpcError;

pub struct AppState {
    /// The engine, or the error that kept the store from opening (damaged, too new): the
    /// window still opens and shows that error with what to do, instead of crashing.
    engine: Result<Arc<Engine>, IpcError>,
    /// Where the database and the preferences file live.
    data_dir: PathBuf,
    /// Jobs a previous run left running, marked interrupted at this start.
    pub interrupted_at_start: usize,
    /// One job-event forwarder per window label; a reload replaces the old one.
    watchers: Mutex<HashMap<String, AbortHandle>>,
}

impl AppState {
    /// Opens the store in the data directory and recovers from a previous crash.
    pub fn open_default() -> Self {
        match orgfleet_engine::data_dir() {
            Ok(dir) => Self::from_engine(Engine::open_default(), dir),
            Err(e) => Self::from_engine(Err(e), std::env::temp_dir()),
        }
    }

    /// Wraps an engine (or the error opening it) whose data lives in `data_dir`.
    pub fn from_engine(engine: orgfleet_engine::Result<Engine>, data_dir: PathBuf) -> Self {
        let mut interrupted_at_start = 0;
        let engine = engine
            .map(Arc::new)
            .map_err(IpcError::from)
            .and_then(|engine| {
                interrupted_at_start = engine.recover_after_restart()?;
                Ok(engine)
            });
        if let Err(e) = &engine {
            tracing::error!(code = ?e.code, "store unavailable: {}", e.message);
        }
        Self {
            engine,
            data_dir,
            interrupted_at_start,
            watchers: Mutex::default(),
        }
    }

    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    pub fn engine(&self) -> Result<&Arc<Engine>, IpcError> {
        self.engine.as_ref().map_err(Clone::clone)
    }

    /// Registers the forwarder for `window`, stopping the previous one.
    pub fn replace_watcher(&self, window: &str, handle: AbortHandle) {
        let mut watchers = self.watchers.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(old) = watchers.insert(window.to_owned(), handle) {
            old.abort();
        }
    }
}
