//! The Drift page's commands as the UI calls them: two imported projects compared, one
//! component's semantic and raw diff, ignore rules, the matrix, the report on disk and the
//! package.xml hand-off, and the errors a person can cause.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::{app, home, import, invoke, wait_for_job};

const PROFILE_BEFORE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <fieldPermissions>
        <editable>true</editable>
        <field>Account.Industry</field>
        <readable>true</readable>
    </fieldPermissions>
    <loginIpRanges>
        <endAddress>10.0.0.255</endAddress>
        <startAddress>10.0.0.1</startAddress>
    </loginIpRanges>
    <custom>false</custom>
</Profile>
"#;

const PROFILE_AFTER: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
    <custom>false</custom>
    <fieldPermissions>
        <editable>false</editable>
        <field>Account.Industry</field>
        <readable>true</readable>
    </fieldPermissions>
    <loginIpRanges>
        <endAddress>10.9.9.255</endAddress>
        <startAddress>10.9.9.1</startAddress>
    </loginIpRanges>
</Profile>
"#;

const CLASS_META: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<ApexClass xmlns="http://soap.sforce.com/2006/04/metadata">
    <apiVersion>62.0</apiVersion>
    <status>Active</status>
</ApexClass>
"#;

/// Writes an mdapi folder with a profile and, when `class` is given, one Apex class.
fn project(dir: &Path, profile: &str, class: Option<&str>) -> String {
    std::fs::create_dir_all(dir.join("profiles")).unwrap();
    std::fs::write(dir.join("profiles/Sales.profile"), profile).unwrap();
    let mut types = String::from("<types><members>Sales</members><name>Profile</name></types>");
    if let Some(body) = class {
        std::fs::create_dir_all(dir.join("classes")).unwrap();
        std::fs::write(dir.join("classes/Greeter.cls"), body).unwrap();
        std::fs::write(dir.join("classes/Greeter.cls-meta.xml"), CLASS_META).unwrap();
        types.push_str("<types><members>Greeter</members><name>ApexClass</name></types>");
    }
    std::fs::write(
        dir.join("package.xml"),
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><Package xmlns="http://soap.sforce.com/2006/04/metadata">{types}<version>62.0</version></Package>"#
        ),
    )
    .unwrap();
    dir.display().to_string()
}

fn snapshot_side(record: &Value) -> Value {
    json!({"kind": "snapshot", "snapshotId": record["id"]})
}

#[test]
fn compare_review_ignore_and_hand_off() {
    let (_app, window) = app("drift");
    let dir = home("drift-projects");
    let before = project(&dir.join("before"), PROFILE_BEFORE, None);
    let after = project(
        &dir.join("after"),
        PROFILE_AFTER,
        Some("public class Greeter {\n    public String hello() { return 'hi'; }\n}\n"),
    );
    let left = import(&window, &before);
    let right = import(&window, &after);
    let (l, r) = (snapshot_side(&left), snapshot_side(&right));

    let report = invoke(&window, "drift_compare", json!({"left": l, "right": r})).unwrap();
    let changes = report["changes"].as_array().unwrap();
    let kinds: Vec<(&str, &str, &str)> = changes
        .iter()
        .map(|c| {
            (
                c["typeName"].as_str().unwrap(),
                c["fullName"].as_str().unwrap(),
                c["change"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            ("ApexClass", "Greeter", "added"),
            ("Profile", "Sales", "changed")
        ]
    );
    let profile = &changes[1];
    assert!(
        profile["risks"]
            .as_array()
            .unwrap()
            .contains(&json!("field_level_security")),
        "{profile}"
    );

    // The semantic diff: element edits with readable paths; the element order change is
    // not one of them. The raw view gets both files.
    let detail = invoke(
        &window,
        "drift_component",
        json!({"left": l, "right": r, "typeName": "Profile", "fullName": "Sales", "showReordered": false}),
    )
    .unwrap();
    assert_eq!(detail["diff"]["kind"], "xml");
    let paths: Vec<&str> = detail["diff"]["edits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["path"].as_str().unwrap())
        .collect();
    assert!(
        paths.contains(&"fieldPermissions[Account.Industry].editable"),
        "{paths:?}"
    );
    assert!(!paths.iter().any(|p| p.starts_with("custom")), "{paths:?}");
    assert_eq!(
        detail["left"][0]["path"], "profiles/Sales.profile",
        "{detail}"
    );
    assert!(
        detail["right"][0]["text"]
            .as_str()
            .unwrap()
            .contains("10.9.9.1")
    );
    let code = invoke(
        &window,
        "drift_component",
        json!({"left": l, "right": r, "typeName": "ApexClass", "fullName": "Greeter", "showReordered": false}),
    )
    .unwrap();
    assert_eq!(code["diff"]["kind"], "code");
    assert!(code["left"].is_null(), "only the right has the class");

    // An element rule hides loginIpRanges, but the FLS change keeps the profile listed;
    // ignoring the whole profile by name hides it and counts it.
    invoke(
        &window,
        "drift_rule_add",
        json!({"rule": {"kind": "element", "typeName": "Profile", "pattern": "loginIpRanges", "note": "per org"}}),
    )
    .unwrap();
    let report = invoke(&window, "drift_compare", json!({"left": l, "right": r})).unwrap();
    assert_eq!(report["changes"].as_array().unwrap().len(), 2);
    let name_rule = invoke(
        &window,
        "drift_rule_add",
        json!({"rule": {"kind": "name", "typeName": "Profile", "pattern": "Sal*", "note": ""}}),
    )
    .unwrap();
    let report = invoke(&window, "drift_compare", json!({"left": l, "right": r})).unwrap();
    assert_eq!(report["changes"].as_array().unwrap().len(), 1);
    assert_eq!(report["ignoredCount"], 1);
    let rules = invoke(&window, "drift_rules_list", json!({})).unwrap();
    assert_eq!(rules.as_array().unwrap().len(), 2);
    invoke(&window, "drift_rule_delete", json!({"id": name_rule["id"]})).unwrap();
    let err = invoke(
        &window,
        "drift_rule_add",
        json!({"rule": {"kind": "name", "typeName": null, "pattern": "  ", "note": ""}}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");

    // The matrix: the left as baseline, the right scored against it.
    let matrix = invoke(
        &window,
        "drift_matrix",
        json!({"baseline": l, "snapshotIds": [right["id"]]}),
    )
    .unwrap();
    assert_eq!(matrix["columns"].as_array().unwrap().len(), 1);
    assert_eq!(matrix["columns"][0]["extra"], 1, "{matrix}");
    assert_eq!(matrix["columns"][0]["different"], 1, "{matrix}");

    // The review report and the package.xml hand-off, on disk.
    let html = dir.join("review.html");
    let written = invoke(
        &window,
        "drift_report_save",
        json!({"left": l, "right": r, "format": "html", "dest": html.display().to_string()}),
    )
    .unwrap();
    assert_eq!(written, html.display().to_string());
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Greeter") && page.contains("<html"), "{page}");
    let components = json!([
        {"typeName": "Profile", "fullName": "Sales"},
        {"typeName": "ApexClass", "fullName": "Greeter"}
    ]);
    let xml = invoke(
        &window,
        "drift_package_xml",
        json!({"components": components, "apiVersion": "62.0"}),
    )
    .unwrap();
    let xml = xml.as_str().unwrap();
    assert!(xml.contains("<members>Greeter</members>") && xml.contains("<version>62.0</version>"));
    let manifest = dir.join("package.xml");
    invoke(
        &window,
        "drift_package_xml_save",
        json!({"components": components, "apiVersion": null, "dest": manifest.display().to_string()}),
    )
    .unwrap();
    assert!(
        std::fs::read_to_string(&manifest)
            .unwrap()
            .contains("<name>Profile</name>")
    );
}

#[test]
fn bad_drift_requests_get_errors_that_say_what_to_do() {
    let (_app, window) = app("drift-errors");
    let dir = home("drift-errors-projects");
    let one = project(&dir.join("one"), PROFILE_BEFORE, None);
    let record = import(&window, &one);
    let side = snapshot_side(&record);

    // Imports that cannot start or cannot finish say why.
    let err = invoke(
        &window,
        "snapshot_import",
        json!({"path": "/no/such/project"}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
    assert!(err["message"].as_str().unwrap().contains("does not exist"));
    let empty = dir.join("empty");
    std::fs::create_dir_all(&empty).unwrap();
    let id = invoke(
        &window,
        "snapshot_import",
        json!({"path": empty.display().to_string()}),
    )
    .unwrap();
    let job = wait_for_job(&window, &id);
    assert_eq!(job["status"], "failed", "{job}");
    assert!(
        job["error"]
            .as_str()
            .unwrap()
            .contains("no metadata components"),
        "{job}"
    );
    assert_eq!(job["kind"], "snapshot_import");

    let err = invoke(
        &window,
        "drift_compare",
        json!({"left": side, "right": {"kind": "snapshot", "snapshotId": 9999}}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "not_found", "{err}");
    let err = invoke(
        &window,
        "drift_component",
        json!({"left": side, "right": side, "typeName": "ApexClass", "fullName": "Nope", "showReordered": false}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input", "{err}");
    let err = invoke(
        &window,
        "drift_report_save",
        json!({"left": side, "right": side, "format": "csv", "dest": "  "}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    let err = invoke(
        &window,
        "drift_report_save",
        json!({"left": side, "right": side, "format": "json", "dest": dir.display().to_string()}),
    )
    .unwrap_err();
    assert!(
        err["message"].as_str().unwrap().contains("is a folder"),
        "{err}"
    );
    let err = invoke(
        &window,
        "drift_package_xml",
        json!({"components": [], "apiVersion": null}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input");
    let err = invoke(
        &window,
        "drift_matrix",
        json!({"baseline": side, "snapshotIds": []}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input");
}
