//! Risk flags and the matrix on small synthetic snapshots (an org row is needed for the
//! production flag, so these live beside the code, with direct store access).

use orgfleet_store::orgs::{NewOrg, upsert};
use orgfleet_store::snapshots::write_snapshot;
use orgfleet_store::{AuthMethod, ComponentFiles, NewSnapshot, OrgKind, SnapshotSource};

use crate::drift::{ChangeKind, DriftSide, RiskFlag};
use crate::drift_matrix::CellState;
use crate::{Engine, NewDriftRule};

fn class(name: &str, body: &str) -> ComponentFiles {
    ComponentFiles {
        type_name: "ApexClass".into(),
        full_name: name.into(),
        files: vec![(format!("classes/{name}.cls"), body.as_bytes().to_vec())],
    }
}

fn org(engine: &Engine, alias: &str, kind: OrgKind) -> i64 {
    let new = NewOrg {
        alias: alias.into(),
        org_id: format!("00D{alias:0>15}"),
        username: format!("u@{alias}.test"),
        user_id: None,
        name: alias.into(),
        instance_url: "https://example.invalid".into(),
        login_url: "https://login.example.invalid".into(),
        kind,
        colour: "#4f46e5".into(),
        protected: false,
        auth_method: AuthMethod::Web,
        client_id: "x".into(),
        instance_name: None,
        organization_type: None,
        trial_expires_at: None,
        tags: Vec::new(),
    };
    upsert(&mut engine.store().conn(), &new).unwrap().0.id
}

fn snapshot(engine: &Engine, org_row_id: i64, classes: &[(&str, &str)]) -> i64 {
    let meta = NewSnapshot {
        source: SnapshotSource::Org { org_row_id },
        label: "t".into(),
        api_version: Some("63.0".into()),
        warnings: Vec::new(),
    };
    let comps: Vec<ComponentFiles> = classes.iter().map(|(n, b)| class(n, b)).collect();
    write_snapshot(engine.store(), &meta, comps).unwrap().id
}

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("db.sqlite")).unwrap();
    (dir, engine)
}

#[test]
fn production_managed_and_deletion_flags() {
    let (_dir, engine) = engine();
    let prod = org(&engine, "prod", OrgKind::Production);
    let uat = org(&engine, "uat", OrgKind::Sandbox);
    let a = snapshot(
        &engine,
        uat,
        &[("ns__Helper", "v1"), ("Mine", "v1"), ("Gone", "x")],
    );
    let b = snapshot(&engine, uat, &[("ns__Helper", "v2"), ("Mine", "v2")]);
    let p = snapshot(&engine, prod, &[("ns__Helper", "v2"), ("Mine", "v2")]);
    let report = engine
        .compare(DriftSide::snapshot(a), DriftSide::snapshot(b))
        .unwrap();
    let flags = |n: &str| report.change("ApexClass", n).unwrap().risks.clone();
    assert_eq!(flags("ns__Helper"), [RiskFlag::Managed]);
    assert!(flags("Mine").is_empty());
    assert_eq!(flags("Gone"), [RiskFlag::Deletion]);
    assert!(!report.left.production && !report.right.production);
    let report = engine
        .compare(DriftSide::snapshot(a), DriftSide::snapshot(p))
        .unwrap();
    assert!(report.right.production);
    assert!(
        report
            .changes
            .iter()
            .all(|c| c.risks.contains(&RiskFlag::Production))
    );
    assert_eq!(
        report.change("ApexClass", "Gone").unwrap().change,
        ChangeKind::Removed
    );
}

#[test]
fn matrix_states_and_conformance() {
    let (_dir, engine) = engine();
    let o = org(&engine, "o", OrgKind::Sandbox);
    let base = snapshot(
        &engine,
        o,
        &[("A", "1"), ("B", "1"), ("C", "1"), ("D", "1")],
    );
    let same = snapshot(
        &engine,
        o,
        &[("A", "1"), ("B", "1"), ("C", "1"), ("D", "1")],
    );
    let half = snapshot(
        &engine,
        o,
        &[("A", "1"), ("B", "2"), ("C", "1"), ("E", "1")],
    );
    let m = engine
        .matrix(DriftSide::snapshot(base), vec![same, half])
        .unwrap();
    assert_eq!(m.columns.len(), 2);
    assert!((m.columns[0].conformance - 1.0).abs() < 1e-9);
    assert!((m.columns[1].conformance - 0.5).abs() < 1e-9);
    assert_eq!(
        (
            m.columns[1].same,
            m.columns[1].different,
            m.columns[1].missing,
            m.columns[1].extra
        ),
        (2, 1, 1, 1)
    );
    assert_eq!(m.same_everywhere, 2);
    let row = |n: &str| {
        m.rows
            .iter()
            .find(|r| r.full_name == n)
            .unwrap()
            .cells
            .clone()
    };
    assert_eq!(row("B"), [CellState::Same, CellState::Different]);
    assert_eq!(row("D"), [CellState::Same, CellState::Missing]);
    assert_eq!(row("E"), [CellState::Absent, CellState::Extra]);

    engine
        .add_drift_rule(&NewDriftRule {
            kind: orgfleet_store::drift_rules::DriftRuleKind::Name,
            type_name: Some("ApexClass".into()),
            pattern: "?".into(),
            note: String::new(),
        })
        .unwrap();
    // Every one-letter class is ignored now: nothing left to compare, full conformance.
    let m = engine
        .matrix(DriftSide::snapshot(base), vec![same, half])
        .unwrap();
    assert!(m.rows.is_empty());
    assert_eq!(m.ignored_count, 10);
    assert!(m.columns.iter().all(|c| (c.conformance - 1.0).abs() < 1e-9));
    assert!(engine.matrix(DriftSide::snapshot(base), vec![]).is_err());
}
