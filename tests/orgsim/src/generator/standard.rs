//! The standard objects every generated org extends (Account, Contact, Opportunity, Case) with
//! their custom fields, rules, record types and list views, and the custom metadata type.
//!
//! Kept fixed (not seeded) so demos and tests can rely on e.g. `Account.Customer_Tier__c`,
//! `Account.Annual_Contract_Value__c` and the Industry picklist being present.

use super::plan::{Field, Kind, Lv, Obj, Rt, Vr, picklist};

pub(super) fn standard_objects() -> Vec<Obj> {
    let mk = |api: &str, plural: &str, std: Vec<Field>, ext: Vec<Field>| Obj {
        api: api.into(),
        label: api.into(),
        plural: plural.into(),
        custom: false,
        mdt: false,
        fields: std.into_iter().chain(ext).collect(),
        vrs: vec![],
        rts: vec![],
        lvs: vec![],
        detail_of: None,
        class_base: api.into(),
        apex: false,
        flow: false,
    };
    vec![
        mk(
            "Account",
            "Accounts",
            vec![
                Field::std("AccountNumber", None),
                Field::std("Industry", Some("Picklist")),
                Field::std("Phone", None),
                Field::std("Type", Some("Picklist")),
                Field::std("Website", None),
            ],
            vec![
                picklist("Customer Tier", &["Bronze", "Silver", "Gold", "Platinum"]),
                Field::new("Annual Contract Value", Kind::Currency(16, 2)),
                picklist("Region", &["North America", "EMEA", "APAC", "LATAM"]),
                Field::new("Onboarding Date", Kind::Date),
                Field::new("Account Health Score", Kind::Number(3, 0)),
                Field::new("Primary Support Email", Kind::Email),
                Field::new("Renewal Risk", Kind::Checkbox),
            ],
        ),
        mk(
            "Contact",
            "Contacts",
            vec![
                Field::std("AccountId", Some("Lookup")),
                Field::std("Email", None),
                Field::std("Phone", None),
                Field::std("Title", None),
            ],
            vec![
                picklist("Preferred Channel", &["Email", "Phone", "SMS", "In Person"]),
                Field::new("Is Decision Maker", Kind::Checkbox),
                Field::new("LinkedIn Profile", Kind::Url),
                Field::new("Last Survey Date", Kind::Date),
            ],
        ),
        mk(
            "Opportunity",
            "Opportunities",
            vec![
                Field::std("AccountId", Some("Lookup")),
                Field::std("Amount", None),
                Field::std("CloseDate", None),
                Field::std("StageName", Some("Picklist")),
            ],
            vec![
                picklist(
                    "Deal Type",
                    &["New Business", "Renewal", "Upsell", "Cross-sell"],
                ),
                Field::new("Competitor", Kind::Text(80)),
                Field::new("Implementation Date", Kind::Date),
                Field::new("Discount Percent", Kind::Percent(5, 2)),
            ],
        ),
        mk(
            "Case",
            "Cases",
            vec![
                Field::std("Origin", Some("Picklist")),
                Field::std("Priority", Some("Picklist")),
                Field::std("Status", Some("Picklist")),
                Field::std("Subject", None),
            ],
            vec![
                picklist(
                    "Root Cause",
                    &[
                        "Product Defect",
                        "User Error",
                        "Configuration",
                        "Third Party",
                    ],
                ),
                Field::new("Resolution Details", Kind::LongText(32768)),
                Field::new("SLA Breached", Kind::Checkbox),
                Field::new("Escalated At", Kind::DateTime),
            ],
        ),
    ]
}

/// Rules, record types and list views of the standard objects (only for orgs ≥ 150).
pub(super) fn decorate_standard(o: &mut Obj, industry: &[String]) {
    let has = |o: &Obj, f: &str| o.field(f).is_some();
    match o.api.as_str() {
        "Account" if has(o, "Customer_Tier__c") && has(o, "Annual_Contract_Value__c") => {
            o.vrs.push(Vr {
                name: "Annual_Contract_Value_Not_Negative".into(),
                description: "Contract value must be zero or more".into(),
                formula: "Annual_Contract_Value__c < 0".into(),
                display_field: Some("Annual_Contract_Value__c".into()),
                message: "Annual Contract Value cannot be negative.".into(),
            });
            for (i, (name, tiers)) in [
                ("Customer", &["Bronze", "Silver", "Gold", "Platinum"][..]),
                ("Partner", &["Silver", "Gold"][..]),
            ]
            .iter()
            .enumerate()
            {
                let inds: Vec<String> = industry.iter().skip(i).step_by(2).cloned().collect();
                o.rts.push(Rt {
                    name: (*name).into(),
                    label: (*name).into(),
                    picklists: vec![
                        (
                            "Customer_Tier__c".into(),
                            tiers.iter().map(|s| (*s).to_owned()).collect(),
                            true,
                        ),
                        ("Industry".into(), inds, false),
                    ],
                });
            }
            o.lvs.push(Lv {
                name: "Gold_Tier_Accounts".into(),
                label: "Gold Tier Accounts".into(),
                columns: vec![
                    "ACCOUNT.NAME".into(),
                    "Customer_Tier__c".into(),
                    "Region__c".into(),
                ],
                scope: "Everything",
                filter: Some(("Customer_Tier__c".into(), "equals", "Gold".into())),
            });
        }
        "Opportunity" if has(o, "Deal_Type__c") && has(o, "Discount_Percent__c") => {
            o.vrs.push(Vr {
                name: "Renewal_Discount_Limit".into(),
                description: "Renewals may not be discounted by more than 20%".into(),
                formula: "AND(ISPICKVAL(Deal_Type__c, 'Renewal'), Discount_Percent__c > 0.2)"
                    .into(),
                display_field: Some("Discount_Percent__c".into()),
                message: "Renewal discounts cannot exceed 20%.".into(),
            })
        }
        "Case" if has(o, "Resolution_Details__c") => o.vrs.push(Vr {
            name: "Resolution_Required_To_Close".into(),
            description: "Closed cases need resolution details".into(),
            formula: "AND(ISPICKVAL(Status, 'Closed'), ISBLANK(Resolution_Details__c))".into(),
            display_field: Some("Resolution_Details__c".into()),
            message: "Enter the resolution details before closing the case.".into(),
        }),
        _ => {}
    }
}

pub(super) fn mdt_type() -> Obj {
    Obj {
        api: "Integration_Setting__mdt".into(),
        label: "Integration Setting".into(),
        plural: "Integration Settings".into(),
        custom: true,
        mdt: true,
        fields: vec![
            Field::new("Endpoint URL", Kind::Text(255)),
            Field::new("Is Enabled", Kind::Checkbox),
            picklist("Region", &["North America", "EMEA", "APAC", "LATAM"]),
            Field::new("Timeout Seconds", Kind::Number(4, 0)),
        ],
        vrs: vec![],
        rts: vec![],
        lvs: vec![],
        detail_of: None,
        class_base: "IntegrationSetting".into(),
        apex: false,
        flow: false,
    }
}
