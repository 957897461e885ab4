//! Bad input and crashes: a broken import must change nothing, and a process killed mid-write
//! must leave a store that opens intact without a half snapshot.

use std::io::{Cursor, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use orgfleet_metadata::mdapi::{Package, ZipLimits};
use orgfleet_metadata::normalize::normalize;
use orgfleet_metadata::xml::Element;
use rusqlite::Connection;

use super::*;
use crate::Store;

const PKG: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types><members>*</members><name>ApexClass</name></types>
    <types><members>*</members><name>CustomObject</name></types>
    <version>64.0</version>
</Package>"#;

const OBJECT: &[u8] = br#"<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <fields><fullName>B__c</fullName><type>Text</type></fields>
    <fields><fullName>A__c</fullName><type>Text</type></fields>
</CustomObject>"#;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

fn counts(conn: &Connection) -> Vec<i64> {
    [
        "snapshots",
        "snapshot_components",
        "snapshot_files",
        "blobs",
        "snapshot_warnings",
    ]
    .iter()
    .map(|t| {
        conn.query_row(&format!("SELECT count(*) FROM {t}"), [], |r| r.get(0))
            .unwrap()
    })
    .collect()
}

/// The import path as the product runs it, strict: read the zip, canonicalize every XML file
/// (normalize keyed sets, one serialization), store atomically.
fn import(store: &Store, zip: &[u8], limits: &ZipLimits) -> crate::Result<SnapshotRecord> {
    let pkg = Package::from_zip_with_limits(zip, limits)
        .map_err(|e| crate::Error::InvalidSnapshot(e.to_string()))?;
    let meta = NewSnapshot {
        source: SnapshotSource::Import {
            path: "upload.zip".into(),
        },
        label: "upload".into(),
        api_version: Some("64.0".into()),
        warnings: vec![],
    };
    let components = pkg.components.into_iter().map(|(id, files)| {
        let mut out = Vec::new();
        for (path, bytes) in files {
            let bytes = if path.ends_with(".cls") {
                bytes
            } else {
                let root = Element::parse_bytes(&bytes, &path)
                    .map_err(|e| format!("{e}; fix or remove that file and import again"))?;
                normalize(&id.type_name, &root).to_document().into_bytes()
            };
            out.push((path, bytes));
        }
        Ok::<_, String>(ComponentFiles {
            type_name: id.type_name,
            full_name: id.full_name,
            files: out,
        })
    });
    try_write_snapshot(store, &meta, components)
}

#[test]
fn bad_imports_give_clear_errors_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(&dir.path().join("orgfleet.db")).unwrap();
    let good = zip_of(&[
        ("package.xml", PKG),
        ("classes/A.cls", b"public class A {}"),
        ("classes/A.cls-meta.xml", b"<ApexClass/>"),
        ("objects/Acc__c.object", OBJECT),
    ]);
    let limits = ZipLimits::default();
    let first = import(&store, &good, &limits).unwrap();
    assert_eq!(first.component_count, 2);
    // Canonical: keyed sets sorted, so the stored object lists A__c before B__c.
    let object = component_files(&store.conn(), first.id, "CustomObject", "Acc__c").unwrap();
    let text = String::from_utf8(object[0].1.clone()).unwrap();
    assert!(
        text.find("A__c").unwrap() < text.find("B__c").unwrap(),
        "{text}"
    );
    let before = counts(&store.conn());

    let malformed = zip_of(&[
        ("package.xml", PKG),
        ("classes/A.cls", b"public class A { /* changed */ }"),
        ("classes/A.cls-meta.xml", b"<ApexClass/>"),
        (
            "objects/Acc__c.object",
            b"<CustomObject><fields></CustomObject>",
        ),
    ]);
    let slip = zip_of(&[("package.xml", PKG), ("../../evil.cls", b"x")]);
    let big = zip_of(&[("package.xml", PKG), ("classes/Big.cls", &[b'a'; 4096])]);
    let tight = ZipLimits {
        max_entry_bytes: 1024,
        ..ZipLimits::default()
    };
    let cases: [(&str, &[u8], &ZipLimits, &[&str]); 4] = [
        (
            "malformed XML",
            &malformed,
            &limits,
            &["objects/Acc__c.object", "fix or remove that file"],
        ),
        (
            "truncated zip",
            &good[..good.len() / 2],
            &limits,
            &["truncated zip", "download or retrieve the zip again"],
        ),
        (
            "zip slip",
            &slip,
            &limits,
            &["../../evil.cls", "rebuild it with paths relative"],
        ),
        (
            "oversized entry",
            &big,
            &tight,
            &["classes/Big.cls", "split it into smaller packages"],
        ),
    ];
    for (name, zip, limits, expected) in cases {
        let err = import(&store, zip, limits).unwrap_err().to_string();
        assert!(err.contains("nothing was changed"), "{name}: {err}");
        for needle in expected {
            assert!(err.contains(needle), "{name}: `{needle}` not in: {err}");
        }
        assert_eq!(counts(&store.conn()), before, "{name} changed the store");
    }
    assert_eq!(list(&store.conn()).unwrap(), vec![first]);
}

const CRASH_ENV: &str = "ORGFLEET_SNAPSHOT_CRASH_DB";

/// Child side of [`killed_mid_write_leaves_the_store_intact`]: writes a snapshot that never
/// ends, after signalling (a marker file) that megabytes of it are already in the WAL.
#[test]
fn crash_child_writer() {
    let Ok(db) = std::env::var(CRASH_ENV) else {
        return; // only meaningful when started by the crash test
    };
    let store = Store::open(Path::new(&db)).unwrap();
    let marker = format!("{db}.writing");
    let meta = NewSnapshot {
        source: SnapshotSource::Import { path: "big".into() },
        label: "never finished".into(),
        api_version: None,
        warnings: vec![],
    };
    let wal = format!("{db}-wal");
    let mut signalled = false;
    let components = (0u64..).map(move |i| {
        // Signal once uncommitted pages have spilled from the writer's cache into the WAL
        // (the case a crash must survive), then keep going slowly: this never finishes.
        if signalled {
            std::thread::sleep(Duration::from_millis(1));
        } else if i % 500 == 0 && std::fs::metadata(&wal).map_or(0, |m| m.len()) > 2_000_000 {
            std::fs::write(&marker, b"").unwrap();
            signalled = true;
        }
        // Incompressible content, so the spill comes soon.
        let mut body = vec![0u8; 8192];
        blake3::Hasher::new()
            .update(&i.to_le_bytes())
            .finalize_xof()
            .fill(&mut body);
        ComponentFiles {
            type_name: "ApexClass".into(),
            full_name: format!("C{i}"),
            files: vec![(format!("classes/C{i}.cls"), body)],
        }
    });
    write_snapshot(&store, &meta, components).unwrap();
    unreachable!("the endless snapshot cannot finish");
}

#[test]
fn killed_mid_write_leaves_the_store_intact() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("orgfleet.db");
    let kept = {
        let store = Store::open(&db).unwrap();
        let meta = NewSnapshot {
            source: SnapshotSource::Import { path: "big".into() },
            label: "complete".into(),
            api_version: None,
            warnings: vec![],
        };
        let files = vec![ComponentFiles {
            type_name: "ApexClass".into(),
            full_name: "Kept".into(),
            files: vec![("classes/Kept.cls".into(), b"class Kept {}".to_vec())],
        }];
        write_snapshot(&store, &meta, files).unwrap()
    };

    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "snapshots::tests_robustness::crash_child_writer",
            "--nocapture",
        ])
        .env(CRASH_ENV, &db)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let marker = dir.path().join("orgfleet.db.writing");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !marker.exists() {
        assert!(Instant::now() < deadline, "the child never started writing");
        assert!(
            child.try_wait().unwrap().is_none(),
            "the child exited early"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let wal = std::fs::metadata(dir.path().join("orgfleet.db-wal")).map_or(0, |m| m.len());
    assert!(
        wal > 1_000_000,
        "the child should have spilled pages into the WAL ({wal} bytes)"
    );
    child.kill().unwrap(); // SIGKILL on Unix: no destructor, no rollback runs
    child.wait().unwrap();

    let store = Store::open(&db).unwrap();
    let conn = store.conn();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    assert_eq!(list(&conn).unwrap(), vec![kept.clone()]);
    assert_eq!(counts(&conn), vec![1, 1, 1, 1, 0]);
    assert_eq!(
        component_files(&conn, kept.id, "ApexClass", "Kept").unwrap()[0].1,
        b"class Kept {}"
    );
}
