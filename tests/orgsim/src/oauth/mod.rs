//! OAuth 2.0 as Salesforce serves it (shared/protocol/oauth.md): the authorize page with the
//! web-server flow and PKCE, the token endpoint (authorization_code, refresh_token, JWT
//! bearer, password), revoke, userinfo and the identity URL.
//!
//! This file holds the state (connected apps, pending authorization codes, refresh tokens,
//! settings) and token minting; the endpoints live in the submodules.

mod authorize;
mod identity;
mod jwt;
mod soap_login;

pub use jwt::parse_public_key;
mod token;

use std::collections::BTreeMap;
use std::sync::{Mutex, RwLock};

use axum::Router;
use axum::routing::{get, post};
use base64::Engine;
use hmac::{Hmac, Mac};
use rand::Rng;
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::server::{SessionInfo, Sim};

/// The public client id of the Salesforce CLI (oauth.md §2.1).
pub const PLATFORM_CLI: &str = "PlatformCLI";
/// The CLI's loopback callback.
pub const PLATFORM_CLI_CALLBACK: &str = "http://localhost:1717/OauthRedirect";
/// Default access-token lifetime (Salesforce's default session timeout is 2 hours).
pub const DEFAULT_TOKEN_LIFETIME_SECS: u64 = 7200;
/// How many live sessions trigger a sweep of expired ones.
const SWEEP_EVERY: usize = 4096;
/// Authorization codes are single-use and short-lived.
const CODE_LIFETIME_MS: u128 = 15 * 60 * 1000;

/// A connected app: consumer key, optional secret, optional JWT key and callback rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectedApp {
    pub client_id: String,
    /// Consumer secret; `None` for public clients such as PlatformCLI.
    #[serde(default)]
    pub client_secret: Option<String>,
    /// PEM of the certificate or RSA public key that JWT assertions must be signed with.
    #[serde(default)]
    pub public_key_pem: Option<String>,
    /// Allowed redirect URIs. Exact match, as Salesforce does; an entry ending in `*` is an
    /// orgsim extension that matches by prefix (handy for loopback listeners on random ports).
    #[serde(default)]
    pub callback_urls: Vec<String>,
    /// Username the client-credentials flow runs as (the app's "Run As" user).
    #[serde(default)]
    pub run_as_username: Option<String>,
}

impl ConnectedApp {
    pub fn allows_callback(&self, redirect_uri: &str) -> bool {
        self.callback_urls
            .iter()
            .any(|rule| match rule.strip_suffix('*') {
                Some(prefix) => redirect_uri.starts_with(prefix),
                None => rule == redirect_uri,
            })
    }

    fn platform_cli() -> Self {
        Self {
            client_id: PLATFORM_CLI.to_owned(),
            client_secret: None,
            public_key_pem: None,
            callback_urls: vec![PLATFORM_CLI_CALLBACK.to_owned()],
            run_as_username: None,
        }
    }
}

/// Simulator-wide OAuth settings (config file and admin API).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OAuthSettings {
    /// Lifetime of newly issued access tokens.
    pub token_lifetime_secs: u64,
    /// When set, /authorize skips the login form and approves as this user (demos, tests).
    pub auto_approve_username: Option<String>,
}

impl Default for OAuthSettings {
    fn default() -> Self {
        Self {
            token_lifetime_secs: DEFAULT_TOKEN_LIFETIME_SECS,
            auto_approve_username: None,
        }
    }
}

/// What a refresh token stands for, and the access tokens minted from it (so revoking it
/// revokes them too).
#[derive(Debug, Clone)]
pub struct RefreshInfo {
    pub org_id: String,
    pub user_id: String,
    pub client_id: String,
    pub scope: String,
    pub access_tokens: Vec<String>,
}

/// A pending authorization code.
#[derive(Debug, Clone)]
struct AuthCode {
    org_id: String,
    user_id: String,
    client_id: String,
    redirect_uri: String,
    code_challenge: Option<String>,
    scope: String,
    expires_at_ms: u128,
}

/// OAuth state held in [`crate::server::SimInner`].
pub struct OAuthState {
    apps: RwLock<BTreeMap<String, ConnectedApp>>,
    codes: Mutex<BTreeMap<String, AuthCode>>,
    settings: RwLock<OAuthSettings>,
}

impl Default for OAuthState {
    fn default() -> Self {
        let cli = ConnectedApp::platform_cli();
        Self {
            apps: RwLock::new(BTreeMap::from([(cli.client_id.clone(), cli)])),
            codes: Mutex::default(),
            settings: RwLock::default(),
        }
    }
}

/// Registers (or replaces) a connected app.
pub fn register_app(sim: &Sim, app: ConnectedApp) {
    let mut apps = sim.inner.oauth.apps.write().expect("apps lock");
    apps.insert(app.client_id.clone(), app);
}

pub fn app(sim: &Sim, client_id: &str) -> Option<ConnectedApp> {
    sim.inner
        .oauth
        .apps
        .read()
        .expect("apps lock")
        .get(client_id)
        .cloned()
}

pub fn apps(sim: &Sim) -> Vec<ConnectedApp> {
    sim.inner
        .oauth
        .apps
        .read()
        .expect("apps lock")
        .values()
        .cloned()
        .collect()
}

pub fn settings(sim: &Sim) -> OAuthSettings {
    sim.inner
        .oauth
        .settings
        .read()
        .expect("settings lock")
        .clone()
}

pub fn set_settings(sim: &Sim, settings: OAuthSettings) {
    *sim.inner.oauth.settings.write().expect("settings lock") = settings;
}

/// OAuth endpoints served by the login host (and, as on Salesforce, by every My Domain host).
pub fn routes() -> Router<Sim> {
    Router::new()
        .route(
            "/services/oauth2/authorize",
            get(authorize::authorize_page).post(authorize::authorize_submit),
        )
        .route("/services/oauth2/token", post(token::token))
        .route(
            "/services/oauth2/revoke",
            post(identity::revoke).get(identity::revoke_get),
        )
        .route(
            "/services/oauth2/userinfo",
            get(identity::userinfo).post(identity::userinfo),
        )
        .route("/id/{org_id}/{user_id}", get(identity::identity))
}

/// Endpoints only the login host serves: the partner SOAP `login` call.
pub fn login_host_routes() -> Router<Sim> {
    Router::new().route("/services/Soap/u/{version}", post(soap_login::login))
}

/// Finds a user by (globally unique) username: (org id, user id).
pub fn find_user(sim: &Sim, username: &str) -> Option<(String, crate::model::User)> {
    let orgs = sim.inner.orgs.read().expect("orgs lock");
    orgs.values().find_map(|o| {
        o.user_by_username(username)
            .map(|u| (o.id.clone(), u.clone()))
    })
}

fn random_token(len: usize) -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
    let mut rng = rand::rng();
    (0..len)
        .map(|_| CHARS[rng.random_range(0..CHARS.len())] as char)
        .collect()
}

/// Mints an access token (`00D<orgId15>!<opaque>`) and stores its session.
pub fn mint_access_token(sim: &Sim, org_id: &str, user_id: &str) -> String {
    let lifetime_ms = u128::from(settings(sim).token_lifetime_secs) * 1000;
    let token = format!("{}!{}", &org_id[..org_id.len().min(15)], random_token(96));
    let info = SessionInfo {
        org_id: org_id.to_owned(),
        user_id: user_id.to_owned(),
        expires_at_ms: Sim::now_ms() + lifetime_ms,
    };
    let mut sessions = sim.inner.sessions.write().expect("sessions lock");
    sessions.insert(token.clone(), info);
    // Expired sessions are useless; sweep them now and then so long runs stay bounded.
    if sessions.len().is_multiple_of(SWEEP_EVERY) {
        let now = Sim::now_ms();
        sessions.retain(|_, s| s.expires_at_ms > now);
    }
    token
}

/// The successful token response (oauth.md §2.4).
#[derive(Debug, Clone, Serialize)]
pub struct TokenResponse {
    pub access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub refresh_token: Option<String>,
    pub signature: String,
    pub scope: String,
    pub instance_url: String,
    pub id: String,
    pub token_type: &'static str,
    pub issued_at: String,
}

/// Builds a full token response for a user, minting the access token and, when
/// `with_refresh` is set, a refresh token tied to it.
pub fn issue(
    sim: &Sim,
    org_id: &str,
    user_id: &str,
    app: &ConnectedApp,
    scope: &str,
    with_refresh: bool,
) -> Option<TokenResponse> {
    let instance_url = sim.with_org(org_id, |o| o.instance_url.clone()).ok()?;
    let access_token = mint_access_token(sim, org_id, user_id);
    let refresh_token = with_refresh.then(|| {
        let rt = format!("5Aep861{}", random_token(80).replace(['.', '_'], "A"));
        sim.inner
            .refresh_tokens
            .write()
            .expect("refresh lock")
            .insert(
                rt.clone(),
                RefreshInfo {
                    org_id: org_id.to_owned(),
                    user_id: user_id.to_owned(),
                    client_id: app.client_id.clone(),
                    scope: scope.to_owned(),
                    access_tokens: vec![access_token.clone()],
                },
            );
        rt
    });
    Some(respond(
        sim,
        org_id,
        user_id,
        app,
        scope,
        access_token,
        refresh_token,
        instance_url,
    ))
}

#[allow(clippy::too_many_arguments)]
fn respond(
    sim: &Sim,
    org_id: &str,
    user_id: &str,
    app: &ConnectedApp,
    scope: &str,
    access_token: String,
    refresh_token: Option<String>,
    instance_url: String,
) -> TokenResponse {
    let id = identity_url(sim, org_id, user_id);
    let issued_at = Sim::now_ms().to_string();
    let signature = sign(app.client_secret.as_deref().unwrap_or(""), &id, &issued_at);
    TokenResponse {
        access_token,
        refresh_token,
        signature,
        scope: scope.to_owned(),
        instance_url,
        id,
        token_type: "Bearer",
        issued_at,
    }
}

/// `https://login.../id/<orgId18>/<userId18>` on our login host.
pub fn identity_url(sim: &Sim, org_id: &str, user_id: &str) -> String {
    let login = sim.inner.login_url.read().expect("login url lock").clone();
    format!("{login}/id/{org_id}/{user_id}")
}

/// Base64 HMAC-SHA256 of `id + issued_at`, keyed with the client secret.
pub fn sign(secret: &str, id: &str, issued_at: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("hmac takes any key");
    mac.update(id.as_bytes());
    mac.update(issued_at.as_bytes());
    base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
}

/// The scope granted for a requested scope string: the request, or everything when empty.
fn granted_scope(requested: &str) -> String {
    let parts: Vec<&str> = requested.split_whitespace().collect();
    if parts.is_empty() {
        "refresh_token web api full".to_owned()
    } else {
        parts.join(" ")
    }
}

fn wants_refresh(scope: &str) -> bool {
    scope
        .split_whitespace()
        .any(|s| matches!(s, "refresh_token" | "offline_access" | "full"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callback_rules() {
        let mut app = ConnectedApp::platform_cli();
        assert!(app.allows_callback(PLATFORM_CLI_CALLBACK));
        assert!(!app.allows_callback("http://localhost:1717/OauthRedirect/x"));
        app.callback_urls.push("http://127.0.0.1:*".into());
        assert!(app.allows_callback("http://127.0.0.1:5555/cb"));
    }

    #[test]
    fn signature_is_hmac_of_id_and_issued_at() {
        // RFC 4231-style sanity: same inputs, same output; different secret, different output.
        let a = sign("secret", "https://x/id/1/2", "1278448384422");
        assert_eq!(a, sign("secret", "https://x/id/1/2", "1278448384422"));
        assert_ne!(a, sign("other", "https://x/id/1/2", "1278448384422"));
        assert_eq!(a.len(), 44);
    }

    #[test]
    fn scopes() {
        assert!(wants_refresh(&granted_scope("")));
        assert!(!wants_refresh("api web"));
        assert_eq!(granted_scope("refresh_token  api"), "refresh_token api");
    }
}
