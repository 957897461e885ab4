//! Element-by-element comparison of two XML documents.
//!
//! Repeated elements are paired first ([`super::matching`]: by registry key, identity or
//! position), so that a permission that moved is not reported as removed and added; only
//! pairs whose content differs are descended into. Matched entries that changed place give one [`EditKind::Reordered`] edit per collection,
//! shown when the registry marks the collection as ordered, counted as hidden otherwise.

use std::collections::BTreeMap;

use super::dom::{Doc, Id};
use super::matching::{Pair, match_declared, match_list};
use super::{DiffOptions, EditKind, ElementEdit};
use crate::registry;
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
            Some(r) if !r.key.is_empty() => match_declared(da, xs, db, ys, r.key),
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
                (Some(i), Some(j)) => !p.same.unwrap_or_else(|| self.a.same(xs[i], self.b, ys[j])),
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
