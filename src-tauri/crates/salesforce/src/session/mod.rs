//! One [`Session`] per connected org: its own reqwest client, the current tokens, a
//! concurrency limit, the negotiated API version and the latest API usage.
//!
//! Every REST, Tooling and SOAP call goes through [`Session::execute`] (see `call.rs`), which
//! is where the cross-cutting rules live: https-or-loopback, refresh-and-retry-once on an
//! expired session, bounded retries with backoff for idempotent calls, limit accounting.
//! The session never stores anything: refreshed tokens are handed to the caller's
//! [`TokenSink`], which persists what it wants (the refresh token goes to the keychain).

mod call;
pub(crate) use call::Body;
pub mod policy;

use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tokio::sync::Semaphore;
use url::Url;

pub(crate) use call::Call;
pub use policy::{ApiUsage, RetryPolicy};

use crate::error::{Error, Result};
use crate::hosts::check_url;
use crate::oauth::jwt::JwtConfig;
use crate::oauth::{OAuthConfig, TokenSet};
use crate::sensitive::Sensitive;

/// The newest API version this crate speaks (the bundled WSDLs are v66.0).
pub const MAX_API_VERSION: &str = "66.0";

/// How a session gets a new access token when the current one expires.
#[derive(Debug, Clone)]
pub enum Credentials {
    /// Refresh-token grant (web login, sfdx auth URL).
    RefreshToken {
        oauth: OAuthConfig,
        refresh_token: Sensitive<String>,
    },
    /// Re-run the JWT bearer grant.
    Jwt(JwtConfig),
    /// No way to refresh: an expired session means reconnecting.
    None,
}

impl Credentials {
    /// The credentials matching a login's token set: refresh when it carries a refresh token.
    pub fn from_login(oauth: &OAuthConfig, tokens: &TokenSet) -> Self {
        match &tokens.refresh_token {
            Some(rt) => Self::RefreshToken {
                oauth: oauth.clone(),
                refresh_token: rt.clone(),
            },
            None => Self::None,
        }
    }
}

/// Implemented by the caller to persist tokens a session obtained by itself (refresh or
/// JWT re-grant). Called after the new tokens are in use; must not block for long.
pub trait TokenSink: Send + Sync {
    fn tokens_refreshed(&self, org: &str, tokens: &TokenSet);
}

/// Tunables of a session.
#[derive(Debug, Clone)]
pub struct SessionConfig {
    /// How the org is named in errors and logs (alias or username): never a token.
    pub label: String,
    /// Requests in flight at once against this org.
    pub max_concurrent: usize,
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    /// Whole-request timeout (SOAP deploys upload zips; keep it generous).
    pub request_timeout: Duration,
    /// Highest API version to use; the org's highest ≤ this is picked.
    pub max_api_version: String,
    /// Use exactly this version and skip negotiation.
    pub pinned_api_version: Option<String>,
}

impl SessionConfig {
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            max_concurrent: 4,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(120),
            max_api_version: MAX_API_VERSION.to_owned(),
            pinned_api_version: None,
        }
    }
}

/// A connected org. Cheap to clone (shared state behind an `Arc`).
#[derive(Clone)]
pub struct Session {
    pub(crate) inner: Arc<Inner>,
}

pub(crate) struct Inner {
    pub config: SessionConfig,
    pub http: reqwest::Client,
    pub tokens: RwLock<TokenSet>,
    pub credentials: Credentials,
    pub sink: Option<Arc<dyn TokenSink>>,
    pub permits: Semaphore,
    pub usage: Mutex<Option<ApiUsage>>,
    pub api_version: RwLock<Option<String>>,
    pub refresh_lock: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("org", &self.inner.config.label)
            .field("instance_url", &self.instance_url().as_str())
            .field("api_version", &self.api_version_cached())
            .field("api_usage", &self.api_usage())
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Builds a session from tokens and refresh credentials. No network traffic.
    pub fn new(
        mut tokens: TokenSet,
        credentials: Credentials,
        config: SessionConfig,
        sink: Option<Arc<dyn TokenSink>>,
    ) -> Result<Self> {
        check_url(&tokens.instance_url)?;
        if let (None, Credentials::RefreshToken { refresh_token, .. }) =
            (&tokens.refresh_token, &credentials)
        {
            tokens.refresh_token = Some(refresh_token.clone());
        }
        if config.max_concurrent == 0 {
            return Err(Error::Invalid(
                "max_concurrent must be at least 1 request per org".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .user_agent(concat!("orgfleet/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Invalid(format!("cannot build the HTTP client: {e}")))?;
        let pinned = config.pinned_api_version.clone();
        Ok(Self {
            inner: Arc::new(Inner {
                permits: Semaphore::new(config.max_concurrent),
                config,
                http,
                tokens: RwLock::new(tokens),
                credentials,
                sink,
                usage: Mutex::new(None),
                api_version: RwLock::new(pinned),
                refresh_lock: tokio::sync::Mutex::new(()),
            }),
        })
    }

    /// [`Session::new`] and then the API-version negotiation, which also proves the
    /// session works (refreshing it when the token had already expired).
    pub async fn connect(
        tokens: TokenSet,
        credentials: Credentials,
        config: SessionConfig,
        sink: Option<Arc<dyn TokenSink>>,
    ) -> Result<Self> {
        let session = Self::new(tokens, credentials, config, sink)?;
        session.api_version().await?;
        Ok(session)
    }

    pub fn label(&self) -> &str {
        &self.inner.config.label
    }

    pub fn instance_url(&self) -> Url {
        self.read_tokens().instance_url.clone()
    }

    /// A copy of the current tokens (e.g. to persist them at disconnect).
    pub fn tokens(&self) -> TokenSet {
        self.read_tokens().clone()
    }

    pub(crate) fn read_tokens(&self) -> std::sync::RwLockReadGuard<'_, TokenSet> {
        self.inner
            .tokens
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The latest `Sforce-Limit-Info` usage seen on any response.
    pub fn api_usage(&self) -> Option<ApiUsage> {
        *self
            .inner
            .usage
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn api_version_cached(&self) -> Option<String> {
        self.inner
            .api_version
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// The API version in use (`"65.0"`), negotiated from `/services/data` on first use:
    /// the org's highest version not above `max_api_version`.
    pub async fn api_version(&self) -> Result<String> {
        if let Some(v) = self.api_version_cached() {
            return Ok(v);
        }
        let versions = self.rest().versions().await?;
        let max = policy::version_key(&self.inner.config.max_api_version);
        let best = versions
            .iter()
            .filter_map(|v| policy::version_key(&v.version).map(|k| (k, v)))
            .filter(|(k, _)| max.is_none_or(|m| *k <= m))
            .max_by_key(|(k, _)| *k)
            .map(|(_, v)| v.version.clone())
            .ok_or_else(|| {
                Error::unexpected(
                    "/services/data",
                    format!(
                        "{} offers no API version at or below {}",
                        self.label(),
                        self.inner.config.max_api_version
                    ),
                )
            })?;
        *self
            .inner
            .api_version
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(best.clone());
        Ok(best)
    }

    /// `/services/data/vNN.0` for the negotiated version.
    pub(crate) async fn data_path(&self) -> Result<String> {
        Ok(format!("/services/data/v{}", self.api_version().await?))
    }

    /// The org id: from the identity URL, else the access token's `00D…!` prefix.
    pub fn org_id(&self) -> Option<String> {
        let tokens = self.read_tokens();
        tokens.identity().map(|i| i.org_id).or_else(|| {
            tokens
                .access_token
                .expose()
                .split_once('!')
                .map(|(org, _)| org.to_owned())
        })
    }

    /// Revokes the refresh token (or the access token when there is none) at the instance;
    /// the caller then forgets the org's secrets.
    pub async fn revoke(&self) -> Result<()> {
        let (host, token) = {
            let t = self.read_tokens();
            let token = match &self.inner.credentials {
                Credentials::RefreshToken { refresh_token, .. } => {
                    t.refresh_token.clone().unwrap_or(refresh_token.clone())
                }
                _ => t.refresh_token.clone().unwrap_or(t.access_token.clone()),
            };
            (t.instance_url.clone(), token)
        };
        crate::oauth::revoke(&host, &token).await
    }
}
