//! Salesforce-style XML writing and a small element tree for editing generated files.
//!
//! The generator writes files directly with [`XmlWriter`] (fast, allocation-light); drift edits
//! parse a file into an [`El`] tree with quick-xml, change it and write it back with the same
//! formatting rules, so untouched parts stay byte-identical to what the generator produced.
//! Format follows a real retrieve: XML declaration, 4-space indentation, `&apos;`/`&quot;`
//! escapes, trailing newline.

use quick_xml::events::Event;

/// The Metadata API namespace every mdapi file's root element uses.
pub const NS: &str = "http://soap.sforce.com/2006/04/metadata";
const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Appends `text` to `out`, escaped the way Salesforce writes element text.
pub fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            _ => out.push(c),
        }
    }
}

/// Streaming writer producing one mdapi XML document.
pub struct XmlWriter {
    out: String,
    depth: usize,
}

impl XmlWriter {
    /// Starts a document whose root is `root` in the metadata namespace.
    pub fn new(root: &str) -> Self {
        Self::with_attrs(root, &[("xmlns", NS)])
    }

    pub fn with_attrs(root: &str, attrs: &[(&str, &str)]) -> Self {
        let mut out = String::with_capacity(4096);
        out.push_str(DECL);
        out.push('<');
        out.push_str(root);
        for (k, v) in attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            escape_into(&mut out, v);
            out.push('"');
        }
        out.push_str(">\n");
        Self { out, depth: 1 }
    }

    fn indent(&mut self) {
        for _ in 0..self.depth {
            self.out.push_str("    ");
        }
    }

    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push_str(">\n");
        self.depth += 1;
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.depth -= 1;
        self.indent();
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push_str(">\n");
        self
    }

    /// `<tag>text</tag>` (or `<tag/>` when `text` is empty).
    pub fn leaf(&mut self, tag: &str, text: &str) -> &mut Self {
        self.leaf_attr(tag, None, text)
    }

    pub fn leaf_bool(&mut self, tag: &str, v: bool) -> &mut Self {
        self.leaf(tag, if v { "true" } else { "false" })
    }

    pub fn leaf_num(&mut self, tag: &str, v: impl std::fmt::Display) -> &mut Self {
        let s = v.to_string();
        self.leaf(tag, &s)
    }

    /// A leaf with one attribute, e.g. `<value xsi:type="xsd:string">x</value>`.
    pub fn leaf_attr(&mut self, tag: &str, attr: Option<(&str, &str)>, text: &str) -> &mut Self {
        self.indent();
        self.out.push('<');
        self.out.push_str(tag);
        if let Some((k, v)) = attr {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            escape_into(&mut self.out, v);
            self.out.push('"');
        }
        if text.is_empty() {
            self.out.push_str("/>\n");
        } else {
            self.out.push('>');
            escape_into(&mut self.out, text);
            self.out.push_str("</");
            self.out.push_str(tag);
            self.out.push_str(">\n");
        }
        self
    }

    /// Closes the root element and returns the file bytes.
    pub fn finish(mut self, root: &str) -> Vec<u8> {
        self.out.push_str("</");
        self.out.push_str(root);
        self.out.push_str(">\n");
        self.out.into_bytes()
    }
}

/// One XML element: either text content or child elements (mdapi files never mix them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct El {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
    pub children: Vec<El>,
}

impl El {
    pub fn new(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            attrs: Vec::new(),
            text: String::new(),
            children: Vec::new(),
        }
    }

    /// A text leaf.
    pub fn leaf(name: &str, text: &str) -> Self {
        let mut e = Self::new(name);
        e.text = text.to_owned();
        e
    }

    pub fn with(mut self, child: El) -> Self {
        self.children.push(child);
        self
    }

    /// First child named `name`.
    pub fn child(&self, name: &str) -> Option<&El> {
        self.children.iter().find(|c| c.name == name)
    }

    pub fn child_mut(&mut self, name: &str) -> Option<&mut El> {
        self.children.iter_mut().find(|c| c.name == name)
    }

    /// Text of the first child named `name` ("" when absent).
    pub fn child_text(&self, name: &str) -> &str {
        self.child(name).map(|c| c.text.as_str()).unwrap_or("")
    }

    /// Children named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a El> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Inserts `child` among its same-named siblings ordered by `fullName` (or `key`), or after
    /// the last sibling whose element name sorts before it (Salesforce's alphabetical order).
    pub fn insert_sorted(&mut self, child: El, key: &str) {
        let sort_key = |e: &El| e.child_text(key).to_owned();
        let new_key = sort_key(&child);
        let mut pos = self.children.len();
        for (i, c) in self.children.iter().enumerate() {
            let after = if c.name == child.name {
                sort_key(c) > new_key
            } else {
                c.name.as_str() > child.name.as_str() && c.name != "fullName"
            };
            if after {
                pos = i;
                break;
            }
        }
        self.children.insert(pos, child);
    }

    /// Parses an mdapi XML document into its root element.
    pub fn parse(bytes: &[u8]) -> Result<El, String> {
        let mut reader = quick_xml::Reader::from_reader(bytes);
        let mut stack: Vec<El> = Vec::new();
        let mut root: Option<El> = None;
        let mut buf = Vec::new();
        loop {
            let ev = reader
                .read_event_into(&mut buf)
                .map_err(|e| format!("XML error at byte {}: {e}", reader.buffer_position()))?;
            match ev {
                Event::Start(ref s) | Event::Empty(ref s) => {
                    let is_empty = matches!(ev, Event::Empty(_));
                    let mut el = El::new(s.name().as_ref());
                    for a in s.attributes().flatten() {
                        let v = a
                            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                            .map_err(|e| e.to_string())?;
                        let k: &str = a.key.as_ref();
                        el.attrs.push((k.to_owned(), v.into_owned()));
                    }
                    if is_empty {
                        push_done(&mut stack, &mut root, el)?;
                    } else {
                        stack.push(el);
                    }
                }
                Event::End(_) => {
                    let mut el = stack.pop().ok_or("unbalanced end tag")?;
                    if !el.children.is_empty() {
                        el.text.clear();
                    }
                    push_done(&mut stack, &mut root, el)?;
                }
                Event::Text(t) => {
                    if let Some(top) = stack.last_mut() {
                        top.text.push_str(&t.xml10_content());
                    }
                }
                Event::CData(t) => {
                    if let Some(top) = stack.last_mut() {
                        let text: &str = t.as_ref();
                        top.text.push_str(text);
                    }
                }
                Event::GeneralRef(r) => {
                    let name = r.xml10_content().into_owned();
                    let c = match name.as_str() {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => r.resolve_char_ref().map_err(|e| e.to_string())?,
                    };
                    let c = c.ok_or_else(|| format!("unknown entity &{name};"))?;
                    if let Some(top) = stack.last_mut() {
                        top.text.push(c);
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            buf.clear();
        }
        if !stack.is_empty() {
            return Err("unclosed element".into());
        }
        root.ok_or_else(|| "no root element".into())
    }

    /// Writes the document back in Salesforce's format.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = String::with_capacity(4096);
        out.push_str(DECL);
        self.write_into(&mut out, 0);
        out.into_bytes()
    }

    fn write_into(&self, out: &mut String, depth: usize) {
        for _ in 0..depth {
            out.push_str("    ");
        }
        out.push('<');
        out.push_str(&self.name);
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(k);
            out.push_str("=\"");
            escape_into(out, v);
            out.push('"');
        }
        if self.children.is_empty() {
            if self.text.is_empty() {
                out.push_str("/>\n");
            } else {
                out.push('>');
                escape_into(out, &self.text);
                out.push_str("</");
                out.push_str(&self.name);
                out.push_str(">\n");
            }
            return;
        }
        out.push_str(">\n");
        for c in &self.children {
            c.write_into(out, depth + 1);
        }
        for _ in 0..depth {
            out.push_str("    ");
        }
        out.push_str("</");
        out.push_str(&self.name);
        out.push_str(">\n");
    }
}

fn push_done(stack: &mut [El], root: &mut Option<El>, el: El) -> Result<(), String> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => return Err("more than one root element".into()),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_and_tree_agree() {
        let mut w = XmlWriter::new("CustomLabels");
        w.open("labels")
            .leaf("fullName", "Greeting")
            .leaf("value", "It's <5> & \"ok\"")
            .close("labels");
        w.leaf("layoutColumns", "");
        let bytes = w.finish("CustomLabels");
        let el = El::parse(&bytes).unwrap();
        assert_eq!(
            el.child("labels").unwrap().child_text("value"),
            "It's <5> & \"ok\""
        );
        // An element opened and closed with no children reads back as an empty element.
        let again = el.to_bytes();
        let text = String::from_utf8(again).unwrap();
        assert!(
            text.contains("<value>It&apos;s &lt;5&gt; &amp; &quot;ok&quot;</value>"),
            "{text}"
        );
        assert!(text.contains("<layoutColumns/>"));
        assert!(
            text.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CustomLabels xmlns=")
        );
    }

    #[test]
    fn malformed_is_an_error() {
        assert!(El::parse(b"<a><b></a>").is_err());
        assert!(El::parse(b"").is_err());
    }
}
