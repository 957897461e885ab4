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

fn xml(type_name: &str, name: &str, path: &str, body: &str) -> ComponentFiles {
    ComponentFiles {
        type_name: type_name.into(),
        full_name: name.into(),
        files: vec![(
            path.into(),
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<{type_name} xmlns=\"http://soap.sforce.com/2006/04/metadata\">{body}</{type_name}>\n").into_bytes(),
        )],
    }
}

/// A profile, an object with fields and twenty classes (enough for several threads).
fn rich_snapshot(engine: &Engine, org_row_id: i64, version: u32) -> i64 {
    let fls = |field: &str, editable: bool| {
        format!(
            "<fieldPermissions><editable>{editable}</editable><field>{field}</field><readable>true</readable></fieldPermissions>"
        )
    };
    let profile = match version {
        0 => [fls("A__c.X__c", true), fls("A__c.Y__c", false)].concat(),
        _ => [fls("A__c.Y__c", false), fls("A__c.X__c", false)].concat() + "<custom>true</custom>",
    };
    let field = |name: &str, len: u32| {
        format!(
            "<fields><fullName>{name}</fullName><length>{len}</length><type>Text</type></fields>"
        )
    };
    let object = match version {
        0 => [field("X__c", 10), field("Y__c", 20)].concat(),
        _ => [field("X__c", 15), field("Z__c", 5)].concat(),
    };
    let mut comps = vec![
        xml("Profile", "Admin", "profiles/Admin.profile", &profile),
        xml("CustomObject", "A__c", "objects/A__c.object", &object),
        class("Gone", "x"),
    ];
    comps.truncate(if version == 0 { 3 } else { 2 });
    for i in 0..20 {
        comps.push(class(
            &format!("C{i:02}"),
            &format!("class C{i:02} {{ // v{version}\n}}\n"),
        ));
    }
    if version > 0 {
        comps.push(class("New", "y"));
    }
    let meta = NewSnapshot {
        source: SnapshotSource::Org { org_row_id },
        label: format!("v{version}"),
        api_version: Some("63.0".into()),
        warnings: Vec::new(),
    };
    write_snapshot(engine.store(), &meta, comps).unwrap().id
}

#[test]
fn summary_and_details_agree_with_the_full_report() {
    let (_dir, engine) = engine();
    let o = org(&engine, "o", OrgKind::Sandbox);
    let (a, b) = (rich_snapshot(&engine, o, 0), rich_snapshot(&engine, o, 1));
    let (l, r) = (DriftSide::snapshot(a), DriftSide::snapshot(b));
    let full = engine.compare(l.clone(), r.clone()).unwrap();
    let names: Vec<(&str, &str, ChangeKind)> = full
        .changes
        .iter()
        .map(|c| (c.type_name.as_str(), c.full_name.as_str(), c.change))
        .collect();
    assert!(names.contains(&("CustomField", "A__c.Y__c", ChangeKind::Removed)));
    assert!(names.contains(&("CustomField", "A__c.Z__c", ChangeKind::Added)));
    assert!(names.contains(&("CustomField", "A__c.X__c", ChangeKind::Changed)));
    assert!(names.contains(&("ApexClass", "Gone", ChangeKind::Removed)));
    assert_eq!(full.changes.len(), 3 + 1 + 1 + 1 + 20, "{names:?}");
    let admin = full.change("Profile", "Admin").unwrap();
    assert_eq!(
        admin.risks,
        [RiskFlag::Security, RiskFlag::FieldLevelSecurity]
    );
    assert!(admin.summary.contains("editable"), "{}", admin.summary);

    // The summary: the same list, counts and flags, without lines or the FLS flag.
    let quick = engine.compare_summary(l.clone(), r.clone()).unwrap();
    assert_eq!(quick.types, full.types);
    assert_eq!(quick.ignored, full.ignored);
    assert_eq!(quick.changes.len(), full.changes.len());
    for (q, f) in quick.changes.iter().zip(&full.changes) {
        assert_eq!(
            (&q.type_name, &q.full_name, q.change),
            (&f.type_name, &f.full_name, f.change)
        );
        assert!(q.summary.is_empty());
        let without_fls: Vec<RiskFlag> = f
            .risks
            .iter()
            .copied()
            .filter(|r| *r != RiskFlag::FieldLevelSecurity)
            .collect();
        assert_eq!(q.risks, without_fls);
    }

    // Every diff at once equals each one on its own.
    let diffs = engine.compare_details(&full).unwrap();
    assert_eq!(diffs.len(), full.changes.len());
    for (c, d) in full.changes.iter().zip(&diffs) {
        let one = engine
            .compare_detail(l.clone(), r.clone(), &c.type_name, &c.full_name)
            .unwrap();
        assert_eq!(&one, d, "{} {}", c.type_name, c.full_name);
        assert!(!d.is_empty(), "{} {}", c.type_name, c.full_name);
    }

    // Listings are cached, but a deleted snapshot is not compared from the cache.
    assert_eq!(engine.compare(l.clone(), r.clone()).unwrap(), full);
    engine.delete_snapshot(b).unwrap();
    assert!(engine.compare(l, r).is_err());
}

fn object(fields: &[(&str, &str)]) -> ComponentFiles {
    let body: String = fields
        .iter()
        .map(|(name, label)| {
            format!("<fields><fullName>{name}</fullName><label>{label}</label><type>Text</type></fields>")
        })
        .collect();
    ComponentFiles {
        type_name: "CustomObject".into(),
        full_name: "Account".into(),
        files: vec![(
            "objects/Account.object".into(),
            format!(
                r#"<?xml version="1.0" encoding="UTF-8"?><CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">{body}<sharingModel>Read</sharingModel></CustomObject>"#
            )
            .into_bytes(),
        )],
    }
}

fn object_snapshot(engine: &Engine, org_row_id: i64, fields: Option<&[(&str, &str)]>) -> i64 {
    let meta = NewSnapshot {
        source: SnapshotSource::Org { org_row_id },
        label: "t".into(),
        api_version: Some("63.0".into()),
        warnings: Vec::new(),
    };
    let mut comps = vec![class("Keep", "class Keep {}")];
    comps.extend(fields.map(object));
    write_snapshot(engine.store(), &meta, comps).unwrap().id
}

#[test]
fn matrix_rows_name_the_fields_that_differ_not_just_the_object() {
    let (_dir, engine) = engine();
    let o = org(&engine, "m", OrgKind::Sandbox);
    let base = object_snapshot(&engine, o, Some(&[("A__c", "A"), ("B__c", "B")]));
    let same = object_snapshot(&engine, o, Some(&[("A__c", "A"), ("B__c", "B")]));
    let drifted = object_snapshot(&engine, o, Some(&[("A__c", "A2"), ("C__c", "C")]));
    let without = object_snapshot(&engine, o, None);
    let report = engine
        .matrix(DriftSide::snapshot(base), vec![same, drifted, without])
        .unwrap();
    let rows: Vec<(String, Vec<CellState>)> = report
        .rows
        .iter()
        .map(|r| (format!("{} {}", r.type_name, r.full_name), r.cells.clone()))
        .collect();
    use CellState::*;
    assert_eq!(
        rows,
        [
            (
                "CustomField Account.A__c".into(),
                vec![Same, Different, Missing]
            ),
            (
                "CustomField Account.B__c".into(),
                vec![Same, Missing, Missing]
            ),
            (
                "CustomField Account.C__c".into(),
                vec![Absent, Extra, Absent]
            ),
            ("CustomObject Account".into(), vec![Same, Same, Missing]),
        ]
    );
    // Scores stay per top-level component: the object differs in `drifted`.
    assert_eq!(report.columns[1].different, 1);
    assert_eq!(report.columns[1].same, 1);

    // A name rule on a child hides its row and is counted.
    engine
        .add_drift_rule(&NewDriftRule {
            kind: crate::DriftRuleKind::Name,
            type_name: Some("CustomField".into()),
            pattern: "Account.C__c".into(),
            note: String::new(),
        })
        .unwrap();
    let report = engine
        .matrix(DriftSide::snapshot(base), vec![same, drifted, without])
        .unwrap();
    assert!(report.rows.iter().all(|r| r.full_name != "Account.C__c"));
    assert_eq!(report.ignored_count, 3);
}

#[test]
fn components_that_differ_only_in_order_are_counted_not_listed() {
    let (_dir, engine) = engine();
    let o = org(&engine, "r", OrgKind::Sandbox);
    let perms = |order: [&str; 2]| {
        order
            .iter()
            .map(|f| {
                format!(
                    "<fieldPermissions><editable>true</editable><field>{f}</field><readable>true</readable></fieldPermissions>"
                )
            })
            .collect::<String>()
    };
    let take = |order: [&str; 2]| {
        let meta = NewSnapshot {
            source: SnapshotSource::Org { org_row_id: o },
            label: "t".into(),
            api_version: Some("63.0".into()),
            warnings: Vec::new(),
        };
        let profile = xml("Profile", "Sales", "profiles/Sales.profile", &perms(order));
        write_snapshot(engine.store(), &meta, vec![profile])
            .unwrap()
            .id
    };
    let a = take(["A__c.X__c", "A__c.Y__c"]);
    let b = take(["A__c.Y__c", "A__c.X__c"]);
    let report = engine
        .compare(DriftSide::snapshot(a), DriftSide::snapshot(b))
        .unwrap();
    assert!(report.is_empty(), "{:?}", report.changes);
    assert_eq!(report.types[0].reordered, 1);
    assert_eq!(report.headline, "No differences");
}
