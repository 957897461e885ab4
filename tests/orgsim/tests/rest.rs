//! REST on an org instance over real HTTP: versions, resources, limits and the budget,
//! query/queryMore paging, describe, record CRUD, error shapes and 200 concurrent clients.

use orgsim::RunningSim;
use orgsim::config::Config;
use serde_json::{Value, json};

struct Org {
    sim: RunningSim,
    instance: String,
    token: String,
}

const INVOICE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields><fullName>Amount__c</fullName><label>Amount</label><type>Currency</type><precision>18</precision><scale>2</scale></fields>
    <fields><fullName>Stage__c</fullName><label>Stage</label><type>Picklist</type><valueSet><valueSetDefinition>
        <value><fullName>Open</fullName><default>false</default><label>Open</label></value>
        <value><fullName>Paid</fullName><default>false</default><label>Paid</label></value>
    </valueSetDefinition></valueSet></fields>
    <fields><fullName>Ext_Id__c</fullName><externalId>true</externalId><label>Ext Id</label><length>40</length><type>Text</type></fields>
    <label>Invoice</label>
    <pluralLabel>Invoices</pluralLabel>
</CustomObject>
"#;

async fn start() -> Org {
    let config: Config = serde_json::from_value(json!({
        "orgs": [{"alias": "prod", "name": "Acme Corp", "users": [
            {"username": "ada@acme.test", "name": "Ada Lovelace", "password": "pw"}]}]
    }))
    .unwrap();
    let (sim, ids) = config.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let instance = sim
        .sim
        .with_org(&ids[0], |o| o.instance_url.clone())
        .unwrap();
    let http = reqwest::Client::new();
    let token: Value = http
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
    let put = http
        .put(format!(
            "{}/_orgsim/orgs/prod/components/CustomObject/Invoice__c",
            sim.login_url
        ))
        .json(&json!({"user": "ada@acme.test", "files": {"objects/Invoice__c.object": INVOICE}}))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    Org {
        sim,
        instance,
        token,
    }
}

impl Org {
    async fn get(&self, path: &str) -> (u16, reqwest::header::HeaderMap, Value) {
        self.get_with(path, &[]).await
    }

    async fn get_with(
        &self,
        path: &str,
        headers: &[(&str, &str)],
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let mut req = reqwest::Client::new()
            .get(format!("{}{path}", self.instance))
            .bearer_auth(&self.token);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let r = req.send().await.unwrap();
        let status = r.status().as_u16();
        let headers = r.headers().clone();
        (status, headers, r.json().await.unwrap_or(Value::Null))
    }

    async fn query(&self, soql: &str) -> (u16, Value) {
        let r = reqwest::Client::new()
            .get(format!("{}/services/data/v63.0/query", self.instance))
            .query(&[("q", soql)])
            .bearer_auth(&self.token)
            .send()
            .await
            .unwrap();
        (r.status().as_u16(), r.json().await.unwrap())
    }

    async fn seed(&self, n: usize) {
        let rows: Vec<Value> = (0..n).map(|i| json!({"Name": format!("INV-{i:05}"), "Amount__c": i, "Stage__c": if i % 2 == 0 { "Open" } else { "Paid" }})).collect();
        let r = reqwest::Client::new()
            .post(format!(
                "{}/_orgsim/orgs/prod/records/Invoice__c",
                self.sim.login_url
            ))
            .json(&rows)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
    }
}

#[tokio::test]
async fn versions_resources_and_limits() {
    let org = start().await;
    let versions: Value = reqwest::get(format!("{}/services/data", org.instance))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let list = versions.as_array().unwrap();
    let last = list.last().unwrap();
    assert_eq!(last["version"], "65.0");
    assert_eq!(last["label"], "Winter '26");
    assert_eq!(last["url"], "/services/data/v65.0");
    let (status, headers, resources) = org.get("/services/data/v63.0/").await;
    assert_eq!(status, 200);
    assert_eq!(resources["query"], "/services/data/v63.0/query");
    assert_eq!(resources["tooling"], "/services/data/v63.0/tooling");
    let info = headers["sforce-limit-info"].to_str().unwrap();
    assert!(
        info.starts_with("api-usage=") && info.ends_with("/100000"),
        "{info}"
    );
    let (_, _, limits) = org.get("/services/data/v63.0/limits").await;
    let api = &limits["DailyApiRequests"];
    assert_eq!(api["Max"], 100000);
    assert!(api["Remaining"].as_u64().unwrap() < 100000);
    let (status, _, body) = org.get("/services/data/v99.0/limits").await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    let (status, _, body) = org.get("/services/data/v63.0/no/such/thing").await;
    assert_eq!(
        (status, body[0]["errorCode"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    // The login host is not an instance: a valid token is no session there.
    let r = reqwest::Client::new()
        .get(format!("{}/services/data/v63.0/limits", org.sim.login_url))
        .bearer_auth(&org.token)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    assert_eq!(
        r.json::<Value>().await.unwrap()[0]["errorCode"],
        "INVALID_SESSION_ID"
    );
}

#[tokio::test]
async fn api_budget_is_enforced() {
    let org = start().await;
    let http = reqwest::Client::new();
    let r = http
        .put(format!("{}/_orgsim/orgs/prod/api-usage", org.sim.login_url))
        .json(&json!({"max": 5, "used": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    for i in 1..=5 {
        let (status, headers, _) = org.get("/services/data/v63.0/limits").await;
        assert_eq!(status, 200);
        assert_eq!(
            headers["sforce-limit-info"],
            format!("api-usage={i}/5").as_str()
        );
    }
    let (status, headers, body) = org.get("/services/data/v63.0/limits").await;
    assert_eq!(status, 403);
    assert_eq!(body[0]["errorCode"], "REQUEST_LIMIT_EXCEEDED");
    assert_eq!(headers["sforce-limit-info"], "api-usage=5/5");
}

#[tokio::test]
async fn query_and_query_more() {
    let org = start().await;
    org.seed(2500).await;
    let (status, first) = org
        .query("SELECT Id, Name, Amount__c FROM Invoice__c ORDER BY Name")
        .await;
    assert_eq!(status, 200, "{first}");
    assert_eq!(first["totalSize"], 2500);
    assert_eq!(first["done"], false);
    let records = first["records"].as_array().unwrap();
    assert_eq!(records.len(), 2000);
    assert_eq!(records[0]["Name"], "INV-00000");
    assert_eq!(records[0]["attributes"]["type"], "Invoice__c");
    let id = records[0]["Id"].as_str().unwrap();
    assert_eq!(
        records[0]["attributes"]["url"],
        format!("/services/data/v63.0/sobjects/Invoice__c/{id}").as_str()
    );
    let next = first["nextRecordsUrl"].as_str().unwrap();
    assert!(
        next.starts_with("/services/data/v63.0/query/01g") && next.ends_with("-2000"),
        "{next}"
    );
    let (status, _, second) = org.get(next).await;
    assert_eq!(status, 200);
    assert_eq!(second["done"], true);
    assert!(second.get("nextRecordsUrl").is_none());
    assert_eq!(second["records"].as_array().unwrap().len(), 500);
    assert_eq!(second["records"][499]["Name"], "INV-02499");

    // Sforce-Query-Options batch size.
    let (_, _, small) = org
        .get_with(
            "/services/data/v63.0/query?q=SELECT+Id+FROM+Invoice__c",
            &[("Sforce-Query-Options", "batchSize=1000")],
        )
        .await;
    assert_eq!(small["records"].as_array().unwrap().len(), 1000);
    assert!(small["nextRecordsUrl"].as_str().unwrap().ends_with("-1000"));

    let (status, count) = org
        .query("SELECT count() FROM Invoice__c WHERE Stage__c = 'Paid'")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        count,
        json!({"totalSize": 1250, "done": true, "records": []})
    );

    let (status, _, bad) = org.get("/services/data/v63.0/query/01gNOPE-2000").await;
    assert_eq!(
        (status, bad[0]["errorCode"].as_str()),
        (400, Some("INVALID_QUERY_LOCATOR"))
    );
    let (status, bad) = org.query("SELEC Id FROM Invoice__c").await;
    assert_eq!(
        (status, bad[0]["errorCode"].as_str()),
        (400, Some("MALFORMED_QUERY"))
    );
    let (status, bad) = org.query("SELECT Id FROM Nope__c").await;
    assert_eq!(
        (status, bad[0]["errorCode"].as_str()),
        (400, Some("INVALID_TYPE"))
    );
}

#[tokio::test]
async fn derived_sobjects() {
    let org = start().await;
    let (status, orgs) = org.query("SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization").await;
    assert_eq!(status, 200);
    let row = &orgs["records"][0];
    assert_eq!(row["Name"], "Acme Corp");
    assert_eq!(row["IsSandbox"], false);
    assert_eq!(row["OrganizationType"], "Enterprise Edition");
    assert_eq!(row["attributes"]["type"], "Organization");
    let (_, users) = org
        .query("SELECT Id, Username, Profile.Name FROM User WHERE Username = 'ada@acme.test'")
        .await;
    assert_eq!(users["totalSize"], 1);
    assert_eq!(
        users["records"][0]["Profile"]["Name"],
        "System Administrator"
    );
}

#[tokio::test]
async fn describe_and_crud() {
    let org = start().await;
    let (status, _, global) = org.get("/services/data/v63.0/sobjects").await;
    assert_eq!(status, 200);
    assert_eq!(global["encoding"], "UTF-8");
    let names: Vec<&str> = global["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert!(
        names.contains(&"Invoice__c")
            && names.contains(&"ApexClass")
            && names.contains(&"SetupAuditTrail")
    );
    let (status, _, d) = org
        .get("/services/data/v63.0/sobjects/Invoice__c/describe")
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (
            d["label"].as_str(),
            d["labelPlural"].as_str(),
            d["custom"].as_bool()
        ),
        (Some("Invoice"), Some("Invoices"), Some(true))
    );
    let amount = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Amount__c")
        .unwrap();
    assert_eq!(amount["type"], "currency");
    let stage = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "Stage__c")
        .unwrap();
    assert_eq!(stage["picklistValues"].as_array().unwrap().len(), 2);
    let (status, _, err) = org
        .get("/services/data/v63.0/sobjects/Nope__c/describe")
        .await;
    assert_eq!(
        (status, err[0]["errorCode"].as_str()),
        (404, Some("INVALID_TYPE"))
    );

    let http = reqwest::Client::new();
    let base = format!("{}/services/data/v63.0/sobjects/Invoice__c", org.instance);
    let created = http
        .post(&base)
        .bearer_auth(&org.token)
        .json(&json!({"Name": "INV-1", "Amount__c": 12.5}))
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(
        (
            created["success"].as_bool(),
            created["errors"].as_array().map(Vec::len)
        ),
        (Some(true), Some(0))
    );
    let id = created["id"].as_str().unwrap();
    let bad = http
        .post(&base)
        .bearer_auth(&org.token)
        .json(&json!({"Nme": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert_eq!(
        bad.json::<Value>().await.unwrap()[0]["errorCode"],
        "INVALID_FIELD"
    );
    let bad = http
        .post(&base)
        .bearer_auth(&org.token)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(
        bad.json::<Value>().await.unwrap()[0]["errorCode"],
        "JSON_PARSER_ERROR"
    );
    let patched = http
        .patch(format!("{base}/{id}"))
        .bearer_auth(&org.token)
        .json(&json!({"Stage__c": "Paid"}))
        .send()
        .await
        .unwrap();
    assert_eq!(patched.status(), 204);
    let (status, _, rec) = org
        .get(&format!(
            "/services/data/v63.0/sobjects/Invoice__c/{}?fields=Name,Stage__c",
            &id[..15]
        ))
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        (rec["Name"].as_str(), rec["Stage__c"].as_str()),
        (Some("INV-1"), Some("Paid"))
    );
    assert!(rec.get("Amount__c").is_none());
    let deleted = http
        .delete(format!("{base}/{id}"))
        .bearer_auth(&org.token)
        .send()
        .await
        .unwrap();
    assert_eq!(deleted.status(), 204);
    let (status, _, gone) = org
        .get(&format!("/services/data/v63.0/sobjects/Invoice__c/{id}"))
        .await;
    assert_eq!(
        (status, gone[0]["errorCode"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    let org_post = http
        .post(format!(
            "{}/services/data/v63.0/sobjects/Organization",
            org.instance
        ))
        .bearer_auth(&org.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(org_post.status(), 405);
}

#[tokio::test]
async fn two_hundred_concurrent_clients() {
    let org = start().await;
    org.seed(50).await;
    let mut tasks = Vec::new();
    for i in 0..200 {
        let url = format!("{}/services/data/v63.0/query", org.instance);
        let token = org.token.clone();
        tasks.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let r = client
                .get(url)
                .query(&[(
                    "q",
                    format!(
                        "SELECT Id, Name FROM Invoice__c WHERE Amount__c >= {}",
                        i % 50
                    ),
                )])
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            let body: Value = r.json().await.unwrap();
            (
                status,
                body["totalSize"].as_u64().unwrap_or(0),
                50 - (i % 50) as u64,
            )
        }));
    }
    for task in tasks {
        let (status, got, want) = task.await.unwrap();
        assert_eq!((status, got), (200, want));
    }
}

#[tokio::test]
async fn upsert_by_external_id_and_blob_fields() {
    let org = start().await;
    let http = reqwest::Client::new();
    let base = format!("{}/services/data/v63.0/sobjects/Invoice__c", org.instance);
    let upsert = |body: Value, field: &'static str, value: &'static str| {
        let req = http
            .patch(format!("{base}/{field}/{value}"))
            .bearer_auth(&org.token)
            .json(&body);
        async move {
            let r = req.send().await.unwrap();
            (
                r.status().as_u16(),
                r.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, created) = upsert(json!({"Name": "First"}), "Ext_Id__c", "E-1").await;
    assert_eq!((status, created["created"].as_bool()), (201, Some(true)));
    let (status, updated) = upsert(json!({"Name": "Second"}), "Ext_Id__c", "E-1").await;
    assert_eq!((status, updated["created"].as_bool()), (200, Some(false)));
    assert_eq!(updated["id"], created["id"]);
    let (status, err) = upsert(json!({"Name": "x"}), "Name", "Second").await;
    assert_eq!(
        (status, err[0]["errorCode"].as_str()),
        (404, Some("NOT_FOUND"))
    );
    let id = created["id"].as_str().unwrap();
    let blob = http
        .get(format!("{base}/{id}/Name"))
        .bearer_auth(&org.token)
        .send()
        .await
        .unwrap();
    assert_eq!(blob.status(), 200);
    assert_eq!(blob.text().await.unwrap(), "Second");
    let seeded = http
        .post(format!(
            "{}/_orgsim/orgs/prod/records/Invoice__c",
            org.sim.login_url
        ))
        .json(&json!([{"Name": "a", "Ext_Id__c": "DUP"}, {"Name": "b", "Ext_Id__c": "DUP"}]))
        .send()
        .await
        .unwrap();
    assert_eq!(seeded.status(), 201);
    let (status, choices) = upsert(json!({"Name": "c"}), "Ext_Id__c", "DUP").await;
    assert_eq!(status, 300);
    assert_eq!(choices.as_array().unwrap().len(), 2);
}

/// The legacy partner SOAP login (jsforce `conn.login`): its sessionId works on the REST API
/// of the instance named by serverUrl.
#[tokio::test]
async fn soap_login_session_works_for_rest() {
    let org = start().await;
    let envelope = |user: &str, pw: &str| {
        format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\
             <soapenv:Body><n1:login xmlns:n1=\"urn:partner.soap.sforce.com\"><n1:username>{user}</n1:username>\
             <n1:password>{pw}</n1:password></n1:login></soapenv:Body></soapenv:Envelope>"
        )
    };
    let http = reqwest::Client::new();
    let url = format!("{}/services/Soap/u/63.0", org.sim.login_url);
    let post = |body: String| {
        http.post(&url)
            .header("Content-Type", "text/xml")
            .header("SOAPAction", "\"\"")
            .body(body)
            .send()
    };
    let bad = post(envelope("ada@acme.test", "wrong")).await.unwrap();
    assert_eq!(bad.status(), 500);
    let bad = bad.text().await.unwrap();
    assert!(
        bad.contains("<faultcode>sf:INVALID_LOGIN</faultcode>"),
        "{bad}"
    );
    let ok = post(envelope("ada@acme.test", "pwSECURITYTOKEN"))
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let text = ok.text().await.unwrap();
    let between = |tag: &str| {
        let open = format!("<{tag}>");
        let start = text.find(&open).unwrap() + open.len();
        text[start..start + text[start..].find('<').unwrap()].to_owned()
    };
    let server_url = between("serverUrl");
    assert!(server_url.starts_with(&format!("{}/services/Soap/u/63.0/00D", org.instance)));
    assert_eq!(between("userName"), "ada@acme.test");
    assert_eq!(between("sandbox"), "false");
    let session = between("sessionId");
    let r = http
        .get(format!("{}/services/data/v63.0/limits", org.instance))
        .bearer_auth(&session)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
