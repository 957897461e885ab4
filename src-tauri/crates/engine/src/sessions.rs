//! Live sessions with connected orgs: built on demand from the org registry and the secret
//! store, cached per org, and kept current (a refreshed token is saved back to the keychain).
//! Access tokens live only here, in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use orgfleet_salesforce::{
    Credentials, JwtConfig, LoginHost, OAuthConfig, Sensitive, Session, SessionConfig, TokenSet,
    TokenSink, jwt_login, refresh,
};
use orgfleet_store::orgs::{self as rows, AuthMethod, OrgRecord};
use orgfleet_store::secrets::{self, SecretStore};

use crate::Engine;
use crate::error::{Error, Result};

/// Secret purposes (the last part of the keychain account name).
pub const REFRESH_TOKEN: &str = "refresh_token";
pub const JWT_KEY_PATH: &str = "jwt_key_path";

/// Cached sessions and the secret store, owned by the engine.
#[derive(Default)]
pub(crate) struct Sessions {
    live: Mutex<HashMap<i64, Arc<Session>>>,
    secrets: Mutex<Option<Arc<dyn SecretStore>>>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sessions").finish_non_exhaustive()
    }
}

/// Saves refresh tokens a session rotates to the keychain.
struct KeychainSink {
    secrets: Arc<dyn SecretStore>,
    account: String,
}

impl TokenSink for KeychainSink {
    fn tokens_refreshed(&self, org: &str, tokens: &TokenSet) {
        if let Some(refresh_token) = &tokens.refresh_token
            && let Err(e) = self.secrets.set(&self.account, refresh_token.expose())
        {
            tracing::warn!(org, error = %e, "could not save a rotated refresh token");
        }
    }
}

pub(crate) fn login_host(login_url: &str) -> Result<LoginHost> {
    Ok(LoginHost::parse(login_url)?)
}

pub(crate) fn session_config(alias: &str) -> SessionConfig {
    SessionConfig::new(alias)
}

impl Engine {
    /// The secret store, opened on first use (a missing keychain is reported then, with the fix).
    pub fn secrets(&self) -> Result<Arc<dyn SecretStore>> {
        let mut slot = self
            .sessions
            .secrets
            .lock()
            .unwrap_or_else(|p| p.into_inner());
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let store: Arc<dyn SecretStore> = Arc::from(secrets::open(&self.data_dir())?);
        *slot = Some(store.clone());
        Ok(store)
    }

    /// Uses `store` for secrets instead of the environment's choice (tests, embedding).
    pub fn use_secret_store(&self, store: Arc<dyn SecretStore>) {
        *self
            .sessions
            .secrets
            .lock()
            .unwrap_or_else(|p| p.into_inner()) = Some(store);
    }

    pub(crate) fn remember_session(&self, org_row: i64, session: Arc<Session>) {
        self.sessions
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(org_row, session);
    }

    pub(crate) fn forget_session(&self, org_row: i64) {
        self.sessions
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&org_row);
    }

    pub(crate) fn token_sink(&self, org: &OrgRecord) -> Result<Arc<dyn TokenSink>> {
        Ok(Arc::new(KeychainSink {
            secrets: self.secrets()?,
            account: secrets::account(&org.org_id, &org.username, REFRESH_TOKEN),
        }))
    }

    /// A live session with `org`, reusing the cached one. A new one starts from the stored
    /// refresh token (or JWT key); when those are gone or revoked the error says to reconnect.
    pub async fn session(&self, org: &OrgRecord) -> Result<Arc<Session>> {
        if let Some(live) = self
            .sessions
            .live
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&org.id)
        {
            return Ok(live.clone());
        }
        let secrets = self.secrets()?;
        let host = login_host(&org.login_url)?;
        let (tokens, credentials) = match org.auth_method {
            AuthMethod::Web | AuthMethod::SfdxUrl => {
                let account = secrets::account(&org.org_id, &org.username, REFRESH_TOKEN);
                let refresh_token =
                    secrets.get(&account)?.map(Sensitive::new).ok_or_else(|| {
                        Error::ReconnectNeeded {
                            alias: org.alias.clone(),
                            reason: "its stored credentials are missing".into(),
                        }
                    })?;
                let oauth = OAuthConfig::new(host).with_client_id(org.client_id.clone());
                let tokens = refresh(&oauth, &refresh_token, &org.alias).await?;
                (
                    tokens,
                    Credentials::RefreshToken {
                        oauth,
                        refresh_token,
                    },
                )
            }
            AuthMethod::Jwt => {
                let account = secrets::account(&org.org_id, &org.username, JWT_KEY_PATH);
                let key_path = secrets
                    .get(&account)?
                    .ok_or_else(|| Error::ReconnectNeeded {
                        alias: org.alias.clone(),
                        reason: "the path of its JWT key is not stored".into(),
                    })?;
                let config = JwtConfig {
                    login_host: host,
                    client_id: org.client_id.clone(),
                    username: org.username.clone(),
                    private_key_pem: read_key(&key_path)?,
                };
                (jwt_login(&config).await?, Credentials::Jwt(config))
            }
        };
        let session = Arc::new(
            Session::connect(
                tokens,
                credentials,
                session_config(&org.alias),
                Some(self.token_sink(org)?),
            )
            .await?,
        );
        self.remember_session(org.id, session.clone());
        Ok(session)
    }

    /// Records API usage and clears the error after a successful call; records the error
    /// (in words the user can act on) after a failed one.
    pub(crate) fn record_outcome(
        &self,
        org: &OrgRecord,
        session: Option<&Session>,
        error: Option<&Error>,
    ) {
        let usage = session
            .and_then(Session::api_usage)
            .map(|u| (u.used as i64, u.max as i64));
        let message = error.map(|e| e.to_string());
        if let Err(e) = rows::record_health(&self.store().conn(), org.id, usage, message.as_deref())
        {
            tracing::warn!(org = org.alias, error = %e, "could not record org health");
        }
    }
}

/// Reads a PEM private key file, with an error that names the file.
pub(crate) fn read_key(path: &str) -> Result<Sensitive<String>> {
    std::fs::read_to_string(path)
        .map(Sensitive::new)
        .map_err(|e| Error::InvalidInput(format!("cannot read the private key file {path}: {e}")))
}
