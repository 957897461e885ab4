//! Store integrity check and compaction, as separate steps so the engine can report progress
//! and honour cancellation between them. Later work (blob verification, garbage collection of
//! unreferenced blobs after a snapshot is deleted) adds steps here.

use std::path::Path;

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Context, Result};

/// One step of store maintenance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    QuickCheck,
    IntegrityCheck,
    ForeignKeyCheck,
    Checkpoint,
    Optimize,
    Vacuum,
}

/// All steps, in the order they run: read-only checks first, so a damaged store is reported
/// before compaction rewrites anything.
pub const STEPS: &[Step] = &[
    Step::QuickCheck,
    Step::IntegrityCheck,
    Step::ForeignKeyCheck,
    Step::Checkpoint,
    Step::Optimize,
    Step::Vacuum,
];

impl Step {
    /// What the UI shows while the step runs.
    pub fn label(self) -> &'static str {
        match self {
            Step::QuickCheck => "Quick check",
            Step::IntegrityCheck => "Checking integrity",
            Step::ForeignKeyCheck => "Checking references",
            Step::Checkpoint => "Checkpointing the write-ahead log",
            Step::Optimize => "Optimizing indexes",
            Step::Vacuum => "Compacting",
        }
    }

    /// Runs the step; problems found are appended to `report`.
    pub fn run(self, conn: &Connection, report: &mut MaintenanceReport) -> Result<()> {
        match self {
            Step::QuickCheck => collect_problems(conn, "PRAGMA quick_check", report),
            Step::IntegrityCheck => collect_problems(conn, "PRAGMA integrity_check", report),
            Step::ForeignKeyCheck => {
                let mut stmt = conn
                    .prepare("PRAGMA foreign_key_check")
                    .context("checking references")?;
                let rows = stmt
                    .query_map([], |r| {
                        Ok(format!(
                            "dangling reference in table {}",
                            r.get::<_, String>(0)?
                        ))
                    })
                    .context("checking references")?;
                for row in rows {
                    report.problems.push(row.context("checking references")?);
                }
                Ok(())
            }
            Step::Checkpoint => conn
                .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
                .context("checkpointing the write-ahead log"),
            Step::Optimize => conn
                .execute_batch("PRAGMA optimize; ANALYZE;")
                .context("optimizing"),
            Step::Vacuum => {
                // Never rewrite a store that failed its checks: compaction could spread damage.
                if report.integrity_ok() {
                    // In WAL mode VACUUM writes through the log: checkpoint so the file shrinks.
                    conn.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);")
                        .context("compacting")?;
                    report.compacted = true;
                }
                Ok(())
            }
        }
    }
}

fn collect_problems(conn: &Connection, pragma: &str, report: &mut MaintenanceReport) -> Result<()> {
    let mut stmt = conn.prepare(pragma).context("checking integrity")?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))
        .context("checking integrity")?;
    for row in rows {
        let line = row.context("checking integrity")?;
        if line != "ok" && !report.problems.contains(&line) {
            report.problems.push(line);
        }
    }
    Ok(())
}

/// What maintenance found and did; stored as the job's result.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct MaintenanceReport {
    /// Empty when the store is healthy.
    pub problems: Vec<String>,
    pub compacted: bool,
    #[ts(type = "number")]
    pub bytes_before: u64,
    #[ts(type = "number")]
    pub bytes_after: u64,
}

impl MaintenanceReport {
    pub fn integrity_ok(&self) -> bool {
        self.problems.is_empty()
    }
}

/// Bytes the database occupies on disk (main file + WAL).
pub fn disk_usage(db_path: &Path) -> u64 {
    let wal = db_path.with_extension("sqlite3-wal");
    [db_path.to_path_buf(), wal]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Store;

    #[test]
    fn all_steps_pass_on_a_healthy_store_and_compaction_shrinks_it() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        {
            let conn = store.conn();
            conn.execute_batch("CREATE TABLE scratch (x BLOB)").unwrap();
            for _ in 0..200 {
                conn.execute("INSERT INTO scratch VALUES (zeroblob(4096))", [])
                    .unwrap();
            }
            conn.execute_batch("DELETE FROM scratch; PRAGMA wal_checkpoint(TRUNCATE);")
                .unwrap();
        }
        let conn = store.connect().unwrap();
        let mut report = MaintenanceReport {
            bytes_before: disk_usage(store.path()),
            ..Default::default()
        };
        for step in STEPS {
            step.run(&conn, &mut report).unwrap();
        }
        report.bytes_after = disk_usage(store.path());
        assert!(report.integrity_ok(), "{:?}", report.problems);
        assert!(report.compacted);
        assert!(report.bytes_after < report.bytes_before, "{report:?}");
    }

    #[test]
    fn dangling_reference_is_reported_and_blocks_compaction() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("db.sqlite3")).unwrap();
        let conn = store.connect().unwrap();
        conn.execute_batch(
            "CREATE TABLE parent (id INTEGER PRIMARY KEY);
             CREATE TABLE child (parent_id INTEGER REFERENCES parent(id));
             PRAGMA foreign_keys = OFF;
             INSERT INTO child VALUES (42);
             PRAGMA foreign_keys = ON;",
        )
        .unwrap();
        let mut report = MaintenanceReport::default();
        for step in STEPS {
            step.run(&conn, &mut report).unwrap();
        }
        assert_eq!(
            report.problems,
            vec!["dangling reference in table child".to_string()]
        );
        assert!(!report.compacted);
    }
}
