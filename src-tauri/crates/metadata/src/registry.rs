//! Our metadata type registry: how each type is laid out on disk and inside its XML.
//!
//! Everything that turns files into components (zips, folders, sfdx projects, listMetadata,
//! drift comparison) needs the same facts per type: directory, suffix, whether a `-meta.xml`
//! companion exists, folders, bundles, child types and which XML collections are ordered
//! lists versus keyed sets. The table in [`table`] is written by us (values agree with
//! Salesforce's describeMetadata and the CLI registry; a test cross-checks them).

#[cfg(test)]
mod crosscheck;
mod standard_value_sets;
mod table;

use serde::Serialize;

pub use standard_value_sets::STANDARD_VALUE_SETS;
pub use table::{CUSTOM_FIELD_COLLECTIONS, TYPES};

/// How a type's files are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Layout {
    /// One XML file `<dir>/<name>.<suffix>` (source: `...-meta.xml`).
    Plain,
    /// A content file `<dir>/<name>.<suffix>` plus `<dir>/<name>.<suffix>-meta.xml`
    /// (ApexClass, ApexTrigger, ApexPage, EmailTemplate, ...).
    ContentAndMeta,
    /// Content whose source form differs from mdapi (StaticResource, Document).
    MixedContent,
    /// A folder of files forming one component (`lwc/<name>/...`).
    Bundle(BundleKind),
    /// A parent whose children are separate files in source format (CustomObject).
    Decomposed,
}

/// Which kind of bundle (the rules for its files differ slightly).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum BundleKind {
    Lwc,
    Aura,
    /// ExperienceBundle: `experiences/<name>/...` plus `experiences/<name>.site-meta.xml`.
    Experience,
    /// Other bundle-like types (WaveTemplateBundle, ...): `<dir>/<name>/...`.
    Generic,
}

/// A type nested inside its parent's file (CustomField inside a `.object`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChildType {
    /// Type name, e.g. `CustomField`.
    pub name: &'static str,
    /// The element wrapping each child inside the parent XML, e.g. `fields`.
    pub xml_element: &'static str,
    /// Source-format sub-directory of a decomposed parent (`fields`), when decomposed.
    pub directory: &'static str,
    /// Source-format suffix (`field` → `X.field-meta.xml`).
    pub suffix: &'static str,
    /// The element holding the child's name (`fullName`, or `name` for translations).
    pub id_element: &'static str,
    /// Member names are `Child` rather than `Parent.Child` (CustomLabel).
    pub ignore_parent_name: bool,
}

/// A repeated element inside a type's XML and how to compare its entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Collection {
    /// Path of the repeated element from the root, e.g. `fieldPermissions` or
    /// `valueSet/valueSetDefinition/value`.
    pub path: &'static str,
    /// Child elements whose values identify an entry (empty: no identity, compare by position).
    pub key: &'static [&'static str],
    /// True when document order is meaningful (picklist values, layout sections); false when
    /// the entries are a set keyed by `key` (profile permissions).
    pub ordered: bool,
}

/// One metadata type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct MetadataType {
    /// xmlName, e.g. `ApexClass`.
    pub name: &'static str,
    /// mdapi directory, e.g. `classes`.
    pub directory_name: &'static str,
    /// File suffix without the dot; `None` for bundles.
    pub suffix: Option<&'static str>,
    /// Has a `-meta.xml` companion in mdapi format (describeMetadata `metaFile`).
    pub meta_file: bool,
    /// Components live in folders (Report, Dashboard, Document, EmailTemplate).
    pub in_folder: bool,
    /// For in-folder types, the folder's own type (`ReportFolder`).
    pub folder_type: Option<&'static str>,
    /// For folder types, the content type they hold (`Report` for `ReportFolder`).
    pub folder_content_type: Option<&'static str>,
    /// Only recognised inside its exact directory name.
    pub strict_directory: bool,
    pub layout: Layout,
    pub children: &'static [ChildType],
    pub collections: &'static [Collection],
}

impl MetadataType {
    /// Whether this is a folder type (ReportFolder, ...), which describeMetadata does not list.
    pub fn is_folder_type(&self) -> bool {
        self.folder_content_type.is_some()
    }

    pub fn is_bundle(&self) -> bool {
        matches!(self.layout, Layout::Bundle(_))
    }

    /// The child type whose wrapper element in the parent XML is `element`.
    pub fn child_by_element(&self, element: &str) -> Option<&'static ChildType> {
        self.children.iter().find(|c| c.xml_element == element)
    }

    /// The child type stored in source sub-directory `dir` of a decomposed parent.
    pub fn child_by_directory(&self, dir: &str) -> Option<&'static ChildType> {
        self.children
            .iter()
            .find(|c| c.directory == dir && !c.directory.is_empty())
    }

    /// The collection declared at `path`, if any.
    pub fn collection(&self, path: &str) -> Option<&'static Collection> {
        self.collections.iter().find(|c| c.path == path)
    }
}

/// All top-level types (including folder types).
pub fn all() -> &'static [MetadataType] {
    TYPES
}

/// A type by xmlName (exact, then case-insensitive).
pub fn by_name(name: &str) -> Option<&'static MetadataType> {
    TYPES
        .iter()
        .find(|t| t.name == name)
        .or_else(|| TYPES.iter().find(|t| t.name.eq_ignore_ascii_case(name)))
}

/// A type by mdapi directory and suffix (`("classes", Some("cls"))`); bundles by directory
/// with `None`.
pub fn by_directory_and_suffix(
    directory: &str,
    suffix: Option<&str>,
) -> Option<&'static MetadataType> {
    TYPES
        .iter()
        .find(|t| t.directory_name == directory && t.suffix == suffix)
}

/// Types stored in this mdapi directory (folder types share their content type's directory).
pub fn by_directory(directory: &str) -> impl Iterator<Item = &'static MetadataType> + '_ {
    TYPES.iter().filter(move |t| t.directory_name == directory)
}

/// A top-level type by suffix (used for source-format `X.<suffix>-meta.xml` files). Folder
/// types and content types share no suffix, so the answer is unique.
pub fn by_suffix(suffix: &str) -> Option<&'static MetadataType> {
    TYPES.iter().find(|t| t.suffix == Some(suffix))
}

/// A child type by name, with its parent type.
pub fn child_by_name(name: &str) -> Option<(&'static MetadataType, &'static ChildType)> {
    TYPES
        .iter()
        .find_map(|t| t.children.iter().find(|c| c.name == name).map(|c| (t, c)))
}

/// The parent type of a child type (`CustomField` → `CustomObject`).
pub fn parent_of(child_type: &str) -> Option<&'static MetadataType> {
    child_by_name(child_type).map(|(p, _)| p)
}

/// Whether `name` is a known top-level or child type.
pub fn is_known(name: &str) -> bool {
    by_name(name).is_some() || child_by_name(name).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookups() {
        assert_eq!(by_name("ApexClass").unwrap().directory_name, "classes");
        assert_eq!(
            by_directory_and_suffix("objects", Some("object"))
                .unwrap()
                .name,
            "CustomObject"
        );
        assert_eq!(
            by_directory_and_suffix("lwc", None).unwrap().name,
            "LightningComponentBundle"
        );
        assert_eq!(parent_of("CustomField").unwrap().name, "CustomObject");
        assert_eq!(parent_of("CustomLabel").unwrap().name, "CustomLabels");
        assert_eq!(parent_of("WorkflowAlert").unwrap().name, "Workflow");
        assert_eq!(
            by_suffix("reportFolder").unwrap().folder_content_type,
            Some("Report")
        );
        assert!(by_name("Report").unwrap().in_folder);
        assert!(!is_known("NoSuchType"));
    }

    #[test]
    fn table_is_consistent() {
        let mut names = std::collections::BTreeSet::new();
        for t in TYPES {
            assert!(names.insert(t.name), "duplicate type {}", t.name);
            if let Some(ft) = t.folder_type {
                let f = by_name(ft).unwrap_or_else(|| panic!("folder type {ft} missing"));
                assert_eq!(f.folder_content_type, Some(t.name));
                assert_eq!(f.directory_name, t.directory_name);
            }
            assert_eq!(t.is_bundle(), t.suffix.is_none(), "{}", t.name);
        }
        let mut suffixes = std::collections::BTreeSet::new();
        for t in TYPES.iter().filter(|t| t.suffix.is_some()) {
            assert!(suffixes.insert(t.suffix), "duplicate suffix {:?}", t.suffix);
        }
    }

    #[test]
    fn permission_collections_are_keyed_and_picklists_ordered() {
        for ty in ["Profile", "PermissionSet"] {
            let t = by_name(ty).unwrap();
            let fp = t.collection("fieldPermissions").unwrap();
            assert_eq!((fp.key, fp.ordered), (&["field"][..], false));
            assert_eq!(t.collection("objectPermissions").unwrap().key, ["object"]);
            assert_eq!(t.collection("classAccesses").unwrap().key, ["apexClass"]);
            assert_eq!(t.collection("userPermissions").unwrap().key, ["name"]);
        }
        let la = by_name("Profile")
            .unwrap()
            .collection("layoutAssignments")
            .unwrap();
        assert_eq!(la.key, ["layout", "recordType"]);
        let (_, field) = child_by_name("CustomField").unwrap();
        assert_eq!(field.xml_element, "fields");
        let obj = by_name("CustomObject").unwrap();
        let values = obj
            .collection("fields/valueSet/valueSetDefinition/value")
            .unwrap();
        assert!(values.ordered);
        assert_eq!(values.key, ["fullName"]);
        assert!(
            by_name("Layout")
                .unwrap()
                .collection("layoutSections")
                .unwrap()
                .ordered
        );
    }
}
