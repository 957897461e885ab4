//! Shared test plumbing: an in-process orgsim, a connected app for our loopback listener,
//! a "browser" that submits orgsim's login page, and quick logins (JWT) for many orgs.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use orgfleet_salesforce::*;
use orgsim::RunningSim;
use orgsim::config::{AppSpec, Config};
use rsa::pkcs8::{EncodePrivateKey, EncodePublicKey, LineEnding};
use serde_json::{Value, json};

/// Connected app whose callback accepts our listener on any port.
pub const APP: &str = "orgfleet-test";
pub const PASSWORD: &str = "s3cret";

pub struct Env {
    pub sim: RunningSim,
    pub org_ids: Vec<String>,
    pub key_pem: String,
}

impl Env {
    pub fn login_host(&self) -> LoginHost {
        LoginHost::parse(&self.sim.login_url).unwrap()
    }

    pub fn oauth(&self) -> OAuthConfig {
        OAuthConfig::new(self.login_host()).with_client_id(APP)
    }

    pub fn jwt(&self, username: &str) -> JwtConfig {
        JwtConfig {
            login_host: self.login_host(),
            client_id: APP.into(),
            username: username.into(),
            private_key_pem: Sensitive::new(self.key_pem.clone()),
        }
    }

    pub fn instance_url(&self, index: usize) -> String {
        self.sim
            .sim
            .with_org(&self.org_ids[index], |o| o.instance_url.clone())
            .unwrap()
    }

    /// Makes every access token of org `index` answer INVALID_SESSION_ID (refresh tokens
    /// stay valid), as when a session times out.
    pub fn expire_access_tokens(&self, index: usize) {
        let org = &self.org_ids[index];
        let mut sessions = self.sim.sim.inner.sessions.write().unwrap();
        for s in sessions.values_mut().filter(|s| &s.org_id == org) {
            s.expires_at_ms = 0;
        }
    }

    pub fn requests(&self, index: usize) -> Vec<orgsim::faults::LogEntry> {
        orgsim::faults::request_log(&self.sim.sim, Some(&self.org_ids[index]), 5000)
    }
}

/// A private key made once per process (RSA keygen is slow in debug builds).
fn key() -> &'static rsa::RsaPrivateKey {
    static KEY: std::sync::OnceLock<rsa::RsaPrivateKey> = std::sync::OnceLock::new();
    KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).unwrap())
}

/// Starts orgsim with `orgs` (JSON org specs); user `n` of org alias `a` is `user@a.test`.
pub async fn start(orgs: Vec<Value>) -> Env {
    let config: Config = serde_json::from_value(json!({ "orgs": orgs })).unwrap();
    let (sim, org_ids) = config.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let key_pem = key().to_pkcs8_pem(LineEnding::LF).unwrap().to_string();
    let public = key()
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    orgsim::config::register_app(
        &sim.sim,
        &AppSpec {
            client_id: APP.into(),
            public_key_pem: Some(public),
            callback_urls: vec!["http://localhost:*".into()],
            ..AppSpec::default()
        },
    )
    .unwrap();
    Env {
        sim,
        org_ids,
        key_pem,
    }
}

pub fn org(alias: &str) -> Value {
    json!({"alias": alias, "kind": "production",
           "users": [{"username": format!("user@{alias}.test"), "password": PASSWORD}]})
}

/// A sandbox (deploys need no test coverage) with generated metadata.
pub fn org_with_metadata(alias: &str, size: usize) -> Value {
    let mut o = org(alias);
    o["kind"] = json!("sandbox");
    o["metadata"] = json!({"generator": {"seed": 7, "size": size}});
    o
}

pub fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn hidden_inputs(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|chunk| {
            let name = chunk.split("name=\"").nth(1)?.split('"').next()?;
            let value = chunk.split("value=\"").nth(1)?.split('"').next()?;
            Some((unescape(name), unescape(value)))
        })
        .collect()
}

/// Plays the browser: opens the authorize URL, submits the login form, and returns the
/// `Location` orgsim redirects to (our loopback listener).
pub async fn browser_login(authorize_url: &str, username: &str, password: &str) -> String {
    let http = no_redirects();
    let page = http.get(authorize_url).send().await.unwrap();
    assert_eq!(page.status(), 200, "the login page");
    let html = page.text().await.unwrap();
    let mut form = hidden_inputs(&html);
    form.push(("username".into(), username.into()));
    form.push(("pw".into(), password.into()));
    form.push(("action".into(), "approve".into()));
    let base = url::Url::parse(authorize_url).unwrap();
    let submit = http
        .post(base.join("/services/oauth2/authorize").unwrap())
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(submit.status(), 302, "{}", submit.text().await.unwrap());
    submit.headers()["location"].to_str().unwrap().to_owned()
}

/// Follows the redirect to our listener like a browser; returns (status, page).
pub async fn follow(location: &str) -> (u16, String) {
    let r = no_redirects().get(location).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

pub fn query_of(url: &str) -> HashMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// Logs in through the web flow (the test playing the browser) and returns the tokens.
pub async fn web_login(env: &Env, username: &str) -> TokenSet {
    let mut config = WebLoginConfig::new(env.oauth());
    config.port = 0;
    let login = start_web_login(config).await.unwrap();
    let url = login.authorize_url.to_string();
    let waiter = tokio::spawn(login.wait(tokio_util::sync::CancellationToken::new()));
    let location = browser_login(&url, username, PASSWORD).await;
    let (status, _) = follow(&location).await;
    assert_eq!(status, 200);
    waiter.await.unwrap().unwrap()
}

/// Records what a session reports through [`TokenSink`].
#[derive(Default)]
pub struct RecordingSink {
    pub seen: Mutex<Vec<(String, TokenSet)>>,
}

impl TokenSink for RecordingSink {
    fn tokens_refreshed(&self, org: &str, tokens: &TokenSet) {
        self.seen
            .lock()
            .unwrap()
            .push((org.to_owned(), tokens.clone()));
    }
}

pub fn fast_config(label: &str) -> SessionConfig {
    let mut config = SessionConfig::new(label);
    config.retry = RetryPolicy {
        max_attempts: 3,
        base_delay: std::time::Duration::from_millis(20),
        max_delay: std::time::Duration::from_millis(100),
    };
    config
}

/// A session for org `index` logged in through the web flow, reporting to `sink`.
pub async fn session(env: &Env, username: &str, sink: Arc<RecordingSink>) -> Session {
    let tokens = web_login(env, username).await;
    let credentials = Credentials::from_login(&env.oauth(), &tokens);
    Session::connect(tokens, credentials, fast_config(username), Some(sink))
        .await
        .unwrap()
}
