//! What a retrieve returns: resolving a manifest against an org into a zip, FileProperties
//! and messages (metadata-soap.md §5, metadata-formats.md §5).
//!
//! Kept separate from the asynchronous job handling so it is a pure function of the org and
//! the request. Rules: `*` covers custom objects only for CustomObject and does not
//! enumerate folder contents; folders are members of their content type; child members are
//! cut out of their parent's file; missing members become `messages`
//! ("Entity of type 'X' named 'Y' cannot be found"), not failures; Profiles and
//! PermissionSets are filtered to the retrieved components; more than `max_files` files fail
//! the whole retrieve (LIMIT_EXCEEDED; wording **UNCONFIRMED**).

use std::collections::{BTreeMap, BTreeSet};

use orgfleet_metadata::children::{list_children, split_child_name};
use orgfleet_metadata::mdapi::Package;
use orgfleet_metadata::package_xml::{Manifest, WILDCARD};
use orgfleet_metadata::registry;
use orgfleet_metadata::xml::Element;

use super::list::{FileProps, child_id, parent_xml};
use super::profile_filter::{RetrievedSet, filter_permissions_file};
use crate::model::{ComponentKey, Org};

/// A parsed RetrieveRequest.
#[derive(Debug, Clone, Default)]
pub struct RetrieveRequest {
    pub api_version: Option<String>,
    pub single_package: bool,
    pub package_names: Vec<String>,
    pub specific_files: Vec<String>,
    pub unpackaged: Option<Manifest>,
}

impl RetrieveRequest {
    /// Reads the request element (`retrieveRequest`, or jsforce's `request`).
    pub fn from_element(el: &Element) -> Result<Self, String> {
        let texts = |name: &str| -> Vec<String> {
            el.children_named(name)
                .map(|e| e.text().trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        };
        let unpackaged = match el.child("unpackaged") {
            Some(p) => Some(Manifest::from_element(p, "unpackaged").map_err(|e| e.to_string())?),
            None => None,
        };
        Ok(RetrieveRequest {
            api_version: el.child_text("apiVersion").filter(|v| !v.is_empty()),
            single_package: el
                .child_text("singlePackage")
                .is_some_and(|v| v.eq_ignore_ascii_case("true")),
            package_names: texts("packageNames"),
            specific_files: texts("specificFiles"),
            unpackaged,
        })
    }
}

/// Everything a finished retrieve reports.
#[derive(Debug, Clone, Default)]
pub struct RetrieveOutcome {
    pub zip: Vec<u8>,
    pub file_properties: Vec<FileProps>,
    /// (fileName, problem).
    pub messages: Vec<(String, String)>,
    /// Whole-request failure: (errorStatusCode, errorMessage).
    pub error: Option<(String, String)>,
}

/// Who asked (for the package.xml row) and when.
#[derive(Debug, Clone)]
pub struct Requester {
    pub user_id: String,
    pub user_name: String,
    pub now: String,
}

fn is_custom_object(name: &str) -> bool {
    name.contains("__")
}

/// Resolves the request against `org`.
pub fn build_retrieve(
    org: &Org,
    req: &RetrieveRequest,
    who: &Requester,
    max_files: usize,
) -> RetrieveOutcome {
    let root = if req.single_package { "" } else { "unpackaged" };
    let prefix = if root.is_empty() {
        String::new()
    } else {
        format!("{root}/")
    };
    let manifest_path = format!("{prefix}package.xml");
    let mut out = RetrieveOutcome::default();
    let mut manifest = req.unpackaged.clone().unwrap_or_default();
    if manifest.version.is_none() {
        manifest.version = req.api_version.clone();
    }

    let mut full: BTreeSet<ComponentKey> = BTreeSet::new();
    // parent key → child (type, member) selected from it.
    let mut partial: BTreeMap<ComponentKey, BTreeSet<(String, String)>> = BTreeMap::new();
    let missing = |out: &mut RetrieveOutcome, t: &str, m: &str| {
        out.messages.push((
            manifest_path.clone(),
            format!("Entity of type '{t}' named '{m}' cannot be found"),
        ));
    };
    for (type_name, members) in &manifest.types {
        if let Some(ty) = registry::by_name(type_name) {
            for m in members {
                if m == WILDCARD {
                    if ty.in_folder {
                        continue;
                    }
                    full.extend(
                        org.metadata
                            .keys()
                            .filter(|k| k.type_name == ty.name)
                            .filter(|k| ty.name != "CustomObject" || is_custom_object(&k.full_name))
                            .cloned(),
                    );
                    continue;
                }
                let key = match ty.folder_type {
                    Some(folder) if !m.contains('/') => ComponentKey::new(folder, m),
                    _ => ComponentKey::new(ty.name, m),
                };
                if org.metadata.contains_key(&key) {
                    full.insert(key);
                } else {
                    missing(&mut out, type_name, m);
                }
            }
        } else if let Some((parent, child)) = registry::child_by_name(type_name) {
            for m in members {
                let parents: Vec<&ComponentKey> = if m == WILDCARD {
                    org.metadata
                        .keys()
                        .filter(|k| k.type_name == parent.name)
                        .filter(|k| parent.name != "CustomObject" || is_custom_object(&k.full_name))
                        .collect()
                } else {
                    split_child_name(type_name, m)
                        .map(|(p, _)| ComponentKey::new(parent.name, p))
                        .and_then(|k| org.metadata.get_key_value(&k).map(|(k, _)| k))
                        .into_iter()
                        .collect()
                };
                let mut found = false;
                for pk in parents {
                    let Some(xml) = org.metadata.get(pk).and_then(parent_xml) else {
                        continue;
                    };
                    for kid in list_children(parent.name, &pk.full_name, xml).unwrap_or_default() {
                        if kid.type_name == child.name && (m == WILDCARD || &kid.full_name == m) {
                            found = true;
                            partial
                                .entry(pk.clone())
                                .or_default()
                                .insert((kid.type_name, kid.full_name));
                        }
                    }
                }
                if !found && m != WILDCARD {
                    missing(&mut out, type_name, m);
                }
            }
        } else {
            out.messages.push((
                manifest_path.clone(),
                format!("Unknown type name '{type_name}' specified in package.xml"),
            ));
        }
    }

    // What the retrieve contains, for the Profile/PermissionSet rule.
    let mut set = RetrievedSet::default();
    for k in &full {
        set.add(&k.type_name, &k.full_name);
        if let Some(xml) = org.metadata.get(k).and_then(parent_xml) {
            for kid in list_children(&k.type_name, &k.full_name, xml).unwrap_or_default() {
                set.add(&kid.type_name, &kid.full_name);
            }
        }
    }
    for kids in partial.values() {
        for (t, n) in kids {
            set.add(t, n);
        }
    }

    let mut pkg = Package::new();
    for key in &full {
        let Some(comp) = org.metadata.get(key) else {
            continue;
        };
        for (path, bytes) in &comp.files {
            let bytes = if matches!(key.type_name.as_str(), "Profile" | "PermissionSet") {
                filter_permissions_file(bytes, &set)
            } else {
                bytes.clone()
            };
            pkg.insert_file(path.clone(), bytes);
        }
        out.file_properties
            .push(FileProps::of_component(key, comp, &prefix));
    }
    for (pk, kids) in &partial {
        let Some(comp) = org.metadata.get(pk) else {
            continue;
        };
        if !full.contains(pk)
            && let Some((path, bytes)) = comp.files.iter().find(|(p, _)| !p.ends_with("-meta.xml"))
            && let Ok(parent_el) = Element::parse_bytes(bytes, path)
        {
            let mut reduced = Element {
                children: Vec::new(),
                ..parent_el.clone()
            };
            let selected = list_children(&pk.type_name, &pk.full_name, bytes).unwrap_or_default();
            for kid in selected
                .into_iter()
                .filter(|k| kids.contains(&(k.type_name.clone(), k.full_name.clone())))
            {
                reduced.push(kid.element);
            }
            pkg.insert_file(path.clone(), reduced.to_document().into_bytes());
        }
        for (t, n) in kids {
            let mut row = FileProps::of_component(pk, comp, &prefix);
            row.id = child_id(org, t, n);
            row.full_name = n.clone();
            row.type_name = t.clone();
            out.file_properties.push(row);
        }
    }
    if !req.specific_files.is_empty() {
        let wanted: BTreeSet<&str> = req
            .specific_files
            .iter()
            .map(|f| f.strip_prefix(&prefix).unwrap_or(f))
            .collect();
        for files in pkg.components.values_mut() {
            files.retain(|p, _| wanted.contains(p.as_str()));
        }
        pkg.components.retain(|_, f| !f.is_empty());
    }
    if pkg.file_count() > max_files {
        out.error = Some((
            "LIMIT_EXCEEDED".into(),
            format!(
                "Retrieve exceeded the limit of {max_files} files (it would return {}).",
                pkg.file_count()
            ),
        ));
        out.file_properties.clear();
        return out;
    }
    for name in &req.package_names {
        out.messages.push((
            format!("{name}/package.xml"),
            format!("No package named '{name}' found"),
        ));
    }
    pkg.manifest = Some(manifest);
    match pkg.to_zip_under(root) {
        Ok(zip) => out.zip = zip,
        Err(e) => out.error = Some(("UNKNOWN_EXCEPTION".into(), e.to_string())),
    }
    out.file_properties.push(FileProps {
        created_by_id: who.user_id.clone(),
        created_by_name: who.user_name.clone(),
        created_date: who.now.clone(),
        file_name: manifest_path.clone(),
        full_name: manifest_path.clone(),
        id: String::new(),
        last_modified_by_id: who.user_id.clone(),
        last_modified_by_name: who.user_name.clone(),
        last_modified_date: who.now.clone(),
        manageable_state: Some("unmanaged".into()),
        namespace_prefix: None,
        type_name: "Package".into(),
    });
    out
}
