//! Referential-integrity check over mdapi metadata: every custom field, object, record type,
//! picklist value, layout and class that a layout, formula, list view, record type, profile,
//! permission set, flow, Apex source or custom metadata record names must exist. Used by the
//! generator's tests and after drift; works on any mdapi metadata, not only generated orgs.

use std::collections::{BTreeMap, BTreeSet};

use super::xml::El;
use crate::model::{Component, ComponentKey};

#[derive(Default)]
struct Index {
    /// object → field → picklist values (empty when not a picklist)
    fields: BTreeMap<String, BTreeMap<String, BTreeSet<String>>>,
    record_types: BTreeSet<String>,
    layouts: BTreeSet<String>,
    classes: BTreeSet<String>,
    svs: BTreeMap<String, BTreeSet<String>>,
}

/// Identifiers ending in `__c` in a formula or Apex source.
fn custom_names(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .filter(|t| t.ends_with("__c") && t.len() > 3)
}

fn parse(c: &Component) -> Option<El> {
    c.files
        .iter()
        .find(|(p, _)| !p.ends_with("-meta.xml"))
        .and_then(|(_, b)| El::parse(b).ok())
}

/// Returns one line per broken reference (empty when consistent) plus any unparsable file.
pub fn check_integrity(metadata: &BTreeMap<ComponentKey, Component>) -> Vec<String> {
    let mut problems = Vec::new();
    let mut ix = Index::default();
    let mut parsed: BTreeMap<&ComponentKey, El> = BTreeMap::new();
    for (k, c) in metadata {
        for (path, bytes) in &c.files {
            let xml = path.ends_with("-meta.xml")
                || !matches!(k.type_name.as_str(), "ApexClass" | "ApexTrigger");
            if xml && let Err(e) = El::parse(bytes) {
                problems.push(format!("{path}: not well-formed: {e}"));
            }
        }
        if !matches!(k.type_name.as_str(), "ApexClass" | "ApexTrigger")
            && let Some(el) = parse(c)
        {
            parsed.insert(k, el);
        }
    }
    for (k, el) in &parsed {
        match k.type_name.as_str() {
            "CustomObject" => {
                let fields = ix.fields.entry(k.full_name.clone()).or_default();
                for f in el.all("fields") {
                    let values: BTreeSet<String> = f
                        .child("valueSet")
                        .and_then(|v| v.child("valueSetDefinition"))
                        .map(|d| {
                            d.all("value")
                                .map(|v| v.child_text("fullName").to_owned())
                                .collect()
                        })
                        .unwrap_or_default();
                    fields.insert(f.child_text("fullName").to_owned(), values);
                }
                for rt in el.all("recordTypes") {
                    ix.record_types.insert(format!(
                        "{}.{}",
                        k.full_name,
                        rt.child_text("fullName")
                    ));
                }
            }
            "Layout" => {
                ix.layouts.insert(k.full_name.clone());
            }
            "StandardValueSet" => {
                ix.svs.insert(
                    k.full_name.clone(),
                    el.all("standardValue")
                        .map(|v| v.child_text("fullName").to_owned())
                        .collect(),
                );
            }
            _ => {}
        }
    }
    for k in metadata.keys().filter(|k| k.type_name == "ApexClass") {
        ix.classes.insert(k.full_name.clone());
    }
    let has_field = |obj: &str, f: &str| ix.fields.get(obj).is_some_and(|m| m.contains_key(f));
    let check_field = |problems: &mut Vec<String>, from: &str, obj: &str, f: &str| {
        if f.ends_with("__c") && !has_field(obj, f) {
            problems.push(format!("{from}: field {obj}.{f} does not exist"));
        }
    };
    for (k, el) in &parsed {
        let from = format!("{} {}", k.type_name, k.full_name);
        match k.type_name.as_str() {
            "CustomObject" => {
                let obj = k.full_name.as_str();
                for f in el.all("fields") {
                    let to = f.child_text("referenceTo");
                    if !to.is_empty() && !ix.fields.contains_key(to) {
                        problems.push(format!(
                            "{from}: {} references missing object {to}",
                            f.child_text("fullName")
                        ));
                    }
                }
                for v in el.all("validationRules") {
                    for n in custom_names(v.child_text("errorConditionFormula")) {
                        check_field(&mut problems, &from, obj, n);
                    }
                    check_field(&mut problems, &from, obj, v.child_text("errorDisplayField"));
                }
                for lv in el.all("listViews") {
                    for c in lv.all("columns") {
                        check_field(&mut problems, &from, obj, &c.text);
                    }
                    for f in lv.all("filters") {
                        check_field(&mut problems, &from, obj, f.child_text("field"));
                    }
                }
                for rt in el.all("recordTypes") {
                    for pv in rt.all("picklistValues") {
                        let field = pv.child_text("picklist");
                        let values = if field.ends_with("__c") {
                            ix.fields.get(obj).and_then(|m| m.get(field))
                        } else {
                            ix.svs.get(field)
                        };
                        let Some(values) = values else {
                            problems.push(format!(
                                "{from}: record type {} uses missing picklist {field}",
                                rt.child_text("fullName")
                            ));
                            continue;
                        };
                        for v in pv.all("values") {
                            let name = v
                                .child_text("fullName")
                                .replace("%2F", "/")
                                .replace("%25", "%");
                            if !values.contains(&name) {
                                problems.push(format!(
                                    "{from}: record type value {field}={name} does not exist"
                                ));
                            }
                        }
                    }
                }
            }
            "Layout" => {
                let obj = k.full_name.split('-').next().unwrap_or("");
                if !ix.fields.contains_key(obj) {
                    problems.push(format!("{from}: object {obj} does not exist"));
                }
                for rl in el.all("relatedLists") {
                    let target = rl.child_text("relatedList");
                    let (child, field) = target.split_once('.').unwrap_or((target, ""));
                    if child.ends_with("__c") && !ix.fields.contains_key(child) {
                        problems.push(format!("{from}: related list of missing object {child}"));
                        continue;
                    }
                    check_field(&mut problems, &from, child, field);
                    for c in rl.all("fields") {
                        check_field(&mut problems, &from, child, &c.text);
                    }
                }
                for s in el.all("layoutSections") {
                    for c in s.all("layoutColumns") {
                        for i in c.all("layoutItems") {
                            check_field(&mut problems, &from, obj, i.child_text("field"));
                        }
                    }
                }
            }
            "Profile" | "PermissionSet" => {
                for fp in el.all("fieldPermissions") {
                    let (obj, f) = fp.child_text("field").split_once('.').unwrap_or(("", ""));
                    if !has_field(obj, f) {
                        problems.push(format!("{from}: FLS for missing field {obj}.{f}"));
                    }
                }
                for op in el.all("objectPermissions") {
                    if !ix.fields.contains_key(op.child_text("object")) {
                        problems.push(format!(
                            "{from}: object permission for missing {}",
                            op.child_text("object")
                        ));
                    }
                }
                for ca in el.all("classAccesses") {
                    if !ix.classes.contains(ca.child_text("apexClass")) {
                        problems.push(format!(
                            "{from}: class access for missing {}",
                            ca.child_text("apexClass")
                        ));
                    }
                }
                for la in el.all("layoutAssignments") {
                    if !ix.layouts.contains(la.child_text("layout")) {
                        problems.push(format!(
                            "{from}: assignment of missing layout {}",
                            la.child_text("layout")
                        ));
                    }
                    let rt = la.child_text("recordType");
                    if !rt.is_empty() && !ix.record_types.contains(rt) {
                        problems.push(format!("{from}: assignment for missing record type {rt}"));
                    }
                }
                for rv in el.all("recordTypeVisibilities") {
                    if !ix.record_types.contains(rv.child_text("recordType")) {
                        problems.push(format!(
                            "{from}: visibility of missing record type {}",
                            rv.child_text("recordType")
                        ));
                    }
                }
            }
            "Flow" => {
                let Some(start) = el.child("start") else {
                    continue;
                };
                let obj = start.child_text("object");
                if !ix.fields.contains_key(obj) {
                    problems.push(format!("{from}: trigger object {obj} does not exist"));
                }
                for f in start.all("filters") {
                    check_field(&mut problems, &from, obj, f.child_text("field"));
                }
                for a in el.all("assignments") {
                    for item in a.all("assignmentItems") {
                        if let Some(f) = item
                            .child_text("assignToReference")
                            .strip_prefix("$Record.")
                        {
                            check_field(&mut problems, &from, obj, f);
                        }
                    }
                }
            }
            "CustomMetadata" => {
                let ty = format!("{}__mdt", k.full_name.split('.').next().unwrap_or(""));
                for v in el.all("values") {
                    if !has_field(&ty, v.child_text("field")) {
                        problems.push(format!(
                            "{from}: value for missing field {ty}.{}",
                            v.child_text("field")
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    let all_names: BTreeSet<&str> = ix
        .fields
        .iter()
        .flat_map(|(o, fs)| std::iter::once(o.as_str()).chain(fs.keys().map(String::as_str)))
        .collect();
    for (k, c) in metadata
        .iter()
        .filter(|(k, _)| matches!(k.type_name.as_str(), "ApexClass" | "ApexTrigger"))
    {
        for (path, body) in c.files.iter().filter(|(p, _)| !p.ends_with("-meta.xml")) {
            let text = String::from_utf8_lossy(body);
            for n in custom_names(&text) {
                if !all_names.contains(n) {
                    problems.push(format!(
                        "{} {}: {path} uses unknown {n}",
                        k.type_name, k.full_name
                    ));
                }
            }
        }
    }
    problems
}
