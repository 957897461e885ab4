//! A small positioned XML tree for the deploy pipeline.
//!
//! Deploy validation must report `lineNumber`/`columnNumber` the way Salesforce does (into the
//! file as it sits in the zip), and malformed files must fail with the parser's position and a
//! Xerces-style message (Salesforce parses metadata with Xerces: `Content is not allowed in
//! prolog.`, `The element type "x" must be terminated by the matching end-tag "</x>".`). This
//! module parses one file into [`Node`]s that remember where each element starts, and renders
//! a tree back to canonical mdapi XML (used when a deployed `.object` is merged into the org's).

use quick_xml::Reader;
use quick_xml::events::Event;

/// One element: local name (namespace prefix dropped), text content, children, position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub name: String,
    pub text: String,
    pub children: Vec<Node>,
    /// 1-based line and column of the element's `<`.
    pub line: u32,
    pub column: u32,
    /// Position of the first character of the element's text (for problems about a value).
    pub text_line: u32,
    pub text_column: u32,
}

/// A parse failure: Xerces-style message and 1-based position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

impl Node {
    fn new(name: String, (line, column): (u32, u32)) -> Self {
        Node {
            name,
            text: String::new(),
            children: Vec::new(),
            line,
            column,
            text_line: line,
            text_column: column,
        }
    }

    /// First child named `name`.
    pub fn child(&self, name: &str) -> Option<&Node> {
        self.children.iter().find(|c| c.name == name)
    }

    /// All children named `name`.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Node> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// Trimmed text of the first child named `name`.
    pub fn child_text(&self, name: &str) -> Option<&str> {
        self.child(name).map(|c| c.text.trim())
    }

    /// Renders the element (and children) as mdapi XML with 4-space indentation.
    pub fn render(&self, out: &mut String, depth: usize, root_ns: bool) {
        let pad = "    ".repeat(depth);
        out.push_str(&pad);
        out.push('<');
        out.push_str(&self.name);
        if root_ns {
            out.push_str(" xmlns=\"http://soap.sforce.com/2006/04/metadata\"");
        }
        if self.children.is_empty() {
            if self.text.is_empty() {
                out.push_str("/>\n");
            } else {
                out.push('>');
                out.push_str(&escape(&self.text));
                out.push_str("</");
                out.push_str(&self.name);
                out.push_str(">\n");
            }
            return;
        }
        out.push_str(">\n");
        for c in &self.children {
            c.render(out, depth + 1, false);
        }
        out.push_str(&pad);
        out.push_str("</");
        out.push_str(&self.name);
        out.push_str(">\n");
    }

    /// Renders a whole document with the XML declaration.
    pub fn to_document(&self) -> String {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        self.render(&mut out, 0, true);
        out
    }
}

/// Escapes text content for XML.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c => out.push(c),
        }
    }
    out
}

/// 1-based (line, column) of byte offset `pos` in `src`.
pub fn line_col(src: &str, pos: usize) -> (u32, u32) {
    let pos = pos.min(src.len());
    let before = &src.as_bytes()[..pos];
    let line = before.iter().filter(|b| **b == b'\n').count() as u32 + 1;
    let line_start = before
        .iter()
        .rposition(|b| *b == b'\n')
        .map(|i| i + 1)
        .unwrap_or(0);
    let column = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u32
        + 1;
    (line, column)
}

/// Line starts of a text, for O(log n) offset → (line, column) lookups.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(src: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(
            src.bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i + 1),
        );
        Self { starts }
    }

    /// 1-based (line, column) of byte offset `pos` in `src` (the text the index was built on).
    pub fn at(&self, src: &str, pos: usize) -> (u32, u32) {
        let pos = pos.min(src.len());
        let line = self.starts.partition_point(|s| *s <= pos);
        let start = self.starts[line - 1];
        let column = String::from_utf8_lossy(&src.as_bytes()[start..pos])
            .chars()
            .count() as u32
            + 1;
        (line as u32, column)
    }
}

/// Parses one XML document. Errors carry Xerces-style text and the position of the failure.
pub fn parse(bytes: &[u8]) -> Result<Node, ParseError> {
    let src = std::str::from_utf8(bytes).map_err(|e| {
        let (line, column) = line_col(&String::from_utf8_lossy(bytes), e.valid_up_to());
        ParseError {
            message: "Invalid byte 1 of 1-byte UTF-8 sequence.".into(),
            line,
            column,
        }
    })?;
    let idx = LineIndex::new(src);
    let mut reader = Reader::from_str(src);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<Node> = Vec::new();
    let mut root: Option<Node> = None;
    loop {
        let start = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(ev) => ev,
            Err(err) => {
                return Err(translate(
                    src,
                    &err,
                    reader.error_position() as usize,
                    &stack,
                ));
            }
        };
        match event {
            Event::Start(_) | Event::Empty(_) if root.is_some() && stack.is_empty() => {
                let (line, column) = line_col(src, start);
                return Err(ParseError {
                    message:
                        "The markup in the document following the root element must be well-formed."
                            .into(),
                    line,
                    column,
                });
            }
            Event::Start(e) => {
                let name = e.local_name().as_ref().to_owned();
                let mut node = Node::new(name, idx.at(src, start));
                let (tl, tc) = idx.at(src, reader.buffer_position() as usize);
                node.text_line = tl;
                node.text_column = tc;
                stack.push(node);
            }
            Event::Empty(e) => {
                let name = e.local_name().as_ref().to_owned();
                let node = Node::new(name, idx.at(src, start));
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::End(_) => {
                let Some(node) = stack.pop() else { continue };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(node),
                    None => root = Some(node),
                }
            }
            Event::Text(t) => {
                let text = t.xml10_content();
                if stack.is_empty() {
                    if !text.trim().is_empty() {
                        let (line, column) = line_col(src, start);
                        let message = if root.is_some() {
                            "Content is not allowed in trailing section."
                        } else {
                            "Content is not allowed in prolog."
                        };
                        return Err(ParseError {
                            message: message.into(),
                            line,
                            column,
                        });
                    }
                } else if let Some(top) = stack.last_mut() {
                    top.text.push_str(&text);
                }
            }
            Event::CData(c) => {
                if let Some(top) = stack.last_mut() {
                    top.text.push_str(&c.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let resolved = if r.is_char_ref() {
                    r.resolve_char_ref().ok().flatten()
                } else {
                    match r.as_ref() {
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "amp" => Some('&'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    }
                };
                let Some(ch) = resolved else {
                    let (line, column) = line_col(src, reader.buffer_position() as usize);
                    let name = r.as_ref().to_owned();
                    return Err(ParseError {
                        message: format!("The entity \"{name}\" was referenced, but not declared."),
                        line,
                        column,
                    });
                };
                if let Some(top) = stack.last_mut() {
                    top.text.push(ch);
                }
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        let (line, column) = line_col(src, src.len());
        return Err(ParseError {
            message: "XML document structures must start and end within the same entity.".into(),
            line,
            column,
        });
    }
    root.ok_or_else(|| ParseError {
        message: "Premature end of file.".into(),
        line: 1,
        column: 1,
    })
}

fn translate(src: &str, err: &quick_xml::Error, pos: usize, stack: &[Node]) -> ParseError {
    use quick_xml::errors::{IllFormedError, SyntaxError};
    let (line, column) = line_col(src, pos);
    let message = match err {
        quick_xml::Error::IllFormed(IllFormedError::MismatchedEndTag { expected, .. }) => format!(
            "The element type \"{expected}\" must be terminated by the matching end-tag \"</{expected}>\"."
        ),
        quick_xml::Error::IllFormed(IllFormedError::UnmatchedEndTag(_)) => {
            "The markup in the document following the root element must be well-formed.".into()
        }
        quick_xml::Error::Syntax(SyntaxError::UnclosedTag) => match stack.last() {
            Some(n) => format!(
                "XML document structures must start and end within the same entity. (in element \"{}\")",
                n.name
            ),
            None => "XML document structures must start and end within the same entity.".into(),
        },
        quick_xml::Error::Syntax(SyntaxError::UnclosedComment) => {
            "XML document structures must start and end within the same entity.".into()
        }
        quick_xml::Error::InvalidAttr(_) => {
            "Element type must be followed by either attribute specifications, \">\" or \"/>\"."
                .into()
        }
        other => format!("The markup in the document is not well-formed: {other}"),
    };
    ParseError {
        message,
        line,
        column,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_and_text() {
        let xml = b"<?xml version=\"1.0\"?>\n<Layout xmlns=\"x\">\n  <field>A&amp;B__c</field>\n</Layout>\n";
        let root = parse(xml).unwrap();
        assert_eq!(root.name, "Layout");
        let f = root.child("field").unwrap();
        assert_eq!(f.text, "A&B__c");
        assert_eq!((f.line, f.column), (3, 3));
        assert_eq!((f.text_line, f.text_column), (3, 10));
    }

    #[test]
    fn mismatched_end_tag_reports_line() {
        let xml = b"<a>\n<b>\n</c>\n</a>";
        let err = parse(xml).unwrap_err();
        assert_eq!(err.line, 3);
        assert!(
            err.message.contains("\"b\" must be terminated"),
            "{}",
            err.message
        );
    }

    #[test]
    fn prolog_and_truncation() {
        assert_eq!(
            parse(b"junk<a/>").unwrap_err().message,
            "Content is not allowed in prolog."
        );
        let err = parse(b"<a>\n<b>x</b>\n").unwrap_err();
        assert!(
            err.message.starts_with("XML document structures"),
            "{}",
            err.message
        );
    }

    #[test]
    fn render_roundtrip() {
        let root = parse(b"<CustomObject><label>A &lt; B</label><fields><fullName>X__c</fullName></fields></CustomObject>").unwrap();
        let doc = root.to_document();
        let again = parse(doc.as_bytes()).unwrap();
        assert_eq!(again.child_text("label"), Some("A < B"));
        assert_eq!(
            again.child("fields").unwrap().child_text("fullName"),
            Some("X__c")
        );
    }
}
