//! The `orgfleet` binary end to end: version, jobs, store check, JSON, exit codes.

use std::process::Command;

fn orgfleet(home: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_orgfleet"))
        .args(args)
        .env("ORGFLEET_HOME", home)
        .output()
        .expect("run orgfleet")
}

#[test]
fn version_is_printed() {
    let home = tempfile::tempdir().unwrap();
    let out = orgfleet(home.path(), &["--version"]);
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!("orgfleet {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn store_check_runs_a_job_that_jobs_list_then_shows() {
    let home = tempfile::tempdir().unwrap();
    let empty = orgfleet(home.path(), &["jobs", "list"]);
    assert!(String::from_utf8_lossy(&empty.stdout).contains("No jobs yet"));

    let check = orgfleet(home.path(), &["store", "check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    assert!(String::from_utf8_lossy(&check.stdout).contains("Store is healthy"));
    assert!(String::from_utf8_lossy(&check.stderr).contains("[6/6] Done"));

    let list = orgfleet(home.path(), &["jobs", "list", "--json"]);
    assert!(list.status.success());
    let jobs: serde_json::Value = serde_json::from_slice(&list.stdout).unwrap();
    assert_eq!(jobs[0]["status"], "succeeded");
    assert_eq!(jobs[0]["kind"], "store_maintenance");
    assert_eq!(jobs[0]["progressDone"], 6);
}

#[test]
fn a_damaged_store_exits_3_with_advice() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("orgfleet.sqlite3"),
        b"garbage, not sqlite ".repeat(300),
    )
    .unwrap();
    let out = orgfleet(home.path(), &["jobs", "list"]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Move the file aside"));
}

#[test]
fn bad_usage_exits_2() {
    let home = tempfile::tempdir().unwrap();
    let out = orgfleet(home.path(), &["jobs", "list", "--limit", "0"]);
    assert_eq!(out.status.code(), Some(2));
}
