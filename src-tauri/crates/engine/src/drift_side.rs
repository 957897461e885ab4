//! One side of a comparison, loaded: the (type, full name) → content hash map and a way to
//! read any component's files.
//!
//! A stored snapshot gives its hashes straight from the store (no file is read), which is
//! what makes comparing 50k components a matter of milliseconds. Listing 50k rows still takes
//! tens of milliseconds, so the two sides of a comparison are listed side by side, and the
//! engine keeps the listings of the last few snapshots it compared ([`SideCache`]): stored
//! snapshots never change, and the Drift page compares the same pair several times (the
//! summary, the full report, each drill-down). A folder (sfdx project,
//! mdapi folder or zip) is read in memory with exactly the canonicalization the snapshot
//! import uses ([`crate::snapshot_io::read_package`], [`canonical_files`]) and hashed with the
//! store's own [`content_hash_of`], so a project compares equal to a snapshot of the org it
//! was deployed to. Nothing is written for a folder side.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::path::Path;
use std::sync::{Arc, Mutex};

use orgfleet_store::snapshots::{self as rows, content_hash_of};
use orgfleet_store::{OrgKind, SnapshotSource};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Engine;
use crate::error::{Error, Result};
use crate::snapshot_io::read_package;
use crate::snapshot_merge::canonical_files;

/// One side of a comparison.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum DriftSide {
    /// A stored snapshot (of an org, or an import used as a baseline).
    Snapshot {
        #[serde(rename = "snapshotId")]
        #[ts(type = "number")]
        snapshot_id: i64,
    },
    /// An sfdx project folder, an mdapi folder or an mdapi zip on disk, read in memory.
    Folder { path: String },
}

impl DriftSide {
    pub fn snapshot(id: i64) -> Self {
        DriftSide::Snapshot { snapshot_id: id }
    }

    pub fn folder(path: impl AsRef<Path>) -> Self {
        DriftSide::Folder {
            path: path.as_ref().display().to_string(),
        }
    }
}

/// What a report says about one side.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct SideInfo {
    pub side: DriftSide,
    /// In words: "snapshot 12 of uat (2026-11-22 10:04 UTC)" or the folder path.
    pub description: String,
    /// The org's alias when the side is a snapshot of an org.
    pub org_alias: Option<String>,
    /// True when the side is a snapshot of a production org.
    pub production: bool,
    #[ts(type = "number")]
    pub component_count: i64,
}

/// Component files: mdapi path → canonical content.
pub type FileList = Vec<(String, Vec<u8>)>;

pub(crate) enum Content {
    Snapshot(i64),
    /// A folder's components in stored (canonical) form.
    Memory(BTreeMap<(String, String), FileList>),
}

/// (type, full name) → content hash (hex).
pub(crate) type Hashes = BTreeMap<(String, String), String>;

/// What a side holds: its component hashes and installed namespaces, shared with the cache.
#[derive(Clone)]
pub(crate) struct Listing {
    pub hashes: Arc<Hashes>,
    /// Namespaces of the managed packages installed on this side (InstalledPackage names).
    pub namespaces: Arc<HashSet<String>>,
}

impl Listing {
    fn new(hashes: Hashes) -> Self {
        Self {
            namespaces: Arc::new(namespaces(&hashes)),
            hashes: Arc::new(hashes),
        }
    }
}

/// A side ready to compare.
pub(crate) struct Loaded {
    pub info: SideInfo,
    /// (type, full name) → content hash (hex).
    pub hashes: Arc<Hashes>,
    /// Namespaces of the managed packages installed on this side (InstalledPackage names).
    pub namespaces: Arc<HashSet<String>>,
    content: Content,
}

/// Reads the files of a stored component: (snapshot, type, full name) → files. Each thread of
/// a comparison has its own, over its own store connection.
pub(crate) type ReadFiles<'a> =
    &'a (dyn Fn(i64, &str, &str) -> orgfleet_store::Result<FileList> + 'a);

impl Loaded {
    /// The files of one component, or None when this side does not have it.
    pub fn files(
        &self,
        engine: &Engine,
        type_name: &str,
        full_name: &str,
    ) -> Result<Option<FileList>> {
        let read =
            |id: i64, t: &str, n: &str| rows::component_files(&engine.store().conn(), id, t, n);
        self.files_via(&read, type_name, full_name)
    }

    /// [`Loaded::files`] through `read`.
    pub fn files_via(
        &self,
        read: ReadFiles<'_>,
        type_name: &str,
        full_name: &str,
    ) -> Result<Option<FileList>> {
        let key = (type_name.to_owned(), full_name.to_owned());
        if !self.hashes.contains_key(&key) {
            return Ok(None);
        }
        match &self.content {
            Content::Memory(map) => Ok(map.get(&key).cloned()),
            Content::Snapshot(id) => Ok(Some(read(*id, type_name, full_name)?)),
        }
    }
}

/// The listings of the snapshots compared last, newest first.
#[derive(Debug, Default)]
pub(crate) struct SideCache {
    entries: Mutex<VecDeque<(i64, Listing)>>,
}

impl std::fmt::Debug for Listing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Listing({} components)", self.hashes.len())
    }
}

/// Snapshots whose listings are kept (a 50k-component listing takes about 10 MB).
const CACHED_SIDES: usize = 4;

impl SideCache {
    fn get(&self, id: i64) -> Option<Listing> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let at = entries.iter().position(|(i, _)| *i == id)?;
        let entry = entries.remove(at)?;
        let listing = entry.1.clone();
        entries.push_front(entry);
        Some(listing)
    }

    fn put(&self, id: i64, listing: Listing) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|(i, _)| *i != id);
        entries.push_front((id, listing));
        entries.truncate(CACHED_SIDES);
    }
}

impl Engine {
    pub(crate) fn load_side(&self, side: &DriftSide) -> Result<Loaded> {
        let loaded = match side {
            DriftSide::Snapshot { snapshot_id } => self.load_snapshot_side(*snapshot_id, None)?,
            DriftSide::Folder { path } => load_folder(Path::new(path))?,
        };
        Ok(loaded)
    }

    /// Both sides of a comparison; two snapshots not in the cache are listed side by side.
    pub(crate) fn load_sides(
        &self,
        left: &DriftSide,
        right: &DriftSide,
    ) -> Result<(Loaded, Loaded)> {
        let uncached = |side: &DriftSide| match side {
            DriftSide::Snapshot { snapshot_id } => self.drift_sides.get(*snapshot_id).is_none(),
            DriftSide::Folder { .. } => false,
        };
        let parallel = left != right
            && uncached(left)
            && uncached(right)
            && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
        let (DriftSide::Snapshot { snapshot_id }, true) = (left, parallel) else {
            return Ok((self.load_side(left)?, self.load_side(right)?));
        };
        std::thread::scope(|scope| {
            let other = scope.spawn(|| -> Result<Loaded> {
                let conn = self.store().connect()?;
                let listing = Listing::new(hashes_of(rows::components(&conn, *snapshot_id)?));
                self.load_snapshot_side(*snapshot_id, Some(listing))
            });
            let right = self.load_side(right);
            let left = other
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            Ok((left?, right?))
        })
    }

    /// Snapshot `id` as a side; its listing from `listing`, the cache or the store.
    fn load_snapshot_side(&self, id: i64, listing: Option<Listing>) -> Result<Loaded> {
        let conn = self.store().conn();
        let record = rows::get(&conn, id)?;
        let production = match &record.source {
            SnapshotSource::Org { org_row_id } => orgfleet_store::orgs::get(&conn, *org_row_id)
                .is_ok_and(|o| o.kind == OrgKind::Production),
            SnapshotSource::Import { .. } => false,
        };
        let listing = match listing.or_else(|| self.drift_sides.get(id)) {
            Some(listing) => listing,
            None => Listing::new(hashes_of(rows::components(&conn, id)?)),
        };
        self.drift_sides.put(id, listing.clone());
        let source = match &record.source {
            SnapshotSource::Org { .. } => record
                .org_alias
                .clone()
                .unwrap_or_else(|| "a removed org".into()),
            SnapshotSource::Import { path } => path.clone(),
        };
        let description = format!(
            "snapshot {} of {} ({})",
            record.id,
            source,
            crate::drift_report::utc_time(record.created_at)
        );
        Ok(Loaded {
            info: SideInfo {
                side: DriftSide::snapshot(id),
                description,
                org_alias: record.org_alias.clone(),
                production,
                component_count: listing.hashes.len() as i64,
            },
            hashes: listing.hashes,
            namespaces: listing.namespaces,
            content: Content::Snapshot(id),
        })
    }
}

fn load_folder(path: &Path) -> Result<Loaded> {
    if !path.exists() {
        return Err(Error::InvalidInput(format!(
            "{} does not exist — give a snapshot id, an sfdx project folder, an mdapi folder or an mdapi zip",
            path.display()
        )));
    }
    let pkg = read_package(path)?;
    if pkg.components.is_empty() {
        return Err(Error::InvalidInput(format!(
            "{} holds no metadata components — is it the package folder (with package.xml) or the project root (with sfdx-project.json)?",
            path.display()
        )));
    }
    let mut files = BTreeMap::new();
    let mut hashes = BTreeMap::new();
    for (id, component_files) in pkg.components {
        let canonical = canonical_files(&id.type_name, component_files);
        let key = (id.type_name, id.full_name);
        hashes.insert(key.clone(), content_hash_of(&canonical));
        files.insert(key, canonical);
    }
    let listing = Listing::new(hashes);
    Ok(Loaded {
        info: SideInfo {
            side: DriftSide::folder(path),
            description: path.display().to_string(),
            org_alias: None,
            production: false,
            component_count: listing.hashes.len() as i64,
        },
        hashes: listing.hashes,
        namespaces: listing.namespaces,
        content: Content::Memory(files),
    })
}

/// A snapshot's components as a side's hashes.
fn hashes_of(components: Vec<orgfleet_store::ComponentEntry>) -> Hashes {
    components
        .into_iter()
        .map(|c| ((c.type_name, c.full_name), c.content_hash))
        .collect()
}

fn namespaces(hashes: &Hashes) -> HashSet<String> {
    hashes
        .keys()
        .filter(|(t, _)| t == "InstalledPackage")
        .map(|(_, n)| n.clone())
        .collect()
}
