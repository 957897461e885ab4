//! Connecting orgs (journey 1): log in (browser, JWT or an sfdx auth URL), learn who and what
//! the org is, register it (re-connecting the same org updates it), keep its credentials in the
//! keychain, and hold the session in memory. Also the health check and disconnect.
//!
//! A browser login waits up to five minutes for the person, so connecting runs as a job:
//! progress says what it is waiting for, and cancelling it stops the loopback listener.

use std::sync::Arc;

use orgfleet_salesforce::{
    Credentials, JwtConfig, OAuthConfig, PLATFORM_CLI_CLIENT_ID, Session, SfCli, SfdxAuthUrl,
    TokenSet, WebLoginConfig, jwt_login, parse_auth_url, revoke, start_web_login, userinfo,
};
use orgfleet_store::JobKind;
use orgfleet_store::orgs::{self as rows, AuthMethod, NewOrg, OrgKind, OrgRecord};
use orgfleet_store::secrets;
use serde_json::Value;

use crate::Engine;
use crate::connect_request::ConnectRequest;
use crate::error::{Error, Result};
use crate::jobs::{JobFailure, JobHandle};
use crate::orgs::{confirm_destructive, default_colour, validate_alias};
use crate::sessions::{JWT_KEY_PATH, REFRESH_TOKEN, login_host, read_key, session_config};

/// Opens a URL in the user's browser; the app passes tauri-plugin-opener, the CLI prints it.
pub type UrlOpener = Arc<dyn Fn(&str) + Send + Sync>;

/// Env var naming a program that opens login URLs instead of the default browser (like the
/// `BROWSER` convention): a specific browser or profile, or a scripted browser in tests.
pub const BROWSER_ENV: &str = "ORGFLEET_BROWSER";

/// The opener `ORGFLEET_BROWSER` asks for, if set: it runs that program with the URL.
pub fn browser_override() -> Option<UrlOpener> {
    let program = std::env::var(BROWSER_ENV)
        .ok()
        .filter(|p| !p.trim().is_empty())?;
    Some(Arc::new(move |url: &str| {
        if let Err(e) = std::process::Command::new(&program).arg(url).spawn() {
            tracing::warn!(program, error = %e, "could not start {BROWSER_ENV}");
        }
    }))
}

/// Logs in with credentials imported from the Salesforce CLI (an auth URL).
async fn imported_login(
    auth: SfdxAuthUrl,
    alias: &str,
    ctx: &crate::JobContext,
) -> Result<LoggedIn> {
    ctx.progress(1, Some(3), "Logging in with the imported credentials…");
    let tokens = auth.login(alias).await?;
    let oauth = auth.oauth_config();
    Ok(LoggedIn {
        credentials: Credentials::from_login(&oauth, &tokens),
        tokens,
        login_url: oauth.login_host.url().to_string(),
        client_id: auth.client_id.clone(),
        auth_method: AuthMethod::SfdxUrl,
        jwt_key_path: None,
        username: None,
    })
}

/// What a login produced, before the org is registered.
struct LoggedIn {
    tokens: TokenSet,
    credentials: Credentials,
    login_url: String,
    client_id: String,
    auth_method: AuthMethod,
    /// JWT: the key path to keep (the key itself stays in its file).
    jwt_key_path: Option<String>,
    /// JWT: the username logged in as.
    username: Option<String>,
}

/// Organization facts read right after login.
struct OrgFacts {
    name: String,
    kind: OrgKind,
    organization_type: Option<String>,
    instance_name: Option<String>,
    trial_expires_at: Option<String>,
}

fn text(v: &Value, field: &str) -> Option<String> {
    v.get(field).and_then(Value::as_str).map(str::to_owned)
}

/// Sandbox if IsSandbox; scratch if a non-sandbox trial expires; developer for Developer
/// Edition; else production.
fn kind_of(org: &Value) -> OrgKind {
    let is_sandbox = org
        .get("IsSandbox")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let org_type = text(org, "OrganizationType").unwrap_or_default();
    let trial = org.get("TrialExpirationDate").is_some_and(|v| !v.is_null());
    if is_sandbox {
        OrgKind::Sandbox
    } else if trial {
        OrgKind::Scratch
    } else if org_type.contains("Developer") {
        OrgKind::Developer
    } else {
        OrgKind::Production
    }
}

async fn org_facts(session: &Session) -> Result<OrgFacts> {
    let rows = session
        .rest()
        .query_all("SELECT Id, Name, OrganizationType, IsSandbox, InstanceName, TrialExpirationDate FROM Organization")
        .await?;
    let org = rows.first().ok_or_else(|| {
        Error::InvalidInput("the org answered the Organization query with no row".into())
    })?;
    Ok(OrgFacts {
        name: text(org, "Name").unwrap_or_else(|| "Salesforce org".into()),
        kind: kind_of(org),
        organization_type: text(org, "OrganizationType"),
        instance_name: text(org, "InstanceName"),
        trial_expires_at: text(org, "TrialExpirationDate"),
    })
}

impl Engine {
    /// The Salesforce CLI to import from.
    fn sf_cli(&self) -> SfCli {
        SfCli {
            program: self.sf_cli_program(),
            ..SfCli::default()
        }
    }

    async fn log_in(
        &self,
        request: &ConnectRequest,
        open: &UrlOpener,
        ctx: &crate::JobContext,
    ) -> Result<LoggedIn> {
        match request {
            ConnectRequest::Web(web) => {
                let host = login_host(&web.login_host)?;
                let client_id = web
                    .client_id
                    .clone()
                    .filter(|c| !c.trim().is_empty())
                    .unwrap_or_else(|| PLATFORM_CLI_CLIENT_ID.to_owned());
                let oauth = OAuthConfig::new(host.clone()).with_client_id(client_id.clone());
                let mut config = WebLoginConfig::new(oauth.clone());
                config.port = self.oauth_port();
                let login = start_web_login(config).await?;
                ctx.progress(
                    1,
                    Some(3),
                    "Waiting for you to log in with Salesforce in your browser…",
                );
                open(login.authorize_url.as_str());
                let tokens = login.wait(ctx.cancellation().clone()).await?;
                let credentials = Credentials::from_login(&oauth, &tokens);
                Ok(LoggedIn {
                    tokens,
                    credentials,
                    login_url: host.url().to_string(),
                    client_id,
                    auth_method: AuthMethod::Web,
                    jwt_key_path: None,
                    username: None,
                })
            }
            ConnectRequest::Jwt(jwt) => {
                ctx.progress(1, Some(3), "Logging in with the connected app's key…");
                let host = login_host(&jwt.login_host)?;
                let config = JwtConfig {
                    login_host: host.clone(),
                    client_id: jwt.client_id.clone(),
                    username: jwt.username.clone(),
                    private_key_pem: read_key(&jwt.key_path)?,
                };
                let tokens = jwt_login(&config).await?;
                Ok(LoggedIn {
                    tokens,
                    credentials: Credentials::Jwt(config),
                    login_url: host.url().to_string(),
                    client_id: jwt.client_id.clone(),
                    auth_method: AuthMethod::Jwt,
                    jwt_key_path: Some(jwt.key_path.clone()),
                    username: Some(jwt.username.clone()),
                })
            }
            ConnectRequest::SfdxUrl(sfdx) => {
                imported_login(parse_auth_url(&sfdx.auth_url)?, &sfdx.alias, ctx).await
            }
            ConnectRequest::SfCli(cli) => {
                ctx.progress(1, Some(3), "Asking the Salesforce CLI for its login…");
                imported_login(
                    self.sf_cli().auth_url(&cli.username).await?,
                    &cli.alias,
                    ctx,
                )
                .await
            }
        }
    }

    /// Connects (or reconnects) an org as a job. `open` receives the login URL of a browser
    /// login. The job's result is the registered org.
    pub fn start_connect(
        self: &Arc<Self>,
        request: ConnectRequest,
        open: UrlOpener,
    ) -> Result<JobHandle> {
        validate_alias(request.alias())?;
        let engine = self.clone();
        let title = format!("Connect {}", request.alias());
        self.jobs()
            .start(JobKind::OrgConnect, &title, move |ctx| async move {
                let org = engine
                    .connect(&request, &open, &ctx)
                    .await
                    .map_err(|e| match e {
                        Error::Salesforce(orgfleet_salesforce::Error::LoginCancelled) => {
                            JobFailure::Cancelled
                        }
                        e => JobFailure::Failed(e.to_string()),
                    })?;
                serde_json::to_value(&org).map_err(JobFailure::from)
            })
    }

    async fn connect(
        &self,
        request: &ConnectRequest,
        open: &UrlOpener,
        ctx: &crate::JobContext,
    ) -> Result<OrgRecord> {
        ctx.progress(0, Some(3), "Starting the login…");
        let login = self.log_in(request, open, ctx).await?;
        ctx.checkpoint()
            .map_err(|_| Error::Salesforce(orgfleet_salesforce::Error::LoginCancelled))?;
        ctx.progress(2, Some(3), "Reading the org's details…");
        let session = Session::connect(
            login.tokens.clone(),
            login.credentials.clone(),
            session_config(request.alias()),
            None,
        )
        .await?;
        let facts = org_facts(&session).await?;
        let identity = login.tokens.identity();
        let (username, user_id, org_id) = match (&login.username, &identity) {
            (Some(username), Some(id)) => (
                username.clone(),
                Some(id.user_id.clone()),
                id.org_id.clone(),
            ),
            _ => {
                let info = userinfo(&login.tokens).await?;
                (
                    info.preferred_username,
                    Some(info.user_id),
                    info.organization_id,
                )
            }
        };
        let existing = self.orgs()?.len();
        let new = NewOrg {
            alias: request.alias().to_owned(),
            org_id: org_id.clone(),
            username: username.clone(),
            user_id,
            name: facts.name,
            instance_url: session
                .instance_url()
                .to_string()
                .trim_end_matches('/')
                .to_owned(),
            login_url: login.login_url.trim_end_matches('/').to_owned(),
            kind: facts.kind,
            colour: default_colour(facts.kind, existing).to_owned(),
            protected: facts.kind == OrgKind::Production,
            auth_method: login.auth_method,
            client_id: login.client_id,
            instance_name: facts.instance_name,
            organization_type: facts.organization_type,
            trial_expires_at: facts.trial_expires_at,
            tags: request.tags().to_vec(),
        };
        // Credentials first: a registered org without them could not be used.
        let store = self.secrets()?;
        if let Some(refresh_token) = &login.tokens.refresh_token {
            store.set(
                &secrets::account(&org_id, &username, REFRESH_TOKEN),
                refresh_token.expose(),
            )?;
        }
        if let Some(path) = &login.jwt_key_path {
            store.set(&secrets::account(&org_id, &username, JWT_KEY_PATH), path)?;
        }
        let (org, _created) = rows::upsert(&mut self.store().conn(), &new)?;
        self.forget_session(org.id);
        // The session that read the org's details knows the API usage; the one kept for
        // later calls also saves rotated refresh tokens.
        self.record_outcome(&org, Some(&session), None);
        let kept = Arc::new(Session::new(
            login.tokens,
            login.credentials,
            session_config(&org.alias),
            Some(self.token_sink(&org)?),
        )?);
        self.remember_session(org.id, kept);
        ctx.progress(3, Some(3), "Connected");
        Ok(rows::get(&self.store().conn(), org.id)?)
    }

    /// Orgs the Salesforce CLI on this machine is logged in to (none when `sf` is missing:
    /// the error says so and what to do instead).
    pub async fn sf_cli_orgs(&self) -> Result<Vec<crate::connect_request::SfCliOrg>> {
        let known: Vec<String> = self
            .orgs()?
            .into_iter()
            .map(|o| o.username.to_lowercase())
            .collect();
        Ok(self
            .sf_cli()
            .list_orgs()
            .await?
            .into_iter()
            .map(|o| crate::connect_request::SfCliOrg {
                already_connected: known.contains(&o.username.to_lowercase()),
                username: o.username,
                alias: o.alias,
                instance_url: o.instance_url,
                is_sandbox: o.is_sandbox,
                is_scratch: o.is_scratch,
                connected_status: o.connected_status,
            })
            .collect())
    }

    /// Health check: a cheap authenticated call (limits), recording API usage and last seen,
    /// or the problem in words the user can act on.
    pub async fn check_org(&self, id: i64) -> Result<OrgRecord> {
        let org = rows::get(&self.store().conn(), id)?;
        let outcome = async {
            let session = self.session(&org).await?;
            session.rest().limits().await?;
            Ok::<_, Error>(session)
        }
        .await;
        match outcome {
            Ok(session) => self.record_outcome(&org, Some(&session), None),
            Err(e) => {
                let e = e.for_org(&org.alias);
                self.record_outcome(&org, None, Some(&e));
                if e.needs_reconnect() {
                    self.forget_session(org.id);
                }
                return Err(e);
            }
        }
        Ok(rows::get(&self.store().conn(), id)?)
    }

    /// Disconnects an org: revokes its refresh token (best effort: an unreachable org must not
    /// keep the user from forgetting it), deletes its secrets and its registry row.
    pub async fn disconnect_org(&self, id: i64, confirm_alias: Option<&str>) -> Result<()> {
        let org = rows::get(&self.store().conn(), id)?;
        confirm_destructive(&org, confirm_alias)?;
        let store = self.secrets()?;
        let refresh_account = secrets::account(&org.org_id, &org.username, REFRESH_TOKEN);
        if let Some(token) = store.get(&refresh_account)? {
            let host = login_host(&org.login_url)?;
            if let Err(e) = revoke(&host.url(), &orgfleet_salesforce::Sensitive::new(token)).await {
                tracing::warn!(org = org.alias, error = %e, "could not revoke the refresh token");
            }
        }
        store.delete(&refresh_account)?;
        store.delete(&secrets::account(&org.org_id, &org.username, JWT_KEY_PATH))?;
        self.forget_session(org.id);
        rows::delete(&self.store().conn(), org.id)?;
        Ok(())
    }
}
