//! Order-insensitive comparison of metadata XML, driven by the registry's collections.
//!
//! Salesforce returns keyed sets (profile permissions, object fields, labels) in whatever
//! order it likes, while some lists are meaningful in order (picklist values, layout
//! sections). Drift detection and round-trip checks must ignore the first and respect the
//! second; [`normalize`] sorts exactly the keyed sets declared in [`crate::registry`] and
//! trims formatting whitespace, so two files can be compared with `==` or
//! [`Element::canonical`].

use crate::registry::{self, Collection};
use crate::xml::{Element, Node};

/// The element with every keyed-set collection of `type_name` sorted by its key (ordered
/// lists untouched). Unknown types are returned unchanged.
pub fn normalize(type_name: &str, root: &Element) -> Element {
    let collections: &[Collection] = match registry::by_name(type_name) {
        Some(t) => t.collections,
        None if type_name == "CustomField" => registry::CUSTOM_FIELD_COLLECTIONS,
        None => &[],
    };
    let mut out = root.clone();
    normalize_at(&mut out, "", collections);
    out
}

fn normalize_at(el: &mut Element, path: &str, collections: &[Collection]) {
    for child in el.children.iter_mut() {
        if let Node::Element(c) = child {
            let child_path = if path.is_empty() {
                c.name.clone()
            } else {
                format!("{path}/{}", c.name)
            };
            normalize_at(c, &child_path, collections);
        }
    }
    for coll in collections
        .iter()
        .filter(|c| !c.ordered && parent_of(c.path) == path)
    {
        let name = coll.path.rsplit('/').next().unwrap_or(coll.path);
        let slots: Vec<usize> = el
            .children
            .iter()
            .enumerate()
            .filter(|(_, n)| matches!(n, Node::Element(e) if e.name == name))
            .map(|(i, _)| i)
            .collect();
        let mut items: Vec<Node> = slots.iter().map(|&i| el.children[i].clone()).collect();
        items.sort_by_cached_key(|n| match n {
            Node::Element(e) => sort_key(e, coll.key),
            Node::Text(t) => (Vec::new(), t.clone()),
        });
        for (slot, item) in slots.into_iter().zip(items) {
            el.children[slot] = item;
        }
    }
}

fn parent_of(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(p, _)| p)
}

fn sort_key(e: &Element, key: &[&str]) -> (Vec<String>, String) {
    let k = key
        .iter()
        .map(|k| e.child_text(k).unwrap_or_default())
        .collect();
    (k, e.canonical())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Element {
        Element::parse_str(s, "t").unwrap()
    }

    #[test]
    fn keyed_sets_ignore_order_lists_do_not() {
        let a = parse(
            "<Profile><fieldPermissions><field>A.x</field></fieldPermissions><custom>false</custom>\
             <fieldPermissions><field>A.y</field></fieldPermissions></Profile>",
        );
        let b = parse(
            "<Profile><fieldPermissions><field>A.y</field></fieldPermissions><custom>false</custom>\
             <fieldPermissions><field>A.x</field></fieldPermissions></Profile>",
        );
        assert_ne!(a, b);
        assert_eq!(normalize("Profile", &a), normalize("Profile", &b));

        let v = |x: &str, y: &str| {
            parse(&format!(
                "<CustomObject><fields><fullName>F</fullName><valueSet><valueSetDefinition>\
                 <value><fullName>{x}</fullName></value><value><fullName>{y}</fullName></value>\
                 </valueSetDefinition></valueSet></fields></CustomObject>"
            ))
        };
        assert_ne!(
            normalize("CustomObject", &v("a", "b")),
            normalize("CustomObject", &v("b", "a"))
        );
        let f = |x: &str, y: &str| {
            parse(&format!(
                "<CustomObject><fields><fullName>{x}</fullName></fields><fields><fullName>{y}</fullName></fields></CustomObject>"
            ))
        };
        assert_eq!(
            normalize("CustomObject", &f("a", "b")),
            normalize("CustomObject", &f("b", "a"))
        );
        let layout = |x: &str, y: &str| {
            parse(&format!(
                "<Layout><layoutSections><label>{x}</label></layoutSections><layoutSections><label>{y}</label></layoutSections></Layout>"
            ))
        };
        assert_ne!(
            normalize("Layout", &layout("a", "b")),
            normalize("Layout", &layout("b", "a"))
        );
    }
}
