//! The sObjects the REST and Tooling layers query, as rows of JSON maps.
//!
//! orgsim keeps metadata as mdapi components and data in a small record store; Salesforce
//! exposes both as sObjects (`Organization`, `User`, `ApexClass`, `SetupAuditTrail`, custom
//! objects, ...). [`rows`] derives those rows, each carrying `attributes: {type, url}` and
//! nested relationship maps (`CreatedBy: {attributes, Name}`) that SOQL projection resolves.
//! [`describe`] holds the matching field descriptions.

pub mod describe;

use serde_json::{Map, Value, json};

pub use describe::{FieldDesc, ObjectDesc, describable_objects, describe};

use crate::audit::rest_datetime;
use crate::model::{Component, Org};

/// The sObjects derived from org state rather than from the record store.
pub const DERIVED: &[&str] = &[
    "Organization",
    "User",
    "ApexClass",
    "ApexTrigger",
    "PermissionSet",
    "Profile",
    "SetupAuditTrail",
];

/// Standard data objects every org has, even before it holds any record of them.
pub const STANDARD: &[&str] = &[
    "Account",
    "Contact",
    "Opportunity",
    "Lead",
    "Case",
    "Task",
    "Event",
    "Campaign",
    "Product2",
    "Contract",
    "Order",
];

/// API version written into `attributes.url`; the REST layer rewrites it to the request's.
pub const URL_VERSION: &str = "v65.0";

/// `/services/data/v65.0/sobjects/{type}/{id}`.
pub fn record_url(sobject: &str, id: &str) -> String {
    format!("/services/data/{URL_VERSION}/sobjects/{sobject}/{id}")
}

/// `{"type": sobject, "url": …}`.
pub fn attributes(sobject: &str, id: &str) -> Value {
    json!({"type": sobject, "url": record_url(sobject, id)})
}

/// A relationship value as Salesforce nests it: `{attributes, Name}` for the referenced user.
fn user_ref(id: &str, name: &str) -> Value {
    json!({"attributes": attributes("User", id), "Name": name})
}

/// The parent User of a lookup (`CreatedBy`, `Owner`, ...) with the fields queries reach
/// through it (`CreatedBy.Username`); falls back to `name` for users the org no longer has.
fn user_ref_in(org: &Org, id: &str, name: &str) -> Value {
    match org.user_by_id(id) {
        Some(u) => json!({
            "attributes": attributes("User", id),
            "Id": u.id,
            "Name": u.name,
            "Username": u.username,
            "Email": u.email,
            "IsActive": u.is_active,
        }),
        None => user_ref(id, name),
    }
}

/// The field names a query may name on `sobject`: its describe's fields plus any the stored
/// rows carry (records created through the admin API may hold ad-hoc fields). REST and
/// Tooling queries answer INVALID_FIELD for anything else, as Salesforce does.
pub fn queryable_fields(org: &Org, sobject: &str, rows: &[Map<String, Value>]) -> Vec<String> {
    describe(org, sobject)
        .map(|d| d.fields.into_iter().map(|f| f.name).collect::<Vec<_>>())
        .unwrap_or_default()
        .into_iter()
        .chain(rows.iter().flat_map(|r| r.keys().cloned()))
        .collect()
}

/// The canonical (as-declared) name of `sobject` in this org, matched case-insensitively:
/// a derived type, a type with records, or a CustomObject in the metadata.
pub fn canonical_name(org: &Org, sobject: &str) -> Option<String> {
    if let Some(d) = DERIVED.iter().find(|d| d.eq_ignore_ascii_case(sobject)) {
        return Some((*d).to_owned());
    }
    if let Some(name) = org.records.keys().find(|k| k.eq_ignore_ascii_case(sobject)) {
        return Some(name.clone());
    }
    if let Some(s) = STANDARD.iter().find(|s| s.eq_ignore_ascii_case(sobject)) {
        return Some((*s).to_owned());
    }
    org.metadata
        .keys()
        .find(|k| k.type_name == "CustomObject" && k.full_name.eq_ignore_ascii_case(sobject))
        .map(|k| k.full_name.clone())
}

/// All rows of `sobject` (matched case-insensitively), or `None` when the org has no such type.
pub fn rows(org: &Org, sobject: &str) -> Option<Vec<Map<String, Value>>> {
    let name = canonical_name(org, sobject)?;
    let rows = match name.as_str() {
        "Organization" => vec![organization(org)],
        "User" => org.users.iter().map(|u| user(org, u)).collect(),
        "ApexClass" => code_rows(org, "ApexClass", ".cls"),
        "ApexTrigger" => code_rows(org, "ApexTrigger", ".trigger"),
        "PermissionSet" => permission_sets(org),
        "Profile" => profiles(org),
        "SetupAuditTrail" => audit_rows(org),
        _ => records(org, &name),
    };
    Some(rows.into_iter().map(into_map).collect())
}

/// One row by id (15- or 18-character, as Salesforce accepts both in URLs).
pub fn row_by_id(org: &Org, sobject: &str, id: &str) -> Option<Map<String, Value>> {
    rows(org, sobject)?.into_iter().find(|r| {
        r.get("Id")
            .and_then(Value::as_str)
            .is_some_and(|rid| same_id(rid, id))
    })
}

/// True when two ids denote the same record (18-char forms compare case-insensitively on the
/// suffix; 15-char forms compare on the case-sensitive prefix).
pub fn same_id(a: &str, b: &str) -> bool {
    if !a.is_ascii() || !b.is_ascii() {
        return a == b;
    }
    match (a.len(), b.len()) {
        (18, 18) => a == b || (a[..15] == b[..15] && a[15..].eq_ignore_ascii_case(&b[15..])),
        (18, 15) => a[..15] == *b,
        (15, 18) => b[..15] == *a,
        _ => a == b,
    }
}

fn into_map(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn organization(org: &Org) -> Value {
    json!({
        "attributes": attributes("Organization", &org.id),
        "Id": org.id,
        "Name": org.name,
        "OrganizationType": org.kind.organization_type(),
        "IsSandbox": org.kind.is_sandbox(),
        "InstanceName": org.instance_name,
        "TrialExpirationDate": null,
        "NamespacePrefix": null,
        "LanguageLocaleKey": "en_US",
        "TimeZoneSidKey": "GMT",
        "DefaultLocaleSidKey": "en_US",
        "PrimaryContact": org.users.first().map(|u| u.name.clone()),
    })
}

/// Deterministic Profile id for a profile name: the Profile component's id when the org has
/// one, else an id minted from the name.
pub fn profile_id(org: &Org, profile_name: &str) -> String {
    if let Some(c) = org.metadata.iter().find_map(|(k, c)| {
        (k.type_name == "Profile" && k.full_name.eq_ignore_ascii_case(profile_name)).then_some(c)
    }) {
        return c.id.clone();
    }
    let hash = profile_name
        .bytes()
        .chain(org.id.bytes())
        .fold(7u64, |acc, b| {
            acc.wrapping_mul(131).wrapping_add(u64::from(b))
        });
    crate::ids::make_id("00e", hash % 1_000_000_000)
}

fn user(org: &Org, u: &crate::model::User) -> Value {
    let (first, last) = u.name.split_once(' ').unwrap_or(("", u.name.as_str()));
    let profile_id = profile_id(org, &u.profile_name);
    let alias: String = u
        .username
        .chars()
        .take_while(|c| *c != '@')
        .take(8)
        .collect();
    json!({
        "attributes": attributes("User", &u.id),
        "Id": u.id,
        "Username": u.username,
        "Name": u.name,
        "FirstName": first,
        "LastName": last,
        "Alias": alias,
        "Email": u.email,
        "IsActive": u.is_active,
        "UserType": "Standard",
        "ProfileId": profile_id,
        "Profile": {"attributes": attributes("Profile", &profile_id), "Name": u.profile_name},
        "TimeZoneSidKey": "GMT",
        "LocaleSidKey": "en_US",
        "LanguageLocaleKey": "en_US",
        "EmailEncodingKey": "UTF-8",
    })
}

/// The text of the first `<tag>…</tag>` in `xml`.
pub fn xml_tag<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let open = format!("<{tag}>");
    let close = format!("</{tag}>");
    let start = xml.find(&open)? + open.len();
    let end = xml[start..].find(&close)? + start;
    Some(xml[start..end].trim())
}

/// Length of Apex source without comments and whitespace-only padding, as Salesforce counts.
pub fn length_without_comments(source: &str) -> usize {
    let mut out = 0usize;
    let mut chars = source.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out += 1;
            if c == '\\' {
                if chars.next().is_some() {
                    out += 1;
                }
            } else if c == '\'' {
                in_string = false;
            }
            continue;
        }
        match (c, chars.peek()) {
            ('/', Some('/')) => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        out += 1;
                        break;
                    }
                }
            }
            ('/', Some('*')) => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
            }
            ('\'', _) => {
                in_string = true;
                out += 1;
            }
            _ => out += 1,
        }
    }
    out
}

fn text_file<'a>(c: &'a Component, suffix: &str) -> Option<&'a [u8]> {
    c.files
        .iter()
        .find(|(p, _)| p.ends_with(suffix))
        .map(|(_, b)| b.as_slice())
}

fn audit_fields(c: &Component, row: &mut Map<String, Value>) {
    row.insert("CreatedDate".into(), json!(rest_datetime(&c.created_date)));
    row.insert("CreatedById".into(), json!(c.created_by_id));
    row.insert(
        "CreatedBy".into(),
        user_ref(&c.created_by_id, &c.created_by_name),
    );
    row.insert(
        "LastModifiedDate".into(),
        json!(rest_datetime(&c.last_modified_date)),
    );
    row.insert("LastModifiedById".into(), json!(c.last_modified_by_id));
    row.insert(
        "LastModifiedBy".into(),
        user_ref(&c.last_modified_by_id, &c.last_modified_by_name),
    );
    row.insert(
        "SystemModstamp".into(),
        json!(rest_datetime(&c.last_modified_date)),
    );
}

fn code_rows(org: &Org, type_name: &str, suffix: &str) -> Vec<Value> {
    org.metadata
        .iter()
        .filter(|(k, _)| k.type_name == type_name)
        .map(|(k, c)| {
            let body = text_file(c, suffix)
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let meta = text_file(c, &format!("{suffix}-meta.xml"))
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let api_version: f64 = xml_tag(&meta, "apiVersion")
                .and_then(|v| v.parse().ok())
                .unwrap_or(65.0);
            let status = xml_tag(&meta, "status").unwrap_or("Active").to_owned();
            let mut row = Map::new();
            row.insert("attributes".into(), attributes(type_name, &c.id));
            row.insert("Id".into(), json!(c.id));
            row.insert("Name".into(), json!(k.full_name));
            row.insert("NamespacePrefix".into(), json!(c.namespace_prefix));
            row.insert("ApiVersion".into(), json!(api_version));
            row.insert("Status".into(), json!(status));
            row.insert("IsValid".into(), json!(true));
            row.insert("Body".into(), json!(body));
            row.insert(
                "LengthWithoutComments".into(),
                json!(length_without_comments(&body)),
            );
            if type_name == "ApexTrigger" {
                row.insert("TableEnumOrId".into(), json!(trigger_object(&body)));
                row.insert(
                    "UsageBeforeInsert".into(),
                    json!(body.contains("before insert")),
                );
                row.insert(
                    "UsageAfterInsert".into(),
                    json!(body.contains("after insert")),
                );
            }
            audit_fields(c, &mut row);
            Value::Object(row)
        })
        .collect()
}

/// The sObject of `trigger Name on Object (events)`.
fn trigger_object(body: &str) -> Option<String> {
    let words: Vec<&str> = body.split_whitespace().collect();
    let on = words.iter().position(|w| w.eq_ignore_ascii_case("on"))?;
    let obj = words.get(on + 1)?;
    Some(obj.split('(').next().unwrap_or(obj).to_owned())
}

fn permission_sets(org: &Org) -> Vec<Value> {
    org.metadata
        .iter()
        .filter(|(k, _)| k.type_name == "PermissionSet")
        .map(|(k, c)| {
            let xml = text_file(c, ".permissionset")
                .map(String::from_utf8_lossy)
                .unwrap_or_default();
            let mut row = Map::new();
            row.insert("attributes".into(), attributes("PermissionSet", &c.id));
            row.insert("Id".into(), json!(c.id));
            row.insert("Name".into(), json!(k.full_name));
            row.insert(
                "Label".into(),
                json!(xml_tag(&xml, "label").unwrap_or(&k.full_name)),
            );
            row.insert("Description".into(), json!(xml_tag(&xml, "description")));
            row.insert("NamespacePrefix".into(), json!(c.namespace_prefix));
            row.insert("IsOwnedByProfile".into(), json!(false));
            row.insert("IsCustom".into(), json!(true));
            row.insert("ProfileId".into(), Value::Null);
            audit_fields(c, &mut row);
            Value::Object(row)
        })
        .collect()
}

fn profiles(org: &Org) -> Vec<Value> {
    let mut names: Vec<String> = org
        .metadata
        .keys()
        .filter(|k| k.type_name == "Profile")
        .map(|k| k.full_name.clone())
        .collect();
    for u in &org.users {
        if !names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(&u.profile_name))
        {
            names.push(u.profile_name.clone());
        }
    }
    names
        .into_iter()
        .map(|name| {
            let id = profile_id(org, &name);
            let mut row = Map::new();
            row.insert("attributes".into(), attributes("Profile", &id));
            row.insert("Id".into(), json!(id));
            row.insert("Name".into(), json!(name));
            row.insert("UserType".into(), json!("Standard"));
            if let Some(c) = org
                .metadata
                .iter()
                .find_map(|(k, c)| (k.type_name == "Profile" && k.full_name == name).then_some(c))
            {
                audit_fields(c, &mut row);
            }
            Value::Object(row)
        })
        .collect()
}

fn audit_rows(org: &Org) -> Vec<Value> {
    org.audit_trail
        .iter()
        .map(|e| {
            json!({
                "attributes": attributes("SetupAuditTrail", &e.id),
                "Id": e.id,
                "Action": e.action,
                "Section": e.section,
                "Display": e.display,
                "CreatedDate": rest_datetime(&e.created_date),
                "CreatedById": e.created_by_id,
                "CreatedBy": user_ref_in(org, &e.created_by_id, &e.created_by_name),
                "DelegateUser": e.delegate_user,
                "CreatedByContext": null,
                "CreatedByIssuer": null,
                "ResponsibleNamespacePrefix": null,
            })
        })
        .collect()
}

fn records(org: &Org, sobject: &str) -> Vec<Value> {
    let Some(records) = org.records.get(sobject) else {
        return Vec::new();
    };
    records
        .values()
        .map(|r| {
            let mut row = Map::new();
            row.insert("attributes".into(), attributes(sobject, &r.id));
            row.insert("Id".into(), json!(r.id));
            for (k, v) in &r.fields {
                if k != "Id" && k != "attributes" {
                    row.insert(k.clone(), v.clone());
                }
            }
            let by = |field: &str| {
                r.fields
                    .get(field)
                    .and_then(Value::as_str)
                    .map(str::to_owned)
            };
            for (id_field, rel) in [
                ("CreatedById", "CreatedBy"),
                ("LastModifiedById", "LastModifiedBy"),
                ("OwnerId", "Owner"),
            ] {
                if let Some(uid) = by(id_field) {
                    row.insert(rel.into(), user_ref_in(org, &uid, ""));
                }
            }
            Value::Object(row)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_are_not_counted() {
        assert_eq!(length_without_comments("a // x\nb"), 4);
        assert_eq!(length_without_comments("a/* x */b"), 2);
        assert_eq!(length_without_comments("'//'"), 4);
    }

    #[test]
    fn ids_compare_like_salesforce() {
        let id18 = crate::ids::make_id("001", 5);
        assert!(same_id(&id18, &id18[..15]));
        assert!(same_id(
            &id18,
            &id18
                .to_ascii_lowercase()
                .replacen(&id18.to_ascii_lowercase()[..15], &id18[..15], 1)
        ));
        assert!(!same_id(&id18, &crate::ids::make_id("001", 6)));
        // Ids from URLs may be anything; never slice inside a character.
        assert!(!same_id(&id18, "ééééééééé"));
    }

    #[test]
    fn trigger_target() {
        assert_eq!(
            trigger_object("trigger T on Account (before insert) {}").as_deref(),
            Some("Account")
        );
        assert_eq!(
            trigger_object("trigger T on Foo__c(after update) {}").as_deref(),
            Some("Foo__c")
        );
    }
}
