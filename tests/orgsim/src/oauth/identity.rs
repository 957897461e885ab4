//! Revoke, userinfo and the identity URL (oauth.md §6–§7).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Value, json};

use super::token::{form_params, oauth_error};
use crate::server::{OrgScope, SessionInfo, Sim};

/// Revokes an access token, or a refresh token and every access token minted from it.
fn revoke_token(sim: &Sim, token: &str) -> Response {
    let refresh = sim
        .inner
        .refresh_tokens
        .write()
        .expect("refresh lock")
        .remove(token);
    let mut sessions = sim.inner.sessions.write().expect("sessions lock");
    if let Some(info) = refresh {
        for access in &info.access_tokens {
            sessions.remove(access);
        }
        return StatusCode::OK.into_response();
    }
    if sessions.remove(token).is_some() {
        return StatusCode::OK.into_response();
    }
    oauth_error("invalid_token", "invalid token")
}

pub async fn revoke(State(sim): State<Sim>, headers: HeaderMap, body: Bytes) -> Response {
    let params = form_params(&headers, &body);
    match params.get("token").filter(|t| !t.is_empty()) {
        Some(token) => revoke_token(&sim, token),
        None => oauth_error("unsupported_token_type", "missing token"),
    }
}

pub async fn revoke_get(
    State(sim): State<Sim>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    match params.get("token").filter(|t| !t.is_empty()) {
        Some(token) => revoke_token(&sim, token),
        None => oauth_error("unsupported_token_type", "missing token"),
    }
}

/// A live session for the token in the header (or `oauth_token` query parameter).
fn session(sim: &Sim, headers: &HeaderMap, query: &HashMap<String, String>) -> Option<SessionInfo> {
    let token = crate::auth::token_from_headers(headers)
        .map(str::to_owned)
        .or_else(|| query.get("oauth_token").cloned())?;
    let sessions = sim.inner.sessions.read().expect("sessions lock");
    sessions
        .get(&token)
        .filter(|s| s.expires_at_ms > Sim::now_ms())
        .cloned()
}

fn bad_token() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])),
    )
        .into_response()
}

/// The URLs of an identity response; `{version}` stays a placeholder unless given.
fn urls(instance_url: &str, org_id: &str, user_id: &str, version: Option<&str>) -> Value {
    let v = version.unwrap_or("{version}");
    let org15 = &org_id[..org_id.len().min(15)];
    json!({
        "enterprise": format!("{instance_url}/services/Soap/c/{v}/{org15}"),
        "metadata": format!("{instance_url}/services/Soap/m/{v}/{org15}"),
        "partner": format!("{instance_url}/services/Soap/u/{v}/{org15}"),
        "rest": format!("{instance_url}/services/data/v{v}/"),
        "sobjects": format!("{instance_url}/services/data/v{v}/sobjects/"),
        "search": format!("{instance_url}/services/data/v{v}/search/"),
        "query": format!("{instance_url}/services/data/v{v}/query/"),
        "tooling_rest": format!("{instance_url}/services/data/v{v}/tooling/"),
        "profile": format!("{instance_url}/{user_id}"),
    })
}

fn identity_json(
    sim: &Sim,
    s: &SessionInfo,
    user_id: &str,
    version: Option<&str>,
) -> Option<Value> {
    let id_url = super::identity_url(sim, &s.org_id, user_id);
    sim.with_org(&s.org_id, |org| {
        let user = org.user_by_id(user_id)?;
        let (first, last) = user
            .name
            .split_once(' ')
            .unwrap_or(("", user.name.as_str()));
        Some(json!({
            "id": id_url,
            "asserted_user": user_id == s.user_id,
            "user_id": user.id,
            "organization_id": org.id,
            "username": user.username,
            "nick_name": user.username.split('@').next().unwrap_or(""),
            "display_name": user.name,
            "first_name": first,
            "last_name": last,
            "email": user.email,
            "email_verified": true,
            "status": {"created_date": null, "body": null},
            "photos": {
                "picture": format!("{}/profilephoto/005/F", org.instance_url),
                "thumbnail": format!("{}/profilephoto/005/T", org.instance_url),
            },
            "urls": urls(&org.instance_url, &org.id, &user.id, version),
            "active": user.is_active,
            "user_type": "STANDARD",
            "language": "en_US",
            "locale": "en_US",
            "utcOffset": 0,
            "last_modified_date": "2026-01-01T00:00:00.000+0000",
            "is_app_installed": true,
        }))
    })
    .ok()
    .flatten()
}

pub async fn userinfo(
    State(sim): State<Sim>,
    scope: Option<Extension<OrgScope>>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(s) = session(&sim, &headers, &query) else {
        return bad_token();
    };
    if scope.is_some_and(|Extension(scope)| scope.org_id != s.org_id) {
        return bad_token();
    }
    let Some(identity) = identity_json(&sim, &s, &s.user_id, None) else {
        return bad_token();
    };
    let get = |k: &str| identity.get(k).cloned().unwrap_or(Value::Null);
    Json(json!({
        "sub": get("id"),
        "user_id": get("user_id"),
        "organization_id": get("organization_id"),
        "preferred_username": get("username"),
        "nickname": get("nick_name"),
        "name": get("display_name"),
        "given_name": get("first_name"),
        "family_name": get("last_name"),
        "email": get("email"),
        "email_verified": true,
        "zoneinfo": "GMT",
        "locale": "en_US",
        "language": "en_US",
        "photos": get("photos"),
        "urls": get("urls"),
        "active": get("active"),
        "user_type": "STANDARD",
        "utcOffset": 0,
        "updated_at": "2026-01-01T00:00:00Z",
        "is_app_installed": true,
    }))
    .into_response()
}

pub async fn identity(
    State(sim): State<Sim>,
    Path((org_id, user_id)): Path<(String, String)>,
    headers: HeaderMap,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let Some(s) = session(&sim, &headers, &query) else {
        return bad_token();
    };
    if s.org_id != org_id {
        return (
            StatusCode::FORBIDDEN,
            Json(json!([{"message": "Bad_Id", "errorCode": "FORBIDDEN"}])),
        )
            .into_response();
    }
    let version = query
        .get("version")
        .map(|v| if v == "latest" { "65.0" } else { v.as_str() });
    match identity_json(&sim, &s, &user_id, version) {
        Some(identity) => Json(identity).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!([{"message": "Bad_Id", "errorCode": "NOT_FOUND"}])),
        )
            .into_response(),
    }
}
