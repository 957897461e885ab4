//! mdapi → source conversion checked against the Salesforce CLI's own conversion snapshots
//! (`sdr-snapshots/sampleProjects/<case>`: `originalMdapi/` converted must equal
//! `__snapshots__/verify-source-files.expected/force-app/main/default/`, XML compared after
//! [`Element::canonical`]).

use std::path::Path;

use super::*;

/// Every sample with an `originalMdapi/` and a default-layout source snapshot that passes.
/// Not listed, and why: presets/variants (non-default decomposition: preset-*, variant-*),
/// bots (liveChatButtons and skills are not in our registry), types we do not know
/// (territory, genAiFunctions, UIBundleSnapshot, appTemplates), digitalExperienceBundle
/// (the CLI rewrites sites into digitalExperiences) and waveTemplateBundle (a CSV file's
/// bytes differ in the CLI's snapshot). `survey_all_samples` prints the current state.
const CASES: &[&str] = &[
    "customLabels-simple",
    "customObjects-and-children",
    "customTranslationProject",
    "nestedFolders",
    "sharingRules",
    "workflow",
    "xmlComments",
];

fn read_tree(dir: &Path) -> Files {
    fn walk(root: &Path, dir: &Path, out: &mut Files) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = Files::new();
    walk(dir, dir, &mut out);
    out
}

fn comparable(path: &str, bytes: &[u8]) -> String {
    if path.ends_with(".xml") || bytes.trim_ascii_start().starts_with(b"<") {
        Element::parse_bytes(bytes, path).unwrap().canonical()
    } else {
        String::from_utf8_lossy(bytes).into_owned()
    }
}

pub(crate) fn check_case(shared: &Path, case: &str) -> std::result::Result<(), String> {
    let dir = shared
        .join("fixtures/conversion/sdr-snapshots/sampleProjects")
        .join(case);
    let pkg = Package::from_dir(&dir.join("originalMdapi")).map_err(|e| e.to_string())?;
    let ours = to_source_files(&pkg).map_err(|e| e.to_string())?;
    let expected =
        read_tree(&dir.join("__snapshots__/verify-source-files.expected/force-app/main/default"));
    let (a, b): (Vec<_>, Vec<_>) = (ours.keys().collect(), expected.keys().collect());
    if a != b {
        return Err(format!(
            "{case}: paths differ\n ours:     {a:?}\n expected: {b:?}"
        ));
    }
    for (path, bytes) in &expected {
        if comparable(path, &ours[path]) != comparable(path, bytes) {
            return Err(format!(
                "{case}: {path} differs\n ours:     {}\n expected: {}",
                comparable(path, &ours[path]),
                comparable(path, bytes)
            ));
        }
    }
    Ok(())
}

#[test]
fn matches_cli_conversion_snapshots() {
    let Some(shared) = crate::test_support::shared_dir() else {
        return;
    };
    for case in CASES {
        check_case(&shared, case).unwrap();
    }
}

#[test]
#[ignore = "survey of every sample; run with --ignored to see which cases differ and why"]
fn survey_all_samples() {
    let Some(shared) = crate::test_support::shared_dir() else {
        return;
    };
    let root = shared.join("fixtures/conversion/sdr-snapshots/sampleProjects");
    let mut names: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            root.join(n).join("originalMdapi").is_dir()
                && root
                    .join(n)
                    .join("__snapshots__/verify-source-files.expected/force-app/main/default")
                    .is_dir()
        })
        .collect();
    names.sort();
    for name in names {
        match check_case(&shared, &name) {
            Ok(()) => println!("PASS {name}"),
            Err(e) => println!("FAIL {}", e.lines().take(3).collect::<Vec<_>>().join(" | ")),
        }
    }
}

#[test]
fn decomposes_objects_and_round_trips_through_the_reader() {
    let object = br#"<?xml version="1.0" encoding="UTF-8"?>
<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata">
    <label>Broker</label>
    <fields><fullName>Email__c</fullName><type>Email</type></fields>
    <listViews><fullName>All</fullName><filterScope>Everything</filterScope></listViews>
</CustomObject>"#;
    let mut pkg = Package::new();
    pkg.insert_file("objects/Broker__c.object".into(), object.to_vec());
    pkg.insert_file("classes/A.cls".into(), b"class A {}".to_vec());
    pkg.insert_file("classes/A.cls-meta.xml".into(), b"<ApexClass/>".to_vec());
    pkg.insert_file(
        "layouts/Broker__c-Layout.layout".into(),
        b"<Layout/>".to_vec(),
    );
    pkg.insert_file("reports/Sales-meta.xml".into(), b"<ReportFolder/>".to_vec());
    let src = to_source_files(&pkg).unwrap();
    assert_eq!(
        src.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "classes/A.cls",
            "classes/A.cls-meta.xml",
            "layouts/Broker__c-Layout.layout-meta.xml",
            "objects/Broker__c/Broker__c.object-meta.xml",
            "objects/Broker__c/fields/Email__c.field-meta.xml",
            "objects/Broker__c/listViews/All.listView-meta.xml",
            "reports/Sales.reportFolder-meta.xml",
        ]
    );
    let field =
        String::from_utf8(src["objects/Broker__c/fields/Email__c.field-meta.xml"].clone()).unwrap();
    assert!(field.contains("<CustomField xmlns=\"http://soap.sforce.com/2006/04/metadata\">"));
    // Reading the source back gives the same package, up to canonical XML.
    let back = crate::source::convert_files(&src).unwrap();
    assert_eq!(back.components.len(), pkg.components.len());
    for (id, files) in &pkg.components {
        for (path, bytes) in files {
            assert_eq!(
                comparable(path, &back.components[id][path]),
                comparable(path, bytes),
                "{path}"
            );
        }
    }
}

#[test]
fn malformed_parent_xml_is_an_error_naming_the_file() {
    let mut pkg = Package::new();
    pkg.insert_file(
        "objects/Bad__c.object".into(),
        b"<CustomObject><fields></CustomObject>".to_vec(),
    );
    let err = to_source_files(&pkg).unwrap_err().to_string();
    assert!(err.contains("objects/Bad__c.object"), "{err}");
}
