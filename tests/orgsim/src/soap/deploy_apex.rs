//! Just enough Apex reading for deploy validation and simulated test runs.
//!
//! orgsim does not compile Apex. It scans source deterministically:
//! * comments and string contents are blanked (positions kept) before any scan;
//! * type references are `new X(`/`new X[`/`new X<` and declarations `X name =|;|,|)` that
//!   start a statement or parameter (after `{ ; ( ,` or a modifier); `X` counts when it
//!   starts with a capital letter, or ends in `__c`;
//! * methods are `name(...) {` headers at class level; their "locations" (what coverage
//!   counts) are the lines of their body that hold a `;`;
//! * a test method is a method whose header has `@isTest` or `testMethod`; it fails at the
//!   first (outside `try { … }`/`catch (…) { … }` blocks: exceptions are not simulated, and
//!   asserts there guard an expected or unexpected throw)
//!   `System.assert(false…)`, `System.assertEquals(a, b…)`/`Assert.areEqual` with two
//!   different literals, `System.assertNotEquals`/`Assert.areNotEqual` with equal literals,
//!   `Assert.isTrue(false…)`, `Assert.isFalse(true…)` or `Assert.fail(…)`.

/// Replaces comment and string-literal contents with spaces, keeping byte offsets and newlines.
pub fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    out[i] = b' ';
                    i += 1;
                }
            }
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = i;
                i += 2;
                while i < b.len() && !(b[i] == b'*' && b.get(i + 1) == Some(&b'/')) {
                    i += 1;
                }
                i = (i + 2).min(b.len());
                for o in &mut out[start..i] {
                    if *o != b'\n' {
                        *o = b' ';
                    }
                }
            }
            b'\'' => {
                i += 1;
                while i < b.len() && b[i] != b'\'' && b[i] != b'\n' {
                    if b[i] == b'\\' && i + 1 < b.len() {
                        out[i] = b' ';
                        i += 1;
                    }
                    out[i] = b' ';
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    blank_soql(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

/// Blanks the inside of inline SOQL/SOSL (`[SELECT …]`, `[FIND …]`), keeping newlines.
fn blank_soql(out: &mut [u8]) {
    let mut i = 0;
    while i < out.len() {
        if out[i] != b'[' {
            i += 1;
            continue;
        }
        let mut j = i + 1;
        while j < out.len() && out[j].is_ascii_whitespace() {
            j += 1;
        }
        let word: Vec<u8> = out[j..]
            .iter()
            .take(6)
            .map(u8::to_ascii_lowercase)
            .collect();
        let is_query = word.starts_with(b"select") || word.starts_with(b"find");
        if !is_query {
            i += 1;
            continue;
        }
        let mut depth = 0usize;
        let mut k = i;
        while k < out.len() {
            match out[k] {
                b'[' => depth += 1,
                b']' => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            k += 1;
        }
        let end = k.min(out.len());
        for c in &mut out[i + 1..end] {
            if *c != b'\n' {
                *c = b' ';
            }
        }
        i = k + 1;
    }
}

/// 1-based line and column of byte offset `pos`.
pub fn pos(src: &str, pos: usize) -> (u32, u32) {
    super::xml::line_col(src, pos)
}

pub(super) fn is_ident(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Identifier tokens with their byte offsets.
fn tokens(s: &str) -> Vec<(usize, &str)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if is_ident(b[i]) {
            let start = i;
            while i < b.len() && (is_ident(b[i]) || b[i] == b'.') {
                i += 1;
            }
            out.push((start, &s[start..i]));
        } else {
            i += 1;
        }
    }
    out
}

pub(super) fn next_non_space(b: &[u8], mut i: usize) -> Option<(usize, u8)> {
    while i < b.len() {
        if !b[i].is_ascii_whitespace() {
            return Some((i, b[i]));
        }
        i += 1;
    }
    None
}

fn prev_non_space(b: &[u8], i: usize) -> Option<u8> {
    b[..i]
        .iter()
        .rev()
        .find(|c| !c.is_ascii_whitespace())
        .copied()
}

const MODIFIERS: &[&str] = &[
    "public",
    "private",
    "protected",
    "global",
    "static",
    "final",
    "override",
    "virtual",
    "transient",
    "abstract",
    "webservice",
];
const KEYWORDS: &[&str] = &[
    "return",
    "else",
    "if",
    "for",
    "while",
    "do",
    "try",
    "catch",
    "finally",
    "throw",
    "new",
    "class",
    "interface",
    "enum",
    "extends",
    "implements",
    "void",
    "this",
    "super",
    "null",
    "true",
    "false",
    "insert",
    "update",
    "delete",
    "upsert",
    "undelete",
    "merge",
    "break",
    "continue",
    "instanceof",
    "with",
    "without",
    "sharing",
    "inherited",
    "trigger",
    "on",
    "before",
    "after",
    "testmethod",
    "get",
    "set",
];

/// Type names used by the source: (name, byte offset). Qualified names yield the first segment.
pub fn type_refs(stripped: &str) -> Vec<(String, usize)> {
    let b = stripped.as_bytes();
    let toks = tokens(stripped);
    let mut out = Vec::new();
    for (i, (off, tok)) in toks.iter().enumerate() {
        let first = tok.split('.').next().unwrap_or(tok);
        let end = off + tok.len();
        if *tok == "new" {
            if let Some((noff, ntok)) = toks.get(i + 1) {
                let after = next_non_space(b, noff + ntok.len()).map(|(_, c)| c);
                if matches!(after, Some(b'(' | b'[' | b'<' | b'{')) {
                    out.push((ntok.split('.').next().unwrap_or(ntok).to_owned(), *noff));
                }
            }
            continue;
        }
        let lower = first.to_ascii_lowercase();
        if KEYWORDS.contains(&lower.as_str()) || MODIFIERS.contains(&lower.as_str()) {
            continue;
        }
        if !(first.starts_with(|c: char| c.is_ascii_uppercase())
            || first.to_ascii_lowercase().ends_with("__c"))
        {
            continue;
        }
        // Declaration: `X name` followed by `= ; , )` (a generic `X<..> name` is skipped).
        let Some((noff, ntok)) = toks.get(i + 1) else {
            continue;
        };
        if b[end..*noff].iter().any(|c| !c.is_ascii_whitespace()) || ntok.contains('.') {
            continue;
        }
        let after = next_non_space(b, noff + ntok.len()).map(|(_, c)| c);
        if !matches!(after, Some(b'=' | b';' | b',' | b')' | b':')) {
            continue;
        }
        let prev = prev_non_space(b, *off);
        let prev_tok = i.checked_sub(1).map(|j| toks[j].1.to_ascii_lowercase());
        let statement_start = matches!(prev, None | Some(b'{' | b';' | b'(' | b',' | b'}'))
            || prev_tok
                .as_deref()
                .is_some_and(|p| MODIFIERS.contains(&p) && prev.is_some_and(is_ident));
        if statement_start {
            out.push((first.to_owned(), *off));
        }
    }
    out
}

/// First byte offset of every identifier (lower-cased, dotted names split) in stripped source.
pub fn word_index(stripped: &str) -> std::collections::HashMap<String, usize> {
    let mut out = std::collections::HashMap::new();
    let b = stripped.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if is_ident(b[i]) {
            let start = i;
            while i < b.len() && is_ident(b[i]) {
                i += 1;
            }
            out.entry(stripped[start..i].to_ascii_lowercase())
                .or_insert(start);
        } else {
            i += 1;
        }
    }
    out
}

/// Names of classes, interfaces and enums declared in the file (outer and inner).
pub fn declared_types(stripped: &str) -> Vec<String> {
    let toks = tokens(stripped);
    toks.windows(2)
        .filter(|w| {
            matches!(
                w[0].1.to_ascii_lowercase().as_str(),
                "class" | "interface" | "enum"
            )
        })
        .map(|w| w[1].1.to_owned())
        .collect()
}

/// Whether the class is annotated `@isTest`.
pub fn is_test_class(stripped: &str) -> bool {
    let lower = stripped.to_ascii_lowercase();
    match (lower.find("@istest"), lower.find("class ")) {
        (Some(a), Some(c)) => a < c,
        _ => false,
    }
}

/// One method of a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method {
    pub name: String,
    pub is_test: bool,
    /// Byte range of the body, braces excluded.
    pub body: std::ops::Range<usize>,
    /// Line and column of the method name.
    pub line: u32,
    pub column: u32,
    /// Lines of the body holding a statement (`;`).
    pub statement_lines: Vec<u32>,
}

/// Class-level methods (depth 1 inside the outer class/trigger body).
pub fn methods(stripped: &str) -> Vec<Method> {
    let idx = super::xml::LineIndex::new(stripped);
    let b = stripped.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut header_start = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'{' => {
                if depth == 1 {
                    let header = &stripped[header_start..i];
                    if let Some(m) = method_header(stripped, &idx, header_start, header, i) {
                        out.push(m);
                    }
                }
                depth += 1;
                if depth == 1 {
                    header_start = i + 1;
                }
            }
            b'}' => {
                depth = depth.saturating_sub(1);
                if depth <= 1 {
                    header_start = i + 1;
                }
            }
            b';' if depth == 1 => header_start = i + 1,
            _ => {}
        }
        i += 1;
    }
    out
}

fn method_header(
    src: &str,
    idx: &super::xml::LineIndex,
    header_start: usize,
    header: &str,
    brace: usize,
) -> Option<Method> {
    let lower = header.to_ascii_lowercase();
    if lower.contains(" class ")
        || lower.trim_start().starts_with("class ")
        || lower.contains(" get") && !lower.contains('(')
    {
        return None;
    }
    let paren = header.find('(')?;
    let name_end = header[..paren].trim_end().len();
    let name_start = header[..name_end]
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .map(|p| p + 1)
        .unwrap_or(0);
    let name = &header[name_start..name_end];
    if name.is_empty() || KEYWORDS.contains(&name.to_ascii_lowercase().as_str()) {
        return None;
    }
    let is_test = lower.contains("@istest") || lower.contains("testmethod");
    let close = matching_brace(src.as_bytes(), brace)?;
    let body = brace + 1..close;
    let mut statement_lines: Vec<u32> = src[body.clone()]
        .match_indices(';')
        .map(|(p, _)| idx.at(src, body.start + p).0)
        .collect();
    statement_lines.dedup();
    let (line, column) = idx.at(src, header_start + name_start);
    Some(Method {
        name: name.to_owned(),
        is_test,
        body,
        line,
        column,
        statement_lines,
    })
}

pub(super) fn matching_brace(b: &[u8], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in b.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_references() {
        let src = "public class A {\n  public void run(Bar b) {\n    Foo x = new Baz();\n    String s = 'new Nope()';\n    return;\n  }\n}";
        let refs: Vec<String> = type_refs(&strip(src)).into_iter().map(|(n, _)| n).collect();
        assert!(refs.contains(&"Foo".to_string()));
        assert!(refs.contains(&"Baz".to_string()));
        assert!(refs.contains(&"Bar".to_string()));
        assert!(!refs.contains(&"Nope".to_string()));
        assert!(!refs.iter().any(|r| r == "return"));
        assert_eq!(declared_types(&strip(src)), ["A"]);
    }

    #[test]
    fn statement_lines_of_methods() {
        let src = "public class Foo {\n  public Integer add(Integer a, Integer b) {\n    Integer c = a + b;\n    return c;\n  }\n}";
        let ms = methods(&strip(src));
        assert_eq!(ms.len(), 1);
        assert_eq!(ms[0].name, "add");
        assert_eq!(ms[0].statement_lines, [3, 4]);
    }
}
