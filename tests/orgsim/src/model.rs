//! The state of one simulated org: identity, users, metadata and records.
//!
//! Metadata is held as top-level components in Metadata API (mdapi) layout: each component
//! owns the files a retrieve would put in the zip (`objects/Account.object`,
//! `classes/Foo.cls` + `classes/Foo.cls-meta.xml`, ...). Child types (CustomField,
//! ValidationRule, CustomLabel, ...) live inside their parent's file, as on Salesforce, and
//! are derived by the Metadata API layer when listed or retrieved.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Org edition as reported by `Organization.OrganizationType` and `IsSandbox`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrgKind {
    Production,
    Sandbox,
    DeveloperEdition,
}

impl OrgKind {
    /// `Organization.OrganizationType`.
    pub fn organization_type(self) -> &'static str {
        match self {
            OrgKind::Production | OrgKind::Sandbox => "Enterprise Edition",
            OrgKind::DeveloperEdition => "Developer Edition",
        }
    }

    pub fn is_sandbox(self) -> bool {
        matches!(self, OrgKind::Sandbox)
    }
}

/// (type, fullName) of a top-level component, e.g. ("CustomObject", "Account").
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ComponentKey {
    pub type_name: String,
    pub full_name: String,
}

impl ComponentKey {
    pub fn new(type_name: impl Into<String>, full_name: impl Into<String>) -> Self {
        Self {
            type_name: type_name.into(),
            full_name: full_name.into(),
        }
    }
}

/// One top-level metadata component and the mdapi files that make it up.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Component {
    /// 18-character id (as in FileProperties.id).
    pub id: String,
    /// Paths relative to the package root (`classes/Foo.cls`) → file content.
    pub files: BTreeMap<String, Vec<u8>>,
    pub created_by_id: String,
    pub created_by_name: String,
    /// RFC 3339 with milliseconds, UTC (`2026-11-03T10:15:00.000Z`).
    pub created_date: String,
    pub last_modified_by_id: String,
    pub last_modified_by_name: String,
    pub last_modified_date: String,
    /// Namespace prefix for managed components, if any.
    pub namespace_prefix: Option<String>,
}

/// A user of the org. `username` is globally unique across all orgs of one orgsim.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct User {
    pub id: String,
    pub username: String,
    pub name: String,
    pub email: String,
    /// Used by the simulated login page; never returned by any API.
    pub password: String,
    pub profile_name: String,
    pub is_active: bool,
}

/// One record of the small record store (custom objects scripts use, Account, ...).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Record {
    pub id: String,
    pub sobject: String,
    pub fields: serde_json::Map<String, serde_json::Value>,
}

/// One simulated org.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Org {
    /// 18-character organization id (00D...).
    pub id: String,
    /// Short name used by the admin API and config (`prod`, `uat`).
    pub alias: String,
    pub name: String,
    pub kind: OrgKind,
    /// e.g. "CS42" / "NA139"; shown by Organization.InstanceName.
    pub instance_name: String,
    /// Set when the instance listener is bound: `http://127.0.0.1:PORT`.
    pub instance_url: String,
    pub users: Vec<User>,
    pub metadata: BTreeMap<ComponentKey, Component>,
    /// sobject name → id → record.
    pub records: BTreeMap<String, BTreeMap<String, Record>>,
    /// Monotonic counter for ids minted inside this org.
    pub next_id: u64,
    /// SetupAuditTrail rows, oldest first (see `audit`).
    #[serde(default)]
    pub audit_trail: Vec<crate::audit::AuditEntry>,
}

impl Org {
    pub fn user_by_username(&self, username: &str) -> Option<&User> {
        self.users
            .iter()
            .find(|u| u.username.eq_ignore_ascii_case(username))
    }

    pub fn user_by_id(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    /// Mints a fresh 18-character id with the given key prefix, unique within this org.
    pub fn mint_id(&mut self, prefix: &str) -> String {
        self.next_id += 1;
        // Mix the org id in so ids from different orgs differ, deterministically.
        let org_salt = self
            .id
            .bytes()
            .fold(0u64, |acc, b| acc.wrapping_mul(31).wrapping_add(b as u64));
        crate::ids::make_id(prefix, (org_salt % 1_000_000) * 1_000_000 + self.next_id)
    }
}
