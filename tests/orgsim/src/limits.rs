//! The per-org daily API request budget and the `Sforce-Limit-Info` header.
//!
//! Salesforce counts every API call against a 24-hour allocation, reports the count on every
//! REST response (`Sforce-Limit-Info: api-usage=N/M`, rest-tooling.md §1.2) and answers
//! `REQUEST_LIMIT_EXCEEDED` once it is spent. This module holds the counters, the middleware
//! that enforces them, and [`instance_layers`] / [`login_layers`], which stack every
//! cross-cutting layer (request log, faults, limits) onto the routers in `server.rs`.

use std::collections::BTreeMap;
use std::sync::Mutex;

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::{Next, from_fn_with_state};
use axum::response::Response;

use crate::model::OrgKind;
use crate::server::{OrgScope, Sim};

/// One org's API counter for the current UTC day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Usage {
    pub used: u64,
    pub max: u64,
    /// Days since the Unix epoch the counter belongs to.
    #[serde(skip)]
    pub day: u64,
}

/// API counters of all orgs, held in [`crate::server::SimInner`].
#[derive(Default)]
pub struct LimitState {
    usage: Mutex<BTreeMap<String, Usage>>,
}

/// Daily allocation of a fresh org of this kind (Developer Edition 15,000; others 100,000).
pub fn default_max(kind: OrgKind) -> u64 {
    match kind {
        OrgKind::DeveloperEdition => 15_000,
        OrgKind::Production | OrgKind::Sandbox => 100_000,
    }
}

fn today() -> u64 {
    (Sim::now_ms() / 86_400_000) as u64
}

fn default_for(sim: &Sim, org_id: &str) -> u64 {
    sim.with_org(org_id, |o| default_max(o.kind))
        .unwrap_or(100_000)
}

/// The org's counter now (resets at the start of each UTC day).
pub fn usage(sim: &Sim, org_id: &str) -> Usage {
    let max = default_for(sim, org_id);
    let mut all = sim.inner.limits.usage.lock().expect("limits lock");
    let entry = all.entry(org_id.to_owned()).or_insert(Usage {
        used: 0,
        max,
        day: today(),
    });
    if entry.day != today() {
        entry.used = 0;
        entry.day = today();
    }
    *entry
}

/// Sets the org's allocation and/or current count (admin API, config).
pub fn set_usage(sim: &Sim, org_id: &str, max: Option<u64>, used: Option<u64>) -> Usage {
    let current = usage(sim, org_id);
    let mut all = sim.inner.limits.usage.lock().expect("limits lock");
    let entry = all.entry(org_id.to_owned()).or_insert(current);
    if let Some(max) = max {
        entry.max = max;
    }
    if let Some(used) = used {
        entry.used = used;
    }
    *entry
}

/// Counts one call. `Err` with the usage when the budget is already spent.
fn count_call(sim: &Sim, org_id: &str) -> Result<Usage, Usage> {
    let exhausted = crate::faults::faults_for(sim, org_id).api_budget_exhausted;
    let current = usage(sim, org_id);
    let mut all = sim.inner.limits.usage.lock().expect("limits lock");
    let entry = all.entry(org_id.to_owned()).or_insert(current);
    if exhausted || entry.used >= entry.max {
        return Err(Usage {
            used: entry.used.max(entry.max),
            ..*entry
        });
    }
    entry.used += 1;
    Ok(*entry)
}

/// Middleware: enforces the budget and stamps `Sforce-Limit-Info` on every response.
pub async fn enforce(State(sim): State<Sim>, req: Request, next: Next) -> Response {
    let Some(org_id) = req.extensions().get::<OrgScope>().map(|s| s.org_id.clone()) else {
        return next.run(req).await;
    };
    let soap = req.uri().path().starts_with("/services/Soap");
    let (mut response, usage) = match count_call(&sim, &org_id) {
        Ok(usage) => (next.run(req).await, usage),
        Err(usage) => {
            let message = "TotalRequests Limit exceeded.";
            let response = if soap {
                crate::faults::soap_fault(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "REQUEST_LIMIT_EXCEEDED",
                    message,
                )
            } else {
                crate::rest::api_error(StatusCode::FORBIDDEN, "REQUEST_LIMIT_EXCEEDED", message)
            };
            (response, usage)
        }
    };
    if let Ok(value) = HeaderValue::from_str(&format!("api-usage={}/{}", usage.used, usage.max)) {
        response.headers_mut().insert("sforce-limit-info", value);
    }
    response
}

/// Wraps an org instance router with the request log, fault injection and API limits
/// (outermost first). Called once in `server::instance_routes` after all merges.
pub fn instance_layers(routes: Router<Sim>, sim: &Sim) -> Router<Sim> {
    routes
        .layer(from_fn_with_state(sim.clone(), enforce))
        .layer(from_fn_with_state(sim.clone(), crate::faults::inject))
        .layer(from_fn_with_state(sim.clone(), crate::faults::log_instance))
}

/// Wraps the login-host router with the request log.
pub fn login_layers(routes: Router<Sim>, sim: &Sim) -> Router<Sim> {
    routes.layer(from_fn_with_state(sim.clone(), crate::faults::log_login))
}
