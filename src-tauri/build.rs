//! Declares the app's own commands so each needs an explicit grant in capabilities/.
fn main() {
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(
        tauri_build::AppManifest::new().commands(&[
            "app_info",
            "jobs_list",
            "jobs_watch",
            "job_cancel",
            "store_check_start",
            "prefs_get",
            "prefs_set",
            "orgs_list",
            "org_update",
            "org_connect",
            "org_check",
            "org_disconnect",
            "sf_cli_orgs",
            "snapshots_list",
            "snapshot_take",
            "snapshot_import",
            "snapshot_components",
            "snapshot_file",
            "snapshot_export",
            "snapshot_delete",
            "drift_compare",
            "drift_component",
            "drift_matrix",
            "drift_compare_orgs",
            "drift_rules_list",
            "drift_rule_add",
            "drift_rule_delete",
            "drift_report_save",
            "drift_package_xml",
            "drift_package_xml_save",
        ]),
    ))
    .expect("tauri build script failed");
}
