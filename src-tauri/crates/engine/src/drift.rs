//! Drift: what differs between two sides (snapshots, or a project folder), component by
//! component.
//!
//! The comparison runs on the stored content hashes: two components are equal exactly when
//! their hashes are, so 50k components compare in milliseconds and files are read only for
//! what changed. Parents with child components (CustomObject → CustomField, CustomLabels →
//! CustomLabel, ...) that changed are opened and compared child by child, so dropping one
//! field reads as "CustomField Property__c.Title__c removed", not as a changed object.
//! Ignore rules ([`crate::drift_rules`]) are applied here and everything they hide is counted
//! in the report. Each change carries risk flags a reviewer should not miss.

use std::collections::{BTreeMap, HashSet};

use orgfleet_metadata::children::list_children;
use orgfleet_metadata::label::label_of;
use orgfleet_metadata::registry;
use orgfleet_metadata::xml::{Element, Node};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Engine;
use crate::drift_detail::semantic_summary;
use crate::drift_rules::{Rules, equal_without};
use crate::drift_side::{FileList, Loaded, SideInfo};
use crate::error::Result;
use crate::snapshot_merge::is_metadata_xml;

pub use crate::drift_side::DriftSide;

/// How a component differs from left to right.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ChangeKind {
    /// Only on the right.
    Added,
    /// Only on the left.
    Removed,
    /// On both sides, with different content.
    Changed,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Removed => "removed",
            ChangeKind::Changed => "changed",
        }
    }
}

/// Why a change deserves a careful look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RiskFlag {
    /// Profiles, permission sets (and groups), sharing rules, custom permissions.
    Security,
    /// Field-level security: the fieldPermissions of a profile or permission set differ.
    FieldLevelSecurity,
    /// The component exists only on the left (deploying right would delete it).
    Deletion,
    /// One side is a snapshot of a production org.
    Production,
    /// A managed-package component (namespace prefix in its name).
    Managed,
}

impl RiskFlag {
    pub fn as_str(self) -> &'static str {
        match self {
            RiskFlag::Security => "security",
            RiskFlag::FieldLevelSecurity => "field_level_security",
            RiskFlag::Deletion => "deletion",
            RiskFlag::Production => "production",
            RiskFlag::Managed => "managed",
        }
    }
}

/// One component that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ComponentChange {
    pub type_name: String,
    pub full_name: String,
    pub change: ChangeKind,
    /// The component's label ("Annual Contract Value"), from the right side when it has
    /// one; None for types without labels (classes, profiles, layouts, ...).
    pub label: Option<String>,
    pub risks: Vec<RiskFlag>,
    /// One line in plain words ("2 files differ: classes/A.cls, ...").
    pub summary: String,
}

/// A change an ignore rule hid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct IgnoredChange {
    pub type_name: String,
    pub full_name: String,
    pub change: ChangeKind,
    #[ts(type = "number")]
    pub rule_id: i64,
}

/// Counts for one type. Unchanged children of unchanged parents are counted with the parent.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct TypeCounts {
    pub type_name: String,
    #[ts(type = "number")]
    pub added: i64,
    #[ts(type = "number")]
    pub removed: i64,
    #[ts(type = "number")]
    pub changed: i64,
    #[ts(type = "number")]
    pub unchanged: i64,
    #[ts(type = "number")]
    pub ignored: i64,
}

/// Everything that differs between two sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct DriftReport {
    pub left: SideInfo,
    pub right: SideInfo,
    /// Per type, sorted by type name; only types present on a side.
    pub types: Vec<TypeCounts>,
    /// The changes (ignored ones excluded), sorted by type then name.
    pub changes: Vec<ComponentChange>,
    /// How many changes the ignore rules hid (always shown, so nothing hides silently).
    #[ts(type = "number")]
    pub ignored_count: i64,
    pub ignored: Vec<IgnoredChange>,
    /// The comparison in one plain sentence: "41 differences in 9 types; 3 touch security".
    pub headline: String,
}

impl DriftReport {
    /// True when nothing differs (ignored changes aside).
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The change of one component, if it differs.
    pub fn change(&self, type_name: &str, full_name: &str) -> Option<&ComponentChange> {
        self.changes
            .iter()
            .find(|c| c.type_name == type_name && c.full_name == full_name)
    }
}

const SECURITY_TYPES: &[&str] = &[
    "Profile",
    "PermissionSet",
    "PermissionSetGroup",
    "MutingPermissionSet",
    "SharingRules",
    "SharingCriteriaRule",
    "SharingOwnerRule",
    "SharingGuestRule",
    "SharingTerritoryRule",
    "CustomPermission",
];

/// Whether `type_name` is about who can see or do what.
pub fn is_security_type(type_name: &str) -> bool {
    SECURITY_TYPES.contains(&type_name)
        || registry::parent_of(type_name).is_some_and(|p| p.name == "SharingRules")
}

const CUSTOM_SUFFIXES: &[&str] = &[
    "c", "r", "mdt", "e", "b", "x", "xo", "share", "history", "feed", "chn", "kav", "ka", "pc",
    "pr", "dlm", "dll",
];

/// Whether `full_name` carries a namespace prefix (`ns__Thing__c`, `Account.ns__F__c`,
/// `ns__Class`), or starts with one of `namespaces`.
pub fn is_managed_name(full_name: &str, namespaces: &HashSet<String>) -> bool {
    full_name.split(['.', '-', '/']).any(|segment| {
        let parts: Vec<&str> = segment.split("__").collect();
        match parts.as_slice() {
            [ns, ..] if namespaces.contains(*ns) && parts.len() > 1 => true,
            [ns, _, _, ..] => !ns.is_empty(),
            [ns, rest] => {
                !ns.is_empty()
                    && !rest.is_empty()
                    && !CUSTOM_SUFFIXES.contains(&rest.to_ascii_lowercase().as_str())
            }
            _ => false,
        }
    })
}

/// "41 differences in 9 types; 3 touch security; 2 deletions", or "No differences".
pub fn headline(changes: &[ComponentChange]) -> String {
    if changes.is_empty() {
        return "No differences".into();
    }
    let plural = |n: usize, one: &str| format!("{n} {one}{}", if n == 1 { "" } else { "s" });
    let types: HashSet<&str> = changes.iter().map(|c| c.type_name.as_str()).collect();
    let mut parts = vec![format!(
        "{} in {}",
        plural(changes.len(), "difference"),
        plural(types.len(), "type")
    )];
    let security = changes
        .iter()
        .filter(|c| {
            c.risks
                .iter()
                .any(|r| matches!(r, RiskFlag::Security | RiskFlag::FieldLevelSecurity))
        })
        .count();
    if security > 0 {
        parts.push(format!(
            "{security} touch{} security",
            if security == 1 { "es" } else { "" }
        ));
    }
    let deletions = changes
        .iter()
        .filter(|c| c.change == ChangeKind::Removed)
        .count();
    if deletions > 0 {
        parts.push(plural(deletions, "deletion"));
    }
    parts.join("; ")
}

/// The comparison of one pair of sides, before it becomes a report.
pub(crate) struct Comparison<'a> {
    engine: &'a Engine,
    left: &'a Loaded,
    right: &'a Loaded,
    rules: &'a Rules,
    counts: BTreeMap<String, TypeCounts>,
    changes: Vec<ComponentChange>,
    ignored: Vec<IgnoredChange>,
}

impl Engine {
    /// Compares two sides, component by component, applying the workspace's ignore rules.
    pub fn compare(&self, left: DriftSide, right: DriftSide) -> Result<DriftReport> {
        let left = self.load_side(&left)?;
        let right = self.load_side(&right)?;
        let rules = Rules::new(self.drift_rules()?);
        self.compare_loaded(&left, &right, &rules)
    }

    pub(crate) fn compare_loaded(
        &self,
        left: &Loaded,
        right: &Loaded,
        rules: &Rules,
    ) -> Result<DriftReport> {
        let mut cmp = Comparison {
            engine: self,
            left,
            right,
            rules,
            counts: BTreeMap::new(),
            changes: Vec::new(),
            ignored: Vec::new(),
        };
        let keys: std::collections::BTreeSet<&(String, String)> =
            left.hashes.keys().chain(right.hashes.keys()).collect();
        for key in keys {
            let (type_name, full_name) = key;
            let kind = match (left.hashes.get(key), right.hashes.get(key)) {
                (Some(a), Some(b)) if a == b => {
                    cmp.count(type_name).unchanged += 1;
                    continue;
                }
                (Some(_), Some(_)) => ChangeKind::Changed,
                (Some(_), None) => ChangeKind::Removed,
                (None, Some(_)) => ChangeKind::Added,
                (None, None) => continue,
            };
            cmp.component(type_name, full_name, kind)?;
        }
        let Comparison {
            counts,
            mut changes,
            ignored,
            ..
        } = cmp;
        changes.sort_by(|a, b| (&a.type_name, &a.full_name).cmp(&(&b.type_name, &b.full_name)));
        Ok(DriftReport {
            left: left.info.clone(),
            right: right.info.clone(),
            types: counts.into_values().collect(),
            ignored_count: ignored.len() as i64,
            ignored,
            headline: headline(&changes),
            changes,
        })
    }
}

impl Comparison<'_> {
    fn count(&mut self, type_name: &str) -> &mut TypeCounts {
        self.counts
            .entry(type_name.to_owned())
            .or_insert_with(|| TypeCounts {
                type_name: type_name.to_owned(),
                ..TypeCounts::default()
            })
    }

    fn component(&mut self, type_name: &str, full_name: &str, kind: ChangeKind) -> Result<()> {
        if let Some(rule_id) = self.rules.component_rule(type_name, full_name) {
            self.ignore(type_name, full_name, kind, rule_id);
            return Ok(());
        }
        let has_children = registry::by_name(type_name).is_some_and(|t| !t.children.is_empty());
        let left = self.left.files(self.engine, type_name, full_name)?;
        let right = self.right.files(self.engine, type_name, full_name)?;
        if kind == ChangeKind::Changed && has_children {
            let (Some(l), Some(r)) = (&left, &right) else {
                return Ok(());
            };
            return self.parent_and_children(type_name, full_name, l, r);
        }
        self.record(type_name, full_name, kind, left.as_ref(), right.as_ref());
        Ok(())
    }

    fn ignore(&mut self, type_name: &str, full_name: &str, change: ChangeKind, rule_id: i64) {
        self.count(type_name).ignored += 1;
        self.ignored.push(IgnoredChange {
            type_name: type_name.to_owned(),
            full_name: full_name.to_owned(),
            change,
            rule_id,
        });
    }

    /// Records a change unless an element rule explains all of it.
    fn record(
        &mut self,
        type_name: &str,
        full_name: &str,
        kind: ChangeKind,
        left: Option<&FileList>,
        right: Option<&FileList>,
    ) {
        if kind == ChangeKind::Changed
            && let (Some(l), Some(r)) = (left, right)
        {
            let rules = self.rules.element_rules(type_name);
            if let Some(rule) = rules.first()
                && equal_without(type_name, l, r, &rules)
            {
                let id = rule.id;
                self.ignore(type_name, full_name, kind, id);
                return;
            }
        }
        let counts = self.count(type_name);
        match kind {
            ChangeKind::Added => counts.added += 1,
            ChangeKind::Removed => counts.removed += 1,
            ChangeKind::Changed => counts.changed += 1,
        }
        let risks = self.risks(type_name, full_name, kind, left, right);
        self.changes.push(ComponentChange {
            type_name: type_name.to_owned(),
            full_name: full_name.to_owned(),
            change: kind,
            label: component_label(type_name, right).or_else(|| component_label(type_name, left)),
            risks,
            summary: match (kind, left, right) {
                (ChangeKind::Changed, Some(l), Some(r)) => {
                    semantic_summary(type_name, full_name, l, r)
                        .unwrap_or_else(|| summary(kind, left, right))
                }
                _ => summary(kind, left, right),
            },
        });
    }

    fn risks(
        &self,
        type_name: &str,
        full_name: &str,
        kind: ChangeKind,
        left: Option<&FileList>,
        right: Option<&FileList>,
    ) -> Vec<RiskFlag> {
        let mut risks = Vec::new();
        if is_security_type(type_name) {
            risks.push(RiskFlag::Security);
        }
        if matches!(type_name, "Profile" | "PermissionSet")
            && field_permissions(left) != field_permissions(right)
        {
            risks.push(RiskFlag::FieldLevelSecurity);
        }
        if kind == ChangeKind::Removed {
            risks.push(RiskFlag::Deletion);
        }
        if self.left.info.production || self.right.info.production {
            risks.push(RiskFlag::Production);
        }
        let namespaces: HashSet<String> = self
            .left
            .namespaces
            .union(&self.right.namespaces)
            .cloned()
            .collect();
        if is_managed_name(full_name, &namespaces) {
            risks.push(RiskFlag::Managed);
        }
        risks
    }

    /// A changed parent: its children compared one by one, and the parent itself when what
    /// is left without the children differs.
    fn parent_and_children(
        &mut self,
        type_name: &str,
        full_name: &str,
        left: &FileList,
        right: &FileList,
    ) -> Result<()> {
        let (lk, l_rest) = split_children(type_name, full_name, left);
        let (rk, r_rest) = split_children(type_name, full_name, right);
        let keys: std::collections::BTreeSet<&(String, String)> =
            lk.keys().chain(rk.keys()).collect();
        for key in keys {
            let (child_type, child_name) = key;
            let kind = match (lk.get(key), rk.get(key)) {
                (Some(a), Some(b)) if a == b => {
                    self.count(child_type).unchanged += 1;
                    continue;
                }
                (Some(_), Some(_)) => ChangeKind::Changed,
                (Some(_), None) => ChangeKind::Removed,
                (None, Some(_)) => ChangeKind::Added,
                (None, None) => continue,
            };
            if let Some(rule_id) = self.rules.component_rule(child_type, child_name) {
                self.ignore(child_type, child_name, kind, rule_id);
                continue;
            }
            let as_files = |m: &BTreeMap<(String, String), Vec<u8>>| {
                m.get(key)
                    .map(|b| vec![child_file(child_type, child_name, b)])
            };
            let (l, r) = (as_files(&lk), as_files(&rk));
            self.record(child_type, child_name, kind, l.as_ref(), r.as_ref());
        }
        if l_rest == r_rest {
            self.count(type_name).unchanged += 1;
        } else {
            self.record(
                type_name,
                full_name,
                ChangeKind::Changed,
                Some(left),
                Some(right),
            );
        }
        Ok(())
    }
}

/// A parent's children ((type, name) → the child's element as a document) and the parent's
/// files without them.
pub(crate) fn split_children(
    type_name: &str,
    full_name: &str,
    files: &FileList,
) -> (BTreeMap<(String, String), Vec<u8>>, FileList) {
    let mut children = BTreeMap::new();
    let mut rest = Vec::new();
    let child_elements: HashSet<&str> = registry::by_name(type_name)
        .map(|t| t.children.iter().map(|c| c.xml_element).collect())
        .unwrap_or_default();
    for (path, bytes) in files {
        let listed = is_metadata_xml(type_name, path)
            .then(|| list_children(type_name, full_name, bytes).ok())
            .flatten();
        let parsed =
            listed.and_then(|kids| Element::parse_bytes(bytes, path).ok().map(|r| (kids, r)));
        let Some((kids, mut root)) = parsed else {
            rest.push((path.clone(), bytes.clone()));
            continue;
        };
        for kid in kids {
            children.insert(
                (kid.type_name, kid.full_name),
                kid.element.to_document().into_bytes(),
            );
        }
        root.children
            .retain(|n| !matches!(n, Node::Element(e) if child_elements.contains(e.name.as_str())));
        rest.push((path.clone(), root.to_document().into_bytes()));
    }
    (children, rest)
}

/// A child component as one file (its element as a document), for diffs and ignore rules.
pub(crate) fn child_file(type_name: &str, full_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    (format!("{type_name}/{full_name}.xml"), bytes.to_vec())
}

/// The label of a component, read from its metadata XML. Profiles have none and can be
/// megabytes, so they are not scanned.
fn component_label(type_name: &str, files: Option<&FileList>) -> Option<String> {
    if type_name == "Profile" {
        return None;
    }
    files?
        .iter()
        .filter(|(path, _)| is_metadata_xml(type_name, path))
        .find_map(|(_, bytes)| label_of(bytes))
}

/// The fieldPermissions entries of a profile or permission set, canonical and sorted.
fn field_permissions(files: Option<&FileList>) -> Vec<String> {
    let mut out: Vec<String> = files
        .into_iter()
        .flatten()
        .filter(|(p, _)| !p.ends_with("-meta.xml"))
        .filter_map(|(p, b)| Element::parse_bytes(b, p).ok())
        .flat_map(|root| {
            root.children_named("fieldPermissions")
                .map(Element::canonical)
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out
}

/// A plain-words line: which files were added, removed or differ.
fn summary(kind: ChangeKind, left: Option<&FileList>, right: Option<&FileList>) -> String {
    let count = |f: Option<&FileList>| f.map_or(0, Vec::len);
    match kind {
        ChangeKind::Added => format!("new, {} file(s)", count(right)),
        ChangeKind::Removed => format!("only on the left, {} file(s)", count(left)),
        ChangeKind::Changed => {
            let l: BTreeMap<&str, &Vec<u8>> = left
                .into_iter()
                .flatten()
                .map(|(p, b)| (p.as_str(), b))
                .collect();
            let r: BTreeMap<&str, &Vec<u8>> = right
                .into_iter()
                .flatten()
                .map(|(p, b)| (p.as_str(), b))
                .collect();
            let mut parts = Vec::new();
            for (path, bytes) in &l {
                match r.get(path) {
                    None => parts.push(format!("{path} removed")),
                    Some(other) if other != bytes => parts.push(format!("{path} differs")),
                    Some(_) => {}
                }
            }
            for path in r.keys().filter(|p| !l.contains_key(*p)) {
                parts.push(format!("{path} added"));
            }
            if parts.is_empty() {
                "content differs".into()
            } else {
                parts.join("; ")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn managed_names_are_recognised() {
        let none = HashSet::new();
        assert!(is_managed_name("ns__Thing__c", &none));
        assert!(is_managed_name("Account.ns__Field__c", &none));
        assert!(is_managed_name("ns__Helper", &none));
        assert!(!is_managed_name("Property__c", &none));
        assert!(!is_managed_name("Property__c.Title__c", &none));
        assert!(!is_managed_name("GeocodingService", &none));
        assert!(!is_managed_name("Account__History", &none));
        let installed: HashSet<String> = ["acme".to_owned()].into();
        assert!(is_managed_name("acme__c", &installed));
    }

    #[test]
    fn the_headline_counts_differences_types_security_and_deletions() {
        let change = |type_name: &str, change: ChangeKind, risks: Vec<RiskFlag>| ComponentChange {
            type_name: type_name.into(),
            full_name: "X".into(),
            change,
            label: None,
            risks,
            summary: String::new(),
        };
        assert_eq!(headline(&[]), "No differences");
        assert_eq!(
            headline(&[change("ApexClass", ChangeKind::Added, vec![])]),
            "1 difference in 1 type"
        );
        assert_eq!(
            headline(&[
                change(
                    "Profile",
                    ChangeKind::Changed,
                    vec![RiskFlag::FieldLevelSecurity]
                ),
                change("ApexClass", ChangeKind::Removed, vec![RiskFlag::Deletion]),
                change("ApexClass", ChangeKind::Changed, vec![RiskFlag::Production]),
            ]),
            "3 differences in 2 types; 1 touches security; 1 deletion"
        );
    }

    #[test]
    fn security_types_include_sharing_children() {
        assert!(is_security_type("Profile"));
        assert!(is_security_type("CustomPermission"));
        assert!(is_security_type("SharingCriteriaRule"));
        assert!(!is_security_type("ApexClass"));
    }
}

#[cfg(test)]
#[path = "drift_tests.rs"]
mod drift_tests;
