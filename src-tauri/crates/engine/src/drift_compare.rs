//! The comparison behind [`Engine::compare`] and [`Engine::compare_summary`].
//!
//! It runs in three steps, so that 50k components compare in tens of milliseconds:
//! 1. the two sides' (type, name) → hash listings, both sorted, are walked together once
//!    (equal hashes are counted as unchanged without reading anything) and component ignore
//!    rules are applied, giving the list of components that differ;
//! 2. each differing component is worked out on its own (files read, a parent split into its
//!    children, element ignore rules, a semantic diff for the summary line and the
//!    field-level-security flag), spread over a few threads ([`crate::drift_parallel`]);
//! 3. the outcomes are applied in key order, so the report is the same whichever thread did
//!    what.
//!
//! The summary mode skips what needs file content and is not needed for a first look: the
//! summary lines (left empty) and the field-level-security flag; files are still read where
//! the list itself depends on them (a changed parent's children, element ignore rules).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashSet};

use orgfleet_metadata::diff::{ComponentDiff, DiffOptions, EditKind, describe, diff_component};
use orgfleet_metadata::label::label_of;
use orgfleet_metadata::registry;
use orgfleet_metadata::xml::{Element, Node};

use crate::Engine;
use crate::drift::{
    ChangeKind, ComponentChange, DriftReport, IgnoredChange, RiskFlag, TypeCounts, headline,
    is_managed_name, is_security_type,
};
use crate::drift_parallel::map_components;
use crate::drift_rules::{Rules, equal_without};
use crate::drift_side::{FileList, Loaded, ReadFiles};
use crate::error::Result;
use crate::snapshot_merge::is_metadata_xml;

/// How much a comparison works out for each change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Summary lines and every risk flag.
    Full,
    /// The list and counts only (see the module documentation).
    Summary,
}

/// What one side of a comparison needs to work a component out.
struct Context<'a> {
    left: &'a Loaded,
    right: &'a Loaded,
    rules: &'a Rules,
    mode: Mode,
    /// Installed namespaces of both sides.
    namespaces: HashSet<String>,
}

/// What the comparison decided about a component or a child.
enum Outcome {
    /// Unchanged (a child of a changed parent, or the parent itself without its children).
    Unchanged(String),
    /// Different bytes, but only in the order of entries whose order does not matter.
    Reordered(String),
    Ignored(IgnoredChange),
    Change(ComponentChange),
}

/// A top-level component that differs.
struct Work<'k> {
    type_name: &'k str,
    full_name: &'k str,
    kind: ChangeKind,
}

/// In key order: a component an ignore rule hides, or one to work out.
enum Slot<'k> {
    Ignored(IgnoredChange),
    Work(Work<'k>),
}

/// Compares two loaded sides.
pub(crate) fn compare_loaded(
    engine: &Engine,
    left: &Loaded,
    right: &Loaded,
    rules: &Rules,
    mode: Mode,
) -> Result<DriftReport> {
    let mut counts = Counts::default();
    let slots = differing(left, right, rules, &mut counts);
    let ctx = Context {
        left,
        right,
        rules,
        mode,
        namespaces: left.namespaces.union(&right.namespaces).cloned().collect(),
    };
    let work: Vec<&Work<'_>> = slots
        .iter()
        .filter_map(|s| match s {
            Slot::Work(w) => Some(w),
            Slot::Ignored(_) => None,
        })
        .collect();
    let mut outcomes =
        map_components(engine, &work, |_: &mut (), read, w| work_out(&ctx, read, w))?.into_iter();
    let mut changes = Vec::new();
    let mut ignored = Vec::new();
    for slot in slots {
        let list = match slot {
            Slot::Ignored(i) => vec![Outcome::Ignored(i)],
            Slot::Work(_) => outcomes.next().unwrap_or_default(),
        };
        for outcome in list {
            match outcome {
                Outcome::Unchanged(t) => counts.of(&t).unchanged += 1,
                Outcome::Reordered(t) => counts.of(&t).reordered += 1,
                Outcome::Ignored(i) => {
                    counts.of(&i.type_name).ignored += 1;
                    ignored.push(i);
                }
                Outcome::Change(c) => {
                    let n = counts.of(&c.type_name);
                    match c.change {
                        ChangeKind::Added => n.added += 1,
                        ChangeKind::Removed => n.removed += 1,
                        ChangeKind::Changed => n.changed += 1,
                    }
                    changes.push(c);
                }
            }
        }
    }
    changes.sort_by(|a, b| (&a.type_name, &a.full_name).cmp(&(&b.type_name, &b.full_name)));
    Ok(DriftReport {
        left: left.info.clone(),
        right: right.info.clone(),
        types: counts.0.into_values().collect(),
        ignored_count: ignored.len() as i64,
        ignored,
        headline: headline(&changes),
        changes,
    })
}

/// Counts per type, sorted by type name.
#[derive(Default)]
struct Counts(BTreeMap<String, TypeCounts>);

impl Counts {
    fn of(&mut self, type_name: &str) -> &mut TypeCounts {
        // Looked up before inserting: most calls find the type, and need no allocation.
        if !self.0.contains_key(type_name) {
            self.0.insert(
                type_name.to_owned(),
                TypeCounts {
                    type_name: type_name.to_owned(),
                    ..TypeCounts::default()
                },
            );
        }
        self.0.get_mut(type_name).expect("just inserted")
    }
}

/// Walks both sorted listings together: unchanged components are counted, the others become
/// slots in key order.
fn differing<'k>(
    left: &'k Loaded,
    right: &'k Loaded,
    rules: &Rules,
    counts: &mut Counts,
) -> Vec<Slot<'k>> {
    let mut slots = Vec::new();
    let (mut l, mut r) = (
        left.hashes.iter().peekable(),
        right.hashes.iter().peekable(),
    );
    loop {
        let (key, kind) = match (l.peek(), r.peek()) {
            (Some(&(kl, hl)), Some(&(kr, hr))) => match kl.cmp(kr) {
                Ordering::Less => (l.next().map(|e| e.0), ChangeKind::Removed),
                Ordering::Greater => (r.next().map(|e| e.0), ChangeKind::Added),
                Ordering::Equal => {
                    l.next();
                    r.next();
                    if hl == hr {
                        counts.of(&kl.0).unchanged += 1;
                        continue;
                    }
                    (Some(kl), ChangeKind::Changed)
                }
            },
            (Some(_), None) => (l.next().map(|e| e.0), ChangeKind::Removed),
            (None, Some(_)) => (r.next().map(|e| e.0), ChangeKind::Added),
            (None, None) => break,
        };
        let Some((type_name, full_name)) = key else {
            break;
        };
        slots.push(match rules.component_rule(type_name, full_name) {
            Some(rule_id) => Slot::Ignored(IgnoredChange {
                type_name: type_name.clone(),
                full_name: full_name.clone(),
                change: kind,
                rule_id,
            }),
            None => Slot::Work(Work {
                type_name,
                full_name,
                kind,
            }),
        });
    }
    slots
}

/// Works out one differing top-level component.
fn work_out(ctx: &Context<'_>, read: ReadFiles<'_>, w: &Work<'_>) -> Result<Vec<Outcome>> {
    let (type_name, full_name, kind) = (w.type_name, w.full_name, w.kind);
    let has_children = registry::by_name(type_name).is_some_and(|t| !t.children.is_empty());
    let parent = kind == ChangeKind::Changed && has_children;
    let needs_files = ctx.mode == Mode::Full
        || parent
        || (kind == ChangeKind::Changed && !ctx.rules.element_rules(type_name).is_empty());
    let (left, right) = if needs_files {
        (
            ctx.left.files_via(read, type_name, full_name)?,
            ctx.right.files_via(read, type_name, full_name)?,
        )
    } else {
        (None, None)
    };
    if parent {
        let (Some(l), Some(r)) = (&left, &right) else {
            return Ok(Vec::new());
        };
        return Ok(parent_and_children(ctx, type_name, full_name, l, r));
    }
    Ok(vec![record(
        ctx,
        type_name,
        full_name,
        kind,
        left.as_ref(),
        right.as_ref(),
    )])
}

/// A change, unless an element rule explains all of it.
fn record(
    ctx: &Context<'_>,
    type_name: &str,
    full_name: &str,
    kind: ChangeKind,
    left: Option<&FileList>,
    right: Option<&FileList>,
) -> Outcome {
    if kind == ChangeKind::Changed
        && let (Some(l), Some(r)) = (left, right)
    {
        let rules = ctx.rules.element_rules(type_name);
        if let Some(rule) = rules.first()
            && equal_without(type_name, l, r, &rules)
        {
            return Outcome::Ignored(IgnoredChange {
                type_name: type_name.to_owned(),
                full_name: full_name.to_owned(),
                change: kind,
                rule_id: rule.id,
            });
        }
    }
    let (summary, fls) = match (ctx.mode, kind, left, right) {
        (Mode::Summary, ..) => (String::new(), false),
        (Mode::Full, ChangeKind::Changed, Some(l), Some(r)) => {
            match diff_component(type_name, l, r, &DiffOptions::default()) {
                // Only hidden reorderings: not drift (counted per type as reordered).
                Ok(diff) if diff.is_empty() && diff.reordered_hidden() > 0 => {
                    return Outcome::Reordered(type_name.to_owned());
                }
                Ok(diff) => (
                    describe(type_name, &diff),
                    field_security_changed(type_name, &diff, left, right),
                ),
                Err(_) => (
                    summary(kind, left, right),
                    field_permissions_differ(type_name, left, right),
                ),
            }
        }
        (Mode::Full, ..) => (
            summary(kind, left, right),
            field_permissions_differ(type_name, left, right),
        ),
    };
    Outcome::Change(ComponentChange {
        type_name: type_name.to_owned(),
        full_name: full_name.to_owned(),
        change: kind,
        label: component_label(type_name, right).or_else(|| component_label(type_name, left)),
        risks: risks(ctx, type_name, full_name, kind, fls),
        summary,
    })
}

/// The label of a component, read from its metadata XML. Profiles have none and can be
/// megabytes, so they are not scanned.
fn component_label(type_name: &str, files: Option<&FileList>) -> Option<String> {
    if type_name == "Profile" {
        return None;
    }
    files?
        .iter()
        .filter(|(path, _)| is_metadata_xml(type_name, path))
        .find_map(|(_, bytes)| label_of(bytes))
}

fn risks(
    ctx: &Context<'_>,
    type_name: &str,
    full_name: &str,
    kind: ChangeKind,
    field_security: bool,
) -> Vec<RiskFlag> {
    let mut risks = Vec::new();
    if is_security_type(type_name) {
        risks.push(RiskFlag::Security);
    }
    if field_security {
        risks.push(RiskFlag::FieldLevelSecurity);
    }
    if kind == ChangeKind::Removed {
        risks.push(RiskFlag::Deletion);
    }
    if ctx.left.info.production || ctx.right.info.production {
        risks.push(RiskFlag::Production);
    }
    if is_managed_name(full_name, &ctx.namespaces) {
        risks.push(RiskFlag::Managed);
    }
    risks
}

/// Whether a changed profile's or permission set's fieldPermissions differ, read from its
/// semantic diff: an edit under a top-level `fieldPermissions` entry (the diff ignores order
/// and formatting as the comparison of sorted canonical entries does). A diff that replaced
/// a whole top-level element, or several files, is checked the long way.
fn field_security_changed(
    type_name: &str,
    diff: &ComponentDiff,
    left: Option<&FileList>,
    right: Option<&FileList>,
) -> bool {
    if !matches!(type_name, "Profile" | "PermissionSet") {
        return false;
    }
    let ComponentDiff::Xml { edits, .. } = diff else {
        return field_permissions_differ(type_name, left, right);
    };
    const SEPARATORS: [char; 4] = ['[', '.', '@', '#'];
    let replaced = edits.iter().any(|e| {
        e.kind == EditKind::Changed
            && !e.path.contains(SEPARATORS)
            && e.before.as_deref().is_some_and(|b| b.starts_with('<'))
    });
    if replaced {
        return field_permissions_differ(type_name, left, right);
    }
    edits.iter().any(|e| {
        e.kind != EditKind::Reordered && e.path.split(SEPARATORS).next() == Some("fieldPermissions")
    })
}

/// A changed parent: its children compared one by one, and the parent itself when what is
/// left without the children differs.
fn parent_and_children(
    ctx: &Context<'_>,
    type_name: &str,
    full_name: &str,
    left: &FileList,
    right: &FileList,
) -> Vec<Outcome> {
    let (lk, l_rest) = split_children(type_name, full_name, left);
    let (rk, r_rest) = split_children(type_name, full_name, right);
    let mut out = Vec::new();
    let keys: std::collections::BTreeSet<&(String, String)> = lk.keys().chain(rk.keys()).collect();
    for key in keys {
        let (child_type, child_name) = key;
        let kind = match (lk.get(key), rk.get(key)) {
            (Some(a), Some(b)) if a == b => {
                out.push(Outcome::Unchanged(child_type.clone()));
                continue;
            }
            (Some(_), Some(_)) => ChangeKind::Changed,
            (Some(_), None) => ChangeKind::Removed,
            (None, Some(_)) => ChangeKind::Added,
            (None, None) => continue,
        };
        if let Some(rule_id) = ctx.rules.component_rule(child_type, child_name) {
            out.push(Outcome::Ignored(IgnoredChange {
                type_name: child_type.clone(),
                full_name: child_name.clone(),
                change: kind,
                rule_id,
            }));
            continue;
        }
        let as_files = |m: &Children| {
            m.get(key)
                .map(|b| vec![child_file(child_type, child_name, b)])
        };
        let (l, r) = (as_files(&lk), as_files(&rk));
        out.push(record(
            ctx,
            child_type,
            child_name,
            kind,
            l.as_ref(),
            r.as_ref(),
        ));
    }
    if l_rest == r_rest {
        out.push(Outcome::Unchanged(type_name.to_owned()));
    } else {
        out.push(record(
            ctx,
            type_name,
            full_name,
            ChangeKind::Changed,
            Some(left),
            Some(right),
        ));
    }
    out
}

/// A parent's children: (child type, full name) → the child's element as a document.
pub(crate) type Children = BTreeMap<(String, String), Vec<u8>>;

/// A parent's children and the parent's files without them. Each metadata file is parsed
/// once (children are listed from the parsed tree as
/// [`orgfleet_metadata::children::list_children`] lists them).
pub(crate) fn split_children(
    type_name: &str,
    full_name: &str,
    files: &FileList,
) -> (Children, FileList) {
    let mut children = BTreeMap::new();
    let mut rest = Vec::new();
    let ty = registry::by_name(type_name);
    let child_elements: HashSet<&str> = ty
        .map(|t| t.children.iter().map(|c| c.xml_element).collect())
        .unwrap_or_default();
    for (path, bytes) in files {
        let parsed = is_metadata_xml(type_name, path)
            .then(|| Element::parse_bytes(bytes, path).ok())
            .flatten();
        let Some(mut root) = parsed else {
            rest.push((path.clone(), bytes.clone()));
            continue;
        };
        for el in root.elements() {
            let Some(child) = ty.and_then(|t| t.child_by_element(&el.name)) else {
                continue;
            };
            let Some(id) = el.child_text(child.id_element).filter(|s| !s.is_empty()) else {
                continue;
            };
            let name = if child.ignore_parent_name {
                id
            } else {
                format!("{full_name}.{id}")
            };
            children.insert((child.name.to_owned(), name), el.to_document().into_bytes());
        }
        root.children
            .retain(|n| !matches!(n, Node::Element(e) if child_elements.contains(e.name.as_str())));
        rest.push((path.clone(), root.to_document().into_bytes()));
    }
    (children, rest)
}

/// A child component as one file (its element as a document), for diffs and ignore rules.
pub(crate) fn child_file(type_name: &str, full_name: &str, bytes: &[u8]) -> (String, Vec<u8>) {
    (format!("{type_name}/{full_name}.xml"), bytes.to_vec())
}

/// Whether the fieldPermissions of a profile or permission set differ (compared as sorted
/// canonical entries).
fn field_permissions_differ(
    type_name: &str,
    left: Option<&FileList>,
    right: Option<&FileList>,
) -> bool {
    matches!(type_name, "Profile" | "PermissionSet")
        && field_permissions(left) != field_permissions(right)
}

/// The fieldPermissions entries of a profile or permission set, canonical and sorted.
fn field_permissions(files: Option<&FileList>) -> Vec<String> {
    let mut out: Vec<String> = files
        .into_iter()
        .flatten()
        .filter(|(p, _)| !p.ends_with("-meta.xml"))
        .filter_map(|(p, b)| Element::parse_bytes(b, p).ok())
        .flat_map(|root| {
            root.children_named("fieldPermissions")
                .map(Element::canonical)
                .collect::<Vec<_>>()
        })
        .collect();
    out.sort();
    out
}

/// A plain-words line: which files were added, removed or differ.
fn summary(kind: ChangeKind, left: Option<&FileList>, right: Option<&FileList>) -> String {
    let count = |f: Option<&FileList>| f.map_or(0, Vec::len);
    match kind {
        ChangeKind::Added => format!("new, {} file(s)", count(right)),
        ChangeKind::Removed => format!("only on the left, {} file(s)", count(left)),
        ChangeKind::Changed => {
            let l: BTreeMap<&str, &Vec<u8>> = left
                .into_iter()
                .flatten()
                .map(|(p, b)| (p.as_str(), b))
                .collect();
            let r: BTreeMap<&str, &Vec<u8>> = right
                .into_iter()
                .flatten()
                .map(|(p, b)| (p.as_str(), b))
                .collect();
            let mut parts = Vec::new();
            for (path, bytes) in &l {
                match r.get(path) {
                    None => parts.push(format!("{path} removed")),
                    Some(other) if other != bytes => parts.push(format!("{path} differs")),
                    Some(_) => {}
                }
            }
            for path in r.keys().filter(|p| !l.contains_key(*p)) {
                parts.push(format!("{path} added"));
            }
            if parts.is_empty() {
                "content differs".into()
            } else {
                parts.join("; ")
            }
        }
    }
}
