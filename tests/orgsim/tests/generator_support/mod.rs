//! Shared helpers of the generator tests (`generator.rs`, `generator_drift.rs`): comparing
//! two generated metadata maps and reading a component's XML (fields, picklist values).

#![allow(dead_code)]

use std::collections::BTreeMap;

use orgsim::generator::xml::El;
use orgsim::{Component, ComponentKey};

pub type Md = BTreeMap<ComponentKey, Component>;

pub fn same(a: &Md, b: &Md) -> bool {
    a.len() == b.len()
        && a.iter().zip(b.iter()).all(|((ka, ca), (kb, cb))| {
            ka == kb
                && ca.files == cb.files
                && ca.id == cb.id
                && ca.created_date == cb.created_date
                && ca.last_modified_date == cb.last_modified_date
                && ca.created_by_id == cb.created_by_id
                && ca.last_modified_by_name == cb.last_modified_by_name
        })
}

pub fn file<'a>(md: &'a Md, ty: &str, name: &str) -> &'a [u8] {
    let c = md
        .get(&ComponentKey::new(ty, name))
        .unwrap_or_else(|| panic!("{ty} {name} missing"));
    c.files
        .iter()
        .find(|(p, _)| !p.ends_with("-meta.xml"))
        .map(|(_, b)| b.as_slice())
        .expect("main file")
}

pub fn el(md: &Md, ty: &str, name: &str) -> El {
    El::parse(file(md, ty, name)).expect("parses")
}

pub fn field_names(md: &Md, obj: &str) -> Vec<String> {
    el(md, "CustomObject", obj)
        .all("fields")
        .map(|f| f.child_text("fullName").to_owned())
        .collect()
}

pub fn picklist_values(md: &Md, obj: &str, field: &str) -> Vec<String> {
    let o = el(md, "CustomObject", obj);
    let f = o
        .all("fields")
        .find(|f| f.child_text("fullName") == field)
        .expect("field");
    f.child("valueSet")
        .and_then(|v| v.child("valueSetDefinition"))
        .expect("values")
        .all("value")
        .map(|v| v.child_text("fullName").to_owned())
        .collect()
}
