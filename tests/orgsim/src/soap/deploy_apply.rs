//! Applying a deploy to the org: upserts, child merges, deletions and audit rows.
//!
//! * A component whose type has child types (CustomObject, CustomLabels, Workflow, ...) is
//!   **merged** into the org's file as Salesforce does: children named in the deployed file
//!   are added or replaced (keyed by their id element), children it does not mention stay;
//!   other elements the deployed file carries replace the org's. A Profile merges the same way
//!   by the keys of its collections (`fieldPermissions` by `field`, ...): a deploy applies
//!   only the entries it carries (metadata-formats.md, marked UNCONFIRMED there). Any other
//!   component's files replace the org's files.
//! * Deletions come from the destructive manifests: `destructiveChanges.xml` and
//!   `destructiveChangesPre.xml` run before the upserts, `destructiveChangesPost.xml` after.
//!   A child member (`CustomField Obj.F`) is removed from its parent's file. A member that
//!   does not exist yields the documented Warning row `No <Type> named: <name> found`.
//! * Each created/changed/deleted component gets a SetupAuditTrail row (`crate::audit`).

use std::collections::BTreeMap;

use orgfleet_metadata::registry;

use super::model::DeployMessage;
use super::package::{DeployPackage, Phase};
use super::xml::{self, Node};
use crate::model::{Component, ComponentKey, Org};

/// One planned deletion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deletion {
    pub phase: Phase,
    pub type_name: String,
    pub full_name: String,
}

/// Resolves the destructive manifests against the org: deletions to run, Warning rows for
/// members that do not exist.
pub fn plan_deletions(org: &Org, pkg: &DeployPackage) -> (Vec<Deletion>, Vec<DeployMessage>) {
    let mut out = Vec::new();
    let mut warnings = Vec::new();
    for d in &pkg.destructive {
        for t in &d.types {
            for m in &t.members {
                if exists(org, &t.name, m) {
                    out.push(Deletion {
                        phase: d.phase,
                        type_name: t.name.clone(),
                        full_name: m.clone(),
                    });
                } else {
                    let file = pkg.zip_path(d.file);
                    let mut w = DeployMessage::error(
                        &t.name,
                        &file,
                        &file,
                        format!("No {} named: {m} found", t.name),
                    );
                    w.problem_type = Some("Warning");
                    w.full_name = d.file.to_owned();
                    warnings.push(w);
                }
            }
        }
    }
    (out, warnings)
}

/// Where a child member lives: (parent key, child element, id element, child name).
fn child_location(
    type_name: &str,
    full_name: &str,
) -> Option<(ComponentKey, &'static str, &'static str, String)> {
    let (parent, ct) = registry::child_by_name(type_name)?;
    let (parent_name, child) = if ct.ignore_parent_name {
        (parent.name.to_owned(), full_name.to_owned())
    } else {
        let (p, c) = full_name.split_once('.')?;
        (p.to_owned(), c.to_owned())
    };
    Some((
        ComponentKey::new(parent.name, parent_name),
        ct.xml_element,
        ct.id_element,
        child,
    ))
}

fn parent_root(org: &Org, key: &ComponentKey) -> Option<(String, Node)> {
    let comp = org.metadata.get(key)?;
    comp.files
        .iter()
        .find_map(|(p, b)| xml::parse(b).ok().map(|root| (p.clone(), root)))
}

/// Whether `type_name`/`full_name` exists in the org (top-level or as a child).
pub fn exists(org: &Org, type_name: &str, full_name: &str) -> bool {
    if let Some((parent, element, id, child)) = child_location(type_name, full_name) {
        return parent_root(org, &parent).is_some_and(|(_, root)| {
            root.children_named(element)
                .any(|c| c.child_text(id) == Some(child.as_str()))
        });
    }
    org.metadata
        .contains_key(&ComponentKey::new(type_name, full_name))
}

/// The org's files for `key` after deploying `files` (merging children where the type has them).
pub fn merged_files(
    org: &Org,
    key: &ComponentKey,
    files: &BTreeMap<String, Vec<u8>>,
) -> BTreeMap<String, Vec<u8>> {
    let has_children = key.type_name == "Profile"
        || registry::by_name(&key.type_name).is_some_and(|t| !t.children.is_empty());
    let Some(existing) = org.metadata.get(key).filter(|_| has_children) else {
        return files.clone();
    };
    let mut out = files.clone();
    for (path, bytes) in files {
        let (Some(old), Ok(new)) = (existing.files.get(path), xml::parse(bytes)) else {
            continue;
        };
        let Ok(old) = xml::parse(old) else { continue };
        out.insert(
            path.clone(),
            merge(&key.type_name, old, new).to_document().into_bytes(),
        );
    }
    out
}

/// The identity of a keyed entry of a merged file: a child component's id, or (Profile) the
/// key of a keyed collection entry (`fieldPermissions` by `field`, ...).
fn identity(t: &registry::MetadataType, n: &Node) -> Option<String> {
    if let Some(ct) = t.child_by_element(&n.name) {
        return n.child_text(ct.id_element).map(str::to_owned);
    }
    let c = t
        .collection(&n.name)
        .filter(|c| t.name == "Profile" && !c.key.is_empty())?;
    Some(
        c.key
            .iter()
            .map(|k| n.child_text(k).unwrap_or_default())
            .collect::<Vec<_>>()
            .join("\u{1}"),
    )
}

fn merge(type_name: &str, mut old: Node, new: Node) -> Node {
    let Some(t) = registry::by_name(type_name) else {
        return new;
    };
    let mut replaced: Vec<String> = Vec::new();
    for child in new.children {
        if let Some(id) = identity(t, &child) {
            old.children
                .retain(|c| !(c.name == child.name && identity(t, c).as_ref() == Some(&id)));
            old.children.push(child);
        } else {
            if !replaced.contains(&child.name) {
                old.children.retain(|c| c.name != child.name);
                replaced.push(child.name.clone());
            }
            old.children.push(child);
        }
    }
    // Keep the retrieve order: element name, then entries by their identity.
    old.children.sort_by(|a, b| {
        a.name
            .cmp(&b.name)
            .then_with(|| identity(t, a).cmp(&identity(t, b)))
    });
    old
}

/// Who deploys and when.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: String,
    pub user_name: String,
    pub now: String,
}

fn section(type_name: &str) -> String {
    let mut out = String::new();
    for (i, c) in type_name.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

fn audit(org: &mut Org, actor: &Actor, verb: &str, type_name: &str, full_name: &str) {
    let section = section(type_name);
    let action = format!("{}{}", verb.to_ascii_lowercase(), type_name);
    crate::audit::record(
        org,
        &actor.user_id,
        &action,
        &section,
        &format!("{verb} {section} {full_name} (Metadata API deploy)"),
    );
}

fn delete(org: &mut Org, d: &Deletion, actor: &Actor) {
    if let Some((parent, element, id, child)) = child_location(&d.type_name, &d.full_name) {
        let Some((path, mut root)) = parent_root(org, &parent) else {
            return;
        };
        root.children
            .retain(|c| !(c.name == element && c.child_text(id) == Some(child.as_str())));
        if let Some(comp) = org.metadata.get_mut(&parent) {
            comp.files.insert(path, root.to_document().into_bytes());
            comp.last_modified_by_id = actor.user_id.clone();
            comp.last_modified_by_name = actor.user_name.clone();
            comp.last_modified_date = actor.now.clone();
        }
    } else if org
        .metadata
        .remove(&ComponentKey::new(&d.type_name, &d.full_name))
        .is_none()
    {
        return;
    }
    audit(org, actor, "Deleted", &d.type_name, &d.full_name);
}

/// Applies the deploy: pre deletions, upserts of `keys` (with the ids chosen at plan time),
/// post deletions.
pub fn apply(
    org: &mut Org,
    pkg: &DeployPackage,
    keys: &[ComponentKey],
    ids: &BTreeMap<ComponentKey, String>,
    deletions: &[Deletion],
    actor: &Actor,
) {
    for d in deletions.iter().filter(|d| d.phase == Phase::Pre) {
        delete(org, d, actor);
    }
    for key in keys {
        let Some(pc) = pkg.components.get(key) else {
            continue;
        };
        let files = merged_files(org, key, &pc.files);
        match org.metadata.get_mut(key) {
            Some(comp) => {
                if comp.files == files {
                    continue;
                }
                comp.files = files;
                comp.last_modified_by_id = actor.user_id.clone();
                comp.last_modified_by_name = actor.user_name.clone();
                comp.last_modified_date = actor.now.clone();
                audit(org, actor, "Changed", &key.type_name, &key.full_name);
            }
            None => {
                let id = ids
                    .get(key)
                    .cloned()
                    .unwrap_or_else(|| org.mint_id(crate::load::key_prefix(&key.type_name)));
                org.metadata.insert(
                    key.clone(),
                    Component {
                        id,
                        files,
                        created_by_id: actor.user_id.clone(),
                        created_by_name: actor.user_name.clone(),
                        created_date: actor.now.clone(),
                        last_modified_by_id: actor.user_id.clone(),
                        last_modified_by_name: actor.user_name.clone(),
                        last_modified_date: actor.now.clone(),
                        namespace_prefix: None,
                    },
                );
                audit(org, actor, "Created", &key.type_name, &key.full_name);
            }
        }
    }
    for d in deletions.iter().filter(|d| d.phase == Phase::Post) {
        delete(org, d, actor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_merge_keeps_other_fields() {
        let old = xml::parse(
            b"<CustomObject><fields><fullName>A__c</fullName><label>A</label></fields><fields><fullName>B__c</fullName><label>B</label></fields><label>Old</label></CustomObject>",
        )
        .unwrap();
        let new = xml::parse(
            b"<CustomObject><fields><fullName>B__c</fullName><label>B2</label></fields><fields><fullName>C__c</fullName></fields></CustomObject>",
        )
        .unwrap();
        let merged = merge("CustomObject", old, new);
        let fields: Vec<_> = merged
            .children_named("fields")
            .map(|f| f.child_text("fullName").unwrap().to_owned())
            .collect();
        assert_eq!(fields, ["A__c", "B__c", "C__c"]);
        assert_eq!(
            merged
                .children_named("fields")
                .nth(1)
                .unwrap()
                .child_text("label"),
            Some("B2")
        );
        assert_eq!(merged.child_text("label"), Some("Old"));
    }

    #[test]
    fn profile_merge_is_by_collection_key() {
        let old = xml::parse(
            b"<Profile><fieldPermissions><editable>false</editable><field>A.X__c</field></fieldPermissions><fieldPermissions><editable>false</editable><field>A.Y__c</field></fieldPermissions><custom>true</custom></Profile>",
        )
        .unwrap();
        let new = xml::parse(
            b"<Profile><fieldPermissions><editable>true</editable><field>A.Y__c</field></fieldPermissions></Profile>",
        )
        .unwrap();
        let merged = merge("Profile", old, new);
        let perms: Vec<_> = merged
            .children_named("fieldPermissions")
            .map(|p| {
                (
                    p.child_text("field").unwrap().to_owned(),
                    p.child_text("editable").unwrap().to_owned(),
                )
            })
            .collect();
        assert_eq!(
            perms,
            [
                ("A.X__c".into(), "false".into()),
                ("A.Y__c".into(), "true".into())
            ]
        );
        assert_eq!(merged.child_text("custom"), Some("true"));
    }

    #[test]
    fn child_locations() {
        let (k, el, id, c) = child_location("CustomField", "Account.X__c").unwrap();
        assert_eq!(
            (k, el, id, c.as_str()),
            (
                ComponentKey::new("CustomObject", "Account"),
                "fields",
                "fullName",
                "X__c"
            )
        );
        assert_eq!(
            child_location("CustomLabel", "Greeting").unwrap().0,
            ComponentKey::new("CustomLabels", "CustomLabels")
        );
        assert_eq!(section("ApexClass"), "Apex Class");
    }
}
