//! The human label of a component, for screens that put labels first and API names second
//! ("Annual Contract Value" beside `Account.Annual_Contract_Value__c`).
//!
//! Salesforce keeps it in a top-level `<label>` (objects, fields, apps, permission sets,
//! record types, ...), `<masterLabel>` (custom metadata types, flows' definitions, standard
//! value sets' references, ...) or, for custom labels, `<shortDescription>`. Only the
//! elements directly below the root are looked at, and the scan stops at the first match,
//! so a large file costs a streaming pass at most.

use quick_xml::Reader;
use quick_xml::events::Event;

use crate::xml::predefined_entity;

/// The label in `xml` (a component's metadata file, or a child component's element), if it
/// has one. Malformed XML simply has none.
pub fn label_of(xml: &[u8]) -> Option<String> {
    let mut reader = Reader::from_reader(xml);
    let mut depth = 0usize;
    let mut capture = false;
    let mut text = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(start) => {
                depth += 1;
                let name = start.local_name();
                capture = depth == 2
                    && matches!(name.as_ref(), "label" | "masterLabel" | "shortDescription");
                text.clear();
            }
            Event::Text(t) if capture => text.push_str(&t.xml10_content()),
            Event::CData(t) if capture => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if capture => match r.resolve_char_ref().ok()? {
                Some(c) => text.push(c),
                None => text.push(predefined_entity(&r.xml10_content())?),
            },
            Event::End(_) => {
                if capture {
                    let label = text.trim();
                    return (!label.is_empty()).then(|| label.to_owned());
                }
                depth = depth.saturating_sub(1);
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::label_of;

    #[test]
    fn finds_the_label_below_the_root_only() {
        let field = br#"<?xml version="1.0"?><fields xmlns="x"><fullName>ACV__c</fullName><label>Annual Contract &amp; Value</label><type>Currency</type></fields>"#;
        assert_eq!(label_of(field).as_deref(), Some("Annual Contract & Value"));
        let flow =
            b"<Flow><actionCalls><label>Inner</label></actionCalls><label>Outer</label></Flow>";
        assert_eq!(label_of(flow).as_deref(), Some("Outer"));
        let mdt = b"<CustomMetadata><masterLabel>Default</masterLabel></CustomMetadata>";
        assert_eq!(label_of(mdt).as_deref(), Some("Default"));
        let custom_label = b"<labels><fullName>Greeting</fullName><shortDescription>Greeting</shortDescription><value>Hi</value></labels>";
        assert_eq!(label_of(custom_label).as_deref(), Some("Greeting"));
    }

    #[test]
    fn none_without_a_label_or_for_broken_xml() {
        assert_eq!(label_of(b"<Profile><custom>false</custom></Profile>"), None);
        assert_eq!(label_of(b"<Profile><label>  </label></Profile>"), None);
        assert_eq!(label_of(b"<Profile><label>x</lab"), None);
        assert_eq!(label_of(b"not xml at all"), None);
    }
}
