//! Renders the Admin and Standard User profiles and the permission sets, with field, object,
//! class, layout and record-type entries that all point at components the plan contains.

use super::Rng;
use super::apex::class_names;
use super::plan::{Kind, Obj, Plan};
use super::xml::XmlWriter;

fn perm_fields(o: &Obj) -> impl Iterator<Item = String> + '_ {
    o.fields
        .iter()
        .filter(|f| f.api.ends_with("__c") && !matches!(f.kind, Kind::MasterDetail { .. }))
        .map(move |f| format!("{}.{}", o.api, f.api))
}

fn field_perm(w: &mut XmlWriter, field: &str, editable: bool, readable: bool) {
    w.open("fieldPermissions")
        .leaf_bool("editable", editable)
        .leaf("field", field);
    w.leaf_bool("readable", readable).close("fieldPermissions");
}

fn object_perm(w: &mut XmlWriter, obj: &str, admin: bool) {
    w.open("objectPermissions")
        .leaf_bool("allowCreate", true)
        .leaf_bool("allowDelete", admin);
    w.leaf_bool("allowEdit", true)
        .leaf_bool("allowRead", true)
        .leaf_bool("modifyAllRecords", admin);
    w.leaf("object", obj)
        .leaf_bool("viewAllRecords", admin)
        .close("objectPermissions");
}

/// `admin`: System Administrator (`Admin.profile`), else Standard User (`Standard.profile`).
pub fn render_profile(p: &Plan, admin: bool, seed: u64) -> Vec<u8> {
    let mut rng = Rng::new(seed ^ if admin { 0xad } else { 0x57 });
    let mut w = XmlWriter::new("Profile");
    let mut classes = class_names(p);
    classes.sort();
    for (c, test) in &classes {
        if admin || (!test && (c.ends_with("Service") || c.ends_with("Selector"))) {
            w.open("classAccesses")
                .leaf("apexClass", c)
                .leaf_bool("enabled", true)
                .close("classAccesses");
        }
    }
    w.leaf_bool("custom", false);
    let objs: Vec<&Obj> = {
        let mut v: Vec<&Obj> = p.objs.iter().filter(|o| !o.mdt).collect();
        v.sort_by(|a, b| a.api.cmp(&b.api));
        v
    };
    let mut fields: Vec<String> = objs.iter().flat_map(|o| perm_fields(o)).collect();
    fields.sort();
    for f in &fields {
        let editable = admin || rng.below(4) != 0;
        field_perm(&mut w, f, editable, true);
    }
    let mut assignments: Vec<(String, Option<String>)> = Vec::new();
    for o in &objs {
        assignments.push((o.layout(), None));
        for rt in &o.rts {
            assignments.push((o.layout(), Some(format!("{}.{}", o.api, rt.name))));
        }
    }
    assignments.sort();
    for (layout, rt) in &assignments {
        w.open("layoutAssignments").leaf("layout", layout);
        if let Some(rt) = rt {
            w.leaf("recordType", rt);
        }
        w.close("layoutAssignments");
    }
    for o in &objs {
        object_perm(&mut w, &o.api, admin);
    }
    record_type_visibilities(&mut w, &objs, true);
    w.leaf("userLicense", "Salesforce");
    let perms: &[&str] = if admin {
        &[
            "ApiEnabled",
            "AuthorApex",
            "CustomizeApplication",
            "ManageUsers",
            "ModifyAllData",
            "ViewAllData",
            "ViewSetup",
        ]
    } else {
        &["ApiEnabled", "EditTask", "RunReports"]
    };
    for perm in perms {
        w.open("userPermissions")
            .leaf_bool("enabled", true)
            .leaf("name", perm)
            .close("userPermissions");
    }
    w.finish("Profile")
}

fn record_type_visibilities(w: &mut XmlWriter, objs: &[&Obj], with_default: bool) {
    for o in objs {
        let mut rts: Vec<_> = o.rts.iter().collect();
        rts.sort_by(|a, b| a.name.cmp(&b.name));
        for (i, rt) in rts.iter().enumerate() {
            w.open("recordTypeVisibilities");
            if with_default {
                w.leaf_bool("default", i == 0);
            }
            w.leaf("recordType", &format!("{}.{}", o.api, rt.name))
                .leaf_bool("visible", true);
            w.close("recordTypeVisibilities");
        }
    }
}

pub fn render_permset(p: &Plan, idx: usize) -> Vec<u8> {
    let ps = &p.permsets[idx];
    let mut objs: Vec<&Obj> = ps.objects.iter().map(|&i| &p.objs[i]).collect();
    objs.sort_by(|a, b| a.api.cmp(&b.api));
    let mut w = XmlWriter::new("PermissionSet");
    let mut classes: Vec<String> = objs
        .iter()
        .filter(|o| o.apex)
        .flat_map(|o| {
            [
                format!("{}Selector", o.class_base),
                format!("{}Service", o.class_base),
            ]
        })
        .collect();
    classes.sort();
    for c in &classes {
        w.open("classAccesses")
            .leaf("apexClass", c)
            .leaf_bool("enabled", true)
            .close("classAccesses");
    }
    w.leaf(
        "description",
        &format!(
            "Grants access to manage {} and related records.",
            objs.iter()
                .map(|o| o.plural.as_str())
                .next()
                .unwrap_or("records")
        ),
    );
    let mut fields: Vec<String> = objs.iter().flat_map(|o| perm_fields(o)).collect();
    fields.sort();
    for f in &fields {
        field_perm(&mut w, f, true, true);
    }
    w.leaf_bool("hasActivationRequired", false)
        .leaf("label", &ps.label);
    for o in &objs {
        object_perm(&mut w, &o.api, false);
    }
    record_type_visibilities(&mut w, &objs, false);
    w.finish("PermissionSet")
}
