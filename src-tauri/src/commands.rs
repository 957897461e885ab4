//! Tauri commands: thin. Each parses its input, calls the engine and maps errors to
//! [`IpcError`]. Long work returns a job id at once; progress arrives over the Channel that
//! `jobs_watch` registered.

use std::sync::Arc;

use orgfleet_engine::connect::UrlOpener;
use orgfleet_engine::connect_request::{ConnectRequest, SfCliOrg};
use orgfleet_engine::orgs::OrgSettings;
use orgfleet_engine::{JobEvent, JobId, JobRecord, OrgRecord};
use serde::Serialize;
use tauri::ipc::Channel;
use tauri::{AppHandle, Runtime, State, WebviewWindow};
use tauri_plugin_opener::OpenerExt;
use tokio::sync::broadcast::error::RecvError;
use ts_rs::TS;

use crate::error::{ErrorCode, IpcError};
use crate::prefs::{self, Preferences};
use crate::state::AppState;

/// Facts about this installation, shown in Settings and used by the shell.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub data_dir: String,
    pub database_path: String,
    /// Jobs a previous run left running and that are now marked interrupted.
    pub interrupted_at_start: u32,
    /// Set when the store could not be opened; the UI shows it instead of the app.
    pub store_error: Option<IpcError>,
    /// Where org credentials are kept, or why they cannot be (no keychain: with the fix).
    pub secret_store: Result<String, IpcError>,
}

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, IpcError> {
    let (database_path, store_error, secret_store) = match state.engine() {
        Ok(engine) => (
            engine.store().path().display().to_string(),
            None,
            engine
                .secrets()
                .map(|s| s.describe())
                .map_err(IpcError::from),
        ),
        Err(e) => (String::new(), Some(e.clone()), Err(e)),
    };
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        data_dir: state.data_dir().display().to_string(),
        database_path,
        interrupted_at_start: state.interrupted_at_start.try_into().unwrap_or(u32::MAX),
        store_error,
        secret_store,
    })
}

#[tauri::command]
pub async fn jobs_list(
    state: State<'_, AppState>,
    limit: Option<u32>,
) -> Result<Vec<JobRecord>, IpcError> {
    let limit = limit.unwrap_or(500);
    if limit == 0 || limit > 50_000 {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "limit must be between 1 and 50000",
        ));
    }
    Ok(state.engine()?.jobs().list(limit)?)
}

/// Streams every job change to the calling window until it reloads or closes.
#[tauri::command]
pub async fn jobs_watch<R: Runtime>(
    window: WebviewWindow<R>,
    state: State<'_, AppState>,
    on_event: Channel<JobEvent>,
) -> Result<(), IpcError> {
    let mut events = state.engine()?.jobs().subscribe();
    let task = tokio::spawn(async move {
        loop {
            match events.recv().await {
                Ok(event) => {
                    if on_event.send(event).is_err() {
                        break;
                    }
                }
                // Each event carries the full row, so skipping some loses nothing.
                Err(RecvError::Lagged(_)) => continue,
                Err(RecvError::Closed) => break,
            }
        }
    });
    state.replace_watcher(window.label(), task.abort_handle());
    Ok(())
}

#[tauri::command]
pub async fn job_cancel(state: State<'_, AppState>, id: JobId) -> Result<(), IpcError> {
    Ok(state.engine()?.jobs().cancel(id)?)
}

/// Starts the store integrity check and compaction; returns the job id at once.
#[tauri::command]
pub async fn store_check_start(state: State<'_, AppState>) -> Result<JobId, IpcError> {
    Ok(state.engine()?.start_store_maintenance()?.id)
}

#[tauri::command]
pub async fn prefs_get<R: Runtime>(app: AppHandle<R>) -> Result<Preferences, IpcError> {
    Ok(prefs::load(&app))
}

#[tauri::command]
pub async fn prefs_set<R: Runtime>(app: AppHandle<R>, prefs: Preferences) -> Result<(), IpcError> {
    if let Some(view) = &prefs.last_view
        && (view.len() > 64 || !view.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
    {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "lastView must be a view name",
        ));
    }
    // The window size is owned by the window itself; keep what it recorded.
    let stored = prefs::load(&app);
    prefs::save(
        &app,
        &Preferences {
            window: stored.window,
            ..prefs
        },
    )
}

#[tauri::command]
pub async fn orgs_list(state: State<'_, AppState>) -> Result<Vec<OrgRecord>, IpcError> {
    Ok(state.engine()?.orgs()?)
}

#[tauri::command]
pub async fn org_update(
    state: State<'_, AppState>,
    id: i64,
    settings: OrgSettings,
) -> Result<OrgRecord, IpcError> {
    Ok(state.engine()?.update_org(id, &settings)?)
}

/// Starts connecting an org; returns the job id at once. A browser login opens the system
/// browser and waits (up to 5 minutes, cancellable) for the person to log in.
#[tauri::command]
pub async fn org_connect<R: Runtime>(
    app: AppHandle<R>,
    state: State<'_, AppState>,
    request: ConnectRequest,
) -> Result<JobId, IpcError> {
    let opener: UrlOpener = orgfleet_engine::connect::browser_override().unwrap_or_else(|| {
        Arc::new(move |url: &str| {
            if let Err(e) = app.opener().open_url(url, None::<&str>) {
                tracing::warn!(error = %e, "could not open the browser for the login");
            }
        })
    });
    Ok(state.engine()?.start_connect(request, opener)?.id)
}

#[tauri::command]
pub async fn org_check(state: State<'_, AppState>, id: i64) -> Result<OrgRecord, IpcError> {
    Ok(state.engine()?.check_org(id).await?)
}

#[tauri::command]
pub async fn org_disconnect(
    state: State<'_, AppState>,
    id: i64,
    confirm_alias: Option<String>,
) -> Result<(), IpcError> {
    Ok(state
        .engine()?
        .disconnect_org(id, confirm_alias.as_deref())
        .await?)
}

/// Orgs the Salesforce CLI on this machine is logged in to, offered for import.
#[tauri::command]
pub async fn sf_cli_orgs(state: State<'_, AppState>) -> Result<Vec<SfCliOrg>, IpcError> {
    Ok(state.engine()?.sf_cli_orgs().await?)
}
