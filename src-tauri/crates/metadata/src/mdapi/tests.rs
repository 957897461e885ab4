//! Package tests: zip round trips, hostile zips, real mdapi folders.

use std::io::{Cursor, Write};

use super::*;

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, bytes) in entries {
        w.start_file(*name, zip::write::SimpleFileOptions::default())
            .unwrap();
        w.write_all(bytes).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const PKG: &[u8] = b"<Package xmlns=\"http://soap.sforce.com/2006/04/metadata\"><types><members>Foo</members><name>ApexClass</name></types><version>63.0</version></Package>";

#[test]
fn reads_zip_at_root_and_under_folder() {
    for root in ["", "unpackaged/"] {
        let bytes = zip_of(&[
            (&format!("{root}package.xml"), PKG),
            (&format!("{root}classes/Foo.cls"), b"public class Foo {}"),
            (&format!("{root}classes/Foo.cls-meta.xml"), b"<ApexClass/>"),
        ]);
        let pkg = Package::from_zip(&bytes).unwrap();
        assert_eq!(pkg.root, root.trim_end_matches('/'));
        let files = &pkg.components[&ComponentId::new("ApexClass", "Foo")];
        assert_eq!(
            files.keys().collect::<Vec<_>>(),
            ["classes/Foo.cls", "classes/Foo.cls-meta.xml"]
        );
        assert!(pkg.manifest.as_ref().unwrap().names("ApexClass", "Foo"));
    }
}

#[test]
fn to_zip_round_trips() {
    let mut pkg = Package::new();
    pkg.insert_file("classes/Foo.cls".into(), b"x".to_vec());
    pkg.insert_file("classes/Foo.cls-meta.xml".into(), b"<ApexClass/>".to_vec());
    pkg.insert_file("reports/Sales-meta.xml".into(), b"<ReportFolder/>".to_vec());
    pkg.insert_file("reports/Sales/P.report".into(), b"<Report/>".to_vec());
    for root in ["", "unpackaged"] {
        let zip = pkg.to_zip_under(root).unwrap();
        let back = Package::from_zip(&zip).unwrap();
        assert_eq!(back.components, pkg.components);
        let m = back.manifest.unwrap();
        assert!(
            m.names("Report", "Sales"),
            "folders are members of their content type"
        );
        assert!(m.names("Report", "Sales/P"));
        assert!(m.names("ApexClass", "Foo"));
    }
}

#[test]
fn refuses_zip_slip() {
    let bytes = zip_of(&[("package.xml", PKG), ("../evil.cls", b"x")]);
    assert!(matches!(Package::from_zip(&bytes), Err(Error::UnsafePath(p)) if p == "../evil.cls"));
    let bytes = zip_of(&[("package.xml", PKG), ("/abs/x.cls", b"x")]);
    assert!(matches!(
        Package::from_zip(&bytes),
        Err(Error::UnsafePath(_))
    ));
}

#[test]
fn refuses_truncated_and_garbage() {
    let bytes = zip_of(&[("package.xml", PKG), ("classes/Foo.cls", &[b'a'; 4096])]);
    for cut in [bytes.len() / 2, bytes.len() - 10, 10] {
        let err = Package::from_zip(&bytes[..cut]).unwrap_err();
        assert!(matches!(err, Error::Zip(_)), "cut {cut}: {err}");
    }
    assert!(matches!(
        Package::from_zip(b"not a zip at all"),
        Err(Error::Zip(_))
    ));
    // Corrupt the compressed data of an entry (after its local header): CRC check fails.
    let mut corrupt = bytes.clone();
    let pos = corrupt
        .windows(15)
        .position(|w| w == b"classes/Foo.cls")
        .unwrap()
        + 20;
    corrupt[pos] ^= 0xFF;
    assert!(Package::from_zip(&corrupt).is_err());
}

#[test]
fn enforces_size_limits() {
    let big = vec![b'a'; 10_000];
    let bytes = zip_of(&[("package.xml", PKG), ("classes/Big.cls", &big)]);
    let limits = ZipLimits {
        max_entry_bytes: 1_000,
        ..ZipLimits::default()
    };
    assert!(matches!(
        Package::from_zip_with_limits(&bytes, &limits),
        Err(Error::TooLarge(_))
    ));
    let limits = ZipLimits {
        max_entries: 1,
        ..ZipLimits::default()
    };
    assert!(matches!(
        Package::from_zip_with_limits(&bytes, &limits),
        Err(Error::TooLarge(_))
    ));
    let limits = ZipLimits {
        max_total_bytes: 5_000,
        ..ZipLimits::default()
    };
    assert!(matches!(
        Package::from_zip_with_limits(&bytes, &limits),
        Err(Error::TooLarge(_))
    ));
}

#[test]
fn no_manifest_is_an_error() {
    let bytes = zip_of(&[("classes/Foo.cls", b"x")]);
    assert!(matches!(Package::from_zip(&bytes), Err(Error::NoManifest)));
}

#[test]
fn reads_real_mdapi_folders() {
    let Some(shared) = crate::test_support::shared_dir() else {
        return;
    };
    let dahlia =
        Package::from_dir(&shared.join("fixtures/mdapi/sf-dahlia-salesforce-6a8c41e/src")).unwrap();
    let m = dahlia
        .manifest
        .as_ref()
        .expect("package-all.xml used as manifest");
    assert_eq!(m.version.as_deref(), Some("38.0"));
    assert!(
        dahlia
            .components
            .contains_key(&ComponentId::new("Profile", "MOHCD - Leasing Agent"))
    );
    assert_eq!(
        dahlia
            .components
            .keys()
            .filter(|k| k.type_name == "Profile")
            .count(),
        9
    );
    assert!(
        dahlia.unclassified.is_empty(),
        "{:?}",
        dahlia.unclassified.keys().collect::<Vec<_>>()
    );

    let v4s =
        Package::from_dir(&shared.join("fixtures/mdapi/volunteers-for-salesforce-07570c1/src"))
            .unwrap();
    assert_eq!(
        v4s.components
            .keys()
            .filter(|k| k.type_name == "CustomObject")
            .count(),
        11
    );
    assert_eq!(
        v4s.components
            .keys()
            .filter(|k| k.type_name == "EmailFolder")
            .count(),
        3
    );
    assert!(
        v4s.components
            .contains_key(&ComponentId::new("ReportFolder", "Volunteer_Reports"))
    );
    assert!(
        v4s.unclassified.is_empty(),
        "{:?}",
        v4s.unclassified.keys().collect::<Vec<_>>()
    );
    let zip = v4s.to_zip().unwrap();
    assert_eq!(Package::from_zip(&zip).unwrap().components, v4s.components);
}
