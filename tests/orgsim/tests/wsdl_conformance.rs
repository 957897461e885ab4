//! Every element orgsim emits in describeMetadata, listMetadata and checkRetrieveStatus
//! responses is declared, at that nesting, in the real Metadata WSDL; sequences come in WSDL
//! order, single elements are not repeated and required ones are present.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use orgfleet_metadata::mdapi::Package;
use orgfleet_metadata::xml::Element;
use orgsim::Sim;
use orgsim::server::SessionInfo;

const NS: &str = "http://soap.sforce.com/2006/04/metadata";

fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("../shared not found at {} (required on CI)", dir.display());
    }
    eprintln!("SKIP: ../shared not found");
    None
}

/// One `xsd:element` of a sequence.
#[derive(Debug, Clone)]
struct Decl {
    name: String,
    type_name: String,
    required: bool,
    repeated: bool,
}

/// complexType name → its sequence (base types' elements first), plus the inline sequences
/// of top-level elements (`describeMetadataResponse`, ...).
struct Schema {
    types: BTreeMap<String, Vec<Decl>>,
    elements: BTreeMap<String, Vec<Decl>>,
}

fn strip_prefix(t: &str) -> String {
    t.rsplit(':').next().unwrap_or(t).to_owned()
}

fn sequence_of(ct: &Element) -> (Option<String>, Vec<Decl>) {
    let mut base = None;
    let mut seq_holder = ct;
    if let Some(ext) = ct
        .child("complexContent")
        .and_then(|c| c.child("extension"))
    {
        base = ext.attr("base").map(strip_prefix);
        seq_holder = ext;
    }
    let decls = seq_holder
        .child("sequence")
        .map(|s| {
            s.children_named("element")
                .map(|e| Decl {
                    name: e.attr("name").unwrap_or_default().to_owned(),
                    type_name: strip_prefix(e.attr("type").unwrap_or_default()),
                    required: e.attr("minOccurs") != Some("0"),
                    repeated: e.attr("maxOccurs") == Some("unbounded"),
                })
                .collect()
        })
        .unwrap_or_default();
    (base, decls)
}

fn load_schema(shared: &std::path::Path) -> Schema {
    let bytes = std::fs::read(shared.join("fixtures/wsdl/metadata.wsdl")).unwrap();
    let wsdl = Element::parse_bytes(&bytes, "metadata.wsdl").unwrap();
    let types = wsdl.child("types").unwrap();
    let mut raw: BTreeMap<String, (Option<String>, Vec<Decl>)> = BTreeMap::new();
    let mut elements = BTreeMap::new();
    for schema in types
        .children_named("schema")
        .filter(|s| s.attr("targetNamespace") == Some(NS))
    {
        for ct in schema.children_named("complexType") {
            raw.insert(ct.attr("name").unwrap().to_owned(), sequence_of(ct));
        }
        for el in schema.children_named("element") {
            if let Some(ct) = el.child("complexType") {
                elements.insert(el.attr("name").unwrap().to_owned(), sequence_of(ct).1);
            }
        }
    }
    let mut resolved = BTreeMap::new();
    for name in raw.keys() {
        let mut chain = Vec::new();
        let mut cur = Some(name.clone());
        while let Some(n) = cur {
            let Some((base, decls)) = raw.get(&n) else {
                break;
            };
            chain.push(decls.clone());
            cur = base.clone();
        }
        resolved.insert(name.clone(), chain.into_iter().rev().flatten().collect());
    }
    Schema {
        types: resolved,
        elements,
    }
}

/// Checks `el`'s children against `decls`, recursing into complex types. `path` names the
/// position for messages.
fn check(schema: &Schema, el: &Element, decls: &[Decl], path: &str) {
    let mut last_index = 0;
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for child in el.elements() {
        let here = format!("{path}/{}", child.name);
        let (index, decl) = decls
            .iter()
            .enumerate()
            .find(|(_, d)| d.name == child.name)
            .unwrap_or_else(|| panic!("{here} is not declared in the WSDL"));
        assert!(index >= last_index, "{here} is out of WSDL sequence order");
        last_index = index;
        let count = seen.entry(decl.name.as_str()).or_default();
        *count += 1;
        assert!(
            decl.repeated || *count == 1,
            "{here} repeated but maxOccurs=1"
        );
        match schema.types.get(&decl.type_name) {
            Some(sub) => check(schema, child, sub, &here),
            None => assert!(
                child.is_leaf(),
                "{here} has children but WSDL type {} is simple",
                decl.type_name
            ),
        }
    }
    for d in decls.iter().filter(|d| d.required) {
        assert!(
            seen.contains_key(d.name.as_str()),
            "{path}/{} is required by the WSDL",
            d.name
        );
    }
}

async fn call(http: &reqwest::Client, url: &str, token: &str, body: &str) -> Element {
    let envelope = format!(
        "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"><soapenv:Header xmlns=\"{NS}\">\
         <SessionHeader><sessionId>{token}</sessionId></SessionHeader></soapenv:Header><soapenv:Body xmlns=\"{NS}\">{body}</soapenv:Body></soapenv:Envelope>"
    );
    let resp = http
        .post(format!("{url}/services/Soap/m/63.0"))
        .body(envelope)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.unwrap();
    let env = Element::parse_str(&text, "response").unwrap();
    env.child("Body")
        .unwrap()
        .elements()
        .next()
        .unwrap()
        .clone()
}

#[tokio::test]
async fn responses_match_wsdl() {
    let Some(shared) = shared_dir() else { return };
    let schema = load_schema(&shared);
    let running = Sim::new()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let sim = running.sim;
    let spec: orgsim::config::OrgSpec =
        serde_json::from_value(serde_json::json!({"alias": "wsdl", "kind": "sandbox"})).unwrap();
    let org_id = orgsim::config::create_org(&sim, &spec).await.unwrap();
    let pkg =
        Package::from_dir(&shared.join("fixtures/mdapi/volunteers-for-salesforce-07570c1/src"))
            .unwrap();
    let (url, user_id) = sim
        .with_org_mut(&org_id, |o| {
            orgsim::load::load_package(o, &pkg);
            (o.instance_url.clone(), o.users[0].id.clone())
        })
        .unwrap();
    let token = "wsdl-token".to_owned();
    sim.inner.sessions.write().unwrap().insert(
        token.clone(),
        SessionInfo {
            org_id: org_id.clone(),
            user_id,
            expires_at_ms: Sim::now_ms() + 3_600_000,
        },
    );
    let http = reqwest::Client::new();

    let describe = call(
        &http,
        &url,
        &token,
        "<describeMetadata><asOfVersion>63.0</asOfVersion></describeMetadata>",
    )
    .await;
    assert_eq!(describe.name, "describeMetadataResponse");
    check(
        &schema,
        &describe,
        &schema.elements["describeMetadataResponse"],
        "describeMetadataResponse",
    );

    let list = call(
        &http,
        &url,
        &token,
        "<listMetadata><queries><type>CustomObject</type></queries><queries><type>CustomField</type></queries>\
         <queries><type>EmailTemplate</type><folder>Volunteers_Email_Templates</folder></queries></listMetadata>",
    )
    .await;
    assert!(list.children_named("result").count() > 100);
    check(
        &schema,
        &list,
        &schema.elements["listMetadataResponse"],
        "listMetadataResponse",
    );

    let retrieve = call(
        &http,
        &url,
        &token,
        "<retrieve><retrieveRequest><apiVersion>63.0</apiVersion><unpackaged><types><members>*</members><name>ApexClass</name></types>\
         <types><members>Missing</members><name>ApexPage</name></types><version>63.0</version></unpackaged></retrieveRequest></retrieve>",
    )
    .await;
    check(
        &schema,
        &retrieve,
        &schema.elements["retrieveResponse"],
        "retrieveResponse",
    );
    let id = retrieve.child("result").unwrap().child_text("id").unwrap();
    let status_body = format!(
        "<checkRetrieveStatus><asyncProcessId>{id}</asyncProcessId><includeZip>true</includeZip></checkRetrieveStatus>"
    );
    let done = loop {
        let r = call(&http, &url, &token, &status_body).await;
        if r.child("result").unwrap().child_text("done").as_deref() == Some("true") {
            break r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let result = done.child("result").unwrap();
    assert!(result.child("messages").is_some() && result.child("zipFile").is_some());
    check(
        &schema,
        &done,
        &schema.elements["checkRetrieveStatusResponse"],
        "checkRetrieveStatusResponse",
    );
}

#[test]
fn checker_rejects_undeclared_and_misordered_elements() {
    let Some(shared) = shared_dir() else { return };
    let schema = load_schema(&shared);
    let decls = &schema.types["FileProperties"];
    let bad = Element::parse_str("<result><bogus/></result>", "t").unwrap();
    assert!(std::panic::catch_unwind(|| check(&schema, &bad, decls, "r")).is_err());
    let misordered = Element::parse_str(
        "<r><type>A</type><createdById/><createdByName/><createdDate/><fileName/><fullName/><id/>\
         <lastModifiedById/><lastModifiedByName/><lastModifiedDate/></r>",
        "t",
    )
    .unwrap();
    assert!(std::panic::catch_unwind(|| check(&schema, &misordered, decls, "r")).is_err());
}
