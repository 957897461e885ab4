//! SetupAuditTrail: the org's record of setup changes. Every change made through the admin
//! API or a deploy appends a row here; the REST layer exposes them as `SetupAuditTrail` rows
//! (rest-tooling.md §9) so drift detection can see who changed what behind our back.

use serde::{Deserialize, Serialize};

use crate::model::Org;

/// One SetupAuditTrail row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuditEntry {
    /// 18-character id (key prefix `0Ym`).
    pub id: String,
    /// Category code, e.g. `changedApexClass`.
    pub action: String,
    /// Setup area, e.g. `Apex Class`.
    pub section: String,
    /// Human text, e.g. `Changed Foo Apex Class code`.
    pub display: String,
    /// RFC 3339 with milliseconds, UTC.
    pub created_date: String,
    pub created_by_id: String,
    pub created_by_name: String,
    /// Login-As user, if any.
    pub delegate_user: Option<String>,
}

/// Appends an audit row for a change made by `user_id` (an id or a username of the org).
pub fn record(org: &mut Org, user_id: &str, action: &str, section: &str, display: &str) {
    let (created_by_id, created_by_name) = match org
        .user_by_id(user_id)
        .or_else(|| org.user_by_username(user_id))
    {
        Some(u) => (u.id.clone(), u.name.clone()),
        None => (user_id.to_owned(), user_id.to_owned()),
    };
    let id = org.mint_id("0Ym");
    org.audit_trail.push(AuditEntry {
        id,
        action: action.to_owned(),
        section: section.to_owned(),
        display: display.to_owned(),
        created_date: now_iso(),
        created_by_id,
        created_by_name,
        delegate_user: None,
    });
}

/// The Setup area Salesforce files a change of this metadata type under.
pub fn section_for(type_name: &str) -> &'static str {
    match type_name {
        "ApexClass" => "Apex Class",
        "ApexTrigger" => "Apex Trigger",
        "ApexPage" | "ApexComponent" => "Visualforce",
        "CustomObject" | "CustomField" | "ValidationRule" | "RecordType" | "ListView" => {
            "Custom Objects"
        }
        "Layout" => "Page Layouts",
        "Profile" | "PermissionSet" | "PermissionSetGroup" => "Manage Users",
        "Flow" | "FlowDefinition" => "Flows",
        "CustomLabels" | "CustomLabel" => "Custom Labels",
        "CustomMetadata" => "Custom Metadata Types",
        _ => "Setup",
    }
}

/// Records a create/change/delete of a component (admin edits, deploys).
pub fn record_component_change(
    org: &mut Org,
    user_id: &str,
    verb: &str,
    type_name: &str,
    full_name: &str,
) {
    let action = format!("{verb}{type_name}");
    let display = format!(
        "{} {} {full_name}",
        capitalize(verb),
        split_words(type_name)
    );
    record(org, user_id, &action, section_for(type_name), &display);
}

fn capitalize(word: &str) -> String {
    let mut chars = word.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `ApexClass` → `Apex Class`.
fn split_words(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The current time as Salesforce writes it in metadata (`2026-11-03T10:15:00.000Z`).
pub fn now_iso() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.millisecond()
    )
}

/// Converts `2026-11-03T10:15:00.000Z` to the REST JSON form `2026-11-03T10:15:00.000+0000`.
pub fn rest_datetime(iso: &str) -> String {
    match iso.strip_suffix('Z') {
        Some(base) => format!("{base}+0000"),
        None => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_forms() {
        let now = now_iso();
        assert_eq!(now.len(), 24);
        assert!(now.ends_with('Z'));
        assert_eq!(
            rest_datetime("2026-11-03T10:15:00.000Z"),
            "2026-11-03T10:15:00.000+0000"
        );
    }

    #[test]
    fn component_change_rows() {
        assert_eq!(split_words("ApexClass"), "Apex Class");
        assert_eq!(capitalize("changed"), "Changed");
        assert_eq!(section_for("ApexTrigger"), "Apex Trigger");
    }
}
