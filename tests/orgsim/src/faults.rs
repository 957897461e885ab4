//! Per-org fault injection and the request log.
//!
//! Tests and the demo need an org that misbehaves the way real orgs do: slow answers, 500/503
//! bursts, dropped connections, requests that hang past the client's timeout, sessions that
//! die mid-run, a spent API budget, a deploy that fails on one component and a retrieve that
//! never finishes. The HTTP-level faults are applied by a middleware on instance routes; the
//! deploy/retrieve flags are read by the SOAP layer through [`faults_for`]. Every request (both
//! hosts) is kept in a bounded ring buffer readable through the admin API.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use rand::Rng;
use serde::{Deserialize, Serialize};

use crate::server::{OrgScope, Sim};

/// Entries kept in the request log.
pub const REQUEST_LOG_CAPACITY: usize = 5000;

/// The faults injected into one org. Rates are probabilities in 0.0..=1.0.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Fixed delay added to every instance request.
    pub latency_ms: u64,
    /// Extra random delay, uniformly 0..=jitter_ms.
    pub jitter_ms: u64,
    /// Share of instance requests answered with `error_status`.
    pub error_rate: f64,
    /// 500 (UNKNOWN_EXCEPTION) or 503 (SERVER_UNAVAILABLE).
    pub error_status: u16,
    /// Share of instance requests whose connection is dropped mid-response.
    pub drop_rate: f64,
    /// Share of instance requests that hang for `hang_ms` before being served.
    pub timeout_rate: f64,
    pub hang_ms: u64,
    /// Every request answers REQUEST_LIMIT_EXCEEDED, as when the daily budget is spent.
    pub api_budget_exhausted: bool,
    /// A deploy containing this component (`Type:FullName` or just `FullName`) fails on it.
    pub deploy_fail_component: Option<String>,
    /// checkRetrieveStatus never reports done.
    pub retrieve_never_finishes: bool,
}

impl Default for Faults {
    fn default() -> Self {
        Self {
            latency_ms: 0,
            jitter_ms: 0,
            error_rate: 0.0,
            error_status: 503,
            drop_rate: 0.0,
            timeout_rate: 0.0,
            hang_ms: 120_000,
            api_budget_exhausted: false,
            deploy_fail_component: None,
            retrieve_never_finishes: false,
        }
    }
}

impl Faults {
    /// Rejects values that make no sense (rates outside 0..=1, statuses other than 500/503).
    pub fn validate(&self) -> Result<(), String> {
        for (name, rate) in [
            ("error_rate", self.error_rate),
            ("drop_rate", self.drop_rate),
            ("timeout_rate", self.timeout_rate),
        ] {
            if !(0.0..=1.0).contains(&rate) {
                return Err(format!("{name} must be between 0.0 and 1.0, got {rate}"));
            }
        }
        if !matches!(self.error_status, 500 | 503) {
            return Err(format!(
                "error_status must be 500 or 503, got {}",
                self.error_status
            ));
        }
        Ok(())
    }
}

/// One logged request.
#[derive(Debug, Clone, Serialize)]
pub struct LogEntry {
    pub seq: u64,
    /// Unix milliseconds when the request arrived.
    pub at_ms: u128,
    /// `login` or `instance`.
    pub host: &'static str,
    pub org_id: Option<String>,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub ms: u64,
}

/// Fault and request-log state held in [`crate::server::SimInner`].
#[derive(Default)]
pub struct FaultState {
    faults: RwLock<BTreeMap<String, Faults>>,
    log: Mutex<(u64, VecDeque<LogEntry>)>,
}

/// The faults currently set for `org_id` (defaults when none).
pub fn faults_for(sim: &Sim, org_id: &str) -> Faults {
    let faults = sim.inner.faults.faults.read().expect("faults lock");
    faults.get(org_id).cloned().unwrap_or_default()
}

/// Replaces the faults of `org_id`.
pub fn set_faults(sim: &Sim, org_id: &str, faults: Faults) {
    let mut all = sim.inner.faults.faults.write().expect("faults lock");
    if faults == Faults::default() {
        all.remove(org_id);
    } else {
        all.insert(org_id.to_owned(), faults);
    }
}

/// Invalidates every access and refresh token of `org_id` now. Returns how many went.
pub fn expire_tokens(sim: &Sim, org_id: &str) -> usize {
    let mut sessions = sim.inner.sessions.write().expect("sessions lock");
    let before = sessions.len();
    sessions.retain(|_, s| s.org_id != org_id);
    let removed = before - sessions.len();
    drop(sessions);
    let mut refresh = sim.inner.refresh_tokens.write().expect("refresh lock");
    refresh.retain(|_, r| r.org_id != org_id);
    removed
}

/// The newest `limit` log entries, oldest first, optionally only those of one org.
pub fn request_log(sim: &Sim, org_id: Option<&str>, limit: usize) -> Vec<LogEntry> {
    let log = sim.inner.faults.log.lock().expect("log lock");
    let matching: Vec<&LogEntry> = log
        .1
        .iter()
        .filter(|e| org_id.is_none_or(|o| e.org_id.as_deref() == Some(o)))
        .collect();
    let skip = matching.len().saturating_sub(limit);
    matching.into_iter().skip(skip).cloned().collect()
}

fn push_log(sim: &Sim, mut entry: LogEntry) {
    let mut log = sim.inner.faults.log.lock().expect("log lock");
    log.0 += 1;
    entry.seq = log.0;
    if log.1.len() >= REQUEST_LOG_CAPACITY {
        log.1.pop_front();
    }
    log.1.push_back(entry);
}

async fn log_request(sim: Sim, host: &'static str, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let at_ms = Sim::now_ms();
    let org_id = req.extensions().get::<OrgScope>().map(|s| s.org_id.clone());
    let method = req.method().to_string();
    let path = req.uri().path().to_owned();
    let response = next.run(req).await;
    push_log(
        &sim,
        LogEntry {
            seq: 0,
            at_ms,
            host,
            org_id,
            method,
            path,
            status: response.status().as_u16(),
            ms: started.elapsed().as_millis() as u64,
        },
    );
    response
}

/// Request-log middleware for the login host.
pub async fn log_login(State(sim): State<Sim>, req: Request, next: Next) -> Response {
    log_request(sim, "login", req, next).await
}

/// Request-log middleware for instance hosts.
pub async fn log_instance(State(sim): State<Sim>, req: Request, next: Next) -> Response {
    log_request(sim, "instance", req, next).await
}

/// Fault middleware for instance hosts: latency, hangs, errors and dropped connections.
pub async fn inject(State(sim): State<Sim>, req: Request, next: Next) -> Response {
    let Some(org_id) = req.extensions().get::<OrgScope>().map(|s| s.org_id.clone()) else {
        return next.run(req).await;
    };
    let faults = faults_for(&sim, &org_id);
    let (delay, hang, error, drop_conn) = {
        let mut rng = rand::rng();
        let jitter = if faults.jitter_ms > 0 {
            rng.random_range(0..=faults.jitter_ms)
        } else {
            0
        };
        (
            faults.latency_ms + jitter,
            rng.random_bool(faults.timeout_rate),
            rng.random_bool(faults.error_rate),
            rng.random_bool(faults.drop_rate),
        )
    };
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    if hang {
        tokio::time::sleep(Duration::from_millis(faults.hang_ms)).await;
    }
    let soap = req.uri().path().starts_with("/services/Soap");
    if error {
        return error_response(faults.error_status, soap);
    }
    if drop_conn {
        return dropped_response();
    }
    next.run(req).await
}

/// A real-looking 500/503 for REST (JSON array) or SOAP (fault envelope).
pub fn error_response(status: u16, soap: bool) -> Response {
    let (code, message) = if status == 500 {
        (
            "UNKNOWN_EXCEPTION",
            "An unexpected error occurred. Please include this ErrorId if you contact support: 1483729150-52101 (-1184217360)",
        )
    } else {
        (
            "SERVER_UNAVAILABLE",
            "Server is temporarily unavailable. Please try again later.",
        )
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    if soap {
        return soap_fault(status, code, message);
    }
    crate::rest::api_error(status, code, message)
}

/// A SOAP 1.1 fault with the Salesforce `sf:` fault code (metadata-soap.md fault shape).
pub fn soap_fault(status: StatusCode, code: &str, message: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:sf=\"http://soap.sforce.com/2006/04/metadata\"><soapenv:Body><soapenv:Fault><faultcode>sf:{code}</faultcode><faultstring>{code}: {message}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
    );
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    response
}

/// A response whose body fails right after the headers, so hyper aborts the connection and
/// the client sees it dropped mid-response.
fn dropped_response() -> Response {
    let stream = tokio_util::io::ReaderStream::new(FailingReader);
    let mut response = Response::new(Body::from_stream(stream));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    response
        .headers_mut()
        .insert(header::CONTENT_LENGTH, HeaderValue::from_static("4096"));
    response
}

struct FailingReader;

impl tokio::io::AsyncRead for FailingReader {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
        _buf: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Err(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "orgsim fault: connection dropped",
        )))
    }
}
