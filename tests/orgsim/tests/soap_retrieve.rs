//! Metadata API retrieve over real HTTP: retrieve/checkRetrieveStatus for unpackaged and
//! single-package requests, messages and the profile filter, zipFile inclusion, the file limit
//! and a retrieve that never finishes. Split from `soap_read.rs` (the other read-side
//! operations), whose helpers it shares via `soap_read_support`.

mod soap_read_support;

use std::time::Duration;

use base64::Engine;
use orgfleet_metadata::mdapi::{ComponentId, Package};
use orgfleet_metadata::xml::Element;
use orgsim::soap::retrieve::{RetrieveSettings, set_retrieve_settings};
use soap_read_support::*;

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
