//! The job runner: every long piece of work is a job.
//!
//! Starting a job inserts a row (queued), spawns the work on the tokio runtime and returns
//! its id at once. The work gets a [`JobContext`] to report progress (persisted, throttled,
//! and broadcast as [`JobEvent`]s for the UI) and to check for cancellation. When the work
//! ends the row records succeeded / failed / cancelled; if the process dies first, the next
//! start marks it interrupted ([`crate::Engine::recover_after_restart`]).

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use orgfleet_store::jobs as rows;
use orgfleet_store::{JobId, JobKind, JobRecord, JobStatus, Store};
use serde::Serialize;
use tokio::sync::broadcast;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use ts_rs::TS;

use crate::error::{Error, Result};

/// Sent whenever a job changes; carries the whole row so a listener can simply replace it.
#[derive(Debug, Clone, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct JobEvent {
    pub job: JobRecord,
}

/// Why a job's work stopped without success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobFailure {
    Cancelled,
    Failed(String),
}

impl<E: std::fmt::Display> From<E> for JobFailure
where
    E: Into<Box<dyn std::error::Error>>,
{
    fn from(e: E) -> Self {
        JobFailure::Failed(e.to_string())
    }
}

/// Progress writes to SQLite are throttled to this interval; events are not.
const PERSIST_EVERY: Duration = Duration::from_millis(250);

/// Given to the work of a job.
#[derive(Clone)]
pub struct JobContext {
    id: JobId,
    cancel: CancellationToken,
    store: Arc<Store>,
    events: broadcast::Sender<JobEvent>,
    last_persist: Arc<Mutex<Option<Instant>>>,
}

impl std::fmt::Debug for JobContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobContext")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl JobContext {
    pub fn id(&self) -> JobId {
        self.id
    }

    /// Returns `Err(Cancelled)` once cancellation was requested: call it between steps.
    pub fn checkpoint(&self) -> std::result::Result<(), JobFailure> {
        if self.cancel.is_cancelled() {
            Err(JobFailure::Cancelled)
        } else {
            Ok(())
        }
    }

    /// The token, for work that wants to `select!` on cancellation.
    pub fn cancellation(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Reports progress: `done` of `total` (None while unknown), in the named phase.
    pub fn progress(&self, done: i64, total: Option<i64>, phase: &str) {
        let mut job = match rows::get(&self.store.conn(), self.id) {
            Ok(job) => job,
            Err(e) => {
                tracing::warn!(job = self.id, error = %e, "could not read job for progress");
                return;
            }
        };
        job.progress_done = done;
        job.progress_total = total;
        job.phase = Some(phase.to_owned());
        let due = {
            let mut last = self.last_persist.lock().unwrap_or_else(|p| p.into_inner());
            let due = last.is_none_or(|t| t.elapsed() >= PERSIST_EVERY) || total == Some(done);
            if due {
                *last = Some(Instant::now());
            }
            due
        };
        if due
            && let Err(e) =
                rows::set_progress(&self.store.conn(), self.id, done, total, Some(phase))
        {
            tracing::warn!(job = self.id, error = %e, "could not persist job progress");
        }
        let _ = self.events.send(JobEvent { job });
    }
}

/// A started job: its id and a handle that resolves to the final row.
#[derive(Debug)]
pub struct JobHandle {
    pub id: JobId,
    pub done: JoinHandle<Result<JobRecord>>,
}

/// Runs jobs and keeps the cancellation tokens of the ones running in this process.
#[derive(Debug)]
pub struct Jobs {
    store: Arc<Store>,
    running: Arc<Mutex<HashMap<JobId, CancellationToken>>>,
    events: broadcast::Sender<JobEvent>,
}

impl Jobs {
    pub(crate) fn new(store: Arc<Store>) -> Self {
        let (events, _) = broadcast::channel(1024);
        Self {
            store,
            running: Arc::default(),
            events,
        }
    }

    /// Every job change, for the UI. Slow listeners may miss intermediate progress events
    /// (they get `Lagged`) but each event carries the full row, so the next one catches up.
    pub fn subscribe(&self) -> broadcast::Receiver<JobEvent> {
        self.events.subscribe()
    }

    /// Starts `work` as a job of `kind`. Must be called within a tokio runtime.
    pub fn start<F, Fut>(&self, kind: JobKind, title: &str, work: F) -> Result<JobHandle>
    where
        F: FnOnce(JobContext) -> Fut + Send + 'static,
        Fut: Future<Output = std::result::Result<serde_json::Value, JobFailure>> + Send + 'static,
    {
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| Error::NoRuntime)?;
        let id = rows::create(&self.store.conn(), kind, title)?;
        let cancel = CancellationToken::new();
        self.lock_running().insert(id, cancel.clone());
        self.publish(id);
        let ctx = JobContext {
            id,
            cancel,
            store: self.store.clone(),
            events: self.events.clone(),
            last_persist: Arc::default(),
        };
        let store = self.store.clone();
        let running = self.running.clone();
        let events = self.events.clone();
        let done = runtime.spawn(async move {
            if let Err(e) = rows::mark_running(&store.conn(), id) {
                tracing::error!(job = id, error = %e, "could not mark job running");
            }
            if let Ok(job) = rows::get(&store.conn(), id) {
                let _ = events.send(JobEvent { job });
            }
            // Run the work in its own task so a panic inside it is caught as a failure.
            let outcome = tokio::spawn(work(ctx)).await;
            let (status, error, result) = match outcome {
                Ok(Ok(result)) => (JobStatus::Succeeded, None, Some(result)),
                Ok(Err(JobFailure::Cancelled)) => (JobStatus::Cancelled, None, None),
                Ok(Err(JobFailure::Failed(message))) => (JobStatus::Failed, Some(message), None),
                Err(join) => (
                    JobStatus::Failed,
                    Some(format!("the job crashed: {join}")),
                    None,
                ),
            };
            let conn = store.conn();
            if status == JobStatus::Succeeded {
                // Make the final progress row say 100% even if the work's last report was throttled.
                if let Ok(job) = rows::get(&conn, id) {
                    let total = job.progress_total.unwrap_or(job.progress_done.max(1));
                    let _ = rows::set_progress(&conn, id, total, Some(total), job.phase.as_deref());
                }
            }
            if let Err(e) = rows::finish(&conn, id, status, error.as_deref(), result.as_ref()) {
                tracing::error!(job = id, error = %e, "could not record the end of a job");
            }
            running
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .remove(&id);
            let job = rows::get(&conn, id);
            drop(conn);
            if let Ok(job) = &job {
                let _ = events.send(JobEvent { job: job.clone() });
            }
            Ok(job?)
        });
        Ok(JobHandle { id, done })
    }

    /// Requests cancellation. The job ends as `cancelled` at its next checkpoint.
    pub fn cancel(&self, id: JobId) -> Result<()> {
        if let Some(token) = self.lock_running().get(&id) {
            token.cancel();
            return Ok(());
        }
        let job = rows::get(&self.store.conn(), id)?;
        if job.status.is_final() {
            Err(Error::JobFinished {
                id,
                status: job.status.as_str(),
            })
        } else {
            Err(Error::JobNotRunning(id))
        }
    }

    /// The newest `limit` jobs, newest first.
    pub fn list(&self, limit: u32) -> Result<Vec<JobRecord>> {
        Ok(rows::list(&self.store.conn(), limit)?)
    }

    pub fn get(&self, id: JobId) -> Result<JobRecord> {
        Ok(rows::get(&self.store.conn(), id)?)
    }

    fn publish(&self, id: JobId) {
        if let Ok(job) = rows::get(&self.store.conn(), id) {
            let _ = self.events.send(JobEvent { job });
        }
    }

    fn lock_running(&self) -> std::sync::MutexGuard<'_, HashMap<JobId, CancellationToken>> {
        self.running.lock().unwrap_or_else(|p| p.into_inner())
    }
}
