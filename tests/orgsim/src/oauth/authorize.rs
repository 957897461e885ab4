//! `/services/oauth2/authorize`: the web-server flow with PKCE (oauth.md §2.2). GET shows
//! the login + consent page (or, with auto-approve, redirects at once); POST checks the
//! credentials and redirects to `redirect_uri` with `code` and `state`, or with `error`.

// Handlers return ready axum responses as errors (the wire shape), so `Err` is large.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};

use super::token::form_params;
use super::{
    AuthCode, CODE_LIFETIME_MS, ConnectedApp, app, find_user, granted_scope, random_token,
};
use crate::login_page;
use crate::server::Sim;

/// Parameters carried from the GET to the form POST.
const CARRIED: &[&str] = &[
    "response_type",
    "client_id",
    "redirect_uri",
    "state",
    "scope",
    "code_challenge",
    "code_challenge_method",
    "prompt",
    "display",
    "nonce",
];

const BAD_LOGIN: &str = "Please check your username and password. If you still can't log in, \
                         contact your Salesforce administrator.";

fn html(status: StatusCode, body: String) -> Response {
    (status, Html(body)).into_response()
}

/// Appends `params` to `redirect_uri`'s query and answers 302.
fn redirect(redirect_uri: &str, params: &[(&str, &str)]) -> Response {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (k, v) in params {
        query.append_pair(k, v);
    }
    let sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let location = format!("{redirect_uri}{sep}{}", query.finish());
    match HeaderValue::from_str(&location) {
        Ok(value) => {
            let mut response = StatusCode::FOUND.into_response();
            response.headers_mut().insert(header::LOCATION, value);
            response
        }
        Err(_) => html(
            StatusCode::BAD_REQUEST,
            login_page::error_page("redirect_uri_mismatch", "invalid redirect_uri"),
        ),
    }
}

fn redirect_error(p: &HashMap<String, String>, error: &str, description: &str) -> Response {
    let uri = p.get("redirect_uri").map(String::as_str).unwrap_or("");
    let mut params = vec![("error", error), ("error_description", description)];
    if let Some(state) = p.get("state") {
        params.push(("state", state.as_str()));
    }
    redirect(uri, &params)
}

/// Checks what must be right before anything may be redirected; then the redirectable errors.
fn validate(sim: &Sim, p: &HashMap<String, String>) -> Result<ConnectedApp, Response> {
    let client_id = p.get("client_id").map(String::as_str).unwrap_or("");
    let Some(app) = app(sim, client_id) else {
        return Err(html(
            StatusCode::BAD_REQUEST,
            login_page::error_page("invalid_client_id", "client identifier invalid"),
        ));
    };
    let redirect_uri = p.get("redirect_uri").map(String::as_str).unwrap_or("");
    if !app.allows_callback(redirect_uri) {
        return Err(html(
            StatusCode::BAD_REQUEST,
            login_page::error_page(
                "redirect_uri_mismatch",
                "redirect_uri must match configuration",
            ),
        ));
    }
    if p.get("response_type").map(String::as_str) != Some("code") {
        return Err(redirect_error(
            p,
            "unsupported_response_type",
            "response type not supported",
        ));
    }
    if let Some(method) = p.get("code_challenge_method")
        && method != "S256"
    {
        return Err(redirect_error(
            p,
            "invalid_request",
            "unsupported code_challenge_method",
        ));
    }
    Ok(app)
}

/// Mints a code for the user and redirects to the client.
fn approve(sim: &Sim, p: &HashMap<String, String>, org_id: String, user_id: String) -> Response {
    let code = format!("aPrx{}==", random_token(72).replace(['.', '_'], "x"));
    let pending = AuthCode {
        org_id,
        user_id,
        client_id: p.get("client_id").cloned().unwrap_or_default(),
        redirect_uri: p.get("redirect_uri").cloned().unwrap_or_default(),
        code_challenge: p.get("code_challenge").filter(|c| !c.is_empty()).cloned(),
        scope: granted_scope(p.get("scope").map(String::as_str).unwrap_or("")),
        expires_at_ms: Sim::now_ms() + CODE_LIFETIME_MS,
    };
    sim.inner
        .oauth
        .codes
        .lock()
        .expect("codes lock")
        .insert(code.clone(), pending);
    let uri = p.get("redirect_uri").map(String::as_str).unwrap_or("");
    let mut params = vec![("code", code.as_str())];
    if let Some(state) = p.get("state") {
        params.push(("state", state.as_str()));
    }
    redirect(uri, &params)
}

fn hidden(p: &HashMap<String, String>) -> Vec<(String, String)> {
    CARRIED
        .iter()
        .filter_map(|k| p.get(*k).map(|v| ((*k).to_owned(), v.clone())))
        .collect()
}

pub async fn authorize_page(
    State(sim): State<Sim>,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let app = match validate(&sim, &p) {
        Ok(app) => app,
        Err(response) => return response,
    };
    if let Some(username) = super::settings(&sim).auto_approve_username
        && let Some((org_id, user)) = find_user(&sim, &username).filter(|(_, u)| u.is_active)
    {
        return approve(&sim, &p, org_id, user.id);
    }
    let login_hint = p.get("login_hint").cloned().unwrap_or_default();
    html(
        StatusCode::OK,
        login_page::login_page(&app.client_id, &hidden(&p), &login_hint, None),
    )
}

pub async fn authorize_submit(State(sim): State<Sim>, headers: HeaderMap, body: Bytes) -> Response {
    let p = form_params(&headers, &body);
    let app = match validate(&sim, &p) {
        Ok(app) => app,
        Err(response) => return response,
    };
    if p.get("action").map(String::as_str) == Some("deny") {
        return redirect_error(&p, "access_denied", "end-user denied authorization");
    }
    let username = p.get("username").map(String::as_str).unwrap_or("");
    let password = p
        .get("pw")
        .or_else(|| p.get("password"))
        .map(String::as_str)
        .unwrap_or("");
    match find_user(&sim, username) {
        Some((org_id, user))
            if user.is_active && !password.is_empty() && user.password == password =>
        {
            approve(&sim, &p, org_id, user.id)
        }
        _ => html(
            StatusCode::OK,
            login_page::login_page(&app.client_id, &hidden(&p), username, Some(BAD_LOGIN)),
        ),
    }
}
