//! Metadata API deploys over real HTTP: the deploy/checkDeployStatus/cancelDeploy/
//! deployRecentValidation lifecycle against a started orgsim, asserting the documented wire
//! shapes. What decides a deploy's outcome (rollbackOnError, bad packages, destructive changes,
//! tests, injected faults) is in `soap_deploy_outcomes.rs`.

mod deploy_support;

use deploy_support::*;
use orgfleet_metadata::xml::Element;
use orgsim::ComponentKey;

#[tokio::test]
async fn successful_deploy_applies_components_with_moving_progress() {
    let e = env("dep1", "sandbox", 40).await;
    let pkg = manifest(&[("ApexClass", &["Foo"]), ("CustomObject", &["Widget__c"])]);
    let id = e
        .deploy(
            &[
                ("package.xml", &pkg),
                ("classes/Foo.cls", FOO),
                ("classes/Foo.cls-meta.xml", META),
                ("objects/Widget__c.object", WIDGET),
            ],
            "<rollbackOnError>true</rollbackOnError><singlePackage>true</singlePackage>",
        )
        .await;
    let polls = e.wait(&id).await;
    let statuses: Vec<String> = polls
        .iter()
        .map(|p| p.child_text("status").unwrap())
        .collect();
    assert!(
        statuses.iter().any(|s| s == "Pending" || s == "InProgress"),
        "{statuses:?}"
    );
    let deployed: Vec<u32> = polls
        .iter()
        .map(|p| {
            p.child_text("numberComponentsDeployed")
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert!(deployed.windows(2).all(|w| w[0] <= w[1]), "{deployed:?}");
    let distinct: std::collections::BTreeSet<_> = deployed.iter().collect();
    assert!(distinct.len() >= 2, "progress never moved: {deployed:?}");
    let shown: Vec<usize> = polls
        .iter()
        .map(|p| rows(p, "componentSuccesses").len())
        .collect();
    assert!(shown.windows(2).all(|w| w[0] <= w[1]), "{shown:?}");
    let partial = polls
        .iter()
        .zip(&shown)
        .any(|(p, n)| *n > 0 && p.child_text("done").as_deref() == Some("false"));
    assert!(
        partial,
        "success rows appear while the deploy runs: {shown:?}"
    );
    let last = polls.last().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Succeeded"));
    assert_eq!(last.child_text("success").as_deref(), Some("true"));
    assert_eq!(
        last.child_text("numberComponentsTotal").as_deref(),
        Some("3")
    );
    assert!(last.child_text("completedDate").is_some() && last.child_text("startDate").is_some());
    let successes = rows(last, "componentSuccesses");
    let names: Vec<_> = successes
        .iter()
        .map(|r| {
            (
                r.child_text("componentType").unwrap(),
                r.child_text("fullName").unwrap(),
            )
        })
        .collect();
    assert!(
        names.contains(&(String::new(), "package.xml".into())),
        "{names:?}"
    );
    assert!(
        names.contains(&("CustomField".into(), "Widget__c.Size__c".into())),
        "{names:?}"
    );
    let foo = successes
        .iter()
        .find(|r| r.child_text("fullName").as_deref() == Some("Foo"))
        .unwrap();
    assert_eq!(foo.child_text("created").as_deref(), Some("true"));
    assert_eq!(
        foo.child_text("fileName").as_deref(),
        Some("classes/Foo.cls")
    );
    assert!(e.has("ApexClass", "Foo") && e.has("CustomObject", "Widget__c"));
    let (created_by, audit) = e
        .sim
        .with_org(&e.org_id, |o| {
            (
                o.metadata[&ComponentKey::new("ApexClass", "Foo")]
                    .created_by_name
                    .clone(),
                o.audit_trail
                    .iter()
                    .filter(|a| {
                        a.action.starts_with("created") && a.created_by_name == "Admin User"
                    })
                    .map(|a| a.display.clone())
                    .collect::<Vec<_>>(),
            )
        })
        .unwrap();
    assert_eq!(created_by, "Admin User");
    // Every deployed component adds a SetupAuditTrail row.
    assert!(audit.iter().any(|d| d.contains("Foo")), "{audit:?}");
    assert!(audit.iter().any(|d| d.contains("Widget__c")), "{audit:?}");

    // A second deploy of the object with a new field merges: Size__c stays.
    let other = WIDGET
        .replace("Size__c", "Color__c")
        .replace("<label>Size</label>", "<label>Color</label>");
    let id = e
        .deploy(
            &[
                (
                    "package.xml",
                    &manifest(&[("CustomObject", &["Widget__c"])]),
                ),
                ("objects/Widget__c.object", &other),
            ],
            "",
        )
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Succeeded"));
    let file = e
        .sim
        .with_org(&e.org_id, |o| o.metadata[&ComponentKey::new("CustomObject", "Widget__c")].files["objects/Widget__c.object"].clone())
        .unwrap();
    let file = String::from_utf8(file).unwrap();
    assert!(
        file.contains("Size__c") && file.contains("Color__c"),
        "{file}"
    );
}

#[tokio::test]
async fn check_only_applies_nothing_then_quick_deploy_applies() {
    let e = env("dep2", "sandbox", 5).await;
    let files = [
        (
            "package.xml",
            manifest(&[("ApexClass", &["Foo", "FooTest"])]),
        ),
        ("classes/Foo.cls", FOO.into()),
        ("classes/Foo.cls-meta.xml", META.into()),
        ("classes/FooTest.cls", FOO_TEST_OK.into()),
        ("classes/FooTest.cls-meta.xml", META.into()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let id = e
        .deploy(
            &files,
            "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>",
        )
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(
        last.child_text("status").as_deref(),
        Some("Succeeded"),
        "{last:?}"
    );
    assert_eq!(last.child_text("checkOnly").as_deref(), Some("true"));
    assert_eq!(last.child_text("runTestsEnabled").as_deref(), Some("true"));
    assert_eq!(
        text(&last, &["details", "runTestResult", "numTestsRun"]).as_deref(),
        Some("1")
    );
    assert!(!e.has("ApexClass", "Foo"), "checkOnly must not apply");

    let (status, xml) = e
        .call(
            &e.token,
            &format!(
                "<deployRecentValidation><validationId>{id}</validationId></deployRecentValidation>"
            ),
        )
        .await;
    assert_eq!(status, 200, "{xml}");
    let quick_id = result_of(&xml).text();
    assert!(quick_id.starts_with("0Af") && quick_id != id);
    let last = e.wait(&quick_id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Succeeded"));
    assert_eq!(last.child_text("checkOnly").as_deref(), Some("false"));
    assert!(e.has("ApexClass", "Foo") && e.has("ApexClass", "FooTest"));

    // Used once only; unknown ids fault too.
    for bad in [id.as_str(), "0Af000000000000AAA"] {
        let (status, xml) = e.call(&e.token, &format!("<deployRecentValidation><validationId>{bad}</validationId></deployRecentValidation>")).await;
        assert_eq!(status, 500);
        assert!(
            xml.contains("<faultcode>sf:INVALID_ID_FIELD</faultcode>"),
            "{xml}"
        );
    }
}

#[tokio::test]
async fn cancel_deploy_ends_canceled() {
    let e = env("dep8", "sandbox", 150).await;
    let files = [
        ("package.xml", manifest(&[("ApexClass", &["Foo"])])),
        ("classes/Foo.cls", FOO.into()),
        ("classes/Foo.cls-meta.xml", META.into()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let id = e.deploy(&files, "").await;
    while e.status(&id, false).await.child_text("status").as_deref() == Some("Pending") {
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (status, xml) = e
        .call(
            &e.token,
            &format!("<cancelDeploy><id>{id}</id></cancelDeploy>"),
        )
        .await;
    assert_eq!(status, 200, "{xml}");
    let r = result_of(&xml);
    assert_eq!(r.child_text("done").as_deref(), Some("false"));
    assert_eq!(r.child_text("id").as_deref(), Some(id.as_str()));
    assert_eq!(
        e.status(&id, false).await.child_text("status").as_deref(),
        Some("Canceling")
    );
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Canceled"));
    assert!(last.child_text("canceledBy").is_some());
    assert!(!e.has("ApexClass", "Foo"));
    let (status, xml) = e
        .call(
            &e.token,
            &format!("<cancelDeploy><String>{id}</String></cancelDeploy>"),
        )
        .await;
    assert_eq!(status, 500, "{xml}");
}

#[tokio::test]
async fn bad_session_faults_invalid_session_id() {
    let e = env("dep9", "sandbox", 5).await;
    let (status, xml) = e.call("nope", "<checkDeployStatus><asyncProcessId>0Af000000000001AAA</asyncProcessId></checkDeployStatus>").await;
    assert_eq!(status, 500);
    assert!(
        xml.contains("<faultcode>sf:INVALID_SESSION_ID</faultcode>"),
        "{xml}"
    );
    let (status, xml) = e.call(&e.token, "<checkDeployStatus><asyncProcessId>0Af000000000001AAA</asyncProcessId></checkDeployStatus>").await;
    assert_eq!(status, 500);
    assert!(xml.contains("INVALID_ID_FIELD"), "{xml}");
}

#[tokio::test]
async fn check_deploy_status_elements_are_declared_by_the_wsdl() {
    let wsdl_path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/fixtures/wsdl/metadata.wsdl"
    );
    let Ok(bytes) = std::fs::read(wsdl_path) else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("../shared not found at {wsdl_path}");
        }
        eprintln!("SKIP: ../shared not found");
        return;
    };
    let types = wsdl_types(&Element::parse_bytes(&bytes, "metadata.wsdl").unwrap());
    assert!(types.contains_key("DeployResult"));
    // A production deploy with a failing test, a failed layout and coverage gives every part.
    let e = env("dep10", "sandbox", 5).await;
    let bad_layout = layout("Missing__c");
    let files = [
        (
            "package.xml",
            manifest(&[
                ("ApexClass", &["Foo", "FooTest"]),
                ("Layout", &["Account-Account Layout"]),
            ]),
        ),
        ("classes/Foo.cls", FOO.into()),
        ("classes/Foo.cls-meta.xml", META.into()),
        ("classes/FooTest.cls", FOO_TEST_BAD.into()),
        ("classes/FooTest.cls-meta.xml", META.into()),
        ("layouts/Account-Account Layout.layout", bad_layout),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let id = e
        .deploy(
            &files,
            "<rollbackOnError>false</rollbackOnError><testLevel>RunLocalTests</testLevel>",
        )
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    let mut checked = 0;
    check_against(&types, "DeployResult", &last, "result", &mut checked);
    for name in ["componentFailures", "componentSuccesses", "runTestResult"] {
        assert!(
            last.child("details").unwrap().child(name).is_some(),
            "{name} missing"
        );
    }
    let rtr = last
        .child("details")
        .unwrap()
        .child("runTestResult")
        .unwrap();
    for name in ["codeCoverage", "failures", "successes"] {
        assert!(rtr.child(name).is_some(), "{name} missing");
    }
    assert!(checked > 60, "only {checked} elements checked");
}
