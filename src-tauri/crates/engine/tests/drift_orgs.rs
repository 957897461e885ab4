//! Org ↔ org drift from fresh snapshots: two orgsim orgs holding the two dreamhouse versions
//! of ../shared/fixtures/drift, compared through `Engine::start_compare_orgs` (two snapshot
//! jobs over the real API path, then the comparison).

mod support;

use orgfleet_engine::{ChangeKind, JobStatus, OrgComparison};
use orgfleet_testkit::shared_dir;
use support::env;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_orgs_compare_from_fresh_snapshots() {
    let Some(shared) = shared_dir() else { return };
    let drift = shared.join("fixtures/drift");
    let env = env(&[
        ("old", Some(drift.join("dreamhouse-lwc-76acf69"))),
        ("new", Some(drift.join("dreamhouse-lwc-5e0fbd6"))),
    ])
    .await;
    let old = env.connect("old").await;
    let new = env.connect("new").await;
    assert!(env.engine.start_compare_orgs(old.id, old.id).is_err());
    let handle = env.engine.start_compare_orgs(old.id, new.id).unwrap();
    let job = handle.done.await.unwrap().unwrap();
    assert_eq!(job.status, JobStatus::Succeeded, "{:?}", job.error);
    assert_eq!(job.title, "Compare old ↔ new");
    let outcome: OrgComparison = serde_json::from_value(job.result.unwrap()).unwrap();
    assert_eq!(outcome.report.left.org_alias.as_deref(), Some("old"));
    assert_eq!(outcome.left_snapshot.org_alias.as_deref(), Some("old"));
    let names = |kind: ChangeKind| -> Vec<String> {
        outcome
            .report
            .changes
            .iter()
            .filter(|c| c.change == kind)
            .map(|c| format!("{} {}", c.type_name, c.full_name))
            .collect()
    };
    assert_eq!(
        names(ChangeKind::Removed),
        ["CustomField Property__c.Title__c"]
    );
    let added = names(ChangeKind::Added);
    for expected in [
        "ApexClass GeocodingService",
        "Flow Create_property",
        "RemoteSiteSetting nominatim_openstreetmap",
    ] {
        assert!(added.contains(&expected.to_owned()), "{added:?}");
    }
    assert!(
        outcome
            .report
            .change("PermissionSet", "dreamhouse")
            .is_some()
    );
    // Both snapshots are stored and listed like any other.
    assert_eq!(env.engine.snapshots().unwrap().len(), 2);
}
