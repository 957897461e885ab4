//! Deploy validation and policy details over real HTTP: reference checks on objects, record
//! types, permission sets and profiles; cascades; production-only rules; the quick-deploy
//! window.

mod deploy_support;

use deploy_support::*;
use orgfleet_metadata::xml::Element;

const OBJ: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <fields>
        <fullName>Stage__c</fullName>
        <label>Stage</label>
        <type>Picklist</type>
        <valueSet>
            <valueSetDefinition>
                <value>
                    <fullName>Open</fullName>
                    <default>false</default>
                    <label>Open</label>
                </value>
            </valueSetDefinition>
        </valueSet>
    </fields>
    <fields>
        <fullName>Owner__c</fullName>
        <label>Owner</label>
        <referenceTo>Ghost__c</referenceTo>
        <type>Lookup</type>
    </fields>
    <label>Deal</label>
    <recordTypes>
        <fullName>Big</fullName>
        <label>Big</label>
        <picklistValues>
            <picklist>Stage__c</picklist>
            <values>
                <fullName>Closed</fullName>
                <default>false</default>
            </values>
        </picklistValues>
    </recordTypes>
    <validationRules>
        <fullName>Needs_Amount</fullName>
        <active>true</active>
        <errorConditionFormula>ISBLANK(Amount__c)</errorConditionFormula>
        <errorMessage>Amount required</errorMessage>
    </validationRules>
</CustomObject>
";

const PERMSET: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<PermissionSet xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <fieldPermissions>
        <editable>true</editable>
        <field>Deal__c.Nope__c</field>
        <readable>true</readable>
    </fieldPermissions>
    <label>Deals</label>
</PermissionSet>
";

const PROFILE: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">
    <classAccesses>
        <apexClass>Missing</apexClass>
        <enabled>true</enabled>
    </classAccesses>
    <recordTypeVisibilities>
        <default>false</default>
        <recordType>Deal__c.Small</recordType>
        <visible>true</visible>
    </recordTypeVisibilities>
</Profile>
";

fn problems(r: &Element) -> Vec<(String, String, String, Option<String>)> {
    rows(r, "componentFailures")
        .iter()
        .map(|f| {
            (
                f.child_text("componentType").unwrap(),
                f.child_text("fullName").unwrap(),
                f.child_text("problem").unwrap(),
                f.child_text("lineNumber"),
            )
        })
        .collect()
}

#[tokio::test]
async fn reference_checks_on_objects_permission_sets_and_profiles() {
    let e = env("chk1", "sandbox", 5).await;
    let pkg = manifest(&[
        ("CustomObject", &["Deal__c"]),
        ("PermissionSet", &["Deals"]),
        ("Profile", &["Admin"]),
    ]);
    let id = e
        .deploy(
            &[
                ("package.xml", &pkg),
                ("objects/Deal__c.object", OBJ),
                ("permissionsets/Deals.permissionset", PERMSET),
                ("profiles/Admin.profile", PROFILE),
            ],
            "",
        )
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Failed"));
    let got = problems(&last);
    let expect = [
        (
            "CustomField",
            "Deal__c.Owner__c",
            "referenceTo value of 'Ghost__c' does not resolve to a valid sObject type",
            Some("20"),
        ),
        (
            "ValidationRule",
            "Deal__c.Needs_Amount",
            "Field Amount__c does not exist. Check spelling.",
            Some("38"),
        ),
        (
            "RecordType",
            "Deal__c.Big",
            "Picklist value: Closed in picklist: Stage__c not found",
            Some("30"),
        ),
        (
            "PermissionSet",
            "Deals",
            "In field: field - no CustomField named Deal__c.Nope__c found",
            None,
        ),
        (
            "Profile",
            "Admin",
            "In field: apexClass - no ApexClass named Missing found",
            None,
        ),
        (
            "Profile",
            "Admin",
            "In field: recordType - no RecordType named Deal__c.Small found",
            Some("9"),
        ),
    ];
    for (ty, name, problem, line) in expect {
        assert!(
            got.iter()
                .any(|g| g.0 == ty && g.1 == name && g.2 == problem && g.3.as_deref() == line),
            "missing {ty} {name} {problem} {line:?} in {got:#?}"
        );
    }
    let file = rows(&last, "componentFailures")
        .iter()
        .find(|f| f.child_text("componentType").as_deref() == Some("RecordType"))
        .and_then(|f| f.child_text("fileName"));
    assert_eq!(file.as_deref(), Some("objects/Deal__c.object"));
    assert!(!e.has("CustomObject", "Deal__c"));
}

#[tokio::test]
async fn broken_class_cascades_to_dependents_and_test_classes() {
    let e = env("chk2", "sandbox", 5).await;
    let broken = "public class Foo {\n    public Integer add(Integer a, Integer b) {\n        Nope n = null;\n        return a + b;\n    }\n}\n";
    let user = "public class User2 {\n    public Integer twice(Integer a) {\n        return new Foo().add(a, a);\n    }\n}\n";
    let pkg = manifest(&[("ApexClass", &["Foo", "User2", "FooTest", "Fine"])]);
    let files = [
        ("package.xml", pkg.as_str()),
        ("classes/Foo.cls", broken),
        ("classes/Foo.cls-meta.xml", META),
        ("classes/User2.cls", user),
        ("classes/User2.cls-meta.xml", META),
        ("classes/FooTest.cls", FOO_TEST_OK),
        ("classes/FooTest.cls-meta.xml", META),
        ("classes/Fine.cls", "public class Fine {}\n"),
        ("classes/Fine.cls-meta.xml", META),
    ];
    let id = e
        .deploy(
            &files,
            "<rollbackOnError>false</rollbackOnError><testLevel>RunLocalTests</testLevel>",
        )
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    let got = problems(&last);
    assert!(
        got.contains(&(
            "ApexClass".into(),
            "Foo".into(),
            "Invalid type: Nope".into(),
            Some("3".into())
        )),
        "{got:#?}"
    );
    let dependent =
        "Dependent class is invalid and needs recompilation:\n Class Foo : Invalid type: Nope";
    assert!(
        got.iter()
            .any(|g| g.1 == "User2" && g.2 == dependent && g.3.as_deref() == Some("3")),
        "{got:#?}"
    );
    assert!(
        got.iter().any(|g| g.1 == "FooTest" && g.2 == dependent),
        "{got:#?}"
    );
    let rtr = last
        .child("details")
        .unwrap()
        .child("runTestResult")
        .unwrap();
    let failure = rtr.child("failures").unwrap();
    assert_eq!(
        failure.child_text("message").as_deref(),
        Some("line -1, column -1: Previous load of class failed: footest")
    );
    assert!(failure.child("methodName").unwrap().attr("nil").is_some());
    assert_eq!(last.child_text("status").as_deref(), Some("Failed"));
}

#[tokio::test]
async fn production_rules_purge_and_specified_test_coverage() {
    let e = env("chk3", "production", 5).await;
    let pkg = manifest(&[("ApexClass", &["Foo", "FooTest"])]);
    let files = [
        ("package.xml", pkg.as_str()),
        ("classes/Foo.cls", FOO),
        ("classes/Foo.cls-meta.xml", META),
        ("classes/FooTest.cls", FOO_TEST_OK),
        ("classes/FooTest.cls-meta.xml", META),
    ];
    let (status, xml) = e
        .call(
            &e.token,
            &format!(
                "<deploy><ZipFile>{}</ZipFile><DeployOptions><purgeOnDelete>true</purgeOnDelete><testLevel>RunLocalTests</testLevel></DeployOptions></deploy>",
                zip(&files)
            ),
        )
        .await;
    assert_eq!(status, 500);
    assert!(
        xml.contains(
            "INVALID_OPERATION: purgeOnDelete option can only be used on a non-active org"
        ),
        "{xml}"
    );

    // RunSpecifiedTests naming a test that does not touch Foo: per-class coverage fails.
    let id = e
        .deploy(
            &files,
            "<runTests>OtherTest</runTests><testLevel>RunSpecifiedTests</testLevel>",
        )
        .await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Failed"));
    assert_eq!(
        last.child_text("numberComponentErrors").as_deref(),
        Some("0")
    );
    let warning = last
        .child("details")
        .unwrap()
        .child("runTestResult")
        .unwrap()
        .child("codeCoverageWarnings")
        .unwrap()
        .clone();
    assert_eq!(
        warning.child_text("message").as_deref(),
        Some("Test coverage of selected Apex Class is 0%, at least 75% test coverage is required")
    );
    assert_eq!(warning.child_text("name").as_deref(), Some("Foo"));
    assert!(!e.has("ApexClass", "Foo"));

    // Default level in production with Apex is RunLocalTests, which covers Foo: success.
    let id = e.deploy(&files, "").await;
    let last = e.wait(&id).await.pop().unwrap();
    assert_eq!(
        last.child_text("status").as_deref(),
        Some("Succeeded"),
        "{last:?}"
    );
    assert_eq!(last.child_text("numberTestsTotal").as_deref(), Some("1"));
    assert!(e.has("ApexClass", "Foo"));
}

#[tokio::test]
async fn quick_deploy_window_and_eligibility() {
    let e = env("chk4", "sandbox", 5).await;
    let pkg = manifest(&[("ApexClass", &["Foo", "FooTest"])]);
    let files = [
        ("package.xml", pkg.as_str()),
        ("classes/Foo.cls", FOO),
        ("classes/Foo.cls-meta.xml", META),
        ("classes/FooTest.cls", FOO_TEST_OK),
        ("classes/FooTest.cls-meta.xml", META),
    ];
    let quick = |id: String| {
        format!(
            "<deployRecentValidation><validationId>{id}</validationId></deployRecentValidation>"
        )
    };
    // A validation without tests is not eligible.
    let id = e.deploy(&files, "<checkOnly>true</checkOnly>").await;
    e.wait(&id).await;
    let (status, xml) = e.call(&e.token, &quick(id)).await;
    assert_eq!(status, 500, "{xml}");
    // One older than 10 days is not eligible either.
    let id = e
        .deploy(
            &files,
            "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>",
        )
        .await;
    e.wait(&id).await;
    e.sim
        .inner
        .soap
        .deploys
        .age_validation(&id, 10 * 24 * 3600 * 1000 + 1);
    let (status, xml) = e.call(&e.token, &quick(id)).await;
    assert_eq!(status, 500, "{xml}");
    assert!(xml.contains("INVALID_ID_FIELD"));
    // A fresh one is, and the quick deploy runs no tests.
    let id = e
        .deploy(
            &files,
            "<checkOnly>true</checkOnly><testLevel>RunLocalTests</testLevel>",
        )
        .await;
    e.wait(&id).await;
    let (status, xml) = e.call(&e.token, &quick(id)).await;
    assert_eq!(status, 200, "{xml}");
    let new_id = Element::parse_str(&xml, "r")
        .unwrap()
        .child("Body")
        .unwrap()
        .elements()
        .next()
        .unwrap()
        .child_text("result")
        .unwrap();
    let last = e.wait(&new_id).await.pop().unwrap();
    assert_eq!(last.child_text("status").as_deref(), Some("Succeeded"));
    assert_eq!(last.child_text("runTestsEnabled").as_deref(), Some("false"));
    assert!(e.has("ApexClass", "FooTest"));
}

#[tokio::test]
async fn check_status_reports_deploys_as_async_results() {
    let e = env("chk5", "sandbox", 20).await;
    let pkg = manifest(&[("ApexClass", &["Foo"])]);
    let files = [
        ("package.xml", pkg.as_str()),
        ("classes/Foo.cls", FOO),
        ("classes/Foo.cls-meta.xml", META),
    ];
    let id = e.deploy(&files, "").await;
    let mut states = Vec::new();
    for _ in 0..500 {
        let body = format!("<checkStatus><asyncProcessId>{id}</asyncProcessId></checkStatus>");
        let (status, xml) = e.call(&e.token, &body).await;
        assert_eq!(status, 200, "{xml}");
        let r = result_of(&xml);
        assert_eq!(r.child_text("id").as_deref(), Some(id.as_str()));
        let names: Vec<&str> = r.elements().map(|c| c.name.as_str()).collect();
        assert!(
            names
                .iter()
                .all(|n| ["done", "id", "message", "state", "statusCode"].contains(n)),
            "{names:?}"
        );
        let done = r.child_text("done").as_deref() == Some("true");
        states.push(r.child_text("state").unwrap());
        if done {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        states.last().map(String::as_str),
        Some("Completed"),
        "{states:?}"
    );
    assert!(
        states.iter().any(|s| s == "Queued" || s == "InProgress"),
        "{states:?}"
    );
    assert_eq!(
        e.status(&id, false).await.child_text("status").as_deref(),
        Some("Succeeded")
    );
    let (status, _) = e
        .call(
            &e.token,
            "<checkStatus><asyncProcessId>0Af000000000009AAA</asyncProcessId></checkStatus>",
        )
        .await;
    assert_eq!(status, 500);
}
