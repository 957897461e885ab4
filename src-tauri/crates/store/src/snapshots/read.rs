//! Reading snapshots back: resolving the delta chain, decompressing and verifying blobs.
//!
//! A snapshot's rows override its base's; a removal marker (NULL hash) hides the base's row.
//! Every blob is checked against its blake3 address when read, so a damaged database is
//! reported instead of silently handing back wrong metadata.

use std::collections::BTreeMap;

use rusqlite::{Connection, OptionalExtension, params};

use super::{ComponentEntry, hex};
use crate::error::{Context, Error, Result};

/// One component as resolved through the chain.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    /// The snapshot in the chain whose rows hold this component.
    pub owner: i64,
    /// None for a removal marker (only while resolving; never returned from [`resolve`]).
    pub content_hash: Option<Vec<u8>>,
    pub size: i64,
}

/// The snapshot and its bases, the snapshot first.
pub(crate) fn chain(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let mut stmt = conn
        .prepare_cached("SELECT base FROM snapshots WHERE id = ?1")
        .context("reading a snapshot")?;
    let mut out = vec![id];
    let mut current = id;
    loop {
        let base: Option<i64> = stmt
            .query_row([current], |r| r.get(0))
            .optional()
            .context("reading a snapshot")?
            .ok_or(Error::SnapshotNotFound(current))?;
        match base {
            Some(base) if !out.contains(&base) => {
                out.push(base);
                current = base;
            }
            Some(_) => {
                return Err(Error::BlobDamaged {
                    hash: format!("snapshot {id}"),
                    reason: "its chain of base snapshots loops".into(),
                });
            }
            None => return Ok(out),
        }
    }
}

/// Every live component of snapshot `id`, keyed by (type, full name).
pub(crate) fn resolve(conn: &Connection, id: i64) -> Result<BTreeMap<(String, String), Resolved>> {
    let mut map: BTreeMap<(String, String), Resolved> = BTreeMap::new();
    let mut stmt = conn
        .prepare_cached(
            "SELECT type, full_name, content_hash, size FROM snapshot_components
             WHERE snapshot = ?1",
        )
        .context("reading snapshot components")?;
    for owner in chain(conn, id)? {
        let mut rows = stmt.query([owner]).context("reading snapshot components")?;
        while let Some(row) = rows.next().context("reading snapshot components")? {
            let key: (String, String) = (
                row.get(0).context("reading snapshot components")?,
                row.get(1).context("reading snapshot components")?,
            );
            if map.contains_key(&key) {
                continue;
            }
            let content_hash: Option<Vec<u8>> =
                row.get(2).context("reading snapshot components")?;
            let size: Option<i64> = row.get(3).context("reading snapshot components")?;
            map.insert(
                key,
                Resolved {
                    owner,
                    content_hash,
                    size: size.unwrap_or(0),
                },
            );
        }
    }
    map.retain(|_, r| r.content_hash.is_some());
    Ok(map)
}

/// A snapshot's components, sorted by type then full name.
pub fn components(conn: &Connection, id: i64) -> Result<Vec<ComponentEntry>> {
    Ok(resolve(conn, id)?
        .into_iter()
        .map(|((type_name, full_name), r)| ComponentEntry {
            type_name,
            full_name,
            content_hash: hex(r.content_hash.as_deref().unwrap_or_default()),
            size: r.size,
        })
        .collect())
}

/// One component's files (mdapi path → content), sorted by path.
pub fn component_files(
    conn: &Connection,
    id: i64,
    type_name: &str,
    full_name: &str,
) -> Result<Vec<(String, Vec<u8>)>> {
    let not_found = || Error::ComponentNotFound {
        snapshot: id,
        type_name: type_name.to_owned(),
        full_name: full_name.to_owned(),
    };
    let mut find = conn
        .prepare_cached(
            "SELECT content_hash FROM snapshot_components
             WHERE snapshot = ?1 AND type = ?2 AND full_name = ?3",
        )
        .context("reading a snapshot component")?;
    for owner in chain(conn, id)? {
        let row: Option<Option<Vec<u8>>> = find
            .query_row(params![owner, type_name, full_name], |r| r.get(0))
            .optional()
            .context("reading a snapshot component")?;
        match row {
            None => continue,
            Some(None) => return Err(not_found()),
            Some(Some(_)) => {
                let mut files = conn
                    .prepare_cached(
                        "SELECT f.path, b.hash, b.size, b.data FROM snapshot_files f
                         JOIN blobs b ON b.hash = f.blob
                         WHERE f.snapshot = ?1 AND f.type = ?2 AND f.full_name = ?3
                         ORDER BY f.path",
                    )
                    .context("reading snapshot files")?;
                let mut rows = files
                    .query(params![owner, type_name, full_name])
                    .context("reading snapshot files")?;
                let mut out = Vec::new();
                while let Some(row) = rows.next().context("reading snapshot files")? {
                    let path: String = row.get(0).context("reading snapshot files")?;
                    let bytes = unpack(row, 1)?;
                    out.push((path, bytes));
                }
                return Ok(out);
            }
        }
    }
    Err(not_found())
}

/// Every file of a snapshot (mdapi path → content), sorted by path: what an export writes.
pub fn all_files(conn: &Connection, id: i64) -> Result<Vec<(String, Vec<u8>)>> {
    let resolved = resolve(conn, id)?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT f.path, b.hash, b.size, b.data, f.type, f.full_name FROM snapshot_files f
             JOIN blobs b ON b.hash = f.blob WHERE f.snapshot = ?1",
        )
        .context("reading snapshot files")?;
    let mut out = Vec::new();
    for owner in chain(conn, id)? {
        let mut rows = stmt.query([owner]).context("reading snapshot files")?;
        while let Some(row) = rows.next().context("reading snapshot files")? {
            let type_name: String = row.get(4).context("reading snapshot files")?;
            let full_name: String = row.get(5).context("reading snapshot files")?;
            let owned_here = resolved
                .get(&(type_name, full_name))
                .is_some_and(|r| r.owner == owner);
            if owned_here {
                let path: String = row.get(0).context("reading snapshot files")?;
                out.push((path, unpack(row, 1)?));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Decompresses the blob at columns (hash, size, data) starting at `at`, and checks it.
fn unpack(row: &rusqlite::Row<'_>, at: usize) -> Result<Vec<u8>> {
    let hash: Vec<u8> = row.get(at).context("reading stored content")?;
    let size: i64 = row.get(at + 1).context("reading stored content")?;
    let data = row
        .get_ref(at + 2)
        .and_then(|v| v.as_blob().map_err(rusqlite::Error::from))
        .context("reading stored content")?;
    let damaged = |reason: String| Error::BlobDamaged {
        hash: hex(&hash),
        reason,
    };
    let bytes = zstd::bulk::decompress(data, usize::try_from(size).unwrap_or(0))
        .map_err(|e| damaged(format!("it does not decompress: {e}")))?;
    if blake3::hash(&bytes).as_bytes()[..] != hash[..] {
        return Err(damaged("its content does not match its hash".into()));
    }
    Ok(bytes)
}
