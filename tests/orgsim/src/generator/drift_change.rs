//! The "change" half of drift: edits that modify an existing component without adding or
//! removing one (a picklist value added, a formula edited, FLS flipped, Apex edited, a layout
//! section moved, a label reworded). Also what a direct production edit does.

use super::Rng;
use super::drift::{DriftEdit, DriftOp, pick, scan};
use super::edits::{Editor, key};
use super::names;
use crate::model::ComponentKey;

pub(super) fn change(ed: &mut Editor, rng: &mut Rng, kind: usize) -> Option<DriftEdit> {
    match kind {
        0 => {
            let keys = ed.keys_of("CustomObject");
            let (obj, field, value) = scan(ed, rng, keys, |k, o| {
                o.all("fields")
                    .filter(|f| f.child_text("type") == "Picklist")
                    .filter_map(|f| {
                        let def = f.child("valueSet")?.child("valueSetDefinition")?;
                        let existing: Vec<&str> =
                            def.all("value").map(|v| v.child_text("fullName")).collect();
                        let value = names::EXTRA_PICKLIST_VALUES
                            .iter()
                            .find(|v| !existing.contains(v))?;
                        Some((
                            k.full_name.clone(),
                            f.child_text("fullName").to_owned(),
                            *value,
                        ))
                    })
                    .collect()
            })?;
            ed.add_picklist_values(&obj, &field, &[value]).then(|| {
                DriftEdit::new(
                    DriftOp::Change,
                    "CustomField",
                    format!("{obj}.{field}"),
                    key("CustomObject", &obj),
                    format!("added picklist value '{value}'"),
                )
            })
        }
        1 => {
            let keys = ed.keys_of("CustomObject");
            let (ok, name) = scan(ed, rng, keys, |k, o| {
                o.all("validationRules")
                    .filter(|v| {
                        !v.child_text("errorConditionFormula")
                            .starts_with("AND(NOT(ISNEW())")
                    })
                    .map(|v| (k.clone(), v.child_text("fullName").to_owned()))
                    .collect()
            })?;
            let mut o = ed.load(&ok)?;
            let v = o
                .children
                .iter_mut()
                .find(|c| c.name == "validationRules" && c.child_text("fullName") == name)?;
            let f = v.child_mut("errorConditionFormula")?;
            f.text = format!("AND(NOT(ISNEW()), {})", f.text);
            ed.store(&ok, &o);
            Some(DriftEdit::new(
                DriftOp::Change,
                "ValidationRule",
                format!("{}.{name}", ok.full_name),
                ok,
                "formula edited".into(),
            ))
        }
        2 => {
            let mut sec = ed.keys_of("Profile");
            sec.extend(ed.keys_of("PermissionSet"));
            let pk = pick(rng, &sec)?;
            let p = ed.cached(&pk)?;
            let fps: Vec<(String, bool)> = p
                .all("fieldPermissions")
                .map(|f| {
                    (
                        f.child_text("field").to_owned(),
                        f.child_text("editable") == "true",
                    )
                })
                .collect();
            let (field, editable) = pick(rng, &fps)?;
            ed.set_field_permission(&pk, &field, !editable, true);
            let ty = pk.type_name.clone();
            Some(DriftEdit::new(
                DriftOp::Change,
                &ty,
                pk.full_name.clone(),
                pk,
                format!("{field} editable={}", !editable),
            ))
        }
        3 => {
            let classes: Vec<ComponentKey> = ed
                .keys_of("ApexClass")
                .into_iter()
                .filter(|k| !k.full_name.ends_with("Test"))
                .collect();
            let ck = pick(rng, &classes)?;
            let body = ed.text(&ck)?;
            let n = 50 * (1 + rng.below(8));
            let new = match body.find("    public static final Integer MAX_BATCH_SIZE = ") {
                Some(i) => {
                    let end = i + body[i..].find('\n')?;
                    format!(
                        "{}    public static final Integer MAX_BATCH_SIZE = {n};{}",
                        &body[..i],
                        &body[end..]
                    )
                }
                None => {
                    let brace = body.find("{\n")? + 2;
                    format!(
                        "{}    public static final Integer MAX_BATCH_SIZE = {n};\n\n{}",
                        &body[..brace],
                        &body[brace..]
                    )
                }
            };
            if new == body {
                return None;
            }
            ed.store_bytes(&ck, new.into_bytes());
            Some(DriftEdit::new(
                DriftOp::Change,
                "ApexClass",
                ck.full_name.clone(),
                ck,
                format!("MAX_BATCH_SIZE = {n}"),
            ))
        }
        4 => {
            let layouts = ed.keys_of("Layout");
            let lk = pick(rng, &layouts)?;
            ed.reorder_layout(&lk).then(|| {
                DriftEdit::new(
                    DriftOp::Change,
                    "Layout",
                    lk.full_name.clone(),
                    lk,
                    "sections reordered".into(),
                )
            })
        }
        _ => {
            let lk = key("CustomLabels", "CustomLabels");
            let mut l = ed.load(&lk)?;
            let names: Vec<String> = l
                .all("labels")
                .map(|x| x.child_text("fullName").to_owned())
                .collect();
            let name = pick(rng, &names)?;
            let lab = l
                .children
                .iter_mut()
                .find(|c| c.name == "labels" && c.child_text("fullName") == name)?;
            let v = lab.child_mut("value")?;
            v.text = if v.text.ends_with(" Contact your administrator.") {
                v.text
                    .trim_end_matches(" Contact your administrator.")
                    .to_owned()
            } else {
                format!("{} Contact your administrator.", v.text)
            };
            ed.store(&lk, &l);
            Some(DriftEdit::new(
                DriftOp::Change,
                "CustomLabel",
                name,
                lk,
                "label text edited".into(),
            ))
        }
    }
}
