//! Tooling describes: `GET tooling/sobjects` (describeGlobal) and
//! `GET tooling/sobjects/{type}/describe` for the Tooling types this org serves — what
//! jsforce's `conn.tooling.describeGlobal()` / `sobject(type).describe()` read.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::debug_log::LEVELS;
use super::query::SCHEMAS;
use super::{auth, error};
use crate::server::{OrgScope, Sim};

/// (name, label, plural, key prefix, createable) of the Tooling-only types.
const TOOLING_TYPES: &[(&str, &str, &str, Option<&str>, bool)] = &[
    (
        "ApexLog",
        "Apex Debug Log",
        "Apex Debug Logs",
        Some("07L"),
        false,
    ),
    (
        "DebugLevel",
        "Debug Level",
        "Debug Levels",
        Some("7dl"),
        true,
    ),
    (
        "MetadataComponentDependency",
        "Metadata Component Dependency",
        "Metadata Component Dependencies",
        None,
        false,
    ),
    (
        "SourceMember",
        "Source Member",
        "Source Members",
        Some("0MZ"),
        false,
    ),
    ("TraceFlag", "Trace Flag", "Trace Flags", Some("7tf"), true),
];
/// Types shared with the REST API, described from `crate::sobjects`.
const SHARED: &[&str] = &[
    "ApexClass",
    "ApexTrigger",
    "PermissionSet",
    "Profile",
    "User",
];

fn field_type(object: &str, name: &str) -> &'static str {
    match name {
        "Id" => "id",
        "LogLength" | "DurationMilliseconds" | "RevisionCounter" | "RevisionNum" => "int",
        n if n.starts_with("Is") => "boolean",
        n if n.ends_with("Date") || n == "StartTime" || n == "SystemModstamp" => "datetime",
        "ChangedBy" => "reference",
        n if n.ends_with("Id") => "reference",
        _ if object == "DebugLevel"
            && !["DeveloperName", "MasterLabel", "Language"].contains(&name) =>
        {
            "picklist"
        }
        "LogType" => "picklist",
        _ => "string",
    }
}

fn urls(v: u32, name: &str) -> Value {
    let base = format!("/services/data/v{v}.0/tooling/sobjects/{name}");
    json!({"sobject": base, "describe": format!("{base}/describe"), "rowTemplate": format!("{base}/{{ID}}")})
}

fn summary(
    v: u32,
    name: &str,
    label: &str,
    plural: &str,
    prefix: Option<&str>,
    writable: bool,
) -> Value {
    json!({
        "name": name, "label": label, "labelPlural": plural, "keyPrefix": prefix, "custom": false,
        "queryable": true, "retrieveable": true, "searchable": false, "createable": writable,
        "updateable": writable, "deletable": writable || name == "ApexLog", "layoutable": false,
        "urls": urls(v, name),
    })
}

fn field_json(object: &str, name: &str) -> Value {
    let ty = field_type(object, name);
    let picklist: Vec<Value> = match (object, ty) {
        ("DebugLevel", "picklist") => LEVELS.iter().map(|l| json!({"active": true, "defaultValue": false, "label": l, "value": l, "validFor": null})).collect(),
        (_, "picklist") => ["USER_DEBUG", "DEVELOPER_LOG", "CLASS_TRACING", "PROFILING"]
            .iter()
            .map(|l| json!({"active": true, "defaultValue": false, "label": l, "value": l, "validFor": null}))
            .collect(),
        _ => Vec::new(),
    };
    let writable = TOOLING_TYPES.iter().any(|t| t.0 == object && t.4)
        && !matches!(ty, "id")
        && !name.starts_with("Created")
        && !name.starts_with("LastModified")
        && name != "SystemModstamp";
    json!({
        "name": name, "label": name, "type": ty, "custom": false, "nillable": ty != "id",
        "createable": writable, "updateable": writable,
        "length": match ty { "string" | "picklist" => 255, "id" | "reference" => 18, _ => 0 },
        "referenceTo": if ty == "reference" { json!([if name == "DebugLevelId" { "DebugLevel" } else { "User" }]) } else { json!([]) },
        "relationshipName": (ty == "reference" && name != "ChangedBy").then(|| name.trim_end_matches("Id").to_owned()),
        "picklistValues": picklist,
    })
}

/// The describe of `sobject` in `org_id`, or `None` when not a Tooling type there.
fn describe(sim: &Sim, org_id: &str, v: u32, sobject: &str) -> Option<Value> {
    if let Some(&(name, label, plural, prefix, writable)) = TOOLING_TYPES
        .iter()
        .find(|t| t.0.eq_ignore_ascii_case(sobject))
    {
        if name == "SourceMember" && !sim.with_org(org_id, |o| o.kind.is_sandbox()).ok()? {
            return None;
        }
        let mut out = summary(v, name, label, plural, prefix, writable);
        let fields = SCHEMAS
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
            .unwrap_or(&[]);
        out["fields"] = Value::Array(
            fields
                .iter()
                .filter(|f| !matches!(**f, "DebugLevel" | "LogUser"))
                .map(|f| field_json(name, f))
                .collect(),
        );
        return Some(out);
    }
    let name = SHARED.iter().find(|n| n.eq_ignore_ascii_case(sobject))?;
    let d = sim
        .with_org(org_id, |o| crate::sobjects::describe(o, name))
        .ok()??;
    let mut out = summary(
        v,
        &d.name,
        &d.label,
        &d.label_plural,
        d.key_prefix.as_deref(),
        false,
    );
    out["fields"] = Value::Array(
        d.fields
            .iter()
            .map(|f| {
                json!({
                    "name": f.name, "label": f.label, "type": f.field_type, "custom": f.custom,
                    "nillable": f.nillable, "createable": false, "updateable": false, "length": f.length,
                    "referenceTo": f.reference_to, "relationshipName": f.relationship_name,
                    "picklistValues": f.picklist_values.iter().map(|p| json!({"active": true, "defaultValue": false, "label": p, "value": p, "validFor": null})).collect::<Vec<_>>(),
                })
            })
            .collect(),
    );
    Some(out)
}

pub async fn global(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path(version): Path<String>,
) -> Response {
    if let Err(e) = auth(&sim, &scope, &headers) {
        return e;
    }
    let v = match crate::rest::parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let names = TOOLING_TYPES
        .iter()
        .map(|t| t.0)
        .chain(SHARED.iter().copied());
    let mut list: Vec<Value> = names
        .filter_map(|n| describe(&sim, &scope.org_id, v, n))
        .map(|mut d| {
            if let Value::Object(m) = &mut d {
                m.remove("fields");
            }
            d
        })
        .collect();
    list.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    Json(json!({"encoding": "UTF-8", "maxBatchSize": 200, "sobjects": list})).into_response()
}

pub async fn object(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((version, sobject)): Path<(String, String)>,
) -> Response {
    if let Err(e) = auth(&sim, &scope, &headers) {
        return e;
    }
    let v = match crate::rest::parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    match describe(&sim, &scope.org_id, v, &sobject) {
        Some(d) => Json(d).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        ),
    }
}
