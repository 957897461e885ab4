//! package.xml and destructiveChanges*.xml manifests.
//!
//! A manifest names what a retrieve returns or a deploy contains/deletes. Real files carry
//! comments, CRLF endings, members before or after `<name>`, empty `<types>` and other names
//! than `package.xml` (DAHLIA's `package-all.xml`), so parsing is lenient; writing follows
//! the CLI's form (types and members sorted, 4-space indent, version last).

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::xml::{Element, METADATA_NS};

/// The wildcard member.
pub const WILDCARD: &str = "*";

/// A parsed manifest: type name → members, plus version and optional package fullName.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub types: BTreeMap<String, BTreeSet<String>>,
    /// `<version>`, e.g. `63.0`; absent in destructiveChanges files.
    pub version: Option<String>,
    /// `<fullName>` of a named package (ignored by retrieve).
    pub full_name: Option<String>,
}

impl Manifest {
    pub fn new(version: Option<&str>) -> Self {
        Self {
            version: version.map(str::to_owned),
            ..Self::default()
        }
    }

    /// Parses manifest bytes. `name` (e.g. `package.xml`) is used in error messages.
    pub fn parse(bytes: &[u8], name: &str) -> Result<Self> {
        let root = Element::parse_bytes(bytes, name)?;
        if root.name != "Package" {
            return Err(Error::Manifest {
                name: name.to_owned(),
                message: format!("root element is <{}>, expected <Package>", root.name),
            });
        }
        Self::from_element(&root, name)
    }

    /// Reads a `Package`-shaped element (a file root, or `unpackaged` in a RetrieveRequest).
    pub fn from_element(root: &Element, name: &str) -> Result<Self> {
        let mut manifest = Manifest {
            version: root.child_text("version").filter(|v| !v.is_empty()),
            full_name: root.child_text("fullName").filter(|v| !v.is_empty()),
            ..Self::default()
        };
        for types in root.children_named("types") {
            let type_name = types
                .child_text("name")
                .filter(|n| !n.is_empty())
                .ok_or_else(|| Error::Manifest {
                    name: name.to_owned(),
                    message: "a <types> element has no <name>".into(),
                })?;
            let entry = manifest.types.entry(type_name).or_default();
            for m in types.children_named("members") {
                let member = m.text().trim().to_owned();
                if !member.is_empty() {
                    entry.insert(member);
                }
            }
        }
        Ok(manifest)
    }

    pub fn add(&mut self, type_name: &str, member: &str) {
        self.types
            .entry(type_name.to_owned())
            .or_default()
            .insert(member.to_owned());
    }

    /// Members listed for a type (empty when the type is absent).
    pub fn members(&self, type_name: &str) -> impl Iterator<Item = &str> {
        self.types
            .get(type_name)
            .into_iter()
            .flatten()
            .map(String::as_str)
    }

    pub fn has_wildcard(&self, type_name: &str) -> bool {
        self.types
            .get(type_name)
            .is_some_and(|m| m.contains(WILDCARD))
    }

    /// Whether `member` is named explicitly (not via the wildcard).
    pub fn names(&self, type_name: &str, member: &str) -> bool {
        self.types
            .get(type_name)
            .is_some_and(|m| m.contains(member))
    }

    /// Whether the manifest lists no members at all.
    pub fn is_empty(&self) -> bool {
        self.types.values().all(BTreeSet::is_empty)
    }

    /// Number of (type, member) entries, wildcards counted once.
    pub fn len(&self) -> usize {
        self.types.values().map(BTreeSet::len).sum()
    }

    /// The manifest as a `Package` element (namespace declared on the root).
    pub fn to_element(&self) -> Element {
        let mut root = Element::new("Package").attr_set("xmlns", METADATA_NS);
        if let Some(full_name) = &self.full_name {
            root.push_text_child("fullName", full_name);
        }
        for (name, members) in &self.types {
            let mut types = Element::new("types");
            for m in members {
                types.push_text_child("members", m);
            }
            types.push_text_child("name", name);
            root.push(types);
        }
        if let Some(version) = &self.version {
            root.push_text_child("version", version);
        }
        root
    }

    /// The file text (XML declaration, 4-space indentation).
    pub fn to_xml(&self) -> String {
        self.to_element().to_document()
    }
}

/// Names of the manifest files a deploy zip may hold besides `package.xml`.
pub const DESTRUCTIVE_NAMES: [&str; 3] = [
    "destructiveChanges.xml",
    "destructiveChangesPre.xml",
    "destructiveChangesPost.xml",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_comments_crlf_and_member_order() {
        let xml = "<?xml version=\"1.0\"?>\r\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\r\n<!-- x -->\r\n<types><name>ApexClass</name><members>B</members>\r\n<members>A</members></types>\r\n<types><members>*</members><name>CustomObject</name></types>\r\n<types><name>Empty</name></types>\r\n<version>63.0</version></Package>";
        let m = Manifest::parse(xml.as_bytes(), "package.xml").unwrap();
        assert_eq!(m.members("ApexClass").collect::<Vec<_>>(), ["A", "B"]);
        assert!(m.has_wildcard("CustomObject"));
        assert!(m.names("ApexClass", "A"));
        assert!(!m.names("ApexClass", "C"));
        assert_eq!(m.version.as_deref(), Some("63.0"));
        assert_eq!(m.len(), 3);
        let again = Manifest::parse(m.to_xml().as_bytes(), "p").unwrap();
        assert_eq!(again, m);
    }

    #[test]
    fn writes_cli_form() {
        let mut m = Manifest::new(Some("63.0"));
        m.add("CustomObject", "Broker__c");
        m.add("ApexClass", "Foo");
        let xml = m.to_xml();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns="));
        let apex = xml.find("ApexClass").unwrap();
        assert!(apex < xml.find("CustomObject").unwrap());
        assert!(xml.contains("    <types>\n        <members>Foo</members>\n        <name>ApexClass</name>\n    </types>"));
        assert!(
            xml.trim_end()
                .ends_with("<version>63.0</version>\n</Package>")
        );
    }

    #[test]
    fn rejects_non_package_and_nameless_types() {
        assert!(Manifest::parse(b"<CustomObject/>", "p").is_err());
        assert!(
            Manifest::parse(
                b"<Package><types><members>A</members></types></Package>",
                "p"
            )
            .is_err()
        );
        assert!(Manifest::parse(b"<Package><types>", "p").is_err());
    }

    #[test]
    fn reads_real_manifests() {
        let Some(shared) = crate::test_support::shared_dir() else {
            return;
        };
        for rel in [
            "fixtures/mdapi/sf-dahlia-salesforce-6a8c41e/src/package-all.xml",
            "fixtures/mdapi/volunteers-for-salesforce-07570c1/src/package.xml",
        ] {
            let bytes = std::fs::read(shared.join(rel)).unwrap();
            let m = Manifest::parse(&bytes, rel).unwrap();
            assert!(m.len() > 10, "{rel}");
            assert!(m.version.is_some());
        }
    }
}
