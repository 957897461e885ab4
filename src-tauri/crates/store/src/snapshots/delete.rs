//! Deleting a snapshot and collecting the blobs nothing references any more.
//!
//! Snapshots are deltas on a base, so deleting one that others are built on first folds its
//! rows into each of them (the rows they did not override), then re-points them at its own
//! base. All of it, and the blob sweep, is one transaction: a crash leaves the store as before.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use super::GcReport;
use crate::error::{Context, Error, Result};

/// Deletes a snapshot and garbage-collects the blobs no snapshot references any more, in one
/// transaction. Snapshots stored as a delta on this one take over its rows first, so they read
/// exactly as before.
pub fn delete(conn: &mut Connection, id: i64) -> Result<GcReport> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context("starting to delete a snapshot")?;
    // File rows are copied before the component rows they belong to (see below); the foreign
    // keys are checked at commit instead of per statement. Reset automatically at commit.
    tx.pragma_update(None, "defer_foreign_keys", true)
        .context("deferring foreign keys")?;
    let base: Option<i64> = tx
        .query_row("SELECT base FROM snapshots WHERE id = ?1", [id], |r| {
            r.get(0)
        })
        .optional()
        .context("reading a snapshot")?
        .ok_or(Error::SnapshotNotFound(id))?;
    let children: Vec<i64> = tx
        .prepare("SELECT id FROM snapshots WHERE base = ?1")
        .and_then(|mut s| s.query_map([id], |r| r.get(0))?.collect())
        .context("finding snapshots built on this one")?;
    for child in children {
        // Files first: they are chosen by "the child has no row for this component", which
        // copying the component rows would make true for every component.
        tx.execute(
            "INSERT INTO snapshot_files (snapshot, type, full_name, path, blob)
             SELECT ?2, f.type, f.full_name, f.path, f.blob FROM snapshot_files f
             WHERE f.snapshot = ?1 AND NOT EXISTS (SELECT 1 FROM snapshot_components c
                 WHERE c.snapshot = ?2 AND c.type = f.type AND c.full_name = f.full_name)",
            params![id, child],
        )
        .context("folding a deleted snapshot's files into the next one")?;
        tx.execute(
            "INSERT OR IGNORE INTO snapshot_components
                 (snapshot, type, full_name, content_hash, size, file_count)
             SELECT ?2, type, full_name, content_hash, size, file_count FROM snapshot_components
             WHERE snapshot = ?1",
            params![id, child],
        )
        .context("folding a deleted snapshot's components into the next one")?;
        if base.is_none() {
            // The child is now complete: a removal marker has nothing left to hide.
            tx.execute(
                "DELETE FROM snapshot_components WHERE snapshot = ?1 AND content_hash IS NULL",
                [child],
            )
            .context("dropping removal markers")?;
        }
        tx.execute(
            "UPDATE snapshots SET base = ?2 WHERE id = ?1",
            params![child, base],
        )
        .context("re-basing a snapshot")?;
    }
    tx.execute("DELETE FROM snapshots WHERE id = ?1", [id])
        .context("deleting a snapshot")?;
    let report = collect_garbage(&tx)?;
    tx.commit().context("committing a snapshot delete")?;
    Ok(report)
}

/// Removes every blob no snapshot file references. Runs inside the caller's transaction.
pub(crate) fn collect_garbage(conn: &Connection) -> Result<GcReport> {
    let (blobs_removed, bytes_freed): (i64, i64) = conn
        .query_row(
            "SELECT count(*), COALESCE(sum(stored_size), 0) FROM blobs b
             WHERE NOT EXISTS (SELECT 1 FROM snapshot_files f WHERE f.blob = b.hash)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .context("finding unreferenced blobs")?;
    if blobs_removed > 0 {
        conn.execute(
            "DELETE FROM blobs
             WHERE NOT EXISTS (SELECT 1 FROM snapshot_files f WHERE f.blob = blobs.hash)",
            [],
        )
        .context("removing unreferenced blobs")?;
    }
    Ok(GcReport {
        blobs_removed,
        bytes_freed,
    })
}
