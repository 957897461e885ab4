//! The org generator: determinism, size accuracy, well-formed XML, referential integrity,
//! drift semantics, the demo story, and a round trip through orgfleet-metadata's mdapi zip.

use std::collections::BTreeMap;
use std::time::Instant;

use orgsim::generator::xml::El;
use orgsim::generator::{
    DEMO_PROD_EDIT_AT, DEMO_RELEASE_AT, DriftOp, DriftSpec, GenSpec, apply_drift, check_integrity,
    component_count, demo_orgs, generate, generate_org, production_edit,
};
use orgsim::{Component, ComponentKey, Org, OrgKind};

type Md = BTreeMap<ComponentKey, Component>;

fn same(a: &Md, b: &Md) -> bool {
    a.len() == b.len()
        && a.iter().zip(b.iter()).all(|((ka, ca), (kb, cb))| {
            ka == kb
                && ca.files == cb.files
                && ca.id == cb.id
                && ca.created_date == cb.created_date
                && ca.last_modified_date == cb.last_modified_date
                && ca.created_by_id == cb.created_by_id
                && ca.last_modified_by_name == cb.last_modified_by_name
        })
}

fn file<'a>(md: &'a Md, ty: &str, name: &str) -> &'a [u8] {
    let c = md
        .get(&ComponentKey::new(ty, name))
        .unwrap_or_else(|| panic!("{ty} {name} missing"));
    c.files
        .iter()
        .find(|(p, _)| !p.ends_with("-meta.xml"))
        .map(|(_, b)| b.as_slice())
        .expect("main file")
}

fn el(md: &Md, ty: &str, name: &str) -> El {
    El::parse(file(md, ty, name)).expect("parses")
}

fn field_names(md: &Md, obj: &str) -> Vec<String> {
    el(md, "CustomObject", obj)
        .all("fields")
        .map(|f| f.child_text("fullName").to_owned())
        .collect()
}

fn picklist_values(md: &Md, obj: &str, field: &str) -> Vec<String> {
    let o = el(md, "CustomObject", obj);
    let f = o
        .all("fields")
        .find(|f| f.child_text("fullName") == field)
        .expect("field");
    f.child("valueSet")
        .and_then(|v| v.child("valueSetDefinition"))
        .expect("values")
        .all("value")
        .map(|v| v.child_text("fullName").to_owned())
        .collect()
}

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
fn drift_applies_exact_counts_and_keeps_integrity() {
    let spec = GenSpec::new(21, 1_000);
    let org = generate_org("d", "Drift", OrgKind::Production, &spec);
    let by = org.users[1].clone();
    let drift = DriftSpec {
        seed: 4,
        add: 12,
        remove: 6,
        change: 9,
    };
    let mut md = org.metadata.clone();
    let edits = apply_drift(&mut md, &drift, &by, "2026-11-20T10:00:00.000Z");
    let count = |op| edits.iter().filter(|e| e.op == op).count();
    assert_eq!(
        (
            count(DriftOp::Add),
            count(DriftOp::Remove),
            count(DriftOp::Change)
        ),
        (12, 6, 9),
        "{edits:#?}"
    );
    assert_eq!(
        component_count(&md),
        component_count(&org.metadata) + 12 - 6
    );
    let problems = check_integrity(&md);
    assert!(problems.is_empty(), "{problems:#?}");
    for e in &edits {
        if e.op == DriftOp::Remove && e.type_name == "ApexClass" {
            assert!(!md.contains_key(&e.component));
            continue;
        }
        let c = md.get(&e.component).unwrap_or_else(|| panic!("{e:?}"));
        assert_eq!(c.last_modified_by_name, by.name, "{e:?}");
        assert_eq!(c.last_modified_date, "2026-11-20T10:00:00.000Z");
        if e.type_name == "CustomField" && e.op != DriftOp::Change {
            let (obj, f) = e.full_name.split_once('.').unwrap();
            assert_eq!(
                field_names(&md, obj).iter().any(|x| x == f),
                e.op == DriftOp::Add,
                "{e:?}"
            );
        }
    }
    // Removed fields are gone from every profile and layout too.
    for e in edits
        .iter()
        .filter(|e| e.op == DriftOp::Remove && e.type_name == "CustomField")
    {
        let f = e.full_name.split_once('.').unwrap().1;
        let admin = String::from_utf8_lossy(file(&md, "Profile", "Admin")).into_owned();
        assert!(
            !admin.contains(&format!("<field>{}</field>", e.full_name)),
            "{e:?}"
        );
        for (k, c) in md.iter().filter(|(k, _)| {
            k.type_name == "Layout"
                && k.full_name
                    .starts_with(&format!("{}-", e.component.full_name))
        }) {
            assert!(
                !String::from_utf8_lossy(c.files.values().next().unwrap())
                    .contains(&format!("<field>{f}</field>")),
                "{}",
                k.full_name
            );
        }
    }
    // Heavy removal keeps every reference (layouts, related lists, FLS, record types) intact.
    let before = component_count(&md);
    let heavy = DriftSpec {
        seed: 9,
        add: 0,
        remove: 40,
        change: 0,
    };
    let removed = apply_drift(&mut md.clone(), &heavy, &by, "2026-11-21T10:00:00.000Z");
    let mut md2 = md.clone();
    assert_eq!(
        apply_drift(&mut md2, &heavy, &by, "2026-11-21T10:00:00.000Z"),
        removed
    );
    assert_eq!(removed.len(), 40);
    assert_eq!(component_count(&md2), before - 40);
    let problems = check_integrity(&md2);
    assert!(problems.is_empty(), "{problems:#?}");
    // Deterministic.
    let mut again = org.metadata.clone();
    assert_eq!(
        apply_drift(&mut again, &drift, &by, "2026-11-20T10:00:00.000Z"),
        edits
    );
    assert!(same(&md, &again));
}

#[test]
fn production_edit_is_attributed_to_the_named_user() {
    let mut org = generate_org("p", "Prod", OrgKind::Production, &GenSpec::new(30, 400));
    let before = org.metadata.clone();
    let e = production_edit(&mut org, "Jo Martin", "2026-11-03T09:42:00.000Z", 1).expect("edit");
    assert_eq!(e.op, DriftOp::Change);
    let c = &org.metadata[&e.component];
    assert_eq!(c.last_modified_by_name, "Jo Martin");
    assert_eq!(c.last_modified_date, "2026-11-03T09:42:00.000Z");
    assert_ne!(c.files, before[&e.component].files);
    assert!(production_edit(&mut org, "Nobody Here", "2026-11-03T09:42:00.000Z", 1).is_err());
    for seed in 2..12 {
        let e = production_edit(
            &mut org,
            "jo.martin@p.orgsim.test",
            "2026-11-04T10:00:00.000Z",
            seed,
        )
        .expect("edit");
        assert_ne!(
            e.type_name, "ApexClass",
            "Apex cannot be edited in production"
        );
    }
    assert!(check_integrity(&org.metadata).is_empty());
}

fn by_alias<'a>(orgs: &'a [Org], alias: &str) -> &'a Org {
    orgs.iter()
        .find(|o| o.alias == alias)
        .unwrap_or_else(|| panic!("no {alias}"))
}

fn fls_editable(md: &Md, profile: &str, field: &str) -> Option<bool> {
    el(md, "Profile", profile)
        .all("fieldPermissions")
        .find(|f| f.child_text("field") == field)
        .map(|f| f.child_text("editable") == "true")
}

#[test]
fn demo_orgs_tell_the_documented_story() {
    let orgs = demo_orgs();
    assert_eq!(orgs.len(), 3);
    let (prod, uat, dev) = (
        by_alias(&orgs, "prod"),
        by_alias(&orgs, "uat"),
        by_alias(&orgs, "dev"),
    );
    assert_eq!(
        (prod.name.as_str(), prod.kind),
        ("Acme Production", OrgKind::Production)
    );
    assert_eq!(
        (uat.name.as_str(), uat.kind),
        ("Acme UAT", OrgKind::Sandbox)
    );
    assert_eq!(
        (dev.name.as_str(), dev.kind),
        ("Acme Dev", OrgKind::Sandbox)
    );
    assert!(prod.id != uat.id && uat.id != dev.id);
    for o in &orgs {
        assert!(
            check_integrity(&o.metadata).is_empty(),
            "{}: {:#?}",
            o.alias,
            check_integrity(&o.metadata)
        );
        assert!(
            o.user_by_username(&format!("admin@{}.orgsim.test", o.alias))
                .is_some()
        );
        assert!(!o.records["Account"].is_empty());
        let n = component_count(&o.metadata);
        assert!((380..=440).contains(&n), "{}: {n}", o.alias);
    }
    // Jo Martin's direct production edit.
    assert!(
        picklist_values(&prod.metadata, "Account", "Customer_Tier__c")
            .contains(&"Strategic".to_owned())
    );
    for o in [uat, dev] {
        assert!(
            !picklist_values(&o.metadata, "Account", "Customer_Tier__c")
                .contains(&"Strategic".to_owned())
        );
    }
    let acct = &prod.metadata[&ComponentKey::new("CustomObject", "Account")];
    assert_eq!(
        (
            acct.last_modified_by_name.as_str(),
            acct.last_modified_date.as_str()
        ),
        ("Jo Martin", DEMO_PROD_EDIT_AT)
    );
    // The release is in UAT and Dev, not production.
    let industry = |o: &Org| -> Vec<String> {
        el(&o.metadata, "StandardValueSet", "Industry")
            .all("standardValue")
            .map(|v| v.child_text("fullName").to_owned())
            .collect()
    };
    for o in [uat, dev] {
        assert!(
            industry(o).contains(&"Drones".to_owned())
                && industry(o).contains(&"Robotics".to_owned())
        );
        assert!(field_names(&o.metadata, "Account").contains(&"Fleet_Size__c".to_owned()));
        assert!(
            field_names(&o.metadata, "Opportunity").contains(&"Robotics_Use_Case__c".to_owned())
        );
        assert!(
            o.metadata
                .contains_key(&ComponentKey::new("ApexClass", "IndustryClassifier"))
        );
        assert!(
            o.metadata
                .contains_key(&ComponentKey::new("ApexClass", "IndustryClassifierTest"))
        );
        assert_eq!(
            fls_editable(&o.metadata, "Standard", "Account.Annual_Contract_Value__c"),
            Some(false)
        );
    }
    assert!(!industry(prod).contains(&"Drones".to_owned()));
    assert!(!field_names(&prod.metadata, "Account").contains(&"Fleet_Size__c".to_owned()));
    assert!(
        !prod
            .metadata
            .contains_key(&ComponentKey::new("ApexClass", "IndustryClassifier"))
    );
    assert_eq!(
        fls_editable(
            &prod.metadata,
            "Standard",
            "Account.Annual_Contract_Value__c"
        ),
        Some(true)
    );
    let layout = ComponentKey::new("Layout", "Account-Account Layout");
    assert_ne!(prod.metadata[&layout].files, uat.metadata[&layout].files);
    assert_eq!(uat.metadata[&layout].last_modified_date, DEMO_RELEASE_AT);
    assert_eq!(uat.metadata[&layout].last_modified_by_name, "Priya Shah");
    // Dev = UAT + work in progress.
    assert!(field_names(&dev.metadata, "Account").contains(&"Drone_Certification__c".to_owned()));
    assert!(!field_names(&uat.metadata, "Account").contains(&"Drone_Certification__c".to_owned()));
    assert_eq!(
        component_count(&dev.metadata),
        component_count(&uat.metadata) + 1 + 4 - 1
    );
    // The story lists exactly these edits, and they are what Dev has on top of UAT.
    let (_, story) = orgsim::generator::demo_orgs_with_story();
    assert_eq!(
        (story.prod.len(), story.release.len(), story.wip.len()),
        (1, 7, 9)
    );
    assert!(story.prod[0].full_name == "Account.Customer_Tier__c");
    for e in &story.wip {
        match (e.op, e.type_name.as_str()) {
            (DriftOp::Add, "CustomField") => {
                let (obj, f) = e.full_name.split_once('.').unwrap();
                assert!(
                    field_names(&dev.metadata, obj).iter().any(|x| x == f),
                    "{e:?}"
                );
                assert!(
                    !field_names(&uat.metadata, obj).iter().any(|x| x == f),
                    "{e:?}"
                );
            }
            (DriftOp::Remove, _) | (DriftOp::Change, _) => {
                assert_ne!(
                    dev.metadata.get(&e.component).map(|c| &c.files),
                    uat.metadata.get(&e.component).map(|c| &c.files),
                    "{e:?}"
                );
            }
            _ => assert!(dev.metadata.contains_key(&e.component), "{e:?}"),
        }
    }
    // Deterministic.
    let again = demo_orgs();
    for (a, b) in orgs.iter().zip(again.iter()) {
        assert!(same(&a.metadata, &b.metadata), "{}", a.alias);
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
