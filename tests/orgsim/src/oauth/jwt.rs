//! JWT bearer grant (oauth.md §4): an RS256 assertion signed with the key whose certificate
//! (or public key) is registered on the connected app; `iss` = client id, `aud` = login host,
//! `sub` = username, `exp` in seconds (or, as sfdx-core sends it, milliseconds).

use axum::response::Response;
use base64::Engine;
use rsa::RsaPublicKey;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs1v15::{Signature, VerifyingKey};
use rsa::pkcs8::DecodePublicKey;
use rsa::signature::Verifier;
use serde_json::Value;
use sha2::Sha256;

use super::token::oauth_error;
use super::{app, find_user, issue};
use crate::server::Sim;

/// Real audiences a Salesforce login host accepts besides our own URL.
const PRODUCTION_AUD: &str = "https://login.salesforce.com";
const SANDBOX_AUD: &str = "https://test.salesforce.com";

/// Parses a PEM certificate, SPKI public key or PKCS#1 public key.
pub fn parse_public_key(pem: &str) -> Result<RsaPublicKey, String> {
    let pem = pem.trim();
    if pem.contains("BEGIN CERTIFICATE") {
        use x509_cert::der::{DecodePem, Encode};
        let cert = x509_cert::Certificate::from_pem(pem.as_bytes())
            .map_err(|e| format!("invalid certificate: {e}"))?;
        let der = cert
            .tbs_certificate
            .subject_public_key_info
            .to_der()
            .map_err(|e| format!("invalid certificate key: {e}"))?;
        return RsaPublicKey::from_public_key_der(&der).map_err(|e| format!("not an RSA key: {e}"));
    }
    if pem.contains("BEGIN RSA PUBLIC KEY") {
        return RsaPublicKey::from_pkcs1_pem(pem).map_err(|e| format!("invalid RSA key: {e}"));
    }
    RsaPublicKey::from_public_key_pem(pem).map_err(|e| format!("invalid public key: {e}"))
}

fn b64(part: &str) -> Option<Vec<u8>> {
    base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(part.trim_end_matches('='))
        .ok()
}

/// `exp` as Unix milliseconds; accepts numbers or numeric strings, seconds or milliseconds.
fn exp_ms(claims: &Value) -> Option<u128> {
    let raw = match claims.get("exp")? {
        Value::Number(n) => n.as_f64()?,
        Value::String(s) => s.trim().parse::<f64>().ok()?,
        _ => return None,
    };
    if raw <= 0.0 {
        return None;
    }
    // Seconds until the year 5138; anything larger is milliseconds (sfdx-core quirk).
    Some(if raw > 1e11 {
        raw as u128
    } else {
        (raw * 1000.0) as u128
    })
}

pub fn jwt_bearer(sim: &Sim, assertion: &str) -> Response {
    let parts: Vec<&str> = assertion.split('.').collect();
    let [head, body, sig] = parts.as_slice() else {
        return oauth_error("invalid_grant", "invalid assertion");
    };
    let (Some(head_bytes), Some(body_bytes), Some(sig_bytes)) = (b64(head), b64(body), b64(sig))
    else {
        return oauth_error("invalid_grant", "invalid assertion");
    };
    let (Ok(header), Ok(claims)) = (
        serde_json::from_slice::<Value>(&head_bytes),
        serde_json::from_slice::<Value>(&body_bytes),
    ) else {
        return oauth_error("invalid_grant", "invalid assertion");
    };
    if header.get("alg").and_then(Value::as_str) != Some("RS256") {
        return oauth_error("invalid_grant", "invalid assertion");
    }
    let iss = claims.get("iss").and_then(Value::as_str).unwrap_or("");
    let Some(app) = app(sim, iss) else {
        return oauth_error("invalid_client_id", "client identifier invalid");
    };
    let Some(key) = app
        .public_key_pem
        .as_deref()
        .and_then(|pem| parse_public_key(pem).ok())
    else {
        return oauth_error("invalid_grant", "invalid assertion");
    };
    let verifier = VerifyingKey::<Sha256>::new(key);
    let signed = format!("{head}.{body}");
    let valid = Signature::try_from(sig_bytes.as_slice())
        .map(|s| verifier.verify(signed.as_bytes(), &s).is_ok())
        .unwrap_or(false);
    if !valid {
        return oauth_error("invalid_grant", "invalid assertion");
    }
    match exp_ms(&claims) {
        Some(exp) if exp > Sim::now_ms() => {}
        _ => return oauth_error("invalid_grant", "expired authorization code"),
    }
    // `prn` is the legacy alias of `sub`; it wins when both are present.
    let username = claims
        .get("prn")
        .or_else(|| claims.get("sub"))
        .and_then(Value::as_str)
        .unwrap_or("");
    let Some((org_id, user)) = find_user(sim, username) else {
        return oauth_error("invalid_grant", "user hasn't approved this consumer");
    };
    if !user.is_active {
        return oauth_error("invalid_grant", "authentication failure");
    }
    let login = sim.inner.login_url.read().expect("login url lock").clone();
    let sandbox = sim
        .with_org(&org_id, |o| o.kind.is_sandbox())
        .unwrap_or(false);
    let aud_ok = audiences(&claims).iter().any(|aud| {
        let aud = aud.trim_end_matches('/');
        aud == login || aud == if sandbox { SANDBOX_AUD } else { PRODUCTION_AUD }
    });
    if !aud_ok {
        return oauth_error("invalid_grant", "audience is invalid");
    }
    match issue(sim, &org_id, &user.id, &app, "api web full", false) {
        Some(response) => (axum::http::StatusCode::OK, axum::Json(response)).into_response(),
        None => oauth_error("invalid_grant", "authentication failure"),
    }
}

use axum::response::IntoResponse;

fn audiences(claims: &Value) -> Vec<String> {
    match claims.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_seconds_millis_and_strings() {
        let now_s = (Sim::now_ms() / 1000) as u64;
        let secs = serde_json::json!({"exp": now_s + 180});
        let millis = serde_json::json!({"exp": (now_s + 180) * 1000});
        let string = serde_json::json!({"exp": (now_s + 180).to_string()});
        for claims in [secs, millis, string] {
            assert!(exp_ms(&claims).unwrap() > Sim::now_ms());
        }
        assert!(exp_ms(&serde_json::json!({"exp": "soon"})).is_none());
    }
}
