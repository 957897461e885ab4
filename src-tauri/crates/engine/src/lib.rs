//! orgfleet-engine: Orgfleet's use cases, callable from the desktop app, the CLI and tests.
//!
//! The engine knows nothing of windows or IPC: the app and the CLI are thin shells over it, so
//! everything a person can do in the UI can be done (and tested) headless. Long work runs as
//! a [`jobs`] job: a row in the store, progress events on a broadcast channel, a cancellation
//! token, and `interrupted` status if the process dies mid-way.

pub mod connect;
pub mod connect_request;
pub mod drift;
mod drift_compare;
mod drift_detail;
pub mod drift_matrix;
mod drift_matrix_children;
mod drift_parallel;
pub mod drift_report;
pub mod drift_rules;
mod drift_side;
mod error;
pub mod jobs;
pub mod maintenance;
pub mod orgs;
mod sessions;
pub mod snapshot;
pub mod snapshot_io;
mod snapshot_merge;
pub mod snapshot_plan;
mod snapshot_retrieve;

use std::path::Path;
use std::sync::Arc;

pub use drift::{
    ChangeKind, ComponentChange, DriftReport, DriftSide, IgnoredChange, RiskFlag, TypeCounts,
};
pub use drift_detail::ComponentDetail;
pub use drift_matrix::{CellState, MatrixColumn, MatrixReport, MatrixRow, OrgComparison};
pub use drift_report::ReportFormat;
pub use drift_side::SideInfo;
pub use error::{Error, Result};
pub use jobs::{JobContext, JobEvent, JobFailure, JobHandle, Jobs};
pub use orgfleet_metadata::diff::{ComponentDiff, DiffOptions};
pub use orgfleet_salesforce::Error as SalesforceError;
pub use orgfleet_store::drift_rules::{DriftRule, DriftRuleKind, NewDriftRule};
pub use orgfleet_store::maintenance::MaintenanceReport;
pub use orgfleet_store::orgs::{AuthMethod, OrgKind, OrgRecord};
pub use orgfleet_store::snapshots::{
    ComponentEntry, GcReport, SnapshotRecord, SnapshotSource, SnapshotWarning,
};
pub use orgfleet_store::{Error as StoreError, JobId, JobKind, JobRecord, JobStatus, Store};
pub use snapshot::SnapshotOptions;
pub use snapshot_io::ExportFormat;

/// The engine: the store plus the job runner. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct Engine {
    store: Arc<Store>,
    jobs: Jobs,
    sessions: sessions::Sessions,
    /// Listings of recently compared snapshots (drift).
    drift_sides: drift_side::SideCache,
    /// Loopback port of browser logins (1717 like the Salesforce CLI; 0 = any free port).
    oauth_port: std::sync::atomic::AtomicU16,
    /// The Salesforce CLI program (`sf` on the PATH, or `$ORGFLEET_SF_CLI`).
    sf_cli_program: std::sync::Mutex<std::path::PathBuf>,
}

impl Engine {
    /// Opens the store in the data directory (`$ORGFLEET_HOME` or the platform default).
    pub fn open_default() -> Result<Self> {
        Ok(Self::with_store(Store::open_default()?))
    }

    /// Opens the store at `path`.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self::with_store(Store::open(path)?))
    }

    fn with_store(store: Store) -> Self {
        let store = Arc::new(store);
        let oauth_port = std::env::var("ORGFLEET_OAUTH_PORT")
            .ok()
            .and_then(|p| p.parse().ok())
            .unwrap_or(orgfleet_salesforce::oauth::web::DEFAULT_PORT);
        Self {
            jobs: Jobs::new(store.clone()),
            store,
            sessions: sessions::Sessions::default(),
            drift_sides: drift_side::SideCache::default(),
            oauth_port: oauth_port.into(),
            sf_cli_program: std::sync::Mutex::new(
                std::env::var_os("ORGFLEET_SF_CLI")
                    .filter(|p| !p.is_empty())
                    .map_or_else(|| "sf".into(), Into::into),
            ),
        }
    }

    /// Called once when the app starts: jobs a previous process left running are marked
    /// interrupted, so the Activity view tells the truth. Returns how many there were.
    pub fn recover_after_restart(&self) -> Result<usize> {
        let n = orgfleet_store::jobs::mark_interrupted(&self.store.conn())?;
        if n > 0 {
            tracing::warn!(count = n, "marked jobs from a previous run as interrupted");
        }
        Ok(n)
    }

    pub fn store(&self) -> &Arc<Store> {
        &self.store
    }

    pub fn jobs(&self) -> &Jobs {
        &self.jobs
    }

    /// The folder holding the database (and the opt-in secret file).
    pub fn data_dir(&self) -> std::path::PathBuf {
        self.store
            .path()
            .parent()
            .map(std::path::Path::to_path_buf)
            .unwrap_or_default()
    }

    pub fn oauth_port(&self) -> u16 {
        self.oauth_port.load(std::sync::atomic::Ordering::Relaxed)
    }

    pub fn sf_cli_program(&self) -> std::path::PathBuf {
        self.sf_cli_program
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// Uses another Salesforce CLI program (a path) for imports.
    pub fn set_sf_cli_program(&self, program: impl Into<std::path::PathBuf>) {
        *self
            .sf_cli_program
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = program.into();
    }

    /// Changes the loopback port of browser logins (tests use 0: any free port).
    pub fn set_oauth_port(&self, port: u16) {
        self.oauth_port
            .store(port, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Where Orgfleet keeps its data (`$ORGFLEET_HOME` or the platform data directory).
pub fn data_dir() -> Result<std::path::PathBuf> {
    Ok(orgfleet_store::data_dir()?)
}
