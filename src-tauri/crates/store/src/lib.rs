//! orgfleet-store: everything Orgfleet keeps on disk, in one SQLite database.
//!
//! Local-first means the store is the product's memory: jobs, and later snapshots, blobs,
//! deploy records and the audit log. It must never lose or corrupt data, so it opens in WAL
//! mode with foreign keys on, applies forward-only migrations embedded in the binary, refuses
//! a database written by a newer Orgfleet instead of touching it, and reports a damaged file
//! with a message that says what to do. The database lives in the platform data directory,
//! or in `$ORGFLEET_HOME` when set (tests, demos, CI).

pub mod drift_rules;
mod error;
pub mod jobs;
pub mod maintenance;
mod migrations;
pub mod orgs;
mod paths;
pub mod secrets;
pub mod snapshots;
mod store;

pub use error::{Error, Result};
pub use jobs::{JobId, JobKind, JobRecord, JobStatus};
pub use orgs::{AuthMethod, NewOrg, OrgKind, OrgRecord};
pub use paths::{DATABASE_FILE, data_dir};
pub use snapshots::{
    ComponentEntry, ComponentFiles, GcReport, NewSnapshot, SnapshotRecord, SnapshotSource,
    SnapshotWarning,
};
pub use store::Store;
