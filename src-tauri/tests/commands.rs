//! The app's commands through tauri's mock runtime, with the real tauri.conf.json and
//! capabilities (so a command missing from the ACL fails here too), exactly as the UI calls
//! them: JSON in, `{code, message, detail}` errors out.

mod support;

use serde_json::json;
use support::{app, app_with_database, home, invoke, wait_for_job};

#[test]
fn store_check_runs_to_completion_and_is_listed() {
    let (_app, window) = app("check");
    invoke(&window, "jobs_watch", json!({"onEvent": "__CHANNEL__:7"})).unwrap();
    let id = invoke(&window, "store_check_start", json!({})).unwrap();
    assert!(id.is_i64(), "job id is a number: {id}");
    let job = wait_for_job(&window, &id);
    assert_eq!(job["status"], "succeeded", "{job}");
    assert_eq!(job["progressDone"], job["progressTotal"]);
    assert_eq!(job["kind"], "store_maintenance");
    assert_eq!(job["result"]["problems"], json!([]));
}

#[test]
fn errors_cross_ipc_as_code_message_detail() {
    let (_app, window) = app("errors");
    let err = invoke(&window, "job_cancel", json!({"id": 424242})).unwrap_err();
    assert_eq!(err["code"], "not_found", "{err}");
    assert!(err["message"].as_str().unwrap().contains("424242"));
    let err = invoke(&window, "jobs_list", json!({"limit": 0})).unwrap_err();
    assert_eq!(err["code"], "invalid_input");
}

#[test]
fn a_damaged_store_is_reported_not_crashed_on() {
    let dir = home("damaged");
    let db = dir.join("db.sqlite3");
    std::fs::write(&db, b"not a database at all, just some words ".repeat(200)).unwrap();
    let (_app, window) = app_with_database(&db, dir);
    let info = invoke(&window, "app_info", json!({})).unwrap();
    assert_eq!(info["storeError"]["code"], "store_damaged", "{info}");
    let err = invoke(&window, "jobs_list", json!({})).unwrap_err();
    assert_eq!(err["code"], "store_damaged");
}

#[test]
fn preferences_round_trip_and_reject_bad_view_names() {
    let (_app, window) = app("prefs");
    invoke(
        &window,
        "prefs_set",
        json!({"prefs": {"theme": "dark", "lastView": "activity"}}),
    )
    .unwrap();
    let prefs = invoke(&window, "prefs_get", json!({})).unwrap();
    assert_eq!(prefs["theme"], "dark");
    assert_eq!(prefs["lastView"], "activity");
    let err = invoke(
        &window,
        "prefs_set",
        json!({"prefs": {"theme": "dark", "lastView": "../../etc"}}),
    )
    .unwrap_err();
    assert_eq!(err["code"], "invalid_input");
}

#[test]
fn a_command_outside_the_capability_is_refused() {
    let (_app, window) = app("acl");
    let err = invoke(&window, "plugin:store|load", json!({"path": "x.json"})).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("not allowed") || text.contains("denied"),
        "{text}"
    );
}
