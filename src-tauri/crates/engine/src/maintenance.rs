//! Store maintenance as a job: integrity check, then compaction, with progress per step and
//! cancellation between steps. It is the first real job and the one later work reuses (after
//! deleting snapshots, before a backup) — and it is what `orgfleet store check` runs.

use orgfleet_store::JobKind;
use orgfleet_store::maintenance::{self as steps, MaintenanceReport};

use crate::jobs::{JobFailure, JobHandle};
use crate::{Engine, Result};

/// Title shown in Activity.
pub const TITLE: &str = "Check and compact the local store";

impl Engine {
    /// Starts the store integrity check and compaction. Returns at once with the job.
    pub fn start_store_maintenance(&self) -> Result<JobHandle> {
        let store = self.store().clone();
        self.jobs().start(JobKind::StoreMaintenance, TITLE, move |ctx| async move {
            let total = steps::STEPS.len() as i64;
            let path = store.path().to_path_buf();
            let conn = store.connect().map_err(JobFailure::from)?;
            let conn = std::sync::Arc::new(std::sync::Mutex::new(conn));
            let mut report = MaintenanceReport { bytes_before: steps::disk_usage(&path), ..Default::default() };
            for (index, step) in steps::STEPS.iter().copied().enumerate() {
                ctx.checkpoint()?;
                ctx.progress(index as i64, Some(total), step.label());
                let conn = conn.clone();
                let mut partial = report.clone();
                // SQLite calls block: keep them off the async workers.
                report = tokio::task::spawn_blocking(move || {
                    let conn = conn.lock().unwrap_or_else(|p| p.into_inner());
                    step.run(&conn, &mut partial).map(|()| partial)
                })
                .await
                .map_err(|e| JobFailure::Failed(format!("maintenance step crashed: {e}")))?
                .map_err(JobFailure::from)?;
            }
            report.bytes_after = steps::disk_usage(&path);
            ctx.progress(total, Some(total), "Done");
            if !report.integrity_ok() {
                return Err(JobFailure::Failed(format!(
                    "the store has {} problem(s): {}. Restore from a backup or move the database aside",
                    report.problems.len(),
                    report.problems.join("; ")
                )));
            }
            serde_json::to_value(&report).map_err(JobFailure::from)
        })
    }
}
