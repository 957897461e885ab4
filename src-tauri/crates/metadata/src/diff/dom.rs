//! A compact read-only XML tree borrowed from the input text, with a content hash per element.
//!
//! The diff must handle a 5 MB Profile in a few tens of milliseconds. [`crate::xml::Element`]
//! owns every name and text (hundreds of thousands of small allocations for such a file), and
//! deciding that two subtrees are equal means walking them. This tree instead:
//! - keeps every element in one `Vec` in document order, so a subtree is a contiguous range
//!   and no element owns a heap allocation (children are found by skipping subtrees);
//! - interns element names per document (a handful of distinct names for thousands of
//!   elements), so name comparisons touch a small hot table rather than the 5 MB source;
//! - borrows text from the source, and records each element's source span;
//! - records, per element, a hash of its whitespace-insensitive content (name, attributes
//!   except namespace declarations, trimmed text, children in order), so equal entries are
//!   skipped in O(1) and lists are aligned on hashes. Equal hashes are confirmed by comparing
//!   the two source spans (one `memcmp`; an unchanged entry is almost always byte-identical),
//!   and only when the bytes differ by walking both subtrees.
//!
//! It parses exactly what [`crate::xml::Element::parse_str`] accepts (same reader settings
//! and entities).

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};
use crate::xml::{escape_attr, escape_text};

/// Deepest nesting accepted (as in [`crate::xml`]).
const MAX_DEPTH: usize = 256;

/// Index of a node in its [`Doc`].
pub(crate) type Id = u32;

/// One element; it owns no heap memory unless its text had to be assembled.
struct Node<'a> {
    /// Index in [`Doc::names`].
    name: u32,
    /// Number of direct children.
    children: u32,
    /// One past the last node of this element's subtree.
    end: Id,
    /// Range of [`Doc::attrs`].
    attrs: (u32, u32),
    /// Byte range of the element (start tag to end tag) in [`Doc::src`].
    span: (u32, u32),
    /// Direct text, concatenated, then trimmed when the element closes.
    text: Cow<'a, str>,
    hash: u64,
}

/// An interned element name and the hash of its bytes.
struct Name<'a> {
    text: Cow<'a, str>,
    hash: u64,
}

/// A parsed document; node 0 is the root.
pub(crate) struct Doc<'a> {
    src: &'a str,
    nodes: Vec<Node<'a>>,
    names: Vec<Name<'a>>,
    /// Name hash → index in `names` (first name with that hash).
    name_index: FastMap<u64, u32>,
    /// Attributes except namespace declarations (`xmlns`, `xmlns:*`), per element in order.
    attrs: Vec<(String, String)>,
}

/// The direct children of an element, in document order.
pub(crate) struct Children<'d, 'a> {
    doc: &'d Doc<'a>,
    next: Id,
    end: Id,
}

impl Iterator for Children<'_, '_> {
    type Item = Id;

    fn next(&mut self) -> Option<Id> {
        (self.next < self.end).then(|| {
            let id = self.next;
            self.next = self.doc.nodes[id as usize].end;
            id
        })
    }
}

impl<'a> Doc<'a> {
    /// Parses `text`; `context` names the file in errors.
    pub fn parse(text: &'a str, context: &str) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let err = |message: String| Error::Xml {
            context: context.to_owned(),
            message,
        };
        if u32::try_from(text.len()).is_err() {
            return Err(err("document larger than 4 GB".into()));
        }
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        let mut doc = Doc {
            src: text,
            // Metadata averages one element per ~40 bytes; reserving avoids regrowing.
            nodes: Vec::with_capacity(text.len() / 40 + 1),
            names: Vec::new(),
            name_index: FastMap::default(),
            attrs: Vec::new(),
        };
        let mut stack: Vec<Id> = Vec::new();
        let mut root_done = false;
        loop {
            // Events are contiguous, so the position before an event is where it starts.
            let at = position(&reader);
            match reader.read_event().map_err(|e| err(e.to_string()))? {
                Event::Start(start) => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(err("elements nested too deeply".into()));
                    }
                    let id = doc.open(&stack, root_done, &start, at).map_err(err)?;
                    stack.push(id);
                }
                Event::Empty(start) => {
                    let id = doc.open(&stack, root_done, &start, at).map_err(err)?;
                    doc.close(id, position(&reader));
                    root_done |= stack.is_empty();
                }
                Event::End(_) => {
                    let id = stack
                        .pop()
                        .ok_or_else(|| err("unexpected end tag".into()))?;
                    doc.close(id, position(&reader));
                    root_done |= stack.is_empty();
                }
                Event::Text(t) => {
                    // Indentation between elements, the bulk of all text events, is skipped
                    // without decoding it (see `push_text`).
                    let formatting = ascii_blank(t.as_bytes())
                        && stack
                            .last()
                            .is_none_or(|&id| blank(&doc.nodes[id as usize].text));
                    if !formatting {
                        doc.push_text(&stack, t.xml10_content()).map_err(err)?;
                    }
                }
                Event::CData(t) => doc.push_text(&stack, t.xml10_content()).map_err(err)?,
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref().map_err(|e| err(e.to_string()))? {
                        Some(c) => c,
                        None => predefined_entity(&r.xml10_content()).ok_or_else(|| {
                            err(format!("unknown entity &{};", r.xml10_content()))
                        })?,
                    };
                    doc.push_text(&stack, Cow::Owned(c.to_string()))
                        .map_err(err)?;
                }
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
        if !stack.is_empty() {
            return Err(err("unexpected end of document (unclosed element)".into()));
        }
        if doc.nodes.is_empty() {
            return Err(err("no root element".into()));
        }
        Ok(doc)
    }

    pub fn root(&self) -> Id {
        0
    }

    fn node(&self, id: Id) -> &Node<'a> {
        &self.nodes[id as usize]
    }

    pub fn name(&self, id: Id) -> &str {
        &self.names[self.node(id).name as usize].text
    }

    /// The interned name of an element: equal names of one document have equal symbols.
    pub fn symbol_of(&self, id: Id) -> u32 {
        self.node(id).name
    }

    /// The symbol of `name` in this document, if any element has that name.
    pub fn symbol(&self, name: &str) -> Option<u32> {
        let hash = name_hash(name.as_bytes());
        match self.name_index.get(&hash) {
            Some(&s) if self.names[s as usize].text == name => Some(s),
            // A hash shared by two names: look through the (short) table.
            Some(_) => self
                .names
                .iter()
                .position(|n| n.text == name)
                .map(|s| s as u32),
            None => None,
        }
    }

    /// The name a symbol stands for.
    pub fn name_of_symbol(&self, sym: u32) -> &str {
        &self.names[sym as usize].text
    }

    /// Number of distinct element names (symbols are `0..symbol_count()`).
    pub fn symbol_count(&self) -> usize {
        self.names.len()
    }

    /// Direct text, trimmed.
    pub fn text(&self, id: Id) -> &str {
        &self.node(id).text
    }

    pub fn hash(&self, id: Id) -> u64 {
        self.node(id).hash
    }

    /// Attributes except namespace declarations.
    pub fn attrs(&self, id: Id) -> &[(String, String)] {
        let (start, len) = self.node(id).attrs;
        &self.attrs[start as usize..(start + len) as usize]
    }

    pub fn is_leaf(&self, id: Id) -> bool {
        self.node(id).children == 0
    }

    pub fn children(&self, id: Id) -> Children<'_, 'a> {
        Children {
            doc: self,
            next: id + 1,
            end: self.node(id).end,
        }
    }

    /// First child element with symbol `sym`.
    pub fn child_sym(&self, id: Id, sym: u32) -> Option<Id> {
        self.children(id).find(|&c| self.node(c).name == sym)
    }

    /// Trimmed text of the first child with symbol `sym`, when that child is a leaf.
    pub fn child_text_sym(&self, id: Id, sym: u32) -> Option<&str> {
        self.child_sym(id, sym)
            .filter(|&c| self.is_leaf(c))
            .map(|c| self.text(c))
    }

    /// Trimmed text of the first child named `name`, when that child is a leaf.
    #[cfg(test)]
    pub fn child_text(&self, id: Id, name: &str) -> Option<&str> {
        self.child_text_sym(id, self.symbol(name)?)
    }

    pub fn attr(&self, id: Id, local: &str) -> Option<&str> {
        self.attrs(id)
            .iter()
            .find(|(k, _)| k == local || k.rsplit(':').next() == Some(local))
            .map(|(_, v)| v.as_str())
    }

    /// Whether two subtrees (possibly of different documents) have the same content.
    pub fn same(&self, a: Id, other: &Doc<'_>, b: Id) -> bool {
        let (x, y) = (self.node(a), other.node(b));
        let size = x.end - a;
        if x.hash != y.hash || size != y.end - b {
            return false;
        }
        // Identical bytes parse to identical content.
        if self.src_of(x) == other.src_of(y) {
            return true;
        }
        // Nodes are in document order with their subtree sizes, so two subtrees are equal
        // exactly when their nodes are equal one by one.
        (0..size).all(|k| self.node_eq(a + k, other, b + k))
    }

    fn src_of(&self, n: &Node<'_>) -> &str {
        &self.src[n.span.0 as usize..n.span.1 as usize]
    }

    /// Same name, text, attributes and shape (subtree size and child count).
    fn node_eq(&self, a: Id, other: &Doc<'_>, b: Id) -> bool {
        let (x, y) = (self.node(a), other.node(b));
        x.end - a == y.end - b
            && x.children == y.children
            && self.name(a) == other.name(b)
            && x.text == y.text
            && same_attrs(self.attrs(a), other.attrs(b))
    }

    /// The element as text for an edit: a leaf's trimmed text, else an indented fragment.
    pub fn render(&self, id: Id) -> String {
        if self.is_leaf(id) && self.attrs(id).is_empty() {
            return self.text(id).to_owned();
        }
        let mut out = String::new();
        self.write(id, 0, &mut out);
        out
    }

    fn write(&self, id: Id, depth: usize, out: &mut String) {
        let name = self.name(id);
        out.push('<');
        out.push_str(name);
        for (k, v) in self.attrs(id) {
            out.push_str(&format!(" {k}=\"{}\"", escape_attr(v)));
        }
        out.push('>');
        let leaf = self.is_leaf(id);
        if leaf || !self.text(id).is_empty() {
            out.push_str(&escape_text(self.text(id)));
        }
        for c in self.children(id) {
            out.push('\n');
            out.push_str(&"    ".repeat(depth + 1));
            self.write(c, depth + 1, out);
        }
        if !leaf {
            out.push('\n');
            out.push_str(&"    ".repeat(depth));
        }
        out.push_str("</");
        out.push_str(name);
        out.push('>');
    }

    /// Adds an element under the top of `stack`.
    fn open(
        &mut self,
        stack: &[Id],
        root_done: bool,
        start: &BytesStart<'_>,
        at: u32,
    ) -> std::result::Result<Id, String> {
        if stack.is_empty() && root_done {
            return Err("more than one root element".into());
        }
        let name = self.intern(start.local_name().as_ref());
        let first_attr = self.attrs.len();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| e.to_string())?;
            let key: &str = attr.key.as_ref();
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| e.to_string())?;
            self.attrs.push((key.to_owned(), value.into_owned()));
        }
        let id = Id::try_from(self.nodes.len()).map_err(|_| "too many elements".to_owned())?;
        let attr_range = (first_attr as u32, (self.attrs.len() - first_attr) as u32);
        self.nodes.push(Node {
            name,
            children: 0,
            end: id + 1,
            attrs: attr_range,
            span: (at, at),
            text: Cow::Borrowed(""),
            hash: 0,
        });
        if let Some(&parent) = stack.last() {
            self.nodes[parent as usize].children += 1;
        }
        Ok(id)
    }

    /// The symbol of a local name, added on first sight.
    fn intern(&mut self, local: &str) -> u32 {
        let hash = name_hash(local.as_bytes());
        if let Some(&s) = self.name_index.get(&hash)
            && self.names[s as usize].text == local
        {
            return s;
        }
        if let Some(s) = self.names.iter().position(|n| n.text == local) {
            return s as u32;
        }
        // Borrow the name from the document when the event points into it (it always does
        // for a string reader); otherwise copy it.
        let offset = (local.as_ptr() as usize).wrapping_sub(self.src.as_ptr() as usize);
        let text = match self.src.get(offset..offset.wrapping_add(local.len())) {
            Some(s) if std::ptr::eq(s.as_ptr(), local.as_ptr()) => Cow::Borrowed(s),
            _ => Cow::Owned(local.to_owned()),
        };
        let s = self.names.len() as u32;
        self.names.push(Name { text, hash });
        self.name_index.entry(hash).or_insert(s);
        s
    }

    /// Trims the text of a closed element, records where it ends and computes its content
    /// hash (its children are already hashed).
    fn close(&mut self, id: Id, end_at: u32) {
        let end = self.nodes.len() as Id;
        let n = &mut self.nodes[id as usize];
        n.end = end;
        n.span.1 = end_at;
        match &mut n.text {
            Cow::Borrowed(s) => *s = s.trim(),
            Cow::Owned(s) if s.trim().len() != s.len() => *s = s.trim().to_owned(),
            Cow::Owned(_) => {}
        }
        let n = &self.nodes[id as usize];
        let mut h = Fnv::new();
        h.mix(self.names[n.name as usize].hash);
        h.write(n.text.as_bytes());
        let (start, len) = n.attrs;
        if len > 0 {
            // Attributes in any order hash the same.
            let attrs = self.attrs[start as usize..(start + len) as usize]
                .iter()
                .fold(0u64, |acc, (k, v)| {
                    let mut a = Fnv::new();
                    a.write(k.as_bytes());
                    a.write(v.as_bytes());
                    acc.wrapping_add(a.0)
                });
            h.mix(attrs);
        }
        for c in self.children(id) {
            h.mix(self.nodes[c as usize].hash);
        }
        self.nodes[id as usize].hash = h.0;
    }

    fn push_text(&mut self, stack: &[Id], piece: Cow<'a, str>) -> std::result::Result<(), String> {
        let Some(&id) = stack.last() else {
            return if blank(&piece) {
                Ok(())
            } else {
                Err("text outside the root element".into())
            };
        };
        let text = &mut self.nodes[id as usize].text;
        // Whitespace before any real text only formats (text is compared trimmed): skipping it
        // keeps indentation between child elements from being copied.
        if blank(&piece) && blank(text) {
            return Ok(());
        }
        if text.is_empty() {
            *text = piece;
        } else {
            text.to_mut().push_str(&piece);
        }
        Ok(())
    }
}

/// The reader's offset (documents are at most 4 GB, checked before parsing).
fn position(reader: &Reader<&[u8]>) -> u32 {
    reader.buffer_position() as u32
}

/// Only spaces, tabs and line breaks: formatting for sure, without decoding.
fn ascii_blank(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

/// Empty once trimmed (the ASCII check first: it is what indentation is made of).
fn blank(s: &str) -> bool {
    ascii_blank(s.as_bytes()) || s.trim().is_empty()
}

fn name_hash(bytes: &[u8]) -> u64 {
    let mut h = Fnv::new();
    h.write(bytes);
    h.0
}

fn same_attrs(a: &[(String, String)], b: &[(String, String)]) -> bool {
    a.len() == b.len() && a.iter().all(|kv| b.contains(kv))
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

    fn write_u64(&mut self, word: u64) {
        self.mix(word);
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
        assert_eq!(a.hash(0), b.hash(0));
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
        assert_eq!(doc.text(0), "<raw>");
        for bad in ["", "<a>", "<a></b>", "<a/><b/>", "<a>&bogus;</a>", "text"] {
            assert!(Doc::parse(bad, "t").is_err(), "{bad:?} should fail");
            assert!(Element::parse_str(bad, "t").is_err());
        }
    }

    #[test]
    fn spans_cover_whole_elements_and_subtrees_are_contiguous() {
        let src = "<?xml version=\"1.0\"?>\n<R>\n  <a><x>1</x><y/></a>\n  <b>t &amp; u</b>\n</R>\n";
        let doc = Doc::parse(src, "t").unwrap();
        let spans: Vec<&str> = (0..doc.nodes.len() as Id)
            .map(|id| doc.src_of(doc.node(id)))
            .collect();
        assert_eq!(
            spans,
            [
                "<R>\n  <a><x>1</x><y/></a>\n  <b>t &amp; u</b>\n</R>",
                "<a><x>1</x><y/></a>",
                "<x>1</x>",
                "<y/>",
                "<b>t &amp; u</b>",
            ]
        );
        let kids: Vec<&str> = doc.children(0).map(|c| doc.name(c)).collect();
        assert_eq!(kids, ["a", "b"]);
        assert_eq!(doc.text(4), "t & u");
        assert_eq!(doc.symbol_of(1), doc.symbol("a").unwrap());
        assert!(doc.symbol("zz").is_none());
    }

    #[test]
    fn equal_content_with_other_bytes_is_the_same() {
        let a = Doc::parse("<R><e><k>1</k><v>x</v></e><e><k>2</k></e></R>", "a").unwrap();
        let b = Doc::parse(
            "<R>\n  <e>\n    <k>1</k>\n    <v> x </v>\n  </e>\n  <e><k>3</k></e>\n</R>",
            "b",
        )
        .unwrap();
        let (ea, eb): (Vec<Id>, Vec<Id>) = (a.children(0).collect(), b.children(0).collect());
        assert!(a.same(ea[0], &b, eb[0]));
        assert!(!a.same(ea[1], &b, eb[1]));
        assert!(!a.same(ea[0], &b, eb[1]));
    }
}
