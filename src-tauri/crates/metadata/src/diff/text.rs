//! Line diffs of code files (Apex, LWC, Aura, Visualforce, any text) with `similar`.
//!
//! Reviewers read code changes as unified-diff hunks with a little context, so that is the
//! shape here. Line endings (CRLF/LF) and trailing blanks differ between checkouts and
//! retrieves without changing the code, so lines are compared without them.

use similar::{Algorithm, DiffTag, capture_diff_slices, group_diff_ops};

use super::LineHunk;

/// Context lines around each change, as in `git diff`.
const CONTEXT: usize = 3;

/// Hunks turning `old` into `new`; empty when they differ only in line endings or trailing
/// whitespace.
pub(crate) fn line_hunks(old: &str, new: &str) -> Vec<LineHunk> {
    let old_lines = lines(old);
    let new_lines = lines(new);
    let ops = capture_diff_slices(Algorithm::Myers, &old_lines, &new_lines);
    group_diff_ops(ops, CONTEXT)
        .into_iter()
        .filter_map(|group| {
            let first = group.first()?.as_tag_tuple();
            let last = group.last()?.as_tag_tuple();
            let old_range = first.1.start..last.1.end;
            let new_range = first.2.start..last.2.end;
            let mut out = Vec::new();
            for op in &group {
                let (tag, o, n) = op.as_tag_tuple();
                match tag {
                    DiffTag::Equal => push(&mut out, ' ', &old_lines[o]),
                    DiffTag::Delete => push(&mut out, '-', &old_lines[o]),
                    DiffTag::Insert => push(&mut out, '+', &new_lines[n]),
                    DiffTag::Replace => {
                        push(&mut out, '-', &old_lines[o]);
                        push(&mut out, '+', &new_lines[n]);
                    }
                }
            }
            Some(LineHunk {
                old_start: start(&old_range),
                old_len: old_range.len(),
                new_start: start(&new_range),
                new_len: new_range.len(),
                lines: out,
            })
        })
        .collect()
}

fn lines(text: &str) -> Vec<&str> {
    text.strip_prefix('\u{feff}')
        .unwrap_or(text)
        .lines()
        .map(str::trim_end)
        .collect()
}

fn push(out: &mut Vec<String>, marker: char, lines: &[&str]) {
    out.extend(lines.iter().map(|l| format!("{marker}{l}")));
}

/// 1-based first line, or 0 for an empty range (unified-diff convention).
fn start(range: &std::ops::Range<usize>) -> usize {
    if range.is_empty() {
        range.start
    } else {
        range.start + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hunks_have_context_and_markers() {
        let old: String = (1..=20).map(|i| format!("line {i}\n")).collect();
        let new = old
            .replace("line 5\n", "line five\n")
            .replace("line 18\n", "");
        let hunks = line_hunks(&old, &new);
        assert_eq!(hunks.len(), 2, "{hunks:#?}");
        let h = &hunks[0];
        assert_eq!(
            (h.old_start, h.old_len, h.new_start, h.new_len),
            (2, 7, 2, 7)
        );
        assert_eq!(h.lines[3], "-line 5");
        assert_eq!(h.lines[4], "+line five");
        assert_eq!(h.lines[0], " line 2");
        assert_eq!(
            hunks[1].lines.iter().filter(|l| l.starts_with('-')).count(),
            1
        );
    }

    #[test]
    fn line_endings_and_trailing_blanks_are_not_changes() {
        assert!(line_hunks("a\nb  \nc\n", "a\r\nb\r\nc").is_empty());
        let added = line_hunks("", "x\ny\n");
        assert_eq!(added.len(), 1);
        assert_eq!((added[0].old_start, added[0].new_start), (0, 1));
        assert_eq!(added[0].lines, ["+x", "+y"]);
    }
}
