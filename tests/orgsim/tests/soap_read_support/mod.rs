//! Shared helpers of the Metadata API read-side tests (`soap_read.rs`, `soap_retrieve.rs`): a
//! started orgsim with one seeded production org and a session, simple-salesforce style SOAP
//! calls, and response navigation.

#![allow(dead_code)]

use std::time::Duration;

use orgfleet_metadata::mdapi::Package;
use orgfleet_metadata::xml::Element;
use orgsim::Sim;
use orgsim::server::SessionInfo;
use orgsim::soap::retrieve::{RetrieveSettings, set_retrieve_settings};

pub const NS: &str = "http://soap.sforce.com/2006/04/metadata";

pub struct Env {
    pub sim: Sim,
    pub org_id: String,
    pub url: String,
    pub token: String,
    pub http: reqwest::Client,
}

pub fn seed() -> Package {
    let mut p = Package::new();
    let mut add = |path: &str, text: &str| p.insert_file(path.into(), text.as_bytes().to_vec());
    add("classes/Foo.cls", "public class Foo {}");
    add(
        "classes/Foo.cls-meta.xml",
        &format!(
            "<ApexClass xmlns=\"{NS}\"><apiVersion>63.0</apiVersion><status>Active</status></ApexClass>"
        ),
    );
    add("classes/Bar.cls", "public class Bar {}");
    add(
        "classes/Bar.cls-meta.xml",
        &format!(
            "<ApexClass xmlns=\"{NS}\"><apiVersion>63.0</apiVersion><status>Active</status></ApexClass>"
        ),
    );
    add(
        "objects/Account.object",
        &format!(
            "<CustomObject xmlns=\"{NS}\"><fields><fullName>Industry</fullName><type>Picklist</type></fields>\
             <fields><fullName>Foo__c</fullName><label>Foo</label><type>Text</type></fields>\
             <validationRules><fullName>Rule1</fullName><active>true</active></validationRules>\
             <enableHistory>false</enableHistory></CustomObject>"
        ),
    );
    add(
        "objects/Broker__c.object",
        &format!(
            "<CustomObject xmlns=\"{NS}\"><label>Broker</label><fields><fullName>X__c</fullName></fields></CustomObject>"
        ),
    );
    add(
        "labels/CustomLabels.labels",
        &format!(
            "<CustomLabels xmlns=\"{NS}\"><labels><fullName>Hello</fullName><value>Hi</value></labels>\
             <labels><fullName>Bye</fullName><value>Bye</value></labels></CustomLabels>"
        ),
    );
    add(
        "profiles/Admin.profile",
        &format!(
            "<Profile xmlns=\"{NS}\"><classAccesses><apexClass>Foo</apexClass><enabled>true</enabled></classAccesses>\
             <classAccesses><apexClass>Bar</apexClass><enabled>true</enabled></classAccesses>\
             <fieldPermissions><editable>true</editable><field>Broker__c.X__c</field><readable>true</readable></fieldPermissions>\
             <fieldPermissions><editable>true</editable><field>Case.Y__c</field><readable>true</readable></fieldPermissions>\
             <userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions></Profile>"
        ),
    );
    add(
        "reports/Sales-meta.xml",
        &format!("<ReportFolder xmlns=\"{NS}\"><name>Sales</name></ReportFolder>"),
    );
    add(
        "reports/Sales/Pipe.report",
        &format!("<Report xmlns=\"{NS}\"><name>Pipe</name></Report>"),
    );
    p
}

pub async fn env(alias: &str) -> Env {
    let running = Sim::new()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let sim = running.sim;
    let spec: orgsim::config::OrgSpec =
        serde_json::from_value(serde_json::json!({"alias": alias, "kind": "production"})).unwrap();
    let org_id = orgsim::config::create_org(&sim, &spec).await.unwrap();
    let pkg = seed();
    let (url, user_id) = sim
        .with_org_mut(&org_id, |o| {
            orgsim::load::load_package(o, &pkg);
            (o.instance_url.clone(), o.users[0].id.clone())
        })
        .unwrap();
    let token = format!("{org_id}!READ{alias}");
    sim.inner.sessions.write().unwrap().insert(
        token.clone(),
        SessionInfo {
            org_id: org_id.clone(),
            user_id,
            expires_at_ms: Sim::now_ms() + 3_600_000,
        },
    );
    set_retrieve_settings(
        &sim,
        RetrieveSettings {
            delay: Duration::from_millis(50),
            max_files: 10_000,
        },
    );
    Env {
        sim,
        org_id,
        url,
        token,
        http: reqwest::Client::new(),
    }
}

impl Env {
    /// simple-salesforce style envelope (`met:` prefix), posted with a SOAPAction.
    pub async fn call(&self, token: &str, body: &str) -> (u16, String) {
        let envelope = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:met=\"{NS}\">\
             <soapenv:Header><met:SessionHeader><met:sessionId>{token}</met:sessionId></met:SessionHeader></soapenv:Header>\
             <soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
        );
        self.post(&envelope).await
    }

    pub async fn post(&self, envelope: &str) -> (u16, String) {
        let resp = self
            .http
            .post(format!("{}/services/Soap/m/63.0", self.url))
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", "\"\"")
            .body(envelope.to_owned())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/xml")
        );
        (status, resp.text().await.unwrap())
    }

    /// The `result` elements of a successful response.
    pub async fn results(&self, body: &str) -> Vec<Element> {
        let (status, text) = self.call(&self.token, body).await;
        assert_eq!(status, 200, "{text}");
        let env = Element::parse_str(&text, "response").unwrap();
        let op = env
            .child("Body")
            .unwrap()
            .elements()
            .next()
            .unwrap()
            .clone();
        op.children_named("result").cloned().collect()
    }
}

pub fn texts(el: &Element, name: &str) -> Vec<String> {
    el.children_named(name).map(|e| e.text()).collect()
}

pub fn fault_code(text: &str) -> String {
    let env = Element::parse_str(text, "fault").unwrap();
    env.child("Body")
        .unwrap()
        .child("Fault")
        .unwrap()
        .child_text("faultcode")
        .unwrap()
}
