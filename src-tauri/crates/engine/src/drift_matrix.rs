//! The N-org matrix (a baseline against many snapshots) and org ↔ org comparison from fresh
//! snapshots.
//!
//! The matrix compares top-level components by content hash (files are read only for cells
//! that differ: to apply element ignore rules, and to break a differing parent such as a
//! `CustomObject` into rows per field, see [`crate::drift_matrix_children`]), so 20 orgs ×
//! 10k components stay well under the two seconds the review page can wait. Each org's
//! conformance is the share of the baseline's top-level components it holds unchanged.

use std::collections::BTreeSet;
use std::sync::Arc;

use orgfleet_store::SnapshotRecord;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use orgfleet_metadata::registry;

use crate::drift::{DriftReport, DriftSide};
use crate::drift_matrix_children as children;
use crate::drift_rules::{Rules, equal_without};
use crate::drift_side::SideInfo;
use crate::error::{Error, Result};
use crate::jobs::{JobFailure, JobHandle};
use crate::{Engine, JobKind, JobStatus};

/// A component's state in one org, against the baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CellState {
    Same,
    Different,
    /// In the baseline, not in this org.
    Missing,
    /// In this org, not in the baseline.
    Extra,
    /// Neither in the baseline nor in this org (another org has it).
    Absent,
}

/// One org's column.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MatrixColumn {
    pub side: SideInfo,
    #[ts(type = "number")]
    pub same: i64,
    #[ts(type = "number")]
    pub different: i64,
    #[ts(type = "number")]
    pub missing: i64,
    #[ts(type = "number")]
    pub extra: i64,
    /// same / baseline components (1.0 for an empty baseline).
    pub conformance: f64,
}

/// One component that is not the same everywhere; `cells` follow `MatrixReport::columns`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MatrixRow {
    pub type_name: String,
    pub full_name: String,
    pub cells: Vec<CellState>,
}

/// The baseline against N orgs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MatrixReport {
    pub baseline: SideInfo,
    pub columns: Vec<MatrixColumn>,
    /// Components not the same in every org, sorted by type then name; a parent that
    /// differs is listed as its differing children (and itself when its own content differs).
    pub rows: Vec<MatrixRow>,
    /// Baseline components the same in every org (not listed in `rows`).
    #[ts(type = "number")]
    pub same_everywhere: i64,
    /// Cells the ignore rules turned into "same" or left out.
    #[ts(type = "number")]
    pub ignored_count: i64,
}

/// The outcome of [`Engine::start_compare_orgs`] (the job's result).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct OrgComparison {
    pub left_snapshot: SnapshotRecord,
    pub right_snapshot: SnapshotRecord,
    pub report: DriftReport,
}

impl Engine {
    /// Compares `baseline` with each snapshot in `others`, applying the ignore rules.
    pub fn matrix(&self, baseline: DriftSide, others: Vec<i64>) -> Result<MatrixReport> {
        if others.is_empty() {
            return Err(Error::InvalidInput(
                "give at least one snapshot to compare with the baseline".into(),
            ));
        }
        let rules = Rules::new(self.drift_rules()?);
        let base = self.load_side(&baseline)?;
        let sides = others
            .iter()
            .map(|id| self.load_side(&DriftSide::snapshot(*id)))
            .collect::<Result<Vec<_>>>()?;
        let mut ignored = 0i64;
        let keys: BTreeSet<&(String, String)> = base
            .hashes
            .keys()
            .chain(sides.iter().flat_map(|s| s.hashes.keys()))
            .collect();
        let mut columns: Vec<MatrixColumn> = sides
            .iter()
            .map(|s| MatrixColumn {
                side: s.info.clone(),
                same: 0,
                different: 0,
                missing: 0,
                extra: 0,
                conformance: 1.0,
            })
            .collect();
        let mut rows = Vec::new();
        let mut same_everywhere = 0i64;
        let mut baseline_count = 0i64;
        for key in keys {
            let (type_name, full_name) = key;
            if rules.component_rule(type_name, full_name).is_some() {
                ignored += sides.len() as i64;
                continue;
            }
            let element_rules = rules.element_rules(type_name);
            let base_hash = base.hashes.get(key);
            baseline_count += i64::from(base_hash.is_some());
            let mut base_files = None;
            let mut cells = Vec::with_capacity(sides.len());
            for (side, column) in sides.iter().zip(&mut columns) {
                let state = match (base_hash, side.hashes.get(key)) {
                    (Some(a), Some(b)) if a == b => CellState::Same,
                    (Some(_), Some(_)) if !element_rules.is_empty() => {
                        if base_files.is_none() {
                            base_files = base.files(self, type_name, full_name)?;
                        }
                        let theirs = side.files(self, type_name, full_name)?;
                        match (&base_files, &theirs) {
                            (Some(l), Some(r))
                                if equal_without(type_name, l, r, &element_rules) =>
                            {
                                ignored += 1;
                                CellState::Same
                            }
                            _ => CellState::Different,
                        }
                    }
                    (Some(_), Some(_)) => CellState::Different,
                    (Some(_), None) => CellState::Missing,
                    (None, Some(_)) => CellState::Extra,
                    (None, None) => CellState::Absent,
                };
                match state {
                    CellState::Same => column.same += 1,
                    CellState::Different => column.different += 1,
                    CellState::Missing => column.missing += 1,
                    CellState::Extra => column.extra += 1,
                    CellState::Absent => {}
                }
                cells.push(state);
            }
            if cells.iter().all(|c| *c == CellState::Same) {
                same_everywhere += 1;
            } else if cells.contains(&CellState::Different)
                && registry::by_name(type_name).is_some_and(|t| !t.children.is_empty())
            {
                let expanded = children::expand(self, &base, &sides, key, &cells, &rules)?;
                ignored += expanded.ignored;
                rows.extend(expanded.rows);
            } else {
                rows.push(MatrixRow {
                    type_name: type_name.clone(),
                    full_name: full_name.clone(),
                    cells,
                });
            }
        }
        // Child rows were added under their parent's key: put them in type, name order.
        rows.sort_by(|a, b| (&a.type_name, &a.full_name).cmp(&(&b.type_name, &b.full_name)));
        for column in &mut columns {
            column.conformance = if baseline_count == 0 {
                1.0
            } else {
                column.same as f64 / baseline_count as f64
            };
        }
        Ok(MatrixReport {
            baseline: base.info,
            columns,
            rows,
            same_everywhere,
            ignored_count: ignored,
        })
    }

    /// Takes a fresh snapshot of both orgs (two snapshot jobs, run at once) and compares
    /// them, as a job titled "Compare <a> ↔ <b>" whose result is an [`OrgComparison`].
    /// Cancelling it cancels both snapshots.
    pub fn start_compare_orgs(self: &Arc<Self>, a: i64, b: i64) -> Result<JobHandle> {
        if a == b {
            return Err(Error::InvalidInput(
                "choose two different orgs to compare".into(),
            ));
        }
        let conn = self.store().conn();
        let left = orgfleet_store::orgs::get(&conn, a)?;
        let right = orgfleet_store::orgs::get(&conn, b)?;
        drop(conn);
        let engine = self.clone();
        let title = format!("Compare {} ↔ {}", left.alias, right.alias);
        self.jobs()
            .start(JobKind::Snapshot, &title, move |ctx| async move {
                ctx.progress(0, Some(3), "Taking snapshots of both orgs");
                let handles = [engine.start_snapshot(a)?, engine.start_snapshot(b)?];
                let ids = [handles[0].id, handles[1].id];
                let waiting = async {
                    let mut records = Vec::new();
                    for (handle, org) in handles.into_iter().zip([&left, &right]) {
                        let job = handle
                            .done
                            .await
                            .map_err(|e| {
                                JobFailure::Failed(format!("the snapshot job crashed: {e}"))
                            })?
                            .map_err(JobFailure::from)?;
                        match (job.status, job.result) {
                            (JobStatus::Succeeded, Some(result)) => {
                                records.push(serde_json::from_value::<SnapshotRecord>(result)?);
                            }
                            (JobStatus::Cancelled, _) => return Err(JobFailure::Cancelled),
                            (status, _) => {
                                return Err(JobFailure::Failed(format!(
                                    "the snapshot of {} {}: {}",
                                    org.alias,
                                    status.as_str(),
                                    job.error.as_deref().unwrap_or("no details")
                                )));
                            }
                        }
                    }
                    Ok(records)
                };
                let records = tokio::select! {
                    r = waiting => r?,
                    () = ctx.cancellation().cancelled() => {
                        for id in ids {
                            let _ = engine.jobs().cancel(id);
                        }
                        return Err(JobFailure::Cancelled);
                    }
                };
                ctx.progress(2, Some(3), "Comparing");
                let (l, r) = (records[0].clone(), records[1].clone());
                let report = tokio::task::spawn_blocking({
                    let engine = engine.clone();
                    move || engine.compare(DriftSide::snapshot(l.id), DriftSide::snapshot(r.id))
                })
                .await
                .map_err(|e| JobFailure::Failed(format!("the comparison crashed: {e}")))?
                .map_err(JobFailure::from)?;
                ctx.progress(3, Some(3), &format!("{} change(s)", report.changes.len()));
                let outcome = OrgComparison {
                    left_snapshot: records[0].clone(),
                    right_snapshot: records[1].clone(),
                    report,
                };
                serde_json::to_value(&outcome).map_err(JobFailure::from)
            })
    }
}
