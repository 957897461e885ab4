//! Deterministic outcomes of simulated Apex test methods: which assertion fails, with what
//! message and where (rules in `deploy_apex.rs`). A method fails at its first assertion, outside
//! `try`/`catch` blocks, whose literal arguments make it fail.

use super::apex::{is_ident, matching_brace, next_non_space, pos};

/// A failing assertion: message (`System.AssertException: ...`) and position of the call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssertFailure {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

/// The first assertion in `body` (of `original`/`stripped`) that fails deterministically.
pub fn first_failure(
    original: &str,
    stripped: &str,
    body: std::ops::Range<usize>,
) -> Option<AssertFailure> {
    const CALLS: &[&str] = &[
        "system.assertequals(",
        "system.assertnotequals(",
        "system.assert(",
        "assert.areequal(",
        "assert.arenotequal(",
        "assert.istrue(",
        "assert.isfalse(",
        "assert.fail(",
    ];
    let lower = stripped[body.clone()].to_ascii_lowercase();
    let mut hits: Vec<(usize, &str)> = Vec::new();
    for call in CALLS {
        let mut from = 0;
        while let Some(p) = lower[from..].find(call) {
            let at = from + p;
            let boundary = at == 0 || !is_ident(lower.as_bytes()[at - 1]);
            if boundary && !hits.iter().any(|(h, _)| *h == at) {
                hits.push((at, call));
            }
            from = at + call.len();
        }
    }
    hits.sort_by_key(|(at, c)| (*at, std::cmp::Reverse(c.len())));
    hits.dedup_by_key(|(at, _)| *at);
    // Assertions inside `try { … }` usually follow a call expected to throw (`Assert.fail('Expected
    // an exception')`) and those in `catch` run only on a throw: both are taken as not reached.
    let tries = try_blocks(&lower);
    hits.retain(|(at, _)| !tries.iter().any(|r| r.contains(at)));
    for (at, call) in hits {
        let args_start = body.start + at + call.len();
        let Some(args) = call_args(original, stripped, args_start) else {
            continue;
        };
        let lit: Vec<Option<String>> = args.iter().map(|a| literal(a)).collect();
        let custom = |i: usize| {
            args.get(i)
                .map(|a| literal(a).unwrap_or_else(|| a.trim().to_owned()))
        };
        let failed: Option<String> = match call.trim_end_matches('(') {
            "system.assert" | "assert.istrue" if lit.first() == Some(&Some("false".into())) => {
                Some(
                    custom(1)
                        .map(|m| format!("Assertion Failed: {m}"))
                        .unwrap_or_else(|| "Assertion Failed".into()),
                )
            }
            "assert.isfalse" if lit.first() == Some(&Some("true".into())) => Some(
                custom(1)
                    .map(|m| format!("Assertion Failed: {m}"))
                    .unwrap_or_else(|| "Assertion Failed".into()),
            ),
            "assert.fail" => Some(
                custom(0)
                    .map(|m| format!("Assertion Failed: {m}"))
                    .unwrap_or_else(|| "Assertion Failed".into()),
            ),
            "system.assertequals" | "assert.areequal" => match (lit.first(), lit.get(1)) {
                (Some(Some(e)), Some(Some(a))) if e != a => Some(match custom(2) {
                    Some(m) => format!("Assertion Failed: {m}: Expected: {e}, Actual: {a}"),
                    None => format!("Assertion Failed: Expected: {e}, Actual: {a}"),
                }),
                _ => None,
            },
            "system.assertnotequals" | "assert.arenotequal" => match (lit.first(), lit.get(1)) {
                (Some(Some(e)), Some(Some(a))) if e == a => Some(match custom(2) {
                    Some(m) => format!("Assertion Failed: {m}: Same value: {e}"),
                    None => format!("Assertion Failed: Same value: {e}"),
                }),
                _ => None,
            },
            _ => None,
        };
        if let Some(text) = failed {
            let (line, column) = pos(original, body.start + at);
            return Some(AssertFailure {
                message: format!("System.AssertException: {text}"),
                line,
                column,
            });
        }
    }
    None
}

/// Byte ranges (within `lower`) of `try { … }` and `catch (…) { … }` blocks.
fn try_blocks(lower: &str) -> Vec<std::ops::Range<usize>> {
    let b = lower.as_bytes();
    let mut out = Vec::new();
    for kw in ["try", "catch"] {
        let mut from = 0;
        while let Some(p) = lower[from..].find(kw) {
            let at = from + p;
            let end = at + kw.len();
            from = end;
            let boundary =
                (at == 0 || !is_ident(b[at - 1])) && b.get(end).is_none_or(|c| !is_ident(*c));
            if !boundary {
                continue;
            }
            let mut next = next_non_space(b, end);
            if kw == "catch"
                && let Some((paren, b'(')) = next
            {
                let close = b[paren..]
                    .iter()
                    .position(|c| *c == b')')
                    .map(|q| paren + q);
                next = close.and_then(|c| next_non_space(b, c + 1));
            }
            if let Some((open, b'{')) = next
                && let Some(close) = matching_brace(b, open)
            {
                out.push(open..close);
            }
        }
    }
    out
}

/// Top-level comma-separated arguments (original text) of a call whose `(` ends at `start`.
fn call_args(original: &str, stripped: &str, start: usize) -> Option<Vec<String>> {
    let b = stripped.as_bytes();
    let mut depth = 1usize;
    let mut args = Vec::new();
    let mut arg_start = start;
    for (i, c) in b.iter().enumerate().skip(start) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    args.push(original.get(arg_start..i)?.to_owned());
                    return Some(args.into_iter().filter(|a| !a.trim().is_empty()).collect());
                }
            }
            b',' if depth == 1 => {
                args.push(original.get(arg_start..i)?.to_owned());
                arg_start = i + 1;
            }
            _ => {}
        }
    }
    None
}

/// The value of a literal argument as Apex prints it (`'a'` → `a`, `1` → `1`).
fn literal(arg: &str) -> Option<String> {
    let a = arg.trim();
    if a.len() >= 2 && a.starts_with('\'') && a.ends_with('\'') {
        return Some(a[1..a.len() - 1].replace("\\'", "'"));
    }
    let lower = a.to_ascii_lowercase();
    if matches!(lower.as_str(), "true" | "false" | "null") {
        return Some(lower);
    }
    let num = a.strip_prefix('-').unwrap_or(a);
    (!num.is_empty() && num.chars().all(|c| c.is_ascii_digit() || c == '.')).then(|| a.to_owned())
}

#[cfg(test)]
mod tests {
    use super::super::apex::{is_test_class, methods, strip};
    use super::*;

    const TEST_CLASS: &str = "@isTest\nprivate class FooTest {\n    @isTest\n    static void works() {\n        Foo f = new Foo();\n        System.assertEquals(2, f.add(1, 1));\n    }\n    @isTest static void fails() {\n        // System.assert(false) in a comment does not count\n        System.assertEquals(1, 2, 'math');\n    }\n    static testMethod void bare() {\n        System.assert(false);\n    }\n}\n";

    #[test]
    fn finds_test_methods_and_failures() {
        let stripped = strip(TEST_CLASS);
        assert!(is_test_class(&stripped));
        let ms = methods(&stripped);
        let names: Vec<_> = ms.iter().map(|m| (m.name.as_str(), m.is_test)).collect();
        assert_eq!(names, [("works", true), ("fails", true), ("bare", true)]);
        assert_eq!(
            first_failure(TEST_CLASS, &stripped, ms[0].body.clone()),
            None
        );
        let f = first_failure(TEST_CLASS, &stripped, ms[1].body.clone()).unwrap();
        assert_eq!(
            f.message,
            "System.AssertException: Assertion Failed: math: Expected: 1, Actual: 2"
        );
        assert_eq!((f.line, f.column), (10, 9));
        let f = first_failure(TEST_CLASS, &stripped, ms[2].body.clone()).unwrap();
        assert_eq!(f.message, "System.AssertException: Assertion Failed");
    }

    #[test]
    fn assertions_inside_try_are_not_reached() {
        let src = "@isTest class T {\n  @isTest static void throws() {\n    try {\n      Foo.run();\n      Assert.fail('Expected an exception');\n    } catch (Exception e) {\n      System.assert(true);\n    }\n  }\n}";
        let stripped = strip(src);
        let ms = methods(&stripped);
        assert_eq!(first_failure(src, &stripped, ms[0].body.clone()), None);
    }
}
