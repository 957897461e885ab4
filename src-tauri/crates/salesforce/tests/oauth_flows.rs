//! The login flows against orgsim: the browser flow end to end (the test plays the
//! browser), CSRF state checking, denial, cancel and timeout; JWT bearer; importing an sfdx
//! auth URL; revoke; identity and userinfo.

mod common;

use std::time::Duration;

use common::*;
use orgfleet_salesforce::*;
use tokio_util::sync::CancellationToken;

fn web_config(env: &Env) -> WebLoginConfig {
    let mut config = WebLoginConfig::new(env.oauth());
    config.port = 0;
    config
}

#[tokio::test]
async fn web_flow_end_to_end_with_pkce_and_state() {
    let env = start(vec![org("prod")]).await;
    let login = start_web_login(web_config(&env)).await.unwrap();
    let url = login.authorize_url.clone();
    let q = query_of(url.as_str());
    assert!(
        url.as_str()
            .starts_with(&format!("{}/services/oauth2/authorize", env.sim.login_url))
    );
    assert_eq!(q["client_id"], APP);
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["code_challenge_method"], "S256");
    assert_eq!(q["code_challenge"].len(), 43, "base64url SHA-256");
    assert_eq!(q["scope"], "refresh_token api web");
    assert_eq!(q["redirect_uri"], login.redirect_uri);
    assert!(login.redirect_uri.starts_with("http://localhost:"));
    assert!(login.redirect_uri.ends_with("/OauthRedirect"));

    let waiter = tokio::spawn(login.wait(CancellationToken::new()));
    // A stray favicon request does not end the login.
    let port = url::Url::parse(&q["redirect_uri"]).unwrap().port().unwrap();
    let (status, _) = follow(&format!("http://127.0.0.1:{port}/favicon.ico")).await;
    assert_eq!(status, 404);

    let location = browser_login(url.as_str(), "user@prod.test", PASSWORD).await;
    assert!(location.starts_with(&q["redirect_uri"]));
    // Browsers open idle "preconnect" sockets; they must not hold up the redirect.
    let _idle = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let (status, page) = follow(&location).await;
    assert!(started.elapsed() < Duration::from_secs(5), "served at once");
    assert_eq!(status, 200);
    assert!(page.contains("You are connected"), "{page}");

    let tokens = waiter.await.unwrap().unwrap();
    assert!(tokens.refresh_token.is_some());
    assert_eq!(
        tokens.instance_url.as_str().trim_end_matches('/'),
        env.instance_url(0)
    );
    let identity = tokens.identity().unwrap();
    assert_eq!(identity.org_id, env.org_ids[0]);
    assert!(identity.user_id.starts_with("005"));

    let info = userinfo(&tokens).await.unwrap();
    assert_eq!(info.preferred_username, "user@prod.test");
    assert_eq!(info.organization_id, env.org_ids[0]);
    assert_eq!(info.user_id, identity.user_id);
}

#[tokio::test]
async fn a_redirect_with_the_wrong_state_is_rejected() {
    let env = start(vec![org("prod")]).await;
    let login = start_web_login(web_config(&env)).await.unwrap();
    let url = login.authorize_url.to_string();
    let waiter = tokio::spawn(login.wait(CancellationToken::new()));
    let location = browser_login(&url, "user@prod.test", PASSWORD).await;
    let real_state = query_of(&location)["state"].clone();
    let forged = location.replace(&format!("state={real_state}"), "state=forged");
    assert_ne!(forged, location);
    let (status, page) = follow(&forged).await;
    assert_eq!(status, 400);
    assert!(
        page.contains("Connection failed") && page.contains("cross-site"),
        "{page}"
    );
    let err = waiter.await.unwrap().unwrap_err();
    assert!(matches!(err, Error::StateMismatch), "{err}");
}

#[tokio::test]
async fn a_denied_login_shows_the_reason() {
    let env = start(vec![org("prod")]).await;
    let login = start_web_login(web_config(&env)).await.unwrap();
    let url = login.authorize_url.to_string();
    let waiter = tokio::spawn(login.wait(CancellationToken::new()));
    // The user clicks Deny: orgsim redirects with error=access_denied and the state.
    let http = no_redirects();
    let page = http.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(page.contains("<form"));
    let mut form: Vec<(String, String)> = query_of(&url).into_iter().collect();
    form.push(("action".into(), "deny".into()));
    let r = http
        .post(format!("{}/services/oauth2/authorize", env.sim.login_url))
        .form(&form)
        .send()
        .await
        .unwrap();
    let location = r.headers()["location"].to_str().unwrap().to_owned();
    let (status, page) = follow(&location).await;
    assert_eq!(status, 400);
    assert!(page.contains("access_denied"));
    match waiter.await.unwrap().unwrap_err() {
        Error::LoginDenied { error, .. } => assert_eq!(error, "access_denied"),
        other => panic!("{other}"),
    }
}

#[tokio::test]
async fn waiting_can_be_cancelled_or_time_out() {
    let env = start(vec![org("prod")]).await;
    let login = start_web_login(web_config(&env)).await.unwrap();
    let cancel = CancellationToken::new();
    let waiter = tokio::spawn(login.wait(cancel.clone()));
    cancel.cancel();
    assert!(matches!(waiter.await.unwrap(), Err(Error::LoginCancelled)));

    let mut config = web_config(&env);
    config.timeout = Duration::from_millis(200);
    let login = start_web_login(config).await.unwrap();
    let err = login.wait(CancellationToken::new()).await.unwrap_err();
    assert!(matches!(err, Error::LoginTimedOut(_)));
    assert!(err.to_string().contains("start the login again"));
}

#[tokio::test]
async fn a_busy_port_gives_a_clear_error() {
    let env = start(vec![org("prod")]).await;
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mut config = web_config(&env);
    config.port = taken.local_addr().unwrap().port();
    let err = start_web_login(config).await.unwrap_err();
    assert!(matches!(err, Error::LoopbackBind { .. }));
    assert!(err.to_string().contains("choose another port"));
}

#[tokio::test]
async fn defaults_are_the_salesforce_cli_ones() {
    let config = WebLoginConfig::new(OAuthConfig::new(LoginHost::Sandbox));
    assert_eq!(config.oauth.client_id, "PlatformCLI");
    assert_eq!(
        (config.port, config.path.as_str()),
        (1717, "/OauthRedirect")
    );
    assert_eq!(config.timeout, Duration::from_secs(300));
    assert!(config.oauth.client_secret.is_none());
}

#[tokio::test]
async fn jwt_bearer_login() {
    let env = start(vec![org("prod")]).await;
    let tokens = jwt_login(&env.jwt("user@prod.test")).await.unwrap();
    assert!(tokens.refresh_token.is_none(), "JWT gives no refresh token");
    assert_eq!(tokens.identity().unwrap().org_id, env.org_ids[0]);
    let info = userinfo(&tokens).await.unwrap();
    assert_eq!(info.preferred_username, "user@prod.test");

    // Unknown user and unknown app are refused with advice.
    let err = jwt_login(&env.jwt("nobody@prod.test")).await.unwrap_err();
    assert!(
        matches!(&err, Error::OAuth { error, .. } if error == "invalid_grant"),
        "{err}"
    );
    let mut wrong_app = env.jwt("user@prod.test");
    wrong_app.client_id = "Nope".into();
    let err = jwt_login(&wrong_app).await.unwrap_err();
    assert!(err.to_string().contains("consumer key"), "{err}");
}

#[tokio::test]
async fn sfdx_auth_url_import_then_revoke() {
    let env = start(vec![org("prod")]).await;
    let first = web_login(&env, "user@prod.test").await;
    let rt = first.refresh_token.clone().unwrap();
    let auth_url = format!("force://{APP}::{}@{}", rt.expose(), env.instance_url(0));
    let parsed = parse_auth_url(&auth_url).unwrap();
    let imported = parsed.login("prod").await.unwrap();
    assert_eq!(imported.identity(), first.identity());
    assert_eq!(
        imported.refresh_token.as_ref(),
        Some(&rt),
        "kept for the keychain"
    );
    assert_ne!(imported.access_token, first.access_token);

    revoke(&imported.instance_url, &rt).await.unwrap();
    let err = parsed.login("prod").await.unwrap_err();
    assert!(err.is_reconnect_required(), "{err}");
    assert!(err.to_string().contains("reconnect this org"));
    // Revoking twice is refused by the server and reported, not ignored.
    assert!(revoke(&imported.instance_url, &rt).await.is_err());
}

#[tokio::test]
async fn plain_http_login_hosts_are_refused() {
    let err = LoginHost::parse("http://login.example.com").unwrap_err();
    assert!(matches!(err, Error::InsecureUrl { .. }));
    let host = LoginHost::Custom(url::Url::parse("http://login.example.com").unwrap());
    let config = JwtConfig {
        login_host: host.clone(),
        client_id: "x".into(),
        username: "u".into(),
        private_key_pem: Sensitive::new(String::new()),
    };
    assert!(matches!(
        jwt_login(&config).await,
        Err(Error::InsecureUrl { .. })
    ));
    let err = start_web_login(WebLoginConfig::new(OAuthConfig::new(host)))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        Error::InsecureUrl { .. } | Error::LoopbackBind { .. }
    ));
}

/// A stand-in `sf` that prints recorded-shape JSON (access tokens included, as the real one
/// does) and the auth URL of a real orgsim login.
fn fake_sf(dir: &std::path::Path, auth_url: &str) -> std::path::PathBuf {
    let list = serde_json::json!({"status": 0, "result": {
        "nonScratchOrgs": [{"alias": "prod", "username": "user@prod.test", "orgId": "00Dx", "instanceUrl": "https://acme.my.salesforce.com",
                            "accessToken": "00Dx!SECRET-ACCESS", "loginUrl": "https://login.salesforce.com", "isSandbox": false,
                            "isDevHub": true, "connectedStatus": "Connected"}],
        "devHubs": [{"alias": "prod", "username": "user@prod.test", "isDevHub": true}],
        "scratchOrgs": [{"username": "test-abc@example.com", "isScratch": true, "connectedStatus": "Connected"}],
        "sandboxes": [], "other": []}, "warnings": []});
    let display = serde_json::json!({"status": 0, "result": {"username": "user@prod.test", "sfdxAuthUrl": auth_url}});
    let jwt_display =
        serde_json::json!({"status": 0, "result": {"username": "test-abc@example.com"}});
    let missing = serde_json::json!({"status": 1, "name": "NamedOrgNotFoundError", "message": "No authorization information found for nobody."});
    let script = format!(
        "#!/bin/sh\ncase \"$*\" in\n  'org list --all --json') echo '{list}' ;;\n  *user@prod.test*) echo '{display}' ;;\n  *test-abc*) echo '{jwt_display}' ;;\n  *) echo '{missing}'; exit 1 ;;\nesac\n"
    );
    let path = dir.join("sf");
    std::fs::write(&path, script).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    path
}

#[cfg(unix)]
#[tokio::test]
async fn importing_orgs_from_the_salesforce_cli() {
    let env = start(vec![org("prod")]).await;
    let first = web_login(&env, "user@prod.test").await;
    let auth_url = format!(
        "force://{APP}::{}@{}",
        first.refresh_token.clone().unwrap().expose(),
        env.instance_url(0)
    );
    let dir = tempfile::tempdir().unwrap();
    let cli = SfCli {
        program: fake_sf(dir.path(), &auth_url),
        ..SfCli::default()
    };
    let orgs = cli.list_orgs().await.unwrap();
    assert_eq!(orgs.len(), 2, "dev hub listed once: {orgs:?}");
    assert_eq!(orgs[0].alias.as_deref(), Some("prod"));
    assert!(orgs[1].is_scratch);
    assert!(
        !format!("{orgs:?}").contains("SECRET-ACCESS"),
        "CLI access tokens are not kept"
    );

    let imported = cli
        .auth_url("user@prod.test")
        .await
        .unwrap()
        .login("prod")
        .await
        .unwrap();
    assert_eq!(imported.identity(), first.identity());

    let err = cli.auth_url("test-abc@example.com").await.unwrap_err();
    assert!(err.to_string().contains("JWT"), "{err}");
    let err = cli.auth_url("nobody").await.unwrap_err();
    assert!(
        err.to_string()
            .contains("No authorization information found"),
        "{err}"
    );
    let missing = SfCli {
        program: dir.path().join("not-installed"),
        ..SfCli::default()
    };
    let err = missing.list_orgs().await.unwrap_err();
    assert!(
        err.to_string().contains("install the Salesforce CLI"),
        "{err}"
    );
}
