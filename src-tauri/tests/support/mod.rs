//! Shared by the command tests: an app on tauri's mock runtime with the real tauri.conf.json
//! and capabilities, and `invoke` exactly as the UI calls commands (JSON in, JSON or
//! `{code, message, detail}` out). Each test binary uses part of it.

#![allow(dead_code)]

use orgfleet_app::{AppState, configure};
use orgfleet_engine::Engine;
use serde_json::Value;
use tauri::test::{INVOKE_KEY, MockRuntime, get_ipc_response, mock_builder};
use tauri::webview::InvokeRequest;
use tauri::{App, WebviewWindow, WebviewWindowBuilder};

/// A data directory per test: the database and the preferences file live there.
pub fn home(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir()
        .join(format!("orgfleet-app-tests-{}", std::process::id()))
        .join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn app(name: &str) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let dir = home(name);
    app_with_database(&dir.join("db.sqlite3"), dir)
}

/// An app whose store is `db` (which may be damaged on purpose) and data folder `dir`.
pub fn app_with_database(
    db: &std::path::Path,
    dir: std::path::PathBuf,
) -> (App<MockRuntime>, WebviewWindow<MockRuntime>) {
    let state = AppState::from_engine(Engine::open(db), dir);
    let app = configure(mock_builder(), state)
        .build(tauri::generate_context!())
        .unwrap();
    let window = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    (app, window)
}

pub fn invoke(window: &WebviewWindow<MockRuntime>, cmd: &str, args: Value) -> Result<Value, Value> {
    get_ipc_response(
        window,
        InvokeRequest {
            cmd: cmd.into(),
            callback: tauri::ipc::CallbackFn(0),
            error: tauri::ipc::CallbackFn(1),
            url: "tauri://localhost".parse().unwrap(),
            body: tauri::ipc::InvokeBody::Json(args),
            headers: Default::default(),
            invoke_key: INVOKE_KEY.to_string(),
        },
    )
    .map(|body| body.deserialize::<Value>().unwrap())
}

/// Waits (up to 30 s) for job `id` to end and returns its row.
pub fn wait_for_job(window: &WebviewWindow<MockRuntime>, id: &Value) -> Value {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let jobs = invoke(window, "jobs_list", serde_json::json!({"limit": 50})).unwrap();
        let job = jobs
            .as_array()
            .unwrap()
            .iter()
            .find(|j| &j["id"] == id)
            .cloned();
        if let Some(job) = job
            && !matches!(job["status"].as_str(), Some("queued" | "running"))
        {
            return job;
        }
        assert!(std::time::Instant::now() < deadline, "job {id} did not end");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Imports `path` through the `snapshot_import` job and returns the snapshot record.
pub fn import(window: &WebviewWindow<MockRuntime>, path: &str) -> Value {
    let id = invoke(
        window,
        "snapshot_import",
        serde_json::json!({ "path": path }),
    )
    .unwrap();
    let job = wait_for_job(window, &id);
    assert_eq!(job["status"], "succeeded", "{job}");
    job["result"].clone()
}
