//! The org generator: determinism, size accuracy, well-formed XML, referential integrity,
//! generated orgs, and a round trip through orgfleet-metadata's mdapi zip. Drift and the demo
//! story are in `generator_drift.rs`; the helpers both use are in `generator_support`.

mod generator_support;

use std::time::Instant;

use generator_support::*;
use orgsim::generator::xml::El;
use orgsim::generator::{GenSpec, check_integrity, component_count, generate, generate_org};
use orgsim::{ComponentKey, OrgKind};

#[test]
fn same_seed_is_byte_identical_and_seeds_differ() {
    let a = generate(&GenSpec::new(5, 600));
    let b = generate(&GenSpec::new(5, 600));
    assert!(same(&a, &b), "same spec must give identical output");
    let c = generate(&GenSpec::new(6, 600));
    assert!(!same(&a, &c), "different seeds must differ");
    let files_differ = a
        .iter()
        .any(|(k, ca)| c.get(k).is_none_or(|cc| cc.files != ca.files));
    assert!(
        files_differ,
        "different seeds must change file contents, not only metadata"
    );
}

#[test]
fn size_is_accurate_from_tens_to_fifty_thousand() {
    for n in [25, 100, 1_000] {
        let got = component_count(&generate(&GenSpec::new(11, n)));
        let tol = (n / 50).max(2);
        assert!(got.abs_diff(n) <= tol, "asked {n}, got {got}");
    }
    let t = Instant::now();
    let big = generate(&GenSpec::new(11, 50_000));
    let took = t.elapsed();
    println!(
        "generated 50,000 components ({} top-level) in {took:?}",
        big.len()
    );
    let got = component_count(&big);
    assert!(got.abs_diff(50_000) <= 500, "asked 50000, got {got}");
    assert!(took.as_secs_f64() < 10.0, "50k generation took {took:?}");
}

#[test]
fn every_xml_file_is_well_formed_in_the_metadata_namespace() {
    let md = generate(&GenSpec::new(3, 1_500));
    let mut n = 0;
    for c in md.values() {
        for (path, bytes) in &c.files {
            if path.ends_with(".cls") || path.ends_with(".trigger") {
                continue;
            }
            n += 1;
            let mut reader = quick_xml::Reader::from_reader(bytes.as_slice());
            let mut buf = Vec::new();
            loop {
                match reader.read_event_into(&mut buf) {
                    Ok(quick_xml::events::Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => panic!("{path}: {e}"),
                }
                buf.clear();
            }
            let text = std::str::from_utf8(bytes).expect("utf-8");
            assert!(
                text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<"),
                "{path}"
            );
            assert!(
                text.contains(" xmlns=\"http://soap.sforce.com/2006/04/metadata\""),
                "{path}"
            );
            assert!(text.ends_with(">\n"), "{path}");
        }
    }
    assert!(n > 100, "only {n} XML files");
}

#[test]
fn covers_every_common_type_and_field_type() {
    let md = generate(&GenSpec::new(8, 1_200));
    for ty in [
        "CustomObject",
        "Layout",
        "Profile",
        "PermissionSet",
        "ApexClass",
        "ApexTrigger",
        "Flow",
        "CustomLabels",
        "CustomMetadata",
        "StandardValueSet",
    ] {
        assert!(md.keys().any(|k| k.type_name == ty), "no {ty}");
    }
    for obj in [
        "Account",
        "Contact",
        "Opportunity",
        "Case",
        "Integration_Setting__mdt",
    ] {
        assert!(
            md.contains_key(&ComponentKey::new("CustomObject", obj)),
            "no {obj}"
        );
    }
    let mut types = std::collections::BTreeSet::new();
    for (k, c) in md.iter().filter(|(k, _)| k.type_name == "CustomObject") {
        let o = El::parse(c.files.values().next().unwrap()).unwrap();
        for f in o.all("fields") {
            types.insert(f.child_text("type").to_owned());
            if matches!(f.child_text("type"), "Lookup" | "MasterDetail")
                && f.child_text("fullName").ends_with("__c")
            {
                assert!(
                    !f.child_text("referenceTo").is_empty()
                        && !f.child_text("relationshipName").is_empty(),
                    "{}",
                    k.full_name
                );
            }
        }
    }
    for t in [
        "Text",
        "TextArea",
        "LongTextArea",
        "Number",
        "Currency",
        "Percent",
        "Checkbox",
        "Date",
        "DateTime",
        "Email",
        "Phone",
        "Url",
        "Picklist",
        "MultiselectPicklist",
        "Lookup",
        "MasterDetail",
    ] {
        assert!(types.contains(t), "no {t} field in {types:?}");
    }
    // Parent layouts list their children.
    let account_layout = el(&md, "Layout", "Account-Account Layout");
    assert!(account_layout.all("relatedLists").count() >= 3);
    // Business names, not Object1.
    assert!(
        md.keys()
            .filter(|k| k.type_name == "CustomObject")
            .all(|k| !k.full_name.chars().any(|c| c.is_ascii_digit()))
    );
    // Test classes exercise the classes they are named after.
    let tests: Vec<&ComponentKey> = md
        .keys()
        .filter(|k| k.type_name == "ApexClass" && k.full_name.ends_with("ServiceTest"))
        .collect();
    assert!(!tests.is_empty());
    for t in tests {
        let body = String::from_utf8_lossy(file(&md, "ApexClass", &t.full_name)).into_owned();
        let service = t.full_name.trim_end_matches("Test");
        assert!(body.starts_with("@isTest"), "{}", t.full_name);
        assert!(
            body.contains(&format!("{service}.")),
            "{} does not call {service}",
            t.full_name
        );
        assert!(md.contains_key(&ComponentKey::new("ApexClass", service)));
    }
}

#[test]
fn references_are_consistent_and_the_checker_catches_breaks() {
    for (seed, n) in [(4, 1), (5, 12), (6, 40), (1, 60), (2, 300), (3, 2_000)] {
        let md = generate(&GenSpec::new(seed, n));
        let problems = check_integrity(&md);
        assert!(problems.is_empty(), "seed {seed} size {n}: {problems:#?}");
    }
    // Drop a field that a layout, FLS and formula use, behind the generator's back.
    let mut md = generate(&GenSpec::new(2, 300));
    let key = ComponentKey::new("CustomObject", "Account");
    let c = md.get_mut(&key).unwrap();
    let path = c.files.keys().next().unwrap().clone();
    let mut o = El::parse(&c.files[&path]).unwrap();
    o.children
        .retain(|f| f.child_text("fullName") != "Annual_Contract_Value__c");
    c.files.insert(path, o.to_bytes());
    let problems = check_integrity(&md);
    assert!(
        problems
            .iter()
            .any(|p| p.contains("Layout") && p.contains("Annual_Contract_Value__c")),
        "{problems:#?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("Profile Admin") && p.contains("Annual_Contract_Value__c"))
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("uses unknown Annual_Contract_Value__c")),
        "Apex reference not caught"
    );
}

#[test]
fn generate_org_has_users_ids_and_records() {
    let spec = GenSpec::new(9, 300);
    let org = generate_org("qa", "Acme QA", OrgKind::Sandbox, &spec);
    assert_eq!(org.id.len(), 18);
    assert!(org.id.starts_with("00D"));
    assert_eq!(
        org.id,
        generate_org("qa", "Acme QA", OrgKind::Sandbox, &spec).id
    );
    assert_ne!(
        org.id,
        generate_org("qa2", "Acme QA", OrgKind::Sandbox, &spec).id
    );
    assert!(org.instance_name.starts_with("CS"));
    let admin = org
        .user_by_username("admin@qa.orgsim.test")
        .expect("admin user");
    assert_eq!(admin.password, orgsim::generator::DEMO_PASSWORD);
    assert_eq!(admin.profile_name, "System Administrator");
    assert!(org.users.iter().any(|u| u.name == "Jo Martin"));
    for c in org.metadata.values() {
        assert_eq!(c.id.len(), 18);
        assert!(
            org.user_by_id(&c.created_by_id).is_some()
                && org.user_by_id(&c.last_modified_by_id).is_some()
        );
        assert!(c.last_modified_date >= c.created_date && c.created_date.ends_with(".000Z"));
    }
    let accounts = &org.records["Account"];
    assert!(accounts.len() >= 3);
    let custom: Vec<&String> = org.records.keys().filter(|k| k.ends_with("__c")).collect();
    assert_eq!(custom.len(), 1, "one custom object has rows");
    let prefix = orgsim::sobjects::describe::key_prefix(custom[0]);
    for r in org.records[custom[0]].values() {
        assert!(r.id.starts_with(&prefix), "{} should use {prefix}", r.id);
        assert_eq!(r.fields["Id"], serde_json::json!(r.id));
        assert_eq!(r.fields["IsDeleted"], serde_json::json!(false));
        let acc = r.fields["Account__c"].as_str().unwrap();
        assert!(accounts.contains_key(acc), "lookup to a real Account");
        let status = r.fields["Status__c"].as_str().unwrap().to_owned();
        assert!(picklist_values(&org.metadata, custom[0], "Status__c").contains(&status));
    }
}

#[test]
fn generated_org_round_trips_through_an_mdapi_zip() {
    use orgfleet_metadata::mdapi::Package;
    let md = generate(&GenSpec::new(12, 800));
    let mut pkg = Package::new();
    for c in md.values() {
        for (p, b) in &c.files {
            pkg.insert_file(p.clone(), b.clone());
        }
    }
    assert!(
        pkg.unclassified.is_empty(),
        "unclassified: {:?}",
        pkg.unclassified.keys().collect::<Vec<_>>()
    );
    let zip = pkg.to_zip().expect("zip");
    let back = Package::from_zip(&zip).expect("read back");
    assert_eq!(back.components.len(), md.len());
    let mut children = 0;
    for (k, c) in &md {
        let id =
            orgfleet_metadata::mdapi::ComponentId::new(k.type_name.clone(), k.full_name.clone());
        assert_eq!(back.components.get(&id), Some(&c.files), "{k:?}");
        for (_, bytes) in c.files.iter().filter(|(p, _)| !p.ends_with("-meta.xml")) {
            children +=
                orgfleet_metadata::children::list_children(&k.type_name, &k.full_name, bytes)
                    .map(|v| v.len())
                    .unwrap_or(0);
        }
    }
    // The crate's child listing agrees with the generator's notion of size.
    assert_eq!(md.len() + children, component_count(&md));
}
