//! Deciding a deploy's outcome: validation, deletions, success rows, the test run and the
//! final status, computed once from the org as it is when the deploy starts running.
//!
//! Row rules: `componentSuccesses` lists `package.xml` (componentType `""`), every deployable
//! component (`created`/`changed` against the org, with its id) and the child components of
//! its file (`CustomField` `Obj.Field`, ...), and every deletion (`deleted=true`). A failed
//! component and its children get no success rows.

use std::collections::BTreeMap;

use super::model::{DeployMessage, DeployOptions, DeployStatus, RunTestsResult};
use super::package::DeployPackage;
use super::{apply, now, tests_sim, validate};
use crate::model::{ComponentKey, Org, OrgKind};

/// Everything decided at the start of the run.
pub struct Plan {
    pub successes: Vec<DeployMessage>,
    pub failures: Vec<DeployMessage>,
    pub tests: Option<RunTestsResult>,
    pub status: DeployStatus,
    pub apply_keys: Vec<ComponentKey>,
    pub ids: BTreeMap<ComponentKey, String>,
    pub deletions: Vec<apply::Deletion>,
}

/// Mints ids for the package's components the org does not have yet (a short write; the plan
/// itself is computed under a read lock).
pub fn mint_new_ids(org: &mut Org, pkg: &DeployPackage) -> BTreeMap<ComponentKey, String> {
    let mut ids = BTreeMap::new();
    for key in pkg.components.keys() {
        let id = match org.metadata.get(key) {
            Some(c) => c.id.clone(),
            None => org.mint_id(crate::load::key_prefix(&key.type_name)),
        };
        ids.insert(key.clone(), id);
    }
    ids
}

pub fn make_plan(
    org: &Org,
    pkg: &DeployPackage,
    opts: &DeployOptions,
    fail: Option<&str>,
    quick: bool,
    minted: &BTreeMap<ComponentKey, String>,
) -> Plan {
    let production = org.kind == OrgKind::Production;
    let v = validate::validate(org, pkg, opts, fail);
    let (deletions, warnings) = apply::plan_deletions(org, pkg);
    let mut failures = v.failures.clone();
    failures.extend(warnings);
    let now = now();
    let mut ids = BTreeMap::new();
    let mut successes = Vec::new();
    if pkg.manifest_failures.is_empty() {
        successes.push(DeployMessage {
            changed: true,
            component_type: String::new(),
            created_date: now.clone(),
            file_name: pkg.zip_path("package.xml"),
            full_name: "package.xml".into(),
            success: true,
            ..DeployMessage::default()
        });
    }
    let mut apply_keys = Vec::new();
    for key in v.deployable.iter().filter(|k| !v.failed.contains(*k)) {
        let pc = &pkg.components[key];
        let merged = apply::merged_files(org, key, &pc.files);
        let existing_id = org.metadata.get(key).map(|c| c.id.clone());
        let changed = org.metadata.get(key).is_some_and(|c| c.files != merged);
        let created = existing_id.is_none();
        let id = existing_id
            .or_else(|| minted.get(key).cloned())
            .unwrap_or_default();
        ids.insert(key.clone(), id.clone());
        let main = pc
            .content_file()
            .or(pc.xml_file())
            .map(|(p, _)| p.to_owned())
            .unwrap_or_default();
        let file_name = pkg.zip_path(&main);
        successes.push(DeployMessage {
            changed,
            component_type: key.type_name.clone(),
            created,
            created_date: now.clone(),
            file_name: file_name.clone(),
            full_name: key.full_name.clone(),
            id: Some(id),
            success: true,
            ..DeployMessage::default()
        });
        for (ct, name) in v.children.get(key).into_iter().flatten() {
            if failures
                .iter()
                .any(|f| &f.component_type == ct && &f.full_name == name)
            {
                continue;
            }
            let exists = apply::exists(org, ct, name);
            successes.push(DeployMessage {
                changed: exists && changed,
                component_type: ct.clone(),
                created: !exists,
                created_date: now.clone(),
                file_name: file_name.clone(),
                full_name: name.clone(),
                success: true,
                ..DeployMessage::default()
            });
        }
        apply_keys.push(key.clone());
    }
    for d in &deletions {
        let comp = org
            .metadata
            .get(&ComponentKey::new(&d.type_name, &d.full_name));
        let file = comp
            .and_then(|c| c.files.keys().next().cloned())
            .unwrap_or_else(|| d.full_name.clone());
        successes.push(DeployMessage {
            component_type: d.type_name.clone(),
            created_date: now.clone(),
            deleted: true,
            file_name: pkg.zip_path(&file),
            full_name: d.full_name.clone(),
            id: comp.map(|c| c.id.clone()),
            success: true,
            ..DeployMessage::default()
        });
    }
    let has_errors = failures.iter().any(|f| !f.is_warning());
    let warn_fail = failures.iter().any(DeployMessage::is_warning) && !opts.ignore_warnings;
    let mut status = if !pkg.manifest_failures.is_empty()
        || (opts.rollback_on_error && (has_errors || warn_fail))
    {
        DeployStatus::Failed
    } else if has_errors || warn_fail {
        if apply_keys.is_empty() && deletions.is_empty() {
            DeployStatus::Failed
        } else {
            DeployStatus::SucceededPartial
        }
    } else {
        DeployStatus::Succeeded
    };
    let mut tests = None;
    if status != DeployStatus::Failed && !quick {
        let has_apex = apply_keys
            .iter()
            .any(|k| matches!(k.type_name.as_str(), "ApexClass" | "ApexTrigger"));
        let level = tests_sim::effective_level(opts.test_level, production, has_apex);
        let units = apex_units(org, pkg, &apply_keys, &v.failed, &ids);
        tests = tests_sim::run(&units, level, &opts.run_tests, production);
        if tests
            .as_ref()
            .is_some_and(|t| !t.failures.is_empty() || !t.code_coverage_warnings.is_empty())
        {
            status = DeployStatus::Failed;
        }
    }
    Plan {
        successes,
        failures,
        tests,
        status,
        apply_keys,
        ids,
        deletions,
    }
}

/// Apex classes and triggers as they would be after the deploy (package versions win).
fn apex_units(
    org: &Org,
    pkg: &DeployPackage,
    deployed: &[ComponentKey],
    broken: &std::collections::BTreeSet<ComponentKey>,
    ids: &BTreeMap<ComponentKey, String>,
) -> Vec<tests_sim::ApexUnit> {
    let mut units: BTreeMap<ComponentKey, tests_sim::ApexUnit> = BTreeMap::new();
    let is_apex = |k: &ComponentKey| matches!(k.type_name.as_str(), "ApexClass" | "ApexTrigger");
    let source = |files: &BTreeMap<String, Vec<u8>>| {
        files
            .iter()
            .find(|(p, _)| p.ends_with(".cls") || p.ends_with(".trigger"))
            .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
    };
    for (k, c) in org.metadata.iter().filter(|(k, _)| is_apex(k)) {
        let Some(src) = source(&c.files) else {
            continue;
        };
        units.insert(
            k.clone(),
            tests_sim::ApexUnit {
                name: k.full_name.clone(),
                id: c.id.clone(),
                source: src,
                is_trigger: k.type_name == "ApexTrigger",
                namespace: c.namespace_prefix.clone(),
                deployed: false,
                broken: false,
            },
        );
    }
    for k in deployed.iter().chain(broken.iter()).filter(|k| is_apex(k)) {
        let Some(src) = pkg.components.get(k).and_then(|c| source(&c.files)) else {
            continue;
        };
        let id = ids
            .get(k)
            .cloned()
            .or_else(|| org.metadata.get(k).map(|c| c.id.clone()))
            .unwrap_or_default();
        units.insert(
            k.clone(),
            tests_sim::ApexUnit {
                name: k.full_name.clone(),
                id,
                source: src,
                is_trigger: k.type_name == "ApexTrigger",
                namespace: None,
                deployed: true,
                broken: broken.contains(k),
            },
        );
    }
    units.into_values().collect()
}
