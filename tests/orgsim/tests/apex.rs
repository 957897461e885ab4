//! Anonymous Apex over HTTP as clients see it: debug-log levels decide what the ApexLog body
//! holds, failures are logged with EXCEPTION_THROWN/FATAL_ERROR and the log Status, governor
//! limits cannot be caught, and SOQL-for loops read records created through the admin API.

mod tooling_support;

use serde_json::{Value, json};
use tooling_support::{INVOICE, start};

async fn log_body(org: &tooling_support::Org, id: &str) -> String {
    reqwest::Client::new()
        .get(format!(
            "{}/services/data/v63.0/sobjects/ApexLog/{id}/Body",
            org.instance
        ))
        .bearer_auth(&org.token)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn trace(org: &tooling_support::Org, level: Value) {
    let (s, l) = org.post("DebugLevel", level).await;
    assert_eq!(s, 201, "{l}");
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let (s, f) = org
        .post(
            "TraceFlag",
            json!({"TracedEntityId": org.user_id, "LogType": "USER_DEBUG", "DebugLevelId": l["id"],
                   "StartDate": now - 1000, "ExpirationDate": now + 600_000}),
        )
        .await;
    assert_eq!(s, 201, "{f}");
}

async fn latest_log(org: &tooling_support::Org) -> (Value, String) {
    let (_, logs) = org
        .tooling_query("SELECT Id, Status, Operation FROM ApexLog ORDER BY StartTime DESC LIMIT 1")
        .await;
    let row = logs["records"][0].clone();
    let body = log_body(org, row["Id"].as_str().unwrap()).await;
    (row, body)
}

#[tokio::test]
async fn log_levels_filter_the_body() {
    let org = start("production").await;
    trace(&org, json!({"DeveloperName": "Quiet", "MasterLabel": "Quiet", "ApexCode": "ERROR", "Database": "NONE", "ApexProfiling": "NONE"})).await;
    let r = org
        .exec("System.debug('chatty');\nSystem.debug(LoggingLevel.ERROR, 'important');\nList<User> u = [SELECT Id FROM User];")
        .await;
    assert_eq!(r["success"], true, "{r}");
    let (row, body) = latest_log(&org).await;
    assert_eq!(
        row["Operation"],
        "/services/data/v63.0/tooling/executeAnonymous/"
    );
    assert!(
        body.starts_with("63.0 APEX_CODE,ERROR;APEX_PROFILING,NONE;CALLOUT,INFO;DB,NONE;"),
        "{body}"
    );
    assert!(body.contains("|USER_DEBUG|[2]|ERROR|important"), "{body}");
    assert!(
        !body.contains("|DEBUG|chatty"),
        "DEBUG messages are below an ERROR level: {body}"
    );
    assert!(
        !body.contains("SOQL_EXECUTE_BEGIN"),
        "DB=NONE hides SOQL events: {body}"
    );
    assert!(
        !body.contains("CUMULATIVE_LIMIT_USAGE"),
        "profiling off: {body}"
    );
}

#[tokio::test]
async fn failures_are_logged_and_limits_cannot_be_caught() {
    let org = start("production").await;
    trace(&org, json!({"DeveloperName": "Loud", "MasterLabel": "Loud", "ApexCode": "FINEST", "Database": "FINEST"})).await;
    let r = org
        .exec("try {\n  for (Integer i = 0; i < 101; i++) { List<User> u = [SELECT Id FROM User]; }\n} catch (Exception e) {\n  System.debug('swallowed');\n}")
        .await;
    assert_eq!(r["success"], false);
    assert_eq!(
        r["exceptionMessage"],
        "System.LimitException: Too many SOQL queries: 101"
    );
    assert_eq!(r["line"], 2);
    let (row, body) = latest_log(&org).await;
    assert_eq!(row["Status"], "Too many SOQL queries: 101");
    assert!(!body.contains("|DEBUG|swallowed"));
    assert!(
        body.contains("|SOQL_EXECUTE_BEGIN|[2]|Aggregations:0|SELECT Id FROM User"),
        "{body}"
    );
    assert!(
        body.contains("|EXCEPTION_THROWN|[2]|System.LimitException: Too many SOQL queries: 101"),
        "{body}"
    );
    assert!(
        body.contains("|FATAL_ERROR|System.LimitException: Too many SOQL queries: 101"),
        "{body}"
    );
    assert!(
        body.contains("Number of SOQL queries: 101 out of 100"),
        "{body}"
    );
}

#[tokio::test]
async fn soql_for_loops_over_admin_records() {
    let org = start("production").await;
    org.put_component(
        "CustomObject",
        "Invoice__c",
        "objects/Invoice__c.object",
        INVOICE,
    )
    .await;
    let rows: Vec<Value> = (1..=4)
        .map(|i| json!({"Name": format!("INV-{i}"), "Amount__c": i * 100}))
        .collect();
    let r = reqwest::Client::new()
        .post(format!(
            "{}/_orgsim/orgs/uat/records/Invoice__c",
            org.sim.login_url
        ))
        .json(&rows)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let code = "Decimal total = 0;\nInteger n = 0;\nfor (Invoice__c inv : [SELECT Name, Amount__c FROM Invoice__c WHERE Amount__c >= 200 ORDER BY Name]) {\n  total += inv.Amount__c;\n  n++;\n}\nSystem.assertEquals(900, total);\nSystem.assertEquals(3, n);\ndelete [SELECT Id FROM Invoice__c WHERE Name = 'INV-1'];";
    let r = org.exec(code).await;
    assert_eq!(r["success"], true, "{r}");
    let (s, q) = org.rest_query("SELECT COUNT() FROM Invoice__c").await;
    assert_eq!(s, 200);
    assert_eq!(q["totalSize"], 3);
    let r = org
        .exec("Invoice__c i = new Invoice__c(Amout__c = 1);")
        .await;
    assert_eq!(r["compiled"], false);
    assert_eq!(r["compileProblem"], "Invalid field Amout__c for Invoice__c");
}
