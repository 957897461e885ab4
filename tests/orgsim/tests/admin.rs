//! The admin API over real HTTP: create/list/delete orgs, a direct production edit with its
//! SetupAuditTrail row, records, settings and clear 4xx errors.

use orgsim::Sim;
use serde_json::{Value, json};

async fn token(login: &str, username: &str, password: &str) -> String {
    let token: Value = reqwest::Client::new()
        .post(format!("{login}/services/oauth2/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "PlatformCLI"),
            ("username", username),
            ("password", password),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    token["access_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no token: {token}"))
        .to_owned()
}

async fn query(instance: &str, token: &str, soql: &str) -> Value {
    let r = reqwest::Client::new()
        .get(format!("{instance}/services/data/v63.0/query"))
        .query(&[("q", soql)])
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

#[tokio::test]
async fn create_edit_audit_delete() {
    let sim = Sim::new()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let login = &sim.login_url;
    let http = reqwest::Client::new();
    let created = http
        .post(format!("{login}/_orgsim/orgs"))
        .json(&json!({"alias": "prod", "name": "Acme", "kind": "production",
                      "metadata": {"generator": {"seed": 3, "size": 60}},
                      "users": [{"username": "rogue@acme.test", "name": "Rogue Admin", "password": "pw"}]}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let org: Value = created.json().await.unwrap();
    let instance = org["instance_url"].as_str().unwrap().to_owned();
    assert!(org["id"].as_str().unwrap().starts_with("00D"));
    assert!(org["components"].as_u64().unwrap() > 0);
    let dup = http
        .post(format!("{login}/_orgsim/orgs"))
        .json(&json!({"alias": "prod"}))
        .send()
        .await
        .unwrap();
    assert_eq!(dup.status(), 409);
    let bad = http
        .post(format!("{login}/_orgsim/orgs"))
        .json(&json!({"alias": "x", "kind": "galaxy"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let list: Value = reqwest::get(format!("{login}/_orgsim/orgs"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["alias"], "prod");

    // A direct edit in production, behind everyone's back.
    let body = "public class Hotfix {\n    // urgent\n    public static Integer answer() { return 42; }\n}\n";
    let meta = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\"><apiVersion>63.0</apiVersion><status>Active</status></ApexClass>\n";
    let edit = http
        .put(format!("{login}/_orgsim/orgs/prod/components/ApexClass/Hotfix"))
        .json(&json!({"user": "rogue@acme.test", "files": {"classes/Hotfix.cls": body, "classes/Hotfix.cls-meta.xml": meta}}))
        .send()
        .await
        .unwrap();
    assert_eq!(edit.status(), 200);
    assert_eq!(edit.json::<Value>().await.unwrap()["created"], true);
    let nobody = http
        .put(format!(
            "{login}/_orgsim/orgs/prod/components/ApexClass/Hotfix"
        ))
        .json(&json!({"user": "nobody@acme.test", "files": {"classes/Hotfix.cls": body}}))
        .send()
        .await
        .unwrap();
    assert_eq!(nobody.status(), 400);

    let t = token(login, "rogue@acme.test", "pw").await;
    let classes = query(&instance, &t, "SELECT Id, Name, Body, ApiVersion, Status, LengthWithoutComments, LastModifiedBy.Name FROM ApexClass WHERE Name = 'Hotfix'").await;
    let class = &classes["records"][0];
    assert_eq!(class["Body"], body);
    assert_eq!(class["ApiVersion"], 63.0);
    assert_eq!(class["LastModifiedBy"]["Name"], "Rogue Admin");
    assert!(class["LengthWithoutComments"].as_u64().unwrap() < body.len() as u64);
    let audit = query(&instance, &t, "SELECT Id, Action, Section, Display, CreatedDate, CreatedById, CreatedBy.Name, DelegateUser FROM SetupAuditTrail ORDER BY CreatedDate DESC").await;
    let row = &audit["records"][0];
    assert_eq!(row["Action"], "createdApexClass");
    assert_eq!(row["Section"], "Apex Class");
    assert!(row["Display"].as_str().unwrap().contains("Hotfix"));
    assert_eq!(row["CreatedBy"]["Name"], "Rogue Admin");
    assert!(row["CreatedDate"].as_str().unwrap().ends_with("+0000"));

    let removed = http
        .delete(format!(
            "{login}/_orgsim/orgs/prod/components/ApexClass/Hotfix?user=rogue@acme.test"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    let audit = query(
        &instance,
        &t,
        "SELECT Action FROM SetupAuditTrail ORDER BY CreatedDate DESC",
    )
    .await;
    assert_eq!(audit["totalSize"], 2);
    let missing = http
        .delete(format!(
            "{login}/_orgsim/orgs/prod/components/ApexClass/Hotfix?user=rogue@acme.test"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 404);

    let deleted = http
        .delete(format!("{login}/_orgsim/orgs/prod"))
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let gone = http
        .get(format!("{login}/_orgsim/orgs/prod"))
        .send()
        .await
        .unwrap();
    assert_eq!(gone.status(), 404);
    let dead = reqwest::Client::new()
        .get(format!("{instance}/services/data/v63.0/limits"))
        .bearer_auth(&t)
        .send()
        .await;
    assert!(dead.is_err() || dead.unwrap().status() == 401);
}

#[tokio::test]
async fn records_and_settings() {
    let sim = Sim::new()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let login = &sim.login_url;
    let http = reqwest::Client::new();
    let org: Value = http
        .post(format!("{login}/_orgsim/orgs"))
        .json(&json!({"alias": "dev", "kind": "developer_edition"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(org["users"][0]["username"], "admin@dev.orgsim");
    let r = http
        .post(format!("{login}/_orgsim/orgs/dev/records/Account"))
        .json(&json!([{"Name": "Acme"}, {"Name": "Globex"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let ids: Value = r.json().await.unwrap();
    assert!(ids["ids"][0].as_str().unwrap().starts_with("001"));
    let t = token(login, "admin@dev.orgsim", orgsim::config::DEFAULT_PASSWORD).await;
    let accounts = query(
        org["instance_url"].as_str().unwrap(),
        &t,
        "SELECT Name FROM Account ORDER BY Name DESC",
    )
    .await;
    assert_eq!(accounts["records"][0]["Name"], "Globex");

    let bad = http
        .put(format!("{login}/_orgsim/settings"))
        .json(&json!({"auto_approve_username": "ghost@x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let ok: Value = http
        .put(format!("{login}/_orgsim/settings"))
        .json(&json!({"token_lifetime_secs": 60}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ok["token_lifetime_secs"], 60);
    let unknown = http
        .get(format!("{login}/_orgsim/orgs/nope/faults"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let not_json = http
        .put(format!("{login}/_orgsim/orgs/dev/faults"))
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(not_json.status(), 400);
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("orgsim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[tokio::test]
async fn org_from_an_mdapi_folder() {
    let dir = temp_dir("mdapi");
    std::fs::create_dir_all(dir.join("classes")).unwrap();
    std::fs::write(
        dir.join("package.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><types><members>Greeter</members><name>ApexClass</name></types><version>63.0</version></Package>\n",
    )
    .unwrap();
    std::fs::write(dir.join("classes/Greeter.cls"), "public class Greeter {}\n").unwrap();
    std::fs::write(
        dir.join("classes/Greeter.cls-meta.xml"),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\"><apiVersion>61.0</apiVersion><status>Active</status></ApexClass>\n",
    )
    .unwrap();
    let sim = Sim::new()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let r = http
        .post(format!("{}/_orgsim/orgs", sim.login_url))
        .json(&json!({"alias": "files", "metadata": {"path": dir}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let org: Value = r.json().await.unwrap();
    let t = token(
        &sim.login_url,
        "admin@files.orgsim",
        orgsim::config::DEFAULT_PASSWORD,
    )
    .await;
    let classes = query(
        org["instance_url"].as_str().unwrap(),
        &t,
        "SELECT Name, ApiVersion, CreatedBy.Name FROM ApexClass",
    )
    .await;
    assert_eq!(classes["totalSize"], 1);
    assert_eq!(classes["records"][0]["Name"], "Greeter");
    assert_eq!(classes["records"][0]["ApiVersion"], 61.0);
    let missing = http
        .post(format!("{}/_orgsim/orgs", sim.login_url))
        .json(&json!({"alias": "nofiles", "metadata": {"path": dir.join("absent")}}))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 409);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Kills the child process when the test ends, pass or fail.
struct Child(std::process::Child);

impl Drop for Child {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[tokio::test]
async fn binary_serves_a_config_and_writes_status() {
    use rsa::pkcs8::{EncodePrivateKey, LineEnding};
    let dir = temp_dir("bin");
    std::fs::write(
        dir.join("orgsim.toml"),
        "token_lifetime_secs = 600\n[[orgs]]\nalias = \"solo\"\nname = \"Solo\"\nkind = \"developer_edition\"\n[[orgs.users]]\nusername = \"me@solo.test\"\npassword = \"pw\"\n",
    )
    .unwrap();
    let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 1024).unwrap();
    let key_path = dir.join("jwt.pem");
    std::fs::write(
        &key_path,
        key.to_pkcs8_pem(LineEnding::LF).unwrap().as_bytes(),
    )
    .unwrap();
    let status_path = dir.join("status.json");
    let _child = Child(
        std::process::Command::new(env!("CARGO_BIN_EXE_orgsim"))
            .arg("--config")
            .arg(dir.join("orgsim.toml"))
            .arg("--port")
            .arg("0")
            .arg("--status-file")
            .arg(&status_path)
            .arg("--jwt-key")
            .arg(&key_path)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut status = Value::Null;
    for _ in 0..200 {
        if let Ok(text) = std::fs::read_to_string(&status_path) {
            status = serde_json::from_str(&text).unwrap();
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let login = status["login_url"]
        .as_str()
        .expect("status file written")
        .to_owned();
    assert_eq!(status["orgs"][0]["alias"], "solo");
    assert_eq!(status["jwt"]["client_id"], "orgfleet-demo");
    let instance = status["orgs"][0]["instance_url"].as_str().unwrap();
    let t = token(&login, "me@solo.test", "pw").await;
    let orgs = query(instance, &t, "SELECT OrganizationType FROM Organization").await;
    assert_eq!(orgs["records"][0]["OrganizationType"], "Developer Edition");

    // The demo connected app accepts JWTs signed with the key given by --jwt-key.
    let b64 = |bytes: &[u8]| {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    };
    let exp = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        + 120;
    let claims =
        json!({"iss": status["jwt"]["client_id"], "sub": "me@solo.test", "aud": login, "exp": exp});
    let signed = format!(
        "{}.{}",
        b64(br#"{"alg":"RS256"}"#),
        b64(claims.to_string().as_bytes())
    );
    let signature = {
        use rsa::signature::{SignatureEncoding, Signer};
        rsa::pkcs1v15::SigningKey::<sha2::Sha256>::new(key)
            .sign(signed.as_bytes())
            .to_bytes()
    };
    let r = reqwest::Client::new()
        .post(format!("{login}/services/oauth2/token"))
        .form(&[
            ("grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer"),
            ("assertion", &format!("{signed}.{}", b64(&signature))),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(r.json::<Value>().await.unwrap()["instance_url"], instance);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A connected app registered through the admin API, used with client credentials: only on
/// the org's own host, with the secret, running as the app's "Run As" user.
#[tokio::test]
async fn connected_app_with_client_credentials() {
    let sim = Sim::new()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let login = &sim.login_url;
    let http = reqwest::Client::new();
    let org: Value = http
        .post(format!("{login}/_orgsim/orgs"))
        .json(&json!({"alias": "svc", "users": [{"username": "bot@svc.test", "name": "Integration Bot"}]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let instance = org["instance_url"].as_str().unwrap().to_owned();
    let app = http
        .put(format!("{login}/_orgsim/connected-apps/svc-app"))
        .json(&json!({"client_id": "svc-app", "client_secret": "s3", "run_as_username": "bot@svc.test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(app.status(), 200);
    let grant = |host: String, secret: &'static str| {
        http.post(format!("{host}/services/oauth2/token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", "svc-app"),
                ("client_secret", secret),
            ])
            .send()
    };
    let on_login = grant(login.clone(), "s3").await.unwrap();
    assert_eq!(on_login.status(), 400);
    assert_eq!(
        on_login.json::<Value>().await.unwrap()["error"],
        "invalid_grant"
    );
    let wrong = grant(instance.clone(), "nope").await.unwrap();
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["error"],
        "invalid_client"
    );
    let ok = grant(instance.clone(), "s3").await.unwrap();
    assert_eq!(ok.status(), 200);
    let token: Value = ok.json().await.unwrap();
    assert!(token.get("refresh_token").is_none());
    let users = query(
        &instance,
        token["access_token"].as_str().unwrap(),
        "SELECT Name FROM User",
    )
    .await;
    assert_eq!(users["records"][0]["Name"], "Integration Bot");
}
