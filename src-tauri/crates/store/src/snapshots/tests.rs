use rusqlite::Connection;

use super::*;
use crate::orgs::{self, AuthMethod, NewOrg, OrgKind};
use crate::{Error, Store};

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("orgfleet.db")).unwrap();
    (dir, store)
}

fn org(store: &Store, alias: &str, org_id: &str) -> i64 {
    let new = NewOrg {
        alias: alias.into(),
        org_id: org_id.into(),
        username: format!("admin@{alias}.com"),
        user_id: None,
        name: alias.into(),
        instance_url: "https://x.my.salesforce.com".into(),
        login_url: "https://login.salesforce.com".into(),
        kind: OrgKind::Sandbox,
        colour: "#16a34a".into(),
        protected: false,
        auth_method: AuthMethod::Jwt,
        client_id: "client".into(),
        instance_name: None,
        organization_type: None,
        trial_expires_at: None,
        tags: vec![],
    };
    orgs::upsert(&mut store.conn(), &new).unwrap().0.id
}

fn meta(org_row_id: i64, label: &str) -> NewSnapshot {
    NewSnapshot {
        source: SnapshotSource::Org { org_row_id },
        label: label.into(),
        api_version: Some("64.0".into()),
        warnings: vec![],
    }
}

fn class(name: &str, body: &str) -> ComponentFiles {
    ComponentFiles {
        type_name: "ApexClass".into(),
        full_name: name.into(),
        files: vec![
            (format!("classes/{name}.cls"), body.as_bytes().to_vec()),
            (
                format!("classes/{name}.cls-meta.xml"),
                b"<ApexClass><apiVersion>64.0</apiVersion></ApexClass>".to_vec(),
            ),
        ],
    }
}

fn counts(conn: &Connection) -> [i64; 5] {
    let n = |t: &str| {
        conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    };
    [
        n("snapshots"),
        n("snapshot_components"),
        n("snapshot_files"),
        n("blobs"),
        n("snapshot_warnings"),
    ]
}

/// What a snapshot reads as, independent of how it is stored.
fn view(conn: &Connection, id: i64) -> (Vec<ComponentEntry>, Vec<(String, Vec<u8>)>) {
    (components(conn, id).unwrap(), all_files(conn, id).unwrap())
}

#[test]
fn write_then_read_back() {
    let (_dir, store) = store();
    let acme = org(&store, "acme", "00D000000000001AAA");
    let mut m = meta(acme, "before release");
    m.warnings.push(SnapshotWarning {
        type_name: "Profile".into(),
        message: "retrieved without object permissions".into(),
    });
    let rec = write_snapshot(&store, &m, vec![class("B", "b"), class("A", "aaaa")]).unwrap();
    assert_eq!(rec.label, "before release");
    assert_eq!(rec.org_alias.as_deref(), Some("acme"));
    assert_eq!(rec.source, SnapshotSource::Org { org_row_id: acme });
    assert_eq!((rec.component_count, rec.file_count), (2, 4));
    assert_eq!(rec.total_bytes, 5 + 2 * 52);
    assert_eq!(rec.warnings, m.warnings);

    let conn = store.conn();
    assert_eq!(list(&conn).unwrap(), vec![rec.clone()]);
    assert_eq!(get(&conn, rec.id).unwrap(), rec);
    let entries = components(&conn, rec.id).unwrap();
    assert_eq!(
        entries
            .iter()
            .map(|e| e.full_name.as_str())
            .collect::<Vec<_>>(),
        ["A", "B"]
    );
    assert_eq!(entries[0].size, 4 + 52);
    assert_eq!(entries[0].content_hash.len(), 64);
    let files = component_files(&conn, rec.id, "ApexClass", "A").unwrap();
    assert_eq!(files[0], ("classes/A.cls".into(), b"aaaa".to_vec()));
    assert_eq!(all_files(&conn, rec.id).unwrap().len(), 4);
    // The shared meta file is stored once.
    assert_eq!(counts(&conn)[3], 3);
    assert!(matches!(
        component_files(&conn, rec.id, "ApexClass", "Nope"),
        Err(Error::ComponentNotFound { .. })
    ));
    assert!(matches!(get(&conn, 999), Err(Error::SnapshotNotFound(999))));
}

#[test]
fn content_hash_ignores_file_order_but_not_content() {
    let (_dir, store) = store();
    let a = org(&store, "a", "00D000000000001AAA");
    let b = org(&store, "b", "00D000000000002AAA");
    let mut reversed = class("X", "same");
    reversed.files.reverse();
    let one = write_snapshot(&store, &meta(a, "1"), vec![class("X", "same")]).unwrap();
    let two = write_snapshot(&store, &meta(b, "2"), vec![reversed]).unwrap();
    let three = write_snapshot(&store, &meta(b, "3"), vec![class("X", "changed")]).unwrap();
    let conn = store.conn();
    let hash = |id| components(&conn, id).unwrap()[0].content_hash.clone();
    assert_eq!(hash(one.id), hash(two.id));
    assert_ne!(hash(two.id), hash(three.id));
    // Deduplicated across orgs: the second org added no blob, the third snapshot one.
    assert_eq!(counts(&conn)[3], 3);
}

#[test]
fn later_snapshots_store_only_what_changed_and_read_complete() {
    let (_dir, store) = store();
    let acme = org(&store, "acme", "00D000000000001AAA");
    let v1: Vec<_> = (0..50).map(|i| class(&format!("C{i}"), "v1")).collect();
    let mut v2 = v1.clone();
    v2[3] = class("C3", "v2");
    v2.remove(10);
    v2.push(class("New", "fresh"));
    let s1 = write_snapshot(&store, &meta(acme, "1"), v1.clone()).unwrap();
    let s2 = write_snapshot(&store, &meta(acme, "2"), v2.clone()).unwrap();
    assert_eq!(s2.component_count, 50);
    let conn = store.conn();
    // Delta: C3 changed, C10 removed (marker), New added.
    let rows: i64 = conn
        .query_row(
            "SELECT count(*) FROM snapshot_components WHERE snapshot = ?1",
            [s2.id],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 3);
    let names = |id| {
        components(&conn, id)
            .unwrap()
            .into_iter()
            .map(|e| e.full_name)
            .collect::<Vec<_>>()
    };
    assert!(names(s1.id).contains(&"C10".to_string()));
    assert!(!names(s2.id).contains(&"C10".to_string()));
    assert!(names(s2.id).contains(&"New".to_string()));
    assert_eq!(
        component_files(&conn, s2.id, "ApexClass", "C3").unwrap()[0].1,
        b"v2"
    );
    assert_eq!(
        component_files(&conn, s2.id, "ApexClass", "C4").unwrap()[0].1,
        b"v1"
    );
    assert!(component_files(&conn, s2.id, "ApexClass", "C10").is_err());
    assert_eq!(all_files(&conn, s2.id).unwrap().len(), 100);
}

#[test]
fn deleting_a_base_keeps_later_snapshots_intact_and_collects_blobs() {
    let (_dir, store) = store();
    let acme = org(&store, "acme", "00D000000000001AAA");
    let v1: Vec<_> = (0..20).map(|i| class(&format!("C{i}"), "v1")).collect();
    let mut v2 = v1.clone();
    v2[0] = class("C0", "v2");
    v2.pop();
    let mut v3 = v2.clone();
    v3[1] = class("C1", "v3");
    let s1 = write_snapshot(&store, &meta(acme, "1"), v1).unwrap();
    let s2 = write_snapshot(&store, &meta(acme, "2"), v2).unwrap();
    let s3 = write_snapshot(&store, &meta(acme, "3"), v3).unwrap();
    let mut conn = store.connect().unwrap();
    let before2 = view(&conn, s2.id);
    let before3 = view(&conn, s3.id);

    // s1's "v1" body of C0 is still used by C2..C18; nothing to collect yet.
    let report = delete(&mut conn, s1.id).unwrap();
    assert_eq!(report, GcReport::default());
    assert_eq!(view(&conn, s2.id), before2);
    assert_eq!(view(&conn, s3.id), before3);
    // s2 is now complete: no removal markers left.
    let markers: i64 = conn
        .query_row(
            "SELECT count(*) FROM snapshot_components WHERE content_hash IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(markers, 0);

    // Deleting s2 frees C0's "v2"? No: s3 still has it. Deleting s3 then frees "v3".
    delete(&mut conn, s2.id).unwrap();
    assert_eq!(view(&conn, s3.id), before3);
    let blobs = counts(&conn)[3];
    let report = delete(&mut conn, s3.id).unwrap();
    assert_eq!(report.blobs_removed, blobs);
    assert!(report.bytes_freed > 0);
    assert_eq!(counts(&conn), [0; 5]);
    assert!(matches!(
        delete(&mut conn, s3.id),
        Err(Error::SnapshotNotFound(_))
    ));
}

#[test]
fn deleting_the_newest_collects_only_its_own_blobs() {
    let (_dir, store) = store();
    let acme = org(&store, "acme", "00D000000000001AAA");
    let s1 = write_snapshot(&store, &meta(acme, "1"), vec![class("A", "one")]).unwrap();
    let s2 = write_snapshot(&store, &meta(acme, "2"), vec![class("A", "two")]).unwrap();
    let mut conn = store.connect().unwrap();
    let before = view(&conn, s1.id);
    let report = delete(&mut conn, s2.id).unwrap();
    assert_eq!(report.blobs_removed, 1);
    assert!(report.bytes_freed > 0);
    assert_eq!(view(&conn, s1.id), before);
}

#[test]
fn a_failed_write_leaves_the_store_unchanged() {
    let (_dir, store) = store();
    let acme = org(&store, "acme", "00D000000000001AAA");
    write_snapshot(&store, &meta(acme, "ok"), vec![class("A", "a")]).unwrap();
    let before = counts(&store.conn());

    let failing = vec![
        Ok(class("B", "b")),
        Err("CustomObject Account: malformed XML at line 3"),
    ];
    let err = try_write_snapshot(&store, &meta(acme, "bad"), failing).unwrap_err();
    assert!(err.to_string().contains("malformed XML"), "{err}");
    assert!(err.to_string().contains("nothing was changed"), "{err}");
    assert_eq!(counts(&store.conn()), before);

    let dup = vec![class("B", "b"), class("B", "c")];
    let err = write_snapshot(&store, &meta(acme, "dup"), dup).unwrap_err();
    assert!(err.to_string().contains("appears twice"), "{err}");
    let mut same_path = class("C", "c");
    same_path.files[1].0 = same_path.files[0].0.clone();
    assert!(write_snapshot(&store, &meta(acme, "path"), vec![same_path]).is_err());
    assert!(write_snapshot(&store, &meta(9999, "no org"), vec![class("D", "d")]).is_err());
    assert_eq!(counts(&store.conn()), before);
}

#[test]
fn removed_org_keeps_its_snapshots_and_alias() {
    let (_dir, store) = store();
    let acme = org(&store, "acme", "00D000000000001AAA");
    let rec = write_snapshot(&store, &meta(acme, "1"), vec![class("A", "a")]).unwrap();
    orgs::delete(&store.conn(), acme).unwrap();
    let after = get(&store.conn(), rec.id).unwrap();
    assert_eq!(after.org_alias.as_deref(), Some("acme"));
    assert_eq!(after.source, SnapshotSource::Org { org_row_id: acme });
}

#[test]
fn imports_and_chains_are_capped() {
    let (_dir, store) = store();
    let m = NewSnapshot {
        source: SnapshotSource::Import {
            path: "/tmp/pkg.zip".into(),
        },
        label: "import".into(),
        api_version: None,
        warnings: vec![],
    };
    let mut ids = Vec::new();
    for i in 0..(MAX_CHAIN_DEPTH + 2) {
        let rec = write_snapshot(&store, &m, vec![class("A", &format!("v{i}"))]).unwrap();
        ids.push(rec.id);
    }
    let conn = store.conn();
    let full: i64 = conn
        .query_row(
            "SELECT count(*) FROM snapshots WHERE base IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(full, 2);
    for (i, id) in ids.iter().enumerate() {
        let files = component_files(&conn, *id, "ApexClass", "A").unwrap();
        assert_eq!(files[0].1, format!("v{i}").into_bytes());
    }
    assert_eq!(list(&conn).unwrap()[0].id, *ids.last().unwrap());
}

#[test]
fn a_damaged_blob_is_reported() {
    let (_dir, store) = store();
    let acme = org(&store, "acme", "00D000000000001AAA");
    let rec = write_snapshot(&store, &meta(acme, "1"), vec![class("A", "a")]).unwrap();
    let conn = store.conn();
    let other = zstd::bulk::compress(b"not a", 3).unwrap();
    conn.execute("UPDATE blobs SET data = ?1, size = 5", [other])
        .unwrap();
    let err = all_files(&conn, rec.id).unwrap_err();
    assert!(matches!(err, Error::BlobDamaged { .. }), "{err}");
}

#[test]
fn deleting_a_middle_snapshot_keeps_both_neighbours() {
    let (_dir, store) = store();
    let acme = org(&store, "acme", "00D000000000001AAA");
    let v1: Vec<_> = (0..10).map(|i| class(&format!("C{i}"), "v1")).collect();
    // v2: C0 changed, C1 removed, N added. v3: C1 back, N removed, C2 changed.
    let mut v2: Vec<_> = v1.iter().filter(|c| c.full_name != "C1").cloned().collect();
    v2[0] = class("C0", "v2");
    v2.push(class("N", "new"));
    let mut v3: Vec<_> = v2.iter().filter(|c| c.full_name != "N").cloned().collect();
    v3.push(class("C1", "back"));
    v3[1] = class("C2", "v3");
    let ids: Vec<i64> = [v1, v2, v3]
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            write_snapshot(&store, &meta(acme, &i.to_string()), v)
                .unwrap()
                .id
        })
        .collect();
    let mut conn = store.connect().unwrap();
    let first = view(&conn, ids[0]);
    let last = view(&conn, ids[2]);
    let report = delete(&mut conn, ids[1]).unwrap();
    // Only N's body was unique to the deleted snapshot.
    assert_eq!(report.blobs_removed, 1);
    assert_eq!(view(&conn, ids[0]), first);
    assert_eq!(view(&conn, ids[2]), last);
    assert_eq!(last.0.len(), 10);
    assert!(!last.0.iter().any(|e| e.full_name == "N"));
    let check: String = conn
        .query_row("PRAGMA foreign_key_check", [], |r| r.get(0))
        .unwrap_or_else(|_| "ok".into());
    assert_eq!(check, "ok");
}
