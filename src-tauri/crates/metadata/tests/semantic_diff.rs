//! Semantic diff of single components against real metadata: shuffled DAHLIA profiles
//! compare equal, one flipped permission is one readable edit, picklist order is shown, and
//! the dreamhouse drift pair gives exactly the expected layout, permission-set and class edits.

use orgfleet_metadata::diff::{
    ComponentDiff, DiffOptions, EditKind, ElementEdit, FileBody, FileStatus, diff_component,
    summarize,
};
use orgfleet_metadata::registry;
use orgfleet_metadata::source::read_project;
use orgfleet_metadata::xml::{Element, Node};
use orgfleet_metadata::{ComponentId, Package};
use orgfleet_testkit::shared_dir;

fn file(path: &str, content: impl Into<Vec<u8>>) -> Vec<(String, Vec<u8>)> {
    vec![(path.to_owned(), content.into())]
}

fn edits_of(diff: &ComponentDiff) -> Vec<String> {
    diff.edits().iter().map(|e| e.to_string()).collect()
}

/// FNV-1a: a fixed, dependency-free hash so the shuffle is the same on every run.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Deterministically shuffles the entries of every unordered top-level collection of
/// `type_name` among all their slots (so collections also interleave differently).
fn shuffle(type_name: &str, root: &Element) -> Element {
    let ty = registry::by_name(type_name).unwrap();
    let keyed: Vec<&str> = ty
        .collections
        .iter()
        .filter(|c| !c.ordered && !c.path.contains('/'))
        .map(|c| c.path)
        .collect();
    let mut out = root.clone();
    let slots: Vec<usize> = out
        .children
        .iter()
        .enumerate()
        .filter(|(_, n)| matches!(n, Node::Element(e) if keyed.contains(&e.name.as_str())))
        .map(|(i, _)| i)
        .collect();
    let mut items: Vec<Node> = slots.iter().map(|&i| out.children[i].clone()).collect();
    items.sort_by_cached_key(|n| match n {
        Node::Element(e) => fnv(&e.canonical()),
        Node::Text(t) => fnv(t),
    });
    for (slot, item) in slots.into_iter().zip(items) {
        out.children[slot] = item;
    }
    out
}

fn compact(root: &Element) -> Vec<u8> {
    let mut s = String::new();
    root.write_compact(&mut s);
    s.into_bytes()
}

#[test]
fn shuffled_dahlia_profiles_compare_equal() {
    let Some(shared) = shared_dir() else { return };
    let dir = shared.join("fixtures/mdapi/sf-dahlia-salesforce-6a8c41e/src/profiles");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let bytes = std::fs::read(&path).unwrap();
        let root = Element::parse_bytes(&bytes, "profile").unwrap();
        let shuffled = shuffle("Profile", &root);
        assert_ne!(
            shuffled.canonical(),
            root.canonical(),
            "{path:?} did not shuffle"
        );
        // Different order and different whitespace (compact, no declaration).
        let (before, after) = (
            file("profiles/P.profile", bytes),
            file("profiles/P.profile", compact(&shuffled)),
        );
        let diff = diff_component("Profile", &before, &after, &DiffOptions::default()).unwrap();
        assert!(diff.is_empty(), "{path:?}: {:?}", edits_of(&diff));
        assert!(diff.reordered_hidden() > 0, "{path:?}: reorder not counted");
        assert_eq!(
            summarize("Profile", "P", &diff),
            format!(
                "P: no changes ({} reorderings hidden)",
                diff.reordered_hidden()
            )
        );
        let shown = DiffOptions {
            show_reordered: true,
        };
        let diff = diff_component("Profile", &before, &after, &shown).unwrap();
        assert!(
            diff.edits().iter().all(|e| e.kind == EditKind::Reordered) && !diff.is_empty(),
            "{path:?}: {:?}",
            edits_of(&diff)
        );
        seen += 1;
    }
    assert_eq!(seen, 9, "expected the 9 DAHLIA profiles");
}

#[test]
fn one_flipped_field_permission_is_one_readable_edit() {
    let Some(shared) = shared_dir() else { return };
    let path =
        shared.join("fixtures/mdapi/sf-dahlia-salesforce-6a8c41e/src/profiles/Admin.profile");
    let bytes = std::fs::read(path).unwrap();
    let root = Element::parse_bytes(&bytes, "Admin").unwrap();
    let mut changed = shuffle("Profile", &root);
    let mut flipped = None;
    for node in changed.children.iter_mut() {
        let Node::Element(fp) = node else { continue };
        if fp.name != "fieldPermissions" || fp.child_text("editable").as_deref() != Some("true") {
            continue;
        }
        flipped = fp.child_text("field");
        for c in fp.children.iter_mut() {
            if let Node::Element(e) = c
                && e.name == "editable"
            {
                *e = Element::with_text("editable", "false");
            }
        }
        break;
    }
    let field = flipped.expect("an editable field permission in Admin.profile");
    let diff = diff_component(
        "Profile",
        &file("profiles/Admin.profile", bytes),
        &file("profiles/Admin.profile", changed.to_document()),
        &DiffOptions::default(),
    )
    .unwrap();
    let expected = ElementEdit {
        path: format!("fieldPermissions[{field}].editable"),
        kind: EditKind::Changed,
        before: Some("true".into()),
        after: Some("false".into()),
    };
    assert_eq!(diff.edits(), vec![&expected]);
    assert_eq!(
        expected.to_string(),
        format!("fieldPermissions[{field}].editable: true → false")
    );
}

fn object_with_values(values: &[&str], field_order: &[&str]) -> String {
    let vals: String = values
        .iter()
        .map(|v| {
            format!(
                "<value><fullName>{v}</fullName><default>false</default><label>{v}</label></value>"
            )
        })
        .collect();
    let fields: String = field_order
        .iter()
        .map(|f| match *f {
            "Industry" => format!(
                "<fields><fullName>Industry</fullName><type>Picklist</type><valueSet>\
                 <valueSetDefinition><sorted>false</sorted>{vals}</valueSetDefinition></valueSet></fields>"
            ),
            other => format!("<fields><fullName>{other}</fullName><type>Text</type></fields>"),
        })
        .collect();
    format!(
        "<?xml version=\"1.0\"?>\n<CustomObject xmlns=\"http://soap.sforce.com/2006/04/metadata\">{fields}<label>Account</label></CustomObject>"
    )
}

#[test]
fn picklist_values_added_and_reordered_are_shown() {
    let before = object_with_values(
        &["Agriculture", "Banking", "Chemicals"],
        &["Name__c", "Industry"],
    );
    let after = object_with_values(
        &["Banking", "Agriculture", "Chemicals", "Drones", "Robotics"],
        &["Industry", "Name__c"],
    );
    let diff = diff_component(
        "CustomObject",
        &file("objects/Account.object", before),
        &file("objects/Account.object", after),
        &DiffOptions::default(),
    )
    .unwrap();
    let values = "fields[Industry].valueSet.valueSetDefinition.value";
    assert_eq!(
        edits_of(&diff),
        [
            format!("{values}[Drones]: added"),
            format!("{values}[Robotics]: added"),
            format!("{values}: reordered"),
        ]
    );
    let reorder = diff.edits()[2];
    assert_eq!(
        reorder.before.as_deref(),
        Some("Agriculture, Banking, Chemicals")
    );
    assert_eq!(
        reorder.after.as_deref(),
        Some("Banking, Agriculture, Chemicals")
    );
    // The fields swapped too, but fields are a keyed set: hidden, only counted.
    assert_eq!(diff.reordered_hidden(), 1);
    assert_eq!(
        summarize("CustomObject", "Account", &diff),
        "Account: values 'Drones', 'Robotics' added in fields[Industry].valueSet.valueSetDefinition; \
         fields[Industry].valueSet.valueSetDefinition.value reordered (1 reorderings hidden)"
    );

    // The same field as a standalone CustomField (source format) uses the same rules.
    let field = |values: &[&str]| {
        let doc = object_with_values(values, &["Industry"]);
        let root = Element::parse_str(&doc, "t").unwrap();
        let mut f = root.child("fields").unwrap().clone();
        f.name = "CustomField".into();
        f.to_document()
    };
    let diff = diff_component(
        "CustomField",
        &file(
            "objects/Account/fields/Industry.field-meta.xml",
            field(&["A", "B"]),
        ),
        &file(
            "objects/Account/fields/Industry.field-meta.xml",
            field(&["A", "B", "Drones", "Robotics"]),
        ),
        &DiffOptions::default(),
    )
    .unwrap();
    assert_eq!(
        summarize("CustomField", "Account.Industry", &diff),
        "Account.Industry: values 'Drones', 'Robotics' added"
    );
}

fn component(pkg: &Package, type_name: &str, full_name: &str) -> Vec<(String, Vec<u8>)> {
    pkg.components
        .get(&ComponentId::new(type_name, full_name))
        .unwrap_or_else(|| panic!("{type_name} {full_name} missing"))
        .iter()
        .map(|(p, b)| (p.clone(), b.clone()))
        .collect()
}

#[test]
fn dreamhouse_drift_pair_gives_the_expected_edits() {
    let Some(shared) = shared_dir() else { return };
    let old = read_project(&shared.join("fixtures/drift/dreamhouse-lwc-76acf69")).unwrap();
    let new = read_project(&shared.join("fixtures/drift/dreamhouse-lwc-5e0fbd6")).unwrap();
    let opts = DiffOptions::default();
    let diff_of = |ty: &str, name: &str| {
        diff_component(
            ty,
            &component(&old, ty, name),
            &component(&new, ty, name),
            &opts,
        )
        .unwrap()
    };

    let layout = diff_of("Layout", "Property__c-Property Layout");
    assert_eq!(
        edits_of(&layout),
        ["layoutSections[Description].layoutColumns[#1].layoutItems[Title__c]: removed"]
    );

    let perms = diff_of("PermissionSet", "dreamhouse");
    assert_eq!(
        edits_of(&perms),
        [
            "fieldPermissions[Property__c.Name]: added",
            "fieldPermissions[Property__c.Title__c]: removed"
        ]
    );
    assert_eq!(
        summarize("PermissionSet", "dreamhouse", &perms),
        "dreamhouse: fieldPermissions 'Property__c.Name' added; fieldPermissions 'Property__c.Title__c' removed"
    );

    let ComponentDiff::Code { files } = diff_of("ApexClass", "PropertyController") else {
        panic!("PropertyController should be a code diff");
    };
    let cls = files
        .iter()
        .find(|f| f.path == "classes/PropertyController.cls")
        .unwrap();
    let FileBody::Lines { hunks } = &cls.body else {
        panic!("{cls:?}")
    };
    assert_eq!(cls.status, FileStatus::Changed);
    assert!(!hunks.is_empty());
    assert!(
        hunks
            .iter()
            .flat_map(|h| &h.lines)
            .any(|l| l.starts_with('+'))
    );
    assert!(
        hunks
            .iter()
            .all(|h| h.lines.iter().all(|l| l.starts_with([' ', '+', '-'])))
    );

    // Classes whose code is unchanged: the meta file's apiVersion is the one edit.
    let mut meta_only = 0;
    for (id, files) in &old.components {
        let Some(new_files) = new.components.get(id) else {
            continue;
        };
        if id.type_name != "ApexClass" || files == new_files {
            continue;
        }
        let code = |f: &orgfleet_metadata::mdapi::Files| {
            f.iter()
                .find(|(p, _)| p.ends_with(".cls"))
                .map(|(_, b)| b.clone())
        };
        if code(files) != code(new_files) {
            continue;
        }
        let diff = diff_of("ApexClass", &id.full_name);
        let edits = diff.edits();
        assert_eq!(edits.len(), 1, "{}: {:?}", id.full_name, edits_of(&diff));
        assert_eq!(edits[0].path, "apiVersion");
        assert_eq!(edits[0].after.as_deref(), Some("53.0"));
        meta_only += 1;
    }
    assert!(
        meta_only >= 3,
        "PagedResult, SampleDataController, TestSampleDataController"
    );
    assert_eq!(
        edits_of(&diff_of("ApexClass", "PagedResult")),
        ["apiVersion: 50.0 → 53.0"]
    );

    // Every component on both sides diffs without error, and identical ones are empty.
    for (id, files) in &old.components {
        let Some(new_files) = new.components.get(id) else {
            continue;
        };
        let diff = diff_of(&id.type_name, &id.full_name);
        if files == new_files {
            assert!(diff.is_empty(), "{id:?}");
        }
        assert!(summarize(&id.type_name, &id.full_name, &diff).starts_with(&id.full_name));
    }
}
