//! The JWT bearer grant (oauth.md §4) for headless and CI orgs: an RS256 assertion signed
//! with the connected app's private key, `iss` = client id, `sub` = username, `aud` = login
//! or test.salesforce.com. No refresh token comes back; a session re-runs this grant when
//! its access token expires.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::signature::{SignatureEncoding, Signer};
use serde::Deserialize;
use sha2::Sha256;

use super::{TokenSet, advice, issued_at, oauth_http};
use crate::error::{Error, Result};
use crate::hosts::{LoginHost, check_url, parse_url};
use crate::sensitive::Sensitive;

const GRANT: &str = "urn:ietf:params:oauth:grant-type:jwt-bearer";
/// Assertion lifetime; Salesforce allows about three minutes.
const ASSERTION_SECS: u64 = 180;

/// What a JWT login needs. The key is the PEM text (PKCS#8 or PKCS#1), not a path: reading
/// the file (or the keychain) is the caller's business.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub login_host: LoginHost,
    pub client_id: String,
    pub username: String,
    pub private_key_pem: Sensitive<String>,
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn signing_key(pem: &str) -> Result<SigningKey<Sha256>> {
    let key = rsa::RsaPrivateKey::from_pkcs8_pem(pem)
        .or_else(|_| rsa::RsaPrivateKey::from_pkcs1_pem(pem))
        .map_err(|e| Error::JwtKey {
            reason: format!("not an RSA private key in PEM (PKCS#8 or PKCS#1): {e}"),
        })?;
    Ok(SigningKey::<Sha256>::new(key))
}

/// Builds the signed assertion.
pub fn assertion(config: &JwtConfig) -> Result<String> {
    let key = signing_key(config.private_key_pem.expose())?;
    let exp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
        + ASSERTION_SECS;
    let claims = serde_json::json!({
        "iss": config.client_id,
        "sub": config.username,
        "aud": config.login_host.jwt_audience(),
        "exp": exp,
    });
    let signing_input = format!(
        "{}.{}",
        b64(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    );
    let signature = key.sign(signing_input.as_bytes());
    Ok(format!("{signing_input}.{}", b64(&signature.to_bytes())))
}

#[derive(Deserialize)]
struct RawToken {
    access_token: String,
    instance_url: String,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    issued_at: Option<String>,
    #[serde(default)]
    scope: Option<String>,
}

#[derive(Deserialize)]
struct RawError {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// Runs the JWT bearer grant against the login host.
pub async fn jwt_login(config: &JwtConfig) -> Result<TokenSet> {
    let url = config.login_host.endpoint("token")?;
    check_url(&url)?;
    let assertion = assertion(config)?;
    let response = oauth_http()?
        .post(url.clone())
        .form(&[("grant_type", GRANT), ("assertion", assertion.as_str())])
        .send()
        .await
        .map_err(|e| Error::Unreachable {
            host: config.login_host.url().to_string(),
            attempts: 1,
            detail: e.to_string(),
        })?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| Error::unexpected("JWT token response", e))?;
    if !status.is_success() {
        let err: RawError = serde_json::from_slice(&bytes).unwrap_or(RawError {
            error: format!("HTTP {}", status.as_u16()),
            error_description: Some(String::from_utf8_lossy(&bytes).chars().take(200).collect()),
        });
        let description = err.error_description.unwrap_or_default();
        return Err(Error::OAuth {
            advice: advice(&err.error, &description),
            error: err.error,
            description,
        });
    }
    let raw: RawToken =
        serde_json::from_slice(&bytes).map_err(|e| Error::unexpected("JWT token response", e))?;
    let instance_url = parse_url(&raw.instance_url)?;
    check_url(&instance_url)?;
    Ok(TokenSet {
        access_token: Sensitive::new(raw.access_token),
        refresh_token: None,
        instance_url,
        id: raw.id,
        issued_at: issued_at(raw.issued_at.as_deref()),
        scope: raw.scope,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use rsa::pkcs1v15::VerifyingKey;
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    use rsa::signature::Verifier;

    #[test]
    fn assertion_is_rs256_with_salesforce_claims() {
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
        let pem = key.to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
        let config = JwtConfig {
            login_host: LoginHost::Sandbox,
            client_id: "app".into(),
            username: "ada@acme.test".into(),
            private_key_pem: Sensitive::new(pem),
        };
        let jwt = assertion(&config).unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        assert_eq!(parts.len(), 3);
        let claims: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(parts[1])
                .unwrap(),
        )
        .unwrap();
        assert_eq!(claims["aud"], "https://test.salesforce.com");
        assert_eq!(claims["sub"], "ada@acme.test");
        let sig = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[2])
            .unwrap();
        let verifier = VerifyingKey::<Sha256>::new(key.to_public_key());
        let sig = rsa::pkcs1v15::Signature::try_from(sig.as_slice()).unwrap();
        assert!(
            verifier
                .verify(format!("{}.{}", parts[0], parts[1]).as_bytes(), &sig)
                .is_ok()
        );
    }

    #[test]
    fn bad_key_says_what_to_give() {
        let config = JwtConfig {
            login_host: LoginHost::Production,
            client_id: "app".into(),
            username: "u".into(),
            private_key_pem: Sensitive::new("not a key".into()),
        };
        let err = assertion(&config).unwrap_err();
        assert!(matches!(err, Error::JwtKey { .. }));
        assert!(err.to_string().contains("RSA private key"));
    }
}
