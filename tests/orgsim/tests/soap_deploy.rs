//! Metadata API deploys over real HTTP: deploy/checkDeployStatus/cancelDeploy/
//! deployRecentValidation against a started orgsim, asserting the documented wire shapes.

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
async fn rollback_on_error_all_or_nothing_versus_partial() {
    let pkg = manifest(&[
        ("ApexClass", &["Foo"]),
        ("Layout", &["Account-Account Layout"]),
    ]);
    let bad_layout = layout("Missing__c");
    let files = [
        ("package.xml", pkg.as_str()),
        ("classes/Foo.cls", FOO),
        ("classes/Foo.cls-meta.xml", META),
        ("layouts/Account-Account Layout.layout", bad_layout.as_str()),
    ];
    let e = env("dep3", "sandbox", 5).await;
    let id = e
        .deploy(&files, "<rollbackOnError>true</rollbackOnError>")
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Failed"));
    assert_eq!(
        last.child_text("numberComponentErrors").as_deref(),
        Some("1")
    );
    let failure = rows(&last, "componentFailures")[0].clone();
    assert_eq!(
        failure.child_text("problem").as_deref(),
        Some("In field: field - no CustomField named Account.Missing__c found")
    );
    assert_eq!(
        failure.child_text("componentType").as_deref(),
        Some("Layout")
    );
    assert_eq!(
        failure.child_text("fullName").as_deref(),
        Some("Account-Account Layout")
    );
    assert_eq!(
        failure.child_text("fileName").as_deref(),
        Some("layouts/Account-Account Layout.layout")
    );
    assert_eq!(failure.child_text("lineNumber").as_deref(), Some("6"));
    assert_eq!(failure.child_text("columnNumber").as_deref(), Some("24"));
    assert_eq!(failure.child_text("problemType").as_deref(), Some("Error"));
    assert!(!e.has("ApexClass", "Foo"), "all or nothing");

    let id = e
        .deploy(&files, "<rollbackOnError>false</rollbackOnError>")
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(
        last.child_text("status").as_deref(),
        Some("SucceededPartial")
    );
    assert!(e.has("ApexClass", "Foo"));
    assert!(!e.has("Layout", "Account-Account Layout"));

    // Production forces rollbackOnError.
    let p = env("dep3p", "production", 5).await;
    let id = p
        .deploy(
            &files[..],
            "<rollbackOnError>false</rollbackOnError><testLevel>RunLocalTests</testLevel>",
        )
        .await;
    let last = p.wait(&id).await.pop().unwrap();
    assert_eq!(last.child_text("rollbackOnError").as_deref(), Some("true"));
    assert_eq!(last.child_text("status").as_deref(), Some("Failed"));
}

#[tokio::test]
async fn malformed_xml_unknown_types_and_missing_manifest_fail() {
    let e = env("dep4", "sandbox", 5).await;
    let broken = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <label>Widget\n</CustomObject>\n";
    let pkg = manifest(&[("CustomObject", &["Widget__c"]), ("Reports", &["X"])]);
    let id = e
        .deploy(
            &[
                ("unpackaged/package.xml", &pkg),
                ("unpackaged/objects/Widget__c.object", broken),
            ],
            "",
        )
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Failed"));
    let failures = rows(&last, "componentFailures");
    let parse = failures
        .iter()
        .find(|f| f.child_text("componentType").as_deref() == Some("CustomObject"))
        .unwrap();
    let problem = parse.child_text("problem").unwrap();
    assert!(
        problem.starts_with("Error parsing file: The element type \"label\" must be terminated"),
        "{problem}"
    );
    assert_eq!(
        parse.child_text("fileName").as_deref(),
        Some("unpackaged/objects/Widget__c.object")
    );
    assert_eq!(parse.child_text("lineNumber").as_deref(), Some("4"));
    assert!(failures.iter().any(|f| f.child_text("problem").as_deref()
        == Some("Unknown type name 'Reports' specified in package.xml")));

    let id = e
        .deploy(
            &[("classes/Foo.cls", FOO), ("classes/Foo.cls-meta.xml", META)],
            "",
        )
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Failed"));
    let row = rows(&last, "componentFailures")[0].clone();
    assert_eq!(
        row.child_text("problem").as_deref(),
        Some("No package.xml found")
    );
    assert_eq!(row.child_text("componentType").as_deref(), Some(""));
    assert_eq!(row.child_text("fullName").as_deref(), Some("package.xml"));

    // Apex referencing an unknown class.
    let src = "public class Bar {\n    public void run() {\n        Baz b = new Baz();\n    }\n}\n";
    let id = e
        .deploy(
            &[
                ("package.xml", &manifest(&[("ApexClass", &["Bar"])])),
                ("classes/Bar.cls", src),
                ("classes/Bar.cls-meta.xml", META),
            ],
            "",
        )
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    let row = rows(&last, "componentFailures")[0].clone();
    assert_eq!(
        row.child_text("problem").as_deref(),
        Some("Invalid type: Baz")
    );
    assert_eq!(
        (
            row.child_text("lineNumber").as_deref(),
            row.child_text("columnNumber").as_deref()
        ),
        (Some("3"), Some("9"))
    );
}

#[tokio::test]
async fn destructive_changes_delete_and_warn() {
    let e = env("dep5", "sandbox", 5).await;
    let id = e
        .deploy(
            &[
                ("package.xml", &manifest(&[("ApexClass", &["Foo"])])),
                ("classes/Foo.cls", FOO),
                ("classes/Foo.cls-meta.xml", META),
            ],
            "",
        )
        .await;
    e.wait(&id).await;
    assert!(e.has("ApexClass", "Foo"));
    let empty = manifest(&[]);
    let destructive = manifest(&[("ApexClass", &["Foo", "Ghost"])]);
    let files = [
        ("package.xml", empty.as_str()),
        ("destructiveChangesPost.xml", destructive.as_str()),
    ];

    let id = e.deploy(&files, "").await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(
        last.child_text("status").as_deref(),
        Some("Failed"),
        "a Warning fails without ignoreWarnings"
    );
    let warning = rows(&last, "componentFailures")[0].clone();
    assert_eq!(
        warning.child_text("problem").as_deref(),
        Some("No ApexClass named: Ghost found")
    );
    assert_eq!(
        warning.child_text("problemType").as_deref(),
        Some("Warning")
    );
    assert_eq!(
        warning.child_text("fullName").as_deref(),
        Some("destructiveChangesPost.xml")
    );
    assert!(e.has("ApexClass", "Foo"));

    let id = e
        .deploy(&files, "<ignoreWarnings>true</ignoreWarnings>")
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Succeeded"));
    let deleted = rows(&last, "componentSuccesses")
        .into_iter()
        .find(|r| r.child_text("deleted").as_deref() == Some("true"))
        .unwrap()
        .clone();
    assert_eq!(deleted.child_text("fullName").as_deref(), Some("Foo"));
    assert!(!e.has("ApexClass", "Foo"));
}

#[tokio::test]
async fn failing_local_test_fails_production_deploy_with_coverage() {
    let e = env("dep6", "production", 5).await;
    let files = [
        (
            "package.xml",
            manifest(&[("ApexClass", &["Foo", "FooTest"])]),
        ),
        ("classes/Foo.cls", FOO.into()),
        ("classes/Foo.cls-meta.xml", META.into()),
        ("classes/FooTest.cls", FOO_TEST_BAD.into()),
        ("classes/FooTest.cls-meta.xml", META.into()),
    ];
    let files: Vec<(&str, &str)> = files.iter().map(|(p, c)| (*p, c.as_str())).collect();
    let (status, xml) = e
        .call(&e.token, &format!("<deploy><ZipFile>{}</ZipFile><DeployOptions><testLevel>NoTestRun</testLevel></DeployOptions></deploy>", zip(&files)))
        .await;
    assert_eq!(status, 500);
    assert!(
        xml.contains(
            "INVALID_OPERATION: testLevel of NoTestRun cannot be used in production organizations"
        ),
        "{xml}"
    );

    let id = e
        .deploy(&files, "<testLevel>RunLocalTests</testLevel>")
        .await;
    let polls = e.wait(&id).await;
    let last = polls.last().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Failed"));
    assert_eq!(
        last.child_text("numberComponentErrors").as_deref(),
        Some("0")
    );
    assert_eq!(last.child_text("numberTestErrors").as_deref(), Some("1"));
    assert_eq!(
        last.child_text("numberTestsCompleted").as_deref(),
        Some("1")
    );
    assert_eq!(last.child_text("runTestsEnabled").as_deref(), Some("true"));
    let rtr = last
        .child("details")
        .unwrap()
        .child("runTestResult")
        .unwrap();
    assert_eq!(rtr.child_text("numTestsRun").as_deref(), Some("2"));
    assert_eq!(rtr.child_text("numFailures").as_deref(), Some("1"));
    let failure = rtr.child("failures").unwrap();
    assert_eq!(failure.child_text("name").as_deref(), Some("FooTest"));
    assert_eq!(failure.child_text("methodName").as_deref(), Some("breaks"));
    assert_eq!(
        failure.child_text("message").as_deref(),
        Some("System.AssertException: Assertion Failed: Expected: 1, Actual: 2")
    );
    assert_eq!(
        failure.child_text("stackTrace").as_deref(),
        Some("Class.FooTest.breaks: line 7, column 9")
    );
    let cov = rtr.child("codeCoverage").unwrap();
    assert_eq!(cov.child_text("name").as_deref(), Some("Foo"));
    assert_eq!(cov.child_text("numLocations").as_deref(), Some("1"));
    assert_eq!(
        cov.child_text("numLocationsNotCovered").as_deref(),
        Some("0")
    );
    assert!(!e.has("ApexClass", "Foo"));
}

#[tokio::test]
async fn injected_fault_fails_the_chosen_component() {
    let e = env("dep7", "sandbox", 5).await;
    let faults = orgsim::faults::Faults {
        deploy_fail_component: Some("ApexClass:Foo".into()),
        ..Default::default()
    };
    orgsim::faults::set_faults(&e.sim, &e.org_id, faults);
    let id = e
        .deploy(
            &[
                ("package.xml", &manifest(&[("ApexClass", &["Foo"])])),
                ("classes/Foo.cls", FOO),
                ("classes/Foo.cls-meta.xml", META),
            ],
            "",
        )
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Failed"));
    let row = rows(&last, "componentFailures")[0].clone();
    assert!(row.child_text("problem").unwrap().starts_with(
        "An unexpected error occurred. Please include this ErrorId if you contact support: "
    ));
    assert_eq!(row.child_text("fullName").as_deref(), Some("Foo"));
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
