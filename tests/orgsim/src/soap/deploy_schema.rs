//! The names a deploy's references may resolve to: objects, fields (with picklist values),
//! record types and Apex classes defined in the org or in the package. Standard objects and
//! standard fields (no custom suffix) are assumed to exist, as orgsim does not model them all.

use std::collections::{BTreeMap, BTreeSet};

use super::package::DeployPackage;
use super::xml::{self, Node};
use crate::model::Org;

/// What the org plus the package define, for reference checks (names lower-cased).
#[derive(Debug, Default)]
pub struct Schema {
    pub(super) objects: BTreeMap<String, ObjectInfo>,
    classes: BTreeSet<String>,
}

#[derive(Debug, Default)]
pub(super) struct ObjectInfo {
    /// field → picklist values (None when not a picklist).
    fields: BTreeMap<String, Option<Vec<String>>>,
    record_types: BTreeSet<String>,
}

impl Schema {
    /// Builds the schema from the org's metadata, then the package's components.
    pub fn build(org: &Org, pkg: &DeployPackage) -> Self {
        let mut s = Schema::default();
        let org_files = org.metadata.iter().map(|(k, c)| (k, &c.files));
        let pkg_files = pkg.components.iter().map(|(k, c)| (k, &c.files));
        for (key, files) in org_files.chain(pkg_files) {
            match key.type_name.as_str() {
                "ApexClass" => {
                    s.classes.insert(key.full_name.to_ascii_lowercase());
                }
                "CustomObject" => {
                    let info = s
                        .objects
                        .entry(key.full_name.to_ascii_lowercase())
                        .or_default();
                    for bytes in files.values() {
                        if let Ok(root) = xml::parse(bytes) {
                            add_object(info, &root);
                        }
                    }
                }
                _ => {}
            }
        }
        s
    }

    pub fn has_object(&self, name: &str) -> bool {
        !is_custom(name) || self.objects.contains_key(&name.to_ascii_lowercase())
    }

    /// Whether `Object.Field` exists (standard fields are assumed to).
    pub fn has_field(&self, object: &str, field: &str) -> bool {
        if !is_custom(field) {
            return true;
        }
        self.objects
            .get(&object.to_ascii_lowercase())
            .is_some_and(|o| o.fields.contains_key(&field.to_ascii_lowercase()))
    }

    pub fn picklist(&self, object: &str, field: &str) -> Option<&Vec<String>> {
        self.objects
            .get(&object.to_ascii_lowercase())?
            .fields
            .get(&field.to_ascii_lowercase())?
            .as_ref()
    }

    pub fn has_record_type(&self, object: &str, rt: &str) -> bool {
        self.objects
            .get(&object.to_ascii_lowercase())
            .is_some_and(|o| o.record_types.contains(&rt.to_ascii_lowercase()))
    }

    pub fn has_class(&self, name: &str) -> bool {
        self.classes.contains(&name.to_ascii_lowercase())
    }
}

fn add_object(info: &mut ObjectInfo, root: &Node) {
    for f in root.children_named("fields") {
        let Some(name) = f.child_text("fullName") else {
            continue;
        };
        let values: Option<Vec<String>> = f
            .child("valueSet")
            .and_then(|vs| vs.child("valueSetDefinition"))
            .map(|d| {
                d.children_named("value")
                    .filter_map(|v| v.child_text("fullName"))
                    .map(str::to_owned)
                    .collect()
            });
        info.fields.insert(name.to_ascii_lowercase(), values);
    }
    for rt in root.children_named("recordTypes") {
        if let Some(name) = rt.child_text("fullName") {
            info.record_types.insert(name.to_ascii_lowercase());
        }
    }
}

pub fn is_custom(name: &str) -> bool {
    let l = name.to_ascii_lowercase();
    ["__c", "__mdt", "__e", "__x", "__b", "__kav"]
        .iter()
        .any(|s| l.ends_with(s))
}
