//! Shared helpers of the deploy integration tests: an org with a session, jsforce-style
//! SOAP calls, zip building, response navigation and the WSDL type walker.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine;
use orgfleet_metadata::xml::Element;
use orgsim::server::SessionInfo;
use orgsim::{ComponentKey, Sim};

pub struct Env {
    pub sim: Sim,
    pub org_id: String,
    pub url: String,
    pub token: String,
    pub http: reqwest::Client,
}

pub async fn env(alias: &str, kind: &str, step_ms: u64) -> Env {
    let running = Sim::new()
        .start("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let sim = running.sim;
    let spec: orgsim::config::OrgSpec =
        serde_json::from_value(serde_json::json!({"alias": alias, "kind": kind})).unwrap();
    let org_id = orgsim::config::create_org(&sim, &spec).await.unwrap();
    let (url, user_id) = sim
        .with_org(&org_id, |o| (o.instance_url.clone(), o.users[0].id.clone()))
        .unwrap();
    let token = format!("{org_id}!TEST{alias}");
    sim.inner.sessions.write().unwrap().insert(
        token.clone(),
        SessionInfo {
            org_id: org_id.clone(),
            user_id,
            expires_at_ms: Sim::now_ms() + 3_600_000,
        },
    );
    sim.inner.soap.deploys.set_step_delay_ms(step_ms);
    Env {
        sim,
        org_id,
        url,
        token,
        http: reqwest::Client::new(),
    }
}

impl Env {
    pub async fn call(&self, token: &str, body: &str) -> (u16, String) {
        // jsforce style: default namespace on Header and Body, unprefixed children.
        let envelope = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\
             <soapenv:Header xmlns=\"http://soap.sforce.com/2006/04/metadata\"><SessionHeader><sessionId>{token}</sessionId></SessionHeader></soapenv:Header>\
             <soapenv:Body xmlns=\"http://soap.sforce.com/2006/04/metadata\">{body}</soapenv:Body></soapenv:Envelope>"
        );
        let resp = self
            .http
            .post(format!("{}/services/Soap/m/63.0", self.url))
            .header("Content-Type", "text/xml")
            .header("SOAPAction", "\"\"")
            .body(envelope)
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.text().await.unwrap())
    }

    pub async fn deploy(&self, files: &[(&str, &str)], options: &str) -> String {
        let body = format!(
            "<deploy><ZipFile>{}</ZipFile><DeployOptions>{options}</DeployOptions></deploy>",
            zip(files)
        );
        let (status, xml) = self.call(&self.token, &body).await;
        assert_eq!(status, 200, "{xml}");
        let result = result_of(&xml);
        assert_eq!(result.child_text("state").as_deref(), Some("Queued"));
        assert_eq!(result.child_text("done").as_deref(), Some("false"));
        let id = result.child_text("id").unwrap();
        assert!(id.starts_with("0Af") && id.len() == 18, "{id}");
        id
    }

    /// Deploys zip bytes as they are; returns the async id.
    pub async fn deploy_zip(&self, zip: &[u8], options: &str) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(zip);
        let body = format!(
            "<deploy><ZipFile>{b64}</ZipFile><DeployOptions>{options}</DeployOptions></deploy>"
        );
        let (status, xml) = self.call(&self.token, &body).await;
        assert_eq!(status, 200, "{}", &xml[..xml.len().min(500)]);
        result_of(&xml).child_text("id").unwrap()
    }

    /// Deploys binary files (fixtures); returns the async id.
    pub async fn deploy_bytes(&self, files: &[(String, Vec<u8>)], options: &str) -> String {
        let mut buf = std::io::Cursor::new(Vec::new());
        {
            let mut w = zip::ZipWriter::new(&mut buf);
            for (path, content) in files {
                w.start_file(path.as_str(), zip::write::SimpleFileOptions::default())
                    .unwrap();
                w.write_all(content).unwrap();
            }
            w.finish().unwrap();
        }
        let b64 = base64::engine::general_purpose::STANDARD.encode(buf.into_inner());
        let body = format!(
            "<deploy><ZipFile>{b64}</ZipFile><DeployOptions>{options}</DeployOptions></deploy>"
        );
        let (status, xml) = self.call(&self.token, &body).await;
        assert_eq!(status, 200, "{}", &xml[..xml.len().min(500)]);
        result_of(&xml).child_text("id").unwrap()
    }

    pub async fn status(&self, id: &str, details: bool) -> Element {
        let body = format!(
            "<checkDeployStatus><asyncProcessId>{id}</asyncProcessId><includeDetails>{details}</includeDetails></checkDeployStatus>"
        );
        let (status, xml) = self.call(&self.token, &body).await;
        assert_eq!(status, 200, "{xml}");
        result_of(&xml)
    }

    /// Polls until done; returns every poll's result (the last one is final, with details).
    pub async fn wait(&self, id: &str) -> Vec<Element> {
        let mut polls = Vec::new();
        for _ in 0..500 {
            let r = self.status(id, true).await;
            let done = r.child_text("done").as_deref() == Some("true");
            polls.push(r);
            if done {
                return polls;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("deploy {id} never finished");
    }

    pub fn has(&self, ty: &str, name: &str) -> bool {
        self.sim
            .with_org(&self.org_id, |o| {
                o.metadata.contains_key(&ComponentKey::new(ty, name))
            })
            .unwrap()
    }
}

pub fn zip(files: &[(&str, &str)]) -> String {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut buf);
        for (path, content) in files {
            w.start_file(*path, zip::write::SimpleFileOptions::default())
                .unwrap();
            w.write_all(content.as_bytes()).unwrap();
        }
        w.finish().unwrap();
    }
    base64::engine::general_purpose::STANDARD.encode(buf.into_inner())
}

pub fn result_of(xml: &str) -> Element {
    let root = Element::parse_str(xml, "response").unwrap();
    let body = root.child("Body").unwrap();
    let resp = body.elements().next().unwrap();
    resp.child("result")
        .cloned()
        .unwrap_or_else(|| panic!("no result in {xml}"))
}

pub fn text(e: &Element, path: &[&str]) -> Option<String> {
    let mut cur = e;
    for p in &path[..path.len() - 1] {
        cur = cur.child(p)?;
    }
    cur.child_text(path[path.len() - 1])
}

pub fn rows<'a>(r: &'a Element, kind: &'a str) -> Vec<&'a Element> {
    r.child("details")
        .map(|d| d.children_named(kind).collect())
        .unwrap_or_default()
}

pub fn manifest(types: &[(&str, &[&str])]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n",
    );
    for (name, members) in types {
        s.push_str("    <types>\n");
        for m in *members {
            s.push_str(&format!("        <members>{m}</members>\n"));
        }
        s.push_str(&format!("        <name>{name}</name>\n    </types>\n"));
    }
    s.push_str("    <version>63.0</version>\n</Package>\n");
    s
}

pub const META: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\"><apiVersion>63.0</apiVersion><status>Active</status></ApexClass>";
pub const FOO: &str = "public class Foo {\n    public Integer add(Integer a, Integer b) {\n        return a + b;\n    }\n}\n";
pub const FOO_TEST_OK: &str = "@isTest\nprivate class FooTest {\n    @isTest static void adds() {\n        System.assertEquals(2, new Foo().add(1, 1));\n    }\n}\n";
pub const FOO_TEST_BAD: &str = "@isTest\nprivate class FooTest {\n    @isTest static void adds() {\n        System.assertEquals(2, new Foo().add(1, 1));\n    }\n    @isTest static void breaks() {\n        System.assertEquals(1, 2);\n    }\n}\n";
pub const WIDGET: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <fields>\n        <fullName>Size__c</fullName>\n        <label>Size</label>\n        <type>Number</type>\n    </fields>\n    <label>Widget</label>\n    <pluralLabel>Widgets</pluralLabel>\n</CustomObject>\n";

pub fn layout(field: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Layout xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <layoutSections>\n        <layoutColumns>\n            <layoutItems>\n                <field>{field}</field>\n            </layoutItems>\n        </layoutColumns>\n    </layoutSections>\n</Layout>\n"
    )
}

/// complexType name → its sequence of (element name, type local name).
pub fn wsdl_types(wsdl: &Element) -> BTreeMap<String, Vec<(String, String)>> {
    fn walk(e: &Element, out: &mut BTreeMap<String, Vec<(String, String)>>) {
        if e.name == "complexType"
            && let Some(name) = e.attr("name")
        {
            let mut seq = Vec::new();
            collect(e, &mut seq);
            out.insert(name.to_owned(), seq);
        }
        for c in e.elements() {
            walk(c, out);
        }
    }
    fn collect(e: &Element, seq: &mut Vec<(String, String)>) {
        for c in e.elements() {
            if c.name == "element" {
                let ty = c
                    .attr("type")
                    .unwrap_or("")
                    .rsplit(':')
                    .next()
                    .unwrap_or("")
                    .to_owned();
                seq.push((c.attr("name").unwrap_or("").to_owned(), ty));
            } else {
                collect(c, seq);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(wsdl, &mut out);
    out
}

pub fn check_against(
    types: &BTreeMap<String, Vec<(String, String)>>,
    ty: &str,
    e: &Element,
    path: &str,
    checked: &mut usize,
) {
    let Some(seq) = types.get(ty) else { return };
    let mut last = 0usize;
    for c in e.elements() {
        let pos = seq
            .iter()
            .position(|(n, _)| *n == c.name)
            .unwrap_or_else(|| panic!("{path}/{} is not declared by {ty}", c.name));
        assert!(
            pos >= last,
            "{path}/{} is out of WSDL order in {ty}",
            c.name
        );
        last = pos;
        *checked += 1;
        check_against(
            types,
            &seq[pos].1,
            c,
            &format!("{path}/{}", c.name),
            checked,
        );
    }
}
