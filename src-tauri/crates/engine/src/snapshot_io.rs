//! Snapshots from and to disk: import an mdapi folder, an mdapi zip or an sfdx project as a
//! snapshot; export a snapshot as an mdapi zip or as an sfdx project folder.
//!
//! Import runs synchronously (reading and hashing even a large project takes seconds, not
//! minutes, and the store write is one transaction); the app calls it off the UI thread
//! (`spawn_blocking`). Imported XML is canonicalized exactly like retrieved XML, so an
//! imported project and a snapshot of the org it was deployed to compare equal.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use orgfleet_metadata::mdapi::Package;
use orgfleet_store::snapshots as rows;
use orgfleet_store::{
    ComponentFiles, NewSnapshot, SnapshotRecord, SnapshotSource, SnapshotWarning,
};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::jobs::{JobFailure, JobHandle};
use crate::snapshot_merge::{canonical_files, is_metadata_xml, unclassified_warning};
use crate::{Engine, JobKind};
use orgfleet_metadata::xml::Element;

/// The format of an export.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    /// A Metadata API zip (`package.xml` at the root), deployable as is.
    Mdapi,
    /// An sfdx project folder (`sfdx-project.json`, files under `force-app/main/default`),
    /// ready to commit to git.
    Source,
}

/// Where an exported source project keeps its files.
pub const SOURCE_PACKAGE_DIR: &str = "force-app";

/// Reads `path` as a package: a folder with `sfdx-project.json` is a source project, another
/// folder an mdapi folder, a file an mdapi zip.
pub fn read_package(path: &Path) -> Result<Package> {
    if path.is_dir() {
        if path.join("sfdx-project.json").is_file() {
            Ok(orgfleet_metadata::source::read_project(path)?)
        } else {
            Ok(Package::from_dir(path)?)
        }
    } else {
        let bytes = std::fs::read(path).map_err(|e| {
            Error::InvalidInput(format!(
                "cannot read {}: {e} — give an mdapi zip, an mdapi folder or an sfdx project folder",
                path.display()
            ))
        })?;
        Ok(Package::from_zip(&bytes)?)
    }
}

/// An import must not store a file Salesforce would reject: every metadata XML file has to
/// be well-formed. The error names the file and the position, and nothing is written.
fn refuse_malformed_xml(pkg: &Package) -> Result<()> {
    for (id, files) in &pkg.components {
        for (path, bytes) in files {
            if is_metadata_xml(&id.type_name, path) {
                Element::parse_bytes(bytes, path).map_err(|e| {
                    Error::InvalidInput(format!(
                        "{path} is not well-formed XML ({e}); fix or remove it and import again — nothing was imported"
                    ))
                })?;
            }
        }
    }
    Ok(())
}

impl Engine {
    /// Imports an mdapi folder, an mdapi zip or an sfdx project (detected by its
    /// `sfdx-project.json`) as a snapshot. Files no known type claims are not stored and are
    /// listed in a warning.
    pub fn import_snapshot(&self, path: &Path) -> Result<SnapshotRecord> {
        self.import_snapshot_with(path, &|_, _| {})
    }

    /// [`Engine::import_snapshot`] as a job titled "Import <folder>" (progress per step),
    /// whose result is the [`SnapshotRecord`]. It takes seconds and writes the snapshot in one
    /// transaction, so once started it runs to the end. A path that does not exist is refused
    /// before any job starts.
    pub fn start_import_snapshot(self: &Arc<Self>, path: PathBuf) -> Result<JobHandle> {
        if !path.exists() {
            return Err(Error::InvalidInput(format!(
                "{} does not exist — give an sfdx project folder, an mdapi folder or a package zip",
                path.display()
            )));
        }
        let engine = self.clone();
        let title = format!("Import {}", import_label(&path));
        self.jobs()
            .start(JobKind::SnapshotImport, &title, move |ctx| async move {
                let record = tokio::task::spawn_blocking(move || {
                    engine.import_snapshot_with(&path, &|step, phase| {
                        ctx.progress(step, Some(IMPORT_STEPS), phase);
                    })
                })
                .await
                .map_err(|e| JobFailure::Failed(format!("the import crashed: {e}")))??;
                serde_json::to_value(&record).map_err(JobFailure::from)
            })
    }

    /// The import, reporting each step (`step` of [`IMPORT_STEPS`], in words) to `report`.
    fn import_snapshot_with(
        &self,
        path: &Path,
        report: &dyn Fn(i64, &str),
    ) -> Result<SnapshotRecord> {
        report(0, &format!("Reading {}", path.display()));
        let pkg = read_package(path)?;
        if pkg.components.is_empty() {
            return Err(Error::InvalidInput(format!(
                "{} holds no metadata components — is it the package folder (with package.xml) or the project root (with sfdx-project.json)?",
                path.display()
            )));
        }
        report(1, &format!("Checking {} components", pkg.components.len()));
        refuse_malformed_xml(&pkg)?;
        let warnings: Vec<SnapshotWarning> =
            unclassified_warning(&pkg, "imported").into_iter().collect();
        let meta = NewSnapshot {
            source: SnapshotSource::Import {
                path: path.display().to_string(),
            },
            label: import_label(path),
            api_version: pkg.manifest.as_ref().and_then(|m| m.version.clone()),
            warnings,
        };
        report(2, &format!("Storing {} components", pkg.components.len()));
        let components = pkg
            .components
            .into_iter()
            .map(|(id, files)| ComponentFiles {
                files: canonical_files(&id.type_name, files),
                type_name: id.type_name,
                full_name: id.full_name,
            });
        let record = rows::write_snapshot(self.store(), &meta, components)?;
        report(IMPORT_STEPS, "Imported");
        Ok(record)
    }

    /// Writes snapshot `id` to `dest`: for [`ExportFormat::Mdapi`] the zip file to create (an
    /// existing file is replaced), its manifest listing every component at the snapshot's API
    /// version; for [`ExportFormat::Source`] the project folder to create (it must not exist
    /// or be empty).
    pub fn export_snapshot(&self, id: i64, dest: &Path, format: ExportFormat) -> Result<PathBuf> {
        let record = rows::get(&self.store().conn(), id)?;
        let files = rows::all_files(&self.store().conn(), id)?;
        let mut pkg = Package::new();
        for (path, bytes) in files {
            pkg.insert_file(path, bytes);
        }
        pkg.manifest = Some(pkg.manifest_for_components(record.api_version.as_deref()));
        match format {
            ExportFormat::Mdapi => {
                write_atomically(dest, &pkg.to_zip()?)?;
            }
            ExportFormat::Source => {
                let files = orgfleet_metadata::source_write::to_source_files(&pkg)?;
                write_project(dest, record.api_version.as_deref(), &files)?;
            }
        }
        Ok(dest.to_path_buf())
    }
}

/// Steps of an import job: read, check, store, done.
const IMPORT_STEPS: i64 = 3;

/// A snapshot's label when imported from `path`: the folder or zip name.
fn import_label(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// Writes next to `dest` and renames, so an interrupted write never leaves half a file.
pub fn write_atomically(dest: &Path, bytes: &[u8]) -> Result<PathBuf> {
    if dest.is_dir() {
        return Err(Error::InvalidInput(format!(
            "{} is a folder — give the path of the file to create",
            dest.display()
        )));
    }
    let io =
        |e: std::io::Error| Error::InvalidInput(format!("cannot write {}: {e}", dest.display()));
    let mut part = dest.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    std::fs::write(&part, bytes).map_err(io)?;
    std::fs::rename(&part, dest).map_err(|e| {
        let _ = std::fs::remove_file(&part);
        io(e)
    })?;
    Ok(dest.to_path_buf())
}

/// Writes an sfdx project into a sibling folder and renames it to `dest`, so an interrupted
/// export leaves no half project.
fn write_project(
    dest: &Path,
    api_version: Option<&str>,
    files: &orgfleet_metadata::mdapi::Files,
) -> Result<()> {
    let io = |what: &Path, e: std::io::Error| {
        Error::InvalidInput(format!("cannot write {}: {e}", what.display()))
    };
    if dest.exists() {
        let empty = std::fs::read_dir(dest)
            .map_err(|e| io(dest, e))?
            .next()
            .is_none();
        if !empty {
            return Err(Error::InvalidInput(format!(
                "{} already exists and is not empty — give a new folder for the project",
                dest.display()
            )));
        }
        std::fs::remove_dir(dest).map_err(|e| io(dest, e))?;
    }
    let mut part = dest.as_os_str().to_owned();
    part.push(".part");
    let part = PathBuf::from(part);
    if part.exists() {
        std::fs::remove_dir_all(&part).map_err(|e| io(&part, e))?;
    }
    let mut project = serde_json::json!({
        "packageDirectories": [{"path": SOURCE_PACKAGE_DIR, "default": true}],
        "name": dest.file_name().map(|n| n.to_string_lossy().into_owned()),
    });
    if let Some(v) = api_version {
        project["sourceApiVersion"] = serde_json::Value::String(v.to_owned());
    }
    let write = |path: PathBuf, bytes: &[u8]| -> Result<()> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| io(&path, e))
    };
    let result = (|| {
        let text = serde_json::to_string_pretty(&project)
            .map_err(|e| Error::InvalidInput(format!("cannot encode sfdx-project.json: {e}")))?;
        write(part.join("sfdx-project.json"), text.as_bytes())?;
        let base = part.join(SOURCE_PACKAGE_DIR).join("main").join("default");
        for (rel, bytes) in files {
            if rel.split('/').any(|seg| seg == ".." || seg.is_empty()) {
                return Err(Error::InvalidInput(format!(
                    "unsafe path in snapshot: {rel}"
                )));
            }
            write(base.join(rel), bytes)?;
        }
        std::fs::rename(&part, dest).map_err(|e| io(dest, e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&part);
    }
    result
}
