//! Element-by-element comparison of two XML documents.
//!
//! Repeated elements are matched before they are compared, so that a permission that moved
//! is not reported as removed and added. How they are matched, in order of preference:
//! 1. the registry declares the collection with a key (`fieldPermissions` by `field`): by key;
//! 2. every entry has a unique identity (a `fullName`, `name`, `field`, `label`, ... child,
//!    the text of a leaf, or a `name` attribute): by that identity;
//! 3. otherwise by position, aligning equal entries with an LCS (`similar`, on the content
//!    hashes of [`super::dom`]), pairing the remaining entries of a replaced region by
//!    identity or position, and recognising entries that only moved.
//!
//! Matched entries that changed place give one [`EditKind::Reordered`] edit per collection,
//! shown when the registry marks the collection as ordered, counted as hidden otherwise.

use std::borrow::Cow;
use std::collections::BTreeMap;

use similar::{Algorithm, DiffTag, capture_diff_slices};

use super::dom::{Doc, FastMap, FastSet, Id};
use super::{DiffOptions, EditKind, ElementEdit};
use crate::registry;

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

/// Edits turning document `a` into `b`, and the number of hidden reorderings.
pub(crate) fn diff_documents(
    rules: &Rules,
    a: &Doc<'_>,
    b: &Doc<'_>,
    options: &DiffOptions,
) -> (Vec<ElementEdit>, usize) {
    // b's name symbols in a's numbering; names a lacks come after a's.
    let b_symbols = (0..b.symbol_count() as u32)
        .map(|s| {
            let name = b.name_of_symbol(s);
            a.symbol(name)
                .map_or(a.symbol_count() + s as usize, |t| t as usize)
        })
        .collect();
    let mut d = Differ {
        rules,
        a,
        b,
        b_symbols,
        show_reordered: options.show_reordered,
        edits: Vec::new(),
        hidden: 0,
    };
    let (ra, rb) = (a.root(), b.root());
    if a.name(ra) == b.name(rb) {
        d.element(ra, rb, "", "");
    } else {
        let (before, after) = (a.render(ra), b.render(rb));
        d.push(a.name(ra), EditKind::Changed, Some(before), Some(after));
    }
    (d.edits, d.hidden)
}

struct Differ<'r, 'd, 'a, 'b> {
    rules: &'r Rules,
    a: &'d Doc<'a>,
    b: &'d Doc<'b>,
    /// For each name symbol of `b`, the symbol of `a` with that name, or a number past `a`'s.
    b_symbols: Vec<usize>,
    show_reordered: bool,
    edits: Vec<ElementEdit>,
    hidden: usize,
}

/// One entry of a repeated element on either or both sides.
struct Pair<'d> {
    before: Option<usize>,
    after: Option<usize>,
    /// Key or identity; `None` when the entry is known by position only.
    id: Option<Cow<'d, str>>,
}

impl Pair<'_> {
    /// The bracketed label in paths: the key, else the 1-based position on the newer side.
    fn label(&self) -> Cow<'_, str> {
        match (&self.id, self.after.or(self.before)) {
            (Some(id), _) => Cow::Borrowed(id),
            (None, Some(pos)) => Cow::Owned(format!("#{}", pos + 1)),
            (None, None) => Cow::Borrowed(""),
        }
    }

    /// The label in reorder lists: positions refer to the old side so moves read naturally.
    fn order_label(&self) -> String {
        match (&self.id, self.before) {
            (Some(id), _) => id.to_string(),
            (None, Some(pos)) => format!("#{}", pos + 1),
            (None, None) => String::new(),
        }
    }
}

impl<'d> Differ<'_, 'd, '_, '_> {
    fn push(&mut self, path: &str, kind: EditKind, before: Option<String>, after: Option<String>) {
        self.edits.push(ElementEdit {
            path: path.to_owned(),
            kind,
            before,
            after,
        });
    }

    fn element(&mut self, a: Id, b: Id, display: &str, schema: &str) {
        let (da, db): (&'d Doc<'_>, &'d Doc<'_>) = (self.a, self.b);
        if da.same(a, db, b) {
            return;
        }
        let here = if display.is_empty() {
            da.name(a)
        } else {
            display
        };
        self.attributes(da.attrs(a), db.attrs(b), here);
        let (leaf_a, leaf_b) = (da.is_leaf(a), db.is_leaf(b));
        if leaf_a && leaf_b {
            if da.text(a) != db.text(b) {
                let (ta, tb) = (da.text(a).to_owned(), db.text(b).to_owned());
                self.push(here, EditKind::Changed, Some(ta), Some(tb));
            }
            return;
        }
        if leaf_a || leaf_b {
            let (ra, rb) = (da.render(a), db.render(b));
            self.push(here, EditKind::Changed, Some(ra), Some(rb));
            return;
        }
        if da.text(a) != db.text(b) {
            let (ta, tb) = (da.text(a).to_owned(), db.text(b).to_owned());
            self.push(
                &format!("{here}#text"),
                EditKind::Changed,
                Some(ta),
                Some(tb),
            );
        }
        // Children grouped by name, in order of first appearance. Names are compared as
        // symbols: `a`'s own, and `b`'s mapped to `a`'s (or past them when `a` lacks the name).
        let mut slot = vec![usize::MAX; self.b_symbols.len() + da.symbol_count()];
        let mut groups: Vec<(&'d str, Vec<Id>, Vec<Id>)> = Vec::new();
        for (side, doc, parent) in [(0, da, a), (1, db, b)] {
            for c in doc.children(parent) {
                let sym = doc.symbol_of(c) as usize;
                let key = if side == 0 { sym } else { self.b_symbols[sym] };
                if slot[key] == usize::MAX {
                    slot[key] = groups.len();
                    groups.push((doc.name(c), Vec::new(), Vec::new()));
                }
                let g = &mut groups[slot[key]];
                if side == 0 { g.1.push(c) } else { g.2.push(c) }
            }
        }
        for (name, xs, ys) in groups {
            self.group(name, &xs, &ys, display, schema);
        }
    }

    fn attributes(&mut self, a: &[(String, String)], b: &[(String, String)], here: &str) {
        if a == b {
            return;
        }
        let mut old: BTreeMap<&str, &str> =
            a.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let new: BTreeMap<&str, &str> = b.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        for (k, vb) in new {
            let path = format!("{here}@{k}");
            match old.remove(k) {
                Some(va) if va == vb => {}
                Some(va) => self.push(&path, EditKind::Changed, Some(va.into()), Some(vb.into())),
                None => self.push(&path, EditKind::Added, None, Some(vb.into())),
            }
        }
        for (k, va) in old {
            self.push(
                &format!("{here}@{k}"),
                EditKind::Removed,
                Some(va.into()),
                None,
            );
        }
    }

    /// All children named `name` of two matched parents.
    fn group(&mut self, name: &str, xs: &[Id], ys: &[Id], display: &str, schema: &str) {
        let schema = join(schema, name, '/');
        let display = join(display, name, '.');
        let (da, db): (&'d Doc<'_>, &'d Doc<'_>) = (self.a, self.b);
        let rule = self.rules.get(&schema);
        let ordered = rule.is_some_and(|r| r.ordered);
        let pairs = match rule {
            Some(r) if !r.key.is_empty() => {
                match_declared(declared_keys(da, xs, r.key), declared_keys(db, ys, r.key))
            }
            None if xs.len() <= 1 && ys.len() <= 1 => {
                match (xs.first(), ys.first()) {
                    (Some(&a), Some(&b)) => self.element(a, b, &display, &schema),
                    (Some(&a), None) => {
                        self.push(&display, EditKind::Removed, Some(da.render(a)), None)
                    }
                    (None, Some(&b)) => {
                        self.push(&display, EditKind::Added, None, Some(db.render(b)))
                    }
                    (None, None) => {}
                }
                return;
            }
            _ => match_list(da, xs, db, ys),
        };
        self.emit(pairs, xs, ys, &display, &schema, ordered);
    }

    fn emit(
        &mut self,
        pairs: Vec<Pair<'d>>,
        xs: &[Id],
        ys: &[Id],
        display: &str,
        schema: &str,
        ordered: bool,
    ) {
        // Only entries that differ produce edits; sets list them by key, lists in order.
        let mut differing: Vec<&Pair<'_>> = pairs
            .iter()
            .filter(|p| match (p.before, p.after) {
                (Some(i), Some(j)) => !self.a.same(xs[i], self.b, ys[j]),
                _ => true,
            })
            .collect();
        if !ordered {
            differing.sort_by(|p, q| p.id.cmp(&q.id).then(p.before.cmp(&q.before)));
        }
        for p in differing {
            match (p.before, p.after) {
                (Some(i), Some(j)) => {
                    let path = format!("{display}[{}]", p.label());
                    self.element(xs[i], ys[j], &path, schema);
                }
                (Some(i), None) => {
                    let path = format!("{display}[{}]", p.label());
                    self.push(&path, EditKind::Removed, Some(self.a.render(xs[i])), None);
                }
                (None, Some(j)) => {
                    let path = format!("{display}[{}]", p.label());
                    self.push(&path, EditKind::Added, None, Some(self.b.render(ys[j])));
                }
                (None, None) => {}
            }
        }
        let mut matched: Vec<&Pair<'_>> = pairs
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

/// The registry key of each entry: its key children's texts, joined by ", " (empty ones
/// left out).
fn declared_keys<'d>(doc: &'d Doc<'_>, ids: &[Id], key: &[&str]) -> Vec<Cow<'d, str>> {
    // Symbols are looked up once per list, not once per entry.
    let syms: Vec<u32> = key.iter().filter_map(|k| doc.symbol(k)).collect();
    ids.iter()
        .map(|&id| {
            let mut parts = syms
                .iter()
                .filter_map(|&k| doc.child_text_sym(id, k))
                .filter(|t| !t.is_empty());
            match (parts.next(), parts.next()) {
                (None, _) => Cow::Borrowed("(none)"),
                (Some(only), None) => Cow::Borrowed(only),
                (Some(first), Some(second)) => {
                    let mut joined = format!("{first}, {second}");
                    for p in parts {
                        joined.push_str(", ");
                        joined.push_str(p);
                    }
                    Cow::Owned(joined)
                }
            }
        })
        .collect()
}

/// Makes keys unique by suffixing repeats (`X`, `X#2`, ...), so duplicates still pair up.
fn with_occurrence<'d>(keys: impl Iterator<Item = Cow<'d, str>>) -> Vec<Cow<'d, str>> {
    let keys: Vec<Cow<'d, str>> = keys.collect();
    let mut seen: FastMap<&str, usize> =
        FastMap::with_capacity_and_hasher(keys.len(), Default::default());
    let occurrence: Vec<usize> = keys
        .iter()
        .map(|k| {
            let n = seen.entry(k).or_insert(0);
            *n += 1;
            *n
        })
        .collect();
    keys.into_iter()
        .zip(occurrence)
        .map(|(k, n)| {
            if n == 1 {
                k
            } else {
                Cow::Owned(format!("{k}#{n}"))
            }
        })
        .collect()
}

/// Pairs entries by registry key. Keys are nearly always unique; when one repeats, the
/// n-th occurrences are paired instead.
fn match_declared<'d>(keys_a: Vec<Cow<'d, str>>, keys_b: Vec<Cow<'d, str>>) -> Vec<Pair<'d>> {
    match try_match_unique(&keys_a, &keys_b) {
        Some(matches) => pairs_from(keys_a, keys_b, matches),
        None => match_by_keys(
            with_occurrence(keys_a.into_iter()),
            with_occurrence(keys_b.into_iter()),
        ),
    }
}

/// For each key of `a`, its index in `b`; `None` when a key repeats on either side.
fn try_match_unique(
    keys_a: &[Cow<'_, str>],
    keys_b: &[Cow<'_, str>],
) -> Option<Vec<Option<usize>>> {
    let mut index_b: FastMap<&str, usize> =
        FastMap::with_capacity_and_hasher(keys_b.len(), Default::default());
    for (j, k) in keys_b.iter().enumerate() {
        if index_b.insert(k, j).is_some() {
            return None;
        }
    }
    let mut used = vec![false; keys_b.len()];
    let mut seen_missing: FastSet<&str> = FastSet::default();
    let mut matches = Vec::with_capacity(keys_a.len());
    for k in keys_a {
        let j = index_b.get(&**k).copied();
        match j {
            Some(j) if std::mem::replace(&mut used[j], true) => return None,
            None if !seen_missing.insert(k) => return None,
            _ => {}
        }
        matches.push(j);
    }
    Some(matches)
}

/// Pairs entries with equal (unique) keys; the rest are removed or added.
fn match_by_keys<'d>(keys_a: Vec<Cow<'d, str>>, keys_b: Vec<Cow<'d, str>>) -> Vec<Pair<'d>> {
    let index_b: FastMap<&str, usize> = keys_b.iter().enumerate().map(|(j, k)| (&**k, j)).collect();
    let matches = keys_a.iter().map(|k| index_b.get(&**k).copied()).collect();
    drop(index_b);
    pairs_from(keys_a, keys_b, matches)
}

fn pairs_from<'d>(
    keys_a: Vec<Cow<'d, str>>,
    keys_b: Vec<Cow<'d, str>>,
    matches: Vec<Option<usize>>,
) -> Vec<Pair<'d>> {
    let mut used = vec![false; keys_b.len()];
    let mut pairs = Vec::with_capacity(keys_a.len().max(keys_b.len()));
    for (k, after) in keys_a.into_iter().zip(matches) {
        if let Some(j) = after {
            used[j] = true;
        }
        pairs.push(Pair {
            before: Some(pairs.len()),
            after,
            id: Some(k),
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

/// A natural identity of each undeclared entry, if it has one.
fn identities<'d>(doc: &'d Doc<'_>, ids: &[Id]) -> Vec<Option<Cow<'d, str>>> {
    let syms: Vec<u32> = ID_CHILDREN.iter().filter_map(|n| doc.symbol(n)).collect();
    ids.iter()
        .map(|&id| {
            let from_text = if doc.is_leaf(id) {
                Some(doc.text(id))
            } else {
                syms.iter()
                    .find_map(|&s| doc.child_text_sym(id, s).filter(|t| !t.is_empty()))
            };
            from_text
                .filter(|t| !t.is_empty())
                .or_else(|| {
                    ID_ATTRS
                        .iter()
                        .find_map(|a| doc.attr(id, a))
                        .filter(|v| !v.is_empty())
                })
                .map(Cow::Borrowed)
        })
        .collect()
}

fn all_unique(ids: &[Option<Cow<'_, str>>]) -> bool {
    let mut seen = FastSet::with_capacity_and_hasher(ids.len(), Default::default());
    ids.iter()
        .all(|id| id.as_ref().is_some_and(|id| seen.insert(&**id)))
}

/// Matches entries without a declared key (see the module documentation).
fn match_list<'d>(da: &'d Doc<'_>, xs: &[Id], db: &'d Doc<'_>, ys: &[Id]) -> Vec<Pair<'d>> {
    let ids_a = identities(da, xs);
    let ids_b = identities(db, ys);
    if all_unique(&ids_a) && all_unique(&ids_b) {
        return match_by_keys(
            ids_a.into_iter().flatten().collect(),
            ids_b.into_iter().flatten().collect(),
        );
    }
    let hash_a: Vec<u64> = xs.iter().map(|&x| da.hash(x)).collect();
    let hash_b: Vec<u64> = ys.iter().map(|&y| db.hash(y)).collect();
    let same = |i: usize, j: usize| hash_a[i] == hash_b[j] && da.same(xs[i], db, ys[j]);
    let same_id = |i: usize, j: usize| ids_a[i].is_some() && ids_a[i] == ids_b[j];
    let pair = |i: usize, j: usize| Pair {
        before: Some(i),
        after: Some(j),
        id: ids_b[j].clone(),
    };
    let mut pairs = Vec::new();
    let (mut loose_a, mut loose_b) = (Vec::new(), Vec::new());
    for op in capture_diff_slices(Algorithm::Myers, &hash_a, &hash_b) {
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
                    match rest_b.iter().position(|&j| same_id(i, j)) {
                        Some(pos) => pairs.push(pair(i, rest_b.remove(pos))),
                        None if ids_a[i].is_none() => anonymous_a.push(i),
                        None => loose_a.push(i),
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
    let mut unmatched_b: Vec<Option<usize>> = loose_b.into_iter().map(Some).collect();
    for i in loose_a {
        let found = unmatched_b
            .iter()
            .position(|j| j.is_some_and(|j| same(i, j)))
            .or_else(|| {
                unmatched_b
                    .iter()
                    .position(|j| j.is_some_and(|j| same_id(i, j)))
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
