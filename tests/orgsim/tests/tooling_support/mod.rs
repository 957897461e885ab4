//! Shared setup of the Tooling/Apex/SOQL integration tests: a started orgsim with one org
//! (alias `uat`) of a chosen kind, a password-flow access token, and request helpers.
#![allow(dead_code)] // each test crate uses a different subset

use orgsim::RunningSim;
use orgsim::config::Config;
use serde_json::{Value, json};

pub struct Org {
    pub sim: RunningSim,
    pub instance: String,
    pub token: String,
    pub user_id: String,
}

pub const INVOICE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields><fullName>Amount__c</fullName><label>Amount</label><type>Currency</type><precision>18</precision><scale>2</scale></fields>
    <label>Invoice</label>
    <pluralLabel>Invoices</pluralLabel>
</CustomObject>
"#;

pub const LAYOUT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Layout xmlns="http://soap.sforce.com/2006/04/metadata">
    <layoutSections><layoutColumns>
        <layoutItems><behavior>Edit</behavior><field>Amount__c</field></layoutItems>
        <layoutItems><behavior>Required</behavior><field>Name</field></layoutItems>
    </layoutColumns><style>TwoColumnsTopToBottom</style></layoutSections>
</Layout>
"#;

pub async fn start(kind: &str) -> Org {
    let config: Config = serde_json::from_value(json!({
        "orgs": [{"alias": "uat", "name": "Acme UAT", "kind": kind, "users": [
            {"username": "ada@acme.test", "name": "Ada Lovelace", "password": "pw"}]}]
    }))
    .unwrap();
    let (sim, ids) = config.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let (instance, user_id) = sim
        .sim
        .with_org(&ids[0], |o| (o.instance_url.clone(), o.users[0].id.clone()))
        .unwrap();
    let token: Value = reqwest::Client::new()
        .post(format!("{}/services/oauth2/token", sim.login_url))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "PlatformCLI"),
            ("username", "ada@acme.test"),
            ("password", "pw"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = token["access_token"].as_str().unwrap().to_owned();
    Org {
        sim,
        instance,
        token,
        user_id,
    }
}

impl Org {
    pub async fn put_component(&self, ty: &str, name: &str, path: &str, body: &str) {
        let r = reqwest::Client::new()
            .put(format!(
                "{}/_orgsim/orgs/uat/components/{ty}/{name}",
                self.sim.login_url
            ))
            .json(&json!({"user": "ada@acme.test", "files": {path: body}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    }

    pub async fn exec(&self, code: &str) -> Value {
        let r = reqwest::Client::new()
            .get(format!(
                "{}/services/data/v63.0/tooling/executeAnonymous",
                self.instance
            ))
            .query(&[("anonymousBody", code)])
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        r.json().await.unwrap()
    }

    pub async fn tooling_query(&self, soql: &str) -> (u16, Value) {
        let r = reqwest::Client::new()
            .get(format!(
                "{}/services/data/v63.0/tooling/query/",
                self.instance
            ))
            .query(&[("q", soql)])
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    pub async fn post(&self, sobject: &str, body: Value) -> (u16, Value) {
        let r = reqwest::Client::new()
            .post(format!(
                "{}/services/data/v63.0/tooling/sobjects/{sobject}",
                self.instance
            ))
            .bearer_auth(&self.token)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }
}

impl Org {
    pub async fn rest_query(&self, soql: &str) -> (u16, Value) {
        let r = reqwest::Client::new()
            .get(format!("{}/services/data/v63.0/query", self.instance))
            .query(&[("q", soql)])
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        body: Option<Value>,
    ) -> (u16, Value) {
        let mut req = reqwest::Client::new()
            .request(method, format!("{}{path}", self.instance))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            req = req.json(&b);
        }
        let r = req.send().await.unwrap();
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }
}
