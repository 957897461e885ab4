//! User preferences (theme, last view, window size), persisted with tauri-plugin-store in a
//! JSON file beside the database, so `ORGFLEET_HOME` isolates them in tests and demos too.

use std::sync::Arc;

use serde::{Deserialize, Serialize};
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_store::{Store, StoreExt};
use ts_rs::TS;

use crate::error::{ErrorCode, IpcError};
use crate::state::AppState;

const FILE: &str = "preferences.json";
const KEY: &str = "preferences";

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Theme {
    /// Follow the operating system.
    #[default]
    System,
    Light,
    Dark,
}

/// Logical window size in CSS pixels.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WindowSize {
    pub width: f64,
    pub height: f64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase", default)]
#[ts(export)]
pub struct Preferences {
    pub theme: Theme,
    /// The view shown when the app last closed ("activity", "settings").
    pub last_view: Option<String>,
    pub window: Option<WindowSize>,
}

fn store<R: Runtime>(app: &AppHandle<R>) -> Result<Arc<Store<R>>, IpcError> {
    let dir = app.state::<AppState>().data_dir().to_path_buf();
    app.store(dir.join(FILE)).map_err(|e| {
        IpcError::new(
            ErrorCode::Internal,
            "Orgfleet could not open its preferences file",
        )
        .with_detail(e.to_string())
    })
}

/// Current preferences; defaults when none are saved or the file cannot be read.
pub fn load<R: Runtime>(app: &AppHandle<R>) -> Preferences {
    store(app)
        .ok()
        .and_then(|s| s.get(KEY))
        .and_then(|v| serde_json::from_value(v).ok())
        .unwrap_or_default()
}

/// Saves preferences to disk now.
pub fn save<R: Runtime>(app: &AppHandle<R>, prefs: &Preferences) -> Result<(), IpcError> {
    let store = store(app)?;
    let value = serde_json::to_value(prefs).map_err(|e| {
        IpcError::new(ErrorCode::Internal, "could not encode preferences")
            .with_detail(e.to_string())
    })?;
    store.set(KEY, value);
    store.save().map_err(|e| {
        IpcError::new(
            ErrorCode::DiskFull,
            "Orgfleet could not save your preferences; check free disk space",
        )
        .with_detail(e.to_string())
    })
}

/// Records the window size (called on resize); a failure only loses the size, so it is logged.
pub fn remember_window_size<R: Runtime>(app: &AppHandle<R>, size: WindowSize) {
    let mut prefs = load(app);
    if prefs.window == Some(size) {
        return;
    }
    prefs.window = Some(size);
    if let Err(e) = save(app, &prefs) {
        tracing::warn!(error = %e, "could not remember the window size");
    }
}
