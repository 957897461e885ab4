//! Tooling API over real HTTP: executeAnonymous (success, compile error, exception), DML
//! visible to later queries, rollback of a failed block, TraceFlag → ApexLog → Body, the
//! SOAP Apex API with DebuggingHeader, MetadataComponentDependency and SourceMember.

mod tooling_support;

use serde_json::{Value, json};
use tooling_support::{INVOICE, LAYOUT, start};

#[tokio::test]
async fn execute_anonymous_results() {
    let org = start("production").await;
    let ok = org.exec("System.debug('hi');").await;
    assert_eq!(
        ok,
        json!({"line": -1, "column": -1, "compiled": true, "success": true, "compileProblem": null,
               "exceptionStackTrace": null, "exceptionMessage": null})
    );
    let bad = org.exec("Integer i = 1;\nSystem.debug(i +);").await;
    assert_eq!(bad["compiled"], false);
    assert_eq!(bad["success"], false);
    assert_eq!(
        (bad["line"].as_i64(), bad["column"].as_i64()),
        (Some(2), Some(17))
    );
    assert_eq!(bad["compileProblem"], "Unexpected token ')'.");
    let thrown = org.exec("System.assert(1 == 2);").await;
    assert_eq!(thrown["compiled"], true);
    assert_eq!(thrown["success"], false);
    assert_eq!(
        thrown["exceptionMessage"],
        "System.AssertException: Assertion Failed"
    );
    assert_eq!(
        thrown["exceptionStackTrace"],
        "AnonymousBlock: line 1, column 1"
    );

    // No session: the documented 401 array.
    let r = reqwest::Client::new()
        .get(format!(
            "{}/services/data/v63.0/tooling/executeAnonymous/",
            org.instance
        ))
        .query(&[("anonymousBody", "System.debug(1);")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body[0]["errorCode"], "INVALID_SESSION_ID");
}

#[tokio::test]
async fn dml_is_visible_to_queries_and_failures_roll_back() {
    let org = start("production").await;
    org.put_component(
        "CustomObject",
        "Invoice__c",
        "objects/Invoice__c.object",
        INVOICE,
    )
    .await;
    let r = org
        .exec("List<Invoice__c> l = new List<Invoice__c>();\nfor (Integer i = 0; i < 3; i++) { l.add(new Invoice__c(Name = 'INV-' + i, Amount__c = i * 10)); }\ninsert l;")
        .await;
    assert_eq!(r["success"], true, "{r}");
    let rest: Value = reqwest::Client::new()
        .get(format!("{}/services/data/v63.0/query", org.instance))
        .query(&[(
            "q",
            "SELECT Name, Amount__c FROM Invoice__c WHERE Amount__c > 5 ORDER BY Name",
        )])
        .bearer_auth(&org.token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["totalSize"], 2, "{rest}");
    assert_eq!(rest["records"][0]["Name"], "INV-1");

    let failed = org
        .exec("insert new Invoice__c(Name = 'ghost');\nInvoice__c x = [SELECT Id FROM Invoice__c WHERE Name = 'nope'];")
        .await;
    assert_eq!(failed["success"], false);
    assert_eq!(
        failed["exceptionMessage"],
        "System.QueryException: List has no rows for assignment to SObject"
    );
    let count = org
        .exec("System.assertEquals(3, [SELECT COUNT() FROM Invoice__c]);")
        .await;
    assert_eq!(
        count["success"], true,
        "the failed block's insert must be rolled back: {count}"
    );
}

#[tokio::test]
async fn trace_flag_produces_apex_log_with_body() {
    let org = start("production").await;
    // Without a trace flag no log is written.
    org.exec("System.debug('unlogged');").await;
    let (_, none) = org.tooling_query("SELECT Id FROM ApexLog").await;
    assert_eq!(none["totalSize"], 0);

    let (s, level) = org
        .post("DebugLevel", json!({"DeveloperName": "SFDC_DevConsole", "MasterLabel": "SFDC_DevConsole", "ApexCode": "FINEST", "Visualforce": "FINER"}))
        .await;
    assert_eq!(s, 201, "{level}");
    let level_id = level["id"].as_str().unwrap().to_owned();
    assert!(level_id.starts_with("7dl"));
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let (s, flag) = org
        .post("TraceFlag", json!({"TracedEntityId": org.user_id, "LogType": "DEVELOPER_LOG", "DebugLevelId": level_id,
                                  "StartDate": now_ms - 1000, "ExpirationDate": "Tue, 13 Oct 2099 06:09:43 GMT"}))
        .await;
    assert_eq!(s, 400, "a flag over 24 hours is refused: {flag}");
    let expires = now_ms + 30 * 60 * 1000;
    let (s, flag) = org
        .post("TraceFlag", json!({"TracedEntityId": org.user_id, "LogType": "DEVELOPER_LOG", "DebugLevelId": level_id,
                                  "StartDate": now_ms - 1000, "ExpirationDate": expires}))
        .await;
    assert_eq!(s, 201, "{flag}");
    let (_, flags) = org
        .tooling_query(&format!("SELECT Id, logtype, startdate, expirationdate, debuglevelid, debuglevel.apexcode, debuglevel.visualforce FROM TraceFlag WHERE logtype='DEVELOPER_LOG' AND TracedEntityId='{}' ORDER BY CreatedDate DESC LIMIT 1", org.user_id))
        .await;
    assert_eq!(flags["entityTypeName"], "TraceFlag");
    assert_eq!(
        flags["records"][0]["DebugLevel"]["ApexCode"], "FINEST",
        "{flags}"
    );

    let r = org
        .exec("String who = 'world';\nSystem.debug('hello ' + who);")
        .await;
    assert_eq!(r["success"], true);
    let (s, logs) = org
        .tooling_query("SELECT Id, Application, DurationMilliseconds, Location, LogLength, LogUser.Name, Operation, Request, StartTime, Status FROM ApexLog ORDER BY StartTime DESC")
        .await;
    assert_eq!(s, 200, "{logs}");
    assert_eq!(logs["totalSize"], 1);
    let log = &logs["records"][0];
    let id = log["Id"].as_str().unwrap();
    assert!(id.starts_with("07L"));
    assert_eq!(log["LogUser"]["Name"], "Ada Lovelace");
    assert_eq!(log["Status"], "Success");
    assert_eq!(log["Request"], "API");
    let body = reqwest::Client::new()
        .get(format!(
            "{}/services/data/v63.0/tooling/sobjects/ApexLog/{id}/Body",
            org.instance
        ))
        .bearer_auth(&org.token)
        .send()
        .await
        .unwrap();
    assert!(
        body.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = body.text().await.unwrap();
    assert!(text.starts_with("63.0 APEX_CODE,FINEST;"), "{text}");
    assert!(
        text.contains("|USER_DEBUG|[2]|DEBUG|hello world\n"),
        "{text}"
    );
    assert!(text.contains("|EXECUTION_STARTED") && text.contains("|EXECUTION_FINISHED"));
    assert_eq!(log["LogLength"].as_u64(), Some(text.len() as u64));
}

#[tokio::test]
async fn soap_execute_anonymous_returns_debugging_info() {
    let org = start("production").await;
    let org_id = org.sim.sim.resolve_org("uat").unwrap();
    let envelope = format!(
        r#"<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/" xmlns:apex="http://soap.sforce.com/2006/08/apex">
  <env:Header>
    <apex:SessionHeader><apex:sessionId>{}</apex:sessionId></apex:SessionHeader>
    <apex:DebuggingHeader><apex:debugLevel>DEBUGONLY</apex:debugLevel></apex:DebuggingHeader>
  </env:Header>
  <env:Body><executeAnonymous xmlns="http://soap.sforce.com/2006/08/apex"><apexcode>System.debug('from soap &amp; cli');</apexcode></executeAnonymous></env:Body>
</env:Envelope>"#,
        org.token
    );
    let r = reqwest::Client::new()
        .post(format!("{}/services/Soap/s/63.0/{org_id}", org.instance))
        .header("Content-Type", "text/xml")
        .header("SOAPAction", "executeAnonymous")
        .body(envelope.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let xml = r.text().await.unwrap();
    assert!(
        xml.contains("<DebuggingInfo><debugLog>63.0 APEX_CODE,DEBUG;"),
        "{xml}"
    );
    assert!(
        xml.contains("|USER_DEBUG|[1]|DEBUG|from soap &amp; cli"),
        "{xml}"
    );
    assert!(xml.contains("<compiled>true</compiled>") && xml.contains("<success>true</success>"));
    assert!(xml.contains("<compileProblem xsi:nil=\"true\"/>"));

    let broken = envelope.replace("System.debug('from soap &amp; cli');", "Integer i = ;");
    let r = reqwest::Client::new()
        .post(format!("{}/services/Soap/s/63.0/{org_id}", org.instance))
        .header("Content-Type", "text/xml")
        .body(broken)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let xml = r.text().await.unwrap();
    assert!(xml.contains("<column>13</column><compileProblem>Unexpected token &apos;;&apos;.</compileProblem><compiled>false</compiled>")
        || xml.contains("<column>13</column><compileProblem>Unexpected token ';'.</compileProblem><compiled>false</compiled>"), "{xml}");
    assert!(
        xml.contains("<exceptionMessage xsi:nil=\"true\"/>")
            && xml.contains("<line>1</line><success>false</success>")
    );

    let bad = envelope.replace(&org.token, "nope");
    let r = reqwest::Client::new()
        .post(format!("{}/services/Soap/s/63.0", org.instance))
        .body(bad)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    assert!(r.text().await.unwrap().contains("INVALID_SESSION_ID"));
}

#[tokio::test]
async fn dependencies_and_source_members() {
    let org = start("sandbox").await;
    org.put_component(
        "CustomObject",
        "Invoice__c",
        "objects/Invoice__c.object",
        INVOICE,
    )
    .await;
    org.put_component(
        "Layout",
        "Invoice__c-Invoice Layout",
        "layouts/Invoice__c-Invoice Layout.layout",
        LAYOUT,
    )
    .await;
    let (s, deps) = org
        .tooling_query("SELECT MetadataComponentId, MetadataComponentName, MetadataComponentType, RefMetadataComponentId, RefMetadataComponentName, RefMetadataComponentType FROM MetadataComponentDependency WHERE RefMetadataComponentType = 'CustomField'")
        .await;
    assert_eq!(s, 200, "{deps}");
    let rows = deps["records"].as_array().unwrap();
    let hit = rows
        .iter()
        .find(|r| r["MetadataComponentType"] == "Layout")
        .unwrap_or_else(|| panic!("no layout dependency: {deps}"));
    assert_eq!(hit["MetadataComponentName"], "Invoice__c-Invoice Layout");
    assert_eq!(hit["RefMetadataComponentName"], "Invoice__c.Amount__c");

    let (s, first) = org
        .tooling_query("SELECT MemberIdOrName, MemberType, MemberName, IsNameObsolete, RevisionCounter, IsNewMember, ChangedBy FROM SourceMember WHERE RevisionCounter > 0")
        .await;
    assert_eq!(s, 200, "{first}");
    let max = first["records"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["RevisionCounter"].as_u64())
        .max()
        .unwrap_or(0);
    let changed = INVOICE.replace("<label>Invoice</label>", "<label>Bill</label>");
    org.put_component(
        "CustomObject",
        "Invoice__c",
        "objects/Invoice__c.object",
        &changed,
    )
    .await;
    let (_, next) = org
        .tooling_query(&format!("SELECT MemberType, MemberName, RevisionCounter, IsNameObsolete, ChangedBy FROM SourceMember WHERE RevisionCounter > {max}"))
        .await;
    let recs = next["records"].as_array().unwrap();
    let member = recs
        .iter()
        .find(|r| r["MemberType"] == "CustomObject" && r["MemberName"] == "Invoice__c")
        .unwrap_or_else(|| panic!("changed object not tracked: {next}"));
    assert!(member["RevisionCounter"].as_u64().unwrap() > max);
    assert_eq!(member["IsNameObsolete"], false);
    assert_eq!(member["ChangedBy"], org.user_id.as_str());
    assert!(
        recs.iter()
            .all(|r| r["MemberName"] != "Invoice__c.Amount__c"),
        "unchanged field is not re-listed"
    );

    let prod = start("production").await;
    let (s, err) = prod
        .tooling_query("SELECT MemberName FROM SourceMember")
        .await;
    assert_eq!(s, 400);
    assert_eq!(err[0]["errorCode"], "INVALID_TYPE");
}

/// `<repo>/../shared`, or `None` (printing SKIP) when absent; CI=true makes absence fatal.
fn shared() -> Option<std::path::PathBuf> {
    let dir = std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared"));
    if dir.is_dir() {
        return Some(dir);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "../shared not found and CI=true"
    );
    println!("SKIP: ../shared not found");
    None
}

#[tokio::test]
async fn dependencies_of_a_real_package() {
    let Some(shared) = shared() else { return };
    let path = shared.join("fixtures/mdapi/volunteers-for-salesforce-07570c1");
    let config: orgsim::config::Config = serde_json::from_value(json!({
        "orgs": [{"alias": "uat", "kind": "production", "metadata": {"path": path},
                  "users": [{"username": "ada@acme.test", "name": "Ada Lovelace", "password": "pw"}]}]
    }))
    .unwrap();
    let (sim, ids) = config.start("127.0.0.1:0".parse().unwrap()).await.unwrap();
    let rows = sim
        .sim
        .with_org(&ids[0], orgsim::dependencies::rows)
        .unwrap();
    let has = |from_ty: &str, from: &str, to_ty: &str, to: &str| {
        rows.iter().any(|r| {
            r["MetadataComponentType"] == from_ty
                && r["MetadataComponentName"] == from
                && r["RefMetadataComponentType"] == to_ty
                && r["RefMetadataComponentName"] == to
        })
    };
    assert!(has(
        "Layout",
        "Volunteer_Job__c-Volunteer Job Layout",
        "CustomField",
        "Volunteer_Job__c.Campaign__c"
    ));
    assert!(has(
        "ValidationRule",
        "Job_Recurrence_Schedule__c.JRS_Days_Of_Week_Required",
        "CustomField",
        "Job_Recurrence_Schedule__c.Days_of_Week__c"
    ));
    assert!(has(
        "ApexClass",
        "VOL_CTRL_JobCalendar",
        "ApexClass",
        "VOL_SharedCode"
    ));
    assert!(has(
        "ApexClass",
        "VOL_SharedCode",
        "CustomObject",
        "Volunteer_Job__c"
    ));
    assert!(
        rows.iter()
            .all(|r| r["MetadataComponentId"] != r["RefMetadataComponentId"])
    );
    // Standard fields placed on layouts are not CustomField dependencies.
    assert!(
        !rows
            .iter()
            .any(|r| r["RefMetadataComponentName"] == "Volunteer_Job__c.Name")
    );
}
