//! Source → mdapi conversion checked against the CLI's own snapshots and real projects.

use std::path::Path;

use super::*;
use crate::mdapi::ComponentId;

fn canonical(bytes: &[u8]) -> String {
    Element::parse_bytes(bytes, "t").unwrap().canonical()
}

fn files_under(dir: &Path) -> Files {
    let mut files = Files::new();
    collect(dir, dir, &mut files).unwrap();
    files
}

#[test]
fn decomposed_objects_match_cli_snapshot() {
    let Some(shared) = crate::test_support::shared_dir() else {
        return;
    };
    let case = shared.join(
        "fixtures/conversion/sdr-snapshots/sampleProjects/customObjects-and-children/__snapshots__",
    );
    let pkg = convert_files(&files_under(&case.join("verify-source-files.expected"))).unwrap();
    for obj in ["Broker__c", "Property__c"] {
        let files = &pkg.components[&ComponentId::new("CustomObject", obj)];
        let ours = &files[&format!("objects/{obj}.object")];
        let expected =
            std::fs::read(case.join(format!("verify-md-files.expected/objects/{obj}.object")))
                .unwrap();
        assert_eq!(canonical(ours), canonical(&expected), "{obj}");
    }
    assert!(pkg.unclassified.is_empty());
}

#[test]
fn nested_folders_match_cli_snapshot() {
    let Some(shared) = crate::test_support::shared_dir() else {
        return;
    };
    let case =
        shared.join("fixtures/conversion/sdr-snapshots/sampleProjects/nestedFolders/__snapshots__");
    let pkg = convert_files(&files_under(&case.join("verify-source-files.expected"))).unwrap();
    let expected = files_under(&case.join("verify-md-files.expected"));
    let ours: Files = pkg.components.values().flat_map(|f| f.clone()).collect();
    let expected: Files = expected
        .into_iter()
        .filter(|(p, _)| p != "package.xml")
        .collect();
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert!(
        pkg.components
            .contains_key(&ComponentId::new("ReportFolder", "TopFolder/ChildFolder"))
    );
}

#[test]
fn reads_real_projects() {
    let Some(shared) = crate::test_support::shared_dir() else {
        return;
    };
    let ebikes = read_project(&shared.join("fixtures/source/ebikes-lwc-4b9e2bc")).unwrap();
    assert!(
        ebikes.unclassified.is_empty(),
        "{:?}",
        ebikes.unclassified.keys().collect::<Vec<_>>()
    );
    // objects/Case/fields/* without an object file still makes objects/Case.object.
    let case = &ebikes.components[&ComponentId::new("CustomObject", "Case")];
    let kids = crate::children::list_children("CustomObject", "Case", &case["objects/Case.object"])
        .unwrap();
    assert!(!kids.is_empty());
    // The mdapi bundle outside packageDirectories is not read.
    assert!(!ebikes.components.keys().any(|k| k.type_name == "Profile"));
    assert!(
        ebikes
            .components
            .contains_key(&ComponentId::new("ExperienceBundle", "E_Bikes1"))
    );
    let res = &ebikes.components[&ComponentId::new("StaticResource", "bike_assets")];
    let zipped = &res["staticresources/bike_assets.resource"];
    assert!(
        crate::mdapi::read_zip_entries(zipped, &Default::default())
            .unwrap()
            .len()
            > 1
    );

    let recipes = read_project(&shared.join("fixtures/source/apex-recipes-94e0020")).unwrap();
    assert!(
        recipes.unclassified.is_empty(),
        "{:?}",
        recipes.unclassified.keys().collect::<Vec<_>>()
    );
    assert_eq!(
        recipes
            .components
            .keys()
            .filter(|k| k.type_name == "ApexClass")
            .count(),
        139
    );
    assert_eq!(
        recipes
            .components
            .keys()
            .filter(|k| k.type_name == "PermissionSet")
            .count(),
        9
    );
    assert!(
        recipes
            .components
            .contains_key(&ComponentId::new("CustomLabels", "CustomLabels"))
    );
    assert_eq!(
        recipes.manifest.as_ref().unwrap().version.as_deref(),
        Some("62.0")
    );

    let dreamhouse = read_project(&shared.join("fixtures/source/dreamhouse-lwc-9f41bff")).unwrap();
    assert_eq!(
        dreamhouse
            .components
            .keys()
            .filter(|k| k.type_name == "LightningComponentBundle")
            .count(),
        17
    );
    assert_eq!(
        dreamhouse
            .components
            .keys()
            .filter(|k| k.type_name == "CustomObject")
            .count(),
        2
    );
    let zip = dreamhouse.to_zip().unwrap();
    assert_eq!(
        Package::from_zip(&zip).unwrap().components,
        dreamhouse.components
    );
}

#[test]
fn project_errors() {
    let dir = std::env::temp_dir().join(format!("orgfleet-md-src-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    assert!(matches!(read_project(&dir), Err(Error::Io { .. })));
    std::fs::write(dir.join("sfdx-project.json"), "{not json").unwrap();
    assert!(matches!(read_project(&dir), Err(Error::Project { .. })));
    std::fs::write(
        dir.join("sfdx-project.json"),
        r#"{"packageDirectories":[{"path":"nope"}]}"#,
    )
    .unwrap();
    assert!(matches!(read_project(&dir), Err(Error::Project { .. })));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Every CLI snapshot that uses default behaviour (no presets, variants or types we do not
/// register) converts to exactly the CLI's mdapi files.
#[test]
fn default_snapshots_match_cli() {
    let Some(shared) = crate::test_support::shared_dir() else {
        return;
    };
    let root = shared.join("fixtures/conversion/sdr-snapshots/sampleProjects");
    for case in [
        "customLabels-simple",
        "customObjects-and-children",
        "customTranslationProject",
        "nestedFolders",
        "sharingRules",
        "waveTemplateBundle",
        "workflow",
        "xmlComments",
    ] {
        let snap = root.join(case).join("__snapshots__");
        let pkg = convert_files(&files_under(&snap.join("verify-source-files.expected"))).unwrap();
        assert!(pkg.unclassified.is_empty(), "{case}");
        let ours: Files = pkg.components.values().flat_map(|f| f.clone()).collect();
        let expected: Files = files_under(&snap.join("verify-md-files.expected"))
            .into_iter()
            .filter(|(p, _)| p != "package.xml")
            .collect();
        assert_eq!(
            ours.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "{case}"
        );
        for (path, bytes) in &expected {
            let same = match (
                Element::parse_bytes(bytes, path),
                Element::parse_bytes(&ours[path], path),
            ) {
                (Ok(a), Ok(b)) => a.canonical() == b.canonical(),
                _ => bytes == &ours[path],
            };
            assert!(same, "{case}: {path} differs");
        }
    }
}
