//! Test helpers: locating the shared fixtures with the project's skip/fail rule (from
//! orgfleet-testkit, so every crate applies the same rule).

pub(crate) use orgfleet_testkit::shared_dir;
