//! executeAnonymous over REST (`tooling/executeAnonymous?anonymousBody=`) and the shared
//! runner the SOAP Apex API uses too: run the block, then write an ApexLog when a trace flag
//! is active for the running user, and render the log asked for by a DebuggingHeader.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};
use time::OffsetDateTime;

use super::debug_log::{Levels, render, rest_time};
use super::{auth, error, store, with_tooling};
use crate::apex::Outcome;
use crate::server::{OrgScope, Sim};

/// Salesforce's text for an internal failure.
pub const UNEXPECTED: &str = "An unexpected error occurred. Please include this ErrorId if you contact support: 0-0 (orgsim)";

/// Stack of the thread that runs one anonymous block.
const APEX_STACK: usize = 64 * 1024 * 1024;

/// What one run produced.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub outcome: Outcome,
    /// The log rendered with the caller's levels (SOAP DebuggingHeader), if asked for.
    pub header_log: Option<String>,
    /// The ApexLog written because of an active trace flag.
    pub apex_log_id: Option<String>,
}

/// Runs `code` as `user_id` in `org_id`. `api_version` like `63.0`; `operation` is the
/// ApexLog `Operation`.
pub fn run_anonymous(
    sim: &Sim,
    org_id: &str,
    user_id: &str,
    code: &str,
    api_version: &str,
    operation: &str,
    header_levels: Option<&Levels>,
) -> Option<RunResult> {
    let start = OffsetDateTime::now_utc();
    let (outcome, username, user_name) = sim
        .with_org_mut(org_id, |org| {
            // A dedicated thread with a large stack: the interpreter recurses over the
            // (depth-bounded) syntax tree, deeper than a runtime worker's stack allows.
            let outcome = std::thread::scope(|scope| {
                std::thread::Builder::new()
                    .stack_size(APEX_STACK)
                    .spawn_scoped(scope, || crate::apex::execute_anonymous(code, org, user_id))
                    .ok()
                    .and_then(|h| h.join().ok())
            })?;
            let user = org.user_by_id(user_id);
            let username = user.map(|u| u.username.clone()).unwrap_or_default();
            let name = user.map(|u| u.name.clone()).unwrap_or_default();
            Some((outcome, username, name))
        })
        .ok()??;
    let header_log =
        header_levels.map(|l| render(api_version, l, code, (user_id, &username), &outcome, start));
    let traced = with_tooling(sim, org_id, |t| store::active_levels(t, user_id));
    let apex_log_id = match traced {
        Some(levels) if outcome.compiled => {
            let body = render(
                api_version,
                &levels,
                code,
                (user_id, &username),
                &outcome,
                start,
            );
            let id = sim.with_org_mut(org_id, |o| o.mint_id("07L")).ok()?;
            let last = outcome.events.last().map(|e| e.nanos).unwrap_or(0) + 300_000;
            let status = match &outcome.exception_message {
                None => "Success".to_owned(),
                Some(m) => m
                    .split_once(": ")
                    .map(|(_, rest)| rest.to_owned())
                    .unwrap_or_else(|| m.clone()),
            };
            let row = json!({
                "Application": "Unknown",
                "DurationMilliseconds": (last / 1_000_000).max(1),
                "Location": "SystemLog",
                "LogUserId": user_id,
                "LogUser": {"attributes": {"type": "User", "url": format!("/services/data/{}/tooling/sobjects/User/{user_id}", crate::sobjects::URL_VERSION)}, "Name": user_name},
                "Operation": operation,
                "Request": "API",
                "StartTime": rest_time(start),
                "Status": status,
                "SystemModstamp": rest_time(start),
                "LastModifiedDate": rest_time(start),
            });
            let Value::Object(row) = row else { return None };
            Some(with_tooling(sim, org_id, |t| {
                store::add_log(t, id, row, body)
            }))
        }
        _ => None,
    };
    Some(RunResult {
        outcome,
        header_log,
        apex_log_id,
    })
}

/// The seven documented ExecuteAnonymousResult fields as JSON.
pub fn result_json(o: &Outcome) -> Value {
    json!({
        "line": o.line,
        "column": o.column,
        "compiled": o.compiled,
        "success": o.success,
        "compileProblem": o.compile_problem,
        "exceptionStackTrace": o.exception_stack_trace,
        "exceptionMessage": o.exception_message,
    })
}

pub async fn rest_execute(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    headers: HeaderMap,
    Path(version): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let session = match auth(&sim, &scope, &headers) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let v = match crate::rest::parse_version(&version) {
        Ok(v) => v,
        Err(e) => return e,
    };
    let Some(code) = params.get("anonymousBody") else {
        return error(
            StatusCode::BAD_REQUEST,
            "MISSING_ARGUMENT",
            "anonymousBody: required parameter missing",
        );
    };
    let operation = format!("/services/data/v{v}.0/tooling/executeAnonymous/");
    match run_anonymous(
        &sim,
        &scope.org_id,
        &session.user_id,
        code,
        &format!("{v}.0"),
        &operation,
        None,
    ) {
        Some(r) => Json(result_json(&r.outcome)).into_response(),
        None => error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "UNKNOWN_EXCEPTION",
            UNEXPECTED,
        ),
    }
}
