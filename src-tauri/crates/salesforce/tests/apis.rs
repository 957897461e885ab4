//! The typed clients against orgsim: REST query/queryMore/describe/limits, Tooling
//! executeAnonymous and debug logs, the Metadata SOAP round trip (describe, list, read,
//! retrieve, deploy, validate + quick deploy, cancel, faults), and 50 orgs at once.

mod common;

use std::io::{Read, Write};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use orgfleet_salesforce::*;
use serde_json::json;

async fn seed_accounts(env: &Env, alias: &str, n: usize) {
    let rows: Vec<_> = (0..n)
        .map(|i| json!({"Name": format!("Acct {i:04}")}))
        .collect();
    let r = no_redirects()
        .post(format!(
            "{}/_orgsim/orgs/{alias}/records/Account",
            env.sim.login_url
        ))
        .json(&rows)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
}

#[tokio::test]
async fn rest_query_query_more_describe_and_limits() {
    let env = start(vec![org("prod")]).await;
    seed_accounts(&env, "prod", 2300).await;
    let session = session(&env, "user@prod.test", Arc::default()).await;
    let rest = session.rest();

    let versions = rest.versions().await.unwrap();
    assert!(versions.iter().any(|v| v.version == "63.0"));

    let first = rest.query("SELECT Id, Name FROM Account").await.unwrap();
    assert!(
        !first.done && first.records.len() == 2000,
        "default batch of 2000"
    );
    let next = first.next_records_url.clone().unwrap();
    let second = rest.query_more(&next).await.unwrap();
    assert!(second.done);
    assert_eq!(
        first.records.len() + second.records.len(),
        first.total_size as usize
    );
    assert!(rest.query_more("https://evil.example/x").await.is_err());

    let all = rest
        .query_all("SELECT Id, Name FROM Account")
        .await
        .unwrap();
    assert_eq!(all.len() as u64, first.total_size);
    let mut ids: Vec<&str> = all.iter().map(|r| r["Id"].as_str().unwrap()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "no page read twice");

    let describe = rest.describe_sobject("Account").await.unwrap();
    assert_eq!(describe.name, "Account");
    assert!(describe.fields.iter().any(|f| f.name == "Name"));
    let err = rest.describe_sobject("Nope__c").await.unwrap_err();
    assert!(matches!(err, Error::Api { status: 404, .. }), "{err:?}");
    assert!(rest.describe_sobject("Account/../x").await.is_err());

    let err = rest.query("SELEC Id FROM Account").await.unwrap_err();
    assert_eq!(err.salesforce_code(), Some("MALFORMED_QUERY"), "{err:?}");

    assert!(
        rest.limits()
            .await
            .unwrap()
            .contains_key("DailyApiRequests")
    );
}

#[tokio::test]
async fn tooling_execute_anonymous_and_debug_logs() {
    let env = start(vec![org("prod")]).await;
    let session = session(&env, "user@prod.test", Arc::default()).await;
    let tooling = session.tooling();

    let ok = tooling
        .execute_anonymous("System.debug('hello from orgfleet');")
        .await
        .unwrap();
    assert!(ok.compiled && ok.success, "{ok:?}");
    assert_eq!((ok.line, ok.column), (-1, -1));
    let bad = tooling.execute_anonymous("Integer x = ;").await.unwrap();
    assert!(
        !bad.compiled && !bad.success && bad.compile_problem.is_some(),
        "{bad:?}"
    );
    let boom = tooling
        .execute_anonymous("System.assert(false);")
        .await
        .unwrap();
    assert!(boom.compiled && !boom.success, "{boom:?}");
    assert!(
        boom.exception_message
            .unwrap_or_default()
            .contains("Assert")
    );

    let user_id = session.tokens().identity().unwrap().user_id;
    let level = tooling
        .create_debug_level(&DebugLevel::apex_finest("Orgfleet_Test"))
        .await
        .unwrap();
    assert!(level.starts_with("7dl"));
    let now = std::time::SystemTime::now();
    let flag = tooling
        .create_trace_flag(&TraceFlag {
            traced_entity_id: user_id,
            log_type: "DEVELOPER_LOG".into(),
            debug_level_id: level,
            start_date: iso(now),
            expiration_date: iso(now + Duration::from_secs(1800)),
        })
        .await
        .unwrap();
    assert!(flag.starts_with("7tf"));
    tooling
        .execute_anonymous("System.debug('traced line');")
        .await
        .unwrap();
    let logs = tooling.list_apex_logs(5).await.unwrap();
    assert!(!logs.is_empty());
    assert!(logs[0].id.starts_with("07L"));
    let body = tooling.apex_log_body(&logs[0].id).await.unwrap();
    assert!(
        body.contains("USER_DEBUG") && body.contains("traced line"),
        "{body}"
    );

    let rows = tooling
        .query_all("SELECT Id FROM DebugLevel")
        .await
        .unwrap();
    assert!(!rows.is_empty());
}

/// RFC 3339 UTC without external crates.
fn iso(t: std::time::SystemTime) -> String {
    let secs = t.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil-from-days (Howard Hinnant).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.000Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn zip_of(files: &[(&str, &str)]) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in files {
        out.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn class_package(name: &str, body: &str) -> Vec<u8> {
    let package = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
         <types><members>{name}</members><name>ApexClass</name></types><version>63.0</version></Package>"
    );
    let meta = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
                <apiVersion>63.0</apiVersion><status>Active</status></ApexClass>";
    zip_of(&[
        ("package.xml", &package),
        (&format!("classes/{name}.cls"), body),
        (&format!("classes/{name}.cls-meta.xml"), meta),
    ])
}

async fn wait_deploy(metadata: Metadata<'_>, id: &str) -> DeployResult {
    for _ in 0..200 {
        let r = metadata.check_deploy_status(id, true).await.unwrap();
        if r.done {
            return r;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("deploy {id} never finished");
}

#[tokio::test]
async fn metadata_list_read_retrieve_deploy_round_trip() {
    let env = start(vec![org_with_metadata("prod", 60)]).await;
    let session = session(&env, "user@prod.test", Arc::default()).await;
    let md = session.metadata();

    let describe = md.describe_metadata().await.unwrap();
    let custom_object = describe
        .metadata_objects
        .iter()
        .find(|o| o.xml_name == "CustomObject")
        .unwrap();
    assert!(
        custom_object
            .child_xml_names
            .contains(&"CustomField".to_owned())
    );

    // Four queries: sent as two calls (at most three per call); a folder query is fine.
    let queries = [
        ListMetadataQuery::new("ApexClass"),
        ListMetadataQuery::new("CustomObject"),
        ListMetadataQuery::new("Layout"),
        ListMetadataQuery::in_folder("Report", "NoSuchFolder"),
    ];
    let listed = md.list_metadata(&queries).await.unwrap();
    let soap_calls = env
        .requests(0)
        .iter()
        .filter(|r| r.path.contains("/Soap/m/"))
        .count();
    assert!(listed.iter().any(|p| p.type_name == "CustomObject"));
    assert!(
        listed
            .iter()
            .all(|p| !p.full_name.is_empty() && !p.file_name.is_empty())
    );
    let objects: Vec<String> = listed
        .iter()
        .filter(|p| p.type_name == "CustomObject")
        .map(|p| p.full_name.clone())
        .take(2)
        .collect();
    assert!(soap_calls >= 3, "describe + two list calls");

    let err = md
        .list_metadata(&[ListMetadataQuery::new("NoSuchType")])
        .await
        .unwrap_err();
    assert_eq!(err.salesforce_code(), Some("INVALID_TYPE"), "{err:?}");

    let mut names = objects.clone();
    names.push("Missing__c".into());
    let records = md.read_metadata("CustomObject", &names).await.unwrap();
    assert_eq!(records.len(), objects.len(), "missing names dropped");
    assert_eq!(records[0].type_name, "CustomObject");
    assert!(records[0].xml.starts_with("<records") && records[0].xml.ends_with("</records>"));

    // Deploy a new class, then retrieve it back.
    let body = "public class OrgfleetProbe {\n    public static Integer two() { return 2; }\n}\n";
    let started = md
        .deploy(
            &class_package("OrgfleetProbe", body),
            &DeployOptions::default(),
        )
        .await
        .unwrap();
    assert!(started.id.starts_with("0Af") && !started.done);
    let result = wait_deploy(md, &started.id).await;
    assert_eq!(result.status, "Succeeded", "{result:?}");
    assert!(result.success);
    assert!(
        result
            .component_successes
            .iter()
            .any(|m| m.full_name == "OrgfleetProbe"
                && m.component_type == "ApexClass"
                && m.created)
    );

    let retrieve = md
        .retrieve(&RetrieveRequest {
            api_version: session.api_version().await.unwrap(),
            single_package: true,
            types: vec![(
                "ApexClass".into(),
                vec!["OrgfleetProbe".into(), "Nope".into()],
            )],
            package_names: vec![],
        })
        .await
        .unwrap();
    let mut done = None;
    for _ in 0..200 {
        let r = md.check_retrieve_status(&retrieve.id, false).await.unwrap();
        if r.done {
            done = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(done.is_some(), "retrieve finished");
    let r = md.check_retrieve_status(&retrieve.id, true).await.unwrap();
    assert_eq!(r.status, "Succeeded");
    assert!(
        r.messages.iter().any(|m| m.problem.contains("Nope")),
        "{:?}",
        r.messages
    );
    let zip = r.zip.expect("zip bytes");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut text = String::new();
    archive
        .by_name("classes/OrgfleetProbe.cls")
        .unwrap()
        .read_to_string(&mut text)
        .unwrap();
    assert_eq!(text, body);
    assert!(archive.by_name("package.xml").is_ok());
}

#[tokio::test]
async fn failed_deploys_validation_quick_deploy_and_cancel() {
    let env = start(vec![org_with_metadata("prod", 30)]).await;
    let session = session(&env, "user@prod.test", Arc::default()).await;
    let md = session.metadata();

    let broken = class_package(
        "Broken",
        "public class Broken {\n    public static void m() {\n        Frobnicator f = new Frobnicator();\n    }\n}\n",
    );
    let started = md.deploy(&broken, &DeployOptions::default()).await.unwrap();
    let failed = wait_deploy(md, &started.id).await;
    assert_eq!(failed.status, "Failed", "{failed:?}");
    assert!(!failed.success);
    let failure = &failed.component_failures[0];
    assert_eq!(failure.full_name, "Broken");
    assert_eq!(failure.problem_type.as_deref(), Some("Error"));
    assert!(
        failure
            .problem
            .as_deref()
            .unwrap_or("")
            .contains("Frobnicator"),
        "{failure:?}"
    );
    assert_eq!(failure.line_number, Some(3));

    let test_class = "@isTest private class ProbeTest { @isTest static void t() { System.assertEquals(2, 1 + 1); } }";
    let package = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
                   <types><members>ProbeTest</members><name>ApexClass</name></types><version>63.0</version></Package>";
    let meta = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
                <apiVersion>63.0</apiVersion><status>Active</status></ApexClass>";
    let zip = zip_of(&[
        ("package.xml", package),
        ("classes/ProbeTest.cls", test_class),
        ("classes/ProbeTest.cls-meta.xml", meta),
    ]);
    let options = DeployOptions {
        check_only: true,
        test_level: Some("RunSpecifiedTests".into()),
        run_tests: vec!["ProbeTest".into()],
        ..DeployOptions::default()
    };
    let validation = md.deploy(&zip, &options).await.unwrap();
    let validated = wait_deploy(md, &validation.id).await;
    assert_eq!(validated.status, "Succeeded", "{validated:?}");
    assert!(validated.check_only);
    let tests = validated.run_test_result.clone().expect("tests ran");
    assert_eq!(
        (tests.num_tests_run, tests.num_failures),
        (1, 0),
        "{tests:?}"
    );
    assert_eq!(tests.successes[0].name, "ProbeTest");

    let quick = md.deploy_recent_validation(&validation.id).await.unwrap();
    assert_ne!(quick, validation.id);
    let deployed = wait_deploy(md, &quick).await;
    assert_eq!(deployed.status, "Succeeded", "{deployed:?}");

    let err = md
        .deploy_recent_validation("0Af000000000000AAA")
        .await
        .unwrap_err();
    assert!(err.salesforce_code().is_some(), "{err:?}");

    // Cancel: either accepted (then Canceled) or too late (already done); never an error.
    let again = md
        .deploy(
            &class_package("Later", "public class Later {}"),
            &DeployOptions::default(),
        )
        .await
        .unwrap();
    let cancel = md.cancel_deploy(&again.id).await.unwrap();
    assert_eq!(cancel.id, again.id);
    let end = wait_deploy(md, &again.id).await;
    assert!(
        ["Canceled", "Succeeded"].contains(&end.status.as_str()),
        "{end:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_orgs_connected_at_once() {
    let orgs: Vec<_> = (0..50).map(|i| org(&format!("org{i:02}"))).collect();
    let env = Arc::new(start(orgs).await);
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let env = env.clone();
            tokio::spawn(async move {
                let username = format!("user@org{i:02}.test");
                let config = env.jwt(&username);
                let tokens = jwt_login(&config).await?;
                let session = Session::connect(
                    tokens,
                    Credentials::Jwt(config),
                    SessionConfig::new(format!("org{i:02}")),
                    None,
                )
                .await?;
                let users = session
                    .rest()
                    .query_all(&format!(
                        "SELECT Id, Username FROM User WHERE Username = '{username}'"
                    ))
                    .await?;
                Ok::<_, Error>((session.org_id(), users))
            })
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    for (i, task) in tasks.into_iter().enumerate() {
        let (org_id, users) = task.await.unwrap().unwrap();
        assert_eq!(org_id.as_deref(), Some(env.org_ids[i].as_str()));
        assert_eq!(users.len(), 1);
        assert_eq!(
            users[0]["Username"],
            format!("user@org{i:02}.test").as_str()
        );
        seen.insert(org_id);
    }
    assert_eq!(seen.len(), 50, "each session talks to its own org");
}
