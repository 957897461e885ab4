//! Fault injection over real HTTP: 503 bursts, latency, dropped connections, token expiry,
//! the SOAP-facing flags, and the request log.

use std::time::{Duration, Instant};

use orgsim::RunningSim;
use orgsim::config::Config;
use serde_json::{Value, json};

async fn start() -> (RunningSim, String, String, String) {
    let config: Config = serde_json::from_value(json!({
        "orgs": [{"alias": "prod", "users": [{"username": "ops@acme.test", "password": "pw"}]}]
    }))
    .unwrap();
    let (sim, ids) = config.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let instance = sim
        .sim
        .with_org(&ids[0], |o| o.instance_url.clone())
        .unwrap();
    let token: Value = reqwest::Client::new()
        .post(format!("{}/services/oauth2/token", sim.login_url))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "PlatformCLI"),
            ("username", "ops@acme.test"),
            ("password", "pw"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    (sim, ids[0].clone(), instance, token)
}

async fn set_faults(sim: &RunningSim, faults: Value) -> u16 {
    reqwest::Client::new()
        .put(format!("{}/_orgsim/orgs/prod/faults", sim.login_url))
        .json(&faults)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

async fn limits(instance: &str, token: &str) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new()
        .get(format!("{instance}/services/data/v63.0/limits"))
        .bearer_auth(token)
        .timeout(Duration::from_secs(5))
        .send()
        .await
}

#[tokio::test]
async fn error_rate_latency_and_drops() {
    let (sim, _, instance, token) = start().await;
    assert_eq!(
        set_faults(&sim, json!({"error_rate": 1.0, "error_status": 503})).await,
        200
    );
    for _ in 0..3 {
        let r = limits(&instance, &token).await.unwrap();
        assert_eq!(r.status(), 503);
        let body: Value = r.json().await.unwrap();
        assert_eq!(body[0]["errorCode"], "SERVER_UNAVAILABLE");
    }
    assert_eq!(
        set_faults(&sim, json!({"error_rate": 1.0, "error_status": 500})).await,
        200
    );
    let body: Value = limits(&instance, &token)
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body[0]["errorCode"], "UNKNOWN_EXCEPTION");

    assert_eq!(
        set_faults(&sim, json!({"latency_ms": 300, "jitter_ms": 50})).await,
        200
    );
    let started = Instant::now();
    assert_eq!(limits(&instance, &token).await.unwrap().status(), 200);
    assert!(started.elapsed() >= Duration::from_millis(300));

    assert_eq!(set_faults(&sim, json!({"drop_rate": 1.0})).await, 200);
    let dropped = match limits(&instance, &token).await {
        Ok(r) => r.bytes().await.is_err(),
        Err(_) => true,
    };
    assert!(dropped, "the connection is dropped mid-response");

    assert_eq!(
        set_faults(&sim, json!({"timeout_rate": 1.0, "hang_ms": 3000})).await,
        200
    );
    let hung = reqwest::Client::new()
        .get(format!("{instance}/services/data/v63.0/limits"))
        .bearer_auth(&token)
        .timeout(Duration::from_millis(500))
        .send()
        .await;
    assert!(hung.unwrap_err().is_timeout());

    // Bad fault specs are refused with 400.
    assert_eq!(set_faults(&sim, json!({"error_rate": 2.0})).await, 400);
    assert_eq!(set_faults(&sim, json!({"nonsense": true})).await, 400);
    let cleared = reqwest::Client::new()
        .delete(format!("{}/_orgsim/orgs/prod/faults", sim.login_url))
        .send()
        .await
        .unwrap();
    assert_eq!(cleared.status(), 204);
    assert_eq!(limits(&instance, &token).await.unwrap().status(), 200);
}

#[tokio::test]
async fn token_expiry_budget_and_soap_flags() {
    let (sim, org_id, instance, token) = start().await;
    assert_eq!(limits(&instance, &token).await.unwrap().status(), 200);
    let r = reqwest::Client::new()
        .post(format!("{}/_orgsim/orgs/prod/expire-tokens", sim.login_url))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["expired"], 1);
    let r = limits(&instance, &token).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()[0]["errorCode"],
        "INVALID_SESSION_ID"
    );

    assert_eq!(
        set_faults(&sim, json!({"api_budget_exhausted": true, "deploy_fail_component": "ApexClass:Foo", "retrieve_never_finishes": true})).await,
        200
    );
    let r = limits(&instance, "whatever").await.unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(
        r.json::<Value>().await.unwrap()[0]["errorCode"],
        "REQUEST_LIMIT_EXCEEDED"
    );
    let faults = orgsim::faults::faults_for(&sim.sim, &org_id);
    assert_eq!(
        faults.deploy_fail_component.as_deref(),
        Some("ApexClass:Foo")
    );
    assert!(faults.retrieve_never_finishes);
}

#[tokio::test]
async fn request_log_records_every_request() {
    let (sim, org_id, instance, token) = start().await;
    assert_eq!(limits(&instance, &token).await.unwrap().status(), 200);
    assert_eq!(limits(&instance, "bad").await.unwrap().status(), 401);
    let log: Value = reqwest::get(format!(
        "{}/_orgsim/requests?org=prod&limit=10",
        sim.login_url
    ))
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    let entries = log.as_array().unwrap();
    assert_eq!(entries.len(), 2);
    assert_eq!(entries[0]["org_id"], org_id.as_str());
    assert_eq!(entries[0]["host"], "instance");
    assert_eq!(entries[0]["method"], "GET");
    assert_eq!(entries[0]["path"], "/services/data/v63.0/limits");
    assert_eq!(
        (entries[0]["status"].as_u64(), entries[1]["status"].as_u64()),
        (Some(200), Some(401))
    );
    let all: Value = reqwest::get(format!("{}/_orgsim/requests", sim.login_url))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        all.as_array()
            .unwrap()
            .iter()
            .any(|e| e["host"] == "login" && e["path"] == "/services/oauth2/token")
    );
}

#[tokio::test]
async fn session_expiry_and_foreign_tokens() {
    let (sim, _, prod, _) = start().await;
    let http = reqwest::Client::new();
    let uat: Value = http
        .post(format!("{}/_orgsim/orgs", sim.login_url))
        .json(&json!({"alias": "uat", "kind": "sandbox"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let uat = uat["instance_url"].as_str().unwrap().to_owned();
    let set = http
        .put(format!("{}/_orgsim/settings", sim.login_url))
        .json(&json!({"token_lifetime_secs": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let token: Value = http
        .post(format!("{}/services/oauth2/token", sim.login_url))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "PlatformCLI"),
            ("username", "ops@acme.test"),
            ("password", "pw"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let minted = Instant::now();
    let access = token["access_token"].as_str().unwrap();
    assert_eq!(limits(&prod, access).await.unwrap().status(), 200);
    // A prod token on the sandbox's instance is not a session there.
    let r = limits(&uat, access).await.unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()[0]["errorCode"],
        "INVALID_SESSION_ID"
    );
    let expiry = Duration::from_millis(3300);
    tokio::time::sleep(expiry.saturating_sub(minted.elapsed())).await;
    let r = limits(&prod, access).await.unwrap();
    assert_eq!(r.status(), 401, "expired mid-session");
    assert_eq!(
        r.json::<Value>().await.unwrap(),
        json!([{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])
    );
}
