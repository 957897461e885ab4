//! Secondary failures that follow from a primary one, as Salesforce reports them
//! (deploy-errors.md §1.3 "Cascades", rows 23 and 35):
//! * an Apex class or trigger of the deploy that uses (whole word, outside comments and
//!   strings) a class that failed gets `Dependent class is invalid and needs recompilation:`,
//!   a newline and ` Class <Dep> : <Dep's first problem>` at the first use; this repeats until
//!   nothing changes, so chains nest;
//! * a Layout of the deploy for a custom object that failed and does not exist in the org gets
//!   `Parent entity failed to deploy`.

use std::collections::HashMap;

use super::apex;
use super::model::DeployMessage;
use super::package::DeployPackage;
use super::validate::Validation;
use crate::model::{ComponentKey, Org};

fn is_apex(k: &ComponentKey) -> bool {
    matches!(k.type_name.as_str(), "ApexClass" | "ApexTrigger")
}

/// Adds cascade rows to `v` (and marks the affected components failed).
pub fn add_cascades(org: &Org, pkg: &DeployPackage, v: &mut Validation) {
    // Each Apex source of the deploy is scanned once: path, text and identifier index.
    type Source = (ComponentKey, String, String, HashMap<String, usize>);
    let sources: Vec<Source> = v
        .deployable
        .iter()
        .filter(|k| is_apex(k))
        .filter_map(|k| {
            let (path, bytes) = pkg.components.get(k)?.content_file()?;
            let src = String::from_utf8_lossy(bytes).into_owned();
            let words = apex::word_index(&apex::strip(&src));
            Some((k.clone(), path.to_owned(), src, words))
        })
        .collect();
    loop {
        let mut new_rows = Vec::new();
        let broken: Vec<(String, String)> = v
            .failed
            .iter()
            .filter(|k| k.type_name == "ApexClass")
            .filter_map(|k| {
                let first = v.failures.iter().find(|f| {
                    f.component_type == k.type_name && f.full_name == k.full_name && !f.is_warning()
                })?;
                Some((
                    k.full_name.clone(),
                    first.problem.clone().unwrap_or_default(),
                ))
            })
            .collect();
        for (key, path, src, words) in sources.iter().filter(|s| !v.failed.contains(&s.0)) {
            for (dep, root) in &broken {
                if let Some(&off) = words.get(&dep.to_ascii_lowercase()) {
                    let (line, col) = apex::pos(src, off);
                    let problem = format!(
                        "Dependent class is invalid and needs recompilation:\n Class {dep} : {root}"
                    );
                    new_rows.push(
                        DeployMessage::error(
                            &key.type_name,
                            &key.full_name,
                            &pkg.zip_path(path),
                            problem,
                        )
                        .at(line, col),
                    );
                    break;
                }
            }
        }
        let failed_new_objects: Vec<String> = v
            .failed
            .iter()
            .filter(|k| k.type_name == "CustomObject" && !org.metadata.contains_key(*k))
            .map(|k| format!("{}-", k.full_name))
            .collect();
        for key in v
            .deployable
            .iter()
            .filter(|k| k.type_name == "Layout" && !v.failed.contains(*k))
        {
            if failed_new_objects
                .iter()
                .any(|prefix| key.full_name.starts_with(prefix.as_str()))
            {
                let file = pkg
                    .components
                    .get(key)
                    .and_then(|c| c.files.keys().next().cloned())
                    .unwrap_or_default();
                new_rows.push(DeployMessage::error(
                    &key.type_name,
                    &key.full_name,
                    &pkg.zip_path(&file),
                    "Parent entity failed to deploy",
                ));
            }
        }
        if new_rows.is_empty() {
            return;
        }
        for row in new_rows {
            v.failed
                .insert(ComponentKey::new(&row.component_type, &row.full_name));
            v.failures.push(row);
        }
    }
}
