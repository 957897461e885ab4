//! A small XML tree over quick-xml for SOAP: envelopes out, a namespace-agnostic tree in.
//!
//! Salesforce responses declare namespaces with varying prefixes (`soapenv:`, default
//! namespace, `sf:`), repeat elements without wrappers, mark nulls with `xsi:nil` and carry
//! polymorphic `readMetadata` records. Matching on local names over a tiny tree handles all
//! of that more robustly than serde mapping, and each element keeps its byte span so a
//! record's raw XML can be handed on untouched.

use std::ops::Range;

use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};

use crate::error::{Error, Result};

pub(crate) const SOAP_ENV: &str = "http://schemas.xmlsoap.org/soap/envelope/";
pub(crate) const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";

/// Escapes text for element content or attribute values.
pub(crate) fn escape(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

/// `<name>text</name>` with the text escaped.
pub(crate) fn leaf(name: &str, text: &str) -> String {
    format!("<{name}>{}</{name}>", escape(text))
}

/// The full SOAP envelope with the session header (plus `header`, extra header elements);
/// payload elements are unprefixed in `ns`.
pub(crate) fn envelope(ns: &str, session_id: &str, header: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\
         <soapenv:Envelope xmlns:soapenv=\"{SOAP_ENV}\" xmlns=\"{ns}\">\
         <soapenv:Header><SessionHeader><sessionId>{}</sessionId></SessionHeader>\
         <CallOptions><client>orgfleet</client></CallOptions>{header}</soapenv:Header>\
         <soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>",
        escape(session_id)
    )
}

/// One element: local name, attributes (local names), children, direct text, byte span.
#[derive(Debug, Clone, Default)]
pub(crate) struct Element {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Element>,
    pub text: String,
    pub span: Range<usize>,
}

impl Element {
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn children<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn is_nil(&self) -> bool {
        self.attr("nil") == Some("true")
    }

    /// Text of child `name`; `None` when absent or `xsi:nil`.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name)
            .filter(|c| !c.is_nil())
            .map(|c| c.text.trim().to_owned())
    }

    /// Text of child `name`, empty when absent.
    pub fn string(&self, name: &str) -> String {
        self.text_of(name).unwrap_or_default()
    }

    pub fn opt_string(&self, name: &str) -> Option<String> {
        self.text_of(name).filter(|s| !s.is_empty())
    }

    pub fn bool(&self, name: &str) -> bool {
        self.text_of(name).is_some_and(|t| t == "true")
    }

    pub fn int(&self, name: &str) -> i64 {
        self.text_of(name).and_then(|t| t.parse().ok()).unwrap_or(0)
    }

    pub fn opt_int(&self, name: &str) -> Option<i64> {
        self.text_of(name).and_then(|t| t.parse().ok())
    }

    pub fn float(&self, name: &str) -> f64 {
        self.text_of(name)
            .and_then(|t| t.parse().ok())
            .unwrap_or(0.0)
    }

    /// Texts of every child `name` (repeated elements).
    pub fn strings(&self, name: &str) -> Vec<String> {
        self.children(name)
            .map(|c| c.text.trim().to_owned())
            .collect()
    }

    /// Descends through a path of local names.
    pub fn path(&self, names: &[&str]) -> Option<&Element> {
        names.iter().try_fold(self, |el, n| el.child(n))
    }
}

fn local(name: &str) -> String {
    match name.rsplit_once(':') {
        Some((_, l)) => l.to_owned(),
        None => name.to_owned(),
    }
}

/// Parses a whole document into its root element.
pub(crate) fn parse(bytes: &[u8]) -> Result<Element> {
    let bad = |e: &dyn std::fmt::Display| Error::unexpected("SOAP XML", e.to_string());
    let mut reader = Reader::from_reader(bytes);
    reader.config_mut().expand_empty_elements = false;
    let mut stack: Vec<Element> = Vec::new();
    let mut buf = Vec::new();
    loop {
        let start = reader.buffer_position() as usize;
        let event = reader.read_event_into(&mut buf).map_err(|e| bad(&e))?;
        let end = reader.buffer_position() as usize;
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let is_empty = matches!(event, Event::Empty(_));
                let mut el = Element {
                    name: local(e.name().as_ref()),
                    span: start..end,
                    ..Element::default()
                };
                for attr in e.attributes().flatten() {
                    let value = attr
                        .normalized_value(XmlVersion::Implicit1_0)
                        .map_err(|e| bad(&e))?
                        .into_owned();
                    el.attrs.push((local(attr.key.as_ref()), value));
                }
                if is_empty {
                    push_child(&mut stack, el)?;
                } else {
                    stack.push(el);
                }
            }
            Event::End(_) => {
                let mut el = stack
                    .pop()
                    .ok_or_else(|| bad(&"closing tag without an opening one"))?;
                el.span.end = end;
                if stack.is_empty() {
                    return Ok(el);
                }
                push_child(&mut stack, el)?;
            }
            Event::Text(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(top) = stack.last_mut() {
                    let name = r.xml10_content();
                    let entity = format!("&{name};");
                    let resolved = quick_xml::escape::unescape(&entity).map_err(|e| bad(&e))?;
                    top.text.push_str(&resolved);
                }
            }
            Event::Eof => return Err(bad(&"the document ended early")),
            _ => {}
        }
        buf.clear();
    }
}

fn push_child(stack: &mut [Element], el: Element) -> Result<()> {
    match stack.last_mut() {
        Some(parent) => {
            parent.children.push(el);
            Ok(())
        }
        None => Err(Error::unexpected(
            "SOAP XML",
            "content outside the root element",
        )),
    }
}

/// `Body/<operation>Response`, or an error when the envelope has no such element.
pub(crate) fn response_body(bytes: &[u8], operation: &str) -> Result<Element> {
    let root = parse(bytes)?;
    let wanted = format!("{operation}Response");
    root.path(&["Body", &wanted])
        .cloned()
        .ok_or_else(|| Error::unexpected(operation, format!("no <{wanted}> in the answer")))
}

/// A SOAP fault's code (`sf:INVALID_SESSION_ID`) and message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Fault {
    pub code: String,
    pub message: String,
}

/// Reads a SOAP fault from a response body, if it is one.
pub(crate) fn parse_fault(bytes: &[u8]) -> Option<Fault> {
    let head = bytes.iter().take(64).copied().collect::<Vec<u8>>();
    if !String::from_utf8_lossy(&head).trim_start().starts_with('<') {
        return None;
    }
    let root = parse(bytes).ok()?;
    let fault = root.child("Body")?.child("Fault")?;
    let code = fault.string("faultcode");
    let raw = fault.string("faultstring");
    let message = fault
        .children
        .iter()
        .find(|c| c.name == "detail")
        .and_then(|d| d.children.first())
        .and_then(|f| f.opt_string("exceptionMessage"))
        .unwrap_or(raw);
    Some(Fault { code, message })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAULT: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="http://soap.sforce.com/2006/04/metadata" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <soapenv:Body><soapenv:Fault><faultcode>sf:INVALID_SESSION_ID</faultcode>
  <faultstring>INVALID_SESSION_ID: Invalid Session ID found in SessionHeader: Illegal Session</faultstring>
  <detail><sf:UnexpectedErrorFault xsi:type="sf:UnexpectedErrorFault"><sf:exceptionCode>INVALID_SESSION_ID</sf:exceptionCode>
  <sf:exceptionMessage>Invalid Session ID found in SessionHeader: Illegal Session</sf:exceptionMessage></sf:UnexpectedErrorFault></detail>
  </soapenv:Fault></soapenv:Body></soapenv:Envelope>"#;

    #[test]
    fn faults() {
        let f = parse_fault(FAULT.as_bytes()).unwrap();
        assert_eq!(f.code, "sf:INVALID_SESSION_ID");
        assert_eq!(
            f.message,
            "Invalid Session ID found in SessionHeader: Illegal Session"
        );
        assert!(parse_fault(br#"[{"errorCode":"X"}]"#).is_none());
    }

    #[test]
    fn tree_handles_prefixes_nil_entities_and_spans() {
        let doc = r#"<a:Env xmlns:a="x" xmlns:xsi="y"><a:Body><r><n xsi:nil="true"/><t>1 &lt; 2 &amp; &#65;</t><t>two</t></r></a:Body></a:Env>"#;
        let root = parse(doc.as_bytes()).unwrap();
        let r = root.path(&["Body", "r"]).unwrap();
        assert_eq!(r.text_of("n"), None);
        assert_eq!(r.strings("t"), vec!["1 < 2 & A", "two"]);
        assert_eq!(
            &doc[r.span.clone()],
            "<r><n xsi:nil=\"true\"/><t>1 &lt; 2 &amp; &#65;</t><t>two</t></r>"
        );
        assert!(parse(b"<a><b></a>").is_err());
    }

    #[test]
    fn envelopes_escape_the_session() {
        let env = envelope(METADATA_NS, "00D!a<b", "<h/>", "<x/>");
        assert!(env.contains("<sessionId>00D!a&lt;b</sessionId>"));
        assert!(parse(env.as_bytes()).is_ok());
    }
}
