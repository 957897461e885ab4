//! Child components inside a parent file (CustomField in a `.object`, CustomLabel in
//! `CustomLabels.labels`, WorkflowRule in a `.workflow`, ...).
//!
//! Salesforce stores child types inside their parent, yet lists, retrieves and reads them by
//! their own type and a `Parent.Child` name. This module derives them from the parent XML.

use crate::error::Result;
use crate::registry;
use crate::xml::Element;

/// One child component found in a parent file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildComponent {
    /// Child type, e.g. `CustomField`.
    pub type_name: String,
    /// Member name, e.g. `Account.Industry` (or `My_Label` for CustomLabel).
    pub full_name: String,
    /// The child's element as written in the parent (`<fields>…</fields>`).
    pub element: Element,
}

/// Lists the children inside `xml`, the file of parent component (`parent_type`,
/// `parent_full_name`). Types without children yield an empty list.
pub fn list_children(
    parent_type: &str,
    parent_full_name: &str,
    xml: &[u8],
) -> Result<Vec<ChildComponent>> {
    let Some(ty) = registry::by_name(parent_type) else {
        return Ok(Vec::new());
    };
    if ty.children.is_empty() {
        return Ok(Vec::new());
    }
    let root = Element::parse_bytes(xml, parent_full_name)?;
    Ok(root
        .elements()
        .filter_map(|el| {
            let child = ty.child_by_element(&el.name)?;
            let id = el.child_text(child.id_element).filter(|s| !s.is_empty())?;
            let full_name = if child.ignore_parent_name {
                id
            } else {
                format!("{parent_full_name}.{id}")
            };
            Some(ChildComponent {
                type_name: child.name.to_owned(),
                full_name,
                element: el.clone(),
            })
        })
        .collect())
}

/// Splits a child member name into (parent fullName, child name): `Account.Industry` →
/// (`Account`, `Industry`). CustomLabel members have no parent (`CustomLabels` is the file).
pub fn split_child_name(child_type: &str, full_name: &str) -> Option<(String, String)> {
    let (parent, child) = registry::child_by_name(child_type)?;
    if child.ignore_parent_name {
        return Some((parent.name.to_owned(), full_name.to_owned()));
    }
    full_name
        .split_once('.')
        .map(|(p, c)| (p.to_owned(), c.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_object_and_label_children() {
        let obj =
            br#"<CustomObject xmlns="http://soap.sforce.com/2006/04/metadata"><label>A</label>
            <fields><fullName>Industry</fullName><type>Picklist</type></fields>
            <fields><fullName>Foo__c</fullName></fields>
            <validationRules><fullName>Rule1</fullName></validationRules>
            <listViews><fullName>All</fullName></listViews></CustomObject>"#;
        let kids = list_children("CustomObject", "Account", obj).unwrap();
        let names: Vec<_> = kids
            .iter()
            .map(|k| (k.type_name.as_str(), k.full_name.as_str()))
            .collect();
        assert_eq!(
            names,
            [
                ("CustomField", "Account.Industry"),
                ("CustomField", "Account.Foo__c"),
                ("ValidationRule", "Account.Rule1"),
                ("ListView", "Account.All")
            ]
        );
        let labels = br#"<CustomLabels><labels><fullName>Hello</fullName><value>Hi</value></labels></CustomLabels>"#;
        let kids = list_children("CustomLabels", "CustomLabels", labels).unwrap();
        assert_eq!(
            (kids[0].type_name.as_str(), kids[0].full_name.as_str()),
            ("CustomLabel", "Hello")
        );
        assert!(
            list_children("ApexClass", "Foo", b"not xml")
                .unwrap()
                .is_empty()
        );
        assert!(list_children("CustomObject", "A", b"<CustomObject>").is_err());
        assert_eq!(
            split_child_name("CustomField", "Account.Foo__c"),
            Some(("Account".into(), "Foo__c".into()))
        );
        assert_eq!(
            split_child_name("CustomLabel", "Hello"),
            Some(("CustomLabels".into(), "Hello".into()))
        );
    }

    #[test]
    fn lists_workflow_children() {
        let wf = br#"<Workflow><alerts><fullName>A1</fullName></alerts><rules><fullName>R1</fullName></rules><fieldUpdates><fullName>F1</fullName></fieldUpdates></Workflow>"#;
        let kids = list_children("Workflow", "Account", wf).unwrap();
        let types: Vec<_> = kids.iter().map(|k| k.type_name.as_str()).collect();
        assert_eq!(
            types,
            ["WorkflowAlert", "WorkflowRule", "WorkflowFieldUpdate"]
        );
        assert_eq!(kids[1].full_name, "Account.R1");
    }
}
