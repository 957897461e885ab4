//! Flows (record-triggered, before save), custom labels, the custom metadata type's records
//! and the Industry standard value set. Every field a flow filters on or assigns exists on its
//! object, with a real picklist value where one is used.

use super::API_VERSION;
use super::names::api_base;
use super::plan::{Field, Kind, Obj, Plan};
use super::xml::XmlWriter;

pub fn flow_name(o: &Obj) -> String {
    format!("{}_Before_Save", api_base(&o.label))
}

fn value(w: &mut XmlWriter, ty: &str, v: &str) {
    w.open("value").leaf(ty, v).close("value");
}

pub fn render_flow(o: &Obj) -> Vec<u8> {
    let numeric = o
        .fields
        .iter()
        .find(|f| matches!(f.kind, Kind::Currency(..) | Kind::Number(..)));
    let checkbox = o.fields.iter().find(|f| matches!(f.kind, Kind::Checkbox));
    let picklist = o
        .fields
        .iter()
        .rev()
        .find(|f| matches!(f.kind, Kind::Picklist(_)));
    let (target, ty, val): (&Field, &str, String) = match (checkbox, picklist) {
        (Some(c), _) => (c, "booleanValue", "true".into()),
        (None, Some(p)) => {
            let values = p.values().unwrap_or_default();
            let v = values
                .iter()
                .find(|v| *v == "In Review")
                .or(values.last())
                .cloned()
                .unwrap_or_default();
            (p, "stringValue", v)
        }
        (None, None) => (&o.fields[0], "stringValue", "Flagged".into()),
    };
    let label = format!("{}: Before Save", o.label);
    let mut w = XmlWriter::new("Flow");
    w.leaf("apiVersion", API_VERSION);
    w.open("assignments")
        .leaf("name", "Flag_Record")
        .leaf("label", "Flag Record");
    w.leaf_num("locationX", 176).leaf_num("locationY", 287);
    w.open("assignmentItems")
        .leaf("assignToReference", &format!("$Record.{}", target.api));
    w.leaf("operator", "Assign");
    value(&mut w, ty, &val);
    w.close("assignmentItems").close("assignments");
    let what = if ty == "booleanValue" {
        target.label.clone()
    } else {
        format!("{} to {val}", target.label)
    };
    let when = if numeric.is_some() { "high-value " } else { "" };
    w.leaf(
        "description",
        &format!("Sets {what} on {when}{}.", o.plural.to_lowercase()),
    );
    w.leaf("environments", "Default");
    w.leaf(
        "interviewLabel",
        &format!("{label} {{!$Flow.CurrentDateTime}}"),
    );
    w.leaf("label", &label);
    for (name, v) in [
        ("BuilderType", "LightningFlowBuilder"),
        ("CanvasMode", "AUTO_LAYOUT_CANVAS"),
        ("OriginBuilderType", "LightningFlowBuilder"),
    ] {
        w.open("processMetadataValues").leaf("name", name);
        value(&mut w, "stringValue", v);
        w.close("processMetadataValues");
    }
    w.leaf("processType", "AutoLaunchedFlow");
    w.open("start")
        .leaf_num("locationX", 50)
        .leaf_num("locationY", 0);
    w.open("connector")
        .leaf("targetReference", "Flag_Record")
        .close("connector");
    if let Some(n) = numeric {
        w.leaf("filterLogic", "and");
        w.open("filters")
            .leaf("field", &n.api)
            .leaf("operator", "GreaterThan");
        value(&mut w, "numberValue", "10000.0");
        w.close("filters");
    }
    w.leaf("object", &o.api)
        .leaf("recordTriggerType", "CreateAndUpdate");
    w.leaf("triggerType", "RecordBeforeSave").close("start");
    w.leaf("status", "Active");
    w.finish("Flow")
}

pub fn render_labels(p: &Plan) -> Vec<u8> {
    let mut labels: Vec<&(String, String, String)> = p.labels.iter().collect();
    labels.sort_by(|a, b| a.0.cmp(&b.0));
    let mut w = XmlWriter::new("CustomLabels");
    for (name, category, value) in labels {
        w.open("labels")
            .leaf("fullName", name)
            .leaf("categories", category)
            .leaf("language", "en_US");
        w.leaf_bool("protected", false)
            .leaf("shortDescription", &name.replace('_', " "));
        w.leaf("value", value).close("labels");
    }
    w.finish("CustomLabels")
}

pub fn render_mdt_record(label: &str, values: &[(String, &'static str, String)]) -> Vec<u8> {
    let mut w = XmlWriter::with_attrs(
        "CustomMetadata",
        &[
            ("xmlns", super::xml::NS),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xmlns:xsd", "http://www.w3.org/2001/XMLSchema"),
        ],
    );
    w.leaf("label", label).leaf_bool("protected", false);
    for (field, ty, v) in values {
        w.open("values").leaf("field", field);
        w.leaf_attr("value", Some(("xsi:type", ty)), v);
        w.close("values");
    }
    w.finish("CustomMetadata")
}

pub fn render_standard_value_set(values: &[String]) -> Vec<u8> {
    let mut w = XmlWriter::new("StandardValueSet");
    w.leaf_bool("sorted", false);
    for v in values {
        w.open("standardValue")
            .leaf("fullName", v)
            .leaf_bool("default", false)
            .leaf("label", v);
        w.close("standardValue");
    }
    w.finish("StandardValueSet")
}
