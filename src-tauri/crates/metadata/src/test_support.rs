//! Test helpers: locating the shared fixtures with the project's skip/fail rule.

use std::path::PathBuf;

/// `<repo>/../shared`, or `None` (with a visible SKIP) when absent; panics when absent on CI.
pub(crate) fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../shared"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("../shared not found at {} (required on CI)", dir.display());
    }
    eprintln!("SKIP: ../shared not found");
    None
}
