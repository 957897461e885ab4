//! orgfleet (app): the Tauri shell around the engine.
//!
//! This is the only crate that knows about windows and IPC. Commands are thin (parse, call
//! the engine, map errors to `{code, message, detail}`), so everything here is also reachable
//! from the `orgfleet` CLI and testable headless. The window opens even when the store cannot
//! (damaged, written by a newer version), to show the user what happened and what to do.

pub mod commands;
pub mod drift_commands;
pub mod error;
pub mod prefs;
pub mod snapshot_commands;
pub mod state;
mod window;

use tauri::{Runtime, Wry};

pub use error::{ErrorCode, IpcError};
pub use state::AppState;

/// Registers plugins, state and commands. Shared by [`run`] and the command tests, which
/// use tauri's mock runtime.
pub fn configure<R: Runtime>(builder: tauri::Builder<R>, state: AppState) -> tauri::Builder<R> {
    builder
        .plugin(tauri_plugin_store::Builder::default().build())
        .plugin(tauri_plugin_opener::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::jobs_list,
            commands::jobs_watch,
            commands::job_cancel,
            commands::store_check_start,
            commands::prefs_get,
            commands::prefs_set,
            commands::orgs_list,
            commands::org_update,
            commands::org_connect,
            commands::org_check,
            commands::org_disconnect,
            commands::sf_cli_orgs,
            snapshot_commands::snapshots_list,
            snapshot_commands::snapshot_take,
            snapshot_commands::snapshot_import,
            snapshot_commands::snapshot_components,
            snapshot_commands::snapshot_file,
            snapshot_commands::snapshot_export,
            snapshot_commands::snapshot_delete,
            drift_commands::drift_compare,
            drift_commands::drift_component,
            drift_commands::drift_matrix,
            drift_commands::drift_compare_orgs,
            drift_commands::drift_rules_list,
            drift_commands::drift_rule_add,
            drift_commands::drift_rule_delete,
            drift_commands::drift_report_save,
            drift_commands::drift_package_xml,
            drift_commands::drift_package_xml_save,
        ])
}

/// Starts the desktop app.
pub fn run() {
    init_tracing();
    let builder = configure(tauri::Builder::<Wry>::default(), AppState::open_default())
        .setup(|app| Ok(window::create_main(app)?));
    if let Err(e) = builder.run(tauri::generate_context!()) {
        eprintln!("Orgfleet could not start: {e}");
        std::process::exit(1);
    }
}

fn init_tracing() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("ORGFLEET_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
