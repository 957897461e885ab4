//! The three demo orgs and their story. The demo and e2e tests assert on exactly this:
//!
//! All three start from one base: `GenSpec { seed: 2026, components: 400 }` (see
//! [`DEMO_SPEC_SEED`], [`DEMO_SPEC_COMPONENTS`]), i.e. the Acme org as it was when the sandboxes
//! were refreshed.
//!
//! * **Acme Production** (`prod`, Production) = base + one direct edit by **Jo Martin** on
//!   3 Nov 2026 ([`DEMO_PROD_EDIT_AT`]): picklist value `Strategic` added to
//!   `Account.Customer_Tier__c`. That value exists in no sandbox.
//! * **Acme UAT** (`uat`, Sandbox) = base + the upcoming release, deployed by **Priya Shah** on
//!   10 Nov 2026 ([`DEMO_RELEASE_AT`]):
//!   - Industry picklist (StandardValueSet `Industry`, i.e. `Account.Industry`) gains `Drones`
//!     and `Robotics`;
//!   - new field `Account.Fleet_Size__c` (Number), added to `Account-Account Layout` and to the
//!     Admin profile's FLS;
//!   - new field `Opportunity.Robotics_Use_Case__c` (Picklist: Inspection, Delivery, Mapping,
//!     Security), Admin FLS;
//!   - new Apex classes `IndustryClassifier` and `IndustryClassifierTest`;
//!   - `Account-Account Layout` changed: the new field, and its first two sections swapped;
//!   - FLS change: the Standard profile can no longer edit `Account.Annual_Contract_Value__c`
//!     (editable=false, readable=true).
//! * **Acme Dev** (`dev`, Sandbox) = UAT + work in progress by **Priya Shah** on 18 Nov 2026
//!   ([`DEMO_WIP_AT`]): new field `Account.Drone_Certification__c` (Checkbox) plus a seeded
//!   drift [`DEMO_WIP_DRIFT`] (4 additions, 1 removal, 3 changes).
//!
//! [`demo_orgs_with_story`] also returns every one of these edits as [`DriftEdit`]s
//! ([`DemoStory`]): 1 in production, 7 in the release, 9 in Dev's work in progress.

use super::drift::{DriftEdit, DriftOp, DriftSpec, apply_drift, field_el};
use super::edits::{Editor, Metadata, key};
use super::plan::{Field, Kind};
use super::{GenSpec, generate_org};
use crate::model::{ComponentKey, Org, OrgKind, User};

pub const DEMO_SPEC_SEED: u64 = 2026;
pub const DEMO_SPEC_COMPONENTS: usize = 400;
pub const DEMO_PROD_EDIT_AT: &str = "2026-11-03T09:42:00.000Z";
pub const DEMO_RELEASE_AT: &str = "2026-11-10T14:05:00.000Z";
pub const DEMO_WIP_AT: &str = "2026-11-18T16:20:00.000Z";
pub const DEMO_WIP_DRIFT: DriftSpec = DriftSpec {
    seed: 11,
    add: 4,
    remove: 1,
    change: 3,
};

fn user<'a>(org: &'a Org, name: &str) -> &'a User {
    org.users
        .iter()
        .find(|u| u.name == name)
        .unwrap_or(&org.users[0])
}

/// What was done to each demo org on top of the shared base, for assertions: `prod` holds Jo
/// Martin's direct edit, `release` the UAT release (also in Dev), `wip` Dev's work in progress.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoStory {
    pub prod: Vec<DriftEdit>,
    pub release: Vec<DriftEdit>,
    pub wip: Vec<DriftEdit>,
}

/// Builds prod, uat and dev as documented in this module.
pub fn demo_orgs() -> Vec<Org> {
    demo_orgs_with_story().0
}

/// [`demo_orgs`] plus the list of edits that tell them apart.
pub fn demo_orgs_with_story() -> (Vec<Org>, DemoStory) {
    let spec = GenSpec::new(DEMO_SPEC_SEED, DEMO_SPEC_COMPONENTS);
    let mut prod = generate_org("prod", "Acme Production", OrgKind::Production, &spec);
    let mut uat = generate_org("uat", "Acme UAT", OrgKind::Sandbox, &spec);
    let mut dev = generate_org("dev", "Acme Dev", OrgKind::Sandbox, &spec);

    let jo = user(&prod, "Jo Martin").clone();
    let mut ed = Editor::new(&mut prod.metadata, &jo, DEMO_PROD_EDIT_AT);
    ed.add_picklist_values("Account", "Customer_Tier__c", &["Strategic"]);
    drop(ed);
    let prod_edits = vec![change(
        "CustomField",
        "Account.Customer_Tier__c",
        obj("Account"),
        "added picklist value 'Strategic'",
    )];

    let priya = user(&uat, "Priya Shah").clone();
    let release_edits = release(&mut uat.metadata, &priya);

    dev.metadata = uat.metadata.clone();
    let priya = user(&dev, "Priya Shah").clone();
    let mut ed = Editor::new(&mut dev.metadata, &priya, DEMO_WIP_AT);
    let f = Field {
        api: "Drone_Certification__c".into(),
        label: "Drone Certification".into(),
        kind: Kind::Checkbox,
    };
    ed.add_field("Account", field_el(&f));
    drop(ed);
    let mut wip = vec![DriftEdit::new(
        DriftOp::Add,
        "CustomField",
        "Account.Drone_Certification__c".into(),
        obj("Account"),
        "new field Drone Certification".into(),
    )];
    wip.extend(apply_drift(
        &mut dev.metadata,
        &DEMO_WIP_DRIFT,
        &priya,
        DEMO_WIP_AT,
    ));
    let story = DemoStory {
        prod: prod_edits,
        release: release_edits,
        wip,
    };
    (vec![prod, uat, dev], story)
}

fn obj(name: &str) -> ComponentKey {
    key("CustomObject", name)
}

fn change(ty: &str, full: &str, component: ComponentKey, detail: &str) -> DriftEdit {
    DriftEdit::new(DriftOp::Change, ty, full.into(), component, detail.into())
}

fn add(ty: &str, full: &str, component: ComponentKey, detail: &str) -> DriftEdit {
    DriftEdit::new(DriftOp::Add, ty, full.into(), component, detail.into())
}

fn release(md: &mut Metadata, by: &User) -> Vec<DriftEdit> {
    let mut ed = Editor::new(md, by, DEMO_RELEASE_AT);
    ed.add_picklist_values("Account", "Industry", &["Drones", "Robotics"]);
    let fleet = Field {
        api: "Fleet_Size__c".into(),
        label: "Fleet Size".into(),
        kind: Kind::Number(6, 0),
    };
    ed.add_field("Account", field_el(&fleet));
    let use_case = Field {
        api: "Robotics_Use_Case__c".into(),
        label: "Robotics Use Case".into(),
        kind: Kind::Picklist(
            ["Inspection", "Delivery", "Mapping", "Security"]
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
        ),
    };
    ed.add_field("Opportunity", field_el(&use_case));
    ed.add_class("IndustryClassifier", INDUSTRY_CLASSIFIER.to_owned());
    ed.add_class(
        "IndustryClassifierTest",
        INDUSTRY_CLASSIFIER_TEST.to_owned(),
    );
    ed.reorder_layout(&key("Layout", "Account-Account Layout"));
    ed.set_field_permission(
        &key("Profile", "Standard"),
        "Account.Annual_Contract_Value__c",
        false,
        true,
    );
    let layout = key("Layout", "Account-Account Layout");
    vec![
        change(
            "StandardValueSet",
            "Industry",
            key("StandardValueSet", "Industry"),
            "added values 'Drones', 'Robotics'",
        ),
        add(
            "CustomField",
            "Account.Fleet_Size__c",
            obj("Account"),
            "new field Fleet Size",
        ),
        add(
            "CustomField",
            "Opportunity.Robotics_Use_Case__c",
            obj("Opportunity"),
            "new field Robotics Use Case",
        ),
        add(
            "ApexClass",
            "IndustryClassifier",
            key("ApexClass", "IndustryClassifier"),
            "new class",
        ),
        add(
            "ApexClass",
            "IndustryClassifierTest",
            key("ApexClass", "IndustryClassifierTest"),
            "new test class",
        ),
        change(
            "Layout",
            "Account-Account Layout",
            layout,
            "Fleet Size added, sections swapped",
        ),
        change(
            "Profile",
            "Standard",
            key("Profile", "Standard"),
            "Account.Annual_Contract_Value__c editable=false",
        ),
    ]
}

const INDUSTRY_CLASSIFIER: &str = r#"/**
 * Routes robotics and drone customers to the new Automation sales team.
 */
public with sharing class IndustryClassifier {
    public static final Set<String> AUTOMATION_INDUSTRIES = new Set<String>{ 'Drones', 'Robotics' };

    public static Boolean isAutomation(Account acc) {
        return AUTOMATION_INDUSTRIES.contains(acc.Industry) || (acc.Fleet_Size__c != null && acc.Fleet_Size__c > 50);
    }
}
"#;

const INDUSTRY_CLASSIFIER_TEST: &str = r#"@isTest
private class IndustryClassifierTest {
    @isTest
    static void classifiesDroneOperators() {
        Account acc = new Account(Name = 'SkyFleet', Industry = 'Drones', Fleet_Size__c = 10);
        Assert.isTrue(IndustryClassifier.isAutomation(acc), 'Drone operators are automation customers');
    }

    @isTest
    static void ignoresOtherIndustries() {
        Account acc = new Account(Name = 'Bakery', Industry = 'Food & Beverage', Fleet_Size__c = 2);
        Assert.isFalse(IndustryClassifier.isAutomation(acc), 'Bakeries are not automation customers');
    }
}
"#;
