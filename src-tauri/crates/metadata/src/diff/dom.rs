//! A read-only XML tree borrowed from the input text, with a content hash per element.
//!
//! The diff must handle a 5 MB Profile in milliseconds. [`crate::xml::Element`] owns every
//! name and text (hundreds of thousands of small allocations for such a file), and deciding
//! that two subtrees are equal means walking them. This tree borrows names and text from
//! the document and records, per element, a hash of its whitespace-insensitive content
//! (name, attributes except namespace declarations, trimmed text, children in order), so
//! equal entries are skipped in O(1) and lists are aligned on hashes. It parses exactly
//! what [`crate::xml::Element::parse_str`] accepts (same reader settings and entities).

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};
use crate::xml::{escape_attr, escape_text};

/// Deepest nesting accepted (as in [`crate::xml`]).
const MAX_DEPTH: usize = 256;

/// Index of a node in its [`Doc`].
pub(crate) type Id = u32;

pub(crate) struct Node<'a> {
    pub name: Cow<'a, str>,
    /// Attributes except namespace declarations (`xmlns`, `xmlns:*`).
    pub attrs: Vec<(String, String)>,
    /// Direct text, concatenated, then trimmed when the element closes.
    text: Cow<'a, str>,
    pub children: Vec<Id>,
    pub hash: u64,
}

impl Node<'_> {
    pub fn is_leaf(&self) -> bool {
        self.children.is_empty()
    }

    /// Direct text, trimmed (trimmed once when the element closes).
    pub fn text(&self) -> &str {
        &self.text
    }
}

/// A parsed document; node 0 is the root.
pub(crate) struct Doc<'a> {
    nodes: Vec<Node<'a>>,
}

impl<'a> Doc<'a> {
    /// Parses `text`; `context` names the file in errors.
    pub fn parse(text: &'a str, context: &str) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let err = |message: String| Error::Xml {
            context: context.to_owned(),
            message,
        };
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        // Metadata averages one element per ~40 bytes; reserving avoids regrowing a large tree.
        let mut nodes: Vec<Node<'a>> = Vec::with_capacity(text.len() / 40 + 1);
        let mut stack: Vec<Id> = Vec::new();
        let mut root_done = false;
        loop {
            match reader.read_event().map_err(|e| err(e.to_string()))? {
                Event::Start(start) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(err("elements nested too deeply".into()));
                    }
                    let id = open(&mut nodes, &mut stack, root_done, text, &start).map_err(err)?;
                    stack.push(id);
                }
                Event::Empty(start) => {
                    let id = open(&mut nodes, &mut stack, root_done, text, &start).map_err(err)?;
                    finish(&mut nodes, id);
                    root_done |= stack.is_empty();
                }
                Event::End(_) => {
                    let id = stack
                        .pop()
                        .ok_or_else(|| err("unexpected end tag".into()))?;
                    finish(&mut nodes, id);
                    root_done |= stack.is_empty();
                }
                Event::Text(t) => push_text(&mut nodes, &stack, t.xml10_content()).map_err(err)?,
                Event::CData(t) => push_text(&mut nodes, &stack, t.xml10_content()).map_err(err)?,
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref().map_err(|e| err(e.to_string()))? {
                        Some(c) => c,
                        None => predefined_entity(&r.xml10_content()).ok_or_else(|| {
                            err(format!("unknown entity &{};", r.xml10_content()))
                        })?,
                    };
                    push_text(&mut nodes, &stack, Cow::Owned(c.to_string())).map_err(err)?;
                }
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
        if !stack.is_empty() {
            return Err(err("unexpected end of document (unclosed element)".into()));
        }
        if nodes.is_empty() {
            return Err(err("no root element".into()));
        }
        Ok(Self { nodes })
    }

    pub fn root(&self) -> Id {
        0
    }

    pub fn node(&self, id: Id) -> &Node<'a> {
        &self.nodes[id as usize]
    }

    pub fn name(&self, id: Id) -> &str {
        &self.node(id).name
    }

    /// First child element named `name`.
    pub fn child(&self, id: Id, name: &str) -> Option<Id> {
        self.node(id)
            .children
            .iter()
            .copied()
            .find(|&c| self.node(c).name == name)
    }

    /// Trimmed text of the first child named `name`, when that child is a leaf.
    pub fn child_text(&self, id: Id, name: &str) -> Option<&str> {
        self.child(id, name)
            .map(|c| self.node(c))
            .filter(|n| n.is_leaf())
            .map(Node::text)
    }

    pub fn attr(&self, id: Id, local: &str) -> Option<&str> {
        self.node(id)
            .attrs
            .iter()
            .find(|(k, _)| k == local || k.rsplit(':').next() == Some(local))
            .map(|(_, v)| v.as_str())
    }

    /// Whether two subtrees (possibly of different documents) have the same content.
    pub fn same(&self, a: Id, other: &Doc<'_>, b: Id) -> bool {
        let (x, y) = (self.node(a), other.node(b));
        x.hash == y.hash
            && x.name == y.name
            && x.text() == y.text()
            && same_attrs(&x.attrs, &y.attrs)
            && x.children.len() == y.children.len()
            && x.children
                .iter()
                .zip(&y.children)
                .all(|(&c, &d)| self.same(c, other, d))
    }

    /// The element as text for an edit: a leaf's trimmed text, else an indented fragment.
    pub fn render(&self, id: Id) -> String {
        let n = self.node(id);
        if n.is_leaf() && n.attrs.is_empty() {
            return n.text().to_owned();
        }
        let mut out = String::new();
        self.write(id, 0, &mut out);
        out
    }

    fn write(&self, id: Id, depth: usize, out: &mut String) {
        let n = self.node(id);
        out.push('<');
        out.push_str(&n.name);
        for (k, v) in &n.attrs {
            out.push_str(&format!(" {k}=\"{}\"", escape_attr(v)));
        }
        out.push('>');
        if n.is_leaf() || !n.text().is_empty() {
            out.push_str(&escape_text(n.text()));
        }
        for &c in &n.children {
            out.push('\n');
            out.push_str(&"    ".repeat(depth + 1));
            self.write(c, depth + 1, out);
        }
        if !n.is_leaf() {
            out.push('\n');
            out.push_str(&"    ".repeat(depth));
        }
        out.push_str("</");
        out.push_str(&n.name);
        out.push('>');
    }
}

fn same_attrs(a: &[(String, String)], b: &[(String, String)]) -> bool {
    a.len() == b.len() && a.iter().all(|kv| b.contains(kv))
}

fn open<'a>(
    nodes: &mut Vec<Node<'a>>,
    stack: &mut [Id],
    root_done: bool,
    text: &'a str,
    start: &BytesStart<'_>,
) -> std::result::Result<Id, String> {
    if stack.is_empty() && root_done {
        return Err("more than one root element".into());
    }
    let local = start.local_name();
    let local = local.as_ref();
    // Borrow the name from the document when the event points into it (it always does for
    // a string reader); otherwise copy it.
    let offset = (local.as_ptr() as usize).wrapping_sub(text.as_ptr() as usize);
    let name = match text.get(offset..offset.wrapping_add(local.len())) {
        Some(s) if std::ptr::eq(s.as_ptr(), local.as_ptr()) => Cow::Borrowed(s),
        _ => Cow::Owned(local.to_owned()),
    };
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| e.to_string())?;
        let key: String = attr.key.as_ref().to_owned();
        if key == "xmlns" || key.starts_with("xmlns:") {
            continue;
        }
        let value = attr
            .normalized_value(quick_xml::XmlVersion::Implicit1_0)
            .map_err(|e| e.to_string())?;
        attrs.push((key, value.into_owned()));
    }
    let id = Id::try_from(nodes.len()).map_err(|_| "too many elements".to_owned())?;
    nodes.push(Node {
        name,
        attrs,
        text: Cow::Borrowed(""),
        children: Vec::new(),
        hash: 0,
    });
    if let Some(&parent) = stack.last() {
        nodes[parent as usize].children.push(id);
    }
    Ok(id)
}

/// Trims the text of a closed element and computes its content hash (its children are
/// already hashed).
fn finish(nodes: &mut [Node<'_>], id: Id) {
    let text = &mut nodes[id as usize].text;
    match text {
        Cow::Borrowed(s) => *s = s.trim(),
        Cow::Owned(s) if s.trim().len() != s.len() => *s = s.trim().to_owned(),
        Cow::Owned(_) => {}
    }
    let n = &nodes[id as usize];
    // Each write ends with its length, so name and text need no separator.
    let mut h = Fnv::new();
    h.write(n.name.as_bytes());
    h.write(n.text().as_bytes());
    if !n.attrs.is_empty() {
        // Attributes in any order hash the same.
        let attrs = n.attrs.iter().fold(0u64, |acc, (k, v)| {
            let mut a = Fnv::new();
            a.write(k.as_bytes());
            a.write(v.as_bytes());
            acc.wrapping_add(a.0)
        });
        h.mix(attrs);
    }
    for &c in &n.children {
        h.mix(nodes[c as usize].hash);
    }
    nodes[id as usize].hash = h.0;
}

fn push_text<'a>(
    nodes: &mut [Node<'a>],
    stack: &[Id],
    piece: Cow<'a, str>,
) -> std::result::Result<(), String> {
    let Some(&id) = stack.last() else {
        return if piece.trim().is_empty() {
            Ok(())
        } else {
            Err("text outside the root element".into())
        };
    };
    let text = &mut nodes[id as usize].text;
    // Whitespace before any real text only formats (text is compared trimmed): skipping it
    // keeps indentation between child elements from being copied.
    if piece.trim().is_empty() && text.trim().is_empty() {
        return Ok(());
    }
    if text.is_empty() {
        *text = piece;
    } else {
        text.to_mut().push_str(&piece);
    }
    Ok(())
}

fn predefined_entity(name: &str) -> Option<char> {
    Some(match name {
        "lt" => '<',
        "gt" => '>',
        "amp" => '&',
        "apos" => '\'',
        "quot" => '"',
        _ => return None,
    })
}

/// A fast, stable 64-bit hash taking 8 bytes at a time. Equal hashes are always confirmed
/// by [`Doc::same`], so it needs to spread well, not to resist attacks; it also serves as
/// the hasher of the diff's hash maps (SipHash showed up in profiles of large files).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fnv(pub u64);

impl Fnv {
    pub fn new() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }

    pub fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }

    pub fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.mix(u64::from_le_bytes(word));
        }
        // The tail (0-7 bytes) shares its word with the length, so "ab" and "ab\0" differ.
        let rest = chunks.remainder();
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        self.mix(u64::from_le_bytes(word) ^ (bytes.len() as u64).rotate_right(8));
    }
}

impl Default for Fnv {
    fn default() -> Self {
        Self::new()
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        // One more round so the low bits (used for buckets) depend on every input bit.
        let mut h = *self;
        h.mix(0x51_7cc1_b727_220a);
        h.0 ^ (h.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        Fnv::write(self, bytes);
    }
}

/// Hash maps and sets of the diff, keyed by borrowed names and keys.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;
pub(crate) type FastSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<Fnv>>;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::Element;

    #[test]
    fn hashes_ignore_whitespace_and_attribute_order() {
        let a = Doc::parse("<a x=\"1\" y=\"2\">\n  <b> t </b>\r\n  <c/></a>", "a").unwrap();
        let b = Doc::parse(
            "<p:a xmlns:p=\"n\" y=\"2\" x=\"1\"><b>t</b><c></c></p:a>",
            "b",
        )
        .unwrap();
        assert_eq!(a.node(0).hash, b.node(0).hash);
        assert!(a.same(0, &b, 0));
        let c = Doc::parse("<a x=\"1\" y=\"2\"><c/><b>t</b></a>", "c").unwrap();
        assert!(!a.same(0, &c, 0), "child order is content");
        assert_eq!(
            a.render(0),
            "<a x=\"1\" y=\"2\">\n    <b>t</b>\n    <c></c>\n</a>"
        );
    }

    #[test]
    fn accepts_and_rejects_what_the_element_parser_does() {
        let ok = "<?xml version=\"1.0\"?><!-- c --><a:R xmlns:a=\"x\"><a:b>1 &amp; 2&#33;</a:b><![CDATA[<raw>]]></a:R>";
        let doc = Doc::parse(ok, "t").unwrap();
        assert_eq!(doc.child_text(0, "b"), Some("1 & 2!"));
        assert_eq!(doc.node(0).text(), "<raw>");
        for bad in ["", "<a>", "<a></b>", "<a/><b/>", "<a>&bogus;</a>", "text"] {
            assert!(Doc::parse(bad, "t").is_err(), "{bad:?} should fail");
            assert!(Element::parse_str(bad, "t").is_err());
        }
    }
}
