//! Waiting on Metadata jobs (retrieve_and_wait, wait_for_deploy with progress, timeout,
//! cancellation) and anonymous Apex with its debug log over the SOAP Apex API.

mod common;

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use common::*;
use orgfleet_salesforce::*;
use tokio_util::sync::CancellationToken;

fn fast_poll() -> Poll {
    Poll {
        interval: Duration::from_millis(20),
        max_interval: Duration::from_millis(100),
        timeout: Duration::from_secs(30),
    }
}

fn class_zip(name: &str) -> Vec<u8> {
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let files = [
        (
            "package.xml".to_owned(),
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
                 <types><members>{name}</members><name>ApexClass</name></types><version>63.0</version></Package>"
            ),
        ),
        (format!("classes/{name}.cls"), format!("public class {name} {{}}\n")),
        (
            format!("classes/{name}.cls-meta.xml"),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ApexClass xmlns=\"http://soap.sforce.com/2006/04/metadata\">\
             <apiVersion>63.0</apiVersion><status>Active</status></ApexClass>"
                .to_owned(),
        ),
    ];
    for (path, text) in files {
        out.start_file(path, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(text.as_bytes()).unwrap();
    }
    out.finish().unwrap().into_inner()
}

fn request(version: String, members: &[&str]) -> RetrieveRequest {
    RetrieveRequest {
        api_version: version,
        single_package: true,
        types: vec![(
            "ApexClass".into(),
            members.iter().map(|m| (*m).to_owned()).collect(),
        )],
        package_names: vec![],
    }
}

#[tokio::test]
async fn deploy_and_retrieve_are_waited_for() {
    let env = start(vec![org_with_metadata("uat", 30)]).await;
    let session = session(&env, "user@uat.test", Arc::default()).await;
    let md = session.metadata();
    let cancel = CancellationToken::new();

    let job = md
        .deploy(&class_zip("Waited"), &DeployOptions::default())
        .await
        .unwrap();
    let mut statuses = Vec::new();
    let done = md
        .wait_for_deploy(&job.id, &fast_poll(), &cancel, |r| {
            statuses.push(r.status.clone())
        })
        .await
        .unwrap();
    assert_eq!(done.status, "Succeeded");
    assert_eq!(statuses.last().map(String::as_str), Some("Succeeded"));
    assert!(
        statuses.len() >= 2,
        "progress reported while running: {statuses:?}"
    );

    let version = session.api_version().await.unwrap();
    let retrieved = md
        .retrieve_and_wait(&request(version, &["Waited"]), &fast_poll(), &cancel)
        .await
        .unwrap();
    assert!(retrieved.done && retrieved.success);
    let zip = retrieved.zip.expect("zip fetched once at the end");
    let archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    assert!(archive.index_for_name("classes/Waited.cls").is_some());
    assert!(
        retrieved
            .file_properties
            .iter()
            .any(|p| p.full_name == "Waited")
    );
}

#[tokio::test]
async fn a_stuck_retrieve_times_out_or_is_cancelled() {
    let env = start(vec![org_with_metadata("uat", 20)]).await;
    let session = session(&env, "user@uat.test", Arc::default()).await;
    orgsim::faults::set_faults(
        &env.sim.sim,
        &env.org_ids[0],
        orgsim::faults::Faults {
            retrieve_never_finishes: true,
            ..Default::default()
        },
    );
    let version = session.api_version().await.unwrap();
    let short = Poll {
        timeout: Duration::from_millis(300),
        ..fast_poll()
    };
    let err = session
        .metadata()
        .retrieve_and_wait(
            &request(version.clone(), &["*"]),
            &short,
            &CancellationToken::new(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            Error::JobTimedOut {
                what: "Retrieve",
                ..
            }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("may still finish"));

    let cancel = CancellationToken::new();
    let canceller = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(150)).await;
        canceller.cancel();
    });
    let err = session
        .metadata()
        .retrieve_and_wait(&request(version, &["*"]), &fast_poll(), &cancel)
        .await
        .unwrap_err();
    assert!(matches!(err, Error::WaitCancelled { .. }), "{err:?}");
}

#[tokio::test]
async fn anonymous_apex_with_its_debug_log() {
    let env = start(vec![org("prod")]).await;
    let session = session(&env, "user@prod.test", Arc::default()).await;
    let tooling = session.tooling();
    let run = tooling
        .execute_anonymous_with_log("System.debug('hello log');", LogLevel::Debugonly)
        .await
        .unwrap();
    assert!(run.result.compiled && run.result.success, "{run:?}");
    let log = run.debug_log.expect("a debug log");
    assert!(
        log.contains("USER_DEBUG") && log.contains("hello log"),
        "{log}"
    );

    let failed = tooling
        .execute_anonymous_with_log("System.assert(false, 'nope');", LogLevel::Debugonly)
        .await
        .unwrap();
    assert!(failed.result.compiled && !failed.result.success);
    assert!(failed.result.exception_message.is_some());

    // The SOAP Apex API refreshes an expired session like every other call.
    env.expire_access_tokens(0);
    let again = tooling
        .execute_anonymous_with_log("System.debug(1);", LogLevel::None)
        .await
        .unwrap();
    assert!(again.result.success);
}
