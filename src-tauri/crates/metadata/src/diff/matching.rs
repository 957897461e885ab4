//! Pairing the entries of a repeated element before they are compared, so that a permission
//! that moved is not reported as removed and added. In order of preference:
//! 1. the registry declares the collection with a key (`fieldPermissions` by `field`): by key;
//! 2. every entry has a unique identity (a `fullName`, `name`, `field`, `label`, ... child,
//!    the text of a leaf, or a `name` attribute): by that identity;
//! 3. otherwise by position, aligning equal entries with an LCS (`similar`, on the content
//!    hashes of [`super::dom`]), pairing the remaining entries of a replaced region by
//!    identity or position, and recognising entries that only moved.
//!
//! Declared keys are matched on their 64-bit hashes first (a profile has tens of thousands of
//! entries, and probing a table of strings scattered over a 5 MB document is slow), then each
//! pairing is confirmed: by equal content (the comparison that finds what changed, done once
//! here) or else by comparing the keys. Any repeat or unconfirmed pairing falls back to
//! matching on the key strings, so hashes never change the outcome.

use std::borrow::Cow;

use similar::{Algorithm, DiffTag, capture_diff_slices};

use super::dom::{Doc, Id};
use super::hash::{FastMap, FastSet, Fnv};

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

/// One entry of a repeated element on either or both sides.
pub(super) struct Pair<'d> {
    /// Position among the old entries.
    pub before: Option<usize>,
    /// Position among the new entries.
    pub after: Option<usize>,
    /// Key or identity; `None` when the entry is known by position only.
    pub id: Option<Cow<'d, str>>,
    /// For a matched pair, whether both have the same content, when already known.
    pub same: Option<bool>,
}

impl Pair<'_> {
    fn new(before: Option<usize>, after: Option<usize>, id: Option<Cow<'_, str>>) -> Pair<'_> {
        Pair {
            before,
            after,
            id,
            same: None,
        }
    }

    /// The bracketed label in paths: the key, else the 1-based position on the newer side.
    pub fn label(&self) -> Cow<'_, str> {
        match (&self.id, self.after.or(self.before)) {
            (Some(id), _) => Cow::Borrowed(id),
            (None, Some(pos)) => Cow::Owned(format!("#{}", pos + 1)),
            (None, None) => Cow::Borrowed(""),
        }
    }

    /// The label in reorder lists: positions refer to the old side so moves read naturally.
    pub fn order_label(&self) -> String {
        match (&self.id, self.before) {
            (Some(id), _) => id.to_string(),
            (None, Some(pos)) => format!("#{}", pos + 1),
            (None, None) => String::new(),
        }
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

/// Pairs the entries `xs` of `da` with `ys` of `db` by the registry key made of the `key`
/// children. Keys are nearly always unique; when one repeats, the n-th occurrences are paired
/// instead.
pub(super) fn match_declared<'d>(
    da: &'d Doc<'_>,
    xs: &[Id],
    db: &'d Doc<'_>,
    ys: &[Id],
    key: &[&str],
) -> Vec<Pair<'d>> {
    let (keys_a, keys_b) = (declared_keys(da, xs, key), declared_keys(db, ys, key));
    let hashes = |keys: &[Cow<'_, str>]| -> Vec<u64> {
        keys.iter().map(|k| Fnv::of(k.as_bytes())).collect()
    };
    if let Some(matches) = try_match_unique(&hashes(&keys_a), &hashes(&keys_b)) {
        let mut same = Vec::with_capacity(matches.len());
        let confirmed = matches.iter().enumerate().all(|(i, m)| match *m {
            None => {
                same.push(None);
                true
            }
            Some(j) => {
                let equal = da.same(xs[i], db, ys[j]);
                same.push(Some(equal));
                equal || keys_a[i] == keys_b[j]
            }
        });
        if confirmed {
            let mut pairs = pairs_from(keys_a, keys_b, matches);
            for (p, s) in pairs.iter_mut().zip(same) {
                p.same = s;
            }
            return pairs;
        }
    }
    let matches = {
        let (ka, kb): (Vec<&str>, Vec<&str>) = (
            keys_a.iter().map(|k| &**k).collect(),
            keys_b.iter().map(|k| &**k).collect(),
        );
        try_match_unique(&ka, &kb)
    };
    match matches {
        Some(matches) => pairs_from(keys_a, keys_b, matches),
        None => match_by_keys(
            with_occurrence(keys_a.into_iter()),
            with_occurrence(keys_b.into_iter()),
        ),
    }
}

/// For each key of `a`, its index in `b`; `None` when a key repeats on either side.
fn try_match_unique<K: Copy + Eq + std::hash::Hash>(
    keys_a: &[K],
    keys_b: &[K],
) -> Option<Vec<Option<usize>>> {
    let mut index_b: FastMap<K, usize> =
        FastMap::with_capacity_and_hasher(keys_b.len(), Default::default());
    for (j, &k) in keys_b.iter().enumerate() {
        if index_b.insert(k, j).is_some() {
            return None;
        }
    }
    let mut used = vec![false; keys_b.len()];
    let mut seen_missing: FastSet<K> = FastSet::default();
    let mut matches = Vec::with_capacity(keys_a.len());
    for &k in keys_a {
        let j = index_b.get(&k).copied();
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
        pairs.push(Pair::new(Some(pairs.len()), after, Some(k)));
    }
    for (j, k) in keys_b.into_iter().enumerate() {
        if !used[j] {
            pairs.push(Pair::new(None, Some(j), Some(k)));
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
pub(super) fn match_list<'d>(
    da: &'d Doc<'_>,
    xs: &[Id],
    db: &'d Doc<'_>,
    ys: &[Id],
) -> Vec<Pair<'d>> {
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
    let pair = |i: usize, j: usize| Pair::new(Some(i), Some(j), ids_b[j].clone());
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
            None => pairs.push(Pair::new(Some(i), None, ids_a[i].clone())),
        }
    }
    pairs.extend(
        unmatched_b
            .into_iter()
            .flatten()
            .map(|j| Pair::new(None, Some(j), ids_b[j].clone())),
    );
    pairs
}
