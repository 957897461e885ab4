//! Session behaviour against orgsim: refresh on expiry in the middle of a query (REST and
//! SOAP), JWT re-grant, revoked logins, the server being down, 5xx retries only for
//! idempotent calls, the loopback rule, API usage, limits, version negotiation, the
//! concurrency limit, and that no token ever reaches Debug output or logs.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use orgfleet_salesforce::*;
use serde_json::json;

async fn seed_accounts(env: &Env, alias: &str, n: usize) {
    let rows: Vec<_> = (0..n)
        .map(|i| json!({"Name": format!("Acct {i:04}")}))
        .collect();
    let r = no_redirects()
        .post(format!(
            "{}/_orgsim/orgs/{alias}/records/Account",
            env.sim.login_url
        ))
        .json(&rows)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

fn set_faults(env: &Env, index: usize, faults: orgsim::faults::Faults) {
    orgsim::faults::set_faults(&env.sim.sim, &env.org_ids[index], faults);
}

#[tokio::test]
async fn refresh_on_expiry_in_the_middle_of_a_query() {
    let env = start(vec![org("prod")]).await;
    seed_accounts(&env, "prod", 450).await;
    let sink = Arc::new(RecordingSink::default());
    let session = session(&env, "user@prod.test", sink.clone()).await;
    let before = session.tokens();

    let mut pages = session
        .rest()
        .query_pages("SELECT Id, Name FROM Account", Some(200))
        .await
        .unwrap();
    let first = pages.next_page().await.unwrap().unwrap();
    assert_eq!(first.len(), 200);
    let total = pages.total_size().unwrap();
    assert!(total >= 450);

    env.expire_access_tokens(0);
    let mut all = first;
    while let Some(page) = pages.next_page().await.unwrap() {
        all.extend(page);
    }
    assert_eq!(
        all.len() as u64,
        total,
        "every page arrived despite the expiry"
    );

    let seen = sink.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1, "one refresh, reported once");
    assert_eq!(seen[0].0, "user@prod.test");
    assert_ne!(seen[0].1.access_token, before.access_token);
    assert_eq!(
        seen[0].1.refresh_token, before.refresh_token,
        "refresh token kept"
    );
    assert_eq!(session.tokens().access_token, seen[0].1.access_token);

    // The Metadata SOAP API reports expiry as a fault; it is refreshed the same way.
    env.expire_access_tokens(0);
    let describe = session.metadata().describe_metadata().await.unwrap();
    assert!(
        describe
            .metadata_objects
            .iter()
            .any(|o| o.xml_name == "ApexClass")
    );
    assert_eq!(sink.seen.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn concurrent_calls_share_one_refresh() {
    let env = start(vec![org("prod")]).await;
    let sink = Arc::new(RecordingSink::default());
    let session = session(&env, "user@prod.test", sink.clone()).await;
    env.expire_access_tokens(0);
    let calls = (0..8).map(|_| {
        let s = session.clone();
        tokio::spawn(async move { s.rest().query("SELECT Id FROM User").await })
    });
    for call in calls {
        call.await.unwrap().unwrap();
    }
    assert_eq!(sink.seen.lock().unwrap().len(), 1, "no refresh storm");
}

#[tokio::test]
async fn jwt_sessions_re_grant_on_expiry() {
    let env = start(vec![org("prod")]).await;
    let config = env.jwt("user@prod.test");
    let tokens = jwt_login(&config).await.unwrap();
    let sink = Arc::new(RecordingSink::default());
    let session = Session::connect(
        tokens,
        Credentials::Jwt(config),
        fast_config("ci-org"),
        Some(sink.clone()),
    )
    .await
    .unwrap();
    env.expire_access_tokens(0);
    session
        .rest()
        .query("SELECT Id FROM Organization")
        .await
        .unwrap();
    assert_eq!(sink.seen.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_revoked_login_says_reconnect_this_org() {
    let env = start(vec![org("prod")]).await;
    let sink = Arc::new(RecordingSink::default());
    let session = session(&env, "user@prod.test", sink.clone()).await;
    session.revoke().await.unwrap();
    let err = session
        .rest()
        .query("SELECT Id FROM Account")
        .await
        .unwrap_err();
    assert!(err.is_reconnect_required(), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains("user@prod.test") && text.contains("reconnect this org"),
        "{text}"
    );
    assert!(sink.seen.lock().unwrap().is_empty());

    // Without refresh credentials an expired session also asks for a reconnect.
    let tokens = web_login(&env, "user@prod.test").await;
    let session = Session::connect(tokens, Credentials::None, fast_config("prod"), None)
        .await
        .unwrap();
    env.expire_access_tokens(0);
    let err = session.rest().limits().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "The session for prod expired and could not be refreshed — reconnect the org"
    );
}

fn dead_tokens(url: &str) -> TokenSet {
    TokenSet {
        access_token: Sensitive::new("00D000000000001!dead".into()),
        refresh_token: None,
        instance_url: url::Url::parse(url).unwrap(),
        id: None,
        issued_at: std::time::SystemTime::now(),
        scope: None,
    }
}

#[tokio::test]
async fn server_down_gives_a_clear_error_after_bounded_retries() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut config = fast_config("down");
    config.pinned_api_version = Some("63.0".into());
    let session = Session::new(
        dead_tokens(&format!("http://127.0.0.1:{port}")),
        Credentials::None,
        config,
        None,
    )
    .unwrap();
    let started = Instant::now();
    let err = session
        .rest()
        .query("SELECT Id FROM Account")
        .await
        .unwrap_err();
    match &err {
        Error::Unreachable { attempts, .. } => assert_eq!(*attempts, 3),
        other => panic!("{other:?}"),
    }
    assert!(
        err.to_string()
            .contains("Cannot reach 127.0.0.1 after 3 attempt(s)"),
        "{err}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));

    // Anonymous Apex is never retried.
    match session
        .tooling()
        .execute_anonymous("System.debug(1);")
        .await
    {
        Err(Error::Unreachable { attempts: 1, .. }) => {}
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn server_errors_are_retried_for_reads_only() {
    let env = start(vec![org("prod")]).await;
    let session = session(&env, "user@prod.test", Arc::default()).await;
    set_faults(
        &env,
        0,
        orgsim::faults::Faults {
            error_rate: 1.0,
            error_status: 503,
            ..Default::default()
        },
    );
    let count = |env: &Env, needle: &str| {
        env.requests(0)
            .iter()
            .filter(|r| r.path.contains(needle))
            .count()
    };
    let err = session
        .rest()
        .query("SELECT Id FROM Account")
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::Server {
                status: 503,
                attempts: 3,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(count(&env, "/query"), 3);
    let err = session
        .tooling()
        .execute_anonymous("System.debug(1);")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Server { attempts: 1, .. }), "{err:?}");
    assert_eq!(count(&env, "executeAnonymous"), 1);

    // A transient outage is ridden out.
    set_faults(
        &env,
        0,
        orgsim::faults::Faults {
            error_rate: 0.5,
            ..Default::default()
        },
    );
    let mut config = fast_config("flaky");
    config.retry.max_attempts = 12;
    let flaky = Session::new(session.tokens(), Credentials::None, config, None).unwrap();
    for _ in 0..5 {
        flaky.rest().query("SELECT Id FROM Account").await.unwrap();
    }
}

#[tokio::test]
async fn plain_http_to_a_remote_host_is_refused() {
    let err = Session::new(
        dead_tokens("http://acme.my.salesforce.com"),
        Credentials::None,
        SessionConfig::new("acme"),
        None,
    )
    .unwrap_err();
    assert!(matches!(err, Error::InsecureUrl { .. }));
    assert!(err.to_string().contains("https"));
    assert!(
        Session::new(
            dead_tokens("https://acme.my.salesforce.com"),
            Credentials::None,
            SessionConfig::new("acme"),
            None
        )
        .is_ok()
    );
}

#[tokio::test]
async fn usage_limits_and_version_negotiation() {
    let env = start(vec![org("prod")]).await;
    let session = session(&env, "user@prod.test", Arc::default()).await;
    assert_eq!(
        session.api_version().await.unwrap(),
        "65.0",
        "orgsim's newest ≤ 66.0"
    );
    let limits = session.rest().limits().await.unwrap();
    let daily = limits["DailyApiRequests"];
    assert!(daily.max > 0);
    let usage = session.api_usage().expect("Sforce-Limit-Info seen");
    assert_eq!(usage.max as i64, daily.max);
    assert!(usage.used > 0);
    assert_eq!(session.org_id().unwrap(), env.org_ids[0]);

    let mut older = fast_config("old");
    older.max_api_version = "60.0".into();
    let old = Session::connect(session.tokens(), Credentials::None, older, None)
        .await
        .unwrap();
    assert_eq!(old.api_version().await.unwrap(), "60.0");

    set_faults(
        &env,
        0,
        orgsim::faults::Faults {
            api_budget_exhausted: true,
            ..Default::default()
        },
    );
    let err = session
        .rest()
        .query("SELECT Id FROM Account")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::RequestLimitExceeded { .. }), "{err:?}");
    assert!(err.to_string().contains("24-hour window"));
    let err = session.metadata().describe_metadata().await.unwrap_err();
    assert_eq!(
        err.salesforce_code(),
        Some("REQUEST_LIMIT_EXCEEDED"),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_concurrency_limit_holds() {
    let env = start(vec![org("prod")]).await;
    let tokens = web_login(&env, "user@prod.test").await;
    let mut config = fast_config("prod");
    config.max_concurrent = 2;
    let session = Session::connect(tokens, Credentials::None, config, None)
        .await
        .unwrap();
    set_faults(
        &env,
        0,
        orgsim::faults::Faults {
            latency_ms: 200,
            ..Default::default()
        },
    );
    let started = Instant::now();
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let s = session.clone();
            tokio::spawn(async move { s.rest().query("SELECT Id FROM User").await })
        })
        .collect();
    for c in calls {
        c.await.unwrap().unwrap();
    }
    assert!(
        started.elapsed() >= Duration::from_millis(590),
        "{:?}",
        started.elapsed()
    );
    assert!(
        Session::new(
            session.tokens(),
            Credentials::None,
            SessionConfig {
                max_concurrent: 0,
                ..SessionConfig::new("x")
            },
            None
        )
        .is_err()
    );
}

#[derive(Clone, Default)]
struct Buffer(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn tokens_never_reach_debug_output_or_logs() {
    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("orgfleet_salesforce=trace,reqwest=trace,oauth2=trace")
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let env = start(vec![org("prod")]).await;
    let sink = Arc::new(RecordingSink::default());
    let session = session(&env, "user@prod.test", sink.clone()).await;
    env.expire_access_tokens(0);
    session
        .rest()
        .query("SELECT Id FROM Account")
        .await
        .unwrap();
    let old = sink.seen.lock().unwrap()[0].1.clone();
    let now = session.tokens();
    let secrets = [
        now.access_token.expose().clone(),
        now.refresh_token.clone().unwrap().expose().clone(),
        old.access_token.expose().clone(),
    ];
    let credentials = Credentials::from_login(&env.oauth(), &now);
    let debug = format!(
        "{now:?} {old:?} {session:?} {credentials:?} {:?} {:#?}",
        env.jwt("user@prod.test"),
        now
    );
    assert!(debug.contains("<redacted>"));
    assert!(
        serde_json::to_string(&now.access_token).is_err(),
        "serializing a secret is refused"
    );
    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(logs.contains("session refreshed"), "the refresh was logged");
    for secret in &secrets {
        assert!(!debug.contains(secret.as_str()), "a token in Debug output");
        assert!(!logs.contains(secret.as_str()), "a token in the logs");
    }
    assert!(!debug.contains("BEGIN PRIVATE KEY"));
}
