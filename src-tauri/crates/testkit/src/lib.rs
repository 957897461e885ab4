//! orgfleet-testkit: what the engine crates' tests share.
//!
//! Tests read real metadata written by others from `<repo>/../shared` (never copied into the
//! repo). Where it is absent — a user's clone — such a test must say so and skip; under CI
//! (`CI=true`) it must fail, so a missing checkout never passes silently. One function keeps
//! that rule the same in every crate. (orgsim keeps its own copy: it depends on nothing of
//! ours.) With the `orgsim` feature it also registers the JWT connected app the orgsim-backed
//! tests log in with.

use std::path::PathBuf;

#[cfg(feature = "orgsim")]
mod jwt_app;
#[cfg(feature = "orgsim")]
pub use jwt_app::register_jwt_app;

/// `<repo>/../shared`, or `None` (with a visible `SKIP` line) when absent; panics when absent
/// and `CI=true`.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../../shared"));
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("../shared not found at {} (required on CI)", dir.display());
    }
    eprintln!("SKIP: ../shared not found at {}", dir.display());
    None
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_the_shared_folder_beside_the_repo_or_says_it_skips() {
        let expected = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../../shared");
        match super::shared_dir() {
            Some(dir) => assert_eq!(
                dir.canonicalize().unwrap(),
                expected.canonicalize().unwrap()
            ),
            None => assert!(!expected.is_dir()),
        }
    }
}
