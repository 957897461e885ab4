//! Opening the database: WAL, foreign keys, busy timeout, migrations, damage detection.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags};

use crate::error::{Context, Error, Result};
use crate::{migrations, paths};

/// The open store. One shared connection serves short reads and writes; long work (jobs)
/// opens its own with [`Store::connect`], so a VACUUM never blocks the UI's reads for long.
pub struct Store {
    path: PathBuf,
    conn: Mutex<Connection>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating if needed) the store in the data directory (`$ORGFLEET_HOME` or the
    /// platform default).
    pub fn open_default() -> Result<Self> {
        Self::open(&paths::data_dir()?.join(paths::DATABASE_FILE))
    }

    /// Opens (creating if needed) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Self> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|source| Error::DataDir {
                path: parent.to_path_buf(),
                source,
            })?;
        }
        let mut conn = open_connection(path)?;
        migrations::migrate(&mut conn, path).map_err(|e| classify(e, path))?;
        Ok(Self {
            path: path.to_path_buf(),
            conn: Mutex::new(conn),
        })
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The shared connection.
    pub fn conn(&self) -> MutexGuard<'_, Connection> {
        // A panic while holding the lock cannot leave SQLite inconsistent (transactions roll
        // back on drop), so a poisoned lock is safe to reuse.
        self.conn
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A separate connection to the same database, for long-running work.
    pub fn connect(&self) -> Result<Connection> {
        let conn = open_connection(&self.path)?;
        migrations::check_version(&conn, &self.path)?;
        Ok(conn)
    }
}

fn open_connection(path: &Path) -> Result<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX
        | OpenFlags::SQLITE_OPEN_URI;
    let conn = Connection::open_with_flags(path, flags).map_err(|e| damaged(path, e))?;
    conn.busy_timeout(Duration::from_secs(10))
        .context("setting the busy timeout")?;
    // Reading the schema is the first thing that touches the file's content: a file that is
    // not a database (or is corrupt in its header) fails here, before anything is written.
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(|e| damaged(path, e))?;
    migrations::check_version(&conn, path)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
        .map_err(|e| damaged(path, e))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "SQLite refused WAL mode; continuing with {mode}");
    }
    conn.pragma_update(None, "foreign_keys", true)
        .context("enabling foreign keys")?;
    conn.pragma_update(None, "synchronous", "NORMAL")
        .context("setting synchronous")?;
    Ok(conn)
}

fn damaged(path: &Path, e: rusqlite::Error) -> Error {
    match &e {
        rusqlite::Error::SqliteFailure(f, _)
            if matches!(
                f.code,
                rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt
            ) =>
        {
            Error::Damaged {
                path: path.to_path_buf(),
                reason: e.to_string(),
            }
        }
        rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::DiskFull => {
            Error::DiskFull {
                path: path.to_path_buf(),
            }
        }
        _ => Error::Sqlite {
            context: "opening the database",
            source: e,
        },
    }
}

fn classify(e: Error, path: &Path) -> Error {
    match e {
        Error::Sqlite { source, .. } if is_corruption(&source) => Error::Damaged {
            path: path.to_path_buf(),
            reason: source.to_string(),
        },
        other => other,
    }
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if matches!(f.code, rusqlite::ErrorCode::NotADatabase | rusqlite::ErrorCode::DatabaseCorrupt))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opens_in_wal_with_foreign_keys_and_latest_schema() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let conn = store.conn();
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let fk: i64 = conn
            .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
            .unwrap();
        assert_eq!(fk, 1);
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, migrations::latest_version());
    }

    #[test]
    fn reopening_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        drop(Store::open(&path).unwrap());
        let store = Store::open(&path).unwrap();
        let tables: i64 = store
            .conn()
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'jobs'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 1);
    }

    #[test]
    fn garbage_file_is_reported_as_damaged_and_left_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        let garbage = b"this is not a database, it is a shopping list: milk, eggs ".repeat(100);
        std::fs::write(&path, &garbage).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(matches!(err, Error::Damaged { .. }), "got {err:?}");
        assert!(err.to_string().contains("Move the file aside"));
        assert_eq!(
            std::fs::read(&path).unwrap(),
            garbage,
            "a damaged file must not be modified"
        );
    }

    #[test]
    fn newer_schema_is_refused_without_modification() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db.sqlite3");
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("CREATE TABLE future (x); PRAGMA user_version = 999;")
                .unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).unwrap_err();
        assert!(
            matches!(err, Error::TooNew { found: 999, .. }),
            "got {err:?}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }
}
