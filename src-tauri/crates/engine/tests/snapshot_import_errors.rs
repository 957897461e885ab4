//! Importing bad input gives an error that says what is wrong and what to do, and leaves the
//! store exactly as it was: malformed XML, a truncated zip, a zip-slip path.

use orgfleet_engine::Engine;

const PACKAGE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Package xmlns="http://soap.sforce.com/2006/04/metadata">
    <types><members>Foo</members><name>ApexClass</name></types>
    <version>63.0</version>
</Package>
"#;

fn engine() -> (tempfile::TempDir, Engine) {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::open(&dir.path().join("db.sqlite3")).unwrap();
    (dir, engine)
}

fn mdapi_folder(meta_xml: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("classes")).unwrap();
    std::fs::write(dir.path().join("package.xml"), PACKAGE).unwrap();
    std::fs::write(dir.path().join("classes/Foo.cls"), "public class Foo {}").unwrap();
    std::fs::write(dir.path().join("classes/Foo.cls-meta.xml"), meta_xml).unwrap();
    dir
}

#[test]
fn a_well_formed_folder_imports() {
    let (_d, engine) = engine();
    let folder = mdapi_folder(
        r#"<?xml version="1.0" encoding="UTF-8"?><ApexClass xmlns="http://soap.sforce.com/2006/04/metadata"><apiVersion>63.0</apiVersion><status>Active</status></ApexClass>"#,
    );
    let record = engine.import_snapshot(folder.path()).unwrap();
    assert_eq!(record.component_count, 1);
}

#[test]
fn malformed_xml_is_refused_naming_the_file_and_nothing_is_stored() {
    let (_d, engine) = engine();
    let folder = mdapi_folder("<ApexClass><apiVersion>63.0</apiVersion><status>Active</ApexClass>");
    let err = engine
        .import_snapshot(folder.path())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("classes/Foo.cls-meta.xml is not well-formed XML"),
        "{err}"
    );
    assert!(err.contains("nothing was imported"), "{err}");
    assert!(engine.snapshots().unwrap().is_empty());
}

#[test]
fn a_truncated_zip_is_refused_and_nothing_is_stored() {
    let (_d, engine) = engine();
    let dir = tempfile::tempdir().unwrap();
    let zip_path = dir.path().join("package.zip");
    // A zip's local header with nothing after it: what an interrupted download leaves.
    let mut bytes = b"PK\x03\x04\x14\x00\x00\x00\x08\x00".to_vec();
    bytes.extend_from_slice(&[0u8; 40]);
    std::fs::write(&zip_path, &bytes).unwrap();
    let err = engine.import_snapshot(&zip_path).unwrap_err().to_string();
    assert!(!err.is_empty());
    assert!(engine.snapshots().unwrap().is_empty(), "{err}");
}

#[test]
fn a_missing_path_says_what_to_give() {
    let (_d, engine) = engine();
    let err = engine
        .import_snapshot(std::path::Path::new("/nonexistent/project"))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("mdapi zip, an mdapi folder or an sfdx project"),
        "{err}"
    );
}
