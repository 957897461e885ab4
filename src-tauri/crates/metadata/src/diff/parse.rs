//! Building a [`Doc`] from text with quick-xml, in one pass and without per-element allocation.
//!
//! Parsing is most of the cost of diffing a large file, so the builder does as little as it
//! can per event: indentation between elements (a third of all events) is recognised from
//! its raw bytes and dropped, element names are interned with a guess of the name that
//! usually comes next (metadata repeats the same shapes thousands of times), text stays a
//! range of the source, and each element's content hash is computed as it closes. It accepts
//! exactly what [`crate::xml::Element::parse_str`] accepts (same reader settings, entities and
//! structural checks).

use std::borrow::Cow;

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use super::dom::{Doc, Id, Name, OWNED};
use super::hash::{FastMap, Fnv};
use crate::error::{Error, Result};
use crate::xml::predefined_entity;

/// Deepest nesting accepted (as in [`crate::xml`]).
const MAX_DEPTH: usize = 256;

/// No symbol yet.
const NONE: u32 = u32::MAX;

impl<'a> Doc<'a> {
    /// Parses `text`; `context` names the file in errors.
    pub fn parse(text: &'a str, context: &str) -> Result<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let err = |message: String| Error::Xml {
            context: context.to_owned(),
            message,
        };
        if text.len() >= OWNED as usize {
            return Err(err("document larger than 2 GB".into()));
        }
        let mut reader = Reader::from_str(text);
        reader.config_mut().check_end_names = true;
        let mut b = Builder::new(text);
        loop {
            // Events are contiguous, so the position before an event is where it starts.
            let at = reader.buffer_position() as u32;
            match reader.read_event().map_err(|e| err(e.to_string()))? {
                Event::Start(start) => {
                    if b.stack.len() >= MAX_DEPTH {
                        return Err(err("elements nested too deeply".into()));
                    }
                    let id = b.open(&start, at).map_err(err)?;
                    b.stack.push(id);
                    b.bases.push(b.pending.len());
                }
                Event::Empty(start) => {
                    let id = b.open(&start, at).map_err(err)?;
                    b.close(id, reader.buffer_position() as u32);
                }
                Event::End(_) => {
                    let id = b
                        .stack
                        .pop()
                        .ok_or_else(|| err("unexpected end tag".into()))?;
                    let base = b.bases.pop().unwrap_or(0);
                    b.adopt(id, base);
                    b.close(id, reader.buffer_position() as u32);
                }
                Event::Text(t) => {
                    // Indentation between elements is skipped without decoding it.
                    if !(ascii_blank(t.as_bytes()) && b.current_text_blank()) {
                        b.push_text(&t.xml10_content()).map_err(err)?;
                    }
                }
                Event::CData(t) => b.push_text(&t.xml10_content()).map_err(err)?,
                Event::GeneralRef(r) => {
                    let c = match r.resolve_char_ref().map_err(|e| err(e.to_string()))? {
                        Some(c) => c,
                        None => predefined_entity(&r.xml10_content()).ok_or_else(|| {
                            err(format!("unknown entity &{};", r.xml10_content()))
                        })?,
                    };
                    b.push_text(c.encode_utf8(&mut [0; 4])).map_err(err)?;
                }
                Event::Eof => break,
                Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
            }
        }
        if !b.stack.is_empty() {
            return Err(err("unexpected end of document (unclosed element)".into()));
        }
        if b.doc.name.is_empty() {
            return Err(err("no root element".into()));
        }
        if b.doc.owned.len() >= OWNED as usize {
            return Err(err("document text larger than 2 GB".into()));
        }
        Ok(b.doc)
    }
}

struct Builder<'a> {
    doc: Doc<'a>,
    /// Open elements, innermost last.
    stack: Vec<Id>,
    /// Per open element, where its children start in `pending`.
    bases: Vec<usize>,
    /// Children of the open elements, outermost first.
    pending: Vec<Id>,
    root_done: bool,
    /// The symbol of the last element closed at each depth (its younger sibling's
    /// predecessor), [`NONE`] at the start of each parent.
    previous: Vec<u32>,
    /// Per symbol, the symbol that last followed it as next sibling; past `names.len()`, per
    /// parent symbol, its last first child. A guess checked by comparing the name.
    follows: Vec<u32>,
}

impl<'a> Builder<'a> {
    fn new(src: &'a str) -> Self {
        // Metadata averages one element per ~40 bytes; reserving avoids regrowing.
        let n = src.len() / 40 + 1;
        Self {
            doc: Doc {
                src,
                name: Vec::with_capacity(n),
                end: Vec::with_capacity(n),
                kids: Vec::with_capacity(n),
                child_list: Vec::with_capacity(n),
                hash: Vec::with_capacity(n),
                span: Vec::with_capacity(n),
                text: Vec::with_capacity(n),
                attr_range: Vec::with_capacity(n),
                names: Vec::new(),
                name_index: FastMap::default(),
                attrs: Vec::new(),
                owned: String::new(),
            },
            stack: Vec::new(),
            bases: Vec::new(),
            pending: Vec::new(),
            root_done: false,
            previous: vec![NONE],
            follows: Vec::new(),
        }
    }

    /// Adds an element under the innermost open one.
    fn open(&mut self, start: &BytesStart<'_>, at: u32) -> std::result::Result<Id, String> {
        if self.stack.is_empty() && self.root_done {
            return Err("more than one root element".into());
        }
        let local = start.local_name();
        let sym = self.symbol(local.as_ref());
        let d = &mut self.doc;
        let first_attr = d.attrs.len();
        for attr in start.attributes() {
            let attr = attr.map_err(|e| e.to_string())?;
            let key: &str = attr.key.as_ref();
            if key == "xmlns" || key.starts_with("xmlns:") {
                continue;
            }
            let value = attr
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|e| e.to_string())?;
            d.attrs.push((key.to_owned(), value.into_owned()));
        }
        let id = Id::try_from(d.name.len())
            .ok()
            .filter(|&id| id < OWNED)
            .ok_or_else(|| "too many elements".to_owned())?;
        d.name.push(sym);
        d.end.push(id + 1);
        d.kids.push((0, 0));
        d.hash.push(0);
        d.span.push((at, at));
        d.text.push((at, 0));
        d.attr_range
            .push((first_attr as u32, (d.attrs.len() - first_attr) as u32));
        self.pending.push(id);
        // The next element at this depth follows this one; the first inside it starts anew.
        let depth = self.stack.len();
        self.previous[depth] = sym;
        self.previous.truncate(depth + 1);
        self.previous.push(NONE);
        Ok(id)
    }

    /// The symbol of a local name: the guessed one when it matches, else looked up, else
    /// added.
    fn symbol(&mut self, local: &str) -> u32 {
        let depth = self.stack.len();
        let slot = match (self.previous[depth], self.stack.last()) {
            (NONE, Some(&parent)) => Some(self.doc.name[parent as usize] as usize * 2 + 1),
            (NONE, None) => None,
            (prev, _) => Some(prev as usize * 2),
        };
        if let Some(&guess) = slot.and_then(|s| self.follows.get(s))
            && guess != NONE
            && self.doc.names[guess as usize].text == local
        {
            return guess;
        }
        let sym = self.intern(local);
        if let Some(s) = slot {
            if self.follows.len() <= s {
                self.follows.resize(s + 1, NONE);
            }
            self.follows[s] = sym;
        }
        sym
    }

    fn intern(&mut self, local: &str) -> u32 {
        let d = &mut self.doc;
        let hash = Fnv::of(local.as_bytes());
        if let Some(&s) = d.name_index.get(&hash)
            && d.names[s as usize].text == local
        {
            return s;
        }
        if let Some(s) = d.names.iter().position(|n| n.text == local) {
            return s as u32;
        }
        // Borrow the name from the document when the event points into it (it always does
        // for a string reader); otherwise copy it.
        let text = match src_offset(d.src, local) {
            Some(at) => Cow::Borrowed(&d.src[at as usize..at as usize + local.len()]),
            None => Cow::Owned(local.to_owned()),
        };
        let s = d.names.len() as u32;
        d.names.push(Name { text, hash });
        d.name_index.entry(hash).or_insert(s);
        s
    }

    /// Moves the children of a closing element (`pending` from `base`) to its child list.
    fn adopt(&mut self, id: Id, base: usize) {
        let d = &mut self.doc;
        let start = d.child_list.len() as u32;
        d.child_list.extend_from_slice(&self.pending[base..]);
        d.kids[id as usize] = (start, (self.pending.len() - base) as u32);
        self.pending.truncate(base);
    }

    /// Trims the text of a closed element, records where it ends and computes its content
    /// hash (its children are already hashed).
    fn close(&mut self, id: Id, end_at: u32) {
        let d = &mut self.doc;
        let i = id as usize;
        d.end[i] = d.name.len() as Id;
        d.span[i].1 = end_at;
        let (start, len) = d.text[i];
        let text = d.range_text((start, len));
        let trimmed = text.trim();
        let skip = (trimmed.as_ptr() as usize - text.as_ptr() as usize) as u32;
        d.text[i] = (start + skip, trimmed.len() as u32);
        let mut h = Fnv::new();
        h.mix(d.names[d.name[i] as usize].hash);
        h.write(d.text(id).as_bytes());
        let attrs = d.attrs(id);
        if !attrs.is_empty() {
            // Attributes in any order hash the same.
            let sum = attrs.iter().fold(0u64, |acc, (k, v)| {
                let mut a = Fnv::new();
                a.write(k.as_bytes());
                a.write(v.as_bytes());
                acc.wrapping_add(a.0)
            });
            h.mix(sum);
        }
        for c in d.children(id) {
            h.mix(d.hash[c as usize]);
        }
        d.hash[i] = h.0;
        self.root_done |= self.stack.is_empty();
    }

    /// Whether the innermost open element has no text but whitespace so far (true outside
    /// the root).
    fn current_text_blank(&self) -> bool {
        self.stack
            .last()
            .is_none_or(|&id| blank(self.doc.range_text(self.doc.text[id as usize])))
    }

    fn push_text(&mut self, piece: &str) -> std::result::Result<(), String> {
        let Some(&id) = self.stack.last() else {
            return if blank(piece) {
                Ok(())
            } else {
                Err("text outside the root element".into())
            };
        };
        let d = &mut self.doc;
        let (start, len) = d.text[id as usize];
        // Whitespace before any real text only formats (text is compared trimmed): skipping
        // it keeps indentation between child elements from being copied.
        if blank(piece) && blank(d.range_text((start, len))) {
            return Ok(());
        }
        if len == 0
            && let Some(at) = src_offset(d.src, piece)
        {
            d.text[id as usize] = (at, piece.len() as u32);
            return Ok(());
        }
        // Several pieces (or one not in the source): assembled at the end of `owned`.
        let at_end = start & OWNED != 0 && ((start & !OWNED) + len) as usize == d.owned.len();
        let start = if len == 0 {
            d.owned.len() as u32 | OWNED
        } else if at_end {
            start
        } else {
            let copy = d.range_text((start, len)).to_owned();
            let s = d.owned.len() as u32 | OWNED;
            d.owned.push_str(&copy);
            s
        };
        d.owned.push_str(piece);
        d.text[id as usize] = (start, len + piece.len() as u32);
        Ok(())
    }
}

/// Where `piece` lies in `src`, if it is a slice of it.
fn src_offset(src: &str, piece: &str) -> Option<u32> {
    let offset = (piece.as_ptr() as usize).wrapping_sub(src.as_ptr() as usize);
    (offset <= src.len() && piece.len() <= src.len() - offset).then_some(offset as u32)
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
