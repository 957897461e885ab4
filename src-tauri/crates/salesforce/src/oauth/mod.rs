//! OAuth 2.0 against Salesforce (shared/protocol/oauth.md): the token set, the refresh and
//! revoke calls, identity and userinfo. The browser flow lives in [`web`], JWT bearer in
//! [`jwt`] and Salesforce CLI auth URLs in [`auth_url`].
//!
//! The authorization-code and refresh grants go through the `oauth2` crate (PKCE, CSRF state,
//! token-response parsing), driven by our own reqwest client so the crate shares one HTTP
//! stack and one URL policy ([`crate::hosts::check_url`]). JWT bearer and revoke are plain
//! form POSTs: `oauth2` has no JWT-bearer grant and refuses http revocation URLs, which
//! orgsim (loopback) needs.

pub mod auth_url;
pub mod jwt;
pub mod sf_cli;
pub mod web;

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, ExtraTokenFields,
    RefreshToken, RequestTokenError, StandardRevocableToken, StandardTokenResponse, TokenResponse,
    TokenUrl,
};
use serde::{Deserialize, Serialize};
use url::Url;

use crate::error::{Error, Result};
use crate::hosts::{LoginHost, check_url, parse_url};
use crate::sensitive::Sensitive;

/// The Salesforce CLI's public connected app (oauth.md §2.1): no secret, callback
/// `http://localhost:1717/OauthRedirect`. Using it means users need no connected-app setup.
pub const PLATFORM_CLI_CLIENT_ID: &str = "PlatformCLI";
/// Scopes the CLI asks for: a refresh token, the APIs and web (frontdoor) access.
pub const DEFAULT_SCOPES: &[&str] = &["refresh_token", "api", "web"];

/// Which connected app to use and where to log in.
#[derive(Debug, Clone)]
pub struct OAuthConfig {
    pub login_host: LoginHost,
    pub client_id: String,
    /// Only for confidential connected apps; PlatformCLI has none.
    pub client_secret: Option<Sensitive<String>>,
    pub scopes: Vec<String>,
}

impl OAuthConfig {
    /// PlatformCLI with the CLI's scopes on `login_host`.
    pub fn new(login_host: LoginHost) -> Self {
        Self {
            login_host,
            client_id: PLATFORM_CLI_CLIENT_ID.to_owned(),
            client_secret: None,
            scopes: DEFAULT_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    pub fn with_client_id(mut self, client_id: impl Into<String>) -> Self {
        self.client_id = client_id.into();
        self
    }

    pub fn with_client_secret(mut self, secret: Option<Sensitive<String>>) -> Self {
        self.client_secret = secret.filter(|s| !s.is_empty());
        self
    }
}

/// What a successful login or refresh yields. Access tokens stay in memory; the caller puts
/// the refresh token in the keychain.
#[derive(Debug, Clone)]
pub struct TokenSet {
    pub access_token: Sensitive<String>,
    pub refresh_token: Option<Sensitive<String>>,
    /// The API host (`https://acme.my.salesforce.com`); all API calls go here.
    pub instance_url: Url,
    /// The identity URL `…/id/<orgId>/<userId>`, when the server sent one.
    pub id: Option<String>,
    /// When the token was issued (the server's `issued_at`, else our clock).
    pub issued_at: SystemTime,
    pub scope: Option<String>,
}

impl TokenSet {
    /// Org and user ids from the identity URL (sfdx-core reads them the same way).
    pub fn identity(&self) -> Option<Identity> {
        self.id
            .as_deref()
            .and_then(|id| parse_identity_url(id).ok())
    }
}

/// The org id and user id named by an identity URL.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub org_id: String,
    pub user_id: String,
}

/// Reads `<orgId>/<userId>`: the last two path segments of an identity URL.
pub fn parse_identity_url(id: &str) -> Result<Identity> {
    let url = parse_url(id)?;
    let mut segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let user_id = segments.pop();
    let org_id = segments.pop();
    match (org_id, user_id) {
        (Some(org), Some(user)) if org.starts_with("00D") && user.starts_with("005") => {
            Ok(Identity {
                org_id: org.to_owned(),
                user_id: user.to_owned(),
            })
        }
        _ => Err(Error::unexpected(
            "identity URL",
            format!("`{id}` does not end in /<orgId>/<userId>"),
        )),
    }
}

/// The Salesforce fields of a token response beyond RFC 6749 (oauth.md §2.4).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SalesforceFields {
    pub instance_url: String,
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub issued_at: Option<String>,
}

impl ExtraTokenFields for SalesforceFields {}

pub(crate) type SfTokenResponse = StandardTokenResponse<SalesforceFields, BasicTokenType>;

pub(crate) type SfClient<HasAuthUrl> = oauth2::Client<
    BasicErrorResponse,
    SfTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    HasAuthUrl,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// The oauth2 client for `config`, with the token URL (and the authorize URL when asked).
pub(crate) fn token_client(config: &OAuthConfig) -> Result<SfClient<EndpointNotSet>> {
    let token = config.login_host.endpoint("token")?;
    check_url(&token)?;
    let mut client = oauth2::Client::new(ClientId::new(config.client_id.clone()))
        .set_auth_type(AuthType::RequestBody)
        .set_token_uri(TokenUrl::from_url(token));
    if let Some(secret) = &config.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.expose().clone()));
    }
    Ok(client)
}

pub(crate) fn auth_client(config: &OAuthConfig) -> Result<SfClient<EndpointSet>> {
    let authorize = config.login_host.endpoint("authorize")?;
    check_url(&authorize)?;
    Ok(token_client(config)?.set_auth_uri(AuthUrl::from_url(authorize)))
}

/// The HTTP client used for OAuth calls: no redirects (a token endpoint never redirects, and
/// following one could leak a code), bounded time.
pub(crate) fn oauth_http() -> Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(60))
        .build()
        .map_err(|e| Error::Invalid(format!("cannot build the HTTP client: {e}")))
}

/// Our reqwest client as oauth2's `AsyncHttpClient` (a named type with a `Send` boxed
/// future, so login futures can be spawned on a multi-threaded runtime).
pub(crate) struct OAuthHttp(pub reqwest::Client);

impl<'c> oauth2::AsyncHttpClient<'c> for OAuthHttp {
    type Error = reqwest::Error;
    type Future = std::pin::Pin<
        Box<
            dyn std::future::Future<
                    Output = std::result::Result<oauth2::HttpResponse, reqwest::Error>,
                > + Send
                + 'c,
        >,
    >;

    fn call(&'c self, request: oauth2::HttpRequest) -> Self::Future {
        Box::pin(send_oauth(&self.0, request))
    }
}

async fn send_oauth(
    http: &reqwest::Client,
    request: oauth2::HttpRequest,
) -> std::result::Result<oauth2::HttpResponse, reqwest::Error> {
    let request = reqwest::Request::try_from(request)?;
    let response = http.execute(request).await?;
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.bytes().await?.to_vec();
    let mut out = http::Response::new(body);
    *out.status_mut() = status;
    *out.headers_mut() = headers;
    Ok(out)
}

/// Converts the oauth2 token response, keeping `refresh_fallback` when none came back
/// (refresh responses carry no refresh token unless rotation is on).
pub(crate) fn token_set(
    response: SfTokenResponse,
    refresh_fallback: Option<Sensitive<String>>,
) -> Result<TokenSet> {
    let extra = response.extra_fields();
    let instance_url = parse_url(&extra.instance_url)?;
    check_url(&instance_url)?;
    Ok(TokenSet {
        access_token: Sensitive::new(response.access_token().secret().clone()),
        refresh_token: response
            .refresh_token()
            .map(|r| Sensitive::new(r.secret().clone()))
            .or(refresh_fallback),
        instance_url,
        id: extra.id.clone(),
        issued_at: issued_at(extra.issued_at.as_deref()),
        scope: response
            .scopes()
            .map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" ")),
    })
}

/// `issued_at` is milliseconds in real responses (seconds per the docs prose).
pub(crate) fn issued_at(raw: Option<&str>) -> SystemTime {
    match raw.and_then(|s| s.trim().parse::<u64>().ok()) {
        Some(n) if n > 100_000_000_000 => UNIX_EPOCH + Duration::from_millis(n),
        Some(n) => UNIX_EPOCH + Duration::from_secs(n),
        None => SystemTime::now(),
    }
}

/// What the token endpoint said, mapped for a login attempt.
pub(crate) fn login_error(
    err: RequestTokenError<reqwest::Error, BasicErrorResponse>,
    host: &str,
) -> Error {
    match err {
        RequestTokenError::ServerResponse(r) => {
            let error = r.error().as_ref().to_owned();
            let description = r.error_description().cloned().unwrap_or_default();
            Error::OAuth {
                advice: advice(&error, &description),
                error,
                description,
            }
        }
        RequestTokenError::Request(e) => Error::Unreachable {
            host: host.to_owned(),
            attempts: 1,
            detail: e.to_string(),
        },
        RequestTokenError::Parse(e, _) => Error::unexpected("token response", e),
        RequestTokenError::Other(e) => Error::unexpected("token response", e),
    }
}

pub(crate) fn advice(error: &str, description: &str) -> &'static str {
    match error {
        "invalid_client_id" | "invalid_client" => {
            "check the connected app's consumer key (and secret) and that it is installed in this org"
        }
        "invalid_grant" if description.contains("approved") => {
            "pre-authorize the user for the connected app (Manage Connected Apps → admin approved users)"
        }
        "invalid_grant" if description.contains("audience") => {
            "use login.salesforce.com for production or test.salesforce.com for sandboxes"
        }
        "invalid_grant" if description.contains("redirect") => {
            "the connected app's callback URL must equal the loopback redirect URL"
        }
        "invalid_grant" => "log in again",
        _ => "check the login host and the connected app settings",
    }
}

/// Refresh-token grant. `invalid_grant` (revoked, expired, user deactivated) becomes
/// [`Error::ReconnectRequired`] naming `org`.
pub async fn refresh(
    config: &OAuthConfig,
    refresh_token: &Sensitive<String>,
    org: &str,
) -> Result<TokenSet> {
    let client = token_client(config)?;
    let http = OAuthHttp(oauth_http()?);
    let rt = RefreshToken::new(refresh_token.expose().clone());
    let result = client
        .exchange_refresh_token(&rt)
        .request_async(&http)
        .await;
    match result {
        Ok(response) => token_set(response, Some(refresh_token.clone())),
        Err(err) => match login_error(err, config.login_host.url().as_str()) {
            Error::OAuth {
                error, description, ..
            } if error == "invalid_grant" || error == "invalid_client_id" => {
                Err(Error::ReconnectRequired {
                    org: org.to_owned(),
                    reason: format!("{error}: {description}"),
                })
            }
            other => Err(other),
        },
    }
}

/// Revokes a refresh or access token (oauth.md §6). Revoking the refresh token also kills
/// every access token minted from it. `host` is the login host or the instance URL.
pub async fn revoke(host: &Url, token: &Sensitive<String>) -> Result<()> {
    let url = crate::hosts::join(host, "/services/oauth2/revoke")?;
    check_url(&url)?;
    let http = oauth_http()?;
    let response = http
        .post(url.clone())
        .form(&[("token", token.expose().as_str())])
        .send()
        .await
        .map_err(|e| Error::Unreachable {
            host: host.to_string(),
            attempts: 1,
            detail: e.to_string(),
        })?;
    if response.status().is_success() {
        return Ok(());
    }
    let status = response.status().as_u16();
    let body: serde_json::Value = response.json().await.unwrap_or_default();
    let error = body["error"].as_str().unwrap_or("revoke_failed").to_owned();
    Err(Error::OAuth {
        description: body["error_description"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| format!("HTTP {status}")),
        error,
        advice: "the token may already be revoked; remove the org's saved login anyway",
    })
}

/// `GET <instance>/services/oauth2/userinfo` (oauth.md §7.2): what sfdx-core reads after login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserInfo {
    pub user_id: String,
    pub organization_id: String,
    pub preferred_username: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub user_type: Option<String>,
}

/// Calls userinfo on the instance with the token set's access token.
pub async fn userinfo(tokens: &TokenSet) -> Result<UserInfo> {
    let url = crate::hosts::join(&tokens.instance_url, "/services/oauth2/userinfo")?;
    check_url(&url)?;
    let response = oauth_http()?
        .get(url)
        .bearer_auth(tokens.access_token.expose())
        .send()
        .await
        .map_err(|e| Error::Unreachable {
            host: tokens.instance_url.to_string(),
            attempts: 1,
            detail: e.to_string(),
        })?;
    let status = response.status();
    let bytes = response
        .bytes()
        .await
        .map_err(|e| Error::unexpected("userinfo", e))?;
    if !status.is_success() {
        return Err(Error::Api {
            org: tokens.instance_url.to_string(),
            status: status.as_u16(),
            error_code: "USERINFO_FAILED".into(),
            message: String::from_utf8_lossy(&bytes).chars().take(300).collect(),
        });
    }
    serde_json::from_slice(&bytes).map_err(|e| Error::unexpected("userinfo", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_urls() {
        let id = parse_identity_url(
            "https://login.salesforce.com/id/00Di0000000icUBEAY/005i0000000aBcDAAU",
        )
        .unwrap();
        assert_eq!(id.org_id, "00Di0000000icUBEAY");
        assert_eq!(id.user_id, "005i0000000aBcDAAU");
        assert!(parse_identity_url("https://login.salesforce.com/id/x").is_err());
    }

    #[test]
    fn issued_at_ms_or_secs() {
        assert_eq!(
            issued_at(Some("1278448384422")),
            UNIX_EPOCH + Duration::from_millis(1_278_448_384_422)
        );
        assert_eq!(
            issued_at(Some("1278448384")),
            UNIX_EPOCH + Duration::from_secs(1_278_448_384)
        );
    }
}
