//! Snapshot commands: take (jobs, progress over the job Channel), list, browse, import,
//! export, delete. Work that reads or writes many files runs off the async workers.

use std::path::PathBuf;

use orgfleet_engine::JobId;
use orgfleet_engine::snapshot_io::ExportFormat;
use orgfleet_store::snapshots::{ComponentEntry, GcReport, SnapshotRecord};
use serde::Serialize;
use tauri::State;
use ts_rs::TS;

use crate::error::{ErrorCode, IpcError};
use crate::state::AppState;

/// One file of a component, as the browser shows it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SnapshotFile {
    pub path: String,
    #[ts(type = "number")]
    pub size: u64,
    /// The content when it is UTF-8 text; None for binary files (static resources, images).
    pub text: Option<String>,
}

/// Runs blocking engine work on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> orgfleet_engine::Result<T> + Send + 'static,
) -> Result<T, IpcError> {
    tauri::async_runtime::spawn_blocking(work)
        .await
        .map_err(|e| {
            IpcError::new(ErrorCode::Internal, "the operation crashed").with_detail(e.to_string())
        })?
        .map_err(IpcError::from)
}

#[tauri::command]
pub async fn snapshots_list(state: State<'_, AppState>) -> Result<Vec<SnapshotRecord>, IpcError> {
    Ok(state.engine()?.snapshots()?)
}

/// Starts one snapshot job per org; returns the job ids at once.
#[tauri::command]
pub async fn snapshot_take(
    state: State<'_, AppState>,
    org_ids: Vec<i64>,
) -> Result<Vec<JobId>, IpcError> {
    if org_ids.is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "choose at least one org to snapshot",
        ));
    }
    Ok(state
        .engine()?
        .start_snapshots(org_ids)?
        .into_iter()
        .map(|h| h.id)
        .collect())
}

/// Starts importing a project folder or package zip as a snapshot; returns the job id (its
/// result is the SnapshotRecord; progress arrives over the job Channel).
#[tauri::command]
pub async fn snapshot_import(state: State<'_, AppState>, path: String) -> Result<JobId, IpcError> {
    if path.trim().is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "choose the project folder or zip to import",
        ));
    }
    Ok(state
        .engine()?
        .start_import_snapshot(PathBuf::from(path.trim()))?
        .id)
}

#[tauri::command]
pub async fn snapshot_components(
    state: State<'_, AppState>,
    id: i64,
) -> Result<Vec<ComponentEntry>, IpcError> {
    Ok(state.engine()?.snapshot_components(id)?)
}

#[tauri::command]
pub async fn snapshot_file(
    state: State<'_, AppState>,
    id: i64,
    type_name: String,
    full_name: String,
) -> Result<Vec<SnapshotFile>, IpcError> {
    let files = state.engine()?.snapshot_file(id, &type_name, &full_name)?;
    Ok(to_snapshot_files(files))
}

/// Component files as the UI shows them: text when they are text.
pub(crate) fn to_snapshot_files(files: Vec<(String, Vec<u8>)>) -> Vec<SnapshotFile> {
    files
        .into_iter()
        .map(|(path, bytes)| SnapshotFile {
            size: bytes.len() as u64,
            text: String::from_utf8(bytes).ok().filter(|t| !t.contains('\0')),
            path,
        })
        .collect()
}

/// Writes the snapshot to `dest`; returns the path written.
#[tauri::command]
pub async fn snapshot_export(
    state: State<'_, AppState>,
    id: i64,
    dest: String,
    format: ExportFormat,
) -> Result<String, IpcError> {
    if dest.trim().is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "choose where to write the export",
        ));
    }
    let engine = state.engine()?.clone();
    let written =
        blocking(move || engine.export_snapshot(id, &PathBuf::from(dest), format)).await?;
    Ok(written.display().to_string())
}

#[tauri::command]
pub async fn snapshot_delete(state: State<'_, AppState>, id: i64) -> Result<GcReport, IpcError> {
    let engine = state.engine()?.clone();
    blocking(move || engine.delete_snapshot(id)).await
}
