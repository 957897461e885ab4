//! readMetadata: components as polymorphic `records` (metadata-soap.md §4).
//!
//! A record is the component's XML (the file content, or the `-meta.xml` for types with
//! content, which then gets `<content>` in base64), renamed to `records` with
//! `xsi:type="<Type>"` and `fullName` first. Child types are cut out of their parent file
//! and carry the `Parent.Child` fullName. Names that do not exist are left out (what real
//! Salesforce returns for them is **UNCONFIRMED**; clients drop records without fullName).

use axum::response::Response;
use base64::Engine;
use orgfleet_metadata::children::{list_children, split_child_name};
use orgfleet_metadata::registry::{self, Layout};
use orgfleet_metadata::xml::{Element, Node};

use super::envelope::{self, SoapRequest, XmlWriter};
use super::list::parent_xml;
use crate::model::{Component, ComponentKey, Org};
use crate::server::{SessionInfo, Sim};

pub fn read_metadata(
    sim: &Sim,
    org_id: &str,
    _session: &SessionInfo,
    req: &SoapRequest,
) -> Response {
    let type_name = req.arg("type").unwrap_or_default();
    let names: Vec<String> = req
        .body
        .children_named("fullNames")
        .map(|e| e.text().trim().to_owned())
        .filter(|n| !n.is_empty())
        .collect();
    if !registry::is_known(&type_name) {
        return envelope::fault(
            "INVALID_TYPE",
            &format!("Cannot use: {type_name} in this version"),
        );
    }
    let limit = if matches!(type_name.as_str(), "CustomMetadata" | "CustomApplication") {
        200
    } else {
        10
    };
    if names.len() > limit {
        return envelope::fault(
            "EXCEEDED_ID_LIMIT",
            &format!(
                "record limit reached. cannot submit more than {limit} records in this operation"
            ),
        );
    }
    let records = sim.with_org(org_id, |org| {
        names
            .iter()
            .filter_map(|n| record_for(org, &type_name, n))
            .collect::<Vec<_>>()
    });
    let Ok(records) = records else {
        return envelope::fault("UNKNOWN_EXCEPTION", "organization not found");
    };
    let mut w = XmlWriter::new();
    w.open("result");
    for r in &records {
        w.element(r);
    }
    w.close("result");
    envelope::ok("readMetadata", &w.finish())
}

/// The record of one component or child, or `None` when it does not exist.
pub fn record_for(org: &Org, type_name: &str, full_name: &str) -> Option<Element> {
    if let Some(ty) = registry::by_name(type_name) {
        let key = ComponentKey::new(ty.name, full_name);
        let comp = org.metadata.get(&key)?;
        return top_level_record(ty.layout, ty.name, full_name, comp);
    }
    let (parent_type, child) = registry::child_by_name(type_name)?;
    let (parent_name, _) = split_child_name(type_name, full_name)?;
    let comp = org
        .metadata
        .get(&ComponentKey::new(parent_type.name, &parent_name))?;
    let kids = list_children(parent_type.name, &parent_name, parent_xml(comp)?).ok()?;
    let kid = kids
        .into_iter()
        .find(|k| k.type_name == child.name && k.full_name == full_name)?;
    Some(as_record(kid.element, type_name, full_name))
}

fn top_level_record(
    layout: Layout,
    type_name: &str,
    full_name: &str,
    comp: &Component,
) -> Option<Element> {
    let meta = comp.files.iter().find(|(p, _)| p.ends_with("-meta.xml"));
    let content = comp.files.iter().find(|(p, _)| !p.ends_with("-meta.xml"));
    let (xml, content) = match layout {
        Layout::ContentAndMeta | Layout::MixedContent => (meta?.1, content.map(|(_, b)| b)),
        Layout::Bundle(_) => (meta?.1, None),
        Layout::Plain | Layout::Decomposed => (content.or(meta)?.1, None),
    };
    let root = Element::parse_bytes(xml, full_name).ok()?;
    let mut record = as_record(root, type_name, full_name);
    if let Some(bytes) = content {
        let encoded = base64::engine::general_purpose::STANDARD.encode(bytes);
        let pos = record
            .children
            .iter()
            .position(|n| matches!(n, Node::Element(e) if e.name.as_str() > "content" && e.name != "fullName"))
            .unwrap_or(record.children.len());
        record
            .children
            .insert(pos, Node::Element(Element::with_text("content", encoded)));
    }
    Some(record)
}

/// Renames an element to `records xsi:type=…` with `fullName` (the member name) first.
fn as_record(mut el: Element, type_name: &str, full_name: &str) -> Element {
    el.name = "records".into();
    el.attrs = vec![("xsi:type".into(), type_name.into())];
    el.children
        .retain(|n| !matches!(n, Node::Element(e) if e.name == "fullName"));
    el.children
        .insert(0, Node::Element(Element::with_text("fullName", full_name)));
    el
}
