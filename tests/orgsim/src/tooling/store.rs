//! `tooling/sobjects/{TraceFlag,DebugLevel,ApexLog}` create/read/update/delete, the log
//! `Body`, and the trace-flag logic that decides whether a run is logged (rest-tooling.md §6).

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::{Rfc2822, Rfc3339};

use super::debug_log::{LEVELS, Levels, rest_time};
use super::{auth, error, with_tooling};
use crate::server::{OrgScope, Sim};

const LOG_TYPES: &[&str] = &["USER_DEBUG", "DEVELOPER_LOG", "CLASS_TRACING", "PROFILING"];
const LEVEL_FIELDS: &[&str] = &[
    "ApexCode",
    "ApexProfiling",
    "Callout",
    "Database",
    "System",
    "Validation",
    "Visualforce",
    "Workflow",
    "Wave",
    "Nba",
    "DataAccess",
];
const TRACE_FIELDS: &[&str] = &[
    "TracedEntityId",
    "LogType",
    "DebugLevelId",
    "StartDate",
    "ExpirationDate",
];
/// Logs kept per org (oldest dropped first).
const MAX_LOGS: usize = 1000;

fn prefix(sobject: &str) -> Option<&'static str> {
    match sobject {
        "TraceFlag" => Some("7tf"),
        "DebugLevel" => Some("7dl"),
        "ApexLog" => Some("07L"),
        _ => None,
    }
}

/// The canonical name of a tooling sObject served from [`super::OrgTooling`].
pub fn canonical(sobject: &str) -> Option<&'static str> {
    ["TraceFlag", "DebugLevel", "ApexLog"]
        .into_iter()
        .find(|s| s.eq_ignore_ascii_case(sobject))
}

/// Parses a date as clients send it: epoch ms, ISO 8601 / `+0000`, or RFC 1123.
pub fn parse_when(v: &Value) -> Option<OffsetDateTime> {
    if let Some(ms) = v.as_i64().or_else(|| v.as_f64().map(|f| f as i64)) {
        return OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000).ok();
    }
    let s = v.as_str()?.trim();
    if let Ok(t) = OffsetDateTime::parse(s, &Rfc3339) {
        return Some(t);
    }
    if let Ok(t) = OffsetDateTime::parse(&s.replace("GMT", "+0000"), &Rfc2822) {
        return Some(t);
    }
    if s.len() > 5 && s.is_ascii() {
        let fixed = format!("{}:{}", &s[..s.len() - 2], &s[s.len() - 2..]);
        if let Ok(t) = OffsetDateTime::parse(&fixed, &Rfc3339) {
            return Some(t);
        }
    }
    if s.len() == 10 && s.is_ascii() {
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        return time::Date::parse(s, &fmt)
            .ok()
            .map(|d| d.midnight().assume_utc());
    }
    None
}

fn bad(code: &str, message: String) -> (StatusCode, &'static str, String) {
    let code: &'static str = match code {
        "INVALID_FIELD" => "INVALID_FIELD",
        "REQUIRED_FIELD_MISSING" => "REQUIRED_FIELD_MISSING",
        "INVALID_CROSS_REFERENCE_KEY" => "INVALID_CROSS_REFERENCE_KEY",
        "DUPLICATE_DEVELOPER_NAME" => "DUPLICATE_DEVELOPER_NAME",
        "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST" => "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
        _ => "FIELD_INTEGRITY_EXCEPTION",
    };
    (StatusCode::BAD_REQUEST, code, message)
}

type Check = Result<(), (StatusCode, &'static str, String)>;

/// Validates and normalizes a TraceFlag/DebugLevel body (merged over `existing` on update).
fn validate(
    t: &super::OrgTooling,
    sobject: &str,
    fields: &mut Map<String, Value>,
    self_id: Option<&str>,
) -> Check {
    let allowed: Vec<&str> = match sobject {
        "TraceFlag" => TRACE_FIELDS.to_vec(),
        _ => LEVEL_FIELDS
            .iter()
            .copied()
            .chain(["DeveloperName", "MasterLabel", "Language"])
            .collect(),
    };
    let mut norm = Map::new();
    for (k, v) in fields.iter() {
        let Some(canon) = allowed.iter().find(|a| a.eq_ignore_ascii_case(k)) else {
            return Err(bad(
                "INVALID_FIELD",
                format!("No such column '{k}' on sobject of type {sobject}"),
            ));
        };
        norm.insert((*canon).to_owned(), v.clone());
    }
    *fields = norm;
    let missing: Vec<&str> = match sobject {
        "TraceFlag" => vec![
            "TracedEntityId",
            "LogType",
            "DebugLevelId",
            "ExpirationDate",
        ],
        _ => vec!["DeveloperName", "MasterLabel"],
    }
    .into_iter()
    .filter(|f| {
        fields
            .get(*f)
            .is_none_or(|v| v.is_null() || v.as_str() == Some(""))
    })
    .collect();
    if !missing.is_empty() {
        return Err(bad(
            "REQUIRED_FIELD_MISSING",
            format!("Required fields are missing: [{}]", missing.join(", ")),
        ));
    }
    if sobject == "DebugLevel" {
        for f in LEVEL_FIELDS {
            let v = fields
                .get(*f)
                .and_then(Value::as_str)
                .map(str::to_ascii_uppercase)
                .unwrap_or_else(|| "INFO".into());
            if !LEVELS.contains(&v.as_str()) {
                return Err(bad(
                    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    format!("{f}: bad value for restricted picklist field: {v}"),
                ));
            }
            fields.insert((*f).to_owned(), json!(v));
        }
        fields.entry("Language").or_insert(json!("en_US"));
        let name = fields
            .get("DeveloperName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        let dup = t.records.get("DebugLevel").is_some_and(|m| {
            m.values().any(|r| {
                r.get("DeveloperName")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(&name))
                    && r.get("Id").and_then(Value::as_str) != self_id
            })
        });
        if dup {
            return Err(bad(
                "DUPLICATE_DEVELOPER_NAME",
                format!(
                    "The DeveloperName field must be unique. Another DebugLevel already uses {name}."
                ),
            ));
        }
        return Ok(());
    }
    let log_type = fields
        .get("LogType")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_ascii_uppercase();
    if !LOG_TYPES.contains(&log_type.as_str()) {
        return Err(bad(
            "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
            format!("Log Type: bad value for restricted picklist field: {log_type}"),
        ));
    }
    fields.insert("LogType".into(), json!(log_type));
    let level_id = fields
        .get("DebugLevelId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    if find(t, "DebugLevel", &level_id).is_none() {
        return Err(bad(
            "INVALID_CROSS_REFERENCE_KEY",
            format!("invalid cross reference id: {level_id}"),
        ));
    }
    let start = match fields.get("StartDate").filter(|v| !v.is_null()) {
        Some(v) => parse_when(v).ok_or_else(|| {
            bad(
                "INVALID_FIELD",
                "Start Date: value not of required type".into(),
            )
        })?,
        None => OffsetDateTime::now_utc(),
    };
    let Some(end) = fields.get("ExpirationDate").and_then(parse_when) else {
        return Err(bad(
            "INVALID_FIELD",
            "Expiration Date: value not of required type".into(),
        ));
    };
    if end <= start {
        return Err(bad(
            "FIELD_INTEGRITY_EXCEPTION",
            "Expiration Date: The end time must be after the start time.".into(),
        ));
    }
    if end - start > time::Duration::hours(24) {
        return Err(bad(
            "FIELD_INTEGRITY_EXCEPTION",
            "Expiration Date: The end time can't be more than 24 hours after the start time."
                .into(),
        ));
    }
    let entity = fields
        .get("TracedEntityId")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let overlapping = t.records.get("TraceFlag").is_some_and(|m| {
        m.values().any(|r| {
            r.get("Id").and_then(Value::as_str) != self_id
                && r.get("TracedEntityId")
                    .and_then(Value::as_str)
                    .is_some_and(|e| crate::sobjects::same_id(e, &entity))
                && r.get("LogType").and_then(Value::as_str) == Some(log_type.as_str())
                && window(r).is_some_and(|(s, e)| s < end && start < e)
        })
    });
    if overlapping {
        return Err(bad(
            "FIELD_INTEGRITY_EXCEPTION",
            "This entity is already being traced.".into(),
        ));
    }
    fields.insert("StartDate".into(), json!(rest_time(start)));
    fields.insert("ExpirationDate".into(), json!(rest_time(end)));
    Ok(())
}

fn window(r: &Map<String, Value>) -> Option<(OffsetDateTime, OffsetDateTime)> {
    Some((
        parse_when(r.get("StartDate")?)?,
        parse_when(r.get("ExpirationDate")?)?,
    ))
}

pub fn find<'a>(
    t: &'a super::OrgTooling,
    sobject: &str,
    id: &str,
) -> Option<&'a Map<String, Value>> {
    t.records.get(sobject)?.values().find(|r| {
        r.get("Id")
            .and_then(Value::as_str)
            .is_some_and(|rid| crate::sobjects::same_id(rid, id))
    })
}

fn stamp_audit(row: &mut Map<String, Value>, user_id: &str, created: bool) {
    let now = json!(rest_time(OffsetDateTime::now_utc()));
    if created {
        row.insert("CreatedDate".into(), now.clone());
        row.insert("CreatedById".into(), json!(user_id));
    }
    row.insert("LastModifiedDate".into(), now.clone());
    row.insert("LastModifiedById".into(), json!(user_id));
    row.insert("SystemModstamp".into(), now);
}

fn attributes(sobject: &str, id: &str) -> Value {
    json!({"type": sobject, "url": format!("/services/data/{}/tooling/sobjects/{sobject}/{id}", crate::sobjects::URL_VERSION)})
}

pub async fn create(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((_version, sobject)): Path<(String, String)>,
    body: String,
) -> Response {
    let session = match auth(&sim, &scope, &headers) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let Some(sobject) = canonical(&sobject).filter(|s| *s != "ApexLog") else {
        return match canonical(&sobject) {
            Some(_) => error(
                StatusCode::BAD_REQUEST,
                "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY",
                "entity type cannot be inserted: Apex Log",
            ),
            None => error(
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "The requested resource does not exist",
            ),
        };
    };
    let mut fields = match serde_json::from_str::<Value>(&body) {
        Ok(Value::Object(m)) => m,
        _ => {
            return error(
                StatusCode::BAD_REQUEST,
                "JSON_PARSER_ERROR",
                "Unexpected character: was expecting a JSON object",
            );
        }
    };
    fields.remove("attributes");
    let checked = with_tooling(&sim, &scope.org_id, |t| {
        validate(t, sobject, &mut fields, None)
    });
    if let Err((status, code, msg)) = checked {
        return error(status, code, &msg);
    }
    let Ok(id) = sim.with_org_mut(&scope.org_id, |o| {
        o.mint_id(prefix(sobject).unwrap_or("000"))
    }) else {
        return crate::auth::invalid_session();
    };
    let mut row = Map::new();
    row.insert("attributes".into(), attributes(sobject, &id));
    row.insert("Id".into(), json!(id));
    row.extend(fields);
    stamp_audit(&mut row, &session.user_id, true);
    with_tooling(&sim, &scope.org_id, |t| {
        t.records
            .entry(sobject.to_owned())
            .or_default()
            .insert(id.clone(), row);
    });
    (
        StatusCode::CREATED,
        Json(json!({"id": id, "success": true, "errors": []})),
    )
        .into_response()
}

pub async fn read(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((_version, sobject, id)): Path<(String, String, String)>,
) -> Response {
    if let Err(e) = auth(&sim, &scope, &headers) {
        return e;
    }
    let row = match canonical(&sobject) {
        Some(s) => with_tooling(&sim, &scope.org_id, |t| find(t, s, &id).cloned()),
        None => sim
            .with_org(&scope.org_id, |o| {
                let name = ["ApexClass", "ApexTrigger"]
                    .into_iter()
                    .find(|n| n.eq_ignore_ascii_case(&sobject))?;
                crate::sobjects::row_by_id(o, name, &id)
            })
            .ok()
            .flatten(),
    };
    match row {
        Some(mut r) => {
            if let Some(Value::Object(a)) = r.get_mut("attributes")
                && let Some(Value::String(u)) = a.get_mut("url")
                && !u.contains("/tooling/")
            {
                *u = u.replacen("/sobjects/", "/tooling/sobjects/", 1);
            }
            Json(Value::Object(r)).into_response()
        }
        None => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        ),
    }
}

pub async fn update(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((_version, sobject, id)): Path<(String, String, String)>,
    body: String,
) -> Response {
    let session = match auth(&sim, &scope, &headers) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let Some(sobject) = canonical(&sobject).filter(|s| *s != "ApexLog") else {
        return error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        );
    };
    let Ok(Value::Object(mut patch)) = serde_json::from_str::<Value>(&body) else {
        return error(
            StatusCode::BAD_REQUEST,
            "JSON_PARSER_ERROR",
            "Unexpected character: was expecting a JSON object",
        );
    };
    patch.remove("attributes");
    let result = with_tooling(&sim, &scope.org_id, |t| {
        let Some(existing) = find(t, sobject, &id).cloned() else {
            return Err((
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "The requested resource does not exist".to_owned(),
            ));
        };
        let allowed: &[&str] = if sobject == "TraceFlag" {
            TRACE_FIELDS
        } else {
            LEVEL_FIELDS
        };
        let mut merged: Map<String, Value> = existing
            .iter()
            .filter(|(k, _)| {
                allowed.contains(&k.as_str())
                    || ["DeveloperName", "MasterLabel", "Language"].contains(&k.as_str())
            })
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        for (k, v) in patch {
            let key = merged
                .keys()
                .find(|e| e.eq_ignore_ascii_case(&k))
                .cloned()
                .unwrap_or(k);
            merged.insert(key, v);
        }
        let rid = existing
            .get("Id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        validate(t, sobject, &mut merged, Some(&rid))?;
        if let Some(row) = t.records.get_mut(sobject).and_then(|m| m.get_mut(&rid)) {
            row.extend(merged);
            stamp_audit(row, &session.user_id, false);
        }
        Ok(())
    });
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err((status, code, msg)) => error(status, code, &msg),
    }
}

pub async fn remove(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((_version, sobject, id)): Path<(String, String, String)>,
) -> Response {
    if let Err(e) = auth(&sim, &scope, &headers) {
        return e;
    }
    let Some(sobject) = canonical(&sobject) else {
        return error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        );
    };
    let result = with_tooling(&sim, &scope.org_id, |t| {
        let Some(rid) = find(t, sobject, &id)
            .and_then(|r| r.get("Id"))
            .and_then(Value::as_str)
            .map(str::to_owned)
        else {
            return Err((
                StatusCode::NOT_FOUND,
                "NOT_FOUND",
                "The requested resource does not exist",
            ));
        };
        if sobject == "DebugLevel"
            && t.records.get("TraceFlag").is_some_and(|m| {
                m.values().any(|r| {
                    r.get("DebugLevelId")
                        .and_then(Value::as_str)
                        .is_some_and(|d| crate::sobjects::same_id(d, &rid))
                })
            })
        {
            return Err((
                StatusCode::BAD_REQUEST,
                "DELETE_FAILED",
                "This debug level is used by a trace flag and can't be deleted.",
            ));
        }
        if let Some(m) = t.records.get_mut(sobject) {
            m.remove(&rid);
        }
        t.log_bodies.remove(&rid);
        Ok(())
    });
    match result {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err((status, code, msg)) => error(status, code, msg),
    }
}

pub async fn log_body(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((_version, id)): Path<(String, String)>,
) -> Response {
    if let Err(e) = auth(&sim, &scope, &headers) {
        return e;
    }
    let body = with_tooling(&sim, &scope.org_id, |t| {
        let rid = find(t, "ApexLog", &id)?.get("Id")?.as_str()?.to_owned();
        t.log_bodies.get(&rid).cloned()
    });
    match body {
        Some(b) => ([(header::CONTENT_TYPE, "text/plain;charset=UTF-8")], b).into_response(),
        None => error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "The requested resource does not exist",
        ),
    }
}

/// The levels of the trace flag that makes `user_id`'s runs logged now, if any.
pub fn active_levels(t: &super::OrgTooling, user_id: &str) -> Option<Levels> {
    let now = OffsetDateTime::now_utc();
    let flag = t.records.get("TraceFlag")?.values().find(|r| {
        r.get("TracedEntityId")
            .and_then(Value::as_str)
            .is_some_and(|e| crate::sobjects::same_id(e, user_id))
            && matches!(
                r.get("LogType").and_then(Value::as_str),
                Some("USER_DEBUG" | "DEVELOPER_LOG")
            )
            && window(r).is_some_and(|(s, e)| s <= now && now < e)
    })?;
    let level_id = flag.get("DebugLevelId")?.as_str()?;
    find(t, "DebugLevel", level_id).map(Levels::from_debug_level)
}

/// Stores an ApexLog row and its body; returns the log id.
pub fn add_log(
    t: &mut super::OrgTooling,
    id: String,
    mut row: Map<String, Value>,
    body: String,
) -> String {
    row.insert("attributes".into(), attributes("ApexLog", &id));
    row.insert("Id".into(), json!(id));
    row.insert("LogLength".into(), json!(body.len()));
    let logs = t.records.entry("ApexLog".into()).or_default();
    logs.insert(id.clone(), row);
    while logs.len() > MAX_LOGS {
        let Some(oldest) = logs.keys().next().cloned() else {
            break;
        };
        logs.remove(&oldest);
        t.log_bodies.remove(&oldest);
    }
    t.log_bodies.insert(id.clone(), body);
    id
}
