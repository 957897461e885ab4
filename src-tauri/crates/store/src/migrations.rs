//! Forward-only schema migrations, embedded in the binary.
//!
//! The schema version is SQLite's `user_version`. Each migration runs in its own transaction
//! together with the version bump, so a crash mid-migration leaves the previous version intact.
//! A database whose version is above the newest migration we know is refused untouched.

use std::path::Path;

use rusqlite::Connection;

use crate::error::{Context, Error, Result};

/// (version, SQL). Append only: never edit a migration that has shipped.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../migrations/0001_jobs.sql")),
    (2, include_str!("../migrations/0002_orgs.sql")),
    (3, include_str!("../migrations/0003_snapshots.sql")),
    (4, include_str!("../migrations/0004_drift_rules.sql")),
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map(|(v, _)| *v).unwrap_or(0)
}

/// Reads the schema version, refusing a newer database before anything is written.
pub fn check_version(conn: &Connection, path: &Path) -> Result<i64> {
    let found: i64 = conn
        .query_row("PRAGMA user_version", [], |row| row.get(0))
        .context("reading the schema version")?;
    let supported = latest_version();
    if found > supported {
        return Err(Error::TooNew {
            path: path.to_path_buf(),
            found,
            supported,
        });
    }
    Ok(found)
}

/// Applies every migration newer than the database's version.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let current = check_version(conn, path)?;
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction().context("starting a migration")?;
        tx.execute_batch(sql).context("applying a migration")?;
        tx.pragma_update(None, "user_version", version)
            .context("recording the schema version")?;
        tx.commit().context("committing a migration")?;
        tracing::info!(version, "applied store migration");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_strictly_increasing() {
        let versions: Vec<i64> = MIGRATIONS.iter().map(|(v, _)| *v).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(versions.first(), Some(&1));
    }
}
