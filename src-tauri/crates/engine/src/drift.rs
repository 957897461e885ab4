//! Drift: what differs between two sides (snapshots, or a project folder), component by
//! component.
//!
//! The comparison runs on the stored content hashes: two components are equal exactly when
//! their hashes are, so 50k components compare in milliseconds and files are read only for
//! what changed. Parents with child components (CustomObject → CustomField, CustomLabels →
//! CustomLabel, ...) that changed are opened and compared child by child, so dropping one
//! field reads as "CustomField Property__c.Title__c removed", not as a changed object.
//! Ignore rules ([`crate::drift_rules`]) are applied and everything they hide is counted in
//! the report. Each change carries risk flags a reviewer should not miss. This module holds
//! the report's types and entry points; the comparison itself is [`crate::drift_compare`].

use std::collections::HashSet;

use orgfleet_metadata::registry;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::Engine;
use crate::drift_compare::{Mode, compare_loaded};
use crate::drift_rules::Rules;
use crate::drift_side::SideInfo;
use crate::error::Result;

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
    /// One line in plain words, without the name shown beside it everywhere
    /// ("values 'Drones', 'Robotics' added", "classes/A.cls differs").
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
    /// Components whose only difference is the order of entries whose order does not matter
    /// (a full comparison hides them; the first-look summary lists them as changed).
    #[ts(type = "number")]
    pub reordered: i64,
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

impl Engine {
    /// Compares two sides, component by component, applying the workspace's ignore rules.
    pub fn compare(&self, left: DriftSide, right: DriftSide) -> Result<DriftReport> {
        let (left, right) = self.load_sides(&left, &right)?;
        let rules = Rules::new(self.drift_rules()?);
        compare_loaded(self, &left, &right, &rules, Mode::Full)
    }

    /// The same report as [`Engine::compare`] (the same changes, counts, ignored changes and
    /// risk flags), for a first look: every `summary` line is left empty and the
    /// [`RiskFlag::FieldLevelSecurity`] flag is not computed, as both need the content of every
    /// changed component. Files are read only where the list depends on them (the children
    /// of changed parents such as objects, and element ignore rules), so two 50k-component
    /// snapshots compare in tens of milliseconds; call [`Engine::compare`] (or
    /// [`Engine::compare_details`]) next for the rest.
    pub fn compare_summary(&self, left: DriftSide, right: DriftSide) -> Result<DriftReport> {
        let (left, right) = self.load_sides(&left, &right)?;
        let rules = Rules::new(self.drift_rules()?);
        compare_loaded(self, &left, &right, &rules, Mode::Summary)
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
