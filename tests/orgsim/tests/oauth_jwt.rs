//! OAuth's JWT bearer flow against a started orgsim over real HTTP, with an RSA key made
//! here: assertions signed by a connected app's key or by a registered certificate. Split
//! from `oauth.rs` (the browser flows), whose start-up helpers it shares via `oauth_support`.

mod oauth_support;

use base64::Engine;
use oauth_support::{client, start, token_request};
use rsa::pkcs1v15::SigningKey;
use rsa::pkcs8::{EncodePublicKey, LineEnding};
use rsa::signature::{SignatureEncoding, Signer};
use serde_json::{Value, json};
use sha2::Sha256;

fn b64url(bytes: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn sign_jwt(key: &rsa::RsaPrivateKey, claims: &Value) -> String {
    let head = b64url(br#"{"alg":"RS256"}"#);
    let body = b64url(claims.to_string().as_bytes());
    let signing = SigningKey::<Sha256>::new(key.clone());
    let sig = signing.sign(format!("{head}.{body}").as_bytes());
    format!("{head}.{body}.{}", b64url(&sig.to_bytes()))
}

#[tokio::test]
async fn jwt_bearer() {
    let (sim, ids) = start().await;
    let login = &sim.login_url;
    let mut rng = rand_core_rng();
    let key = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let other = rsa::RsaPrivateKey::new(&mut rng, 1024).unwrap();
    let pem = key
        .to_public_key()
        .to_public_key_pem(LineEnding::LF)
        .unwrap();
    let r = client()
        .put(format!("{login}/_orgsim/connected-apps/orgfleet-jwt"))
        .json(&json!({"client_id": "ignored", "public_key_pem": pem}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let claims = |iss: &str, sub: &str, aud: &str, exp: Value| json!({"iss": iss, "sub": sub, "aud": aud, "exp": exp});
    let grant = |assertion: String| async move {
        token_request(
            login,
            &[
                ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
                ("assertion", &assertion),
            ],
        )
        .await
    };

    let (status, token) = grant(sign_jwt(
        &key,
        &claims("orgfleet-jwt", "ada@acme.test", login, json!(now + 180)),
    ))
    .await;
    assert_eq!(status, 200, "{token}");
    assert!(token.get("refresh_token").is_none());
    let instance = sim
        .sim
        .with_org(&ids[0], |o| o.instance_url.clone())
        .unwrap();
    assert_eq!(token["instance_url"], instance.as_str());
    // sfdx-core sends exp in milliseconds; the sandbox user may use test.salesforce.com.
    let (status, _) = grant(sign_jwt(
        &key,
        &claims(
            "orgfleet-jwt",
            "ada@acme.test.uat",
            "https://test.salesforce.com",
            json!((now + 300) * 1000),
        ),
    ))
    .await;
    assert_eq!(status, 200);

    let cases = [
        (
            sign_jwt(
                &other,
                &claims("orgfleet-jwt", "ada@acme.test", login, json!(now + 180)),
            ),
            "invalid_grant",
        ),
        (
            sign_jwt(
                &key,
                &claims(
                    "orgfleet-jwt",
                    "ada@acme.test",
                    "https://evil.example",
                    json!(now + 180),
                ),
            ),
            "invalid_grant",
        ),
        (
            sign_jwt(
                &key,
                &claims("orgfleet-jwt", "ada@acme.test", login, json!(now - 10)),
            ),
            "invalid_grant",
        ),
        (
            sign_jwt(
                &key,
                &claims("Unknown", "ada@acme.test", login, json!(now + 180)),
            ),
            "invalid_client_id",
        ),
        (
            sign_jwt(
                &key,
                &claims("orgfleet-jwt", "nobody@x.test", login, json!(now + 180)),
            ),
            "invalid_grant",
        ),
        ("not.a.jwt".to_owned(), "invalid_grant"),
    ];
    for (assertion, error) in cases {
        let (status, body) = grant(assertion).await;
        assert_eq!(
            (status, body["error"].as_str()),
            (400, Some(error)),
            "{body}"
        );
    }
    let (_, aud) = grant(sign_jwt(
        &key,
        &claims(
            "orgfleet-jwt",
            "ada@acme.test",
            "https://evil.example",
            json!(now + 180),
        ),
    ))
    .await;
    assert_eq!(aud["error_description"], "audience is invalid");
}

/// A self-signed certificate for `key`, as an admin uploads it to a connected app.
fn certificate_pem(key: &rsa::RsaPrivateKey) -> String {
    use std::str::FromStr;
    use x509_cert::builder::{Builder, CertificateBuilder, Profile};
    use x509_cert::der::EncodePem;
    use x509_cert::spki::SubjectPublicKeyInfoOwned;
    let signer = SigningKey::<Sha256>::new(key.clone());
    let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).unwrap();
    let cert = CertificateBuilder::new(
        Profile::Root,
        x509_cert::serial_number::SerialNumber::from(7u32),
        x509_cert::time::Validity::from_now(std::time::Duration::from_secs(3600)).unwrap(),
        x509_cert::name::Name::from_str("CN=orgsim test,O=Orgfleet").unwrap(),
        spki,
        &signer,
    )
    .unwrap()
    .build::<rsa::pkcs1v15::Signature>()
    .unwrap();
    cert.to_pem(LineEnding::LF).unwrap()
}

#[tokio::test]
async fn jwt_bearer_with_a_registered_certificate() {
    let (sim, _) = start().await;
    let login = &sim.login_url;
    let key = rsa::RsaPrivateKey::new(&mut rand_core_rng(), 1024).unwrap();
    let pem = certificate_pem(&key);
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    let r = client()
        .put(format!("{login}/_orgsim/connected-apps/cert-app"))
        .json(&json!({"client_id": "cert-app", "public_key_pem": pem}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 120;
    let assertion = sign_jwt(
        &key,
        &json!({"iss": "cert-app", "sub": "ada@acme.test", "aud": "https://login.salesforce.com", "exp": exp.to_string()}),
    );
    let (status, token) = token_request(
        login,
        &[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &assertion),
        ],
    )
    .await;
    assert_eq!(status, 200, "{token}");
    let garbage = client()
        .put(format!("{login}/_orgsim/connected-apps/bad-app"))
        .json(&json!({"client_id": "bad-app", "public_key_pem": "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"}))
        .send()
        .await
        .unwrap();
    assert_eq!(garbage.status(), 400);
}

fn rand_core_rng() -> rsa::rand_core::OsRng {
    rsa::rand_core::OsRng
}
