//! `POST /services/oauth2/token`: authorization_code (with PKCE), refresh_token, JWT bearer
//! and password grants (oauth.md §2.3–§5, errors per §8).

// Handlers return ready axum responses as errors (the wire shape), so `Err` is large.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;

use axum::Extension;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::{Digest, Sha256};

use super::{ConnectedApp, app, find_user, granted_scope, issue, wants_refresh};
use crate::server::{OrgScope, Sim};

pub const JWT_BEARER: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";

/// An OAuth error body `{"error","error_description"}` with HTTP 400.
pub fn oauth_error(error: &str, description: &str) -> Response {
    oauth_error_status(StatusCode::BAD_REQUEST, error, description)
}

pub fn oauth_error_status(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        axum::Json(serde_json::json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// Reads form parameters from a urlencoded body (also tolerates them in a JSON object).
pub fn form_params(headers: &HeaderMap, body: &[u8]) -> HashMap<String, String> {
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if json && let Ok(serde_json::Value::Object(map)) = serde_json::from_slice(body) {
        return map
            .into_iter()
            .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
            .collect();
    }
    form_urlencoded::parse(body).into_owned().collect()
}

pub async fn token(
    State(sim): State<Sim>,
    scope: Option<Extension<OrgScope>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let params = form_params(&headers, &body);
    let p = |k: &str| params.get(k).map(String::as_str).unwrap_or("");
    match p("grant_type") {
        "authorization_code" => authorization_code(&sim, &params),
        "refresh_token" => refresh(&sim, &params),
        JWT_BEARER => super::jwt::jwt_bearer(&sim, p("assertion")),
        "password" => password(&sim, &params),
        "client_credentials" => client_credentials(&sim, scope.map(|Extension(s)| s), &params),
        "" => oauth_error("unsupported_grant_type", "grant type not supported"),
        _ => oauth_error("unsupported_grant_type", "grant type not supported"),
    }
}

/// Looks up the client and checks its secret when one is sent.
fn client(sim: &Sim, params: &HashMap<String, String>) -> Result<ConnectedApp, Response> {
    let client_id = params.get("client_id").map(String::as_str).unwrap_or("");
    let Some(app) = app(sim, client_id) else {
        return Err(oauth_error(
            "invalid_client_id",
            "client identifier invalid",
        ));
    };
    if let Some(sent) = params.get("client_secret").filter(|s| !s.is_empty())
        && app.client_secret.as_deref() != Some(sent.as_str())
    {
        return Err(oauth_error("invalid_client", "invalid client credentials"));
    }
    Ok(app)
}

fn ok(response: super::TokenResponse) -> Response {
    (StatusCode::OK, axum::Json(response)).into_response()
}

fn pkce_challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn authorization_code(sim: &Sim, params: &HashMap<String, String>) -> Response {
    let app = match client(sim, params) {
        Ok(app) => app,
        Err(e) => return e,
    };
    let code = params.get("code").map(String::as_str).unwrap_or("");
    // Codes are single use: take it out whatever happens next.
    let pending = sim
        .inner
        .oauth
        .codes
        .lock()
        .expect("codes lock")
        .remove(code);
    let Some(pending) = pending.filter(|c| c.expires_at_ms > Sim::now_ms()) else {
        return oauth_error("invalid_grant", "expired authorization code");
    };
    if pending.client_id != app.client_id {
        return oauth_error("invalid_grant", "client identifier mismatch");
    }
    if params.get("redirect_uri").map(String::as_str) != Some(pending.redirect_uri.as_str()) {
        return oauth_error("invalid_grant", "redirect_uri must match configuration");
    }
    if let Some(challenge) = &pending.code_challenge {
        match params.get("code_verifier") {
            None => return oauth_error("invalid_grant", "invalid code verifier"),
            Some(v) if pkce_challenge(v) != *challenge => {
                return oauth_error("invalid_request", "invalid code verifier");
            }
            Some(_) => {}
        }
    }
    let with_refresh = wants_refresh(&pending.scope);
    match issue(
        sim,
        &pending.org_id,
        &pending.user_id,
        &app,
        &pending.scope,
        with_refresh,
    ) {
        Some(response) => ok(response),
        None => oauth_error("invalid_grant", "authentication failure"),
    }
}

fn refresh(sim: &Sim, params: &HashMap<String, String>) -> Response {
    let app = match client(sim, params) {
        Ok(app) => app,
        Err(e) => return e,
    };
    let rt = params
        .get("refresh_token")
        .map(String::as_str)
        .unwrap_or("");
    let info = sim
        .inner
        .refresh_tokens
        .read()
        .expect("refresh lock")
        .get(rt)
        .cloned();
    let Some(info) = info.filter(|i| i.client_id == app.client_id) else {
        return oauth_error("invalid_grant", "expired access/refresh token");
    };
    let active = sim
        .with_org(&info.org_id, |o| {
            o.user_by_id(&info.user_id).is_some_and(|u| u.is_active)
        })
        .unwrap_or(false);
    if !active {
        return oauth_error("invalid_grant", "expired access/refresh token");
    }
    let Ok(instance_url) = sim.with_org(&info.org_id, |o| o.instance_url.clone()) else {
        return oauth_error("invalid_grant", "expired access/refresh token");
    };
    let access_token = super::mint_access_token(sim, &info.org_id, &info.user_id);
    if let Some(stored) = sim
        .inner
        .refresh_tokens
        .write()
        .expect("refresh lock")
        .get_mut(rt)
    {
        stored.access_tokens.push(access_token.clone());
    }
    ok(super::respond(
        sim,
        &info.org_id,
        &info.user_id,
        &app,
        &info.scope,
        access_token,
        None,
        instance_url,
    ))
}

fn password(sim: &Sim, params: &HashMap<String, String>) -> Response {
    let app = match client(sim, params) {
        Ok(app) => app,
        Err(e) => return e,
    };
    let username = params.get("username").map(String::as_str).unwrap_or("");
    let password = params.get("password").map(String::as_str).unwrap_or("");
    let Some((org_id, user)) = find_user(sim, username) else {
        return oauth_error("invalid_grant", "authentication failure");
    };
    // The password may carry the security token appended; orgsim users have none.
    if !user.is_active || !password.starts_with(user.password.as_str()) || user.password.is_empty()
    {
        return oauth_error("invalid_grant", "authentication failure");
    }
    let scope = granted_scope(params.get("scope").map(String::as_str).unwrap_or("api web"));
    match issue(sim, &org_id, &user.id, &app, &scope, false) {
        Some(response) => ok(response),
        None => oauth_error("invalid_grant", "authentication failure"),
    }
}

/// Client credentials: only on an org's own (My Domain) host, with the app's secret, running
/// as the app's "Run As" user of that org (oauth.md §5).
fn client_credentials(
    sim: &Sim,
    scope: Option<OrgScope>,
    params: &HashMap<String, String>,
) -> Response {
    let Some(scope) = scope else {
        return oauth_error("invalid_grant", "request not supported on this domain");
    };
    let app = match client(sim, params) {
        Ok(app) => app,
        Err(e) => return e,
    };
    let sent = params
        .get("client_secret")
        .map(String::as_str)
        .unwrap_or("");
    if app.client_secret.is_none() || sent.is_empty() {
        return oauth_error("invalid_client", "invalid client credentials");
    }
    let user = app.run_as_username.as_deref().and_then(|username| {
        sim.with_org(&scope.org_id, |o| o.user_by_username(username).cloned())
            .ok()
            .flatten()
    });
    let Some(user) = user.filter(|u| u.is_active) else {
        return oauth_error("invalid_grant", "no client credentials user enabled");
    };
    match issue(sim, &scope.org_id, &user.id, &app, "api", false) {
        Some(response) => ok(response),
        None => oauth_error("invalid_grant", "authentication failure"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_matches_rfc7636_example() {
        // RFC 7636 appendix B.
        assert_eq!(
            pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }
}
