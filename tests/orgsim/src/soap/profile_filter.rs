//! The Profile/PermissionSet retrieve rule: access entries come back only for components in
//! the same retrieve (metadata-formats.md §5).
//!
//! Real Salesforce returns "thin" profiles when retrieved alone: fieldPermissions only for
//! objects/fields in the same request, classAccesses only for retrieved classes, and so on.
//! A fake that returned full profiles would let clients pass here and break on real orgs,
//! so retrieve runs every Profile and PermissionSet file through this filter.

use std::collections::{BTreeMap, BTreeSet};

use orgfleet_metadata::xml::{Element, Node};

/// What one retrieve contains: type name → member names (children as `Parent.Child`).
#[derive(Debug, Default, Clone)]
pub struct RetrievedSet {
    names: BTreeMap<String, BTreeSet<String>>,
}

impl RetrievedSet {
    pub fn add(&mut self, type_name: &str, full_name: &str) {
        self.names
            .entry(type_name.to_owned())
            .or_default()
            .insert(full_name.to_owned());
    }

    pub fn has(&self, type_name: &str, full_name: &str) -> bool {
        self.names
            .get(type_name)
            .is_some_and(|s| s.contains(full_name))
    }

    fn object_of(member: &str) -> &str {
        member.split_once('.').map_or(member, |(o, _)| o)
    }

    /// Whether a profile entry (section element) survives the retrieve.
    fn keeps(&self, section: &Element) -> bool {
        let t = |name: &str| section.child_text(name).unwrap_or_default();
        match section.name.as_str() {
            "fieldPermissions" => {
                let field = t("field");
                self.has("CustomObject", Self::object_of(&field)) || self.has("CustomField", &field)
            }
            "objectPermissions" => self.has("CustomObject", &t("object")),
            "classAccesses" => self.has("ApexClass", &t("apexClass")),
            "pageAccesses" => self.has("ApexPage", &t("apexPage")),
            "layoutAssignments" => self.has("Layout", &t("layout")),
            "recordTypeVisibilities" => {
                let rt = t("recordType");
                self.has("RecordType", &rt) || self.has("CustomObject", Self::object_of(&rt))
            }
            "tabVisibilities" | "tabSettings" => self.has("CustomTab", &t("tab")),
            "applicationVisibilities" => self.has("CustomApplication", &t("application")),
            "customPermissions" => self.has("CustomPermission", &t("name")),
            "flowAccesses" => self.has("Flow", &t("flow")),
            "customMetadataTypeAccesses" | "customSettingAccesses" => {
                self.has("CustomObject", &t("name"))
            }
            "externalDataSourceAccesses" => {
                self.has("ExternalDataSource", &t("externalDataSource"))
            }
            // userPermissions, loginIpRanges, loginHours, custom, userLicense, description...
            _ => true,
        }
    }
}

/// Filters a Profile/PermissionSet file. Files that are not XML are returned unchanged.
pub fn filter_permissions_file(bytes: &[u8], set: &RetrievedSet) -> Vec<u8> {
    let Ok(mut root) = Element::parse_bytes(bytes, "profile") else {
        return bytes.to_vec();
    };
    root.children.retain(|n| match n {
        Node::Element(e) => set.keeps(e),
        Node::Text(_) => true,
    });
    root.to_document().into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_entries_for_retrieved_components() {
        let xml = br#"<Profile xmlns="http://soap.sforce.com/2006/04/metadata">
            <classAccesses><apexClass>Foo</apexClass><enabled>true</enabled></classAccesses>
            <classAccesses><apexClass>Bar</apexClass><enabled>true</enabled></classAccesses>
            <fieldPermissions><editable>true</editable><field>Account.A__c</field><readable>true</readable></fieldPermissions>
            <fieldPermissions><editable>true</editable><field>Case.B__c</field><readable>true</readable></fieldPermissions>
            <layoutAssignments><layout>Account-Account Layout</layout></layoutAssignments>
            <userLicense>Salesforce</userLicense>
            <userPermissions><enabled>true</enabled><name>ApiEnabled</name></userPermissions>
        </Profile>"#;
        let mut set = RetrievedSet::default();
        set.add("ApexClass", "Foo");
        set.add("CustomObject", "Account");
        let out = String::from_utf8(filter_permissions_file(xml, &set)).unwrap();
        assert!(out.contains("<apexClass>Foo</apexClass>"));
        assert!(!out.contains("Bar"));
        assert!(out.contains("Account.A__c"));
        assert!(!out.contains("Case.B__c"));
        assert!(!out.contains("layoutAssignments"));
        assert!(
            out.contains("ApiEnabled") && out.contains("<userLicense>Salesforce</userLicense>")
        );
    }
}
