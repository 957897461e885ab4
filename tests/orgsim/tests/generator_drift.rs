//! How generated orgs change after generation: drift (exact add/remove/change counts with
//! integrity kept), production edits attributed to a named user, and the demo orgs' documented
//! story. Split from `generator.rs` (generating an org), whose helpers it shares via
//! `generator_support`.

mod generator_support;

use generator_support::*;
use orgsim::generator::{
    DEMO_PROD_EDIT_AT, DEMO_RELEASE_AT, DriftOp, DriftSpec, GenSpec, apply_drift, check_integrity,
    component_count, demo_orgs, generate_org, production_edit,
};
use orgsim::{ComponentKey, Org, OrgKind};

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
