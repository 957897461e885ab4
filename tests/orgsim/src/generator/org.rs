//! Builds a whole [`Org`] from a [`GenSpec`]: deterministic org id, named users (with the demo
//! password), instance name, generated metadata and a few records (Accounts and rows of a
//! custom object) so anonymous Apex and data-fix scripts have data to work on.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::names::{COMPANIES, INDUSTRIES};
use super::xml::El;
use super::{GenSpec, PEOPLE, fnv, generate, person_id};
use crate::ids::make_id;
use crate::model::{ComponentKey, Org, OrgKind, Record, User};

/// Password of every generated user (the simulated login page accepts it): the same default
/// as users created from config, `orgsim-pass`.
pub const DEMO_PASSWORD: &str = crate::config::DEFAULT_PASSWORD;

/// A generated org. Users are `admin@<alias>.orgsim.test` (Alex Morgan, System Administrator),
/// `jo.martin@…` (Jo Martin), `priya.shah@…` (Priya Shah) and `sam.lee@…` (Sam Lee, Standard
/// User), all with [`DEMO_PASSWORD`]. `instance_url` is empty until `Sim::add_org` binds it.
pub fn generate_org(alias: &str, name: &str, kind: OrgKind, spec: &GenSpec) -> Org {
    let h = fnv(&[alias.as_bytes(), &spec.seed.to_le_bytes()]);
    let id = make_id("00D", 3_000_000_000_000_000 + h % 1_000_000_000_000);
    let users = PEOPLE
        .iter()
        .enumerate()
        .map(|(i, (user, full, profile))| User {
            id: person_id(spec.seed, i),
            username: format!("{user}@{alias}.orgsim.test"),
            name: (*full).to_owned(),
            email: format!("{user}@acme.example"),
            password: DEMO_PASSWORD.to_owned(),
            profile_name: (*profile).to_owned(),
            is_active: true,
        })
        .collect();
    let instance_name = match kind {
        OrgKind::Production => format!("NA{}", 100 + h % 90),
        OrgKind::Sandbox => format!("CS{}", 10 + h % 190),
        OrgKind::DeveloperEdition => format!("AP{}", 20 + h % 60),
    };
    let mut org = Org {
        id,
        alias: alias.to_owned(),
        name: name.to_owned(),
        kind,
        instance_name,
        instance_url: String::new(),
        users,
        metadata: generate(spec),
        records: BTreeMap::new(),
        next_id: 0,
        audit_trail: Vec::new(),
    };
    seed_records(&mut org);
    org
}

/// The system fields every stored record carries (as REST and Apex DML inserts write them).
fn system_fields(f: &mut Map<String, Value>, owner: &str, i: usize) {
    let at = format!("2026-10-{:02}T{:02}:15:00.000Z", 1 + i % 28, 8 + i % 9);
    for k in ["CreatedDate", "LastModifiedDate", "SystemModstamp"] {
        f.insert(k.into(), json!(at));
    }
    for k in ["CreatedById", "LastModifiedById", "OwnerId"] {
        f.insert(k.into(), json!(owner));
    }
    f.insert("IsDeleted".into(), json!(false));
}

fn has_field(obj: &El, field: &str) -> bool {
    obj.all("fields").any(|f| f.child_text("fullName") == field)
}

fn seed_records(org: &mut Org) {
    let account = org
        .metadata
        .get(&ComponentKey::new("CustomObject", "Account"))
        .and_then(|c| c.files.values().next())
        .and_then(|b| El::parse(b).ok());
    let owner = org.users[0].id.clone();
    let mut account_ids = Vec::new();
    for (i, company) in COMPANIES.iter().enumerate().take(6) {
        let id = org.mint_id("001");
        let mut f = Map::new();
        f.insert("Id".into(), json!(id));
        f.insert("Name".into(), json!(company));
        f.insert(
            "Industry".into(),
            json!(INDUSTRIES[(i * 7) % INDUSTRIES.len()]),
        );
        f.insert(
            "Type".into(),
            json!(if i % 3 == 2 { "Partner" } else { "Customer" }),
        );
        system_fields(&mut f, &owner, i);
        if let Some(a) = &account {
            if has_field(a, "Customer_Tier__c") {
                f.insert(
                    "Customer_Tier__c".into(),
                    json!(["Bronze", "Silver", "Gold", "Platinum"][i % 4]),
                );
            }
            if has_field(a, "Annual_Contract_Value__c") {
                f.insert(
                    "Annual_Contract_Value__c".into(),
                    json!(25_000 * (i as i64 + 1) * (i as i64 + 1)),
                );
            }
            if has_field(a, "Region__c") {
                f.insert(
                    "Region__c".into(),
                    json!(["North America", "EMEA", "APAC", "LATAM"][i % 4]),
                );
            }
        }
        account_ids.push(id.clone());
        org.records.entry("Account".into()).or_default().insert(
            id.clone(),
            Record {
                id,
                sobject: "Account".into(),
                fields: f,
            },
        );
    }
    // Rows of the first custom object that has the core fields (status, amount, account).
    let target = org.metadata.iter().find_map(|(k, c)| {
        if k.type_name != "CustomObject" || !k.full_name.ends_with("__c") {
            return None;
        }
        let el = El::parse(c.files.values().next()?).ok()?;
        let ok = has_field(&el, "Status__c")
            && has_field(&el, "Amount__c")
            && has_field(&el, "Account__c");
        let auto = el
            .child("nameField")
            .is_some_and(|n| n.child_text("type") == "AutoNumber");
        (ok && !auto).then(|| (k.full_name.clone(), el))
    });
    let Some((sobject, el)) = target else { return };
    let label = el.child_text("label").to_owned();
    let statuses: Vec<String> = el
        .all("fields")
        .find(|f| f.child_text("fullName") == "Status__c")
        .and_then(|f| f.child("valueSet"))
        .and_then(|v| v.child("valueSetDefinition"))
        .map(|d| {
            d.all("value")
                .map(|v| v.child_text("fullName").to_owned())
                .collect()
        })
        .unwrap_or_default();
    let prefix = crate::sobjects::describe::key_prefix(&sobject);
    for i in 0..8usize {
        let id = org.mint_id(&prefix);
        let mut f = Map::new();
        f.insert("Id".into(), json!(id));
        f.insert("Name".into(), json!(format!("{label} {:04}", 1001 + i)));
        f.insert(
            "Status__c".into(),
            statuses
                .get(i % statuses.len().max(1))
                .map_or(Value::Null, |s| json!(s)),
        );
        f.insert("Amount__c".into(), json!(1250.0 * (i as f64 + 1.0)));
        f.insert(
            "Account__c".into(),
            json!(account_ids[i % account_ids.len()]),
        );
        system_fields(&mut f, &owner, 10 + i);
        if has_field(&el, "Due_Date__c") {
            f.insert(
                "Due_Date__c".into(),
                json!(format!("2026-12-{:02}", 1 + i * 3)),
            );
        }
        org.records.entry(sobject.clone()).or_default().insert(
            id.clone(),
            Record {
                id,
                sobject: sobject.clone(),
                fields: f,
            },
        );
    }
}
