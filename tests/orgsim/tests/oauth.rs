//! OAuth against a started orgsim over real HTTP: the web-server flow with PKCE played by a
//! "browser" (the test), refresh, revoke, expiry and foreign tokens. The JWT bearer flow is
//! in `oauth_jwt.rs`; the helpers both use are in `oauth_support`.

mod oauth_support;

use std::collections::HashMap;

use base64::Engine;
use hmac::{Hmac, Mac};
use oauth_support::{client, start, token_request};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

const CALLBACK: &str = "http://localhost:1717/OauthRedirect";

const VERIFIER: &str =
    "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk-a-long-pkce-verifier-as-jsforce-makes";

fn challenge(verifier: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The hidden inputs of the login form, as a browser would submit them.
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

fn query_of(location: &str) -> HashMap<String, String> {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or("");
    form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect()
}

/// GET the authorize page, submit the form; returns the redirect's query (or the page).
async fn browser_login(
    login: &str,
    state: &str,
    username: &str,
    password: &str,
    action: &str,
) -> Result<HashMap<String, String>, String> {
    let http = client();
    let page = http
        .get(format!("{login}/services/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "PlatformCLI"),
            ("redirect_uri", CALLBACK),
            ("state", state),
            ("prompt", "login"),
            ("scope", "refresh_token api web"),
            ("code_challenge", &challenge(VERIFIER)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("<form") && html.contains("action=\"/services/oauth2/authorize\""));
    let mut form = hidden_inputs(&html);
    assert!(
        form.iter().any(|(k, v)| k == "state" && v == state),
        "state carried in the form"
    );
    form.push(("username".into(), username.into()));
    form.push(("pw".into(), password.into()));
    form.push(("action".into(), action.into()));
    let submit = http
        .post(format!("{login}/services/oauth2/authorize"))
        .form(&form)
        .send()
        .await
        .unwrap();
    if submit.status() == 302 {
        let location = submit.headers()["location"].to_str().unwrap().to_owned();
        assert!(
            location.starts_with(CALLBACK),
            "redirects to the callback: {location}"
        );
        Ok(query_of(&location))
    } else {
        Err(submit.text().await.unwrap())
    }
}

async fn exchange(login: &str, code: &str, verifier: &str) -> (u16, Value) {
    let r = client()
        .post(format!("{login}/services/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", "PlatformCLI"),
            ("redirect_uri", CALLBACK),
            ("code_verifier", verifier),
        ])
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

async fn get_json(url: &str, token: &str) -> (u16, Value) {
    let r = client().get(url).bearer_auth(token).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn web_server_flow_with_pkce() {
    let (sim, ids) = start().await;
    let login = &sim.login_url;

    // Wrong password: the page comes back with an error, no redirect.
    let page = browser_login(login, "st1", "ada@acme.test", "nope", "approve")
        .await
        .unwrap_err();
    assert!(page.contains("Please check your username and password"));

    // Deny: redirected with access_denied and the state preserved.
    let denied = browser_login(login, "st-deny", "ada@acme.test", "s3cret", "deny")
        .await
        .unwrap();
    assert_eq!(denied["error"], "access_denied");
    assert_eq!(denied["state"], "st-deny");

    // Wrong verifier is rejected.
    let q = browser_login(login, "abc123", "ada@acme.test", "s3cret", "approve")
        .await
        .unwrap();
    assert_eq!(q["state"], "abc123");
    let (status, body) = exchange(login, &q["code"], "not-the-verifier").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"], "invalid_request");

    // Right verifier: a full token response.
    let q = browser_login(login, "xyz789", "ada@acme.test", "s3cret", "approve")
        .await
        .unwrap();
    assert_eq!(q["state"], "xyz789");
    let (status, token) = exchange(login, &q["code"], VERIFIER).await;
    assert_eq!(status, 200, "{token}");
    let instance_url = sim
        .sim
        .with_org(&ids[0], |o| o.instance_url.clone())
        .unwrap();
    assert_eq!(token["instance_url"], instance_url.as_str());
    assert_eq!(token["token_type"], "Bearer");
    assert!(
        token["access_token"]
            .as_str()
            .unwrap()
            .starts_with(&ids[0][..15])
    );
    assert!(token["refresh_token"].is_string());
    let issued_at = token["issued_at"].as_str().expect("issued_at is a string");
    assert!(issued_at.len() >= 13 && issued_at.bytes().all(|b| b.is_ascii_digit()));
    let id_url = token["id"].as_str().unwrap();
    assert!(id_url.starts_with(&format!("{login}/id/{}/005", ids[0])));
    let mut mac = Hmac::<Sha256>::new_from_slice(b"").unwrap();
    mac.update(format!("{id_url}{issued_at}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    assert_eq!(token["signature"], expected.as_str());

    // The code is single-use.
    let (status, body) = exchange(login, &q["code"], VERIFIER).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );

    // What sfdx-core does next: userinfo on the instance, then the User record.
    let access = token["access_token"].as_str().unwrap();
    let (status, info) =
        get_json(&format!("{instance_url}/services/oauth2/userinfo"), access).await;
    assert_eq!(status, 200);
    assert_eq!(info["preferred_username"], "ada@acme.test");
    assert_eq!(info["organization_id"], ids[0].as_str());
    let user_id = info["user_id"].as_str().unwrap();
    let (status, user) = get_json(
        &format!("{instance_url}/services/data/v63.0/sobjects/User/{user_id}"),
        access,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(user["Username"], "ada@acme.test");
    assert_eq!(
        user["attributes"]["url"],
        format!("/services/data/v63.0/sobjects/User/{user_id}").as_str()
    );
    let (status, identity) = get_json(id_url, access).await;
    assert_eq!(status, 200);
    assert_eq!(identity["username"], "ada@acme.test");
    assert!(
        identity["urls"]["rest"]
            .as_str()
            .unwrap()
            .contains("{version}")
    );
}

#[tokio::test]
async fn authorize_errors_and_auto_approve() {
    let (sim, _) = start().await;
    let login = &sim.login_url;
    let http = client();
    let unknown = http
        .get(format!("{login}/services/oauth2/authorize?response_type=code&client_id=Nope&redirect_uri={CALLBACK}"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    assert!(unknown.text().await.unwrap().contains("invalid_client_id"));
    let bad_cb = http
        .get(format!("{login}/services/oauth2/authorize?response_type=code&client_id=PlatformCLI&redirect_uri=http://evil/cb"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        bad_cb.status(),
        400,
        "never redirects to an unregistered callback"
    );
    let bad_type = http
        .get(format!("{login}/services/oauth2/authorize"))
        .query(&[
            ("response_type", "token"),
            ("client_id", "PlatformCLI"),
            ("redirect_uri", CALLBACK),
            ("state", "s"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(bad_type.status(), 302);
    let q = query_of(bad_type.headers()["location"].to_str().unwrap());
    assert_eq!(
        (q["error"].as_str(), q["state"].as_str()),
        ("unsupported_response_type", "s")
    );

    // Auto-approve through the admin API: no form, straight to the callback.
    let set = http
        .put(format!("{login}/_orgsim/settings"))
        .json(&json!({"auto_approve_username": "ada@acme.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), 200);
    let r = http
        .get(format!("{login}/services/oauth2/authorize"))
        .query(&[
            ("response_type", "code"),
            ("client_id", "PlatformCLI"),
            ("redirect_uri", CALLBACK),
            ("state", "auto"),
            ("code_challenge", &challenge(VERIFIER)),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 302);
    let q = query_of(r.headers()["location"].to_str().unwrap());
    assert_eq!(q["state"], "auto");
    let (status, token) = exchange(login, &q["code"], VERIFIER).await;
    assert_eq!(status, 200, "{token}");
}

async fn code_token(login: &str) -> Value {
    let q = browser_login(login, "s", "ada@acme.test", "s3cret", "approve")
        .await
        .unwrap();
    let (status, token) = exchange(login, &q["code"], VERIFIER).await;
    assert_eq!(status, 200);
    token
}

#[tokio::test]
async fn refresh_and_revoke() {
    let (sim, ids) = start().await;
    let login = &sim.login_url;
    let token = code_token(login).await;
    let rt = token["refresh_token"].as_str().unwrap();
    let (status, refreshed) = token_request(
        login,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "PlatformCLI"),
        ],
    )
    .await;
    assert_eq!(status, 200, "{refreshed}");
    assert!(
        refreshed.get("refresh_token").is_none(),
        "refresh responses carry no new refresh token"
    );
    assert!(refreshed["issued_at"].is_string() && refreshed["signature"].is_string());
    let access = refreshed["access_token"].as_str().unwrap();
    assert_ne!(access, token["access_token"].as_str().unwrap());
    let instance = sim
        .sim
        .with_org(&ids[0], |o| o.instance_url.clone())
        .unwrap();
    let limits = format!("{instance}/services/data/v63.0/limits");
    assert_eq!(get_json(&limits, access).await.0, 200);

    // Revoking the refresh token kills every access token minted from it.
    let r = client()
        .post(format!("{login}/services/oauth2/revoke"))
        .form(&[("token", rt)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (status, body) = get_json(&limits, access).await;
    assert_eq!(status, 401);
    assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
    assert_eq!(
        get_json(&limits, token["access_token"].as_str().unwrap())
            .await
            .0,
        401
    );
    let (status, body) = token_request(
        login,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", rt),
            ("client_id", "PlatformCLI"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let r = client()
        .post(format!("{login}/services/oauth2/revoke"))
        .form(&[("token", rt)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let (status, body) = token_request(login, &[("grant_type", "bogus")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
}
