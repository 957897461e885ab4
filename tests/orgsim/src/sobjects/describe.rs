//! Describe data for the sObjects of [`super::rows`]: fixed field lists for the derived types,
//! fields parsed from the CustomObject file for metadata-backed objects, and fields inferred
//! from the stored records otherwise.

use std::collections::BTreeSet;

use super::{DERIVED, canonical_name, xml_tag};
use crate::model::Org;

/// One field of a describe.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldDesc {
    pub name: String,
    pub label: String,
    /// Describe type: id, string, boolean, reference, datetime, date, picklist, textarea, …
    pub field_type: String,
    pub length: u32,
    pub reference_to: Vec<String>,
    pub relationship_name: Option<String>,
    pub nillable: bool,
    pub createable: bool,
    pub updateable: bool,
    pub custom: bool,
    pub external_id: bool,
    pub picklist_values: Vec<String>,
    pub calculated_formula: Option<String>,
}

/// An object's describe summary and fields.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectDesc {
    pub name: String,
    pub label: String,
    pub label_plural: String,
    pub key_prefix: Option<String>,
    pub custom: bool,
    /// Records can be created/updated/deleted through the REST API.
    pub writable: bool,
    pub fields: Vec<FieldDesc>,
}

fn field(name: &str, field_type: &str) -> FieldDesc {
    let reference_to = match (field_type, name) {
        ("reference", "ProfileId") => vec!["Profile".to_owned()],
        ("reference", _) => vec!["User".to_owned()],
        _ => Vec::new(),
    };
    let relationship_name =
        (field_type == "reference").then(|| name.strip_suffix("Id").unwrap_or(name).to_owned());
    let system = matches!(
        name,
        "Id" | "CreatedDate"
            | "CreatedById"
            | "LastModifiedDate"
            | "LastModifiedById"
            | "SystemModstamp"
            | "IsDeleted"
    );
    FieldDesc {
        name: name.to_owned(),
        label: label_of(name),
        field_type: field_type.to_owned(),
        length: match field_type {
            "string" | "picklist" | "email" | "phone" | "url" => 255,
            "textarea" => 32768,
            "id" | "reference" => 18,
            _ => 0,
        },
        reference_to,
        relationship_name,
        nillable: !matches!(field_type, "id" | "boolean") && name != "Name",
        createable: !system,
        updateable: !system,
        custom: name.ends_with("__c"),
        external_id: false,
        picklist_values: Vec::new(),
        calculated_formula: None,
    }
}

/// `LastModifiedById` → `Last Modified By ID`; `Foo_Bar__c` → `Foo Bar`.
fn label_of(name: &str) -> String {
    let base = name.strip_suffix("__c").unwrap_or(name);
    if base.contains('_') {
        return base.replace('_', " ");
    }
    let mut out = String::new();
    for (i, c) in base.chars().enumerate() {
        if i > 0 && c.is_ascii_uppercase() {
            out.push(' ');
        }
        out.push(c);
    }
    out.strip_suffix(" Id")
        .map(|s| format!("{s} ID"))
        .unwrap_or(out)
}

const AUDIT: &[(&str, &str)] = &[
    ("CreatedDate", "datetime"),
    ("CreatedById", "reference"),
    ("LastModifiedDate", "datetime"),
    ("LastModifiedById", "reference"),
    ("SystemModstamp", "datetime"),
];

fn derived_fields(name: &str) -> Vec<FieldDesc> {
    let own: &[(&str, &str)] = match name {
        "Organization" => &[
            ("Id", "id"),
            ("Name", "string"),
            ("OrganizationType", "picklist"),
            ("IsSandbox", "boolean"),
            ("InstanceName", "string"),
            ("TrialExpirationDate", "datetime"),
            ("NamespacePrefix", "string"),
            ("LanguageLocaleKey", "picklist"),
            ("TimeZoneSidKey", "picklist"),
            ("DefaultLocaleSidKey", "picklist"),
            ("PrimaryContact", "string"),
        ],
        "User" => &[
            ("Id", "id"),
            ("Username", "string"),
            ("Name", "string"),
            ("FirstName", "string"),
            ("LastName", "string"),
            ("Alias", "string"),
            ("Email", "email"),
            ("IsActive", "boolean"),
            ("UserType", "picklist"),
            ("ProfileId", "reference"),
            ("TimeZoneSidKey", "picklist"),
            ("LocaleSidKey", "picklist"),
            ("LanguageLocaleKey", "picklist"),
            ("EmailEncodingKey", "picklist"),
        ],
        "ApexClass" | "ApexTrigger" => &[
            ("Id", "id"),
            ("Name", "string"),
            ("NamespacePrefix", "string"),
            ("ApiVersion", "double"),
            ("Status", "picklist"),
            ("IsValid", "boolean"),
            ("Body", "textarea"),
            ("LengthWithoutComments", "int"),
        ],
        "PermissionSet" => &[
            ("Id", "id"),
            ("Name", "string"),
            ("Label", "string"),
            ("Description", "textarea"),
            ("NamespacePrefix", "string"),
            ("IsOwnedByProfile", "boolean"),
            ("IsCustom", "boolean"),
            ("ProfileId", "reference"),
        ],
        "Profile" => &[("Id", "id"), ("Name", "string"), ("UserType", "picklist")],
        "SetupAuditTrail" => &[
            ("Id", "id"),
            ("Action", "string"),
            ("Section", "string"),
            ("Display", "string"),
            ("CreatedDate", "datetime"),
            ("CreatedById", "reference"),
            ("DelegateUser", "string"),
            ("CreatedByContext", "string"),
            ("CreatedByIssuer", "string"),
            ("ResponsibleNamespacePrefix", "string"),
        ],
        _ => &[],
    };
    let mut fields: Vec<FieldDesc> = own.iter().map(|(n, t)| field(n, t)).collect();
    if name == "ApexTrigger" {
        fields.push(field("TableEnumOrId", "picklist"));
        fields.push(field("UsageBeforeInsert", "boolean"));
        fields.push(field("UsageAfterInsert", "boolean"));
    }
    if name != "SetupAuditTrail" && name != "Organization" {
        fields.extend(AUDIT.iter().map(|(n, t)| field(n, t)));
    }
    fields
}

/// Maps a CustomField `<type>` to the describe type.
fn describe_type(metadata_type: &str) -> &'static str {
    match metadata_type {
        "Checkbox" => "boolean",
        "Number" => "double",
        "Currency" => "currency",
        "Percent" => "percent",
        "Date" => "date",
        "DateTime" => "datetime",
        "Time" => "time",
        "Email" => "email",
        "Phone" => "phone",
        "Url" => "url",
        "Picklist" => "picklist",
        "MultiselectPicklist" => "multipicklist",
        "Lookup" | "MasterDetail" | "Hierarchy" => "reference",
        "TextArea" | "LongTextArea" | "Html" => "textarea",
        _ => "string",
    }
}

/// Fields declared in a CustomObject file (`<fields>` blocks).
fn metadata_fields(xml: &str) -> Vec<FieldDesc> {
    let mut out = Vec::new();
    let mut rest = xml;
    while let Some(start) = rest.find("<fields>") {
        let Some(len) = rest[start..].find("</fields>") else {
            break;
        };
        let block = &rest[start..start + len];
        rest = &rest[start + len..];
        let Some(name) = xml_tag(block, "fullName") else {
            continue;
        };
        let mt = xml_tag(block, "type").unwrap_or("Text");
        let mut f = field(name, describe_type(mt));
        f.label = xml_tag(block, "label").unwrap_or(name).to_owned();
        f.custom = name.ends_with("__c");
        f.external_id = xml_tag(block, "externalId") == Some("true");
        f.nillable = xml_tag(block, "required") != Some("true") && f.field_type != "boolean";
        if let Some(len) = xml_tag(block, "length").and_then(|l| l.parse().ok()) {
            f.length = len;
        }
        if f.field_type == "reference" {
            f.reference_to = xml_tag(block, "referenceTo")
                .map(|r| vec![r.to_owned()])
                .unwrap_or_default();
            f.relationship_name = xml_tag(block, "relationshipName").map(|r| format!("{r}__r"));
        }
        if let Some(formula) = xml_tag(block, "formula") {
            f.calculated_formula = Some(formula.to_owned());
            f.createable = false;
            f.updateable = false;
        }
        let mut values = block;
        while let Some(v) = values.find("<value>") {
            let inner = &values[v..];
            if let Some(full) = xml_tag(inner, "fullName") {
                f.picklist_values.push(full.to_owned());
            }
            values = &values[v + 7..];
        }
        out.push(f);
    }
    out
}

/// The text of `<tag>` as a direct child of the root element (not inside `<fields>` etc.).
fn top_level_tag<'a>(xml: &'a str, tag: &str) -> Option<&'a str> {
    let mut depth = 0usize;
    let mut i = 0usize;
    while let Some(rel) = xml[i..].find('<') {
        let start = i + rel;
        let end = start + xml[start..].find('>')?;
        let inner = &xml[start + 1..end];
        i = end + 1;
        if inner.starts_with('?') || inner.starts_with('!') {
            continue;
        }
        if inner.starts_with('/') {
            depth = depth.saturating_sub(1);
        } else if inner.ends_with('/') {
            continue;
        } else {
            depth += 1;
            let name = inner.split_whitespace().next().unwrap_or("");
            if depth == 2 && name == tag {
                let close = format!("</{tag}>");
                let stop = i + xml[i..].find(&close)?;
                return Some(xml[i..stop].trim());
            }
        }
    }
    None
}

/// Key prefix of an object: fixed for derived and well-known standard objects, a stable
/// `a0X` prefix for custom objects.
pub fn key_prefix(name: &str) -> String {
    let fixed = match name {
        "Organization" => "00D",
        "User" => "005",
        "ApexClass" => "01p",
        "ApexTrigger" => "01q",
        "PermissionSet" => "0PS",
        "Profile" => "00e",
        "SetupAuditTrail" => "0Ym",
        "Account" => "001",
        "Contact" => "003",
        "Opportunity" => "006",
        "Lead" => "00Q",
        "Case" => "500",
        "Task" => "00T",
        "Event" => "00U",
        "Campaign" => "701",
        "Product2" => "01t",
        "Contract" => "800",
        "Order" => "801",
        _ => "",
    };
    if !fixed.is_empty() {
        return fixed.to_owned();
    }
    const ALPHA: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    let hash = name
        .bytes()
        .fold(17u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b)));
    format!(
        "a{}{}",
        ALPHA[(hash % 36) as usize] as char,
        ALPHA[((hash / 36) % 36) as usize] as char
    )
}

/// The describe of `sobject` in this org, or `None` when the org has no such type.
pub fn describe(org: &Org, sobject: &str) -> Option<ObjectDesc> {
    describe_with(org, sobject, true)
}

/// The describe without scanning stored records for undeclared fields (cheap: for writes).
pub fn describe_declared(org: &Org, sobject: &str) -> Option<ObjectDesc> {
    describe_with(org, sobject, false)
}

fn describe_with(org: &Org, sobject: &str, scan_records: bool) -> Option<ObjectDesc> {
    let name = canonical_name(org, sobject)?;
    let derived = DERIVED.contains(&name.as_str());
    let object_xml = org
        .metadata
        .iter()
        .find(|(k, _)| k.type_name == "CustomObject" && k.full_name == name)
        .and_then(|(_, c)| c.files.iter().find(|(p, _)| p.ends_with(".object")))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned());
    let mut fields = if derived {
        derived_fields(&name)
    } else {
        let mut base: Vec<FieldDesc> = [
            ("Id", "id"),
            ("Name", "string"),
            ("OwnerId", "reference"),
            ("IsDeleted", "boolean"),
        ]
        .iter()
        .chain(AUDIT.iter())
        .map(|(n, t)| field(n, t))
        .collect();
        if let Some(xml) = &object_xml {
            for f in metadata_fields(xml) {
                match base
                    .iter_mut()
                    .find(|b| b.name.eq_ignore_ascii_case(&f.name))
                {
                    Some(existing) => *existing = f,
                    None => base.push(f),
                }
            }
        }
        base
    };
    if !derived && scan_records {
        // Fields present on stored records but declared nowhere (scripts' ad-hoc objects).
        let known: BTreeSet<String> = fields.iter().map(|f| f.name.to_ascii_lowercase()).collect();
        let mut extra: BTreeSet<String> = BTreeSet::new();
        for r in org.records.get(&name).into_iter().flat_map(|m| m.values()) {
            for (k, v) in &r.fields {
                if !known.contains(&k.to_ascii_lowercase()) && !v.is_object() {
                    extra.insert(k.clone());
                }
            }
        }
        fields.extend(extra.into_iter().map(|n| field(&n, "string")));
    }
    let label = object_xml
        .as_deref()
        .and_then(|x| top_level_tag(x, "label"))
        .map(str::to_owned)
        .unwrap_or_else(|| label_of(&name));
    let label_plural = object_xml
        .as_deref()
        .and_then(|x| top_level_tag(x, "pluralLabel"))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("{label}s"));
    Some(ObjectDesc {
        key_prefix: Some(key_prefix(&name)),
        custom: name.ends_with("__c"),
        writable: !derived,
        label,
        label_plural,
        name,
        fields,
    })
}

/// Every sObject name the org can describe (derived, with records, or CustomObject metadata).
pub fn describable_objects(org: &Org) -> Vec<String> {
    let mut names: BTreeSet<String> = DERIVED.iter().map(|s| (*s).to_owned()).collect();
    names.extend(org.records.keys().cloned());
    names.extend(super::STANDARD.iter().map(|s| (*s).to_owned()));
    names.extend(
        org.metadata
            .keys()
            .filter(|k| k.type_name == "CustomObject")
            .map(|k| k.full_name.clone()),
    );
    names.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn custom_fields_from_object_xml() {
        let xml = "<CustomObject><label>Invoice</label><fields><fullName>Amount__c</fullName><label>Amount</label><type>Currency</type></fields>\
                   <fields><fullName>Stage__c</fullName><label>Stage</label><type>Picklist</type><valueSet><valueSetDefinition>\
                   <value><fullName>Open</fullName></value><value><fullName>Closed</fullName></value></valueSetDefinition></valueSet></fields></CustomObject>";
        let fields = metadata_fields(xml);
        assert_eq!(fields.len(), 2);
        assert_eq!(fields[0].field_type, "currency");
        assert_eq!(fields[1].picklist_values, vec!["Open", "Closed"]);
        assert_eq!(top_level_tag(xml, "label"), Some("Invoice"));
        assert_eq!(
            top_level_tag("<?xml?><A><b/><label>x</label></A>", "label"),
            Some("x")
        );
    }

    #[test]
    fn labels_and_prefixes() {
        assert_eq!(label_of("LastModifiedById"), "Last Modified By ID");
        assert_eq!(label_of("Due_Date__c"), "Due Date");
        assert_eq!(key_prefix("Account"), "001");
        assert_eq!(key_prefix("Invoice__c"), key_prefix("Invoice__c"));
        assert!(key_prefix("Invoice__c").starts_with('a'));
    }
}
