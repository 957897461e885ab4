//! The Tooling API on an org's instance: `tooling/query` (+ queryMore), `tooling/sobjects`
//! for TraceFlag/DebugLevel/ApexLog (and read-only Apex classes/triggers),
//! `ApexLog/{id}/Body` and `tooling/executeAnonymous` (rest-tooling.md §5–§8).
//!
//! State that is not metadata nor data (trace flags, debug levels, logs, query cursors and
//! source tracking) lives in [`ToolingState`], held in [`crate::server::SimInner`] per org.

pub mod debug_log;
pub mod describe;
pub mod execute;
pub mod query;
pub mod source_member;
pub mod store;
pub mod trace;

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::get;
use serde_json::{Map, Value};

use crate::server::{OrgScope, SessionInfo, Sim};

/// Per-org tooling records: sObject type → id → row.
#[derive(Debug, Default, Clone)]
pub struct OrgTooling {
    pub records: BTreeMap<String, BTreeMap<String, Map<String, Value>>>,
    /// ApexLog id → body.
    pub log_bodies: BTreeMap<String, String>,
    pub source: source_member::SourceTracking,
}

/// An open Tooling query result for queryMore.
#[derive(Debug, Clone)]
pub struct Cursor {
    pub org_id: String,
    pub entity: String,
    pub records: std::sync::Arc<Vec<Value>>,
    pub batch: usize,
}

/// Tooling state of every org, keyed by org id.
#[derive(Default)]
pub struct ToolingState {
    pub orgs: Mutex<BTreeMap<String, OrgTooling>>,
    /// Tooling query cursors: locator → (org id, records).
    /// (counter, locator → cursor); locators sort in creation order.
    pub cursors: Mutex<(u64, BTreeMap<String, Cursor>)>,
}

/// Runs `f` with the tooling state of `org_id` (created on first use).
pub fn with_tooling<T>(sim: &Sim, org_id: &str, f: impl FnOnce(&mut OrgTooling) -> T) -> T {
    let mut all = sim.inner.tooling.orgs.lock().expect("tooling lock");
    f(all.entry(org_id.to_owned()).or_default())
}

pub fn routes() -> Router<Sim> {
    let base = "/services/data/{version}/tooling";
    Router::new()
        .route(&format!("{base}/query"), get(query::query))
        .route(&format!("{base}/query/"), get(query::query))
        .route(&format!("{base}/query/{{locator}}"), get(query::query_more))
        .route(
            &format!("{base}/executeAnonymous"),
            get(execute::rest_execute),
        )
        .route(
            &format!("{base}/executeAnonymous/"),
            get(execute::rest_execute),
        )
        .route(&format!("{base}/sobjects"), get(describe::global))
        .route(&format!("{base}/sobjects/"), get(describe::global))
        .route(
            &format!("{base}/sobjects/{{sobject}}/describe"),
            get(describe::object),
        )
        .route(
            &format!("{base}/sobjects/{{sobject}}/describe/"),
            get(describe::object),
        )
        .route(
            &format!("{base}/sobjects/{{sobject}}"),
            axum::routing::post(store::create),
        )
        .route(
            &format!("{base}/sobjects/{{sobject}}/"),
            axum::routing::post(store::create),
        )
        .route(
            &format!("{base}/sobjects/{{sobject}}/{{id}}"),
            get(store::read).patch(store::update).delete(store::remove),
        )
        .route(
            &format!("{base}/sobjects/ApexLog/{{id}}/Body"),
            get(store::log_body),
        )
        .route(
            "/services/data/{version}/sobjects/ApexLog/{id}/Body",
            get(store::log_body),
        )
}

#[allow(clippy::result_large_err)] // the error IS the wire response
/// Authenticates a Tooling request: the session, or the documented 401.
pub fn auth(sim: &Sim, scope: &OrgScope, headers: &HeaderMap) -> Result<SessionInfo, Response> {
    crate::auth::bearer_session(sim, scope, headers)
}

/// `[{message, errorCode}]` with `status`.
pub fn error(status: StatusCode, code: &str, message: &str) -> Response {
    crate::rest::api_error(status, code, message)
}
