//! Every log line written while connecting, using and disconnecting an org, at TRACE level and
//! from every crate (ours, reqwest, hyper, oauth2), is captured; no token may appear in it.
//! Its own test binary, because it installs the process-wide tracing subscriber.

use std::io::Write;
use std::sync::{Arc, Mutex};

use orgfleet_engine::connect_request::{ConnectRequest, JwtConnect};
use orgfleet_engine::{Engine, JobStatus};
use orgfleet_store::secrets::{FileSecretStore, SecretStore};
use orgfleet_testkit::register_jwt_app;
use orgsim::config::Config;
use serde_json::json;

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tokens_never_reach_the_logs() {
    let capture = Capture::default();
    let writer = capture.clone();
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .init();

    let config: Config = serde_json::from_value(json!({"orgs": [
        {"alias": "prod", "kind": "production", "users": [{"username": "ci@acme.test", "password": "pw"}]}
    ]}))
    .unwrap();
    let (sim, _) = config.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let key_path = register_jwt_app(&sim.sim, "app", dir.path());
    let key_pem = std::fs::read_to_string(&key_path).unwrap();
    let engine = Arc::new(Engine::open(&dir.path().join("db.sqlite3")).unwrap());
    let secrets = Arc::new(FileSecretStore::new(dir.path().join("secrets.json")));
    engine.use_secret_store(secrets.clone());

    let request = ConnectRequest::Jwt(JwtConnect {
        alias: "acme".into(),
        login_host: sim.login_url.clone(),
        client_id: "app".into(),
        username: "ci@acme.test".into(),
        key_path: key_path.clone(),
        tags: vec![],
    });
    let job = engine
        .start_connect(request, Arc::new(|_: &str| {}))
        .unwrap();
    assert_eq!(
        job.done.await.unwrap().unwrap().status,
        JobStatus::Succeeded
    );
    let org = engine.org("acme").unwrap();
    // Force a token refresh mid-use, then disconnect.
    sim.sim
        .inner
        .sessions
        .write()
        .unwrap()
        .values_mut()
        .for_each(|s| s.expires_at_ms = 0);
    let access_before: Vec<String> = sim
        .sim
        .inner
        .sessions
        .read()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    engine.check_org(org.id).await.unwrap();
    let mut secrets_seen: Vec<String> = sim
        .sim
        .inner
        .sessions
        .read()
        .unwrap()
        .keys()
        .cloned()
        .collect();
    secrets_seen.extend(access_before);
    secrets_seen.extend(secrets.get("unused").unwrap());
    engine.disconnect_org(org.id, Some("acme")).await.unwrap();

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.len() > 1000,
        "the capture should hold real TRACE output ({} bytes)",
        logs.len()
    );
    assert!(!secrets_seen.is_empty());
    for token in &secrets_seen {
        assert!(!logs.contains(token.as_str()), "an access token was logged");
    }
    let key_body = key_pem.lines().nth(1).unwrap();
    assert!(!logs.contains(key_body), "the private key was logged");
}
