//! Metadata API read side over real HTTP: describeMetadata, listMetadata, readMetadata,
//! retrieve/checkRetrieveStatus and the faults, against a started orgsim.

use std::time::Duration;

use base64::Engine;
use orgfleet_metadata::mdapi::{ComponentId, Package};
use orgfleet_metadata::xml::Element;
use orgsim::Sim;
use orgsim::server::SessionInfo;
use orgsim::soap::retrieve::{RetrieveSettings, set_retrieve_settings};

const NS: &str = "http://soap.sforce.com/2006/04/metadata";

struct Env {
    sim: Sim,
    org_id: String,
    url: String,
    token: String,
    http: reqwest::Client,
}

fn seed() -> Package {
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

async fn env(alias: &str) -> Env {
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
    async fn call(&self, token: &str, body: &str) -> (u16, String) {
        let envelope = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\" xmlns:met=\"{NS}\">\
             <soapenv:Header><met:SessionHeader><met:sessionId>{token}</met:sessionId></met:SessionHeader></soapenv:Header>\
             <soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"
        );
        self.post(&envelope).await
    }

    async fn post(&self, envelope: &str) -> (u16, String) {
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
    async fn results(&self, body: &str) -> Vec<Element> {
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

fn texts(el: &Element, name: &str) -> Vec<String> {
    el.children_named(name).map(|e| e.text()).collect()
}

fn fault_code(text: &str) -> String {
    let env = Element::parse_str(text, "fault").unwrap();
    env.child("Body")
        .unwrap()
        .child("Fault")
        .unwrap()
        .child_text("faultcode")
        .unwrap()
}

#[tokio::test]
async fn describe_lists_registry_types() {
    let e = env("describe").await;
    let result = e
        .results(
            "<met:describeMetadata><met:asOfVersion>63.0</met:asOfVersion></met:describeMetadata>",
        )
        .await;
    let r = &result[0];
    assert_eq!(r.child_text("testRequired").as_deref(), Some("true"));
    assert_eq!(r.child_text("partialSaveAllowed").as_deref(), Some("false"));
    assert_eq!(r.child_text("organizationNamespace").as_deref(), Some(""));
    let objects: Vec<&Element> = r.children_named("metadataObjects").collect();
    let obj = objects
        .iter()
        .find(|o| o.child_text("xmlName").as_deref() == Some("CustomObject"))
        .unwrap();
    assert!(texts(obj, "childXmlNames").contains(&"CustomField".to_owned()));
    assert_eq!(obj.child_text("directoryName").as_deref(), Some("objects"));
    assert_eq!(obj.child_text("suffix").as_deref(), Some("object"));
    let report = objects
        .iter()
        .find(|o| o.child_text("xmlName").as_deref() == Some("Report"))
        .unwrap();
    assert_eq!(report.child_text("inFolder").as_deref(), Some("true"));
    let lwc = objects
        .iter()
        .find(|o| o.child_text("xmlName").as_deref() == Some("LightningComponentBundle"))
        .unwrap();
    assert!(lwc.child("suffix").is_none(), "bundles have no suffix");
    assert!(
        !objects
            .iter()
            .any(|o| o.child_text("xmlName").as_deref() == Some("ReportFolder"))
    );
}

#[tokio::test]
async fn list_metadata_types_children_and_folders() {
    let e = env("list").await;
    let rows = e.results("<met:listMetadata><met:queries><met:type>ApexClass</met:type></met:queries></met:listMetadata>").await;
    assert_eq!(rows.len(), 2);
    let foo = rows
        .iter()
        .find(|r| r.child_text("fullName").as_deref() == Some("Foo"))
        .unwrap();
    let fields: Vec<&str> = foo.elements().map(|c| c.name.as_str()).collect();
    assert_eq!(
        fields,
        [
            "createdById",
            "createdByName",
            "createdDate",
            "fileName",
            "fullName",
            "id",
            "lastModifiedById",
            "lastModifiedByName",
            "lastModifiedDate",
            "manageableState",
            "type"
        ]
    );
    assert_eq!(
        foo.child_text("fileName").as_deref(),
        Some("classes/Foo.cls")
    );
    assert_eq!(foo.child_text("id").unwrap().len(), 18);
    assert_eq!(
        foo.child_text("manageableState").as_deref(),
        Some("unmanaged")
    );

    let body = "<met:listMetadata><met:queries><met:type>CustomField</met:type></met:queries>\
                <met:queries><met:type>CustomLabel</met:type></met:queries>\
                <met:queries><met:type>Report</met:type><met:folder>Sales</met:folder></met:queries></met:listMetadata>";
    let rows = e.results(body).await;
    let names: Vec<(String, String)> = rows
        .iter()
        .map(|r| {
            (
                r.child_text("type").unwrap(),
                r.child_text("fullName").unwrap(),
            )
        })
        .collect();
    for expected in [
        ("CustomField", "Account.Industry"),
        ("CustomField", "Account.Foo__c"),
        ("CustomField", "Broker__c.X__c"),
        ("CustomLabel", "Hello"),
        ("CustomLabel", "Bye"),
        ("Report", "Sales/Pipe"),
    ] {
        assert!(
            names.contains(&(expected.0.into(), expected.1.into())),
            "{expected:?} in {names:?}"
        );
    }
    let field = rows
        .iter()
        .find(|r| r.child_text("fullName").as_deref() == Some("Account.Foo__c"))
        .unwrap();
    assert_eq!(
        field.child_text("fileName").as_deref(),
        Some("objects/Account.object")
    );
    assert!(field.child_text("id").unwrap().starts_with("00N"));

    let rows = e.results("<met:listMetadata><met:queries><met:type>ReportFolder</met:type></met:queries></met:listMetadata>").await;
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].child_text("fullName").as_deref(), Some("Sales"));
    // Empty result: no result elements at all.
    let rows = e.results("<met:listMetadata><met:queries><met:type>Flow</met:type></met:queries></met:listMetadata>").await;
    assert!(rows.is_empty());
}

#[tokio::test]
async fn list_metadata_faults() {
    let e = env("listfault").await;
    let body = "<met:listMetadata><met:queries><met:type>ApexClass</met:type></met:queries>\
                <met:queries><met:type>NoSuchType</met:type></met:queries></met:listMetadata>";
    let (status, text) = e.call(&e.token, body).await;
    assert_eq!(status, 500);
    assert_eq!(fault_code(&text), "sf:INVALID_TYPE");
    assert!(text.contains("<faultstring>INVALID_TYPE: "));
    let four = "<met:queries><met:type>ApexClass</met:type></met:queries>".repeat(4);
    let (status, _) = e
        .call(
            &e.token,
            &format!("<met:listMetadata>{four}</met:listMetadata>"),
        )
        .await;
    assert_eq!(status, 500);
}

#[tokio::test]
async fn read_metadata_records() {
    let e = env("read").await;
    let body = "<met:readMetadata><met:type>ApexClass</met:type><met:fullNames>Foo</met:fullNames><met:fullNames>Nope</met:fullNames></met:readMetadata>";
    let result = e.results(body).await;
    let records: Vec<&Element> = result[0].children_named("records").collect();
    assert_eq!(records.len(), 1, "missing names are left out");
    assert_eq!(records[0].attr("type"), Some("ApexClass"));
    assert_eq!(records[0].elements().next().unwrap().name, "fullName");
    let content = base64::engine::general_purpose::STANDARD
        .decode(records[0].child_text("content").unwrap())
        .unwrap();
    assert_eq!(content, b"public class Foo {}");
    assert_eq!(records[0].child_text("status").as_deref(), Some("Active"));

    let body = "<met:readMetadata><met:type>CustomField</met:type><met:fullNames>Account.Foo__c</met:fullNames></met:readMetadata>";
    let result = e.results(body).await;
    let rec = result[0].child("records").unwrap();
    assert_eq!(rec.attr("type"), Some("CustomField"));
    assert_eq!(
        rec.child_text("fullName").as_deref(),
        Some("Account.Foo__c")
    );
    assert_eq!(rec.child_text("label").as_deref(), Some("Foo"));

    let eleven = "<met:fullNames>A</met:fullNames>".repeat(11);
    let (status, text) = e
        .call(
            &e.token,
            &format!("<met:readMetadata><met:type>ApexClass</met:type>{eleven}</met:readMetadata>"),
        )
        .await;
    assert_eq!(
        (status, fault_code(&text).as_str()),
        (500, "sf:EXCEEDED_ID_LIMIT")
    );
}

#[tokio::test]
async fn session_and_envelope_faults() {
    let e = env("faults").await;
    let (status, text) = e.call("bogus", "<met:describeMetadata/>").await;
    assert_eq!(status, 500);
    assert_eq!(fault_code(&text), "sf:INVALID_SESSION_ID");
    assert!(text.contains("<sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode>"));
    let no_header = "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Body><describeMetadata xmlns=\"http://soap.sforce.com/2006/04/metadata\"/></soapenv:Body></soapenv:Envelope>";
    let (status, text) = e.post(no_header).await;
    assert_eq!(
        (status, fault_code(&text).as_str()),
        (500, "sf:INVALID_SESSION_ID")
    );
    let (status, text) = e.post("<soapenv:Envelope><oops").await;
    assert_eq!(
        (status, fault_code(&text).as_str()),
        (500, "soapenv:Client")
    );
    let (status, text) = e.call(&e.token, "<met:frobnicate/>").await;
    assert_eq!(status, 500);
    assert!(text.contains("No operation available"), "{text}");
    // A token of this org is refused by another org's instance.
    let other = env("faults2").await;
    let (status, _) = other.call(&e.token, "<met:describeMetadata/>").await;
    assert_eq!(status, 500);
}

async fn poll(e: &Env, id: &str, include_zip: bool) -> Element {
    for _ in 0..100 {
        let body = format!(
            "<met:checkRetrieveStatus><met:asyncProcessId>{id}</met:asyncProcessId><met:includeZip>{include_zip}</met:includeZip></met:checkRetrieveStatus>"
        );
        let r = e.results(&body).await.remove(0);
        if r.child_text("done").as_deref() == Some("true") {
            return r;
        }
        assert!(r.child("zipFile").is_none());
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("retrieve never finished");
}

async fn start_retrieve(e: &Env, request_tag: &str, single: bool, types: &str) -> String {
    let body = format!(
        "<met:retrieve><met:{request_tag}><met:apiVersion>63.0</met:apiVersion><met:singlePackage>{single}</met:singlePackage>\
         <met:unpackaged>{types}<met:version>63.0</met:version></met:unpackaged></met:{request_tag}></met:retrieve>"
    );
    let r = e.results(&body).await.remove(0);
    assert_eq!(r.child_text("done").as_deref(), Some("false"));
    assert_eq!(r.child_text("state").as_deref(), Some("Queued"));
    let id = r.child_text("id").unwrap();
    assert!(id.starts_with("09S") && id.len() == 18);
    id
}

fn types(pairs: &[(&str, &[&str])]) -> String {
    pairs
        .iter()
        .map(|(name, members)| {
            let m: String = members
                .iter()
                .map(|m| format!("<met:members>{m}</met:members>"))
                .collect();
            format!("<met:types>{m}<met:name>{name}</met:name></met:types>")
        })
        .collect()
}

#[tokio::test]
async fn retrieve_unpackaged_with_messages_and_profile_filter() {
    let e = env("retrieve").await;
    let manifest = types(&[
        ("ApexClass", &["Foo", "Nope"]),
        ("CustomObject", &["*"]),
        ("CustomField", &["Account.Foo__c"]),
        ("Profile", &["Admin"]),
    ]);
    let id = start_retrieve(&e, "request", false, &manifest).await;
    let first = e
        .results(&format!("<met:checkRetrieveStatus><met:asyncProcessId>{id}</met:asyncProcessId></met:checkRetrieveStatus>"))
        .await
        .remove(0);
    assert_eq!(
        (
            first.child_text("done").as_deref(),
            first.child_text("status").as_deref()
        ),
        (Some("false"), Some("Pending"))
    );
    let done = poll(&e, &id, true).await;
    assert_eq!(done.child_text("status").as_deref(), Some("Succeeded"));
    assert_eq!(done.child_text("success").as_deref(), Some("true"));
    let problems: Vec<String> = done
        .children_named("messages")
        .map(|m| m.child_text("problem").unwrap())
        .collect();
    assert_eq!(
        problems,
        ["Entity of type 'ApexClass' named 'Nope' cannot be found"]
    );
    let props: Vec<&Element> = done.children_named("fileProperties").collect();
    let pkg_row = props
        .iter()
        .find(|p| p.child_text("type").as_deref() == Some("Package"))
        .unwrap();
    assert_eq!(
        pkg_row.child_text("fileName").as_deref(),
        Some("unpackaged/package.xml")
    );
    assert_eq!(
        pkg_row.child_text("fullName").as_deref(),
        Some("unpackaged/package.xml")
    );
    assert!(
        props
            .iter()
            .any(|p| p.child_text("fileName").as_deref() == Some("unpackaged/classes/Foo.cls"))
    );

    let zip = base64::engine::general_purpose::STANDARD
        .decode(done.child_text("zipFile").unwrap())
        .unwrap();
    let pkg = Package::from_zip(&zip).unwrap();
    assert_eq!(pkg.root, "unpackaged");
    let keys: Vec<&ComponentId> = pkg.components.keys().collect();
    assert!(
        pkg.components
            .contains_key(&ComponentId::new("ApexClass", "Foo"))
    );
    assert!(
        !pkg.components
            .contains_key(&ComponentId::new("ApexClass", "Bar")),
        "{keys:?}"
    );
    assert!(
        pkg.components
            .contains_key(&ComponentId::new("CustomObject", "Broker__c"))
    );
    // `CustomObject *` does not include the standard Account, but the named field does,
    // and Account's file then holds only that field.
    let account =
        &pkg.components[&ComponentId::new("CustomObject", "Account")]["objects/Account.object"];
    let account = Element::parse_bytes(account, "Account").unwrap();
    assert_eq!(account.elements().count(), 1);
    assert_eq!(
        account
            .child("fields")
            .unwrap()
            .child_text("fullName")
            .as_deref(),
        Some("Foo__c")
    );
    let profile = String::from_utf8(
        pkg.components[&ComponentId::new("Profile", "Admin")]["profiles/Admin.profile"].clone(),
    )
    .unwrap();
    assert!(
        profile.contains("<apexClass>Foo</apexClass>")
            && !profile.contains("<apexClass>Bar</apexClass>")
    );
    assert!(profile.contains("Broker__c.X__c") && !profile.contains("Case.Y__c"));
    assert!(profile.contains("ApiEnabled"));
    let manifest = pkg.manifest.unwrap();
    assert_eq!(manifest.version.as_deref(), Some("63.0"));

    // The zip was handed out: the result is gone from the server.
    let (status, text) = e
        .call(&e.token, &format!("<met:checkRetrieveStatus><met:asyncProcessId>{id}</met:asyncProcessId></met:checkRetrieveStatus>"))
        .await;
    assert_eq!(
        (status, fault_code(&text).as_str()),
        (500, "sf:INVALID_ID_FIELD")
    );
}

#[tokio::test]
async fn retrieve_single_package_and_include_zip_false() {
    let e = env("single").await;
    let id = start_retrieve(
        &e,
        "retrieveRequest",
        true,
        &types(&[("Report", &["Sales", "Sales/Pipe"])]),
    )
    .await;
    let done = poll(&e, &id, false).await;
    assert!(
        done.child("zipFile").is_none(),
        "includeZip=false returns no zip"
    );
    let done = poll(&e, &id, true).await;
    let zip = base64::engine::general_purpose::STANDARD
        .decode(done.child_text("zipFile").unwrap())
        .unwrap();
    let pkg = Package::from_zip(&zip).unwrap();
    assert_eq!(pkg.root, "");
    assert!(
        pkg.components
            .contains_key(&ComponentId::new("ReportFolder", "Sales"))
    );
    assert!(
        pkg.components
            .contains_key(&ComponentId::new("Report", "Sales/Pipe"))
    );
    let props: Vec<String> = done
        .children_named("fileProperties")
        .map(|p| p.child_text("fileName").unwrap())
        .collect();
    assert!(
        props.contains(&"package.xml".to_owned())
            && props.contains(&"reports/Sales/Pipe.report".to_owned())
    );
}

#[tokio::test]
async fn retrieve_file_limit_and_never_finishing_fault() {
    let e = env("limits").await;
    set_retrieve_settings(
        &e.sim,
        RetrieveSettings {
            delay: Duration::from_millis(10),
            max_files: 3,
        },
    );
    let id = start_retrieve(
        &e,
        "retrieveRequest",
        true,
        &types(&[("ApexClass", &["*"])]),
    )
    .await;
    let done = poll(&e, &id, true).await;
    assert_eq!(done.child_text("status").as_deref(), Some("Failed"));
    assert_eq!(done.child_text("success").as_deref(), Some("false"));
    assert_eq!(
        done.child_text("errorStatusCode").as_deref(),
        Some("LIMIT_EXCEEDED")
    );
    assert!(done.child("zipFile").is_none());

    let faults = orgsim::faults::Faults {
        retrieve_never_finishes: true,
        ..Default::default()
    };
    orgsim::faults::set_faults(&e.sim, &e.org_id, faults);
    let id = start_retrieve(
        &e,
        "retrieveRequest",
        true,
        &types(&[("ApexClass", &["Foo"])]),
    )
    .await;
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let r = e
            .results(&format!("<met:checkRetrieveStatus><met:asyncProcessId>{id}</met:asyncProcessId></met:checkRetrieveStatus>"))
            .await
            .remove(0);
        assert_eq!(r.child_text("done").as_deref(), Some("false"));
        assert_eq!(r.child_text("status").as_deref(), Some("InProgress"));
    }
}

#[tokio::test]
async fn large_envelopes_are_accepted() {
    // Deploy zips arrive base64-encoded in the body; axum's 2 MB default would refuse them.
    let e = env("large").await;
    let padding = "A".repeat(5 * 1024 * 1024);
    let body = format!(
        "<met:describeMetadata><met:asOfVersion>63.0</met:asOfVersion><met:pad>{padding}</met:pad></met:describeMetadata>"
    );
    let (status, text) = e.call(&e.token, &body).await;
    assert_eq!(status, 200, "{}", &text[..text.len().min(300)]);
}
