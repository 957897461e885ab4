//! `GET /query?q=` and `GET /query/{locator}-{offset}` (queryMore), plus `queryAll`
//! (rest-tooling.md §2). SOQL itself is parsed and evaluated by `crate::soql`; this module
//! supplies the rows, pages the result and keeps the cursors.

// Handlers return ready axum responses as errors (the wire shape), so `Err` is large.
#![allow(clippy::result_large_err)]

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use serde_json::{Map, Value, json};

use super::{api_error, parse_version};
use crate::server::{OrgScope, Sim};

/// Default and bounds of `Sforce-Query-Options: batchSize=N`.
pub const DEFAULT_BATCH: usize = 2000;
const MIN_BATCH: usize = 200;
/// Open cursors kept per simulator (oldest dropped first, as Salesforce expires them).
const MAX_CURSORS: usize = 500;

struct Cursor {
    org_id: String,
    records: Arc<Vec<Value>>,
    batch: usize,
}

/// Open query cursors, held in [`crate::server::SimInner`].
#[derive(Default)]
pub struct CursorStore {
    inner: Mutex<(u64, BTreeMap<String, Cursor>, VecDeque<String>)>,
}

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/services/data/{version}/query", get(query))
        .route("/services/data/{version}/query/", get(query))
        .route("/services/data/{version}/queryAll", get(query))
        .route("/services/data/{version}/queryAll/", get(query))
        .route("/services/data/{version}/query/{locator}", get(query_more))
        .route(
            "/services/data/{version}/queryAll/{locator}",
            get(query_more),
        )
}

/// Rewrites `attributes.url` (at any depth) to the requested API version.
pub fn set_version_pub(value: &mut Value, v: u32) {
    set_version(value, v);
}

fn set_version(value: &mut Value, v: u32) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(url)) =
                map.get_mut("attributes").and_then(|a| a.get_mut("url"))
            {
                let prefix = format!("/services/data/{}/", crate::sobjects::URL_VERSION);
                if let Some(rest) = url.strip_prefix(&prefix) {
                    *url = format!("/services/data/v{v}.0/{rest}");
                }
            }
            map.values_mut().for_each(|child| set_version(child, v));
        }
        Value::Array(items) => items.iter_mut().for_each(|child| set_version(child, v)),
        _ => {}
    }
}

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
        .map(|n| n.clamp(MIN_BATCH, DEFAULT_BATCH))
        .unwrap_or(DEFAULT_BATCH)
}

/// Runs a SOQL query against the org. `Ok((records, count_only))`.
pub fn run_soql(sim: &Sim, org_id: &str, soql: &str) -> Result<(Vec<Value>, bool), Response> {
    let q = crate::soql::parse(soql).map_err(|e| soql_error(&e))?;
    let rows = sim
        .with_org(org_id, |org| crate::sobjects::rows(org, &q.object))
        .map_err(|_| crate::auth::invalid_session())?;
    let Some(rows) = rows else {
        return Err(soql_error(&crate::soql::SoqlError::invalid_type(&q)));
    };
    let known = sim
        .with_org(org_id, |org| {
            crate::sobjects::queryable_fields(org, &q.object, &rows)
        })
        .map_err(|_| crate::auth::invalid_session())?;
    q.validate_fields(&|f| known.iter().any(|k| k.eq_ignore_ascii_case(f)))
        .map_err(|e| soql_error(&e))?;
    let out = crate::soql::execute(&q, &rows).map_err(|e| soql_error(&e))?;
    Ok((out.into_iter().map(Value::Object).collect(), q.is_count()))
}

fn soql_error(e: &crate::soql::SoqlError) -> Response {
    api_error(StatusCode::BAD_REQUEST, e.error_code(), e.message())
}

/// One page of a result starting at `offset`; stores a cursor when more remain.
fn page(
    sim: &Sim,
    org_id: &str,
    v: u32,
    records: Arc<Vec<Value>>,
    batch: usize,
    offset: usize,
    locator: Option<String>,
) -> Value {
    let total = records.len();
    let end = (offset + batch).min(total);
    let mut slice: Vec<Value> = records
        .get(offset..end)
        .map(<[Value]>::to_vec)
        .unwrap_or_default();
    slice.iter_mut().for_each(|r| set_version(r, v));
    let mut body = Map::new();
    body.insert("totalSize".into(), json!(total));
    body.insert("done".into(), json!(end >= total));
    if end < total {
        let locator = locator.unwrap_or_else(|| store(sim, org_id, records.clone(), batch));
        body.insert(
            "nextRecordsUrl".into(),
            json!(format!("/services/data/v{v}.0/query/{locator}-{end}")),
        );
    }
    body.insert("records".into(), Value::Array(slice));
    Value::Object(body)
}

fn store(sim: &Sim, org_id: &str, records: Arc<Vec<Value>>, batch: usize) -> String {
    let mut guard = sim.inner.cursors.inner.lock().expect("cursor lock");
    let (counter, cursors, order) = &mut *guard;
    *counter += 1;
    let locator = crate::ids::make_id("01g", *counter);
    cursors.insert(
        locator.clone(),
        Cursor {
            org_id: org_id.to_owned(),
            records,
            batch,
        },
    );
    order.push_back(locator.clone());
    while order.len() > MAX_CURSORS {
        if let Some(old) = order.pop_front() {
            cursors.remove(&old);
        }
    }
    locator
}

async fn query(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    if let Err(e) = crate::auth::bearer_session(&sim, &scope, &headers) {
        return e;
    }
    let v = match parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(soql) = params.get("q").filter(|q| !q.trim().is_empty()) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            "MALFORMED_QUERY",
            "A query string has to be specified",
        );
    };
    let (records, count_only) = match run_soql(&sim, &scope.org_id, soql) {
        Ok(r) => r,
        Err(e) => return e,
    };
    if count_only {
        return Json(json!({"totalSize": records.len(), "done": true, "records": []}))
            .into_response();
    }
    Json(page(
        &sim,
        &scope.org_id,
        v,
        Arc::new(records),
        batch_size(&headers),
        0,
        None,
    ))
    .into_response()
}

async fn query_more(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path((version, locator)): Path<(String, String)>,
) -> Response {
    if let Err(e) = crate::auth::bearer_session(&sim, &scope, &headers) {
        return e;
    }
    let v = match parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let (id, offset) = match crate::rest::parse_query_locator(&locator) {
        Ok(parts) => parts,
        Err(e) => return e,
    };
    let found = {
        let guard = sim.inner.cursors.inner.lock().expect("cursor lock");
        guard
            .1
            .get(id)
            .filter(|c| c.org_id == scope.org_id && offset <= c.records.len())
            .map(|c| (c.records.clone(), c.batch))
    };
    let Some((records, batch)) = found else {
        return crate::rest::invalid_query_locator();
    };
    Json(page(
        &sim,
        &scope.org_id,
        v,
        records,
        batch,
        offset,
        Some(id.to_owned()),
    ))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_size_header() {
        let mut h = HeaderMap::new();
        assert_eq!(batch_size(&h), 2000);
        h.insert("sforce-query-options", "batchSize=500".parse().unwrap());
        assert_eq!(batch_size(&h), 500);
        h.insert("sforce-query-options", "batchSize=5".parse().unwrap());
        assert_eq!(batch_size(&h), 200);
    }

    #[test]
    fn urls_follow_the_requested_version() {
        let mut v = json!({"attributes": {"url": "/services/data/v65.0/sobjects/User/005"}, "CreatedBy": {"attributes": {"url": "/services/data/v65.0/sobjects/User/006"}}});
        set_version(&mut v, 58);
        assert_eq!(
            v["attributes"]["url"],
            "/services/data/v58.0/sobjects/User/005"
        );
        assert_eq!(
            v["CreatedBy"]["attributes"]["url"],
            "/services/data/v58.0/sobjects/User/006"
        );
    }
}
