//! `orgfleet drift` end to end on the two dreamhouse versions in ../shared/fixtures/drift:
//! exit codes for pipelines (0 no drift, 1 drift, 2 usage, 3 store), JSON, CSV, the
//! self-contained HTML report, the matrix and ignore rules.

use std::path::Path;
use std::process::{Command, Output};

use orgfleet_testkit::shared_dir;
use serde_json::Value;

fn orgfleet(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_orgfleet"))
        .args(args)
        .env("ORGFLEET_HOME", home)
        .env("ORGFLEET_SECRET_STORE", "file")
        .output()
        .expect("run orgfleet")
}

fn import(home: &Path, path: &Path) -> String {
    let out = orgfleet(
        home,
        &["snapshot", "import", path.to_str().unwrap(), "--json"],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record: Value = serde_json::from_slice(&out.stdout).unwrap();
    record["id"].as_i64().unwrap().to_string()
}

#[test]
fn drift_exit_codes_and_exports() {
    let Some(shared) = shared_dir() else { return };
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let old_dir = shared.join("fixtures/drift/dreamhouse-lwc-76acf69");
    let new_dir = shared.join("fixtures/drift/dreamhouse-lwc-5e0fbd6");
    let old = import(h, &old_dir);
    let new = import(h, &new_dir);

    let same = orgfleet(h, &["drift", &old, &old]);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stderr)
    );
    assert!(String::from_utf8_lossy(&same.stdout).contains("No drift."));

    let text = orgfleet(h, &["drift", &old, &new]);
    assert_eq!(text.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&text.stdout);
    assert!(
        stdout.contains("- CustomField Property__c.Title__c [deletion]"),
        "{stdout}"
    );
    assert!(stdout.contains("+ Flow Create_property"));

    let json = orgfleet(h, &["drift", &old, new_dir.to_str().unwrap(), "--json"]);
    assert_eq!(json.status.code(), Some(1));
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["changes"].as_array().unwrap().len(), 33);
    assert_eq!(report["right"]["side"]["kind"], "folder");
    assert_eq!(report["ignoredCount"], 0);

    let html = h.join("review.html");
    let csv = h.join("changes.csv");
    let files = orgfleet(
        h,
        &[
            "drift",
            &old,
            &new,
            "--html",
            html.to_str().unwrap(),
            "--csv",
            csv.to_str().unwrap(),
        ],
    );
    assert_eq!(files.status.code(), Some(1));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.contains("<style>"));
    for asset in [
        "src=\"http",
        "href=\"http",
        "url(http",
        "<script",
        "<link",
        "@import",
    ] {
        assert!(!page.contains(asset), "the HTML report refers to {asset}");
    }
    assert!(page.contains("Property__c.Title__c"));
    assert!(
        page.contains("<pre>") && page.contains("@@ -"),
        "no code hunks in the report"
    );
    let rows = std::fs::read_to_string(&csv).unwrap();
    assert_eq!(rows.lines().count(), 34);

    // Ignore rules from the CLI, counted in the output.
    let add = orgfleet(
        h,
        &[
            "drift",
            "rules",
            "add",
            "--kind",
            "element",
            "apiVersion",
            "--json",
        ],
    );
    assert!(
        add.status.success(),
        "{}",
        String::from_utf8_lossy(&add.stderr)
    );
    let rule: Value = serde_json::from_slice(&add.stdout).unwrap();
    let json = orgfleet(h, &["drift", &old, &new, "--json"]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(report["ignoredCount"], 6);
    assert_eq!(report["changes"].as_array().unwrap().len(), 27);
    let listed = orgfleet(h, &["drift", "rules", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("apiVersion"));
    let id = rule["id"].to_string();
    assert!(
        orgfleet(h, &["drift", "rules", "delete", &id])
            .status
            .success()
    );
    assert_eq!(
        orgfleet(h, &["drift", "rules", "delete", &id])
            .status
            .code(),
        Some(2)
    );

    // The matrix: the old version against itself and the new one.
    let m = orgfleet(
        h,
        &["drift", "matrix", "--baseline", &old, &old, &new, "--json"],
    );
    assert_eq!(
        m.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&m.stderr)
    );
    let matrix: Value = serde_json::from_slice(&m.stdout).unwrap();
    assert_eq!(matrix["columns"][0]["conformance"], 1.0);
    let score = matrix["columns"][1]["conformance"].as_f64().unwrap();
    assert!(score > 0.0 && score < 1.0, "{score}");
    let same = orgfleet(h, &["drift", "matrix", "--baseline", &old, &old]);
    assert_eq!(same.status.code(), Some(0));

    // Usage errors.
    assert_eq!(orgfleet(h, &["drift", "999", &old]).status.code(), Some(2));
    assert_eq!(
        orgfleet(h, &["drift", "/no/such/folder", &old])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(orgfleet(h, &["drift", &old]).status.code(), Some(2));
    assert_eq!(
        orgfleet(h, &["drift", &old, &new, "--json", "--html", "x.html"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn drift_on_a_damaged_store_exits_3() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("orgfleet.sqlite3"),
        b"garbage, not sqlite ".repeat(300),
    )
    .unwrap();
    assert_eq!(
        orgfleet(home.path(), &["drift", "1", "2"]).status.code(),
        Some(3)
    );
}
