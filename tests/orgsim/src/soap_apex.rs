//! The SOAP Apex API endpoint (`/services/Soap/s/{version}[/{orgId}]`): `executeAnonymous`
//! with `SessionHeader` and `DebuggingHeader`, answering `ExecuteAnonymousResult` and the
//! debug log in the `DebuggingInfo` response header — what `sf apex run` reads
//! (apex.wsdl; rest-tooling.md §5.2). Envelopes are parsed with `crate::soap::envelope`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Router};

use crate::server::{OrgScope, Sim};
use crate::soap::envelope::{SOAPENV_NS, SoapRequest, XSI_NS, escape_text};
use crate::tooling::debug_log::Levels;

pub const APEX_NS: &str = "http://soap.sforce.com/2006/08/apex";

pub fn routes() -> Router<Sim> {
    Router::new()
        .route("/services/Soap/s/{version}", post(handle))
        .route("/services/Soap/s/{version}/{*rest}", post(handle_rest))
}

fn xml(status: StatusCode, body: String) -> Response {
    let mut r = (status, body).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/xml;charset=UTF-8"),
    );
    r
}

/// An Apex API fault (`sf:<CODE>`, HTTP 500).
pub fn fault(code: &str, message: &str) -> Response {
    let (c, m) = (escape_text(code), escape_text(message));
    xml(
        StatusCode::INTERNAL_SERVER_ERROR,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{SOAPENV_NS}\" xmlns:sf=\"{APEX_NS}\"><soapenv:Body><soapenv:Fault><faultcode>sf:{c}</faultcode><faultstring>{c}: {m}</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>"
        ),
    )
}

async fn handle_rest(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    Path((version, _rest)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    execute(&sim, &scope, &version, &body)
}

async fn handle(
    State(sim): State<Sim>,
    Extension(scope): Extension<OrgScope>,
    Path(version): Path<String>,
    body: Bytes,
) -> Response {
    execute(&sim, &scope, &version, &body)
}

fn nil_or(name: &str, v: Option<&str>) -> String {
    match v {
        Some(t) => format!("<{name}>{}</{name}>", escape_text(t)),
        None => format!("<{name} xsi:nil=\"true\"/>"),
    }
}

fn execute(sim: &Sim, scope: &OrgScope, version: &str, body: &[u8]) -> Response {
    let req = match SoapRequest::parse(body) {
        Ok(r) => r,
        Err(f) => return f,
    };
    if req.operation != "executeAnonymous" {
        return fault(
            "INVALID_OPERATION",
            &format!(
                "No operation available for request {{{APEX_NS}}}{}",
                req.operation
            ),
        );
    }
    let Some(session) = req
        .session_id
        .as_deref()
        .and_then(|t| sim.session_for(&scope.org_id, t))
    else {
        return fault(
            "INVALID_SESSION_ID",
            "Invalid Session ID found in SessionHeader: Illegal Session",
        );
    };
    let version = version.trim_end_matches('/');
    let Some(api) = version
        .strip_suffix(".0")
        .and_then(|v| v.parse::<u32>().ok())
    else {
        return fault(
            "UNKNOWN_EXCEPTION",
            &format!("Unsupported API version: {version}"),
        );
    };
    // The WSDL names the argument `String`; clients also send `apexcode`/`anonymousBody`.
    let code = ["String", "apexcode", "anonymousBody"]
        .iter()
        .find_map(|n| req.arg(n))
        .unwrap_or_default();
    let levels = req
        .header
        .as_ref()
        .and_then(|h| h.child("DebuggingHeader"))
        .map(|d| {
            let cats: Vec<(String, String)> = d
                .elements()
                .filter(|e| e.name == "categories")
                .map(|c| {
                    (
                        c.child_text("category").unwrap_or_default(),
                        c.child_text("level").unwrap_or_default(),
                    )
                })
                .collect();
            Levels::from_debugging_header(&d.child_text("debugLevel").unwrap_or_default(), &cats)
        });
    let api_version = format!("{api}.0");
    let Some(r) = crate::tooling::execute::run_anonymous(
        sim,
        &scope.org_id,
        &session.user_id,
        &code,
        &api_version,
        "executeAnonymous",
        levels.as_ref(),
    ) else {
        return fault("UNKNOWN_EXCEPTION", crate::tooling::execute::UNEXPECTED);
    };
    let o = &r.outcome;
    let header = match &r.header_log {
        Some(log) => format!(
            "<soapenv:Header><DebuggingInfo><debugLog>{}</debugLog></DebuggingInfo></soapenv:Header>",
            escape_text(log)
        ),
        None => String::new(),
    };
    let result = format!(
        "<result><column>{}</column>{}<compiled>{}</compiled>{}{}<line>{}</line><success>{}</success></result>",
        o.column,
        nil_or("compileProblem", o.compile_problem.as_deref()),
        o.compiled,
        nil_or("exceptionMessage", o.exception_message.as_deref()),
        nil_or("exceptionStackTrace", o.exception_stack_trace.as_deref()),
        o.line,
        o.success
    );
    xml(
        StatusCode::OK,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"{SOAPENV_NS}\" xmlns=\"{APEX_NS}\" xmlns:xsi=\"{XSI_NS}\">{header}<soapenv:Body><executeAnonymousResponse>{result}</executeAnonymousResponse></soapenv:Body></soapenv:Envelope>"
        ),
    )
}
