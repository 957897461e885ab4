//! The Metadata API ("mdapi") package: top-level components and their files.
//!
//! Retrieve and deploy zips, mdapi project folders and converted source projects all become
//! one [`Package`]: components keyed by (type, fullName), each owning its files (paths
//! relative to the package root, as they appear in a retrieve zip), plus the manifests.
//! Child types (CustomField, CustomLabel, ...) stay inside their parent's file, as on
//! Salesforce; see [`crate::children`] to list them.

mod classify;
mod zipio;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use classify::classify_path;
pub use zipio::{ZipLimits, read_zip_entries};

use crate::error::{Error, Result};
use crate::package_xml::{DESTRUCTIVE_NAMES, Manifest};
use crate::registry;

/// (type, fullName) of a top-level component, e.g. (`ApexClass`, `Foo`),
/// (`ReportFolder`, `Sales`), (`Report`, `Sales/Pipeline`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ComponentId {
    pub type_name: String,
    pub full_name: String,
}

impl ComponentId {
    pub fn new(type_name: impl Into<String>, full_name: impl Into<String>) -> Self {
        Self {
            type_name: type_name.into(),
            full_name: full_name.into(),
        }
    }

    /// The (type, member) this component is written as in package.xml: folders are members
    /// of their content type (`<members>Sales</members><name>Report</name>`).
    pub fn manifest_entry(&self) -> (String, String) {
        let type_name = registry::by_name(&self.type_name)
            .and_then(|t| t.folder_content_type)
            .unwrap_or(&self.type_name);
        (type_name.to_owned(), self.full_name.clone())
    }
}

/// Files of one component: path relative to the package root → content.
pub type Files = BTreeMap<String, Vec<u8>>;

/// An mdapi package.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Package {
    /// `package.xml` (or the manifest found under another name), when present.
    pub manifest: Option<Manifest>,
    /// destructiveChanges*.xml by file name.
    pub destructive: BTreeMap<String, Manifest>,
    pub components: BTreeMap<ComponentId, Files>,
    /// Files no known type claims (kept so a deploy can report them).
    pub unclassified: Files,
    /// The folder the package sat in inside its zip (`""` or e.g. `unpackaged`).
    pub root: String,
}

impl Package {
    pub fn new() -> Self {
        Self::default()
    }

    /// Builds a package from files keyed by path relative to the package root. Root-level
    /// `package.xml` and destructiveChanges*.xml become manifests; everything else is
    /// classified into components.
    pub fn from_files(files: Files) -> Result<Self> {
        let mut pkg = Package::new();
        for (path, bytes) in files {
            if path == "package.xml" {
                pkg.manifest = Some(Manifest::parse(&bytes, &path)?);
            } else if DESTRUCTIVE_NAMES.contains(&path.as_str()) {
                pkg.destructive
                    .insert(path.clone(), Manifest::parse(&bytes, &path)?);
            } else {
                pkg.insert_file(path, bytes);
            }
        }
        Ok(pkg)
    }

    /// Reads retrieve/deploy zip bytes with the default [`ZipLimits`]. The package may sit at
    /// the zip root or under one folder (`unpackaged/package.xml`); no manifest ⇒
    /// [`Error::NoManifest`].
    pub fn from_zip(bytes: &[u8]) -> Result<Self> {
        Self::from_zip_with_limits(bytes, &ZipLimits::default())
    }

    pub fn from_zip_with_limits(bytes: &[u8], limits: &ZipLimits) -> Result<Self> {
        let entries = read_zip_entries(bytes, limits)?;
        let root = if entries.contains_key("package.xml") {
            String::new()
        } else {
            let mut roots = entries
                .keys()
                .filter_map(|p| p.strip_suffix("/package.xml"))
                .filter(|r| !r.contains('/'));
            match (roots.next(), roots.next()) {
                (Some(r), None) => r.to_owned(),
                _ => return Err(Error::NoManifest),
            }
        };
        let prefix = if root.is_empty() {
            String::new()
        } else {
            format!("{root}/")
        };
        let files = entries
            .into_iter()
            .filter_map(|(p, b)| p.strip_prefix(&prefix).map(|rel| (rel.to_owned(), b)))
            .collect();
        let mut pkg = Self::from_files(files)?;
        pkg.root = root;
        Ok(pkg)
    }

    /// Reads an mdapi folder (e.g. `src/`). The manifest is `package.xml`, or else the one
    /// top-level `*.xml` whose root is `<Package>` (DAHLIA's `package-all.xml`).
    pub fn from_dir(dir: &Path) -> Result<Self> {
        let mut files = Files::new();
        collect_dir(dir, dir, &mut files)?;
        if !files.contains_key("package.xml") {
            let other = files
                .iter()
                .find(|(p, b)| {
                    !p.contains('/')
                        && p.ends_with(".xml")
                        && !DESTRUCTIVE_NAMES.contains(&p.as_str())
                        && crate::xml::Element::parse_bytes(b, p).is_ok_and(|e| e.name == "Package")
                })
                .map(|(p, _)| p.clone());
            if let Some(name) = other {
                let bytes = files.remove(&name).unwrap_or_default();
                files.insert("package.xml".into(), bytes);
            }
        }
        Self::from_files(files)
    }

    /// Adds one file, classifying it by path.
    pub fn insert_file(&mut self, path: String, bytes: Vec<u8>) {
        match classify_path(&path) {
            Some(id) => {
                self.components.entry(id).or_default().insert(path, bytes);
            }
            None => {
                self.unclassified.insert(path, bytes);
            }
        }
    }

    /// Number of component files (manifests excluded).
    pub fn file_count(&self) -> usize {
        self.components.values().map(BTreeMap::len).sum()
    }

    /// A manifest listing every component (folders under their content type).
    pub fn manifest_for_components(&self, version: Option<&str>) -> Manifest {
        let mut m = Manifest::new(version);
        for id in self.components.keys() {
            let (t, member) = id.manifest_entry();
            m.add(&t, &member);
        }
        m
    }

    /// Writes the package as a zip with `package.xml` at the root.
    pub fn to_zip(&self) -> Result<Vec<u8>> {
        self.to_zip_under("")
    }

    /// Writes the package as a zip under `root` (`""` for the zip root, or `unpackaged`).
    /// The manifest is the package's own, or one generated from its components.
    pub fn to_zip_under(&self, root: &str) -> Result<Vec<u8>> {
        let manifest = self
            .manifest
            .clone()
            .unwrap_or_else(|| self.manifest_for_components(None));
        let mut out: Vec<(String, Vec<u8>)> =
            vec![("package.xml".into(), manifest.to_xml().into_bytes())];
        for (name, m) in &self.destructive {
            out.push((name.clone(), m.to_xml().into_bytes()));
        }
        for files in self.components.values() {
            out.extend(files.iter().map(|(p, b)| (p.clone(), b.clone())));
        }
        out.extend(
            self.unclassified
                .iter()
                .map(|(p, b)| (p.clone(), b.clone())),
        );
        zipio::write_zip(root, &out)
    }
}

/// Zips `files` (path → bytes) with no root folder (expanded static resources).
pub fn zip_files(files: &[(String, Vec<u8>)]) -> Result<Vec<u8>> {
    zipio::write_zip("", files)
}

fn collect_dir(root: &Path, dir: &Path, files: &mut Files) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_dir(root, &path, files)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            files.insert(rel, bytes);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
