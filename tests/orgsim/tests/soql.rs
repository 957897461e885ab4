//! SOQL over the wire: Salesforce's error codes and message shapes on REST and Tooling
//! queries, Tooling QueryResult fields, COUNT(), relationship projection, the
//! MetadataComponentDependency restrictions, and Tooling sObject create/read/update/delete.

mod tooling_support;

use reqwest::Method;
use serde_json::json;
use tooling_support::start;

#[tokio::test]
async fn error_shapes() {
    let org = start("production").await;
    let (s, e) = org.rest_query("SELECT Id FORM User").await;
    assert_eq!(s, 400);
    assert_eq!(e[0]["errorCode"], "MALFORMED_QUERY");
    let msg = e[0]["message"].as_str().unwrap();
    assert!(
        msg.contains("ERROR at Row:1:Column:11") && msg.ends_with("unexpected token: 'FORM'"),
        "{msg}"
    );

    let (s, e) = org.tooling_query("SELECT Id FROM Nope__c").await;
    assert_eq!(s, 400);
    assert_eq!(e[0]["errorCode"], "INVALID_TYPE");
    assert!(
        e[0]["message"]
            .as_str()
            .unwrap()
            .contains("sObject type 'Nope__c' is not supported.")
    );

    let (s, e) = org.tooling_query("SELECT Id, Nme FROM ApexClass").await;
    assert_eq!(s, 400);
    assert_eq!(e[0]["errorCode"], "INVALID_FIELD");
    assert!(
        e[0]["message"]
            .as_str()
            .unwrap()
            .contains("No such column 'Nme' on entity 'ApexClass'")
    );
    let (s, ok) = org
        .tooling_query("SELECT Id, Name, Body, ApiVersion, Status FROM ApexClass")
        .await;
    assert_eq!(s, 200, "{ok}");

    let (s, e) = org.tooling_query("SELECT Id, LogTyp FROM TraceFlag").await;
    assert_eq!(s, 400);
    assert_eq!(e[0]["errorCode"], "INVALID_FIELD");
    assert!(
        e[0]["message"]
            .as_str()
            .unwrap()
            .contains("No such column 'LogTyp' on entity 'TraceFlag'")
    );

    let (s, e) = org.tooling_query("SELECT MetadataComponentName FROM MetadataComponentDependency ORDER BY MetadataComponentName").await;
    assert_eq!(s, 400);
    assert_eq!(e[0]["errorCode"], "MALFORMED_QUERY");

    let (s, e) = org
        .send(
            Method::GET,
            "/services/data/v63.0/tooling/query/01gBOGUS-2000",
            None,
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(e[0]["errorCode"], "INVALID_QUERY_LOCATOR");
}

#[tokio::test]
async fn tooling_query_result_shape() {
    let org = start("production").await;
    let (s, r) = org
        .tooling_query("SELECT Id, Name, Username FROM User WHERE Username LIKE 'ada%'")
        .await;
    assert_eq!(s, 200, "{r}");
    assert_eq!(r["size"], 1);
    assert_eq!(r["totalSize"], 1);
    assert_eq!(r["done"], true);
    assert!(r["queryLocator"].is_null());
    assert_eq!(r["entityTypeName"], "User");
    let url = r["records"][0]["attributes"]["url"].as_str().unwrap();
    assert!(
        url.starts_with("/services/data/v63.0/tooling/sobjects/User/005"),
        "{url}"
    );
    assert_eq!(r["records"][0]["Name"], "Ada Lovelace");
    let (_, c) = org.tooling_query("SELECT COUNT() FROM User").await;
    assert_eq!(c["totalSize"], 1);
    assert_eq!(c["records"], json!([]));
}

#[tokio::test]
async fn tooling_sobject_crud() {
    let org = start("production").await;
    let (s, e) = org
        .post(
            "DebugLevel",
            json!({"DeveloperName": "X", "MasterLabel": "X", "ApexCod": "DEBUG"}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(e[0]["errorCode"], "INVALID_FIELD");
    let (s, e) = org
        .post(
            "DebugLevel",
            json!({"DeveloperName": "X", "MasterLabel": "X", "ApexCode": "LOUD"}),
        )
        .await;
    assert_eq!(s, 400);
    assert_eq!(e[0]["errorCode"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
    let (s, level) = org
        .post(
            "DebugLevel",
            json!({"DeveloperName": "X", "MasterLabel": "X", "ApexCode": "debug"}),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(level["success"], true);
    let lid = level["id"].as_str().unwrap();
    let (s, dup) = org
        .post(
            "DebugLevel",
            json!({"DeveloperName": "x", "MasterLabel": "Y"}),
        )
        .await;
    assert_eq!(
        (s, dup[0]["errorCode"].as_str()),
        (400, Some("DUPLICATE_DEVELOPER_NAME"))
    );

    let (s, flag) = org
        .post(
            "TraceFlag",
            json!({"TracedEntityId": org.user_id, "LogType": "USER_DEBUG", "DebugLevelId": lid,
                   "StartDate": "2099-01-01T00:00:00.000+0000", "ExpirationDate": "2099-01-01T01:00:00Z"}),
        )
        .await;
    assert_eq!(s, 201, "{flag}");
    let fid = flag["id"].as_str().unwrap();
    assert!(fid.starts_with("7tf"));
    let (s, again) = org
        .post(
            "TraceFlag",
            json!({"TracedEntityId": org.user_id, "LogType": "USER_DEBUG", "DebugLevelId": lid,
                   "StartDate": "2099-01-01T00:30:00Z", "ExpirationDate": "2099-01-01T02:00:00Z"}),
        )
        .await;
    assert_eq!(
        (s, again[0]["errorCode"].as_str()),
        (400, Some("FIELD_INTEGRITY_EXCEPTION"))
    );

    let path = format!("/services/data/v63.0/tooling/sobjects/TraceFlag/{fid}");
    let (s, _) = org
        .send(
            Method::PATCH,
            &path,
            Some(json!({"ExpirationDate": "2099-01-01T05:00:00Z"})),
        )
        .await;
    assert_eq!(s, 204);
    let (s, got) = org.send(Method::GET, &path, None).await;
    assert_eq!(s, 200);
    assert_eq!(got["ExpirationDate"], "2099-01-01T05:00:00.000+0000");
    assert_eq!(got["LogType"], "USER_DEBUG");

    let level_path = format!("/services/data/v63.0/tooling/sobjects/DebugLevel/{lid}");
    let (s, e) = org.send(Method::DELETE, &level_path, None).await;
    assert_eq!(
        (s, e[0]["errorCode"].as_str()),
        (400, Some("DELETE_FAILED"))
    );
    assert_eq!(org.send(Method::DELETE, &path, None).await.0, 204);
    assert_eq!(org.send(Method::GET, &path, None).await.0, 404);
    assert_eq!(org.send(Method::DELETE, &level_path, None).await.0, 204);
}

#[tokio::test]
async fn tooling_query_more() {
    let org = start("production").await;
    let (_, level) = org
        .post(
            "DebugLevel",
            json!({"DeveloperName": "P", "MasterLabel": "P"}),
        )
        .await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as u64;
    let (s, _) = org
        .post(
            "TraceFlag",
            json!({"TracedEntityId": org.user_id, "LogType": "DEVELOPER_LOG", "DebugLevelId": level["id"],
                   "StartDate": now - 1000, "ExpirationDate": now + 600_000}),
        )
        .await;
    assert_eq!(s, 201);
    for i in 0..205 {
        org.exec(&format!("System.debug({i});")).await;
    }
    let r = reqwest::Client::new()
        .get(format!(
            "{}/services/data/v63.0/tooling/query",
            org.instance
        ))
        .query(&[("q", "SELECT Id FROM ApexLog")])
        .header("Sforce-Query-Options", "batchSize=200")
        .bearer_auth(&org.token)
        .send()
        .await
        .unwrap();
    let first: serde_json::Value = r.json().await.unwrap();
    assert_eq!(first["totalSize"], 205);
    assert_eq!(first["done"], false);
    assert_eq!(first["records"].as_array().unwrap().len(), 200);
    let next = first["nextRecordsUrl"].as_str().unwrap();
    assert!(
        next.starts_with("/services/data/v63.0/tooling/query/01g") && next.ends_with("-200"),
        "{next}"
    );
    let (s, rest) = org.send(Method::GET, next, None).await;
    assert_eq!(s, 200);
    assert_eq!(rest["done"], true);
    assert_eq!(rest["entityTypeName"], "ApexLog");
    assert_eq!(rest["records"].as_array().unwrap().len(), 5);
    assert!(rest.get("nextRecordsUrl").is_none());
}

#[tokio::test]
async fn tooling_describes() {
    let org = start("sandbox").await;
    let (s, g) = org
        .send(Method::GET, "/services/data/v63.0/tooling/sobjects", None)
        .await;
    assert_eq!(s, 200, "{g}");
    let names: Vec<&str> = g["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["name"].as_str().unwrap())
        .collect();
    for want in [
        "ApexClass",
        "ApexLog",
        "DebugLevel",
        "MetadataComponentDependency",
        "SourceMember",
        "TraceFlag",
    ] {
        assert!(names.contains(&want), "{want} missing from {names:?}");
    }
    let (s, d) = org
        .send(
            Method::GET,
            "/services/data/v63.0/tooling/sobjects/TraceFlag/describe",
            None,
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(d["keyPrefix"], "7tf");
    let log_type = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "LogType")
        .unwrap();
    assert_eq!(log_type["type"], "picklist");
    assert!(
        log_type["picklistValues"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["value"] == "DEVELOPER_LOG")
    );
    let (s, _) = org
        .send(
            Method::GET,
            "/services/data/v63.0/tooling/sobjects/ApexClass/describe/",
            None,
        )
        .await;
    assert_eq!(s, 200);
    let prod = start("production").await;
    let (s, e) = prod
        .send(
            Method::GET,
            "/services/data/v63.0/tooling/sobjects/SourceMember/describe",
            None,
        )
        .await;
    assert_eq!((s, e[0]["errorCode"].as_str()), (404, Some("NOT_FOUND")));
}
