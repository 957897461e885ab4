//! Connecting orgs end to end against orgsim: the browser flow (the test plays the browser),
//! JWT, re-connect without duplicates, health checks, a revoked session, cancel, disconnect
//! with the protected-org confirmation, and no token in the database file.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use orgfleet_engine::connect::UrlOpener;
use orgfleet_engine::connect_request::{ConnectRequest, JwtConnect, WebConnect};
use orgfleet_engine::{Engine, Error, JobStatus, OrgKind};
use orgfleet_store::secrets::{FileSecretStore, SecretStore};
use orgfleet_testkit::register_jwt_app;
use orgsim::config::Config;
use serde_json::json;

const APP: &str = "orgfleet-engine-test";
const PASSWORD: &str = "s3cret";

struct Env {
    sim: orgsim::RunningSim,
    _dir: tempfile::TempDir,
    engine: Arc<Engine>,
    secrets: Arc<FileSecretStore>,
    key_path: String,
    db_path: std::path::PathBuf,
}

async fn env() -> Env {
    let config: Config = serde_json::from_value(json!({"orgs": [
        {"alias": "prod", "name": "Acme Production", "kind": "production",
         "users": [{"username": "dana@acme.test", "password": PASSWORD}]},
        {"alias": "uat", "name": "Acme UAT", "kind": "sandbox",
         "users": [{"username": "ci@acme.test.uat", "password": PASSWORD}]}
    ]}))
    .unwrap();
    let (sim, _ids) = config.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key_path = register_jwt_app(&sim.sim, APP, dir.path());
    let db_path = dir.path().join("orgfleet.sqlite3");
    let engine = Arc::new(Engine::open(&db_path).unwrap());
    engine.set_oauth_port(0);
    let secrets = Arc::new(FileSecretStore::new(dir.path().join("secrets.json")));
    engine.use_secret_store(secrets.clone());
    Env {
        sim,
        engine,
        secrets,
        key_path,
        db_path,
        _dir: dir,
    }
}

fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Plays the browser: submits orgsim's login page and follows the redirect to our listener.
async fn play_browser(authorize_url: String, username: &'static str) {
    let http = no_redirects();
    let html = http
        .get(&authorize_url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut form: Vec<(String, String)> = html
        .split("<input type=\"hidden\" ")
        .skip(1)
        .filter_map(|chunk| {
            let name = chunk.split("name=\"").nth(1)?.split('"').next()?;
            let value = chunk.split("value=\"").nth(1)?.split('"').next()?;
            Some((
                name.to_owned(),
                value.replace("&amp;", "&").replace("&quot;", "\""),
            ))
        })
        .collect();
    form.push(("username".into(), username.into()));
    form.push(("pw".into(), PASSWORD.into()));
    form.push(("action".into(), "approve".into()));
    let base = reqwest::Url::parse(&authorize_url).unwrap();
    let submit = http
        .post(base.join("/services/oauth2/authorize").unwrap())
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = submit.headers()["location"].to_str().unwrap().to_owned();
    let page = http.get(location).send().await.unwrap();
    assert_eq!(page.status(), 200);
}

fn browser(username: &'static str) -> UrlOpener {
    Arc::new(move |url: &str| {
        tokio::spawn(play_browser(url.to_owned(), username));
    })
}

fn web(env: &Env, alias: &str) -> ConnectRequest {
    ConnectRequest::Web(WebConnect {
        alias: alias.into(),
        login_host: env.sim.login_url.clone(),
        client_id: Some(APP.into()),
        tags: vec!["Client-Acme".into()],
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_login_registers_the_org_and_reconnecting_updates_it() {
    let env = env().await;
    let job = env
        .engine
        .start_connect(web(&env, "acme-prod"), browser("dana@acme.test"))
        .unwrap();
    let job = job.done.await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
    let org = env.engine.org("acme-prod").unwrap();
    assert_eq!(org.kind, OrgKind::Production);
    assert!(org.protected, "production is protected by default");
    assert_eq!(org.username, "dana@acme.test");
    assert_eq!(org.name, "Acme Production");
    assert_eq!(org.tags, vec!["client-acme"]);
    assert_eq!(org.org_id.len(), 18);
    assert!(
        org.api_used.is_some() && org.api_max.is_some(),
        "usage recorded at connect"
    );

    // The refresh token is in the secret store, and nowhere in the database file.
    let account = orgfleet_store::secrets::account(&org.org_id, &org.username, "refresh_token");
    let refresh_token = env
        .secrets
        .get(&account)
        .unwrap()
        .expect("refresh token stored");
    let checked = env.engine.check_org(org.id).await.unwrap();
    assert!(checked.api_used.is_some() && checked.last_error.is_none());
    let mut db = std::fs::read(&env.db_path).unwrap();
    db.extend(std::fs::read(env.db_path.with_extension("sqlite3-wal")).unwrap_or_default());
    assert!(
        !db.windows(refresh_token.len())
            .any(|w| w == refresh_token.as_bytes()),
        "token leaked into SQLite"
    );

    // Nor in what crosses IPC: the connect job's result and the org list.
    let access_tokens: Vec<String> = env
        .sim
        .sim
        .inner
        .sessions
        .read()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    let payloads = [
        serde_json::to_string(&job.result).unwrap(),
        serde_json::to_string(&env.engine.orgs().unwrap()).unwrap(),
    ];
    for payload in &payloads {
        assert!(
            !payload.contains(&refresh_token),
            "refresh token in an IPC payload"
        );
        for access in &access_tokens {
            assert!(
                !payload.contains(access.as_str()),
                "access token in an IPC payload"
            );
        }
    }

    // Logging in again to the same org and user updates the row.
    let again = env
        .engine
        .start_connect(web(&env, "other-alias"), browser("dana@acme.test"))
        .unwrap();
    assert_eq!(
        again.done.await.unwrap().unwrap().status,
        JobStatus::Succeeded
    );
    let orgs = env.engine.orgs().unwrap();
    assert_eq!(orgs.len(), 1);
    assert_eq!(orgs[0].alias, "acme-prod");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn jwt_login_connects_a_sandbox_and_a_revoked_session_asks_to_reconnect() {
    let env = env().await;
    let request = ConnectRequest::Jwt(JwtConnect {
        alias: "acme-uat".into(),
        login_host: env.sim.login_url.clone(),
        client_id: APP.into(),
        username: "ci@acme.test.uat".into(),
        key_path: env.key_path.clone(),
        tags: vec![],
    });
    let job = env
        .engine
        .start_connect(request, Arc::new(|_: &str| {}))
        .unwrap();
    let job = job.done.await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
    let org = env.engine.org("acme-uat").unwrap();
    assert_eq!(org.kind, OrgKind::Sandbox);
    assert!(!org.protected);

    // A web-connected org whose refresh token is revoked must say "reconnect".
    let prod = env
        .engine
        .start_connect(web(&env, "acme-prod"), browser("dana@acme.test"))
        .unwrap();
    assert_eq!(
        prod.done.await.unwrap().unwrap().status,
        JobStatus::Succeeded
    );
    let prod = env.engine.org("acme-prod").unwrap();
    env.sim.sim.inner.refresh_tokens.write().unwrap().clear();
    env.sim.sim.inner.sessions.write().unwrap().clear();
    let err = env.engine.check_org(prod.id).await.unwrap_err();
    assert!(err.needs_reconnect(), "{err}");
    assert!(
        err.to_string().contains("acme-prod") && err.to_string().contains("reconnect"),
        "{err}"
    );
    let recorded = env.engine.org("acme-prod").unwrap();
    assert!(recorded.last_error.unwrap().contains("reconnect"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_browser_login_can_be_cancelled() {
    let env = env().await;
    let opened = Arc::new(Mutex::new(None::<String>));
    let seen = opened.clone();
    let opener: UrlOpener = Arc::new(move |url: &str| *seen.lock().unwrap() = Some(url.to_owned()));
    let job = env
        .engine
        .start_connect(web(&env, "acme-prod"), opener)
        .unwrap();
    for _ in 0..100 {
        if opened.lock().unwrap().is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        opened
            .lock()
            .unwrap()
            .as_deref()
            .unwrap()
            .contains("code_challenge_method=S256")
    );
    env.engine.jobs().cancel(job.id).unwrap();
    let job = job.done.await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Cancelled);
    assert!(env.engine.orgs().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnecting_a_protected_org_needs_its_alias_and_forgets_its_secrets() {
    let env = env().await;
    let job = env
        .engine
        .start_connect(web(&env, "acme-prod"), browser("dana@acme.test"))
        .unwrap();
    assert_eq!(
        job.done.await.unwrap().unwrap().status,
        JobStatus::Succeeded
    );
    let org = env.engine.org("acme-prod").unwrap();
    let account = orgfleet_store::secrets::account(&org.org_id, &org.username, "refresh_token");
    let token = env.secrets.get(&account).unwrap().unwrap();
    assert!(matches!(
        env.engine.disconnect_org(org.id, None).await,
        Err(Error::ConfirmationRequired { .. })
    ));
    env.engine
        .disconnect_org(org.id, Some("acme-prod"))
        .await
        .unwrap();
    assert!(env.engine.orgs().unwrap().is_empty());
    assert_eq!(env.secrets.get(&account).unwrap(), None);
    assert!(
        !env.sim
            .sim
            .inner
            .refresh_tokens
            .read()
            .unwrap()
            .contains_key(&token),
        "revoked at Salesforce"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_before_any_login() {
    let env = env().await;
    let bad_alias = ConnectRequest::Web(WebConnect {
        alias: "has spaces".into(),
        login_host: "production".into(),
        client_id: None,
        tags: vec![],
    });
    assert!(matches!(
        env.engine.start_connect(bad_alias, browser("x")),
        Err(Error::InvalidInput(_))
    ));
    let missing_key = ConnectRequest::Jwt(JwtConnect {
        alias: "ci".into(),
        login_host: env.sim.login_url.clone(),
        client_id: APP.into(),
        username: "ci@acme.test.uat".into(),
        key_path: "/nonexistent/server.key".into(),
        tags: vec![],
    });
    let job = env
        .engine
        .start_connect(missing_key, Arc::new(|_: &str| {}))
        .unwrap();
    let job = job.done.await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Failed);
    assert!(
        job.error
            .unwrap()
            .contains("cannot read the private key file /nonexistent/server.key")
    );
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn orgs_the_salesforce_cli_knows_can_be_imported() {
    use std::os::unix::fs::PermissionsExt;
    let env = env().await;
    // Someone logged in with the sf CLI: obtain a real refresh token from orgsim for it.
    let job = env
        .engine
        .start_connect(web(&env, "seed"), browser("dana@acme.test"))
        .unwrap();
    assert_eq!(
        job.done.await.unwrap().unwrap().status,
        JobStatus::Succeeded
    );
    let seed = env.engine.org("seed").unwrap();
    let account = orgfleet_store::secrets::account(&seed.org_id, &seed.username, "refresh_token");
    let refresh_token = env.secrets.get(&account).unwrap().unwrap();
    let auth_url = format!("force://{APP}::{refresh_token}@{}", seed.instance_url);
    let list = json!({"status": 0, "result": {"nonScratchOrgs": [
        {"alias": "cli-prod", "username": "dana@acme.test", "instanceUrl": seed.instance_url,
         "isSandbox": false, "connectedStatus": "Connected"}],
        "scratchOrgs": [], "sandboxes": [], "devHubs": [], "other": []}});
    let display =
        json!({"status": 0, "result": {"username": "dana@acme.test", "sfdxAuthUrl": auth_url}});
    let dir = tempfile::tempdir().unwrap();
    let sf = dir.path().join("sf");
    std::fs::write(
        &sf,
        format!("#!/bin/sh\ncase \"$*\" in\n  'org list --all --json') echo '{list}' ;;\n  *dana@acme.test*) echo '{display}' ;;\n  *) exit 1 ;;\nesac\n"),
    )
    .unwrap();
    std::fs::set_permissions(&sf, std::fs::Permissions::from_mode(0o755)).unwrap();

    // A second Orgfleet (its own store) imports that org through the sf CLI.
    let other_dir = tempfile::tempdir().unwrap();
    let other = Arc::new(Engine::open(&other_dir.path().join("db.sqlite3")).unwrap());
    other.use_secret_store(Arc::new(FileSecretStore::new(
        other_dir.path().join("secrets.json"),
    )));
    other.set_sf_cli_program(&sf);
    let offered = other.sf_cli_orgs().await.unwrap();
    assert_eq!(offered.len(), 1);
    assert_eq!(
        (offered[0].username.as_str(), offered[0].already_connected),
        ("dana@acme.test", false)
    );
    let request = ConnectRequest::SfCli(orgfleet_engine::connect_request::SfCliConnect {
        alias: "imported".into(),
        username: "dana@acme.test".into(),
        tags: vec![],
    });
    let job = other
        .start_connect(request, Arc::new(|_: &str| {}))
        .unwrap();
    let job = job.done.await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
    let imported = other.org("imported").unwrap();
    assert_eq!(imported.org_id, seed.org_id);
    assert!(other.sf_cli_orgs().await.unwrap()[0].already_connected);

    // Without the sf CLI the error says what to do.
    other.set_sf_cli_program("/nonexistent/sf");
    let err = other.sf_cli_orgs().await.unwrap_err();
    assert!(err.to_string().contains("browser login"), "{err}");
}
