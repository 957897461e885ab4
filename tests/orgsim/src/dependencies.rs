//! MetadataComponentDependency rows computed from the org's metadata (rest-tooling.md §7):
//! layouts → custom fields they place, validation rules → fields in their formula, flows →
//! objects/fields they touch, Apex → classes, custom objects and fields it names, permission
//! sets/profiles → fields, objects and classes they grant.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::model::{Component, Org};

/// Inner texts of every `<tag>…</tag>` in `xml` (same-name nesting not supported).
pub fn blocks<'a>(xml: &'a str, tag: &str) -> Vec<&'a str> {
    let (open, close) = (format!("<{tag}>"), format!("</{tag}>"));
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(s) = rest.find(&open) {
        let after = &rest[s + open.len()..];
        let Some(e) = after.find(&close) else { break };
        out.push(&after[..e]);
        rest = &after[e + close.len()..];
    }
    out
}

pub fn first<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    blocks(xml, tag).into_iter().next().map(str::trim)
}

/// A stable id for a child component (CustomField, ValidationRule) that has no own file.
pub fn child_id(prefix: &str, full_name: &str) -> String {
    let h = full_name
        .to_ascii_lowercase()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325u64, |a, b| {
            (a ^ b as u64).wrapping_mul(0x100_0000_01b3)
        });
    crate::ids::make_id(prefix, h % 1_000_000_000_000)
}

fn text(c: &Component) -> String {
    c.files
        .iter()
        .filter(|(p, _)| !p.ends_with("-meta.xml") || p.starts_with("flows/"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect::<Vec<_>>()
        .join("\n")
}

/// `Foo__c`-style identifiers in code or formulas.
fn custom_tokens(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| w.len() > 3 && w.to_ascii_lowercase().ends_with("__c"))
        .map(str::to_owned)
        .collect()
}

struct Node {
    id: String,
    name: String,
    ns: Option<String>,
    ty: &'static str,
}

struct Index {
    /// object (lowercase) → (canonical object name, field lowercase → canonical field).
    fields: BTreeMap<String, (String, BTreeMap<String, String>)>,
    classes: BTreeMap<String, (String, String)>,
    objects: BTreeMap<String, (String, String)>,
}

impl Index {
    fn field(&self, object: &str, field: &str) -> Option<Node> {
        let (obj, fields) = self.fields.get(&object.to_ascii_lowercase())?;
        let f = fields.get(&field.to_ascii_lowercase())?;
        let name = format!("{obj}.{f}");
        Some(Node {
            id: child_id("00N", &name),
            name,
            ns: None,
            ty: "CustomField",
        })
    }

    fn object(&self, name: &str) -> Option<Node> {
        let (n, id) = self.objects.get(&name.to_ascii_lowercase())?;
        n.to_ascii_lowercase().ends_with("__c").then(|| Node {
            id: id.clone(),
            name: n.clone(),
            ns: None,
            ty: "CustomObject",
        })
    }

    /// A field named without its object: the unique object (among `objects`, else all) having it.
    fn loose_field(&self, objects: &[String], field: &str) -> Vec<Node> {
        let scoped: Vec<Node> = objects
            .iter()
            .filter_map(|o| self.field(o, field))
            .collect();
        if !scoped.is_empty() {
            return scoped;
        }
        let all: Vec<Node> = self
            .fields
            .values()
            .filter_map(|(o, _)| self.field(o, field))
            .collect();
        if all.len() == 1 { all } else { Vec::new() }
    }
}

fn index(org: &Org) -> Index {
    let mut idx = Index {
        fields: BTreeMap::new(),
        classes: BTreeMap::new(),
        objects: BTreeMap::new(),
    };
    for (k, c) in &org.metadata {
        match k.type_name.as_str() {
            "CustomObject" => {
                let xml = text(c);
                let fields = blocks(&xml, "fields")
                    .into_iter()
                    .filter_map(|f| first(f, "fullName"))
                    .map(|n| (n.to_ascii_lowercase(), n.to_owned()))
                    .collect();
                idx.fields.insert(
                    k.full_name.to_ascii_lowercase(),
                    (k.full_name.clone(), fields),
                );
                idx.objects.insert(
                    k.full_name.to_ascii_lowercase(),
                    (k.full_name.clone(), c.id.clone()),
                );
            }
            "ApexClass" => {
                idx.classes.insert(
                    k.full_name.to_ascii_lowercase(),
                    (k.full_name.clone(), c.id.clone()),
                );
            }
            _ => {}
        }
    }
    idx
}

fn row(from: &Node, to: &Node) -> Map<String, Value> {
    let v = json!({
        "attributes": {"type": "MetadataComponentDependency"},
        "MetadataComponentId": from.id, "MetadataComponentName": from.name,
        "MetadataComponentNamespace": from.ns, "MetadataComponentType": from.ty,
        "RefMetadataComponentId": to.id, "RefMetadataComponentName": to.name,
        "RefMetadataComponentNamespace": to.ns, "RefMetadataComponentType": to.ty,
    });
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Every dependency of the org's metadata, as Tooling rows.
pub fn rows(org: &Org) -> Vec<Map<String, Value>> {
    let idx = index(org);
    let mut out: Vec<(String, String, Map<String, Value>)> = Vec::new();
    let mut push = |from: &Node, to: Node| {
        if from.id != to.id {
            out.push((from.id.clone(), to.id.clone(), row(from, &to)));
        }
    };
    for (k, c) in &org.metadata {
        let xml = text(c);
        let ty: &'static str = match k.type_name.as_str() {
            "Layout" => "Layout",
            "CustomObject" => "CustomObject",
            "Flow" => "Flow",
            "ApexClass" => "ApexClass",
            "ApexTrigger" => "ApexTrigger",
            "PermissionSet" => "PermissionSet",
            "Profile" => "Profile",
            _ => continue,
        };
        let me = Node {
            id: c.id.clone(),
            name: k.full_name.clone(),
            ns: c.namespace_prefix.clone(),
            ty,
        };
        match ty {
            "Layout" => {
                let object = k.full_name.split('-').next().unwrap_or_default();
                for f in blocks(&xml, "field") {
                    if let Some(n) = idx.field(object, f.trim()) {
                        push(&me, n);
                    }
                }
            }
            "CustomObject" => {
                for vr in blocks(&xml, "validationRules") {
                    let Some(name) = first(vr, "fullName") else {
                        continue;
                    };
                    let rule_name = format!("{}.{name}", k.full_name);
                    let rule = Node {
                        id: child_id("03d", &rule_name),
                        name: rule_name,
                        ns: None,
                        ty: "ValidationRule",
                    };
                    let formula = first(vr, "errorConditionFormula").unwrap_or_default();
                    for t in custom_tokens(formula) {
                        if let Some(n) = idx.field(&k.full_name, &t) {
                            push(&rule, n);
                        }
                    }
                }
            }
            "Flow" => {
                let objects: Vec<String> = blocks(&xml, "object")
                    .into_iter()
                    .map(|o| o.trim().to_owned())
                    .collect();
                for o in &objects {
                    if let Some(n) = idx.object(o) {
                        push(&me, n);
                    }
                }
                let mut seen = BTreeSet::new();
                for f in blocks(&xml, "field").into_iter().map(str::trim).chain(
                    custom_tokens(&xml)
                        .iter()
                        .map(String::as_str)
                        .collect::<Vec<_>>(),
                ) {
                    if f.to_ascii_lowercase().ends_with("__c")
                        && seen.insert(f.to_ascii_lowercase())
                    {
                        for n in idx.loose_field(&objects, f) {
                            push(&me, n);
                        }
                    }
                }
            }
            "ApexClass" | "ApexTrigger" => {
                let words: BTreeSet<String> = xml
                    .split(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                    .filter(|w| !w.is_empty())
                    .map(str::to_ascii_lowercase)
                    .collect();
                for w in &words {
                    if let Some((name, id)) = idx.classes.get(w)
                        && !name.eq_ignore_ascii_case(&k.full_name)
                    {
                        push(
                            &me,
                            Node {
                                id: id.clone(),
                                name: name.clone(),
                                ns: None,
                                ty: "ApexClass",
                            },
                        );
                    }
                }
                let objects: Vec<String> = words
                    .iter()
                    .filter(|w| idx.objects.contains_key(*w))
                    .cloned()
                    .collect();
                for o in &objects {
                    if let Some(n) = idx.object(o) {
                        push(&me, n);
                    }
                }
                for t in custom_tokens(&xml) {
                    if !idx.objects.contains_key(&t.to_ascii_lowercase()) {
                        for n in idx.loose_field(&objects, &t) {
                            push(&me, n);
                        }
                    }
                }
            }
            _ => {
                for fp in blocks(&xml, "fieldPermissions") {
                    if let Some((o, f)) = first(fp, "field").and_then(|f| f.split_once('.'))
                        && let Some(n) = idx.field(o, f)
                    {
                        push(&me, n);
                    }
                }
                for op in blocks(&xml, "objectPermissions") {
                    if let Some(n) = first(op, "object").and_then(|o| idx.object(o)) {
                        push(&me, n);
                    }
                }
                for ca in blocks(&xml, "classAccesses") {
                    if let Some((name, id)) = first(ca, "apexClass")
                        .and_then(|c| idx.classes.get(&c.to_ascii_lowercase()))
                    {
                        push(
                            &me,
                            Node {
                                id: id.clone(),
                                name: name.clone(),
                                ns: None,
                                ty: "ApexClass",
                            },
                        );
                    }
                }
            }
        }
    }
    let mut seen = BTreeSet::new();
    out.into_iter()
        .filter(|(a, b, _)| seen.insert((a.clone(), b.clone())))
        .map(|(_, _, r)| r)
        .collect()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::model::{Component, ComponentKey};

    fn component(id: &str, path: &str, body: &str) -> Component {
        serde_json::from_value(json!({
            "id": id, "files": {path: body.as_bytes()},
            "created_by_id": "005", "created_by_name": "A", "created_date": "2026-01-01T00:00:00.000Z",
            "last_modified_by_id": "005", "last_modified_by_name": "A",
            "last_modified_date": "2026-01-01T00:00:00.000Z", "namespace_prefix": null
        }))
        .unwrap()
    }

    fn org() -> Org {
        let mut o: Org = serde_json::from_value(json!({
            "id": "00D000000000001AAA", "alias": "t", "name": "T", "kind": "sandbox", "instance_name": "CS1",
            "instance_url": "", "users": [], "metadata": {}, "records": {}, "next_id": 0
        }))
        .unwrap();
        let mut add = |ty: &str, name: &str, id: &str, path: &str, body: &str| {
            o.metadata
                .insert(ComponentKey::new(ty, name), component(id, path, body));
        };
        add(
            "CustomObject",
            "Invoice__c",
            "01I000000000001AAA",
            "objects/Invoice__c.object",
            "<CustomObject><fields><fullName>Amount__c</fullName></fields><fields><fullName>Paid__c</fullName></fields>\
             <validationRules><fullName>Positive</fullName><errorConditionFormula>Amount__c &lt; 0 &amp;&amp; Paid__c</errorConditionFormula></validationRules></CustomObject>",
        );
        add(
            "Flow",
            "Pay",
            "301000000000001AAA",
            "flows/Pay.flow-meta.xml",
            "<Flow><recordUpdates><object>Invoice__c</object><inputAssignments><field>Paid__c</field></inputAssignments></recordUpdates></Flow>",
        );
        add(
            "ApexClass",
            "Billing",
            "01p000000000001AAA",
            "classes/Billing.cls",
            "public class Billing { Invoice__c i; Decimal d = i.Amount__c; Util u; }",
        );
        add(
            "ApexClass",
            "Util",
            "01p000000000002AAA",
            "classes/Util.cls",
            "public class Util {}",
        );
        add(
            "PermissionSet",
            "Billing_Admin",
            "0PS000000000001AAA",
            "permissionsets/Billing_Admin.permissionset",
            "<PermissionSet><fieldPermissions><editable>true</editable><field>Invoice__c.Paid__c</field></fieldPermissions>\
             <objectPermissions><object>Invoice__c</object></objectPermissions><classAccesses><apexClass>Util</apexClass></classAccesses></PermissionSet>",
        );
        o
    }

    fn pairs(o: &Org) -> Vec<String> {
        let mut v: Vec<String> = rows(o)
            .iter()
            .map(|r| {
                format!(
                    "{}:{} -> {}:{}",
                    r["MetadataComponentType"].as_str().unwrap(),
                    r["MetadataComponentName"].as_str().unwrap(),
                    r["RefMetadataComponentType"].as_str().unwrap(),
                    r["RefMetadataComponentName"].as_str().unwrap()
                )
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn references_from_every_kind() {
        assert_eq!(
            pairs(&org()),
            [
                "ApexClass:Billing -> ApexClass:Util",
                "ApexClass:Billing -> CustomField:Invoice__c.Amount__c",
                "ApexClass:Billing -> CustomObject:Invoice__c",
                "Flow:Pay -> CustomField:Invoice__c.Paid__c",
                "Flow:Pay -> CustomObject:Invoice__c",
                "PermissionSet:Billing_Admin -> ApexClass:Util",
                "PermissionSet:Billing_Admin -> CustomField:Invoice__c.Paid__c",
                "PermissionSet:Billing_Admin -> CustomObject:Invoice__c",
                "ValidationRule:Invoice__c.Positive -> CustomField:Invoice__c.Amount__c",
                "ValidationRule:Invoice__c.Positive -> CustomField:Invoice__c.Paid__c",
            ]
        );
    }

    #[test]
    fn ids_are_stable_and_namespaced_columns_present() {
        let o = org();
        let a = rows(&o);
        let b = rows(&o);
        assert_eq!(a, b);
        let field = a
            .iter()
            .find(|r| r["RefMetadataComponentName"] == "Invoice__c.Amount__c")
            .unwrap();
        assert!(
            field["RefMetadataComponentId"]
                .as_str()
                .unwrap()
                .starts_with("00N")
        );
        assert!(field["MetadataComponentNamespace"].is_null());
    }
}
