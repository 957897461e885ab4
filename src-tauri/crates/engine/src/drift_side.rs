//! One side of a comparison, loaded: the (type, full name) → content hash map and a way to
//! read any component's files.
//!
//! A stored snapshot gives its hashes straight from the store (no file is read), which is
//! what makes comparing 50k components a matter of milliseconds. A folder (sfdx project,
//! mdapi folder or zip) is read in memory with exactly the canonicalization the snapshot
//! import uses ([`crate::snapshot_io::read_package`], [`canonical_files`]) and hashed with the
//! store's own [`content_hash_of`], so a project compares equal to a snapshot of the org it
//! was deployed to. Nothing is written for a folder side.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

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

/// A side ready to compare.
pub(crate) struct Loaded {
    pub info: SideInfo,
    /// (type, full name) → content hash (hex).
    pub hashes: BTreeMap<(String, String), String>,
    /// Namespaces of the managed packages installed on this side (InstalledPackage names).
    pub namespaces: HashSet<String>,
    content: Content,
}

impl Loaded {
    /// The files of one component, or None when this side does not have it.
    pub fn files(
        &self,
        engine: &Engine,
        type_name: &str,
        full_name: &str,
    ) -> Result<Option<FileList>> {
        let key = (type_name.to_owned(), full_name.to_owned());
        if !self.hashes.contains_key(&key) {
            return Ok(None);
        }
        match &self.content {
            Content::Memory(map) => Ok(map.get(&key).cloned()),
            Content::Snapshot(id) => Ok(Some(rows::component_files(
                &engine.store().conn(),
                *id,
                type_name,
                full_name,
            )?)),
        }
    }
}

impl Engine {
    pub(crate) fn load_side(&self, side: &DriftSide) -> Result<Loaded> {
        let loaded = match side {
            DriftSide::Snapshot { snapshot_id } => self.load_snapshot_side(*snapshot_id)?,
            DriftSide::Folder { path } => load_folder(Path::new(path))?,
        };
        Ok(loaded)
    }

    fn load_snapshot_side(&self, id: i64) -> Result<Loaded> {
        let conn = self.store().conn();
        let record = rows::get(&conn, id)?;
        let production = match &record.source {
            SnapshotSource::Org { org_row_id } => orgfleet_store::orgs::get(&conn, *org_row_id)
                .is_ok_and(|o| o.kind == OrgKind::Production),
            SnapshotSource::Import { .. } => false,
        };
        let hashes: BTreeMap<(String, String), String> = rows::components(&conn, id)?
            .into_iter()
            .map(|c| ((c.type_name, c.full_name), c.content_hash))
            .collect();
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
            namespaces: namespaces(&hashes),
            info: SideInfo {
                side: DriftSide::snapshot(id),
                description,
                org_alias: record.org_alias.clone(),
                production,
                component_count: hashes.len() as i64,
            },
            hashes,
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
    Ok(Loaded {
        namespaces: namespaces(&hashes),
        info: SideInfo {
            side: DriftSide::folder(path),
            description: path.display().to_string(),
            org_alias: None,
            production: false,
            component_count: hashes.len() as i64,
        },
        hashes,
        content: Content::Memory(files),
    })
}

fn namespaces(hashes: &BTreeMap<(String, String), String>) -> HashSet<String> {
    hashes
        .keys()
        .filter(|(t, _)| t == "InstalledPackage")
        .map(|(_, n)| n.clone())
        .collect()
}
