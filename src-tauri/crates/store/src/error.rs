//! The store's one error type. Every variant says what happened and what the user can do.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "the Orgfleet database at {path} is damaged or is not an Orgfleet database ({reason}). \
         Move the file aside (Orgfleet starts with an empty store) or restore it from a backup"
    )]
    Damaged { path: PathBuf, reason: String },

    #[error(
        "the Orgfleet database at {path} was written by a newer Orgfleet (schema version \
         {found}, this build knows up to {supported}). Update Orgfleet; the database was not changed"
    )]
    TooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error(
        "no data directory could be found for this user; set ORGFLEET_HOME to a writable folder"
    )]
    NoHome,

    #[error("job {0} does not exist")]
    JobNotFound(i64),

    #[error("no connected org `{0}`; `orgfleet org list` shows the connected orgs")]
    OrgNotFound(String),

    #[error("the alias `{0}` is already used by another org; choose another alias")]
    AliasTaken(String),

    #[error(
        "no keychain is available to keep org credentials ({0}). On Linux, install and unlock a \
         Secret Service (GNOME Keyring or KWallet); on a headless machine, opt in to a private \
         file store with ORGFLEET_SECRET_STORE=file"
    )]
    KeychainUnavailable(String),

    #[error("{0}")]
    Secrets(String),

    #[error("the disk is full while writing {path}; free some space and retry")]
    DiskFull { path: PathBuf },

    #[error("snapshot {0} does not exist; `orgfleet snapshot list` shows the stored snapshots")]
    SnapshotNotFound(i64),

    #[error("snapshot {snapshot} has no component {type_name} `{full_name}`")]
    ComponentNotFound {
        snapshot: i64,
        type_name: String,
        full_name: String,
    },

    #[error("the snapshot was not stored, nothing was changed: {0}")]
    InvalidSnapshot(String),

    #[error(
        "stored content {hash} is damaged ({reason}). Run store maintenance (`PRAGMA \
         integrity_check`) and take the snapshot again; other snapshots are unaffected"
    )]
    BlobDamaged { hash: String, reason: String },

    #[error("invalid drift ignore rule: {0}")]
    InvalidDriftRule(String),

    #[error("database error while {context}: {source}")]
    Sqlite {
        context: &'static str,
        source: rusqlite::Error,
    },
}

pub type Result<T> = std::result::Result<T, Error>;

/// Adds what the store was doing to a rusqlite error, recognising a full disk.
pub(crate) trait Context<T> {
    fn context(self, context: &'static str) -> Result<T>;
}

impl<T> Context<T> for std::result::Result<T, rusqlite::Error> {
    fn context(self, context: &'static str) -> Result<T> {
        self.map_err(|source| Error::Sqlite { context, source })
    }
}

impl Error {
    /// True when the error came from a full disk (SQLITE_FULL).
    pub fn is_disk_full(&self) -> bool {
        matches!(self, Error::DiskFull { .. })
            || matches!(self, Error::Sqlite { source: rusqlite::Error::SqliteFailure(e, _), .. }
                if e.code == rusqlite::ErrorCode::DiskFull)
    }
}

/// The error for a stored text column holding a value this build does not know (an enum
/// written by a newer Orgfleet, or a damaged row).
pub(crate) fn unknown_value(column: usize, value: &str) -> rusqlite::Error {
    rusqlite::Error::FromSqlConversionFailure(
        column,
        rusqlite::types::Type::Text,
        format!("unknown value `{value}`").into(),
    )
}
