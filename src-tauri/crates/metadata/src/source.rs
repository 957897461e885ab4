//! sfdx source-format projects → the mdapi [`Package`] (metadata-formats.md §1, §3).
//!
//! Orgfleet reads projects that developers keep in git, and orgsim seeds orgs from them, so
//! the conversion lives here once. Rules implemented: package directories come from
//! `sfdx-project.json` (an mdapi folder elsewhere in the project is not read); types are
//! recognised by their strict directory (objects, lwc, aura, experiences, staticresources,
//! ...) or else by the `*.<suffix>-meta.xml` suffix wherever the file sits; decomposed
//! parents (CustomObject, CustomObjectTranslation, Bot) are merged back into one mdapi file
//! with children appended by element name and file name, as the CLI does — also when the
//! parent file is absent (`objects/Case/fields/*`); bundles are one component; folders
//! (`F.reportFolder-meta.xml`) become `F-meta.xml`; expanded static resources are zipped.
//! `.forceignore` is not applied; `__tests__` folders and dot-files are skipped.

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};
use crate::mdapi::{Files, Package};
use crate::registry::{self, BundleKind, Layout, MetadataType};
use crate::xml::{Element, METADATA_NS, Node};

const META: &str = "-meta.xml";

/// The parts of `sfdx-project.json` the conversion needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectInfo {
    /// Package directory paths, relative to the project root.
    pub package_dirs: Vec<String>,
    pub source_api_version: Option<String>,
}

/// Reads `sfdx-project.json` in `root`.
pub fn project_info(root: &Path) -> Result<ProjectInfo> {
    let path = root.join("sfdx-project.json");
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    let err = |message: String| Error::Project {
        path: path.display().to_string(),
        message,
    };
    let json: serde_json::Value = serde_json::from_slice(&bytes).map_err(|e| err(e.to_string()))?;
    let dirs = json
        .get("packageDirectories")
        .and_then(|d| d.as_array())
        .ok_or_else(|| err("no packageDirectories".into()))?;
    let package_dirs: Vec<String> = dirs
        .iter()
        .filter_map(|d| d.get("path").and_then(|p| p.as_str()))
        .map(|p| p.trim_end_matches('/').to_owned())
        .collect();
    if package_dirs.is_empty() {
        return Err(err("packageDirectories lists no path".into()));
    }
    let source_api_version = json
        .get("sourceApiVersion")
        .and_then(|v| v.as_str())
        .map(str::to_owned);
    Ok(ProjectInfo {
        package_dirs,
        source_api_version,
    })
}

/// Reads a source-format project (the folder holding `sfdx-project.json`) into a package
/// whose manifest lists every component, at the project's `sourceApiVersion`.
pub fn read_project(root: &Path) -> Result<Package> {
    let info = project_info(root)?;
    let mut files = Files::new();
    for dir in &info.package_dirs {
        let base = root.join(dir);
        if !base.is_dir() {
            return Err(Error::Project {
                path: base.display().to_string(),
                message: "package directory does not exist".into(),
            });
        }
        let mut found = Files::new();
        collect(&base, &base, &mut found)?;
        // Several package directories may hold the same relative path; keep them apart.
        for (rel, bytes) in found {
            files.insert(format!("{dir}/{rel}"), bytes);
        }
    }
    let mut pkg = convert_files(&files)?;
    pkg.manifest = Some(pkg.manifest_for_components(info.source_api_version.as_deref()));
    Ok(pkg)
}

/// Converts source-format files (paths relative to the project or a package directory) to
/// an mdapi package (no manifest).
pub fn convert_files(files: &Files) -> Result<Package> {
    let mut pkg = Package::new();
    let mut decomposed: BTreeMap<(&'static str, String), Decomposed> = BTreeMap::new();
    let mut resources: BTreeMap<String, Resource> = BTreeMap::new();
    for (path, bytes) in files {
        let segs: Vec<&str> = path.split('/').collect();
        let Some((i, ty)) = segs
            .iter()
            .enumerate()
            .find_map(|(i, s)| strict_type(s).map(|t| (i, t)))
            .filter(|(i, _)| *i + 1 < segs.len())
        else {
            suffix_file(&mut pkg, files, &segs, bytes);
            continue;
        };
        let rest = &segs[i + 1..];
        match ty.layout {
            Layout::Bundle(kind) => {
                let name = match (rest.len(), kind) {
                    (1, BundleKind::Experience) => rest[0].split('.').next().unwrap_or_default(),
                    (1, _) => continue, // jsconfig.json, .eslintrc.json beside the bundles
                    _ => rest[0],
                };
                let mdapi = format!("{}/{}", ty.directory_name, rest.join("/"));
                pkg.insert_file(mdapi, bytes.clone());
                debug_assert!(!name.is_empty());
            }
            Layout::Decomposed => {
                let parent = rest[0].to_owned();
                let entry = decomposed.entry((ty.name, parent.clone())).or_default();
                if rest.len() == 2
                    && rest[1] == format!("{parent}.{}{META}", ty.suffix.unwrap_or_default())
                {
                    entry.parent = Some(Element::parse_bytes(bytes, path)?);
                } else if rest.len() == 3
                    && let Some(child) = ty.child_by_directory(rest[1])
                    && let Some(name) = rest[2].strip_suffix(&format!(".{}{META}", child.suffix))
                {
                    entry.children.push((
                        child.xml_element,
                        name.to_owned(),
                        Element::parse_bytes(bytes, path)?,
                    ));
                } else if rest.len() == 2
                    && let Some((child, name)) = ty.children.iter().find_map(|c| {
                        rest[1]
                            .strip_suffix(&format!(".{}{META}", c.suffix))
                            .map(|n| (c, n))
                    })
                {
                    // "topLevel" decomposition (CustomObjectTranslation): children sit beside
                    // the parent file instead of in a sub-directory.
                    entry.children.push((
                        child.xml_element,
                        name.to_owned(),
                        Element::parse_bytes(bytes, path)?,
                    ));
                }
            }
            Layout::MixedContent if ty.name == "StaticResource" => {
                let name = rest[0].split('.').next().unwrap_or_default().to_owned();
                let res = resources.entry(name).or_default();
                if rest.len() == 1 && rest[0].ends_with(&format!(".resource{META}")) {
                    res.meta = Some(bytes.clone());
                } else if rest.len() == 1 {
                    res.content = Some(bytes.clone());
                } else {
                    res.expanded.push((rest[1..].join("/"), bytes.clone()));
                }
            }
            _ => suffix_file(&mut pkg, files, &segs, bytes),
        }
    }
    for ((type_name, parent), d) in decomposed {
        let Some(ty) = registry::by_name(type_name) else {
            continue;
        };
        let xml = d.merge(ty);
        pkg.insert_file(
            format!(
                "{}/{parent}.{}",
                ty.directory_name,
                ty.suffix.unwrap_or_default()
            ),
            xml.into_bytes(),
        );
    }
    for (name, res) in resources {
        let Some(meta) = res.meta else { continue };
        let content = match (res.content, res.expanded.is_empty()) {
            (Some(c), _) => c,
            (None, false) => crate::mdapi::zip_files(&res.expanded)?,
            (None, true) => Vec::new(),
        };
        pkg.insert_file(format!("staticresources/{name}.resource"), content);
        pkg.insert_file(format!("staticresources/{name}.resource{META}"), meta);
    }
    Ok(pkg)
}

/// A type recognised by a strict directory name (bundles, decomposed parents, mixed content).
fn strict_type(seg: &str) -> Option<&'static MetadataType> {
    registry::all().iter().find(|t| {
        t.directory_name == seg
            && !t.is_folder_type()
            && (t.is_bundle() || t.layout == Layout::Decomposed || t.name == "StaticResource")
    })
}

/// Files recognised by their `.<suffix>-meta.xml` (content files are pulled in by their meta).
fn suffix_file(pkg: &mut Package, files: &Files, segs: &[&str], bytes: &[u8]) {
    let Some(file) = segs.last() else { return };
    let Some(stem) = file.strip_suffix(META) else {
        return;
    };
    let Some((name, suffix)) = stem.rsplit_once('.') else {
        return;
    };
    let Some(ty) = registry::by_suffix(suffix) else {
        return;
    };
    let dir_path = segs[..segs.len() - 1].join("/");
    if let Some(content_type) = ty.folder_content_type.and_then(registry::by_name) {
        let folder = folder_path(segs, content_type.directory_name, name);
        pkg.insert_file(
            format!("{}/{folder}{META}", content_type.directory_name),
            bytes.to_vec(),
        );
        return;
    }
    let prefix = if ty.in_folder {
        let folder = folder_path(segs, ty.directory_name, "");
        format!("{}/{}", ty.directory_name, folder)
    } else {
        format!("{}/", ty.directory_name)
    };
    match ty.layout {
        Layout::ContentAndMeta => {
            pkg.insert_file(format!("{prefix}{stem}{META}"), bytes.to_vec());
            if let Some(content) = files.get(&format!("{dir_path}/{stem}")) {
                pkg.insert_file(format!("{prefix}{stem}"), content.clone());
            }
        }
        Layout::MixedContent => {
            // Document: `logo.document-meta.xml` describes the sibling `logo.<ext>`.
            let sibling = files.iter().find(|(p, _)| {
                p.strip_prefix(&format!("{dir_path}/{name}."))
                    .is_some_and(|ext| !ext.contains('/') && !ext.ends_with(META))
            });
            if let Some((p, content)) = sibling {
                let file_name = p.rsplit('/').next().unwrap_or(p);
                pkg.insert_file(format!("{prefix}{file_name}{META}"), bytes.to_vec());
                pkg.insert_file(format!("{prefix}{file_name}"), content.clone());
            }
        }
        _ => pkg.insert_file(format!("{prefix}{stem}"), bytes.to_vec()),
    }
}

/// `reports/Top/Child/Name...` → `Top/Child/` + `name` (segments after the type directory).
fn folder_path(segs: &[&str], type_dir: &str, name: &str) -> String {
    let start = segs
        .iter()
        .rposition(|s| *s == type_dir)
        .map_or(segs.len() - 1, |i| i + 1);
    let mut parts: Vec<&str> = segs[start..segs.len() - 1].to_vec();
    if name.is_empty() {
        return parts.iter().map(|p| format!("{p}/")).collect();
    }
    parts.push(name);
    parts.join("/")
}

#[derive(Debug, Default)]
struct Decomposed {
    parent: Option<Element>,
    /// (parent element name, child name, child file root).
    children: Vec<(&'static str, String, Element)>,
}

impl Decomposed {
    fn merge(mut self, ty: &MetadataType) -> String {
        let mut root = self
            .parent
            .take()
            .unwrap_or_else(|| Element::new(ty.name).attr_set("xmlns", METADATA_NS));
        self.children
            .sort_by(|a, b| (a.0, collation_key(&a.1)).cmp(&(b.0, collation_key(&b.1))));
        for (element, name, mut child) in self.children {
            child.name = element.to_owned();
            child.attrs.clear();
            let id = ty
                .child_by_element(element)
                .map_or("fullName", |c| c.id_element);
            if child.child(id).is_none() {
                child
                    .children
                    .insert(0, Node::Element(Element::with_text(id, name)));
            }
            root.push(child);
        }
        root.to_document()
    }
}

/// Orders child names as the CLI does (locale collation: punctuation before letters, case
/// folded), so `Picture__c` precedes `Picture_IMG__c`.
fn collation_key(name: &str) -> String {
    name.chars()
        .map(|c| match c {
            '_' => '\u{1}',
            '-' => '\u{2}',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

#[derive(Debug, Default)]
struct Resource {
    meta: Option<Vec<u8>>,
    content: Option<Vec<u8>>,
    expanded: Vec<(String, Vec<u8>)>,
}

fn collect(root: &Path, dir: &Path, files: &mut Files) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut paths: Vec<_> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.starts_with('.') || name == "__tests__" {
            continue;
        }
        if path.is_dir() {
            collect(root, &path, files)?;
        } else {
            let rel = path.strip_prefix(root).unwrap_or(&path);
            let rel: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
            files.insert(rel.join("/"), bytes);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
