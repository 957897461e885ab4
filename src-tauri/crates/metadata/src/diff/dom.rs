//! A compact read-only XML tree borrowed from the input text, with a content hash per element.
//!
//! The diff must handle a 5 MB Profile in a few tens of milliseconds. [`crate::xml::Element`]
//! owns every name and text (hundreds of thousands of small allocations for such a file), and
//! deciding that two subtrees are equal means walking them. This tree instead:
//! - keeps elements in document order in a few parallel arrays (no per-element allocation);
//!   a subtree is a contiguous range, and children are found by skipping subtrees, so the
//!   matcher walking 30,000 entries touches only the small arrays it needs;
//! - interns element names per document (a handful of distinct names for thousands of
//!   elements), so name comparisons touch a small hot table rather than the 5 MB source;
//! - keeps text as ranges of the source (or, rarely, of a side buffer for text assembled from
//!   entities), and each element's source span;
//! - records, per element, a hash of its whitespace-insensitive content (name, attributes
//!   except namespace declarations, trimmed text, children in order), so equal entries are
//!   skipped in O(1) and lists are aligned on hashes. Equal hashes are confirmed by comparing
//!   the two source spans (one `memcmp`; an unchanged entry is almost always byte-identical),
//!   and only when the bytes differ by walking both subtrees.
//!
//! Parsing lives in [`super::parse`].

use std::borrow::Cow;

use super::hash::FastMap;
use crate::xml::{escape_attr, escape_text};

/// Index of an element in its [`Doc`].
pub(crate) type Id = u32;

/// Marks a text range as lying in [`Doc::owned`] rather than in the source.
pub(super) const OWNED: u32 = 1 << 31;

/// An interned element name and the hash of its bytes.
pub(super) struct Name<'a> {
    pub text: Cow<'a, str>,
    pub hash: u64,
}

/// A parsed document; element 0 is the root. One entry per element in each `Vec` below,
/// in document order.
pub(crate) struct Doc<'a> {
    pub(super) src: &'a str,
    /// Index in `names`.
    pub(super) name: Vec<u32>,
    /// One past the last element of the subtree.
    pub(super) end: Vec<Id>,
    /// Direct children: (start, count) in `child_list`.
    pub(super) kids: Vec<(u32, u32)>,
    /// Every element's children, contiguous per parent (iterating them is a sequential
    /// read, not a chain of dependent loads).
    pub(super) child_list: Vec<Id>,
    pub(super) hash: Vec<u64>,
    /// Byte range of the element (start tag to end tag) in `src`.
    pub(super) span: Vec<(u32, u32)>,
    /// Direct text, trimmed: (start, length) in `src`, or in `owned` when start has [`OWNED`].
    pub(super) text: Vec<(u32, u32)>,
    /// (start, length) in `attrs`.
    pub(super) attr_range: Vec<(u32, u32)>,
    pub(super) names: Vec<Name<'a>>,
    /// Name hash → index in `names` (first name with that hash).
    pub(super) name_index: FastMap<u64, u32>,
    /// Attributes except namespace declarations (`xmlns`, `xmlns:*`), per element in order.
    pub(super) attrs: Vec<(String, String)>,
    /// Text that is not a slice of the source (entities, several pieces, normalized line ends).
    pub(super) owned: String,
}

impl<'a> Doc<'a> {
    pub fn root(&self) -> Id {
        0
    }

    pub fn name(&self, id: Id) -> &str {
        &self.names[self.name[id as usize] as usize].text
    }

    /// The interned name of an element: equal names of one document have equal symbols.
    pub fn symbol_of(&self, id: Id) -> u32 {
        self.name[id as usize]
    }

    /// The symbol of `name` in this document, if any element has that name.
    pub fn symbol(&self, name: &str) -> Option<u32> {
        let hash = super::hash::Fnv::of(name.as_bytes());
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
        self.range_text(self.text[id as usize])
    }

    /// The text of a (start, length) range of the source or, with [`OWNED`], of `owned`.
    pub(super) fn range_text(&self, (start, len): (u32, u32)) -> &str {
        if start & OWNED != 0 {
            let s = (start & !OWNED) as usize;
            &self.owned[s..s + len as usize]
        } else {
            &self.src[start as usize..(start + len) as usize]
        }
    }

    pub fn hash(&self, id: Id) -> u64 {
        self.hash[id as usize]
    }

    /// Attributes except namespace declarations.
    pub fn attrs(&self, id: Id) -> &[(String, String)] {
        let (start, len) = self.attr_range[id as usize];
        &self.attrs[start as usize..(start + len) as usize]
    }

    pub fn is_leaf(&self, id: Id) -> bool {
        self.kids[id as usize].1 == 0
    }

    /// The direct children of an element, in document order.
    pub fn children(&self, id: Id) -> std::iter::Copied<std::slice::Iter<'_, Id>> {
        let (start, len) = self.kids[id as usize];
        self.child_list[start as usize..(start + len) as usize]
            .iter()
            .copied()
    }

    /// First child element with symbol `sym`.
    pub fn child_sym(&self, id: Id, sym: u32) -> Option<Id> {
        self.children(id).find(|&c| self.name[c as usize] == sym)
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
        let size = self.end[a as usize] - a;
        if self.hash(a) != other.hash(b) || size != other.end[b as usize] - b {
            return false;
        }
        // Identical bytes parse to identical content.
        if self.source(a) == other.source(b) {
            return true;
        }
        // Elements are in document order with their subtree sizes, so two subtrees are equal
        // exactly when their elements are equal one by one.
        (0..size).all(|k| self.shallow_eq(a + k, other, b + k))
    }

    /// The element as written in the source, start tag to end tag.
    pub(super) fn source(&self, id: Id) -> &str {
        let (start, end) = self.span[id as usize];
        &self.src[start as usize..end as usize]
    }

    /// Same name, text, attributes and shape (subtree size and child count).
    fn shallow_eq(&self, a: Id, other: &Doc<'_>, b: Id) -> bool {
        let (i, j) = (a as usize, b as usize);
        self.end[i] - a == other.end[j] - b
            && self.kids[i].1 == other.kids[j].1
            && self.name(a) == other.name(b)
            && self.text(a) == other.text(b)
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
}

fn same_attrs(a: &[(String, String)], b: &[(String, String)]) -> bool {
    a.len() == b.len() && a.iter().all(|kv| b.contains(kv))
}

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
        let spans: Vec<&str> = (0..doc.name.len() as Id).map(|id| doc.source(id)).collect();
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
    fn text_is_assembled_from_pieces_and_trimmed() {
        let src = "<R>\r\n  a &lt; <x>&amp;y&amp; </x> b\r\n c <y> <![CDATA[ z ]]> </y></R>";
        let doc = Doc::parse(src, "t").unwrap();
        let root = Element::parse_str(src, "t").unwrap();
        assert_eq!(doc.text(0), "a <  b\n c");
        assert_eq!(doc.text(1), "&y&");
        assert_eq!(doc.text(2), "z");
        assert_eq!(root.child_text("x").as_deref(), Some("&y&"));
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
