//! Process plumbing: the shared state, the login-host listener and one listener per org.
//!
//! Every org gets its own `instance_url` (its own port on 127.0.0.1), like a real My Domain
//! host. The login host serves OAuth and the admin API; each instance serves REST, Tooling
//! and SOAP for its org only. Handlers learn which org they serve from [`OrgScope`].

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, RwLock};

use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::error::{Error, Result};
use crate::model::Org;

/// An access token's meaning. Access tokens are opaque strings to clients.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub org_id: String,
    pub user_id: String,
    /// Unix milliseconds after which the token answers INVALID_SESSION_ID.
    pub expires_at_ms: u128,
}

/// Shared simulator state. Cheap to clone.
#[derive(Clone, Default)]
pub struct Sim {
    pub inner: Arc<SimInner>,
}

#[derive(Default)]
pub struct SimInner {
    /// org id → org.
    pub orgs: RwLock<BTreeMap<String, Org>>,
    /// access token → session.
    pub sessions: RwLock<BTreeMap<String, SessionInfo>>,
    /// `http://127.0.0.1:PORT` of the login host, once bound.
    pub login_url: RwLock<String>,
    /// Instance listeners, by org id, so removing an org stops its listener.
    pub listeners: Mutex<BTreeMap<String, JoinHandle<()>>>,
    /// refresh token → what it stands for (see `oauth`).
    pub refresh_tokens: RwLock<BTreeMap<String, crate::oauth::RefreshInfo>>,
    /// Connected apps, pending authorization codes, OAuth settings (see `oauth`).
    pub oauth: crate::oauth::OAuthState,
    /// Per-org faults and the request log (see `faults`).
    pub faults: crate::faults::FaultState,
    /// Per-org daily API usage (see `limits`).
    pub limits: crate::limits::LimitState,
    /// Open query cursors for queryMore (see `rest`).
    pub cursors: crate::rest::CursorStore,
    /// Trace flags, debug levels, Apex logs and source tracking (see `tooling`).
    pub tooling: crate::tooling::ToolingState,
    /// Metadata API jobs (see `soap`).
    pub soap: crate::soap::SoapState,
}

impl std::fmt::Debug for Sim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sim").finish_non_exhaustive()
    }
}

/// Which org an instance listener serves; inserted as an axum Extension on instance routes.
#[derive(Debug, Clone)]
pub struct OrgScope {
    pub org_id: String,
}

/// A started simulator.
#[derive(Debug, Clone)]
pub struct RunningSim {
    pub sim: Sim,
    pub login_url: String,
}

impl Sim {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn now_ms() -> u128 {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or(0)
    }

    /// Looks up an access token for requests to `org_id`'s instance. A token of another org, an
    /// unknown token or an expired one all yield `None` (the caller answers INVALID_SESSION_ID).
    pub fn session_for(&self, org_id: &str, access_token: &str) -> Option<SessionInfo> {
        let sessions = self.inner.sessions.read().expect("sessions lock");
        let info = sessions.get(access_token)?;
        (info.org_id == org_id && info.expires_at_ms > Self::now_ms()).then(|| info.clone())
    }

    /// Runs `f` with the org, read-only.
    pub fn with_org<T>(&self, org_id: &str, f: impl FnOnce(&Org) -> T) -> Result<T> {
        let orgs = self.inner.orgs.read().expect("orgs lock");
        orgs.get(org_id)
            .map(f)
            .ok_or_else(|| Error::UnknownOrg(org_id.to_owned()))
    }

    /// Runs `f` with the org, mutably.
    pub fn with_org_mut<T>(&self, org_id: &str, f: impl FnOnce(&mut Org) -> T) -> Result<T> {
        let mut orgs = self.inner.orgs.write().expect("orgs lock");
        orgs.get_mut(org_id)
            .map(f)
            .ok_or_else(|| Error::UnknownOrg(org_id.to_owned()))
    }

    /// Resolves an org id or alias to the org id.
    pub fn resolve_org(&self, id_or_alias: &str) -> Result<String> {
        let orgs = self.inner.orgs.read().expect("orgs lock");
        orgs.values()
            .find(|o| o.id == id_or_alias || o.alias == id_or_alias)
            .map(|o| o.id.clone())
            .ok_or_else(|| Error::UnknownOrg(id_or_alias.to_owned()))
    }

    /// Binds the login host on `addr` (port 0 picks a free port).
    pub async fn start(self, addr: SocketAddr) -> Result<RunningSim> {
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| Error::Bind {
            addr: addr.to_string(),
            source,
        })?;
        let login_url = format!("http://{local}");
        *self.inner.login_url.write().expect("login url lock") = login_url.clone();
        let app = login_routes(&self).with_state(self.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Ok(RunningSim {
            sim: self,
            login_url,
        })
    }

    /// Adds an org and binds its instance listener on 127.0.0.1 (free port). Returns its id.
    pub async fn add_org(&self, mut org: Org) -> Result<String> {
        let addr: SocketAddr = ([127, 0, 0, 1], 0).into();
        let listener = TcpListener::bind(addr)
            .await
            .map_err(|source| Error::Bind {
                addr: addr.to_string(),
                source,
            })?;
        let local = listener.local_addr().map_err(|source| Error::Bind {
            addr: addr.to_string(),
            source,
        })?;
        org.instance_url = format!("http://{local}");
        let org_id = org.id.clone();
        {
            let mut orgs = self.inner.orgs.write().expect("orgs lock");
            if orgs
                .values()
                .any(|o| o.alias == org.alias && o.id != org.id)
            {
                return Err(Error::Invalid(format!("alias `{}` is taken", org.alias)));
            }
            orgs.insert(org_id.clone(), org);
        }
        let app = instance_routes(self)
            .layer(axum::Extension(OrgScope {
                org_id: org_id.clone(),
            }))
            .with_state(self.clone());
        let handle = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        self.inner
            .listeners
            .lock()
            .expect("listeners lock")
            .insert(org_id.clone(), handle);
        Ok(org_id)
    }
}

/// Routes of the login host (login.salesforce.com / test.salesforce.com).
fn login_routes(sim: &Sim) -> Router<Sim> {
    let routes = Router::new()
        .merge(crate::oauth::routes())
        .merge(crate::admin::routes());
    crate::limits::login_layers(routes, sim)
}

/// Routes of an org's instance (`https://mydomain.my.salesforce.com`).
/// Cross-cutting layers (request log, faults, API limits) wrap every merged router.
fn instance_routes(sim: &Sim) -> Router<Sim> {
    let routes = Router::new()
        .merge(crate::oauth::routes())
        .merge(crate::rest::routes())
        .merge(crate::tooling::routes())
        .merge(crate::soap_apex::routes())
        .merge(crate::soap::routes());
    crate::limits::instance_layers(routes, sim)
}
