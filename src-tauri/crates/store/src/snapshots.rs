//! Snapshots: what an org's (or an imported package's) metadata looked like at one moment.
//!
//! A snapshot is the evidence behind every later diff, drift check and rollback, so it must be
//! complete or absent: [`write_snapshot`] stores the manifest and every new file in ONE SQLite
//! transaction, and a crash (even `kill -9`) mid-write leaves no half snapshot behind.
//!
//! Storage is content-addressed so that many snapshots of many orgs stay small:
//! * every file is a blob keyed by the blake3 hash of its uncompressed bytes, stored
//!   zstd-compressed once, shared across snapshots and orgs;
//! * a component's `content_hash` is blake3 over its sorted (path, file hash) list, so two
//!   snapshots agree on a component exactly when their hashes agree;
//! * a snapshot's component rows are a delta against the previous snapshot of the same source
//!   (see `migrations/0003_snapshots.sql`); readers resolve the chain, callers never see it.
//!
//! [`delete`] removes a snapshot, folds its rows into snapshots built on it, and collects the
//! blobs nothing references any more, all in one transaction.

mod delete;
mod read;
mod write;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_robustness;

use rusqlite::{Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{Context, Error, Result};

pub use delete::delete;
pub use read::{all_files, component_files, components};
pub use write::{MAX_CHAIN_DEPTH, try_write_snapshot, write_snapshot};

/// Where a snapshot's metadata came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum SnapshotSource {
    /// Retrieved from a connected org (`orgs.id`).
    Org {
        #[serde(rename = "orgRowId")]
        #[ts(type = "number")]
        org_row_id: i64,
    },
    /// Read from an mdapi zip/folder or an sfdx project on disk.
    Import { path: String },
}

/// A type that could not be retrieved completely (the snapshot is still usable, but the user
/// must know what it lacks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SnapshotWarning {
    pub type_name: String,
    pub message: String,
}

/// What the caller knows about a snapshot before its components are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSnapshot {
    pub source: SnapshotSource,
    pub label: String,
    pub api_version: Option<String>,
    pub warnings: Vec<SnapshotWarning>,
}

/// One top-level component and its files (mdapi paths, content already canonical).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentFiles {
    pub type_name: String,
    pub full_name: String,
    pub files: Vec<(String, Vec<u8>)>,
}

/// A stored snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SnapshotRecord {
    #[ts(type = "number")]
    pub id: i64,
    pub source: SnapshotSource,
    /// The org's alias (its current one, or the one it had when the org was removed).
    pub org_alias: Option<String>,
    pub label: String,
    pub api_version: Option<String>,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub created_at: i64,
    #[ts(type = "number")]
    pub component_count: i64,
    #[ts(type = "number")]
    pub file_count: i64,
    /// Uncompressed bytes of all files.
    #[ts(type = "number")]
    pub total_bytes: i64,
    pub warnings: Vec<SnapshotWarning>,
}

/// One component of a snapshot, without its files.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ComponentEntry {
    pub type_name: String,
    pub full_name: String,
    /// blake3 (hex) over the component's sorted (path, file hash) list.
    pub content_hash: String,
    /// Uncompressed bytes of the component's files.
    #[ts(type = "number")]
    pub size: i64,
}

/// What [`delete`] freed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct GcReport {
    #[ts(type = "number")]
    pub blobs_removed: i64,
    /// Compressed bytes given back to the database (the file shrinks at the next VACUUM).
    #[ts(type = "number")]
    pub bytes_freed: i64,
}

const RECORD_COLUMNS: &str = "s.id, s.source_kind, s.org_row_id, s.import_path, \
     COALESCE(o.alias, s.org_alias), s.label, s.api_version, s.created_at, \
     s.component_count, s.file_count, s.total_bytes";

fn record_from_row(row: &Row<'_>) -> rusqlite::Result<SnapshotRecord> {
    let kind: String = row.get(1)?;
    let source = if kind == "org" {
        SnapshotSource::Org {
            org_row_id: row.get::<_, Option<i64>>(2)?.unwrap_or(0),
        }
    } else {
        SnapshotSource::Import {
            path: row.get::<_, Option<String>>(3)?.unwrap_or_default(),
        }
    };
    Ok(SnapshotRecord {
        id: row.get(0)?,
        source,
        org_alias: row.get(4)?,
        label: row.get(5)?,
        api_version: row.get(6)?,
        created_at: row.get(7)?,
        component_count: row.get(8)?,
        file_count: row.get(9)?,
        total_bytes: row.get(10)?,
        warnings: Vec::new(),
    })
}

fn warnings_of(conn: &Connection, id: i64) -> Result<Vec<SnapshotWarning>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT type_name, message FROM snapshot_warnings WHERE snapshot = ?1 ORDER BY seq",
        )
        .context("reading snapshot warnings")?;
    stmt.query_map([id], |r| {
        Ok(SnapshotWarning {
            type_name: r.get(0)?,
            message: r.get(1)?,
        })
    })
    .and_then(|rows| rows.collect())
    .context("reading snapshot warnings")
}

/// Every snapshot, newest first.
pub fn list(conn: &Connection) -> Result<Vec<SnapshotRecord>> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM snapshots s LEFT JOIN orgs o ON o.id = s.org \
         ORDER BY s.created_at DESC, s.id DESC"
    );
    let mut records: Vec<SnapshotRecord> = conn
        .prepare(&sql)
        .and_then(|mut stmt| stmt.query_map([], record_from_row)?.collect())
        .context("listing snapshots")?;
    for record in &mut records {
        record.warnings = warnings_of(conn, record.id)?;
    }
    Ok(records)
}

/// One snapshot.
pub fn get(conn: &Connection, id: i64) -> Result<SnapshotRecord> {
    let sql = format!(
        "SELECT {RECORD_COLUMNS} FROM snapshots s LEFT JOIN orgs o ON o.id = s.org WHERE s.id = ?1"
    );
    let mut record = conn
        .query_row(&sql, [id], record_from_row)
        .optional()
        .context("reading a snapshot")?
        .ok_or(Error::SnapshotNotFound(id))?;
    record.warnings = warnings_of(conn, id)?;
    Ok(record)
}

/// The [`ComponentEntry::content_hash`] a component with these files (paths and stored,
/// canonical content) gets when written, for comparing content that is not stored (a project
/// folder) with stored snapshots.
pub fn content_hash_of(files: &[(String, Vec<u8>)]) -> String {
    let hashes: Vec<blake3::Hash> = files.iter().map(|(_, b)| blake3::hash(b)).collect();
    let pairs = files.iter().map(|(p, _)| p.as_str()).zip(&hashes).collect();
    hex(&write::content_hash(pairs))
}

/// Hex form of a 32-byte hash, as shown to callers.
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(DIGITS[(b >> 4) as usize] as char);
        out.push(DIGITS[(b & 15) as usize] as char);
    }
    out
}
