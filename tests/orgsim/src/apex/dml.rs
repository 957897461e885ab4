//! The record store as Apex sees it: which names are sObject types, key prefixes, rows for
//! inline SOQL (with User/lookup relationships resolved) and the DML operations.

use std::collections::BTreeMap;

use serde_json::{Map, Value as Json, json};

use super::ast::DmlOp;
use crate::model::{Org, Record};

const STANDARD: &[(&str, &str)] = &[
    ("Account", "001"),
    ("Contact", "003"),
    ("Opportunity", "006"),
    ("Lead", "00Q"),
    ("Case", "500"),
    ("Task", "00T"),
    ("Event", "00U"),
    ("Campaign", "701"),
    ("Product2", "01t"),
    ("Pricebook2", "01s"),
    ("Asset", "02i"),
    ("Contract", "800"),
    ("Order", "801"),
    ("User", "005"),
    ("Profile", "00e"),
    ("PermissionSet", "0PS"),
    ("Organization", "00D"),
    ("ApexClass", "01p"),
    ("ApexTrigger", "01q"),
    ("SetupAuditTrail", "0Ym"),
];

/// Required fields checked on insert, per standard object.
const REQUIRED: &[(&str, &[&str])] = &[
    ("Account", &["Name"]),
    ("Contact", &["LastName"]),
    ("Lead", &["LastName", "Company"]),
    ("Opportunity", &["Name", "StageName", "CloseDate"]),
];

const API_VERSION: &str = "v63.0";

/// The canonical spelling of an sObject type, if `name` is one in this org.
pub fn canonical_sobject(org: &Org, name: &str) -> Option<String> {
    if let Some((n, _)) = STANDARD.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
        return Some((*n).to_owned());
    }
    if let Some(k) = org.records.keys().find(|k| k.eq_ignore_ascii_case(name)) {
        return Some(k.clone());
    }
    if let Some(k) = org
        .metadata
        .keys()
        .find(|k| k.type_name == "CustomObject" && k.full_name.eq_ignore_ascii_case(name))
    {
        return Some(k.full_name.clone());
    }
    let lower = name.to_ascii_lowercase();
    (lower.ends_with("__c") || lower.ends_with("__mdt")).then(|| name.to_owned())
}

/// Custom fields (`Foo__c`, canonical spelling) of a custom object described in the org's
/// metadata; `None` when the object has no CustomObject component.
pub fn custom_fields(org: &Org, object: &str) -> Option<Vec<String>> {
    let (_, c) = org
        .metadata
        .iter()
        .find(|(k, _)| k.type_name == "CustomObject" && k.full_name.eq_ignore_ascii_case(object))?;
    let xml: String = c
        .files
        .values()
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    Some(
        crate::dependencies::blocks(&xml, "fields")
            .into_iter()
            .filter_map(|f| crate::dependencies::first(f, "fullName"))
            .filter(|n| n.to_ascii_lowercase().ends_with("__c"))
            .map(str::to_owned)
            .collect(),
    )
}

/// False only for a `__c` field that the object's metadata does not declare.
pub fn field_exists(org: &Org, object: &str, field: &str) -> bool {
    if !field.to_ascii_lowercase().ends_with("__c") {
        return true;
    }
    custom_fields(org, object).is_none_or(|fs| fs.iter().any(|f| f.eq_ignore_ascii_case(field)))
}

pub fn is_sobject_type(org: &Org, name: &str) -> bool {
    name.eq_ignore_ascii_case("SObject") || canonical_sobject(org, name).is_some()
}

/// Key prefix for records of `sobject`: Salesforce's for standard objects, a stable `a0X`
/// derived from the name for custom ones.
pub fn key_prefix(sobject: &str) -> String {
    if let Some((_, p)) = STANDARD
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(sobject))
    {
        return (*p).to_owned();
    }
    const ALPHA: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let h = sobject
        .to_ascii_lowercase()
        .bytes()
        .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(b as u32));
    format!(
        "a{}{}",
        ALPHA[(h % 10) as usize] as char,
        ALPHA[((h / 10) % 62) as usize] as char
    )
}

fn user_json(org: &Org, id: &str) -> Option<Json> {
    let u = org.user_by_id(id)?;
    Some(json!({
        "attributes": {"type": "User", "url": format!("/services/data/{API_VERSION}/sobjects/User/{}", u.id)},
        "Id": u.id, "Name": u.name, "Username": u.username, "Email": u.email
    }))
}

fn record_json(r: &Record) -> Map<String, Json> {
    let mut m = Map::new();
    m.insert(
        "attributes".into(),
        json!({"type": r.sobject, "url": format!("/services/data/{API_VERSION}/sobjects/{}/{}", r.sobject, r.id)}),
    );
    m.insert("Id".into(), Json::String(r.id.clone()));
    for (k, v) in &r.fields {
        if k != "Id" && k != "attributes" {
            m.insert(k.clone(), v.clone());
        }
    }
    m
}

/// All rows of `sobject` as query rows, with `CreatedBy`/`LastModifiedBy`/`Owner` and
/// lookup (`AccountId` → `Account`, `Foo__c` → `Foo__r`) relationships nested one level.
pub fn rows(org: &Org, sobject: &str) -> Vec<Map<String, Json>> {
    let Some(table) = org
        .records
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(sobject))
        .map(|(_, t)| t)
    else {
        return Vec::new();
    };
    let by_id: BTreeMap<&str, &Record> = org
        .records
        .values()
        .flat_map(|t| t.values())
        .map(|r| (r.id.as_str(), r))
        .collect();
    table
        .values()
        .map(|r| {
            let mut m = record_json(r);
            let mut rels = Vec::new();
            for (k, v) in &m {
                let Some(id) = v.as_str() else { continue };
                let rel = if let Some(base) = k.strip_suffix("__c") {
                    format!("{base}__r")
                } else if let Some(base) = k.strip_suffix("Id").filter(|b| !b.is_empty()) {
                    base.to_owned()
                } else {
                    continue;
                };
                let target = if id.starts_with("005") {
                    user_json(org, id)
                } else {
                    by_id.get(id).map(|r| Json::Object(record_json(r)))
                };
                if let Some(t) = target {
                    rels.push((rel, t));
                }
            }
            for (k, v) in rels {
                m.entry(k).or_insert(v);
            }
            m
        })
        .collect()
}

/// A DML failure: the DmlException message.
pub struct DmlError(pub String);

fn fail(op: DmlOp, row: usize, id: Option<&str>, code: &str, msg: &str) -> DmlError {
    let with_id = id.map(|i| format!(" with id {i}")).unwrap_or_default();
    DmlError(format!(
        "{} failed. First exception on row {row}{with_id}; first error: {code}, {msg}",
        op.name()
    ))
}

fn field_is_set(fields: &Map<String, Json>, name: &str) -> bool {
    fields
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case(name) && !v.is_null() && v.as_str() != Some(""))
}

fn id_of(fields: &Map<String, Json>) -> Option<String> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("Id"))
        .and_then(|(_, v)| v.as_str())
        .map(str::to_owned)
}

fn find_record<'a>(org: &'a Org, id: &str) -> Option<(&'a String, &'a Record)> {
    org.records.iter().find_map(|(t, recs)| {
        recs.get(id)
            .or_else(|| {
                recs.values()
                    .find(|r| id.len() == 15 && r.id.starts_with(id))
            })
            .map(|r| (t, r))
    })
}

/// Applies one DML statement to `items` (sObject type + fields). Validates every row first
/// (all or nothing); returns the ids written, in order.
pub fn apply(
    org: &mut Org,
    user_id: &str,
    op: DmlOp,
    items: &[(String, Map<String, Json>)],
) -> Result<Vec<String>, DmlError> {
    let op = match op {
        DmlOp::Upsert => None,
        other => Some(other),
    };
    let mut plan = Vec::new();
    if let Some((sobject, _)) = items.iter().find(|(s, _)| {
        crate::sobjects::DERIVED
            .iter()
            .any(|d| d.eq_ignore_ascii_case(s))
    }) {
        let shown = op.unwrap_or(DmlOp::Upsert).name();
        return Err(DmlError(format!(
            "DML operation {shown} not allowed on {sobject}"
        )));
    }
    for (i, (sobject, fields)) in items.iter().enumerate() {
        let id = id_of(fields);
        let eff = op.unwrap_or(if id.is_some() {
            DmlOp::Update
        } else {
            DmlOp::Insert
        });
        let shown = op.unwrap_or(DmlOp::Upsert);
        match eff {
            DmlOp::Insert => {
                if id.is_some() {
                    return Err(fail(
                        shown,
                        i,
                        None,
                        "INVALID_FIELD_FOR_INSERT_UPDATE",
                        "cannot specify Id in an insert call: [Id]",
                    ));
                }
                if let Some((_, req)) = REQUIRED
                    .iter()
                    .find(|(n, _)| n.eq_ignore_ascii_case(sobject))
                {
                    let missing: Vec<&str> = req
                        .iter()
                        .copied()
                        .filter(|f| !field_is_set(fields, f))
                        .collect();
                    if !missing.is_empty() {
                        let list = missing.join(", ");
                        return Err(fail(
                            shown,
                            i,
                            None,
                            "REQUIRED_FIELD_MISSING",
                            &format!("Required fields are missing: [{list}]: [{list}]"),
                        ));
                    }
                }
            }
            _ => {
                let Some(id) = id.as_deref() else {
                    return Err(fail(
                        shown,
                        i,
                        None,
                        "MISSING_ARGUMENT",
                        &format!(
                            "Id not specified in an {} call: []",
                            shown.name().to_lowercase()
                        ),
                    ));
                };
                if find_record(org, id).is_none() {
                    return Err(fail(
                        shown,
                        i,
                        Some(id),
                        "ENTITY_IS_DELETED",
                        "entity is deleted: []",
                    ));
                }
            }
        }
        plan.push((eff, sobject.clone(), fields.clone(), id));
    }
    let now = now_rest();
    let mut ids = Vec::new();
    for (eff, sobject, fields, id) in plan {
        let canonical = canonical_sobject(org, &sobject).unwrap_or(sobject);
        let scalar: Map<String, Json> = fields
            .into_iter()
            .filter(|(k, v)| k != "attributes" && !k.eq_ignore_ascii_case("Id") && !v.is_object())
            .collect();
        match eff {
            DmlOp::Insert => {
                let new_id = org.mint_id(&key_prefix(&canonical));
                let mut f = scalar;
                f.insert("Id".into(), Json::String(new_id.clone()));
                for k in ["CreatedDate", "LastModifiedDate", "SystemModstamp"] {
                    f.insert(k.into(), Json::String(now.clone()));
                }
                for k in ["CreatedById", "LastModifiedById", "OwnerId"] {
                    f.entry(k.to_owned())
                        .or_insert_with(|| Json::String(user_id.to_owned()));
                }
                f.insert("IsDeleted".into(), Json::Bool(false));
                let rec = Record {
                    id: new_id.clone(),
                    sobject: canonical.clone(),
                    fields: f,
                };
                org.records
                    .entry(canonical)
                    .or_default()
                    .insert(new_id.clone(), rec);
                ids.push(new_id);
            }
            DmlOp::Delete => {
                let id = id.unwrap_or_default();
                if let Some((t, r)) = find_record(org, &id).map(|(t, r)| (t.clone(), r.id.clone()))
                {
                    if let Some(table) = org.records.get_mut(&t) {
                        table.remove(&r);
                    }
                    ids.push(r);
                }
            }
            _ => {
                let id = id.unwrap_or_default();
                let Some((t, rid)) = find_record(org, &id).map(|(t, r)| (t.clone(), r.id.clone()))
                else {
                    continue;
                };
                if let Some(rec) = org.records.get_mut(&t).and_then(|tb| tb.get_mut(&rid)) {
                    for (k, v) in scalar {
                        let key = rec
                            .fields
                            .keys()
                            .find(|e| e.eq_ignore_ascii_case(&k))
                            .cloned()
                            .unwrap_or(k);
                        rec.fields.insert(key, v);
                    }
                    rec.fields
                        .insert("LastModifiedDate".into(), Json::String(now.clone()));
                    rec.fields
                        .insert("SystemModstamp".into(), Json::String(now.clone()));
                    rec.fields
                        .insert("LastModifiedById".into(), Json::String(user_id.to_owned()));
                }
                ids.push(rid);
            }
        }
    }
    Ok(ids)
}

/// Now as REST JSON writes datetimes: `2020-10-13T05:39:43.000+0000`.
pub fn now_rest() -> String {
    let n = time::OffsetDateTime::now_utc();
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}+0000",
        n.year(),
        u8::from(n.month()),
        n.day(),
        n.hour(),
        n.minute(),
        n.second(),
        n.millisecond()
    )
}
