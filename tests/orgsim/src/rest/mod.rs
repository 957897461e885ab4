//! The REST API on org instances (rest-tooling.md §1–§4): versions, the resource map,
//! limits, query/queryMore, global and per-object describe, and record CRUD. Errors are JSON
//! arrays `[{message, errorCode}]`.

// Handlers return ready axum responses as errors (the wire shape), so `Err` is large.
#![allow(clippy::result_large_err)]

mod describe;
mod query;
pub mod records;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json};
use serde_json::{Map, Value, json};

pub use query::CursorStore;

use crate::server::{OrgScope, Sim};

/// Oldest and newest API versions served.
pub const MIN_VERSION: u32 = 31;
pub const MAX_VERSION: u32 = 65;

/// A REST error: HTTP status with the body `[{"message":…,"errorCode":…}]`.
pub fn api_error(status: StatusCode, error_code: &str, message: &str) -> Response {
    (
        status,
        Json(json!([{"message": message, "errorCode": error_code}])),
    )
        .into_response()
}

/// A queryMore locator (`<cursor id>-<offset>`, as `nextRecordsUrl` ends) split in two, or
/// the INVALID_QUERY_LOCATOR answer Salesforce gives a malformed one. REST and Tooling share
/// the format.
pub fn parse_query_locator(locator: &str) -> Result<(&str, usize), Response> {
    locator
        .rsplit_once('-')
        .and_then(|(id, offset)| Some((id, offset.parse::<usize>().ok()?)))
        .ok_or_else(invalid_query_locator)
}

/// 400 INVALID_QUERY_LOCATOR: an unknown, expired or malformed locator.
pub fn invalid_query_locator() -> Response {
    api_error(
        StatusCode::BAD_REQUEST,
        "INVALID_QUERY_LOCATOR",
        "invalid query locator",
    )
}

/// 404 NOT_FOUND with Salesforce's text.
pub fn not_found() -> Response {
    api_error(
        StatusCode::NOT_FOUND,
        "NOT_FOUND",
        "The requested resource does not exist",
    )
}

/// Parses `v63.0` into `63`; versions outside the served range are not found.
pub fn parse_version(segment: &str) -> Result<u32, Response> {
    segment
        .strip_prefix('v')
        .and_then(|v| v.strip_suffix(".0"))
        .and_then(|v| v.parse::<u32>().ok())
        .filter(|v| (MIN_VERSION..=MAX_VERSION).contains(v))
        .ok_or_else(not_found)
}

/// Release label of an API version (v63.0 = Spring '25, v64.0 = Summer '25, v65.0 = Winter '26).
pub fn release_label(version: u32) -> String {
    let offset = i64::from(version) - 63;
    let (q, idx) = (offset.div_euclid(3), offset.rem_euclid(3));
    match idx {
        0 => format!("Spring '{:02}", 25 + q),
        1 => format!("Summer '{:02}", 25 + q),
        _ => format!("Winter '{:02}", 26 + q),
    }
}

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/services/data", get(versions))
        .route("/services/data/", get(versions))
        .route("/services/data/{version}", get(resources))
        .route("/services/data/{version}/", get(resources))
        .route("/services/data/{version}/limits", get(limits))
        .route("/services/data/{version}/limits/", get(limits))
        .route(
            "/services/data/{version}/{*rest}",
            axum::routing::any(unknown_resource),
        )
        .merge(query::routes())
        .merge(describe::routes())
        .merge(records::routes())
}

/// Any other path under a version: 401 without a session, else 404 NOT_FOUND.
async fn unknown_resource(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
) -> Response {
    match crate::auth::bearer_session(&sim, &scope, &headers) {
        Ok(_) => not_found(),
        Err(e) => e,
    }
}

/// REST on the login host: sessions live on instances, so any token is invalid here.
pub fn login_host_routes() -> Router<Sim> {
    Router::new().route(
        "/services/data/{*rest}",
        axum::routing::any(|| async { crate::auth::invalid_session() }),
    )
}

async fn versions() -> Response {
    let list: Vec<Value> = (MIN_VERSION..=MAX_VERSION)
        .map(|v| {
            json!({"label": release_label(v), "url": format!("/services/data/v{v}.0"), "version": format!("{v}.0")})
        })
        .collect();
    Json(list).into_response()
}

async fn resources(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path(version): Path<String>,
) -> Response {
    if let Err(e) = crate::auth::bearer_session(&sim, &scope, &headers) {
        return e;
    }
    let v = match parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let mut map = Map::new();
    for name in [
        "tooling",
        "metadata",
        "eclair",
        "folders",
        "prechatForms",
        "contact-tracing",
        "jsonxform",
        "chatter",
        "tabs",
        "appMenu",
        "quickActions",
        "queryAll",
        "commerce",
        "wave",
        "iot",
        "analytics",
        "search",
        "identity",
        "composite",
        "parameterizedSearch",
        "fingerprint",
        "theme",
        "nouns",
        "event",
        "serviceTemplates",
        "recent",
        "connect",
        "licensing",
        "limits",
        "process",
        "dedupe",
        "async-queries",
        "query",
        "jobs",
        "match",
        "localizedvalue",
        "mobile",
        "emailConnect",
        "consent",
        "tokenizer",
        "compactLayouts",
        "knowledgeManagement",
        "sobjects",
        "actions",
        "support",
    ] {
        let url = if name == "identity" {
            let s = crate::auth::bearer_session(&sim, &scope, &headers).ok();
            s.map(|s| crate::oauth::identity_url(&sim, &s.org_id, &s.user_id))
                .unwrap_or_default()
        } else {
            format!("/services/data/v{v}.0/{name}")
        };
        map.insert(name.to_owned(), Value::String(url));
    }
    Json(Value::Object(map)).into_response()
}

async fn limits(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path(version): Path<String>,
) -> Response {
    if let Err(e) = crate::auth::bearer_session(&sim, &scope, &headers) {
        return e;
    }
    if let Err(e) = parse_version(&version) {
        return e;
    }
    let usage = crate::limits::usage(&sim, &scope.org_id);
    let fixed = |max: u64| json!({"Max": max, "Remaining": max});
    Json(json!({
        "ConcurrentAsyncGetReportInstances": fixed(200),
        "ConcurrentSyncReportRuns": fixed(20),
        "DailyApiRequests": {"Max": usage.max, "Remaining": usage.max.saturating_sub(usage.used)},
        "DailyAsyncApexExecutions": fixed(250_000),
        "DailyBulkApiBatches": fixed(15_000),
        "DailyBulkV2QueryJobs": fixed(10_000),
        "DailyBulkV2QueryFileStorageMB": fixed(976_562),
        "DailyDurableGenericStreamingApiEvents": fixed(10_000),
        "DailyDurableStreamingApiEvents": fixed(10_000),
        "DailyGenericStreamingApiEvents": fixed(10_000),
        "DailyStreamingApiEvents": fixed(10_000),
        "DailyWorkflowEmails": fixed(390),
        "DataStorageMB": fixed(5),
        "FileStorageMB": fixed(20),
        "HourlyAsyncReportRuns": fixed(1200),
        "HourlyDashboardRefreshes": fixed(200),
        "HourlyDashboardResults": fixed(5000),
        "HourlyDashboardStatuses": fixed(999_999_999),
        "HourlyODataCallout": fixed(20_000),
        "HourlySyncReportRuns": fixed(500),
        "HourlyTimeBasedWorkflow": fixed(50),
        "MassEmail": fixed(10),
        "PermissionSets": {"Max": 1500, "Remaining": 1500, "CreateCustom": {"Max": 1000, "Remaining": 1000}},
        "SingleEmail": fixed(15),
        "StreamingApiConcurrentClients": fixed(20),
    }))
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_and_versions() {
        assert_eq!(release_label(63), "Spring '25");
        assert_eq!(release_label(64), "Summer '25");
        assert_eq!(release_label(65), "Winter '26");
        assert_eq!(release_label(59), "Winter '24");
        assert!(parse_version("v63.0").is_ok());
        assert!(parse_version("63.0").is_err());
        assert!(parse_version("v99.0").is_err());
    }
}
