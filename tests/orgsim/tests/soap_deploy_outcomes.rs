//! What decides a Metadata API deploy's outcome, over real HTTP: rollbackOnError (all or
//! nothing versus a partial success), malformed XML, unknown types and a missing manifest,
//! destructive changes, failing tests and coverage in production, and injected faults. Split
//! from `soap_deploy.rs` (the deploy lifecycle and wire shapes); both use `deploy_support`.

mod deploy_support;

use deploy_support::*;

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
