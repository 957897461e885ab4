//! The jobs table: one row per long piece of work, so the UI, the CLI and a restarted app all
//! see the same history. Rows move queued → running → succeeded | failed | cancelled; rows
//! still running when the process died become `interrupted` at the next start.

use rusqlite::{Connection, OptionalExtension, Row, params};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Context, Error, Result, unknown_value};

/// Row id of a job.
pub type JobId = i64;

/// What a job does. A closed set: the UI shows a label per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum JobKind {
    /// Integrity check and compaction of the local store.
    StoreMaintenance,
    /// Logging in to an org and registering it.
    OrgConnect,
    /// Retrieving every component of an org into a stored snapshot.
    Snapshot,
    /// Reading an mdapi folder/zip or an sfdx project into a stored snapshot.
    SnapshotImport,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::StoreMaintenance => "store_maintenance",
            JobKind::OrgConnect => "org_connect",
            JobKind::Snapshot => "snapshot",
            JobKind::SnapshotImport => "snapshot_import",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "store_maintenance" => Some(JobKind::StoreMaintenance),
            "org_connect" => Some(JobKind::OrgConnect),
            "snapshot" => Some(JobKind::Snapshot),
            "snapshot_import" => Some(JobKind::SnapshotImport),
            _ => None,
        }
    }
}

/// Life cycle of a job.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    Failed,
    Cancelled,
    /// The process ended (crash, kill, power loss) while the job was running.
    Interrupted,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
            JobStatus::Interrupted => "interrupted",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            "failed" => JobStatus::Failed,
            "cancelled" => JobStatus::Cancelled,
            "interrupted" => JobStatus::Interrupted,
            _ => return None,
        })
    }

    /// True once the job can no longer change.
    pub fn is_final(self) -> bool {
        !matches!(self, JobStatus::Queued | JobStatus::Running)
    }
}

/// One job as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JobRecord {
    #[ts(type = "number")]
    pub id: JobId,
    pub kind: JobKind,
    pub title: String,
    pub status: JobStatus,
    #[ts(type = "number")]
    pub progress_done: i64,
    /// None while the total is not known yet.
    #[ts(type = "number | null")]
    pub progress_total: Option<i64>,
    /// Human-readable current step ("Checking integrity").
    pub phase: Option<String>,
    pub error: Option<String>,
    /// JSON summary written by the job when it succeeds.
    #[ts(type = "unknown")]
    pub result: Option<serde_json::Value>,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number | null")]
    pub started_at: Option<i64>,
    #[ts(type = "number | null")]
    pub finished_at: Option<i64>,
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

const COLUMNS: &str = "id, kind, title, status, progress_done, progress_total, phase, error, \
                       result, created_at, started_at, finished_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<JobRecord> {
    let kind: String = row.get(1)?;
    let status: String = row.get(3)?;
    let result: Option<String> = row.get(8)?;
    Ok(JobRecord {
        id: row.get(0)?,
        kind: JobKind::parse(&kind).ok_or_else(|| unknown_value(1, &kind))?,
        title: row.get(2)?,
        status: JobStatus::parse(&status).ok_or_else(|| unknown_value(3, &status))?,
        progress_done: row.get(4)?,
        progress_total: row.get(5)?,
        phase: row.get(6)?,
        error: row.get(7)?,
        result: result.and_then(|s| serde_json::from_str(&s).ok()),
        created_at: row.get(9)?,
        started_at: row.get(10)?,
        finished_at: row.get(11)?,
    })
}

/// Inserts a queued job and returns its id.
pub fn create(conn: &Connection, kind: JobKind, title: &str) -> Result<JobId> {
    conn.execute(
        "INSERT INTO jobs (kind, title, status, created_at) VALUES (?1, ?2, 'queued', ?3)",
        params![kind.as_str(), title, now_ms()],
    )
    .context("creating a job")?;
    Ok(conn.last_insert_rowid())
}

/// Marks a job running.
pub fn mark_running(conn: &Connection, id: JobId) -> Result<()> {
    let n = conn
        .execute(
            "UPDATE jobs SET status = 'running', started_at = ?2 WHERE id = ?1",
            params![id, now_ms()],
        )
        .context("starting a job")?;
    if n == 0 {
        return Err(Error::JobNotFound(id));
    }
    Ok(())
}

/// Records progress of a running job.
pub fn set_progress(
    conn: &Connection,
    id: JobId,
    done: i64,
    total: Option<i64>,
    phase: Option<&str>,
) -> Result<()> {
    conn.execute(
        "UPDATE jobs SET progress_done = ?2, progress_total = ?3, phase = ?4
         WHERE id = ?1 AND status = 'running'",
        params![id, done, total, phase],
    )
    .context("recording job progress")?;
    Ok(())
}

/// Ends a job with a final status. `result` is stored as JSON on success.
pub fn finish(
    conn: &Connection,
    id: JobId,
    status: JobStatus,
    error: Option<&str>,
    result: Option<&serde_json::Value>,
) -> Result<()> {
    debug_assert!(status.is_final());
    let result = result.map(|v| v.to_string());
    conn.execute(
        "UPDATE jobs SET status = ?2, error = ?3, result = ?4, finished_at = ?5 WHERE id = ?1",
        params![id, status.as_str(), error, result, now_ms()],
    )
    .context("finishing a job")?;
    Ok(())
}

/// At start-up: jobs left queued or running by a previous process become `interrupted`.
/// Returns how many were marked.
pub fn mark_interrupted(conn: &Connection) -> Result<usize> {
    conn.execute(
        "UPDATE jobs SET status = 'interrupted', finished_at = ?1,
             error = 'Orgfleet stopped while this job was running. Start it again.'
         WHERE status IN ('queued', 'running')",
        params![now_ms()],
    )
    .context("marking interrupted jobs")
}

/// One job by id.
pub fn get(conn: &Connection, id: JobId) -> Result<JobRecord> {
    conn.query_row(
        &format!("SELECT {COLUMNS} FROM jobs WHERE id = ?1"),
        [id],
        from_row,
    )
    .optional()
    .context("reading a job")?
    .ok_or(Error::JobNotFound(id))
}

/// The newest `limit` jobs, newest first.
pub fn list(conn: &Connection, limit: u32) -> Result<Vec<JobRecord>> {
    let mut stmt = conn
        .prepare(&format!(
            "SELECT {COLUMNS} FROM jobs ORDER BY id DESC LIMIT ?1"
        ))
        .context("listing jobs")?;
    let rows = stmt.query_map([limit], from_row).context("listing jobs")?;
    rows.collect::<rusqlite::Result<Vec<_>>>()
        .context("listing jobs")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        (dir, store)
    }

    #[test]
    fn life_cycle_is_recorded() {
        let (_dir, store) = store();
        let conn = store.conn();
        let id = create(&conn, JobKind::StoreMaintenance, "Check store").unwrap();
        assert_eq!(get(&conn, id).unwrap().status, JobStatus::Queued);
        mark_running(&conn, id).unwrap();
        set_progress(&conn, id, 2, Some(5), Some("Checking integrity")).unwrap();
        let job = get(&conn, id).unwrap();
        assert_eq!(
            (job.status, job.progress_done, job.progress_total),
            (JobStatus::Running, 2, Some(5))
        );
        assert_eq!(job.phase.as_deref(), Some("Checking integrity"));
        let summary = serde_json::json!({"ok": true});
        finish(&conn, id, JobStatus::Succeeded, None, Some(&summary)).unwrap();
        let job = get(&conn, id).unwrap();
        assert_eq!(job.status, JobStatus::Succeeded);
        assert_eq!(job.result, Some(summary));
        assert!(job.finished_at.is_some());
    }

    #[test]
    fn running_jobs_become_interrupted_and_finished_ones_do_not() {
        let (_dir, store) = store();
        let conn = store.conn();
        let running = create(&conn, JobKind::StoreMaintenance, "a").unwrap();
        mark_running(&conn, running).unwrap();
        let done = create(&conn, JobKind::StoreMaintenance, "b").unwrap();
        finish(&conn, done, JobStatus::Succeeded, None, None).unwrap();
        assert_eq!(mark_interrupted(&conn).unwrap(), 1);
        assert_eq!(get(&conn, running).unwrap().status, JobStatus::Interrupted);
        assert_eq!(get(&conn, done).unwrap().status, JobStatus::Succeeded);
    }

    #[test]
    fn list_is_newest_first_and_unknown_job_is_an_error() {
        let (_dir, store) = store();
        let conn = store.conn();
        let a = create(&conn, JobKind::StoreMaintenance, "a").unwrap();
        let b = create(&conn, JobKind::StoreMaintenance, "b").unwrap();
        let ids: Vec<_> = list(&conn, 10).unwrap().into_iter().map(|j| j.id).collect();
        assert_eq!(ids, vec![b, a]);
        assert!(matches!(get(&conn, 999), Err(Error::JobNotFound(999))));
    }
}
