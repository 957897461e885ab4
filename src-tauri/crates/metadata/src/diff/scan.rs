//! A fast scanner for the plain XML most metadata files are: elements, attributes in double
//! or single quotes, text without entities, an XML declaration.
//!
//! quick-xml's event machinery is most of the cost of parsing a 5 MB profile (about 60 ns an
//! event, and such a file has half a million). Metadata files written by Salesforce or by
//! Orgfleet's canonical form use a small part of XML, which this scanner reads with a
//! search for `<` and a few byte loops, feeding the same [`Builder`] as the general path, so
//! the tree is identical. It gives up (returns `None`) at the first thing outside that part —
//! an entity, a comment, CDATA, a DOCTYPE, a namespace prefix on an element, a carriage
//! return, an attribute value with a tab or newline, any doubt about well-formedness — and
//! the caller parses the whole file with quick-xml, which also words every error. It never
//! accepts a document the general path would reject.

use super::dom::Doc;
use super::parse::{Builder, MAX_DEPTH, ascii_blank};

/// The document, or `None` when it needs the general path.
pub(super) fn scan(text: &str) -> Option<Doc<'_>> {
    let bytes = text.as_bytes();
    let mut b = Builder::new(text);
    let mut i = 0;
    while i < bytes.len() {
        let lt = text[i..].find('<').map_or(bytes.len(), |k| i + k);
        if lt > i {
            let piece = &text[i..lt];
            let raw = piece.as_bytes();
            // Entities and line ends that XML normalizes are the general path's business.
            if raw.contains(&b'&') || raw.contains(&b'\r') {
                return None;
            }
            if !(ascii_blank(raw) && b.current_text_blank()) {
                b.push_text(piece).ok()?;
            }
        }
        if lt == bytes.len() {
            break;
        }
        i = match bytes.get(lt + 1)? {
            b'/' => end_tag(&mut b, text, lt)?,
            b'?' => declaration(text, lt)?,
            b'!' => return None,
            _ => start_tag(&mut b, text, lt)?,
        };
    }
    b.finish().ok()
}

/// `</name>` at `lt`: closes the innermost element; returns where scanning goes on.
fn end_tag(b: &mut Builder<'_>, text: &str, lt: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let start = lt + 2;
    let end = name_end(bytes, start)?;
    let gt = skip_space(bytes, end);
    if bytes.get(gt) != Some(&b'>') || b.name(b.current()?) != &text[start..end] {
        return None;
    }
    b.end(gt as u32 + 1).ok()?;
    Some(gt + 1)
}

/// `<?target ...?>` at `lt` (the XML declaration or a processing instruction): skipped.
fn declaration(text: &str, lt: usize) -> Option<usize> {
    if !text.as_bytes().get(lt + 2)?.is_ascii_alphabetic() {
        return None;
    }
    text[lt + 2..].find("?>").map(|k| lt + 2 + k + 2)
}

/// `<name attr="value" ...>` or `<name .../>` at `lt`: opens an element.
fn start_tag(b: &mut Builder<'_>, text: &str, lt: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let end = name_end(bytes, lt + 1)?;
    let name = &text[lt + 1..end];
    // A prefix would need namespace handling: general path.
    if name.contains(':') || b.depth() >= MAX_DEPTH {
        return None;
    }
    let id = b.open(name, lt as u32).ok()?;
    // Every attribute name of the tag, namespace declarations included (duplicates are an
    // error the general path reports).
    let mut seen: Vec<&str> = Vec::new();
    let mut at = end;
    loop {
        let next = skip_space(bytes, at);
        match bytes.get(next)? {
            b'>' => {
                b.enter(id);
                return Some(next + 1);
            }
            b'/' if bytes.get(next + 1) == Some(&b'>') => {
                b.close_empty(id, next as u32 + 2);
                return Some(next + 2);
            }
            // An attribute, after at least one space.
            _ if next > at => {
                let key_end = name_end(bytes, next)?;
                let quote = *bytes.get(key_end + 1)?;
                if bytes.get(key_end) != Some(&b'=') || !matches!(quote, b'"' | b'\'') {
                    return None;
                }
                let value_start = key_end + 2;
                let value_end =
                    value_start + bytes[value_start..].iter().position(|&c| c == quote)?;
                let value = &text[value_start..value_end];
                // Values XML would normalize (entities, whitespace characters) or forbid.
                if value
                    .bytes()
                    .any(|c| matches!(c, b'<' | b'&' | b'\t' | b'\n' | b'\r'))
                {
                    return None;
                }
                let key = &text[next..key_end];
                if seen.contains(&key) {
                    return None;
                }
                seen.push(key);
                if key != "xmlns" && !key.starts_with("xmlns:") {
                    b.attr(id, key.to_owned(), value.to_owned());
                }
                at = value_end + 1;
            }
            _ => return None,
        }
    }
}

/// The end of a name starting at `start` (ASCII letters, digits, `_`, `-`, `.`, `:`; not
/// starting with a digit, `-` or `.`), when a delimiter follows it.
fn name_end(bytes: &[u8], start: usize) -> Option<usize> {
    let first = *bytes.get(start)?;
    if !(first.is_ascii_alphabetic() || first == b'_') {
        return None;
    }
    let len = bytes[start..]
        .iter()
        .position(|c| !(c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b':')))?;
    let end = start + len;
    matches!(
        bytes[end],
        b' ' | b'\t' | b'\n' | b'\r' | b'>' | b'/' | b'='
    )
    .then_some(end)
}

fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes
        .get(at)
        .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r'))
    {
        at += 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml::Element;

    /// Everything the scanner accepts parses the same on the general path; what it refuses
    /// is left to the general path.
    #[test]
    fn scans_plain_metadata_and_leaves_the_rest() {
        let plain = [
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Profile xmlns=\"http://soap.sforce.com/2006/04/metadata\">\n    <custom>true</custom>\n    <fieldPermissions>\n        <editable>false</editable>\n        <field>A.B</field>\n    </fieldPermissions>\n    <x/><y a='1' b=\"2\" />\n</Profile>\n",
            "<R><v xsi:type=\"xsd:string\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">x > y</v>  mixed <e>t</e> text </R>",
            "  <a>é ü 漢字</a>  ",
        ];
        for text in plain {
            let fast = scan(text).unwrap_or_else(|| panic!("should scan: {text}"));
            let general = super::super::parse::parse_events(text).unwrap();
            assert_eq!(fast.debug_dump(), general.debug_dump(), "{text}");
        }
        let general_only = [
            "<a>1 &amp; 2</a>",
            "<a><![CDATA[x]]></a>",
            "<a><!-- c --></a>",
            "<!DOCTYPE a><a/>",
            "<p:a xmlns:p=\"x\"/>",
            "<a>\r\n</a>",
            "<a b=\"1\n2\"/>",
            "<a b=\"1\" b=\"2\"/>",
            "<a xmlns=\"1\" xmlns=\"2\"/>",
            "<a b='1'c='2'/>",
            "<a b = \"1\"/>",
            "<a b=1/>",
            "<?>",
        ];
        for text in general_only {
            assert!(
                scan(text).is_none(),
                "should leave to the general path: {text}"
            );
        }
        // Unusual but well-formed text: both paths agree on acceptance.
        for odd in [
            "<a>]]></a>",
            "<a>x > y</a>",
            "<a>\t</a>",
            "<a\n\tb=\"1\"\n/>",
        ] {
            assert_eq!(
                scan(odd).is_some() || Doc::parse(odd, "t").is_ok(),
                Element::parse_str(odd, "t").is_ok(),
                "{odd:?}"
            );
            if let Some(fast) = scan(odd) {
                let general = super::super::parse::parse_events(odd).unwrap();
                assert_eq!(fast.debug_dump(), general.debug_dump(), "{odd:?}");
            }
        }
        // Malformed documents are never accepted (the general path words the error).
        for bad in [
            "",
            "<a>",
            "<a></b>",
            "<a/><b/>",
            "text",
            "<a>x</a>y",
            "</a>",
            "<1a/>",
            "<a></a >x",
            "<a><b></a></b>",
            "<a>]]></a",
            "<a b=\"1/>",
        ] {
            assert!(scan(bad).is_none(), "{bad:?} should not scan");
            assert_eq!(
                Doc::parse(bad, "t").is_ok(),
                Element::parse_str(bad, "t").is_ok(),
                "{bad:?}"
            );
        }
    }

    /// Every XML file of the shared fixtures: the scanner builds exactly the general path's
    /// tree, or leaves the file to it.
    #[test]
    fn fixtures_scan_like_the_general_path() {
        let Some(shared) = crate::test_support::shared_dir() else {
            return;
        };
        let (mut scanned, mut left) = (0, 0);
        let mut stack = vec![shared.join("fixtures")];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                let Ok(text) = std::fs::read_to_string(&path) else {
                    continue;
                };
                let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
                if !text.trim_start().starts_with('<') {
                    continue;
                }
                match (scan(text), super::super::parse::parse_events(text)) {
                    (Some(fast), Ok(general)) => {
                        assert_eq!(
                            fast.debug_dump(),
                            general.debug_dump(),
                            "{}",
                            path.display()
                        );
                        scanned += 1;
                    }
                    (Some(_), Err(e)) => panic!("{} scanned but fails: {e}", path.display()),
                    (None, _) => left += 1,
                }
            }
        }
        eprintln!("{scanned} files scanned, {left} left to the general path");
        assert!(scanned > 100);
    }
}
