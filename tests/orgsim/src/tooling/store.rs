//! `tooling/sobjects/{TraceFlag,DebugLevel,ApexLog}` create/read/update/delete, the log
//! `Body`, and the ApexLog store (rest-tooling.md §6). Field rules are in `trace.rs`.

use axum::Extension;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};
use time::OffsetDateTime;

use super::debug_log::rest_time;
use super::trace::{LEVEL_FIELDS, TRACE_FIELDS, validate};
pub use super::trace::{active_levels, find, parse_when};
use super::{auth, error, with_tooling};
use crate::server::{OrgScope, Sim};

/// Logs kept per org (oldest dropped first).
const MAX_LOGS: usize = 1000;
/// Debug logs an org keeps in total (Salesforce: 1,000 MB); oldest go first.
const MAX_LOG_STORE: usize = 1_000_000_000;

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

fn total_bytes(bodies: &std::collections::BTreeMap<String, String>, incoming: &str) -> usize {
    bodies.values().map(String::len).sum::<usize>() + incoming.len()
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
    while logs.len() > MAX_LOGS
        || (logs.len() > 1 && total_bytes(&t.log_bodies, &body) > MAX_LOG_STORE)
    {
        let Some(oldest) = logs.keys().next().cloned() else {
            break;
        };
        logs.remove(&oldest);
        t.log_bodies.remove(&oldest);
    }
    t.log_bodies.insert(id.clone(), body);
    id
}
