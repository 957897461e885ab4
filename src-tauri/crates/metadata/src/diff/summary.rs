//! One line of plain words per component diff, for lists, reports and CLI output.
//!
//! A drift list shows thousands of components; a reviewer scanning it wants "values
//! 'Drones', 'Robotics' added", not ten element paths. Added/removed entries of the same
//! collection are grouped by key, the first few changes are spelt out and the rest counted.

use std::collections::BTreeMap;

use super::{ComponentDiff, EditKind, ElementEdit, FileBody, FileDiff, FileStatus};

/// Phrases spelt out before the rest are only counted.
const MAX_PHRASES: usize = 4;
/// Keys named in one phrase before the rest are only counted.
const MAX_KEYS: usize = 5;
/// Longest value quoted in a "before → after" phrase.
const MAX_VALUE_CHARS: usize = 40;

/// A one-line description, e.g. `Account.Industry: values 'Drones', 'Robotics' added`.
pub fn summarize(type_name: &str, full_name: &str, diff: &ComponentDiff) -> String {
    format!("{full_name}: {}", describe(type_name, diff))
}

/// [`summarize`] without the component's name, for places that show the name beside it (a
/// drift report's changes): `values 'Drones', 'Robotics' added`.
pub fn describe(type_name: &str, diff: &ComponentDiff) -> String {
    let body = match diff {
        ComponentDiff::Xml {
            edits,
            reordered_hidden,
        } => {
            if let [e] = edits.as_slice()
                && e.path == type_name
                && matches!(e.kind, EditKind::Added | EditKind::Removed)
            {
                format!("{type_name} {}", word(e.kind))
            } else {
                with_hidden(limit(edit_phrases(edits)), *reordered_hidden)
            }
        }
        ComponentDiff::Code { files } => limit(files.iter().flat_map(file_phrases).collect()),
        ComponentDiff::Binary { changed: true } => "binary content changed".to_owned(),
        ComponentDiff::Binary { changed: false } => String::new(),
    };
    if body.is_empty() || body.starts_with('(') {
        format!("no changes {body}").trim_end().to_owned()
    } else {
        body
    }
}

fn file_phrases(f: &FileDiff) -> Vec<String> {
    let name = f.path.rsplit('/').next().unwrap_or(&f.path);
    match (&f.status, &f.body) {
        (FileStatus::Added, _) => vec![format!("{name} added")],
        (FileStatus::Removed, _) => vec![format!("{name} removed")],
        (FileStatus::Changed, FileBody::Binary) => vec![format!("{name} changed (binary)")],
        (FileStatus::Changed, FileBody::Lines { hunks }) => {
            let count = |m: char| {
                hunks
                    .iter()
                    .flat_map(|h| &h.lines)
                    .filter(|l| l.starts_with(m))
                    .count()
            };
            vec![format!("{name} +{} −{} lines", count('+'), count('-'))]
        }
        (
            FileStatus::Changed,
            FileBody::Xml {
                edits,
                reordered_hidden,
            },
        ) => {
            let phrases = edit_phrases(edits);
            if phrases.is_empty() {
                vec![format!("{name} ({reordered_hidden} reorderings hidden)")]
            } else {
                phrases.into_iter().map(|p| format!("{name} {p}")).collect()
            }
        }
    }
}

/// Phrases for element edits: added/removed keyed entries grouped per collection.
fn edit_phrases(edits: &[ElementEdit]) -> Vec<String> {
    let mut grouped: BTreeMap<(&str, &str, EditKind), (usize, Vec<&str>)> = BTreeMap::new();
    let mut phrases: Vec<(usize, String)> = Vec::new();
    for (n, e) in edits.iter().enumerate() {
        let (parent, last) = split_last(&e.path);
        let (name, key) = split_key(last);
        match (e.kind, key) {
            (EditKind::Added | EditKind::Removed, Some(key)) => {
                let entry = grouped
                    .entry((parent, name, e.kind))
                    .or_insert((n, Vec::new()));
                entry.1.push(key);
            }
            (EditKind::Added | EditKind::Removed, None) => {
                phrases.push((n, format!("{} {}", e.path, word(e.kind))));
            }
            (EditKind::Changed, _) => phrases.push((
                n,
                format!(
                    "{} {} → {}",
                    e.path,
                    short(e.before.as_deref()),
                    short(e.after.as_deref())
                ),
            )),
            (EditKind::Reordered, _) => phrases.push((n, format!("{} reordered", e.path))),
        }
    }
    for ((parent, name, kind), (n, keys)) in grouped {
        let mut quoted: Vec<String> = keys
            .iter()
            .take(MAX_KEYS)
            .map(|k| format!("'{k}'"))
            .collect();
        if keys.len() > MAX_KEYS {
            quoted.push(format!("{} more", keys.len() - MAX_KEYS));
        }
        let place = if parent.contains('[') {
            format!(" in {parent}")
        } else {
            String::new()
        };
        phrases.push((
            n,
            format!(
                "{} {} {}{place}",
                plural(name),
                quoted.join(", "),
                word(kind)
            ),
        ));
    }
    phrases.sort_by_key(|(n, _)| *n);
    phrases.into_iter().map(|(_, p)| p).collect()
}

fn limit(phrases: Vec<String>) -> String {
    let extra = phrases.len().saturating_sub(MAX_PHRASES);
    let mut out = phrases
        .into_iter()
        .take(MAX_PHRASES)
        .collect::<Vec<_>>()
        .join("; ");
    if extra > 0 {
        out.push_str(&format!("; and {extra} more"));
    }
    out
}

fn with_hidden(body: String, hidden: usize) -> String {
    match (body.is_empty(), hidden) {
        (_, 0) => body,
        (true, n) => format!("({n} reorderings hidden)"),
        (false, n) => format!("{body} ({n} reorderings hidden)"),
    }
}

fn word(kind: EditKind) -> &'static str {
    match kind {
        EditKind::Added => "added",
        EditKind::Removed => "removed",
        EditKind::Changed => "changed",
        EditKind::Reordered => "reordered",
    }
}

fn plural(name: &str) -> String {
    if name.ends_with('s') {
        name.to_owned()
    } else {
        format!("{name}s")
    }
}

fn short(value: Option<&str>) -> String {
    let v = value.unwrap_or("(none)");
    if v.contains('\n') || v.chars().count() > MAX_VALUE_CHARS {
        let head: String = v
            .lines()
            .next()
            .unwrap_or("")
            .chars()
            .take(MAX_VALUE_CHARS)
            .collect();
        format!("{head}…")
    } else if v.is_empty() {
        "(empty)".to_owned()
    } else {
        v.to_owned()
    }
}

/// Splits `a[x.y].b.c[k]` into (`a[x.y].b`, `c[k]`), ignoring dots inside brackets.
fn split_last(path: &str) -> (&str, &str) {
    let mut depth = 0usize;
    for (i, ch) in path.char_indices().rev() {
        match ch {
            ']' => depth += 1,
            '[' => depth = depth.saturating_sub(1),
            '.' if depth == 0 => return (&path[..i], &path[i + 1..]),
            _ => {}
        }
    }
    ("", path)
}

/// Splits `value[Drones]` into (`value`, `Some("Drones")`).
fn split_key(segment: &str) -> (&str, Option<&str>) {
    match (segment.find('['), segment.strip_suffix(']')) {
        (Some(open), Some(body)) => (&segment[..open], Some(&body[open + 1..])),
        _ => (segment, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(path: &str, kind: EditKind, before: Option<&str>, after: Option<&str>) -> ElementEdit {
        ElementEdit {
            path: path.into(),
            kind,
            before: before.map(Into::into),
            after: after.map(Into::into),
        }
    }

    #[test]
    fn groups_keys_and_spells_changes() {
        let diff = ComponentDiff::Xml {
            edits: vec![
                edit(
                    "valueSet.valueSetDefinition.value[Drones]",
                    EditKind::Added,
                    None,
                    Some("x"),
                ),
                edit(
                    "valueSet.valueSetDefinition.value[Robotics]",
                    EditKind::Added,
                    None,
                    Some("x"),
                ),
                edit("label", EditKind::Changed, Some("Industry"), Some("Sector")),
            ],
            reordered_hidden: 2,
        };
        assert_eq!(
            summarize("CustomField", "Account.Industry", &diff),
            "Account.Industry: values 'Drones', 'Robotics' added; label Industry → Sector \
             (2 reorderings hidden)"
        );
        let nested = ComponentDiff::Xml {
            edits: vec![edit(
                "fields[Industry].valueSet.value[A.b]",
                EditKind::Removed,
                Some("x"),
                None,
            )],
            reordered_hidden: 0,
        };
        assert_eq!(
            summarize("CustomObject", "Account", &nested),
            "Account: values 'A.b' removed in fields[Industry].valueSet"
        );
        let empty = ComponentDiff::Xml {
            edits: vec![],
            reordered_hidden: 3,
        };
        assert_eq!(
            summarize("Profile", "Admin", &empty),
            "Admin: no changes (3 reorderings hidden)"
        );
        assert_eq!(split_last("a[x.y].b"), ("a[x.y]", "b"));
        assert_eq!(split_key("value[Other [x]]"), ("value", Some("Other [x]")));
    }
}
