//! Turning retrieved files into snapshot content: canonical XML, and whole profiles merged
//! from the fragments several retrieves return.
//!
//! Snapshots are compared (drift) and deduplicated by content hash, so equal metadata must
//! give equal bytes whatever order or whitespace Salesforce used: XML metadata files are
//! normalized (keyed sets sorted by the registry's keys) and re-serialized in one form; code
//! and binary files (Apex, Visualforce, LWC/Aura sources, static resources) stay
//! byte-for-byte, since their bytes are their meaning.

use std::collections::{BTreeMap, BTreeSet, HashSet};

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
///
/// Decomposed parents (CustomObject, ...) also get their top-level elements in name order
/// (stable, so entries of one section keep theirs): Salesforce writes them in that order, but
/// a parent recomposed from sfdx source has its children appended at the end, and an org
/// snapshot must equal the project it was deployed from.
pub fn canonical_file(type_name: &str, path: &str, bytes: Vec<u8>) -> Vec<u8> {
    if !is_metadata_xml(type_name, path) {
        return bytes;
    }
    // The companion of a content file describes that file, with the type's own root.
    match Element::parse_bytes(&bytes, path) {
        Ok(root) => {
            let mut el = normalize(type_name, &root);
            let decomposed = registry::by_name(type_name)
                .is_some_and(|t| matches!(t.layout, Layout::Decomposed));
            if decomposed && !path.ends_with("-meta.xml") {
                let mut children: Vec<Element> = el.elements().cloned().collect();
                children.sort_by(|a, b| a.name.cmp(&b.name));
                el.children = children.into_iter().map(Node::Element).collect();
            }
            el.to_document().into_bytes()
        }
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
/// userPermissions are in each fragment and kept once). Sections keep the order the fragments
/// agree on (Salesforce writes them alphabetically; sections no fragment orders relative to
/// each other fall back to that), so the result does not depend on which retrieve finished
/// first.
pub fn merge_fragments(type_name: &str, fragments: &[Element]) -> Option<Element> {
    let first = fragments.first()?;
    let mut sections: BTreeMap<String, Vec<Element>> = BTreeMap::new();
    let mut seen: HashSet<(String, String)> = HashSet::new();
    for fragment in fragments {
        for el in fragment.elements() {
            if seen.insert(entry_key(type_name, el)) {
                sections
                    .entry(el.name.clone())
                    .or_default()
                    .push(el.clone());
            }
        }
    }
    let mut merged = first.clone();
    merged.children = section_order(fragments)
        .into_iter()
        .flat_map(|name| sections.remove(&name).unwrap_or_default())
        .map(Node::Element)
        .collect();
    Some(normalize(type_name, &merged))
}

/// Element names in an order consistent with every fragment (a topological order of "comes
/// before" in each), ties broken alphabetically.
fn section_order(fragments: &[Element]) -> Vec<String> {
    let mut after: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut preds: BTreeMap<String, usize> = BTreeMap::new();
    for fragment in fragments {
        let mut names: Vec<&str> = Vec::new();
        for el in fragment.elements() {
            if !names.contains(&el.name.as_str()) {
                names.push(&el.name);
            }
        }
        for name in &names {
            preds.entry((*name).to_owned()).or_default();
        }
        for pair in names.windows(2) {
            if after
                .entry(pair[0].to_owned())
                .or_default()
                .insert(pair[1].to_owned())
            {
                *preds.entry(pair[1].to_owned()).or_default() += 1;
            }
        }
    }
    let mut ready: BTreeSet<String> = preds
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(k, _)| k.clone())
        .collect();
    let mut out = Vec::new();
    while let Some(name) = ready.pop_first() {
        for next in after.get(&name).into_iter().flatten() {
            if let Some(n) = preds.get_mut(next) {
                *n -= 1;
                if *n == 0 {
                    ready.insert(next.clone());
                }
            }
        }
        preds.remove(&name);
        out.push(name);
    }
    // Fragments that disagree (a cycle): the rest alphabetically.
    out.extend(preds.into_keys());
    out
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

/// The warning for files in a package that no known metadata type claims (they are not
/// stored): how many, with up to five examples. `what` says where they came from.
pub fn unclassified_warning(
    pkg: &orgfleet_metadata::mdapi::Package,
    what: &str,
) -> Option<orgfleet_store::snapshots::SnapshotWarning> {
    if pkg.unclassified.is_empty() {
        return None;
    }
    let names: Vec<&str> = pkg
        .unclassified
        .keys()
        .take(5)
        .map(String::as_str)
        .collect();
    Some(orgfleet_store::snapshots::SnapshotWarning {
        type_name: String::new(),
        message: format!(
            "{} {what} file(s) of unknown types were not stored (e.g. {})",
            pkg.unclassified.len(),
            names.join(", ")
        ),
    })
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
    fn the_merge_does_not_depend_on_which_retrieve_finished_first() {
        let a = xml(&format!(
            "<Profile {NS}><custom>false</custom><pageAccesses><apexPage>P</apexPage><enabled>true</enabled></pageAccesses>\
             <userLicense>Salesforce</userLicense></Profile>"
        ));
        let b = xml(&format!(
            "<Profile {NS}><custom>false</custom><layoutAssignments><layout>Account-A</layout></layoutAssignments>\
             <userLicense>Salesforce</userLicense></Profile>"
        ));
        let ab = merge_fragments("Profile", &[a.clone(), b.clone()]).unwrap();
        let ba = merge_fragments("Profile", &[b, a]).unwrap();
        assert_eq!(ab.canonical(), ba.canonical());
        let names: Vec<&str> = ab.elements().map(|e| e.name.as_str()).collect();
        assert_eq!(
            names,
            ["custom", "layoutAssignments", "pageAccesses", "userLicense"]
        );
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
