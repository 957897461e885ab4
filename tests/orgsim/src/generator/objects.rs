//! Renders planned objects as mdapi `objects/X.object` files (fields, validation rules, record
//! types, list views inline, as a retrieve returns them) and their page layouts.
//!
//! Element order follows Salesforce: `fullName` first, everything else alphabetical; children
//! sorted by `fullName`.

use std::collections::BTreeMap;

use super::plan::{Field, Kind, Obj};
use super::xml::XmlWriter;

const ACTIONS: &[&str] = &[
    "Accept",
    "CancelEdit",
    "Clone",
    "Delete",
    "Edit",
    "List",
    "New",
    "SaveEdit",
    "Tab",
    "View",
];

pub fn render_object(o: &Obj) -> Vec<u8> {
    let mut w = XmlWriter::new("CustomObject");
    if o.custom && !o.mdt {
        for a in ACTIONS {
            w.open("actionOverrides")
                .leaf("actionName", a)
                .leaf("type", "Default")
                .close("actionOverrides");
        }
        w.leaf_bool("allowInChatterGroups", false);
        w.leaf("compactLayoutAssignment", "SYSTEM");
        w.leaf("deploymentStatus", "Deployed");
        w.leaf(
            "description",
            &format!(
                "Tracks {} for the operations team.",
                o.plural.to_lowercase()
            ),
        );
        w.leaf_bool("enableActivities", true);
        w.leaf_bool("enableBulkApi", true);
        w.leaf_bool("enableFeeds", false);
        w.leaf_bool("enableHistory", true);
        w.leaf_bool("enableReports", true);
        w.leaf_bool("enableSearch", true);
        w.leaf_bool("enableSharing", true);
        w.leaf_bool("enableStreamingApi", true);
        w.leaf(
            "externalSharingModel",
            if o.detail_of.is_some() {
                "ControlledByParent"
            } else {
                "Private"
            },
        );
    } else if !o.custom {
        w.leaf("compactLayoutAssignment", "SYSTEM");
        w.leaf_bool("enableFeeds", false);
        w.leaf_bool("enableHistory", true);
        w.leaf("externalSharingModel", "Private");
    }
    let mut fields: Vec<&Field> = o.fields.iter().collect();
    fields.sort_by(|a, b| a.api.cmp(&b.api));
    for f in fields {
        render_field(&mut w, f, o.mdt);
    }
    if o.custom {
        w.leaf("label", &o.label);
    }
    let mut lvs: Vec<_> = o.lvs.iter().collect();
    lvs.sort_by(|a, b| a.name.cmp(&b.name));
    for lv in lvs {
        w.open("listViews").leaf("fullName", &lv.name);
        for c in &lv.columns {
            w.leaf("columns", c);
        }
        w.leaf("filterScope", lv.scope);
        if let Some((field, op, value)) = &lv.filter {
            w.open("filters")
                .leaf("field", field)
                .leaf("operation", op)
                .leaf("value", value)
                .close("filters");
        }
        w.leaf("label", &lv.label).close("listViews");
    }
    if o.custom && !o.mdt {
        w.open("nameField");
        if o.detail_of.is_some() {
            let prefix: String = o
                .label
                .split(' ')
                .filter_map(|p| p.chars().next())
                .collect();
            w.leaf(
                "displayFormat",
                &format!("{}-{{000000}}", prefix.to_uppercase()),
            );
            w.leaf("label", &format!("{} Number", o.label));
            w.leaf_bool("trackHistory", false)
                .leaf("type", "AutoNumber");
        } else {
            w.leaf("label", &format!("{} Name", o.label));
            w.leaf_bool("trackHistory", false).leaf("type", "Text");
        }
        w.close("nameField");
    }
    if o.custom {
        w.leaf("pluralLabel", &o.plural);
    }
    let mut rts: Vec<_> = o.rts.iter().collect();
    rts.sort_by(|a, b| a.name.cmp(&b.name));
    for rt in rts {
        w.open("recordTypes")
            .leaf("fullName", &rt.name)
            .leaf_bool("active", true);
        w.leaf("label", &rt.label);
        let mut pls: Vec<_> = rt.picklists.iter().collect();
        pls.sort_by(|a, b| a.0.cmp(&b.0));
        for (field, values, single) in pls {
            w.open("picklistValues").leaf("picklist", field);
            for (i, v) in values.iter().enumerate() {
                w.open("values")
                    .leaf("fullName", &encode_value(v))
                    .leaf_bool("default", *single && i == 0);
                w.close("values");
            }
            w.close("picklistValues");
        }
        w.close("recordTypes");
    }
    if o.custom && !o.mdt {
        w.open("searchLayouts");
        for f in o.fields.iter().take(3) {
            w.leaf("customTabListAdditionalFields", &f.api);
        }
        w.close("searchLayouts");
        w.leaf(
            "sharingModel",
            if o.detail_of.is_some() {
                "ControlledByParent"
            } else {
                "ReadWrite"
            },
        );
    } else if !o.custom {
        w.leaf("sharingModel", "ReadWrite");
    }
    let mut vrs: Vec<_> = o.vrs.iter().collect();
    vrs.sort_by(|a, b| a.name.cmp(&b.name));
    for vr in vrs {
        w.open("validationRules")
            .leaf("fullName", &vr.name)
            .leaf_bool("active", true);
        w.leaf("description", &vr.description)
            .leaf("errorConditionFormula", &vr.formula);
        if let Some(d) = &vr.display_field {
            w.leaf("errorDisplayField", d);
        }
        w.leaf("errorMessage", &vr.message).close("validationRules");
    }
    if o.mdt {
        w.leaf("visibility", "Public");
    }
    w.finish("CustomObject")
}

/// Record-type picklist values are URL-encoded in files (`HCD%2FTCAC`).
pub fn encode_value(v: &str) -> String {
    v.replace('%', "%25").replace('/', "%2F")
}

fn render_field(w: &mut XmlWriter, f: &Field, mdt: bool) {
    w.open("fields").leaf("fullName", &f.api);
    if let Kind::Standard(ty) = &f.kind {
        w.leaf_bool("trackHistory", false);
        if let Some(t) = ty {
            w.leaf("type", t);
        }
        w.close("fields");
        return;
    }
    match &f.kind {
        Kind::Checkbox => {
            w.leaf("defaultValue", "false");
        }
        Kind::Lookup { .. } => {
            w.leaf("deleteConstraint", "SetNull");
        }
        _ => {}
    }
    w.leaf_bool("externalId", false);
    if mdt {
        w.leaf("fieldManageability", "DeveloperControlled");
    }
    if matches!(f.kind, Kind::Picklist(_) | Kind::Currency(..) | Kind::Date) {
        w.leaf(
            "inlineHelpText",
            &format!("The {} of this record.", f.label.to_lowercase()),
        );
    }
    w.leaf("label", &f.label);
    match &f.kind {
        Kind::Text(n) | Kind::LongText(n) => {
            w.leaf_num("length", n);
        }
        Kind::Number(p, _) | Kind::Currency(p, _) | Kind::Percent(p, _) => {
            w.leaf_num("precision", p);
        }
        _ => {}
    }
    match &f.kind {
        Kind::Lookup { to, rel, rel_label } => {
            w.leaf("referenceTo", to)
                .leaf("relationshipLabel", rel_label)
                .leaf("relationshipName", rel);
        }
        Kind::MasterDetail { to, rel, rel_label } => {
            w.leaf("referenceTo", to)
                .leaf("relationshipLabel", rel_label)
                .leaf("relationshipName", rel);
            w.leaf_num("relationshipOrder", 0)
                .leaf_bool("reparentableMasterDetail", false);
        }
        _ => {}
    }
    if !matches!(f.kind, Kind::Checkbox | Kind::MasterDetail { .. }) {
        w.leaf_bool("required", false);
    }
    if let Kind::Number(_, s) | Kind::Currency(_, s) | Kind::Percent(_, s) = &f.kind {
        w.leaf_num("scale", s);
    }
    if !mdt {
        w.leaf_bool("trackHistory", false)
            .leaf_bool("trackTrending", false);
    }
    let ty = match &f.kind {
        Kind::Text(_) => "Text",
        Kind::TextArea => "TextArea",
        Kind::LongText(_) => "LongTextArea",
        Kind::Number(..) => "Number",
        Kind::Currency(..) => "Currency",
        Kind::Percent(..) => "Percent",
        Kind::Checkbox => "Checkbox",
        Kind::Date => "Date",
        Kind::DateTime => "DateTime",
        Kind::Email => "Email",
        Kind::Phone => "Phone",
        Kind::Url => "Url",
        Kind::Picklist(_) => "Picklist",
        Kind::Multi(_) => "MultiselectPicklist",
        Kind::Lookup { .. } => "Lookup",
        Kind::MasterDetail { .. } => "MasterDetail",
        Kind::Standard(_) => "Text",
    };
    w.leaf("type", ty);
    if matches!(f.kind, Kind::Text(_) | Kind::Number(..) | Kind::Email) {
        w.leaf_bool("unique", false);
    }
    if let Kind::Picklist(values) | Kind::Multi(values) = &f.kind {
        w.open("valueSet")
            .leaf_bool("restricted", true)
            .open("valueSetDefinition")
            .leaf_bool("sorted", false);
        for (i, v) in values.iter().enumerate() {
            w.open("value").leaf("fullName", v);
            w.leaf_bool("default", i == 0 && matches!(f.kind, Kind::Picklist(_)));
            w.leaf("label", v).close("value");
        }
        w.close("valueSetDefinition").close("valueSet");
    }
    match &f.kind {
        Kind::LongText(_) => {
            w.leaf_num("visibleLines", 6);
        }
        Kind::Multi(_) => {
            w.leaf_num("visibleLines", 4);
        }
        Kind::MasterDetail { .. } => {
            w.leaf_bool("writeRequiresMasterRead", false);
        }
        _ => {}
    }
    w.close("fields");
}

fn name_field(o: &Obj) -> &'static str {
    if o.custom {
        "Name"
    } else {
        match o.api.as_str() {
            "Case" => "Subject",
            "Contact" => "Name",
            _ => "Name",
        }
    }
}

/// A related list on a parent's layout: (child object, its lookup field, columns).
pub type RelatedList = (String, String, Vec<String>);

/// Related lists per parent object: every child's Lookup/MasterDetail, in plan order, at most
/// eight per parent (real layouts show a handful).
pub fn related_lists(objs: &[Obj]) -> BTreeMap<String, Vec<RelatedList>> {
    let mut out: BTreeMap<String, Vec<RelatedList>> = BTreeMap::new();
    for child in objs.iter().filter(|o| !o.mdt) {
        for f in &child.fields {
            let (Kind::Lookup { to, .. } | Kind::MasterDetail { to, .. }) = &f.kind else {
                continue;
            };
            let lists = out.entry(to.clone()).or_default();
            if lists.len() >= 8 {
                continue;
            }
            let columns = std::iter::once("NAME".to_owned())
                .chain(
                    child
                        .fields
                        .iter()
                        .filter(|c| c.api != f.api && c.api.ends_with("__c"))
                        .filter(|c| !matches!(c.kind, Kind::LongText(_) | Kind::Multi(_)))
                        .take(3)
                        .map(|c| c.api.clone()),
                )
                .collect();
            lists.push((child.api.clone(), f.api.clone(), columns));
        }
    }
    out
}

pub fn render_layout(o: &Obj, related: &[RelatedList]) -> Vec<u8> {
    let mut w = XmlWriter::new("Layout");
    let mut items: Vec<(&str, &str)> = vec![(name_field(o), "Required")];
    if o.detail_of.is_none() && o.api != "Case" {
        items.push(("OwnerId", "Edit"));
    }
    for f in &o.fields {
        if matches!(f.kind, Kind::Standard(_)) && f.api == "Subject" {
            continue;
        }
        let b = if matches!(f.kind, Kind::MasterDetail { .. }) {
            "Required"
        } else {
            "Edit"
        };
        items.push((&f.api, b));
    }
    let half = items.len().div_ceil(2);
    let (info, details) = items.split_at(half.min(8));
    let sections: [(&str, &[(&str, &str)]); 2] =
        [("Information", info), ("Additional Details", details)];
    for (label, items) in sections {
        if items.is_empty() {
            continue;
        }
        w.open("layoutSections")
            .leaf_bool("customLabel", label != "Information");
        w.leaf_bool("detailHeading", true)
            .leaf_bool("editHeading", true)
            .leaf("label", label);
        let mid = items.len().div_ceil(2);
        for col in [&items[..mid], &items[mid..]] {
            if col.is_empty() {
                w.leaf("layoutColumns", "");
                continue;
            }
            w.open("layoutColumns");
            for (f, b) in col {
                w.open("layoutItems")
                    .leaf("behavior", b)
                    .leaf("field", f)
                    .close("layoutItems");
            }
            w.close("layoutColumns");
        }
        w.leaf("style", "TwoColumnsTopToBottom")
            .close("layoutSections");
    }
    w.open("layoutSections")
        .leaf_bool("customLabel", false)
        .leaf_bool("detailHeading", true);
    w.leaf_bool("editHeading", false)
        .leaf("label", "System Information");
    for f in ["CreatedById", "LastModifiedById"] {
        w.open("layoutColumns")
            .open("layoutItems")
            .leaf("behavior", "Readonly")
            .leaf("field", f);
        w.close("layoutItems").close("layoutColumns");
    }
    w.leaf("style", "TwoColumnsTopToBottom")
        .close("layoutSections");
    for (child, field, columns) in related {
        w.open("relatedLists");
        for c in columns {
            w.leaf("fields", c);
        }
        w.leaf("relatedList", &format!("{child}.{field}"))
            .close("relatedLists");
    }
    w.leaf_bool("showEmailCheckbox", false)
        .leaf_bool("showHighlightsPanel", false);
    w.leaf_bool("showInteractionLogPanel", false)
        .leaf_bool("showRunAssignmentRulesCheckbox", false);
    w.leaf_bool("showSubmitAndAttachButton", false);
    w.finish("Layout")
}
