//! The baseline teams use today: `git diff --no-index` over two metadata trees, timed the
//! same way as ours, and the files it flags, so the report can say how many of them are
//! only reorderings.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::timing::{Timing, measure};

/// Whether `git` can be run.
pub fn available() -> bool {
    Command::new("git")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// `git diff --no-index <args> a b` run in `root` (a and b are folder names in it); its
/// standard output. Exit code 1 means "differences found", not failure.
fn git_diff(root: &Path, args: &[&str], a: &str, b: &str) -> String {
    let out = Command::new("git")
        .current_dir(root)
        .args(["-c", "core.quotepath=off", "diff", "--no-index"])
        .args(args)
        .args([a, b])
        .stderr(Stdio::null())
        .output()
        .expect("git runs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "git diff failed: {}",
        out.status
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Times `git diff --no-index --stat a b` (the tool reads both trees and diffs every file
/// that differs, like our summary does).
pub fn time_stat(runs: usize, root: &Path, a: &str, b: &str) -> Timing {
    measure(runs, || git_diff(root, &["--stat"], a, b))
}

/// The paths git flags (relative to each tree's root), and its summary line.
pub fn flagged(root: &Path, a: &str, b: &str) -> (BTreeSet<String>, String) {
    let names = git_diff(root, &["--name-only"], a, b);
    let files = names
        .lines()
        .filter_map(|l| {
            l.strip_prefix(&format!("{a}/"))
                .or_else(|| l.strip_prefix(&format!("{b}/")))
        })
        .map(str::to_owned)
        .collect();
    let stat = git_diff(root, &["--shortstat"], a, b).trim().to_owned();
    (files, stat)
}

/// The (folder, component name) a metadata path belongs to, in mdapi layout
/// (`profiles/X.profile`) or sfdx layout (`force-app/main/default/objects/X/fields/F...`).
pub fn component_of(path: &str) -> Option<(String, String)> {
    let path = path.strip_prefix("force-app/main/default/").unwrap_or(path);
    let mut parts = path.splitn(3, '/');
    let folder = parts.next()?;
    let item = parts.next()?;
    let name = item.split('.').next()?;
    Some((folder.to_owned(), name.to_owned()))
}
