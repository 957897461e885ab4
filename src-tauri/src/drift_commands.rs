//! Drift commands for the Drift page: compare two sides, open one component's semantic and
//! raw diff, the N-org matrix, org ↔ org from fresh snapshots (a job), ignore rules, the
//! review report on disk and the package.xml hand-off of a selection.
//!
//! Comparisons read the store (and, for a folder side, the disk), so they run on the
//! blocking pool; the report is recomputed for a save rather than sent back from the UI, so
//! what is written is exactly what the engine says now.

use std::path::PathBuf;

use orgfleet_engine::drift::DriftSide;
use orgfleet_engine::drift_report::{package_xml, write_atomically};
use orgfleet_engine::{
    ComponentDiff, DiffOptions, DriftReport, DriftRule, JobId, MatrixReport, NewDriftRule,
    ReportFormat,
};
use serde::{Deserialize, Serialize};
use tauri::State;
use ts_rs::TS;

use crate::error::{ErrorCode, IpcError};
use crate::snapshot_commands::{SnapshotFile, blocking, to_snapshot_files};
use crate::state::AppState;

/// One component on both sides: the semantic diff and the files for the raw view.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DriftComponentView {
    pub diff: ComponentDiff,
    /// The component's files on the left; None when only the right has it.
    pub left: Option<Vec<SnapshotFile>>,
    pub right: Option<Vec<SnapshotFile>>,
}

/// A component named by type and full name (children too: `CustomField Account.X__c`).
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ComponentRef {
    pub type_name: String,
    pub full_name: String,
}

#[tauri::command]
pub async fn drift_compare(
    state: State<'_, AppState>,
    left: DriftSide,
    right: DriftSide,
) -> Result<DriftReport, IpcError> {
    let engine = state.engine()?.clone();
    blocking(move || engine.compare(left, right)).await
}

#[tauri::command]
pub async fn drift_component(
    state: State<'_, AppState>,
    left: DriftSide,
    right: DriftSide,
    type_name: String,
    full_name: String,
    show_reordered: bool,
) -> Result<DriftComponentView, IpcError> {
    let engine = state.engine()?.clone();
    let options = DiffOptions { show_reordered };
    let detail =
        blocking(move || engine.component_detail(left, right, &type_name, &full_name, &options))
            .await?;
    Ok(DriftComponentView {
        diff: detail.diff,
        left: detail.left.map(to_snapshot_files),
        right: detail.right.map(to_snapshot_files),
    })
}

#[tauri::command]
pub async fn drift_matrix(
    state: State<'_, AppState>,
    baseline: DriftSide,
    snapshot_ids: Vec<i64>,
) -> Result<MatrixReport, IpcError> {
    let engine = state.engine()?.clone();
    blocking(move || engine.matrix(baseline, snapshot_ids)).await
}

/// Takes fresh snapshots of both orgs and compares them, as a job whose result is an
/// `OrgComparison`; returns the job id at once.
#[tauri::command]
pub async fn drift_compare_orgs(
    state: State<'_, AppState>,
    left_org_id: i64,
    right_org_id: i64,
) -> Result<JobId, IpcError> {
    Ok(state
        .engine()?
        .start_compare_orgs(left_org_id, right_org_id)?
        .id)
}

#[tauri::command]
pub async fn drift_rules_list(state: State<'_, AppState>) -> Result<Vec<DriftRule>, IpcError> {
    Ok(state.engine()?.drift_rules()?)
}

#[tauri::command]
pub async fn drift_rule_add(
    state: State<'_, AppState>,
    rule: NewDriftRule,
) -> Result<DriftRule, IpcError> {
    Ok(state.engine()?.add_drift_rule(&rule)?)
}

#[tauri::command]
pub async fn drift_rule_delete(state: State<'_, AppState>, id: i64) -> Result<(), IpcError> {
    Ok(state.engine()?.delete_drift_rule(id)?)
}

/// Compares `left` and `right` and writes the report to `dest`; returns the path written.
#[tauri::command]
pub async fn drift_report_save(
    state: State<'_, AppState>,
    left: DriftSide,
    right: DriftSide,
    format: ReportFormat,
    dest: String,
) -> Result<String, IpcError> {
    let dest = required_path(&dest, "choose where to save the report")?;
    let engine = state.engine()?.clone();
    let written = blocking(move || {
        let report = engine.compare(left, right)?;
        engine.write_drift_report(&report, format, &dest)
    })
    .await?;
    Ok(written.display().to_string())
}

/// The package.xml of a selection (the hand-off to a deploy).
#[tauri::command]
pub async fn drift_package_xml(
    components: Vec<ComponentRef>,
    api_version: Option<String>,
) -> Result<String, IpcError> {
    if components.is_empty() {
        return Err(IpcError::new(
            ErrorCode::InvalidInput,
            "select at least one component",
        ));
    }
    let pairs: Vec<(String, String)> = components
        .into_iter()
        .map(|c| (c.type_name, c.full_name))
        .collect();
    Ok(package_xml(&pairs, api_version.as_deref()))
}

/// Writes a package.xml to `dest` (created or replaced); returns the path written.
#[tauri::command]
pub async fn drift_package_xml_save(
    components: Vec<ComponentRef>,
    api_version: Option<String>,
    dest: String,
) -> Result<String, IpcError> {
    let dest = required_path(&dest, "choose where to save the package.xml")?;
    let xml = drift_package_xml(components, api_version).await?;
    let written = blocking(move || write_atomically(&dest, xml.as_bytes())).await?;
    Ok(written.display().to_string())
}

fn required_path(raw: &str, message: &str) -> Result<PathBuf, IpcError> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Err(IpcError::new(ErrorCode::InvalidInput, message));
    }
    Ok(PathBuf::from(trimmed))
}
