//! A small, lenient XML element tree over quick-xml.
//!
//! Metadata files, manifests and SOAP envelopes are all "data XML": elements, text, a few
//! attributes, no DTDs. Every module here (and orgsim's SOAP layer) needs the same thing —
//! parse any prefixes/namespaces leniently, look children up by local name, and write the
//! Salesforce file style back out — so it is done once, here. Comments, processing
//! instructions and the XML declaration are dropped; CDATA becomes text; CRLF is normalised.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};

/// The metadata namespace used by files, manifests and the Metadata API.
pub const METADATA_NS: &str = "http://soap.sforce.com/2006/04/metadata";

/// Deepest nesting accepted when parsing (real metadata stays far below this).
const MAX_DEPTH: usize = 256;

/// One XML element: local name (prefix stripped), raw attributes and child nodes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Element {
    /// Local name, e.g. `Envelope` for `soapenv:Envelope`.
    pub name: String,
    /// Attributes as written (`xmlns`, `xsi:type`, ...), in document order.
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
}

/// A child node: an element or (unescaped) text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    Element(Element),
    Text(String),
}

impl Element {
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            attrs: Vec::new(),
            children: Vec::new(),
        }
    }

    /// `<name>text</name>`.
    pub fn with_text(name: impl Into<String>, text: impl Into<String>) -> Self {
        let mut e = Self::new(name);
        e.children.push(Node::Text(text.into()));
        e
    }

    /// Adds an attribute (builder style).
    pub fn attr_set(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attrs.push((key.into(), value.into()));
        self
    }

    /// Parses a document and returns its root element. `context` names the input in errors.
    pub fn parse_bytes(bytes: &[u8], context: &str) -> Result<Element> {
        let text = String::from_utf8_lossy(bytes);
        Self::parse_str(&text, context)
    }

    /// Parses a document held as text. A leading BOM is ignored.
    pub fn parse_str(text: &str, context: &str) -> Result<Element> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let err = |message: String| Error::Xml {
            context: context.to_owned(),
            message,
        };
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        let mut stack: Vec<Element> = Vec::new();
        let mut root: Option<Element> = None;
        loop {
            let event = reader.read_event().map_err(|e| err(e.to_string()))?;
            match event {
                Event::Start(start) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(err("elements nested too deeply".into()));
                    }
                    if root.is_some() {
                        return Err(err("content after the root element".into()));
                    }
                    stack.push(start_element(&start).map_err(err)?);
                }
                Event::Empty(start) => {
                    let el = start_element(&start).map_err(err)?;
                    close(&mut stack, &mut root, el).map_err(err)?;
                }
                Event::End(_) => {
                    let el = stack
                        .pop()
                        .ok_or_else(|| err("unexpected end tag".into()))?;
                    close(&mut stack, &mut root, el).map_err(err)?;
                }
                Event::Text(t) => push_text(&mut stack, &t.xml10_content()).map_err(err)?,
                Event::CData(t) => push_text(&mut stack, &t.xml10_content()).map_err(err)?,
                Event::GeneralRef(r) => {
                    let resolved = match r.resolve_char_ref().map_err(|e| err(e.to_string()))? {
                        Some(c) => c.to_string(),
                        None => predefined_entity(&r.xml10_content())
                            .ok_or_else(|| err(format!("unknown entity &{};", r.xml10_content())))?
                            .to_string(),
                    };
                    push_text(&mut stack, &resolved).map_err(err)?;
                }
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
        if !stack.is_empty() {
            return Err(err("unexpected end of document (unclosed element)".into()));
        }
        root.ok_or_else(|| err("no root element".into()))
    }

    /// Child elements, in order.
    pub fn elements(&self) -> impl Iterator<Item = &Element> {
        self.children.iter().filter_map(|n| match n {
            Node::Element(e) => Some(e),
            Node::Text(_) => None,
        })
    }

    /// Child elements with this local name.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.elements().filter(move |e| e.name == name)
    }

    /// First child element with this local name.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.elements().find(|e| e.name == name)
    }

    /// The direct text content (all text children concatenated).
    pub fn text(&self) -> String {
        self.children
            .iter()
            .filter_map(|n| match n {
                Node::Text(t) => Some(t.as_str()),
                Node::Element(_) => None,
            })
            .collect()
    }

    /// Trimmed text of the first child element with this name.
    pub fn child_text(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text().trim().to_owned())
    }

    /// An attribute by local name (`type` finds `xsi:type`).
    pub fn attr(&self, local: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == local || k.rsplit(':').next() == Some(local))
            .map(|(_, v)| v.as_str())
    }

    pub fn push(&mut self, child: Element) {
        self.children.push(Node::Element(child));
    }

    pub fn push_text_child(&mut self, name: &str, text: impl Into<String>) {
        self.push(Element::with_text(name, text));
    }

    /// Whether this element has no element children (a "leaf" holding text only).
    pub fn is_leaf(&self) -> bool {
        self.elements().next().is_none()
    }

    /// The file form Salesforce writes: XML declaration, 4-space indentation, `\n` endings.
    pub fn to_document(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        self.write_pretty(&mut out, 0);
        out.push('\n');
        out
    }

    /// Writes the element without any added whitespace (for SOAP payloads).
    pub fn write_compact(&self, out: &mut String) {
        self.open_tag(out);
        for child in &self.children {
            match child {
                Node::Element(e) => e.write_compact(out),
                Node::Text(t) => out.push_str(&escape_text(t)),
            }
        }
        close_tag(out, &self.name);
    }

    /// A whitespace-insensitive rendering for comparisons: text trimmed, empty and
    /// self-closing elements equal, attributes sorted, no declaration.
    pub fn canonical(&self) -> String {
        let mut out = String::new();
        self.write_canonical(&mut out);
        out
    }

    fn write_canonical(&self, out: &mut String) {
        let mut attrs = self.attrs.clone();
        attrs.sort();
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &attrs {
            out.push_str(&format!(" {k}=\"{}\"", escape_attr(v)));
        }
        out.push('>');
        for child in &self.children {
            match child {
                Node::Element(e) => e.write_canonical(out),
                Node::Text(t) => out.push_str(&escape_text(t.trim())),
            }
        }
        close_tag(out, &self.name);
    }

    fn open_tag(&self, out: &mut String) {
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            out.push_str(&escape_attr(v));
            out.push('"');
        }
        out.push('>');
    }

    fn write_pretty(&self, out: &mut String, depth: usize) {
        let has_text = self
            .children
            .iter()
            .any(|n| matches!(n, Node::Text(t) if !t.trim().is_empty()));
        if self.is_leaf() || has_text {
            self.write_compact(out);
            return;
        }
        self.open_tag(out);
        for child in self.elements() {
            out.push('\n');
            out.push_str(&"    ".repeat(depth + 1));
            child.write_pretty(out, depth + 1);
        }
        out.push('\n');
        out.push_str(&"    ".repeat(depth));
        close_tag(out, &self.name);
    }
}

fn close_tag(out: &mut String, name: &str) {
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn start_element(start: &BytesStart<'_>) -> std::result::Result<Element, String> {
    let name = start.name();
    let mut el = Element::new(name.local_name().as_ref());
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        el.attrs
            .push((attr.key.as_ref().to_owned(), value.into_owned()));
    }
    Ok(el)
}

fn close(
    stack: &mut [Element],
    root: &mut Option<Element>,
    mut el: Element,
) -> std::result::Result<(), String> {
    // Whitespace between child elements is formatting, not content.
    if !el.is_leaf() {
        el.children
            .retain(|n| !matches!(n, Node::Text(t) if t.trim().is_empty()));
    }
    match stack.last_mut() {
        Some(parent) => parent.children.push(Node::Element(el)),
        None if root.is_none() => *root = Some(el),
        None => return Err("more than one root element".into()),
    }
    Ok(())
}

fn push_text(stack: &mut [Element], text: &str) -> std::result::Result<(), String> {
    match stack.last_mut() {
        Some(el) => {
            if let Some(Node::Text(prev)) = el.children.last_mut() {
                prev.push_str(text);
            } else {
                el.children.push(Node::Text(text.to_owned()));
            }
            Ok(())
        }
        None if text.trim().is_empty() => Ok(()),
        None => Err("text outside the root element".into()),
    }
}

/// The character of one of XML's five predefined entities (`amp`, `lt`, ...).
pub(crate) fn predefined_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// Escapes text content (`&`, `<`, `>`).
pub fn escape_text(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>']) {
        return s.into();
    }
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .into()
}

/// Escapes an attribute value (text escapes plus `"`).
pub fn escape_attr(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.contains(['&', '<', '>', '"']) {
        return s.into();
    }
    escape_text(s).replace('"', "&quot;").into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_prefixes_entities_and_crlf() {
        let doc = "<?xml version=\"1.0\"?>\r\n<!-- c --><a:Root xmlns:a=\"x\">\r\n  <a:b>1 &amp; 2&#33;</a:b>\r\n  <c/><![CDATA[<raw>]]></a:Root>";
        let root = Element::parse_str(doc, "t").unwrap();
        assert_eq!(root.name, "Root");
        assert_eq!(root.child_text("b").as_deref(), Some("1 & 2!"));
        assert!(root.child("c").unwrap().is_leaf());
        assert_eq!(root.attr("a"), Some("x"));
    }

    #[test]
    fn rejects_malformed() {
        for bad in ["", "<a>", "<a></b>", "<a/><b/>", "<a>&bogus;</a>", "text"] {
            assert!(Element::parse_str(bad, "t").is_err(), "{bad:?} should fail");
        }
    }

    #[test]
    fn pretty_round_trip() {
        let root = Element::parse_str(
            "<A xmlns=\"n\"><b>x &lt; y</b><c><d>1</d></c><e></e></A>",
            "t",
        )
        .unwrap();
        let doc = root.to_document();
        assert!(doc.contains("\n    <b>x &lt; y</b>\n    <c>\n        <d>1</d>\n    </c>"));
        assert_eq!(
            Element::parse_str(&doc, "t").unwrap().canonical(),
            root.canonical()
        );
    }
}
