//! `tooling/query` and its queryMore: the Tooling QueryResult shape (`size`, `totalSize`,
//! `done`, `queryLocator`, `entityTypeName`, `records`, `nextRecordsUrl`).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value, json};

use super::{Cursor, auth, error, store, with_tooling};
use crate::server::{OrgScope, Sim};

const BATCH: usize = 2000;
const MIN_BATCH: usize = 200;
/// Open Tooling cursors kept per simulator.
const MAX_CURSORS: usize = 200;
/// MetadataComponentDependency answers at most this many rows and never pages.
const DEPENDENCY_CAP: usize = 2000;

pub const SCHEMAS: &[(&str, &[&str])] = &[
    (
        "TraceFlag",
        &[
            "Id",
            "TracedEntityId",
            "LogType",
            "DebugLevelId",
            "DebugLevel",
            "StartDate",
            "ExpirationDate",
            "CreatedDate",
            "CreatedById",
            "LastModifiedDate",
            "LastModifiedById",
            "SystemModstamp",
        ],
    ),
    (
        "DebugLevel",
        &[
            "Id",
            "DeveloperName",
            "MasterLabel",
            "Language",
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
            "CreatedDate",
            "CreatedById",
            "LastModifiedDate",
            "LastModifiedById",
            "SystemModstamp",
        ],
    ),
    (
        "ApexLog",
        &[
            "Id",
            "Application",
            "DurationMilliseconds",
            "Location",
            "LogLength",
            "LogUser",
            "LogUserId",
            "Operation",
            "Request",
            "StartTime",
            "Status",
            "SystemModstamp",
            "LastModifiedDate",
        ],
    ),
    (
        "MetadataComponentDependency",
        &[
            "Id",
            "MetadataComponentId",
            "MetadataComponentName",
            "MetadataComponentNamespace",
            "MetadataComponentType",
            "RefMetadataComponentId",
            "RefMetadataComponentName",
            "RefMetadataComponentNamespace",
            "RefMetadataComponentType",
        ],
    ),
    (
        "SourceMember",
        &[
            "Id",
            "MemberIdOrName",
            "MemberType",
            "MemberName",
            "IsNameObsolete",
            "IsNewMember",
            "RevisionCounter",
            "RevisionNum",
            "ChangedBy",
            "LastModifiedDate",
            "CreatedDate",
            "LastModifiedById",
            "CreatedById",
        ],
    ),
];

/// Rows of a Tooling sObject, with its canonical name; `None` when not a Tooling type here.
fn rows(sim: &Sim, org_id: &str, object: &str) -> Option<(String, Vec<Map<String, Value>>)> {
    if let Some(name) = store::canonical(object) {
        let rows = with_tooling(sim, org_id, |t| {
            let levels = t.records.get("DebugLevel").cloned().unwrap_or_default();
            t.records
                .get(name)
                .map(|m| {
                    m.values()
                        .map(|r| {
                            let mut r = r.clone();
                            if let Some(l) = r
                                .get("DebugLevelId")
                                .and_then(Value::as_str)
                                .and_then(|id| levels.get(id))
                            {
                                r.insert("DebugLevel".into(), Value::Object(l.clone()));
                            }
                            r
                        })
                        .collect()
                })
                .unwrap_or_default()
        });
        return Some((name.to_owned(), rows));
    }
    if object.eq_ignore_ascii_case("MetadataComponentDependency") {
        let mut rows = sim.with_org(org_id, crate::dependencies::rows).ok()?;
        rows.truncate(DEPENDENCY_CAP);
        return Some(("MetadataComponentDependency".into(), rows));
    }
    if object.eq_ignore_ascii_case("SourceMember") {
        // Lock order: org (read) then tooling, as everywhere else.
        let rows = sim
            .with_org(org_id, |org| {
                org.kind
                    .is_sandbox()
                    .then(|| with_tooling(sim, org_id, |t| t.source.rows(org)))
            })
            .ok()??;
        return Some(("SourceMember".into(), rows));
    }
    let name = [
        "ApexClass",
        "ApexTrigger",
        "User",
        "Profile",
        "PermissionSet",
    ]
    .into_iter()
    .find(|n| n.eq_ignore_ascii_case(object))?;
    let rows = sim
        .with_org(org_id, |o| crate::sobjects::rows(o, name))
        .ok()??;
    Some((name.to_owned(), rows))
}

/// Rewrites record URLs to `/services/data/vNN.0/tooling/sobjects/...`.
fn tooling_urls(v: &mut Value, version: u32) {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(u)) = m.get_mut("attributes").and_then(|a| a.get_mut("url"))
                && let Some(rest) = u
                    .strip_prefix("/services/data/")
                    .and_then(|r| r.split_once('/'))
                    .map(|(_, r)| r.to_owned())
            {
                let rest = rest.strip_prefix("tooling/").unwrap_or(&rest).to_owned();
                *u = format!("/services/data/v{version}.0/tooling/{rest}");
            }
            m.values_mut().for_each(|c| tooling_urls(c, version));
        }
        Value::Array(a) => a.iter_mut().for_each(|c| tooling_urls(c, version)),
        _ => {}
    }
}

#[allow(clippy::result_large_err)] // the error IS the wire response
/// Runs a Tooling SOQL query: `(entityTypeName, records, count_only)` or the error response.
pub fn run(sim: &Sim, org_id: &str, soql: &str) -> Result<(String, Vec<Value>, bool), Response> {
    let q = crate::soql::parse(soql)
        .map_err(|e| error(StatusCode::BAD_REQUEST, e.error_code(), e.message()))?;
    let Some((entity, rows)) = rows(sim, org_id, &q.object) else {
        let e = crate::soql::SoqlError::invalid_type(&q);
        return Err(error(StatusCode::BAD_REQUEST, e.error_code(), e.message()));
    };
    let known: Vec<String> = match SCHEMAS.iter().find(|(n, _)| *n == entity) {
        Some((_, fields)) => fields.iter().map(|f| (*f).to_owned()).collect(),
        // Objects shared with REST: the same fields a REST query may name.
        None => sim
            .with_org(org_id, |o| {
                crate::sobjects::queryable_fields(o, &entity, &rows)
            })
            .unwrap_or_default(),
    };
    q.validate_fields(&|f| known.iter().any(|k| k.eq_ignore_ascii_case(f)))
        .map_err(|e| error(StatusCode::BAD_REQUEST, e.error_code(), e.message()))?;
    if entity == "MetadataComponentDependency" && (!q.order_by.is_empty() || q.is_count()) {
        let what = if q.is_count() { "COUNT()" } else { "ORDER BY" };
        return Err(error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            &format!("{what} is not supported for MetadataComponentDependency"),
        ));
    }
    let out = crate::soql::execute(&q, &rows)
        .map_err(|e| error(StatusCode::BAD_REQUEST, e.error_code(), e.message()))?;
    Ok((
        entity,
        out.into_iter().map(Value::Object).collect(),
        q.is_count(),
    ))
}

/// `Sforce-Query-Options: batchSize=N` (200–2000), as on REST queries.
fn batch_size(headers: &HeaderMap) -> usize {
    headers
        .get("sforce-query-options")
        .and_then(|h| h.to_str().ok())
        .and_then(|h| {
            h.split([';', ','])
                .filter_map(|part| part.trim().split_once('='))
                .find(|(k, _)| k.trim().eq_ignore_ascii_case("batchSize"))
                .and_then(|(_, v)| v.trim().parse::<usize>().ok())
        })
        .map(|n| n.clamp(MIN_BATCH, BATCH))
        .unwrap_or(BATCH)
}

fn page(sim: &Sim, version: u32, cursor: Cursor, offset: usize, locator: Option<String>) -> Value {
    let total = cursor.records.len();
    let end = (offset + cursor.batch).min(total);
    let mut slice: Vec<Value> = cursor
        .records
        .get(offset..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    slice.iter_mut().for_each(|r| tooling_urls(r, version));
    let mut body = json!({
        "size": total, "totalSize": total, "done": end >= total, "queryLocator": null,
        "entityTypeName": cursor.entity,
    });
    if end < total {
        let locator = locator.unwrap_or_else(|| {
            let mut cursors = sim.inner.tooling.cursors.lock().expect("tooling cursors");
            let (counter, open) = &mut *cursors;
            *counter += 1;
            let id = crate::ids::make_id("01g", 1_000_000_000 + *counter);
            open.insert(id.clone(), cursor);
            // Salesforce expires old cursors; keep the newest MAX_CURSORS.
            while open.len() > MAX_CURSORS {
                let Some(oldest) = open.keys().next().cloned() else {
                    break;
                };
                open.remove(&oldest);
            }
            id
        });
        body["nextRecordsUrl"] = json!(format!(
            "/services/data/v{version}.0/tooling/query/{locator}-{end}"
        ));
    }
    body["records"] = Value::Array(slice);
    body
}

pub async fn query(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Err(e) = auth(&sim, &scope, &headers) {
        return e;
    }
    let v = match crate::rest::parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(soql) = params.get("q").filter(|q| !q.trim().is_empty()) else {
        return error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "A query string has to be specified",
        );
    };
    let (entity, records, count_only) = match run(&sim, &scope.org_id, soql) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if count_only {
        let n = records.len();
        return Json(json!({"size": n, "totalSize": n, "done": true, "queryLocator": null, "entityTypeName": entity, "records": []}))
            .into_response();
    }
    let cursor = Cursor {
        org_id: scope.org_id.clone(),
        entity,
        records: Arc::new(records),
        batch: batch_size(&headers),
    };
    Json(page(&sim, v, cursor, 0, None)).into_response()
}

pub async fn query_more(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((version, locator)): Path<(String, String)>,
) -> Response {
    if let Err(e) = auth(&sim, &scope, &headers) {
        return e;
    }
    let v = match crate::rest::parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let (id, offset) = match crate::rest::parse_query_locator(&locator) {
        Ok(parts) => parts,
        Err(e) => return e,
    };
    let found = {
        let cursors = sim.inner.tooling.cursors.lock().expect("tooling cursors");
        cursors
            .1
            .get(id)
            .filter(|c| c.org_id == scope.org_id && offset <= c.records.len())
            .cloned()
    };
    let Some(cursor) = found else {
        return crate::rest::invalid_query_locator();
    };
    Json(page(&sim, v, cursor, offset, Some(id.to_owned()))).into_response()
}
