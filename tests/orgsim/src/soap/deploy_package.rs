//! The deploy zip as the deploy pipeline sees it: where the package root is, its manifests
//! (`package.xml`, `destructiveChanges*.xml`) and its top-level components with their files.
//!
//! Salesforce accepts `package.xml` at the zip root or inside one top folder (`unpackaged/`,
//! `shape/`); every `fileName` it reports keeps that folder, so the prefix is remembered.
//! Files are grouped into components with the shared type registry of `orgfleet-metadata`.

use std::collections::BTreeMap;

use orgfleet_metadata::registry::{self, Layout};

use super::model::DeployMessage;
use super::xml::{self, Node};
use crate::model::ComponentKey;

/// When a destructive manifest's deletions run relative to the package's additions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `destructiveChanges.xml` (deleted first, like before API 33.0) and `destructiveChangesPre.xml`.
    Pre,
    /// `destructiveChangesPost.xml`.
    Post,
}

/// One `<types>` entry of a manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManifestType {
    pub name: String,
    pub members: Vec<String>,
}

/// A destructive manifest.
#[derive(Debug, Clone)]
pub struct Destructive {
    /// `destructiveChanges.xml`, `destructiveChangesPre.xml` or `destructiveChangesPost.xml`.
    pub file: &'static str,
    pub phase: Phase,
    pub types: Vec<ManifestType>,
}

/// A top-level component of the zip and its files (paths relative to the package root).
#[derive(Debug, Clone)]
pub struct PkgComponent {
    pub key: ComponentKey,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl PkgComponent {
    /// The XML file describing the component (`objects/A.object`, `classes/A.cls-meta.xml`).
    pub fn xml_file(&self) -> Option<(&str, &[u8])> {
        let t = registry::by_name(&self.key.type_name)?;
        self.files
            .iter()
            .find(|(p, _)| match t.layout {
                Layout::ContentAndMeta | Layout::MixedContent => p.ends_with("-meta.xml"),
                Layout::Bundle(_) => p.ends_with(".js-meta.xml") || p.ends_with(".cmp-meta.xml"),
                Layout::Plain | Layout::Decomposed => true,
            })
            .map(|(p, b)| (p.as_str(), b.as_slice()))
    }

    /// The content file of a content+meta type (`classes/A.cls`).
    pub fn content_file(&self) -> Option<(&str, &[u8])> {
        self.files
            .iter()
            .find(|(p, _)| !p.ends_with("-meta.xml"))
            .map(|(p, b)| (p.as_str(), b.as_slice()))
    }
}

/// The analysed zip.
#[derive(Debug, Clone, Default)]
pub struct DeployPackage {
    /// `""` or the top folder with a trailing slash (`unpackaged/`).
    pub prefix: String,
    pub manifest: Vec<ManifestType>,
    pub destructive: Vec<Destructive>,
    pub components: BTreeMap<ComponentKey, PkgComponent>,
    /// Manifest-level failures (`No package.xml found`, unparsable manifests).
    pub manifest_failures: Vec<DeployMessage>,
}

impl DeployPackage {
    /// The zip path of a file given relative to the package root.
    pub fn zip_path(&self, rel: &str) -> String {
        format!("{}{rel}", self.prefix)
    }

    /// Analyses the zip's files (zip paths → bytes).
    pub fn from_files(files: BTreeMap<String, Vec<u8>>) -> Self {
        let mut pkg = DeployPackage::default();
        let prefix = if files.contains_key("package.xml") {
            Some(String::new())
        } else {
            let tops: std::collections::BTreeSet<&str> = files
                .keys()
                .filter_map(|p| p.split_once('/').map(|(t, _)| t))
                .collect();
            match tops.iter().next() {
                Some(top)
                    if tops.len() == 1 && files.contains_key(&format!("{top}/package.xml")) =>
                {
                    Some(format!("{top}/"))
                }
                _ => None,
            }
        };
        let Some(prefix) = prefix else {
            pkg.manifest_failures.push(DeployMessage::error(
                "",
                "package.xml",
                "package.xml",
                "No package.xml found",
            ));
            return pkg;
        };
        pkg.prefix = prefix;
        for (path, bytes) in files {
            let Some(rel) = path.strip_prefix(&pkg.prefix).map(str::to_owned) else {
                continue;
            };
            match rel.as_str() {
                "package.xml" => match parse_manifest(&bytes) {
                    Ok(types) => pkg.manifest = types,
                    Err(m) => pkg
                        .manifest_failures
                        .push(pkg.parse_failure("package.xml", m)),
                },
                "destructiveChanges.xml"
                | "destructiveChangesPre.xml"
                | "destructiveChangesPost.xml" => {
                    let (file, phase) = match rel.as_str() {
                        "destructiveChanges.xml" => ("destructiveChanges.xml", Phase::Pre),
                        "destructiveChangesPre.xml" => ("destructiveChangesPre.xml", Phase::Pre),
                        _ => ("destructiveChangesPost.xml", Phase::Post),
                    };
                    match parse_manifest(&bytes) {
                        Ok(types) => pkg.destructive.push(Destructive { file, phase, types }),
                        Err(m) => pkg.manifest_failures.push(pkg.parse_failure(file, m)),
                    }
                }
                _ => {
                    if let Some(key) = component_key(&rel) {
                        pkg.components
                            .entry(key.clone())
                            .or_insert_with(|| PkgComponent {
                                key,
                                files: BTreeMap::new(),
                            })
                            .files
                            .insert(rel, bytes);
                    }
                }
            }
        }
        // Plain destructiveChanges.xml runs before the Pre/Post variants are considered.
        pkg.destructive
            .sort_by_key(|d| (d.phase == Phase::Post, d.file != "destructiveChanges.xml"));
        pkg
    }

    fn parse_failure(&self, file: &str, e: xml::ParseError) -> DeployMessage {
        DeployMessage::error(
            "",
            file,
            &self.zip_path(file),
            format!("Error parsing file: {}", e.message),
        )
        .at(e.line, e.column)
    }
}

/// Parses a `Package` manifest into its types.
pub fn parse_manifest(bytes: &[u8]) -> Result<Vec<ManifestType>, xml::ParseError> {
    let root = xml::parse(bytes)?;
    Ok(manifest_types(&root))
}

fn manifest_types(root: &Node) -> Vec<ManifestType> {
    root.children_named("types")
        .map(|t| ManifestType {
            name: t.child_text("name").unwrap_or_default().to_owned(),
            members: t
                .children_named("members")
                .map(|m| m.text.trim().to_owned())
                .collect(),
        })
        .collect()
}

/// The top-level component a file belongs to (the shared registry's path rules).
pub fn component_key(rel: &str) -> Option<ComponentKey> {
    orgfleet_metadata::mdapi::classify_path(rel)
        .map(|id| ComponentKey::new(id.type_name, id.full_name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(list: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        list.iter()
            .map(|(p, c)| (p.to_string(), c.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn groups_components_under_a_top_folder() {
        let pkg = DeployPackage::from_files(files(&[
            (
                "unpackaged/package.xml",
                "<Package><types><members>A</members><name>ApexClass</name></types><version>63.0</version></Package>",
            ),
            ("unpackaged/classes/A.cls", "public class A {}"),
            ("unpackaged/classes/A.cls-meta.xml", "<ApexClass/>"),
            ("unpackaged/objects/Acc__c.object", "<CustomObject/>"),
            (
                "unpackaged/destructiveChangesPost.xml",
                "<Package><types><members>B</members><name>ApexClass</name></types></Package>",
            ),
        ]));
        assert_eq!(pkg.prefix, "unpackaged/");
        assert!(pkg.manifest_failures.is_empty());
        assert_eq!(pkg.manifest[0].members, ["A"]);
        let a = &pkg.components[&ComponentKey::new("ApexClass", "A")];
        assert_eq!(a.files.len(), 2);
        assert_eq!(a.xml_file().unwrap().0, "classes/A.cls-meta.xml");
        assert!(
            pkg.components
                .contains_key(&ComponentKey::new("CustomObject", "Acc__c"))
        );
        assert_eq!(pkg.destructive[0].phase, Phase::Post);
    }

    #[test]
    fn missing_manifest_is_the_documented_row() {
        let pkg = DeployPackage::from_files(files(&[("classes/A.cls", "x"), ("other/x.txt", "y")]));
        let row = &pkg.manifest_failures[0];
        assert_eq!(row.problem.as_deref(), Some("No package.xml found"));
        assert_eq!(
            (row.component_type.as_str(), row.file_name.as_str()),
            ("", "package.xml")
        );
    }

    #[test]
    fn folder_and_bundle_keys() {
        assert_eq!(
            component_key("reports/Sales-meta.xml"),
            Some(ComponentKey::new("ReportFolder", "Sales"))
        );
        assert_eq!(
            component_key("reports/Sales/Pipe.report"),
            Some(ComponentKey::new("Report", "Sales/Pipe"))
        );
        assert_eq!(
            component_key("lwc/card/card.js"),
            Some(ComponentKey::new("LightningComponentBundle", "card"))
        );
        assert_eq!(
            component_key("layouts/Account-Account Layout.layout"),
            Some(ComponentKey::new("Layout", "Account-Account Layout"))
        );
        assert_eq!(component_key("nowhere/x.y"), None);
    }
}
