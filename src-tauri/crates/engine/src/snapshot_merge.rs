//! Turning retrieved files into snapshot content: canonical XML, and whole profiles merged
//! from the fragments several retrieves return.
//!
//! Snapshots are compared (drift) and deduplicated by content hash, so equal metadata must
//! give equal bytes whatever order or whitespace Salesforce used: XML metadata files are
//! normalized (keyed sets sorted by the registry's keys) and re-serialized in one form; code
//! and binary files (Apex, Visualforce, LWC/Aura sources, static resources) stay
//! byte-for-byte, since their bytes are their meaning.

use std::collections::{BTreeMap, HashSet};

use orgfleet_metadata::mdapi::Files;
use orgfleet_metadata::normalize::normalize;
use orgfleet_metadata::registry::{self, Layout};
use orgfleet_metadata::xml::{Element, Node};

/// Whether `path` of a component of `type_name` is a metadata XML file (as opposed to code
/// or content): `-meta.xml` companions, and the main file of types that are XML only.
pub fn is_metadata_xml(type_name: &str, path: &str) -> bool {
    if path.ends_with("-meta.xml") {
        return true;
    }
    match registry::by_name(type_name) {
        Some(t) => matches!(t.layout, Layout::Plain | Layout::Decomposed),
        None => path.ends_with(".xml"),
    }
}

/// The stored form of one file: normalized, re-serialized XML for metadata files (when they
/// parse; a file that does not is kept as it came), the bytes unchanged otherwise.
pub fn canonical_file(type_name: &str, path: &str, bytes: Vec<u8>) -> Vec<u8> {
    if !is_metadata_xml(type_name, path) {
        return bytes;
    }
    // The companion of a content file describes that file, with the type's own root.
    match Element::parse_bytes(&bytes, path) {
        Ok(root) => normalize(type_name, &root).to_document().into_bytes(),
        Err(_) => bytes,
    }
}

/// Every file of a component in stored form.
pub fn canonical_files(type_name: &str, files: Files) -> Vec<(String, Vec<u8>)> {
    files
        .into_iter()
        .map(|(path, bytes)| {
            let b = canonical_file(type_name, &path, bytes);
            (path, b)
        })
        .collect()
}

/// Identity of a top-level entry of a profile or permission set: the collection key
/// (`fieldPermissions` + `Account.Name`) for keyed sections, the whole entry otherwise.
fn entry_key(type_name: &str, el: &Element) -> (String, String) {
    let keyed = registry::by_name(type_name)
        .and_then(|t| t.collection(&el.name))
        .filter(|c| !c.key.is_empty());
    match keyed {
        Some(c) => {
            let values: Vec<String> = c
                .key
                .iter()
                .map(|k| el.child_text(k).unwrap_or_default())
                .collect();
            (el.name.clone(), values.join("\u{1f}"))
        }
        None => (el.name.clone(), el.canonical()),
    }
}

/// Merges fragments of one Profile/PermissionSet file, each from a retrieve with a different
/// slice of the components it refers to. Entries are united by the registry's collection keys
/// (the first fragment's wins for a key seen twice; always-present sections such as
/// userPermissions are in each fragment and kept once); a new entry goes after the last entry
/// of its section, or where its fragment placed it, so section order is kept.
pub fn merge_fragments(type_name: &str, fragments: &[Element]) -> Option<Element> {
    let (first, rest) = fragments.split_first()?;
    let mut merged = first.clone();
    merged.children.retain(|n| matches!(n, Node::Element(_)));
    let mut seen: HashSet<(String, String)> =
        merged.elements().map(|e| entry_key(type_name, e)).collect();
    for fragment in rest {
        let mut cursor: Option<usize> = None;
        for el in fragment.elements() {
            let key = entry_key(type_name, el);
            if seen.contains(&key) {
                cursor = last_of_section(&merged, &el.name).or(cursor);
                continue;
            }
            let at = last_of_section(&merged, &el.name)
                .or(cursor)
                .map_or(0, |i| i + 1);
            merged.children.insert(at, Node::Element(el.clone()));
            seen.insert(key);
            cursor = Some(at);
        }
    }
    Some(normalize(type_name, &merged))
}

fn last_of_section(merged: &Element, name: &str) -> Option<usize> {
    merged
        .children
        .iter()
        .rposition(|n| matches!(n, Node::Element(e) if e.name == name))
}

/// Path → the fragments of that file, in retrieve order.
type FragmentsByPath = BTreeMap<String, Vec<Vec<u8>>>;

/// Collects the files of profile-type components across retrieves and merges them.
#[derive(Debug, Default)]
pub struct FragmentSet {
    /// (type, full name) → its files' fragments.
    parts: BTreeMap<(String, String), FragmentsByPath>,
}

impl FragmentSet {
    pub fn add(&mut self, type_name: &str, full_name: &str, files: Files) {
        let entry = self
            .parts
            .entry((type_name.to_owned(), full_name.to_owned()))
            .or_default();
        for (path, bytes) in files {
            entry.entry(path).or_default().push(bytes);
        }
    }

    /// Each component with its files merged; a file whose fragments do not parse keeps the
    /// first fragment (and is named in the returned problems).
    pub fn merge(self) -> (Vec<(String, String, Files)>, Vec<String>) {
        let mut out = Vec::new();
        let mut problems = Vec::new();
        for ((type_name, full_name), paths) in self.parts {
            let mut files = Files::new();
            for (path, mut fragments) in paths {
                if !path.ends_with("-meta.xml") {
                    let parsed: Result<Vec<Element>, _> = fragments
                        .iter()
                        .map(|b| Element::parse_bytes(b, &path))
                        .collect();
                    match parsed.map(|p| merge_fragments(&type_name, &p)) {
                        Ok(Some(el)) => {
                            files.insert(path, el.to_document().into_bytes());
                            continue;
                        }
                        Ok(None) => continue,
                        Err(e) => problems.push(format!("{path}: {e}")),
                    }
                }
                if !fragments.is_empty() {
                    files.insert(path, fragments.swap_remove(0));
                }
            }
            out.push((type_name, full_name, files));
        }
        (out, problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xml(s: &str) -> Element {
        Element::parse_str(s, "test").unwrap()
    }

    const NS: &str = "xmlns=\"http://soap.sforce.com/2006/04/metadata\"";

    #[test]
    fn fragments_unite_by_collection_key_and_keep_section_order() {
        let a = xml(&format!(
            "<Profile {NS}><classAccesses><apexClass>A</apexClass><enabled>true</enabled></classAccesses>\
             <custom>false</custom><fieldPermissions><editable>true</editable><field>Account.X__c</field><readable>true</readable></fieldPermissions>\
             <userLicense>Salesforce</userLicense><userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions></Profile>"
        ));
        let b = xml(&format!(
            "<Profile {NS}><classAccesses><apexClass>B</apexClass><enabled>false</enabled></classAccesses>\
             <custom>false</custom><fieldPermissions><editable>false</editable><field>Case.Y__c</field><readable>true</readable></fieldPermissions>\
             <objectPermissions><allowRead>true</allowRead><object>Case</object></objectPermissions>\
             <userLicense>Salesforce</userLicense><userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions></Profile>"
        ));
        let merged = merge_fragments("Profile", &[a, b]).unwrap();
        let names: Vec<&str> = merged.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "classAccesses",
                "classAccesses",
                "custom",
                "fieldPermissions",
                "fieldPermissions",
                "objectPermissions",
                "userLicense",
                "userPermissions"
            ]
        );
        let fields: Vec<String> = merged
            .children_named("fieldPermissions")
            .filter_map(|e| e.child_text("field"))
            .collect();
        assert_eq!(fields, ["Account.X__c", "Case.Y__c"]);
    }

    #[test]
    fn the_same_content_in_another_order_stores_the_same_bytes() {
        let a = format!(
            "<Profile {NS}><fieldPermissions><editable>true</editable><field>B.b</field></fieldPermissions>\n\
             <fieldPermissions><editable>true</editable><field>A.a</field></fieldPermissions></Profile>"
        );
        let b = format!(
            "<?xml version=\"1.0\"?><Profile {NS}>\n  <fieldPermissions><editable>true</editable><field>A.a</field></fieldPermissions>\
             <fieldPermissions><editable>true</editable><field>B.b</field></fieldPermissions></Profile>"
        );
        let path = "profiles/Admin.profile";
        assert_eq!(
            canonical_file("Profile", path, a.into_bytes()),
            canonical_file("Profile", path, b.into_bytes())
        );
        let code = b"public class A {  }\r\n".to_vec();
        assert_eq!(
            canonical_file("ApexClass", "classes/A.cls", code.clone()),
            code
        );
        assert!(is_metadata_xml("ApexClass", "classes/A.cls-meta.xml"));
        assert!(!is_metadata_xml("AuraDefinitionBundle", "aura/x/x.cmp"));
    }
}
