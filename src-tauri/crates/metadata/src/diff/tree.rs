//! Element-by-element comparison of two XML documents.
//!
//! Repeated elements are matched before they are compared, so that a permission that moved
//! is not reported as removed and added. How they are matched, in order of preference:
//! 1. the registry declares the collection with a key (`fieldPermissions` by `field`): by key;
//! 2. every entry has a unique identity (a `fullName`, `name`, `field`, `label`, ... child,
//!    the text of a leaf, or a `name` attribute): by that identity;
//! 3. otherwise by position, aligning equal entries with an LCS (`similar`), pairing the
//!    remaining entries of a replaced region by identity or position, and recognising
//!    entries that only moved.
//!
//! Matched entries that changed place give one [`EditKind::Reordered`] edit per collection,
//! shown when the registry marks the collection as ordered, counted as hidden otherwise.

use std::collections::{BTreeMap, HashMap};

use similar::{Algorithm, DiffTag, capture_diff_slices};

use super::{DiffOptions, EditKind, ElementEdit};
use crate::registry;
use crate::xml::Element;

/// Child elements whose text identifies an entry of an undeclared repeated element.
const ID_CHILDREN: &[&str] = &[
    "fullName",
    "name",
    "field",
    "apexClass",
    "object",
    "recordType",
    "tab",
    "relatedList",
    "customLink",
    "page",
    "component",
    "developerName",
    "masterLabel",
    "label",
];

/// Attributes that identify an entry (`<property name="x"/>`, `<targetConfig targets="...">`).
const ID_ATTRS: &[&str] = &["name", "fullName", "targets", "id"];

/// Keys listed in a [`EditKind::Reordered`] edit before the list is cut short.
const MAX_LISTED_KEYS: usize = 30;

/// The collection rules of one type, with paths relative to its document root.
pub(crate) struct Rules {
    rules: Vec<Rule>,
}

struct Rule {
    path: String,
    key: &'static [&'static str],
    ordered: bool,
}

impl Rules {
    /// Rules of a top-level type, or of a child type (CustomField, RecordType, ...) taken
    /// from its parent's collections below the child's element.
    pub(crate) fn for_type(type_name: &str) -> Self {
        let rules = if let Some(t) = registry::by_name(type_name) {
            t.collections
                .iter()
                .map(|c| Rule {
                    path: c.path.to_owned(),
                    key: c.key,
                    ordered: c.ordered,
                })
                .collect()
        } else if let Some((parent, child)) = registry::child_by_name(type_name) {
            let prefix = format!("{}/", child.xml_element);
            parent
                .collections
                .iter()
                .filter_map(|c| {
                    Some(Rule {
                        path: c.path.strip_prefix(&prefix)?.to_owned(),
                        key: c.key,
                        ordered: c.ordered,
                    })
                })
                .collect()
        } else {
            Vec::new()
        };
        Self { rules }
    }

    fn get(&self, path: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.path == path)
    }
}

/// Edits turning `a` into `b`, and the number of hidden reorderings.
pub(crate) fn diff_documents(
    rules: &Rules,
    a: &Element,
    b: &Element,
    options: &DiffOptions,
) -> (Vec<ElementEdit>, usize) {
    let mut d = Differ {
        rules,
        show_reordered: options.show_reordered,
        edits: Vec::new(),
        hidden: 0,
    };
    if a.name == b.name {
        d.element(a, b, "", "");
    } else {
        d.push(&a.name, EditKind::Changed, Some(render(a)), Some(render(b)));
    }
    (d.edits, d.hidden)
}

/// An element as text for `before`/`after`: a leaf's trimmed text, else an XML fragment.
pub(crate) fn render(e: &Element) -> String {
    if e.is_leaf() && e.attrs.is_empty() {
        return e.text().trim().to_owned();
    }
    let doc = e.to_document();
    doc.split_once('\n')
        .map_or(doc.as_str(), |(_, rest)| rest)
        .trim_end()
        .to_owned()
}

struct Differ<'r> {
    rules: &'r Rules,
    show_reordered: bool,
    edits: Vec<ElementEdit>,
    hidden: usize,
}

/// One entry of a repeated element on either or both sides.
struct Pair {
    before: Option<usize>,
    after: Option<usize>,
    /// Key or identity; `None` when the entry is known by position only.
    id: Option<String>,
}

impl Pair {
    /// The bracketed label in paths: the key, else the 1-based position on the newer side.
    fn label(&self) -> String {
        match (&self.id, self.after.or(self.before)) {
            (Some(id), _) => id.clone(),
            (None, Some(pos)) => format!("#{}", pos + 1),
            (None, None) => String::new(),
        }
    }

    /// The label in reorder lists: positions refer to the old side so moves read naturally.
    fn order_label(&self) -> String {
        match (&self.id, self.before) {
            (Some(id), _) => id.clone(),
            (None, Some(pos)) => format!("#{}", pos + 1),
            (None, None) => String::new(),
        }
    }
}

impl Differ<'_> {
    fn push(&mut self, path: &str, kind: EditKind, before: Option<String>, after: Option<String>) {
        self.edits.push(ElementEdit {
            path: path.to_owned(),
            kind,
            before,
            after,
        });
    }

    fn element(&mut self, a: &Element, b: &Element, display: &str, schema: &str) {
        if a == b {
            return;
        }
        let here = if display.is_empty() { &a.name } else { display };
        self.attributes(a, b, here);
        match (a.is_leaf(), b.is_leaf()) {
            (true, true) => {
                let (ta, tb) = (a.text(), b.text());
                if ta.trim() != tb.trim() {
                    let (ta, tb) = (ta.trim().to_owned(), tb.trim().to_owned());
                    self.push(here, EditKind::Changed, Some(ta), Some(tb));
                }
                return;
            }
            (true, false) | (false, true) => {
                self.push(here, EditKind::Changed, Some(render(a)), Some(render(b)));
                return;
            }
            (false, false) => {}
        }
        let (ta, tb) = (a.text(), b.text());
        if ta.trim() != tb.trim() {
            let (ta, tb) = (ta.trim().to_owned(), tb.trim().to_owned());
            self.push(
                &format!("{here}#text"),
                EditKind::Changed,
                Some(ta),
                Some(tb),
            );
        }
        let mut names: Vec<&str> = Vec::new();
        let mut groups: HashMap<&str, (Vec<&Element>, Vec<&Element>)> = HashMap::new();
        for (side, parent) in [(0, a), (1, b)] {
            for e in parent.elements() {
                let entry = groups.entry(e.name.as_str()).or_insert_with(|| {
                    names.push(e.name.as_str());
                    (Vec::new(), Vec::new())
                });
                if side == 0 {
                    entry.0.push(e);
                } else {
                    entry.1.push(e);
                }
            }
        }
        for name in names {
            if let Some((xs, ys)) = groups.remove(name) {
                self.group(name, &xs, &ys, display, schema);
            }
        }
    }

    fn attributes(&mut self, a: &Element, b: &Element, here: &str) {
        if a.attrs == b.attrs {
            return;
        }
        let relevant = |e: &Element| -> BTreeMap<String, String> {
            e.attrs
                .iter()
                .filter(|(k, _)| k != "xmlns" && !k.starts_with("xmlns:"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        };
        let (mut xa, xb) = (relevant(a), relevant(b));
        for (k, vb) in xb {
            let path = format!("{here}@{k}");
            match xa.remove(&k) {
                Some(va) if va == vb => {}
                Some(va) => self.push(&path, EditKind::Changed, Some(va), Some(vb)),
                None => self.push(&path, EditKind::Added, None, Some(vb)),
            }
        }
        for (k, va) in xa {
            self.push(&format!("{here}@{k}"), EditKind::Removed, Some(va), None);
        }
    }

    /// All children named `name` of two matched parents.
    fn group(&mut self, name: &str, xs: &[&Element], ys: &[&Element], display: &str, schema: &str) {
        let schema = join(schema, name, '/');
        let display = join(display, name, '.');
        let rule = self.rules.get(&schema);
        let ordered = rule.is_some_and(|r| r.ordered);
        let pairs = match rule {
            Some(r) if !r.key.is_empty() => {
                let key_of = |e: &&Element| declared_key(e, r.key);
                match_by_keys(
                    with_occurrence(xs.iter().map(key_of)),
                    with_occurrence(ys.iter().map(key_of)),
                )
            }
            None if xs.len() <= 1 && ys.len() <= 1 => {
                match (xs.first(), ys.first()) {
                    (Some(a), Some(b)) => self.element(a, b, &display, &schema),
                    (Some(a), None) => {
                        self.push(&display, EditKind::Removed, Some(render(a)), None)
                    }
                    (None, Some(b)) => self.push(&display, EditKind::Added, None, Some(render(b))),
                    (None, None) => {}
                }
                return;
            }
            _ => match_list(xs, ys),
        };
        self.emit(pairs, xs, ys, &display, &schema, ordered);
    }

    fn emit(
        &mut self,
        mut pairs: Vec<Pair>,
        xs: &[&Element],
        ys: &[&Element],
        display: &str,
        schema: &str,
        ordered: bool,
    ) {
        if !ordered {
            pairs.sort_by(|p, q| p.id.cmp(&q.id).then(p.before.cmp(&q.before)));
        }
        for p in &pairs {
            let path = format!("{display}[{}]", p.label());
            match (p.before, p.after) {
                (Some(i), Some(j)) => self.element(xs[i], ys[j], &path, schema),
                (Some(i), None) => self.push(&path, EditKind::Removed, Some(render(xs[i])), None),
                (None, Some(j)) => self.push(&path, EditKind::Added, None, Some(render(ys[j]))),
                (None, None) => {}
            }
        }
        let mut matched: Vec<&Pair> = pairs
            .iter()
            .filter(|p| p.before.is_some() && p.after.is_some())
            .collect();
        matched.sort_by_key(|p| p.before);
        if matched.windows(2).all(|w| w[0].after < w[1].after) {
            return;
        }
        if ordered || self.show_reordered {
            let old = list_labels(matched.iter().map(|p| p.order_label()));
            matched.sort_by_key(|p| p.after);
            let new = list_labels(matched.iter().map(|p| p.order_label()));
            self.push(display, EditKind::Reordered, Some(old), Some(new));
        } else {
            self.hidden += 1;
        }
    }
}

fn join(base: &str, name: &str, sep: char) -> String {
    if base.is_empty() {
        name.to_owned()
    } else {
        format!("{base}{sep}{name}")
    }
}

/// The registry key of an entry: its key children's texts, joined by ", " (empty ones left out).
fn declared_key(e: &Element, key: &[&str]) -> String {
    let parts: Vec<String> = key
        .iter()
        .filter_map(|k| e.child_text(k))
        .filter(|t| !t.is_empty())
        .collect();
    if parts.is_empty() {
        "(none)".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Makes keys unique by suffixing repeats (`X`, `X#2`, ...), so duplicates still pair up.
fn with_occurrence(keys: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    keys.map(|k| {
        let n = seen.entry(k.clone()).or_insert(0);
        *n += 1;
        if *n == 1 { k } else { format!("{k}#{n}") }
    })
    .collect()
}

/// Pairs entries with equal (unique) keys; the rest are removed or added.
fn match_by_keys(keys_a: Vec<String>, keys_b: Vec<String>) -> Vec<Pair> {
    let index_b: HashMap<&str, usize> = keys_b
        .iter()
        .enumerate()
        .map(|(j, k)| (k.as_str(), j))
        .collect();
    let mut used = vec![false; keys_b.len()];
    let mut pairs = Vec::with_capacity(keys_a.len().max(keys_b.len()));
    for (i, k) in keys_a.iter().enumerate() {
        let after = index_b.get(k.as_str()).copied();
        if let Some(j) = after {
            used[j] = true;
        }
        pairs.push(Pair {
            before: Some(i),
            after,
            id: Some(k.clone()),
        });
    }
    for (j, k) in keys_b.into_iter().enumerate() {
        if !used[j] {
            pairs.push(Pair {
                before: None,
                after: Some(j),
                id: Some(k),
            });
        }
    }
    pairs
}

/// A natural identity of an undeclared entry, if it has one.
fn identity(e: &Element) -> Option<String> {
    let from_text = if e.is_leaf() {
        Some(e.text().trim().to_owned())
    } else {
        ID_CHILDREN.iter().find_map(|name| {
            let c = e.child(name).filter(|c| c.is_leaf())?;
            Some(c.text().trim().to_owned()).filter(|t| !t.is_empty())
        })
    };
    from_text.filter(|t| !t.is_empty()).or_else(|| {
        ID_ATTRS
            .iter()
            .find_map(|a| e.attr(a))
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    })
}

fn all_unique(ids: &[Option<String>]) -> bool {
    let mut seen = std::collections::HashSet::new();
    ids.iter()
        .all(|id| id.as_ref().is_some_and(|id| seen.insert(id)))
}

/// Matches entries without a declared key (see the module documentation).
fn match_list(xs: &[&Element], ys: &[&Element]) -> Vec<Pair> {
    let ids_a: Vec<Option<String>> = xs.iter().map(|e| identity(e)).collect();
    let ids_b: Vec<Option<String>> = ys.iter().map(|e| identity(e)).collect();
    if all_unique(&ids_a) && all_unique(&ids_b) {
        return match_by_keys(
            ids_a.into_iter().flatten().collect(),
            ids_b.into_iter().flatten().collect(),
        );
    }
    let canon_a: Vec<String> = xs.iter().map(|e| e.canonical()).collect();
    let canon_b: Vec<String> = ys.iter().map(|e| e.canonical()).collect();
    let mut pairs = Vec::new();
    let (mut loose_a, mut loose_b) = (Vec::new(), Vec::new());
    let pair = |i: usize, j: usize| Pair {
        before: Some(i),
        after: Some(j),
        id: ids_b[j].clone(),
    };
    for op in capture_diff_slices(Algorithm::Myers, &canon_a, &canon_b) {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => pairs.extend(old.zip(new).map(|(i, j)| pair(i, j))),
            DiffTag::Delete => loose_a.extend(old),
            DiffTag::Insert => loose_b.extend(new),
            DiffTag::Replace => {
                // Same identity first, then entries without identity by position.
                let mut rest_b: Vec<usize> = new.collect();
                let mut anonymous_a = Vec::new();
                for i in old {
                    let same = ids_a[i]
                        .as_ref()
                        .and_then(|id| rest_b.iter().position(|&j| ids_b[j].as_ref() == Some(id)));
                    match (same, &ids_a[i]) {
                        (Some(pos), _) => pairs.push(pair(i, rest_b.remove(pos))),
                        (None, None) => anonymous_a.push(i),
                        (None, Some(_)) => loose_a.push(i),
                    }
                }
                let (anonymous_b, named_b): (Vec<usize>, Vec<usize>) =
                    rest_b.into_iter().partition(|&j| ids_b[j].is_none());
                loose_b.extend(named_b);
                let n = anonymous_a.len().min(anonymous_b.len());
                pairs.extend((0..n).map(|k| pair(anonymous_a[k], anonymous_b[k])));
                loose_a.extend(&anonymous_a[n..]);
                loose_b.extend(&anonymous_b[n..]);
            }
        }
    }
    // Entries that moved: identical content, or the same identity, elsewhere in the list.
    let mut unmatched_b: Vec<Option<usize>> = loose_b.iter().copied().map(Some).collect();
    for i in loose_a {
        let found = unmatched_b
            .iter()
            .position(|j| j.is_some_and(|j| canon_b[j] == canon_a[i]))
            .or_else(|| {
                let id = ids_a[i].as_ref()?;
                unmatched_b
                    .iter()
                    .position(|j| j.is_some_and(|j| ids_b[j].as_ref() == Some(id)))
            });
        match found.and_then(|pos| unmatched_b[pos].take()) {
            Some(j) => pairs.push(pair(i, j)),
            None => pairs.push(Pair {
                before: Some(i),
                after: None,
                id: ids_a[i].clone(),
            }),
        }
    }
    pairs.extend(unmatched_b.into_iter().flatten().map(|j| Pair {
        before: None,
        after: Some(j),
        id: ids_b[j].clone(),
    }));
    pairs
}

fn list_labels(labels: impl Iterator<Item = String>) -> String {
    let labels: Vec<String> = labels.collect();
    let mut out = labels
        .iter()
        .take(MAX_LISTED_KEYS)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if labels.len() > MAX_LISTED_KEYS {
        out.push_str(&format!(", … ({} more)", labels.len() - MAX_LISTED_KEYS));
    }
    out
}
