//! Drift: seeded add/remove/change edits on an org's metadata, and direct production edits.
//!
//! Each unit of `add`/`remove` is one component, counted like [`super::component_count`]
//! (a field, validation rule, list view, label or Apex class), so after a drift the count
//! moves by exactly `add - remove`. Removals only pick what Salesforce would let an admin
//! delete (no field or label still used by Apex, flows or formulas; only unreferenced classes)
//! and clean up references as Salesforce does, so the org stays consistent.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::Rng;
use super::drift_change::change;
use super::edits::{Editor, Metadata, key};
use super::names::{self, api_base, pascal};
use super::plan::{Field, Kind};
use super::xml::El;
use crate::model::{ComponentKey, Org, User};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct DriftSpec {
    pub seed: u64,
    pub add: usize,
    pub remove: usize,
    pub change: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftOp {
    Add,
    Remove,
    Change,
}

/// One applied edit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriftEdit {
    pub op: DriftOp,
    /// Metadata type of what was edited (`CustomField`, `ValidationRule`, `ApexClass`, ...).
    pub type_name: String,
    /// Its full name (`Invoice__c.Amount__c`, `InvoiceService`, `Account-Account Layout`).
    pub full_name: String,
    /// The top-level component holding it.
    pub component: ComponentKey,
    /// Human-readable description ("added picklist value 'Pending'").
    pub detail: String,
}

impl DriftEdit {
    pub(crate) fn new(
        op: DriftOp,
        ty: &str,
        full: String,
        component: ComponentKey,
        detail: String,
    ) -> Self {
        Self {
            op,
            type_name: ty.to_owned(),
            full_name: full,
            component,
            detail,
        }
    }
}

/// Applies `spec.add` additions, `spec.remove` removals and `spec.change` changes (fewer only
/// when the org has nothing left that can be edited that way), all by `by` at `at`.
pub fn apply_drift(
    metadata: &mut Metadata,
    spec: &DriftSpec,
    by: &User,
    at: &str,
) -> Vec<DriftEdit> {
    let mut rng = Rng::new(spec.seed ^ 0x0064_7269_6674);
    let mut ed = Editor::new(metadata, by, at);
    let mut out = Vec::new();
    for (n, op) in [
        (spec.add, DriftOp::Add),
        (spec.remove, DriftOp::Remove),
        (spec.change, DriftOp::Change),
    ] {
        for _ in 0..n {
            let first = rng.below(6);
            let edit = (0..6).find_map(|i| {
                let kind = (first + i) % 6;
                match op {
                    DriftOp::Add => add(&mut ed, &mut rng, kind),
                    DriftOp::Remove => remove(&mut ed, &mut rng, kind),
                    DriftOp::Change => change(&mut ed, &mut rng, kind),
                }
            });
            match edit {
                Some(e) => out.push(e),
                None => break,
            }
        }
    }
    out
}

/// A direct edit in production by the user named `by_name` (name or username) at `at`: one
/// seeded change made in Setup (a picklist value added, a validation rule formula edited, FLS
/// flipped, a layout section moved or a label reworded; never Apex, which production does not
/// allow editing). Updates `last_modified_by`/`last_modified_date` of what it touched.
pub fn production_edit(
    org: &mut Org,
    by_name: &str,
    at: &str,
    seed: u64,
) -> crate::Result<DriftEdit> {
    let user = org
        .users
        .iter()
        .find(|u| u.name == by_name || u.username.eq_ignore_ascii_case(by_name))
        .cloned()
        .ok_or_else(|| {
            crate::Error::Invalid(format!("no user `{by_name}` in org {}", org.alias))
        })?;
    let mut rng = Rng::new(seed ^ 0x7072_6f64);
    let mut ed = Editor::new(&mut org.metadata, &user, at);
    // What an admin can do in production's Setup UI: Apex cannot be edited there.
    const SETUP_CHANGES: [usize; 5] = [0, 1, 2, 4, 5];
    let first = rng.below(SETUP_CHANGES.len());
    (0..SETUP_CHANGES.len())
        .find_map(|i| {
            let kind = SETUP_CHANGES[(first + i) % SETUP_CHANGES.len()];
            change(&mut ed, &mut rng, kind)
        })
        .ok_or_else(|| crate::Error::Invalid("nothing in this org can be changed".into()))
}

/// Visits `keys` in a seeded random order and picks one of the candidates `f` finds in the
/// first component that has any (parsing only as many files as needed).
pub(super) fn scan<T: Clone>(
    ed: &mut Editor,
    rng: &mut Rng,
    mut keys: Vec<ComponentKey>,
    f: impl Fn(&ComponentKey, &El) -> Vec<T>,
) -> Option<T> {
    rng.shuffle(&mut keys);
    for k in keys {
        let Some(el) = ed.cached(&k) else { continue };
        let found = f(&k, el);
        if !found.is_empty() {
            return pick(rng, &found);
        }
    }
    None
}

/// Labels of one field kind and how to make the kind.
type FieldPool = (&'static [&'static str], fn() -> Kind);

pub(super) fn pick<T: Clone>(rng: &mut Rng, v: &[T]) -> Option<T> {
    (!v.is_empty()).then(|| v[rng.below(v.len())].clone())
}

/// Custom objects (not custom metadata types) with their parsed files.
pub(super) fn custom_objects(ed: &Editor) -> Vec<String> {
    ed.md
        .keys()
        .filter(|k| k.type_name == "CustomObject" && k.full_name.ends_with("__c"))
        .map(|k| k.full_name.clone())
        .collect()
}

/// All Apex and flow source, to tell whether a name is still used.
/// For every identifier in Apex and flow sources, the number of files that use it; tells
/// whether a field, label or class is still referenced (a class's own file names it once).
fn code_idents(ed: &Editor) -> HashMap<String, usize> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for (k, c) in ed.md.iter() {
        if !matches!(k.type_name.as_str(), "ApexClass" | "ApexTrigger" | "Flow") {
            continue;
        }
        for (p, b) in &c.files {
            if p.ends_with("-meta.xml") {
                continue;
            }
            let text = String::from_utf8_lossy(b);
            let idents: HashSet<&str> = text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|t| !t.is_empty())
                .collect();
            for t in idents {
                *counts.entry(t.to_owned()).or_default() += 1;
            }
        }
    }
    counts
}

pub(crate) fn field_el(f: &Field) -> El {
    let obj = super::plan::Obj {
        api: String::new(),
        label: String::new(),
        plural: String::new(),
        custom: true,
        mdt: true,
        fields: vec![f.clone()],
        vrs: vec![],
        rts: vec![],
        lvs: vec![],
        detail_of: None,
        class_base: String::new(),
        apex: false,
        flow: false,
    };
    let mut el = El::parse(&super::objects::render_object(&obj)).expect("generated XML parses");
    let mut f = el.children.remove(0);
    // Custom metadata fields carry fieldManageability; ordinary object fields track history.
    f.children.retain(|c| c.name != "fieldManageability");
    let pos = f
        .children
        .iter()
        .position(|c| c.name == "type")
        .unwrap_or(f.children.len());
    f.children.insert(pos, El::leaf("trackTrending", "false"));
    f.children.insert(pos, El::leaf("trackHistory", "false"));
    f
}

fn add(ed: &mut Editor, rng: &mut Rng, kind: usize) -> Option<DriftEdit> {
    let objs = custom_objects(ed);
    match kind {
        0 | 1 => {
            // Admins add fields to standard objects as often as to custom ones.
            let targets: Vec<String> = ed
                .keys_of("CustomObject")
                .into_iter()
                .map(|k| k.full_name)
                .filter(|n| !n.ends_with("__mdt"))
                .collect();
            let obj = pick(rng, &targets)?;
            let o = ed.load(&key("CustomObject", &obj))?;
            let pools: [FieldPool; 5] = [
                (names::TEXT, || Kind::Text(80)),
                (names::NUMBER, || Kind::Number(10, 0)),
                (names::DATE, || Kind::Date),
                (names::CHECKBOX, || Kind::Checkbox),
                (names::CURRENCY, || Kind::Currency(16, 2)),
            ];
            let (pool, make) = pools[rng.below(pools.len())];
            let label = pool.iter().find(|l| {
                !o.all("fields")
                    .any(|f| f.child_text("fullName") == format!("{}__c", api_base(l)))
            })?;
            let f = Field {
                api: format!("{}__c", api_base(label)),
                label: (*label).to_owned(),
                kind: make(),
            };
            ed.add_field(&obj, field_el(&f)).then(|| {
                DriftEdit::new(
                    DriftOp::Add,
                    "CustomField",
                    format!("{obj}.{}", f.api),
                    key("CustomObject", &obj),
                    format!("new field {}", f.label),
                )
            })
        }
        2 => {
            let obj = pick(rng, &objs)?;
            let o = ed.load(&key("CustomObject", &obj))?;
            let label = o.child_text("label").to_owned();
            let base = pascal(&label);
            let suffix = [
                "Exporter",
                "Notifier",
                "Validator",
                "Controller",
                "Scheduler",
            ]
            .into_iter()
            .find(|s| !ed.md.contains_key(&key("ApexClass", &format!("{base}{s}"))))?;
            let name = format!("{base}{suffix}");
            let body = format!(
                "public with sharing class {name} {{\n    public static String toCsv(List<{obj}> records) {{\n        List<String> lines = new List<String>{{ 'Id,Name' }};\n        for ({obj} record : records) {{\n            lines.add(record.Id + ',' + record.Name);\n        }}\n        return String.join(lines, '\\n');\n    }}\n}}\n"
            );
            ed.add_class(&name, body).then(|| {
                DriftEdit::new(
                    DriftOp::Add,
                    "ApexClass",
                    name.clone(),
                    key("ApexClass", &name),
                    "new Apex class".into(),
                )
            })
        }
        3 => {
            let lk = key("CustomLabels", "CustomLabels");
            let l = ed.load(&lk)?;
            let obj = pick(rng, &objs)?;
            let o = ed.load(&key("CustomObject", &obj))?;
            let olabel = o.child_text("label").to_owned();
            let (suffix, text) = names::LABEL_TEMPLATES.iter().find(|(s, _)| {
                !l.all("labels")
                    .any(|x| x.child_text("fullName") == format!("{}_{s}", api_base(&olabel)))
            })?;
            let name = format!("{}_{suffix}", api_base(&olabel));
            let el = El::new("labels")
                .with(El::leaf("fullName", &name))
                .with(El::leaf("categories", &olabel))
                .with(El::leaf("language", "en_US"))
                .with(El::leaf("protected", "false"))
                .with(El::leaf("shortDescription", &name.replace('_', " ")))
                .with(El::leaf("value", &text.replace("{}", &olabel)));
            ed.add_child(&lk, el).then(|| {
                DriftEdit::new(
                    DriftOp::Add,
                    "CustomLabel",
                    name.clone(),
                    lk,
                    "new custom label".into(),
                )
            })
        }
        4 => {
            let obj = pick(rng, &objs)?;
            let ok = key("CustomObject", &obj);
            let o = ed.load(&ok)?;
            let f = o
                .all("fields")
                .find(|f| matches!(f.child_text("type"), "Currency" | "Number"))?;
            let api = f.child_text("fullName").to_owned();
            let name = format!("{}_Upper_Limit", api.trim_end_matches("__c"));
            let vr = El::new("validationRules")
                .with(El::leaf("fullName", &name))
                .with(El::leaf("active", "true"))
                .with(El::leaf(
                    "description",
                    "Guards against data-entry mistakes",
                ))
                .with(El::leaf(
                    "errorConditionFormula",
                    &format!("{api} > 10000000"),
                ))
                .with(El::leaf("errorDisplayField", &api))
                .with(El::leaf(
                    "errorMessage",
                    "Value is too large; check for a typo.",
                ));
            ed.add_child(&ok, vr).then(|| {
                DriftEdit::new(
                    DriftOp::Add,
                    "ValidationRule",
                    format!("{obj}.{name}"),
                    ok,
                    format!("new rule on {api}"),
                )
            })
        }
        _ => {
            let obj = pick(rng, &objs)?;
            let ok = key("CustomObject", &obj);
            let o = ed.load(&ok)?;
            let plural = o.child_text("pluralLabel").to_owned();
            let name = format!("Recent_{}", api_base(&plural));
            let mut lv = El::new("listViews")
                .with(El::leaf("fullName", &name))
                .with(El::leaf("columns", "NAME"));
            if let Some(f) = o.child("fields") {
                lv = lv.with(El::leaf("columns", f.child_text("fullName")));
            }
            let lv = lv
                .with(El::leaf("filterScope", "Everything"))
                .with(El::leaf("label", &format!("Recent {plural}")));
            ed.add_child(&ok, lv).then(|| {
                DriftEdit::new(
                    DriftOp::Add,
                    "ListView",
                    format!("{obj}.{name}"),
                    ok,
                    "new list view".into(),
                )
            })
        }
    }
}

fn remove(ed: &mut Editor, rng: &mut Rng, kind: usize) -> Option<DriftEdit> {
    let objs = custom_objects(ed);
    match kind {
        0 | 1 => {
            let code = code_idents(ed);
            let keys: Vec<ComponentKey> = ed
                .keys_of("CustomObject")
                .into_iter()
                .filter(|k| !k.full_name.ends_with("__mdt"))
                .collect();
            let (obj, api) = scan(ed, rng, keys, |k, o| {
                let rules: String = o
                    .all("validationRules")
                    .map(|v| v.child_text("errorConditionFormula"))
                    .collect::<Vec<_>>()
                    .join(" ");
                let filters: Vec<&str> = o
                    .all("listViews")
                    .flat_map(|l| l.all("filters"))
                    .map(|f| f.child_text("field"))
                    .collect();
                o.all("fields")
                    .map(|f| (f, f.child_text("fullName")))
                    .filter(|(f, api)| {
                        api.ends_with("__c")
                            && f.child_text("type") != "MasterDetail"
                            && !code.contains_key(*api)
                            && !rules.contains(api)
                            && !filters.contains(api)
                    })
                    .map(|(_, api)| (k.full_name.clone(), api.to_owned()))
                    .collect()
            })?;
            ed.remove_field(&obj, &api).then(|| {
                DriftEdit::new(
                    DriftOp::Remove,
                    "CustomField",
                    format!("{obj}.{api}"),
                    key("CustomObject", &obj),
                    "field deleted".into(),
                )
            })
        }
        2 => {
            let code = code_idents(ed);
            let classes: Vec<String> = ed
                .keys_of("ApexClass")
                .into_iter()
                .map(|k| k.full_name)
                .filter(|n| code.get(n.as_str()).copied().unwrap_or(0) <= 1)
                .collect();
            let name = pick(rng, &classes)?;
            ed.remove_class(&name).then(|| {
                DriftEdit::new(
                    DriftOp::Remove,
                    "ApexClass",
                    name.clone(),
                    key("ApexClass", &name),
                    "class deleted".into(),
                )
            })
        }
        3 => {
            let lk = key("CustomLabels", "CustomLabels");
            let l = ed.load(&lk)?;
            let code = code_idents(ed);
            let names: Vec<String> = l
                .all("labels")
                .map(|x| x.child_text("fullName").to_owned())
                .filter(|n| !code.contains_key(n.as_str()))
                .collect();
            if names.len() <= 1 {
                return None;
            }
            let name = pick(rng, &names)?;
            ed.remove_child(&lk, "labels", &name).then(|| {
                DriftEdit::new(
                    DriftOp::Remove,
                    "CustomLabel",
                    name.clone(),
                    lk,
                    "label deleted".into(),
                )
            })
        }
        4 => {
            let keys = objs.iter().map(|o| key("CustomObject", o)).collect();
            let (obj, name) = scan(ed, rng, keys, |k, e| {
                e.all("validationRules")
                    .map(|v| (k.full_name.clone(), v.child_text("fullName").to_owned()))
                    .collect()
            })?;
            let ok = key("CustomObject", &obj);
            ed.remove_child(&ok, "validationRules", &name).then(|| {
                DriftEdit::new(
                    DriftOp::Remove,
                    "ValidationRule",
                    format!("{obj}.{name}"),
                    ok,
                    "rule deleted".into(),
                )
            })
        }
        _ => {
            let keys = objs.iter().map(|o| key("CustomObject", o)).collect();
            let (obj, name) = scan(ed, rng, keys, |k, e| {
                e.all("listViews")
                    .map(|v| (k.full_name.clone(), v.child_text("fullName").to_owned()))
                    .collect()
            })?;
            let ok = key("CustomObject", &obj);
            ed.remove_child(&ok, "listViews", &name).then(|| {
                DriftEdit::new(
                    DriftOp::Remove,
                    "ListView",
                    format!("{obj}.{name}"),
                    ok,
                    "list view deleted".into(),
                )
            })
        }
    }
}
