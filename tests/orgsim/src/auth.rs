//! Bearer-token checks for instance endpoints. Every REST/Tooling handler calls
//! [`bearer_session`] first: a missing, expired, revoked or foreign (other org's) token is a
//! 401 `INVALID_SESSION_ID`, exactly as Salesforce answers (oauth.md §9).

// Handlers return ready axum responses as errors (the wire shape), so `Err` is large.
#![allow(clippy::result_large_err)]

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;

use crate::server::{OrgScope, SessionInfo, Sim};

/// The token of an `Authorization: Bearer <t>` or `Authorization: OAuth <t>` header.
pub fn token_from_headers(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("oauth"))
        .then_some(token)
        .filter(|t| !t.is_empty())
}

/// The 401 every REST endpoint answers for a bad session.
pub fn invalid_session() -> Response {
    crate::rest::api_error(
        StatusCode::UNAUTHORIZED,
        "INVALID_SESSION_ID",
        "Session expired or invalid",
    )
}

/// The session behind the request's bearer token, valid for the org this instance serves.
pub fn bearer_session(
    sim: &Sim,
    scope: &OrgScope,
    headers: &HeaderMap,
) -> Result<SessionInfo, Response> {
    let token = token_from_headers(headers).ok_or_else(invalid_session)?;
    sim.session_for(&scope.org_id, token)
        .ok_or_else(invalid_session)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes() {
        let mut h = HeaderMap::new();
        assert_eq!(token_from_headers(&h), None);
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(token_from_headers(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, "OAuth xyz".parse().unwrap());
        assert_eq!(token_from_headers(&h), Some("xyz"));
        h.insert(header::AUTHORIZATION, "Basic xyz".parse().unwrap());
        assert_eq!(token_from_headers(&h), None);
    }
}
