//! Writing a snapshot: hash, deduplicate, compress, and commit everything at once.
//!
//! The whole write is one IMMEDIATE transaction on a connection of its own, so a crash leaves
//! either the complete snapshot or nothing, and readers on other connections (WAL) are never
//! blocked. The write lock is held while the caller's iterator runs: feed it components that
//! are already in memory, not a network retrieve.
//!
//! Only what changed since the previous snapshot of the same source is written (rows for
//! added/changed components, a removal marker for each vanished one); unchanged components
//! cost one hash. New file contents are compressed once and shared with every later snapshot.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::convert::Infallible;
use std::fmt::Display;
use std::sync::mpsc;

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};

use super::read::{Resolved, chain, resolve};
use super::{ComponentFiles, NewSnapshot, SnapshotRecord, SnapshotSource};
use crate::Store;
use crate::error::{Context, Error, Result};
use crate::jobs::now_ms;

/// Longest chain of delta snapshots; the next snapshot of that source is stored in full, so
/// reading any snapshot touches at most this many sets of rows. A full manifest costs about
/// 300 bytes per component, a delta only its changes, so the cap is set well above a month
/// of daily snapshots; the longest chain costs a read this many indexed lookups.
pub const MAX_CHAIN_DEPTH: usize = 64;

/// zstd level: fast enough for ingest at tens of thousands of components a second while still
/// shrinking XML several times.
const ZSTD_LEVEL: i32 = 3;

/// Stores a snapshot atomically and returns it. Blobs are blake3-addressed, zstd-compressed and
/// deduplicated across snapshots and orgs.
pub fn write_snapshot(
    store: &Store,
    meta: &NewSnapshot,
    components: impl IntoIterator<Item = ComponentFiles>,
) -> Result<SnapshotRecord> {
    try_write_snapshot(store, meta, components.into_iter().map(Ok::<_, Infallible>))
}

/// Like [`write_snapshot`], for components produced by fallible work (reading and
/// canonicalising a package): the first `Err` abandons the snapshot and leaves the store
/// exactly as it was; its message becomes [`Error::InvalidSnapshot`].
///
/// Two threads share the work so both cores are used: this one runs the caller's iterator
/// and hashes (deciding what changed), a scoped writer thread compresses and inserts inside
/// the one transaction, which it commits only after this side says the input is complete.
pub fn try_write_snapshot<E: Display>(
    store: &Store,
    meta: &NewSnapshot,
    components: impl IntoIterator<Item = std::result::Result<ComponentFiles, E>>,
) -> Result<SnapshotRecord> {
    let (previous_tx, previous_rx) = mpsc::sync_channel::<Previous>(1);
    let (jobs_tx, jobs_rx) = mpsc::sync_channel::<Job>(256);
    let id = std::thread::scope(|scope| {
        let writer = scope.spawn(move || write_all(store, meta, previous_tx, jobs_rx));
        let fed = feed(components, previous_rx, &jobs_tx);
        drop(jobs_tx);
        let written = writer
            .join()
            .map_err(|_| Error::InvalidSnapshot("the snapshot writer stopped unexpectedly".into()));
        match fed {
            Ok(()) => written?,
            Err(Fed::Input(e)) => Err(e),
            // The writer hung up: its own error says why.
            Err(Fed::WriterGone) => match written? {
                Err(e) => Err(e),
                Ok(_) => Err(Error::InvalidSnapshot(
                    "the snapshot writer stopped before the input ended".into(),
                )),
            },
        }
    })?;
    let conn = store.connect()?;
    super::get(&conn, id)
}

/// The previous snapshot's content hash of each component.
type Previous = HashMap<(String, String), Vec<u8>>;

enum Job {
    Component(ComponentFiles, HashedComponent),
    Removed(String, String),
    /// The input is complete and valid: commit.
    Finish(Totals),
}

enum Fed {
    Input(Error),
    WriterGone,
}

/// The caller's side: validate, hash, skip unchanged components, send the rest.
fn feed<E: Display>(
    components: impl IntoIterator<Item = std::result::Result<ComponentFiles, E>>,
    previous: mpsc::Receiver<Previous>,
    jobs: &mpsc::SyncSender<Job>,
) -> std::result::Result<(), Fed> {
    let previous = previous.recv().map_err(|_| Fed::WriterGone)?;
    let send = |job| jobs.send(job).map_err(|_| Fed::WriterGone);
    let mut seen: HashSet<(String, String)> = HashSet::with_capacity(previous.len());
    let mut totals = Totals::default();
    for component in components {
        let component = component.map_err(|e| Fed::Input(Error::InvalidSnapshot(e.to_string())))?;
        validate(&component).map_err(Fed::Input)?;
        let key = (component.type_name.clone(), component.full_name.clone());
        if !seen.insert(key.clone()) {
            return Err(Fed::Input(Error::InvalidSnapshot(format!(
                "the component {} `{}` appears twice; each component may be given once",
                key.0, key.1
            ))));
        }
        let hashed = HashedComponent::new(&component);
        totals.add(hashed.size, component.files.len() as i64);
        let unchanged = previous
            .get(&key)
            .is_some_and(|p| p[..] == hashed.content_hash[..]);
        if !unchanged {
            send(Job::Component(component, hashed))?;
        }
    }
    for (type_name, full_name) in previous.into_keys() {
        if !seen.contains(&(type_name.clone(), full_name.clone())) {
            send(Job::Removed(type_name, full_name))?;
        }
    }
    send(Job::Finish(totals))
}

/// The writer's side: one IMMEDIATE transaction on a connection of its own, committed only
/// on [`Job::Finish`]; anything else (an error, the feeder giving up) rolls it back.
fn write_all(
    store: &Store,
    meta: &NewSnapshot,
    previous_tx: mpsc::SyncSender<Previous>,
    jobs: mpsc::Receiver<Job>,
) -> Result<i64> {
    let mut conn = store.connect()?;
    // Hash-keyed indexes take random inserts: a bigger page cache on this short-lived
    // connection keeps them in memory for large snapshots (at most 64 MiB).
    conn.pragma_update(None, "cache_size", -65_536)
        .context("sizing the snapshot writer's cache")?;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .context("starting a snapshot write")?;
    let base = choose_base(&tx, &meta.source)?;
    let previous: BTreeMap<(String, String), Resolved> = match base {
        Some(base) => resolve(&tx, base)?,
        None => BTreeMap::new(),
    };
    let id = insert_snapshot_row(&tx, meta, base)?;
    let hashes: Previous = previous
        .into_iter()
        .filter_map(|(key, r)| r.content_hash.map(|h| (key, h)))
        .collect();
    let abandoned = || Error::InvalidSnapshot("the input ended early".into());
    previous_tx.send(hashes).map_err(|_| abandoned())?;

    let mut writer = Writer::new(&tx, id)?;
    let mut finished = None;
    for job in jobs {
        match job {
            Job::Component(component, hashed) => writer.component(&component, &hashed)?,
            Job::Removed(type_name, full_name) => writer.removed(&type_name, &full_name)?,
            Job::Finish(totals) => {
                finished = Some(totals);
                break;
            }
        }
    }
    drop(writer);
    let totals = finished.ok_or_else(abandoned)?;

    tx.execute(
        "UPDATE snapshots SET component_count = ?2, file_count = ?3, total_bytes = ?4
         WHERE id = ?1",
        params![id, totals.components, totals.files, totals.bytes],
    )
    .context("recording snapshot totals")?;
    for (seq, warning) in meta.warnings.iter().enumerate() {
        tx.execute(
            "INSERT INTO snapshot_warnings (snapshot, seq, type_name, message)
             VALUES (?1, ?2, ?3, ?4)",
            params![id, seq as i64, warning.type_name, warning.message],
        )
        .context("recording snapshot warnings")?;
    }
    tx.commit().context("committing a snapshot")?;
    Ok(id)
}

/// The newest snapshot of the same source, unless its chain is already at the cap.
fn choose_base(tx: &Transaction<'_>, source: &SnapshotSource) -> Result<Option<i64>> {
    let newest: Option<i64> = match source {
        SnapshotSource::Org { org_row_id } => tx.query_row(
            "SELECT id FROM snapshots WHERE source_kind = 'org' AND org_row_id = ?1
             ORDER BY created_at DESC, id DESC LIMIT 1",
            [org_row_id],
            |r| r.get(0),
        ),
        SnapshotSource::Import { path } => tx.query_row(
            "SELECT id FROM snapshots WHERE source_kind = 'import' AND import_path = ?1
             ORDER BY created_at DESC, id DESC LIMIT 1",
            [path],
            |r| r.get(0),
        ),
    }
    .optional()
    .context("finding the previous snapshot")?;
    match newest {
        Some(base) if chain(tx, base)?.len() < MAX_CHAIN_DEPTH => Ok(Some(base)),
        _ => Ok(None),
    }
}

fn insert_snapshot_row(tx: &Transaction<'_>, meta: &NewSnapshot, base: Option<i64>) -> Result<i64> {
    let (kind, org, alias, path) = match &meta.source {
        SnapshotSource::Org { org_row_id } => {
            let alias: Option<String> = tx
                .query_row("SELECT alias FROM orgs WHERE id = ?1", [org_row_id], |r| {
                    r.get(0)
                })
                .optional()
                .context("reading the snapshot's org")?;
            if alias.is_none() {
                return Err(Error::InvalidSnapshot(format!(
                    "no connected org has id {org_row_id}; `orgfleet org list` shows the \
                     connected orgs"
                )));
            }
            ("org", Some(*org_row_id), alias, None)
        }
        SnapshotSource::Import { path } => ("import", None, None, Some(path.as_str())),
    };
    tx.execute(
        "INSERT INTO snapshots (source_kind, org, org_row_id, org_alias, import_path, label,
             api_version, created_at, component_count, file_count, total_bytes, base)
         VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, 0, 0, 0, ?8)",
        params![
            kind,
            org,
            alias,
            path,
            meta.label,
            meta.api_version,
            now_ms(),
            base
        ],
    )
    .context("creating a snapshot")?;
    Ok(tx.last_insert_rowid())
}

fn validate(component: &ComponentFiles) -> Result<()> {
    if component.type_name.is_empty() || component.full_name.is_empty() {
        return Err(Error::InvalidSnapshot(format!(
            "a component has an empty type or name ({:?} `{}`)",
            component.type_name, component.full_name
        )));
    }
    let mut paths = HashSet::with_capacity(component.files.len());
    for (path, _) in &component.files {
        if path.is_empty() || !paths.insert(path.as_str()) {
            return Err(Error::InvalidSnapshot(format!(
                "the component {} `{}` has an empty or repeated file path `{path}`",
                component.type_name, component.full_name
            )));
        }
    }
    Ok(())
}

#[derive(Default)]
struct Totals {
    components: i64,
    files: i64,
    bytes: i64,
}

impl Totals {
    fn add(&mut self, bytes: i64, files: i64) {
        self.components += 1;
        self.files += files;
        self.bytes += bytes;
    }
}

/// A component's file hashes (in input order) and its content hash.
pub(crate) struct HashedComponent {
    pub file_hashes: Vec<blake3::Hash>,
    pub content_hash: [u8; 32],
    pub size: i64,
}

impl HashedComponent {
    pub fn new(component: &ComponentFiles) -> Self {
        let file_hashes: Vec<blake3::Hash> = component
            .files
            .iter()
            .map(|(_, bytes)| blake3::hash(bytes))
            .collect();
        let pairs: Vec<(&str, &blake3::Hash)> = component
            .files
            .iter()
            .map(|(path, _)| path.as_str())
            .zip(&file_hashes)
            .collect();
        let size = component.files.iter().map(|(_, b)| b.len() as i64).sum();
        Self {
            content_hash: content_hash(pairs),
            file_hashes,
            size,
        }
    }
}

/// blake3 over the (path, file hash) list sorted by path: each entry is the path's UTF-8
/// bytes, a 0 byte, then the 32 hash bytes.
pub fn content_hash<'a>(mut files: Vec<(&'a str, &'a blake3::Hash)>) -> [u8; 32] {
    files.sort_unstable_by(|a, b| a.0.cmp(b.0));
    let mut hasher = blake3::Hasher::new();
    for (path, hash) in files {
        hasher.update(path.as_bytes());
        hasher.update(&[0]);
        hasher.update(hash.as_bytes());
    }
    *hasher.finalize().as_bytes()
}

/// Prepared statements for one snapshot's rows.
struct Writer<'t> {
    id: i64,
    compressor: zstd::bulk::Compressor<'static>,
    blob_exists: rusqlite::CachedStatement<'t>,
    insert_blob: rusqlite::CachedStatement<'t>,
    insert_component: rusqlite::CachedStatement<'t>,
    insert_file: rusqlite::CachedStatement<'t>,
}

impl<'t> Writer<'t> {
    fn new(tx: &'t Transaction<'_>, id: i64) -> Result<Self> {
        let prepare = |sql| tx.prepare_cached(sql).context("preparing a snapshot write");
        Ok(Self {
            id,
            compressor: zstd::bulk::Compressor::new(ZSTD_LEVEL)
                .map_err(|e| Error::InvalidSnapshot(format!("zstd is unavailable: {e}")))?,
            blob_exists: prepare("SELECT 1 FROM blobs WHERE hash = ?1")?,
            insert_blob: prepare(
                "INSERT OR IGNORE INTO blobs (hash, size, stored_size, data) VALUES (?1, ?2, ?3, ?4)",
            )?,
            insert_component: prepare(
                "INSERT INTO snapshot_components
                     (snapshot, type, full_name, content_hash, size, file_count)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?,
            insert_file: prepare(
                "INSERT INTO snapshot_files (snapshot, type, full_name, path, blob)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
            )?,
        })
    }

    fn component(&mut self, component: &ComponentFiles, hashed: &HashedComponent) -> Result<()> {
        self.insert_component
            .execute(params![
                self.id,
                component.type_name,
                component.full_name,
                &hashed.content_hash[..],
                hashed.size,
                component.files.len() as i64
            ])
            .context("storing a snapshot component")?;
        for ((path, bytes), hash) in component.files.iter().zip(&hashed.file_hashes) {
            let key = &hash.as_bytes()[..];
            let exists = self
                .blob_exists
                .exists([key])
                .context("looking up stored content")?;
            if !exists {
                let data = self.compressor.compress(bytes).map_err(|e| {
                    Error::InvalidSnapshot(format!("could not compress `{path}`: {e}"))
                })?;
                self.insert_blob
                    .execute(params![key, bytes.len() as i64, data.len() as i64, data])
                    .context("storing file content")?;
            }
            self.insert_file
                .execute(params![
                    self.id,
                    component.type_name,
                    component.full_name,
                    path,
                    key
                ])
                .context("storing a snapshot file")?;
        }
        Ok(())
    }

    fn removed(&mut self, type_name: &str, full_name: &str) -> Result<()> {
        self.insert_component
            .execute(params![
                self.id,
                type_name,
                full_name,
                None::<Vec<u8>>,
                None::<i64>,
                None::<i64>
            ])
            .context("recording a removed component")?;
        Ok(())
    }
}
