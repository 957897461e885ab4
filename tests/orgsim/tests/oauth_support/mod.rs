//! Shared helpers of the OAuth integration tests (`oauth.rs`, `oauth_jwt.rs`): a started orgsim
//! with two orgs, an HTTP client that does not follow redirects, and a token endpoint call.

use orgsim::RunningSim;
use orgsim::config::Config;
use serde_json::{Value, json};

pub async fn start() -> (RunningSim, Vec<String>) {
    let config: Config = serde_json::from_value(json!({
        "orgs": [
            {"alias": "prod", "name": "Acme", "kind": "production",
             "users": [{"username": "ada@acme.test", "name": "Ada Lovelace", "password": "s3cret"}]},
            {"alias": "uat", "kind": "sandbox",
             "users": [{"username": "ada@acme.test.uat", "password": "s3cret"}]}
        ]
    }))
    .unwrap();
    config.start("127.0.0.1:0".parse().unwrap()).await.unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub async fn token_request(login: &str, form: &[(&str, &str)]) -> (u16, Value) {
    let r = client()
        .post(format!("{login}/services/oauth2/token"))
        .form(form)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}
