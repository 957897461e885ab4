//! Edge cases of the element diff that the fixture tests do not reach: keyless lists,
//! duplicates, attributes, moves, binary and multi-file components.

use super::*;

fn xml(path: &str, body: &str) -> Vec<(String, Vec<u8>)> {
    vec![(path.to_owned(), body.as_bytes().to_vec())]
}

fn edits(type_name: &str, a: &str, b: &str, show_reordered: bool) -> (Vec<String>, usize) {
    let diff = diff_component(
        type_name,
        &xml("x/X.xml", a),
        &xml("x/X.xml", b),
        &DiffOptions { show_reordered },
    )
    .unwrap();
    let ComponentDiff::Xml {
        edits,
        reordered_hidden,
    } = diff
    else {
        panic!("expected an XML diff");
    };
    (
        edits.iter().map(ToString::to_string).collect(),
        reordered_hidden,
    )
}

#[test]
fn keyless_layout_items_align_by_field_and_position() {
    let layout = |items: &[&str]| {
        let items: String = items
            .iter()
            .map(|f| match *f {
                "" => "<layoutItems><emptySpace>true</emptySpace></layoutItems>".to_owned(),
                f => format!(
                    "<layoutItems><behavior>Edit</behavior><field>{f}</field></layoutItems>"
                ),
            })
            .collect();
        format!(
            "<Layout><layoutSections><label>Main</label><layoutColumns>{items}</layoutColumns></layoutSections></Layout>"
        )
    };
    // Blank spaces have no identity: the list is aligned by LCS, then by field.
    let (e, _) = edits(
        "Layout",
        &layout(&["A", "", "B", "C"]),
        &layout(&["A", "", "C", "D"]),
        false,
    );
    assert_eq!(
        e,
        [
            "layoutSections[Main].layoutColumns[#1].layoutItems[B]: removed",
            "layoutSections[Main].layoutColumns[#1].layoutItems[D]: added",
        ]
    );
    // Layout items are ordered: a move is shown even by default.
    let (e, hidden) = edits(
        "Layout",
        &layout(&["A", "", "B"]),
        &layout(&["B", "A", ""]),
        false,
    );
    assert_eq!(
        e,
        ["layoutSections[Main].layoutColumns[#1].layoutItems: reordered"]
    );
    assert_eq!(hidden, 0);
}

#[test]
fn undeclared_repeats_are_sets_and_leaves_are_their_own_key() {
    // A type without declared collections (the element names are only sample data).
    let a = "<Flow><variables><name>x</name><dataType>String</dataType></variables>\
             <variables><name>y</name><dataType>Number</dataType></variables>\
             <processMetadataValues>a</processMetadataValues><processMetadataValues>b</processMetadataValues></Flow>";
    let b = "<Flow><processMetadataValues>b</processMetadataValues><processMetadataValues>c</processMetadataValues>\
             <variables><name>y</name><dataType>Boolean</dataType></variables>\
             <variables><name>x</name><dataType>String</dataType></variables></Flow>";
    let (e, hidden) = edits("CustomApplication", a, b, false);
    assert_eq!(
        e,
        [
            "variables[y].dataType: Number → Boolean",
            "processMetadataValues[a]: removed",
            "processMetadataValues[c]: added",
        ]
    );
    assert_eq!(hidden, 1, "variables swapped");
    let (e, _) = edits("CustomApplication", a, b, true);
    assert!(e.contains(&"variables: reordered".to_owned()), "{e:?}");
}

#[test]
fn flow_elements_are_sets_by_name_but_decision_outcomes_keep_their_order() {
    let a = "<Flow><decisions><name>Route</name><rules><name>Big</name></rules><rules><name>Small</name></rules></decisions>\
             <decisions><name>Check</name></decisions><assignments><name>Set</name></assignments></Flow>";
    let b = "<Flow><assignments><name>Set</name></assignments><decisions><name>Check</name></decisions>\
             <decisions><name>Route</name><rules><name>Small</name></rules><rules><name>Big</name></rules></decisions></Flow>";
    let (e, hidden) = edits("Flow", a, b, false);
    assert_eq!(
        e,
        ["decisions[Route].rules: reordered"],
        "outcome order is evaluation order"
    );
    assert_eq!(
        hidden, 1,
        "moving whole elements is not a change (hidden, counted)"
    );
}

#[test]
fn duplicate_keys_pair_by_occurrence_and_attributes_are_compared() {
    let a = "<Profile><userPermissions><enabled>true</enabled><name>A</name></userPermissions>\
             <userPermissions><enabled>true</enabled><name>A</name></userPermissions></Profile>";
    let b = "<Profile><userPermissions><enabled>true</enabled><name>A</name></userPermissions>\
             <userPermissions><enabled>false</enabled><name>A</name></userPermissions></Profile>";
    let (e, _) = edits("Profile", a, b, false);
    assert_eq!(e, ["userPermissions[A#2].enabled: true → false"]);

    let a = "<CustomMetadata xmlns:xsi=\"i\"><values><field>F</field><value xsi:type=\"xsd:string\">v</value></values></CustomMetadata>";
    let b = "<CustomMetadata><values><field>F</field><value xsi:type=\"xsd:boolean\">v</value></values></CustomMetadata>";
    let (e, _) = edits("CustomMetadata", a, b, false);
    assert_eq!(e, ["values.value@xsi:type: xsd:string → xsd:boolean"]);
}

#[test]
fn whitespace_and_namespace_prefixes_are_not_changes() {
    let a =
        "<?xml version=\"1.0\"?>\n<Profile xmlns=\"n\">\n    <custom>false</custom>\n</Profile>\n";
    let b = "<p:Profile xmlns:p=\"n\"><p:custom> false </p:custom></p:Profile>";
    assert_eq!(edits("Profile", a, b, true), (vec![], 0));
    let c = "<Profile><custom>true</custom><description>d</description></Profile>";
    let (e, _) = edits("Profile", a, c, false);
    assert_eq!(e, ["custom: false → true", "description: added"]);
}

#[test]
fn malformed_xml_is_an_error_naming_the_file() {
    let err = diff_component(
        "Profile",
        &xml("profiles/A.profile", "<Profile>"),
        &xml("profiles/A.profile", "<Profile/>"),
        &DiffOptions::default(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("profiles/A.profile"), "{err}");
}

#[test]
fn bundles_list_changed_files_and_binaries_only_say_changed() {
    let before = vec![
        ("lwc/c/c.js".to_owned(), b"export default 1;\n".to_vec()),
        ("lwc/c/c.html".to_owned(), b"<template></template>\n".to_vec()),
        ("lwc/c/c.js-meta.xml".to_owned(), b"<LightningComponentBundle><apiVersion>58.0</apiVersion><isExposed>true</isExposed></LightningComponentBundle>".to_vec()),
    ];
    let mut after = before.clone();
    after[0].1 = b"export default 2;\n".to_vec();
    after[2].1 = b"<LightningComponentBundle>\n  <apiVersion>58.0</apiVersion>\n  <isExposed>true</isExposed>\n</LightningComponentBundle>\n".to_vec();
    after.push(("lwc/c/c.css".to_owned(), b".a {}\n".to_vec()));
    let diff = diff_component(
        "LightningComponentBundle",
        &before,
        &after,
        &DiffOptions::default(),
    )
    .unwrap();
    let ComponentDiff::Code { files } = &diff else {
        panic!("{diff:?}")
    };
    let paths: Vec<(&str, FileStatus)> =
        files.iter().map(|f| (f.path.as_str(), f.status)).collect();
    assert_eq!(
        paths,
        [
            ("lwc/c/c.css", FileStatus::Added),
            ("lwc/c/c.js", FileStatus::Changed)
        ]
    );
    assert_eq!(
        diff.change_count(),
        3,
        "one added line, one removed, one added file line"
    );
    assert_eq!(
        summarize("LightningComponentBundle", "c", &diff),
        "c: c.css added; c.js +1 −1 lines"
    );

    let bin = |b: &[u8]| vec![("staticresources/r.resource".to_owned(), b.to_vec())];
    let diff = diff_component(
        "StaticResource",
        &bin(&[0, 159, 146]),
        &bin(&[0, 159, 147]),
        &DiffOptions::default(),
    )
    .unwrap();
    assert_eq!(diff, ComponentDiff::Binary { changed: true });
    assert_eq!(
        summarize("StaticResource", "r", &diff),
        "r: binary content changed"
    );
}

#[test]
fn serde_shapes_are_stable() {
    let diff = ComponentDiff::Xml {
        edits: vec![ElementEdit {
            path: "custom".into(),
            kind: EditKind::Changed,
            before: Some("false".into()),
            after: Some("true".into()),
        }],
        reordered_hidden: 2,
    };
    assert_eq!(
        serde_json::to_string(&diff).unwrap(),
        r#"{"kind":"xml","edits":[{"path":"custom","kind":"changed","before":"false","after":"true"}],"reorderedHidden":2}"#
    );
    let back: ComponentDiff = serde_json::from_str(&serde_json::to_string(&diff).unwrap()).unwrap();
    assert_eq!(back, diff);
}
