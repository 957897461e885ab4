//! Deploy validation: the checks Salesforce makes before committing a deploy, as failure rows.
//!
//! Every check is deterministic and names exists "in the org or in the package" (the package's
//! version wins). Texts follow `shared/protocol/deploy-errors.md` (row numbers in brackets):
//! * manifest: no package.xml [1]; `Unknown type name 'T' specified in package.xml` [3];
//!   `An object 'X' of type T was named in package.xml, but was not found in zipped directory`
//!   [2] (skipped with `allowMissingFiles`); unparsable XML anywhere → `Error parsing file: …`
//!   with the parser's line/column [5]. Zip files the manifest does not name are not deployed
//!   (with `autoUpdatePackage` they are).
//! * Layout `layoutItems/field`, Profile/PermissionSet `fieldPermissions/field` with a custom
//!   field (`__c`) that does not exist → `In field: field - no CustomField named O.F found` [10];
//!   `objectPermissions/object` custom object → `In field: field - no CustomObject named O found`
//!   [12]; `recordTypeVisibilities|layoutAssignments/recordType` →
//!   `In field: recordType - no RecordType named O.R found` [13]; `classAccesses/apexClass` →
//!   `In field: apexClass - no ApexClass named C found` (template of [15]).
//! * CustomObject children (rows carry the child type, `Object.Child` and the `.object` file):
//!   lookup `referenceTo` a missing custom object [22]; validation rule formula naming a custom
//!   field of its object that does not exist → `Field F does not exist. Check spelling.` [67];
//!   record type picklist value missing from the field → `Picklist value: V in picklist: F not
//!   found` [19].
//! * ApexClass/ApexTrigger: a referenced type that is neither built in, an sObject, declared in
//!   the file nor a class in org/package → `Invalid type: X` at its position [29].
//! * The per-org fault "deploy fails on component X" → the documented internal error [69].
//!   Standard fields and standard objects (no `__c`) are assumed to exist.
//! * Cascades (`deploy_cascade.rs`): dependent Apex classes, layouts of a failed new object.

use std::collections::{BTreeMap, BTreeSet};

use super::apex;
use super::model::{DeployMessage, DeployOptions};
use super::package::{DeployPackage, PkgComponent};
use super::schema::{Schema, is_custom};
use super::xml::{self, Node};
use crate::model::{ComponentKey, Org};

/// Outcome of validation.
#[derive(Debug, Default)]
pub struct Validation {
    /// Every failure row, in component order (manifest rows first).
    pub failures: Vec<DeployMessage>,
    /// Top-level components with at least one error.
    pub failed: BTreeSet<ComponentKey>,
    /// Components that will be deployed (named by the manifest and present in the zip).
    pub deployable: Vec<ComponentKey>,
    /// Child components per deployable parent: (child type, `Parent.Child`).
    pub children: BTreeMap<ComponentKey, Vec<(String, String)>>,
}

/// Runs every check. `fail_component` is the per-org injected fault (a component fullName).
pub fn validate(
    org: &Org,
    pkg: &DeployPackage,
    opts: &DeployOptions,
    fail_component: Option<&str>,
) -> Validation {
    let mut v = Validation {
        failures: pkg.manifest_failures.clone(),
        ..Validation::default()
    };
    if !pkg.manifest_failures.is_empty() {
        return v;
    }
    let schema = Schema::build(org, pkg);
    let manifest_path = pkg.zip_path("package.xml");
    let mut named: BTreeSet<ComponentKey> = BTreeSet::new();
    for t in &pkg.manifest {
        if !orgfleet_metadata::registry::is_known(&t.name) {
            v.failures.push(DeployMessage::error(
                "",
                "",
                &manifest_path,
                format!("Unknown type name '{}' specified in package.xml", t.name),
            ));
            continue;
        }
        for m in &t.members {
            if m == "*" {
                named.extend(
                    pkg.components
                        .keys()
                        .filter(|k| k.type_name == t.name)
                        .cloned(),
                );
                continue;
            }
            let mut key = ComponentKey::new(&t.name, m);
            // Folders are listed under their content type (`<members>F</members><name>Report`).
            let folder_type = orgfleet_metadata::registry::by_name(&t.name)
                .filter(|ty| ty.in_folder && !m.contains('/'))
                .and_then(|ty| ty.folder_type);
            if let Some(ft) = folder_type.filter(|_| !pkg.components.contains_key(&key)) {
                key = ComponentKey::new(ft, m);
            }
            if pkg.components.contains_key(&key) {
                named.insert(key);
            } else if orgfleet_metadata::registry::by_name(&t.name).is_some()
                && !opts.allow_missing_files
            {
                v.failures.push(DeployMessage::error(
                    &t.name,
                    m,
                    &manifest_path,
                    format!("An object '{m}' of type {} was named in package.xml, but was not found in zipped directory", t.name),
                ));
            }
        }
    }
    if opts.auto_update_package {
        named.extend(pkg.components.keys().cloned());
    }
    for key in &named {
        let comp = &pkg.components[key];
        let rows = check_component(&schema, pkg, comp, fail_component);
        if rows.iter().any(|r| !r.is_warning()) {
            v.failed.insert(key.clone());
        }
        v.failures.extend(rows);
        v.deployable.push(key.clone());
        v.children.insert(key.clone(), children_of(comp));
    }
    super::cascade::add_cascades(org, pkg, &mut v);
    v
}

/// (child type, `Parent.Child`) of the children inside a component's XML.
fn children_of(comp: &PkgComponent) -> Vec<(String, String)> {
    let Some(t) = orgfleet_metadata::registry::by_name(&comp.key.type_name) else {
        return Vec::new();
    };
    if t.children.is_empty() {
        return Vec::new();
    }
    let Some(root) = comp.xml_file().and_then(|(_, b)| xml::parse(b).ok()) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for child in &root.children {
        let Some(ct) = t.child_by_element(&child.name) else {
            continue;
        };
        let Some(name) = child.child_text(ct.id_element) else {
            continue;
        };
        let full = if ct.ignore_parent_name {
            name.to_owned()
        } else {
            format!("{}.{name}", comp.key.full_name)
        };
        out.push((ct.name.to_owned(), full));
    }
    out
}

fn check_component(
    schema: &Schema,
    pkg: &DeployPackage,
    comp: &PkgComponent,
    fail: Option<&str>,
) -> Vec<DeployMessage> {
    let key = &comp.key;
    let mut rows = Vec::new();
    // Every XML file must parse.
    let mut xml_root: Option<(String, Node)> = None;
    for (path, bytes) in &comp.files {
        let is_xml = path.ends_with("-meta.xml") || comp.xml_file().is_some_and(|(p, _)| p == path);
        if !is_xml || path.ends_with(".cls") || path.ends_with(".trigger") {
            continue;
        }
        match xml::parse(bytes) {
            Ok(root) => {
                if comp.xml_file().is_some_and(|(p, _)| p == path) {
                    xml_root = Some((path.clone(), root));
                }
            }
            Err(e) => rows.push(
                DeployMessage::error(
                    &key.type_name,
                    &key.full_name,
                    &pkg.zip_path(path),
                    format!("Error parsing file: {}", e.message),
                )
                .at(e.line, e.column),
            ),
        }
    }
    if !rows.is_empty() {
        return rows;
    }
    let file_of = |p: &str| pkg.zip_path(p);
    if let Some((path, root)) = &xml_root {
        let file = file_of(path);
        let row = |problem: String, n: &Node| {
            DeployMessage::error(&key.type_name, &key.full_name, &file, problem)
                .at(n.text_line, n.text_column)
        };
        match key.type_name.as_str() {
            "Layout" => {
                let object = match key.full_name.split('-').next().unwrap_or_default() {
                    // The close-case and case-feed layouts lay out Case fields.
                    "CaseClose" | "CaseInteraction" => "Case",
                    other => other,
                };
                for n in descendants(
                    root,
                    &["layoutSections", "layoutColumns", "layoutItems", "field"],
                ) {
                    let f = n.text.trim();
                    if !schema.has_field(object, f) {
                        rows.push(row(
                            format!("In field: field - no CustomField named {object}.{f} found"),
                            n,
                        ));
                    }
                }
            }
            "Profile" | "PermissionSet" => rows.extend(check_permissions(schema, root, &row)),
            "CustomObject" => rows.extend(check_object(schema, &key.full_name, root, &file)),
            _ => {}
        }
    }
    if matches!(key.type_name.as_str(), "ApexClass" | "ApexTrigger")
        && let Some((path, bytes)) = comp.content_file()
    {
        let src = String::from_utf8_lossy(bytes);
        rows.extend(
            check_apex(schema, &src)
                .into_iter()
                .map(|(problem, line, col)| {
                    DeployMessage::error(&key.type_name, &key.full_name, &file_of(path), problem)
                        .at(line, col)
                }),
        );
    }
    if fail
        .is_some_and(|f| f == key.full_name || f == format!("{}:{}", key.type_name, key.full_name))
    {
        let main = comp
            .content_file()
            .or(comp.xml_file())
            .map(|(p, _)| p.to_owned())
            .unwrap_or_default();
        let h = key
            .full_name
            .bytes()
            .fold(7u64, |a, b| a.wrapping_mul(131).wrapping_add(u64::from(b)));
        rows.push(DeployMessage::error(
            &key.type_name,
            &key.full_name,
            &file_of(&main),
            format!(
                "An unexpected error occurred. Please include this ErrorId if you contact support: {}-{} ({})",
                100_000_000 + h % 900_000_000,
                10_000 + (h / 7) % 90_000,
                -((h % 2_000_000_000) as i64)
            ),
        ));
    }
    rows
}

fn descendants<'a>(root: &'a Node, path: &[&'a str]) -> Vec<&'a Node> {
    let mut current = vec![root];
    for step in path {
        current = current
            .into_iter()
            .flat_map(|n| n.children_named(step))
            .collect();
    }
    current
}

/// Profile/PermissionSet field, object and class rows come without a position (a recorded
/// real row, forcedotcom/source-tracking README: Profile `In field: field - …` has none);
/// record type rows keep theirs (deploy-errors.md row 13).
fn unplaced(mut m: DeployMessage) -> DeployMessage {
    m.line_number = None;
    m.column_number = None;
    m
}

fn check_permissions(
    schema: &Schema,
    root: &Node,
    row: &dyn Fn(String, &Node) -> DeployMessage,
) -> Vec<DeployMessage> {
    let mut rows = Vec::new();
    for n in descendants(root, &["fieldPermissions", "field"]) {
        let (o, f) = n.text.trim().split_once('.').unwrap_or((n.text.trim(), ""));
        if !schema.has_object(o) || !schema.has_field(o, f) {
            rows.push(unplaced(row(
                format!("In field: field - no CustomField named {o}.{f} found"),
                n,
            )));
        }
    }
    for n in descendants(root, &["objectPermissions", "object"]) {
        if !schema.has_object(n.text.trim()) {
            rows.push(unplaced(row(
                format!(
                    "In field: field - no CustomObject named {} found",
                    n.text.trim()
                ),
                n,
            )));
        }
    }
    let rts = descendants(root, &["recordTypeVisibilities", "recordType"])
        .into_iter()
        .chain(descendants(root, &["layoutAssignments", "recordType"]));
    for n in rts {
        let (o, r) = n.text.trim().split_once('.').unwrap_or((n.text.trim(), ""));
        if !schema.has_record_type(o, r) {
            rows.push(row(
                format!("In field: recordType - no RecordType named {o}.{r} found"),
                n,
            ));
        }
    }
    for n in descendants(root, &["classAccesses", "apexClass"]) {
        if !schema.has_class(n.text.trim()) {
            rows.push(unplaced(row(
                format!(
                    "In field: apexClass - no ApexClass named {} found",
                    n.text.trim()
                ),
                n,
            )));
        }
    }
    rows
}

fn check_object(schema: &Schema, object: &str, root: &Node, file: &str) -> Vec<DeployMessage> {
    let mut rows = Vec::new();
    let child_row = |ty: &str, name: &str, problem: String, n: &Node| {
        DeployMessage::error(ty, &format!("{object}.{name}"), file, problem)
            .at(n.text_line, n.text_column)
    };
    for f in root.children_named("fields") {
        let name = f.child_text("fullName").unwrap_or_default();
        if let Some(r) = f
            .child("referenceTo")
            .filter(|r| !schema.has_object(r.text.trim()))
        {
            let problem = format!(
                "referenceTo value of '{}' does not resolve to a valid sObject type",
                r.text.trim()
            );
            rows.push(child_row("CustomField", name, problem, r));
        }
    }
    for vr in root.children_named("validationRules") {
        let name = vr.child_text("fullName").unwrap_or_default();
        let Some(formula) = vr.child("errorConditionFormula") else {
            continue;
        };
        for field in formula_fields(&formula.text) {
            if !schema.has_field(object, &field) {
                rows.push(child_row(
                    "ValidationRule",
                    name,
                    format!("Field {field} does not exist. Check spelling."),
                    formula,
                ));
                break;
            }
        }
    }
    for rt in root.children_named("recordTypes") {
        let name = rt.child_text("fullName").unwrap_or_default();
        for pv in rt.children_named("picklistValues") {
            let picklist = pv.child_text("picklist").unwrap_or_default();
            let Some(values) = schema.picklist(object, picklist) else {
                if !schema.has_field(object, picklist) {
                    let n = pv.child("picklist").unwrap_or(pv);
                    let problem = format!(
                        "In field: picklist - no CustomField named {object}.{picklist} found"
                    );
                    rows.push(child_row("RecordType", name, problem, n));
                }
                continue;
            };
            for v in pv.children_named("values") {
                let Some(vn) = v.child("fullName") else {
                    continue;
                };
                let value = vn.text.trim();
                let decoded = value.replace("%2E", ".").replace("%27", "'");
                if !values.iter().any(|x| x == &decoded || x == value) {
                    let problem =
                        format!("Picklist value: {value} in picklist: {picklist} not found");
                    rows.push(child_row("RecordType", name, problem, vn));
                }
            }
        }
    }
    rows
}

/// Custom field names a formula uses directly (relationship paths `X__r.Y__c` are skipped).
fn formula_fields(formula: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b = formula.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphabetic() || b[i] == b'$' {
            let start = i;
            while i < b.len()
                && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'.' || b[i] == b'$')
            {
                i += 1;
            }
            let tok = &formula[start..i];
            if !tok.contains('.')
                && !tok.starts_with('$')
                && tok.to_ascii_lowercase().ends_with("__c")
            {
                out.push(tok.to_owned());
            }
        } else {
            i += 1;
        }
    }
    out
}

fn check_apex(schema: &Schema, src: &str) -> Vec<(String, u32, u32)> {
    let stripped = apex::strip(src);
    let declared: BTreeSet<String> = apex::declared_types(&stripped)
        .into_iter()
        .map(|d| d.to_ascii_lowercase())
        .collect();
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for (name, off) in apex::type_refs(&stripped) {
        let lower = name.to_ascii_lowercase();
        let known = super::builtins::is_builtin(&lower)
            || declared.contains(&lower)
            || schema.has_class(&name)
            || (is_custom(&name) && schema.has_object(&name))
            || (!is_custom(&name) && schema.objects.contains_key(&lower));
        if !known && seen.insert(lower) {
            let (line, col) = apex::pos(src, off);
            out.push((format!("Invalid type: {name}"), line, col));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_field_scan() {
        assert_eq!(
            formula_fields("AND(Amount__c > 0, Owner__r.Name__c = 'x', ISBLANK(Code__c))"),
            ["Amount__c", "Code__c"]
        );
    }

    #[test]
    fn apex_unknown_type_is_reported_once_with_position() {
        let schema = Schema::default();
        let src = "public class A {\n  void run() {\n    Foo f = new Foo();\n    Account a = new Account();\n  }\n}";
        assert_eq!(
            check_apex(&schema, src),
            [("Invalid type: Foo".to_string(), 3, 5)]
        );
    }
}
