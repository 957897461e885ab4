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
